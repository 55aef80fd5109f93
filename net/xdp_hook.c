#include "xdp_hook.h"

#include <string.h>

#include "bpf_boot.h"
#include "ebpf.h"
#include "netdev.h"
#include "timekeeping.h"
#include "xsk.h"

static struct xdp_hook_stats stats;
static struct ebpf_prog *program;
static ebpf_jit_fn program_jit; /* its JIT entry, called directly per frame; NULL: interpreted */
static bool program_looked_up;
/*
 * The frame's copy for the run: programs run one at a time (one CPU, and
 * pass never re-enters the hook), so one buffer serves every NIC. In
 * .bss, hence below 4 GiB as xdp_md's 32-bit pointers need. A frame
 * redirected to an AF_XDP socket leaves in the buffer, and receive_buf
 * becomes a free one of the socket's (all in .bss, all of one size).
 */
static uint8_t first_receive_buf[XDP_HOOK_BUF_SIZE];
static uint8_t *receive_buf = first_receive_buf;

/* bpf_boot attaches programs before main() and never detaches them. */
static struct ebpf_prog *attached_program(void)
{
	if (!program_looked_up) {
		const struct bpf_boot_program *first = bpf_boot_program_get(0);
		program = first ? first->prog : NULL;
		program_jit = program ? ebpf_prog_get_jit_fn(program) : NULL;
		program_looked_up = true;
	}
	return program;
}

bool xdp_hook_attached(void)
{
	return attached_program() != NULL;
}

/* Turns r0 and the redirect state into the verdict to carry out. */
static enum ebpf_xdp_action xdp_verdict(uint64_t r0, struct ebpf_xdp_buff *xb,
					struct xdp_hook_frame *frame)
{
	if (r0 >= XDP_HOOK_ACTIONS) {
		stats.invalid_action++;
		return EBPF_XDP_ABORTED;
	}
	if (r0 == EBPF_XDP_REDIRECT) {
		if (ebpf_xdp_redirect_target(xb) != 0) {
			stats.redirect_unset++;
			return EBPF_XDP_ABORTED;
		}
		frame->redirect = xb->redirect;
		frame->redirect_count =
		    ebpf_xdp_broadcast_targets(xb, frame->redirect_ifindexes, NETDEV_MAX);
		if (xb->redirect.kind == EBPF_XDP_TARGET_DEVICE) {
			frame->redirect_ifindexes[0] = xb->redirect.index;
			frame->redirect_count = 1;
		}
	}
	return (enum ebpf_xdp_action)r0;
}

enum ebpf_xdp_action xdp_hook_run(struct xdp_hook_frame *frame)
{
	struct ebpf_prog *prog = attached_program();
	struct ebpf_xdp_buff xb;
	enum ebpf_xdp_action verdict = EBPF_XDP_PASS;

	if (!prog)
		return verdict;
	if (ebpf_xdp_init(&xb, frame->buf, frame->buf + frame->buf_size, frame->data, frame->len,
			  frame->ifindex, XDP_HOOK_RX_QUEUE) != 0) {
		/* A frame outside its buffer: the caller's bug, never run on. */
		stats.actions[EBPF_XDP_ABORTED]++;
		return EBPF_XDP_ABORTED;
	}
	uint64_t start = time_monotonic_ns();
	uint64_t r0 = program_jit ? program_jit(&xb, sizeof(xb))
				  : ebpf_prog_run_interp(prog, &xb, sizeof(xb));
	stats.run_ns += time_monotonic_ns() - start;
	stats.runs++;
	/* bpf_xdp_adjust_head/tail moved the ends within the buffer. */
	frame->data = (uint8_t *)(uintptr_t)xb.md.data;
	frame->len = xb.md.data_end - xb.md.data;
	verdict = xdp_verdict(r0, &xb, frame);
	stats.actions[verdict]++;
	return verdict;
}

void xdp_hook_get_stats(struct xdp_hook_stats *out)
{
	*out = stats;
}

/* Hands the frame over to its socket; the hook goes on in a free buffer of the socket's. */
static int xdp_hook_redirect_xsk(struct netdev *nic, struct xdp_hook_frame *xf)
{
	struct xsk_frame frame = {.buf = xf->buf, .data = xf->data, .len = xf->len};
	uint8_t *spare;
	int err = xsk_deliver(xf->redirect.xsk, &frame, nic->ifindex, XDP_HOOK_RX_QUEUE, &spare);

	if (!err)
		receive_buf = spare;
	return err;
}

static void xdp_hook_redirect(struct netdev *nic, struct xdp_hook_frame *xf, xdp_hook_pass_fn pass,
			      void *arg)
{
	switch (xf->redirect.kind) {
	case EBPF_XDP_TARGET_CPU:
		stats.redirect_cpu++;
		pass(arg, xf->data, xf->len);
		return;
	case EBPF_XDP_TARGET_XSK:
		if (xdp_hook_redirect_xsk(nic, xf) == 0)
			stats.redirect_xsk++;
		else
			stats.redirect_failed++;
		return;
	default:
		break;
	}
	for (size_t i = 0; i < xf->redirect_count; i++) {
		struct netdev *target = netdev_by_ifindex(xf->redirect_ifindexes[i]);

		if (!target || netdev_transmit(target, xf->data, xf->len) != 0)
			stats.redirect_failed++;
	}
}

void xdp_hook_receive(struct netdev *nic, uint8_t *frame, size_t len, xdp_hook_pass_fn pass,
		      void *arg)
{
	if (!xdp_hook_attached()) {
		pass(arg, frame, len);
		return;
	}
	if (len > XDP_HOOK_BUF_SIZE - XDP_HOOK_HEADROOM) {
		stats.oversized++;
		return;
	}
	struct xdp_hook_frame xf = {
	    .buf = receive_buf,
	    .buf_size = XDP_HOOK_BUF_SIZE,
	    .data = receive_buf + XDP_HOOK_HEADROOM,
	    .len = len,
	    .ifindex = nic->ifindex,
	};
	memcpy(xf.data, frame, len);
	switch (xdp_hook_run(&xf)) {
	case EBPF_XDP_PASS:
		pass(arg, xf.data, xf.len);
		break;
	case EBPF_XDP_TX:
		if (netdev_transmit(nic, xf.data, xf.len) != 0)
			stats.tx_failed++;
		break;
	case EBPF_XDP_REDIRECT:
		xdp_hook_redirect(nic, &xf, pass, arg);
		break;
	case EBPF_XDP_ABORTED:
	case EBPF_XDP_DROP:
		break;
	}
}
