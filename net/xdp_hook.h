/*
 * The XDP hook on the receive path: runs the attached eBPF program (see
 * kernel/bpf_boot.h) on a received frame before the IP stack sees it,
 * with Linux's XDP semantics, and keeps the counters /metrics reports.
 *
 * The frame lies in a buffer with headroom before it and tailroom after
 * it, so that bpf_xdp_adjust_head/adjust_tail can move its ends; the
 * program may rewrite the bytes in place. ifindex numbering is the
 * netdev's (net/netdev.h: 1, 2, ... in probe order): what the program
 * sees in xdp_md.ingress_ifindex and names in bpf_redirect / devmaps.
 *
 * One program serves every NIC: the first XDP program bpf_boot attached
 * (module order). Runs are timed with the monotonic clock (the TSC).
 */
#ifndef UKBPF_XDP_HOOK_H
#define UKBPF_XDP_HOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"
#include "netdev.h"

struct netdev;

#define XDP_HOOK_HEADROOM EBPF_XDP_HEADROOM /* Linux's XDP_PACKET_HEADROOM */
#define XDP_HOOK_ACTIONS  5		    /* ABORTED, DROP, PASS, TX, REDIRECT */
/*
 * xdp_hook_receive's buffer: one page like Linux's, so a frame of up to
 * XDP_HOOK_BUF_SIZE - XDP_HOOK_HEADROOM bytes fits and the rest is tailroom
 * (of which the helpers keep the last bytes, as Linux: see ebpf.h).
 */
#define XDP_HOOK_BUF_SIZE EBPF_XDP_FRAME_SIZE
/* Each NIC has one receive queue: every frame's xdp_md.rx_queue_index. */
#define XDP_HOOK_RX_QUEUE 0

struct xdp_hook_frame {
	uint8_t *buf;	  /* start of the headroom */
	size_t buf_size;  /* headroom + frame + tailroom */
	uint8_t *data;	  /* in: the received frame; out: where it starts now */
	size_t len;	  /* in: its length; out: its length now */
	uint32_t ifindex; /* the receiving NIC */
	/* out, for EBPF_XDP_REDIRECT: where to (a device, a CPU, a socket) */
	struct ebpf_xdp_target redirect;
	/*
	 * with it, the devices to send the frame to: one for bpf_redirect or
	 * a devmap entry, each of a devmap's for a broadcast (BPF_F_BROADCAST)
	 */
	uint32_t redirect_ifindexes[NETDEV_MAX];
	size_t redirect_count;
};

struct xdp_hook_stats {
	uint64_t actions[XDP_HOOK_ACTIONS]; /* verdicts carried out, by enum ebpf_xdp_action
					       (after the conversions below) */
	uint64_t invalid_action;	    /* r0 outside the enum: counted, then ABORTED */
	uint64_t redirect_unset;	    /* REDIRECT no helper chose a target for:
					       counted, then ABORTED */
	uint64_t tx_failed;		    /* TX the NIC refused (ring full: -EAGAIN,
					       length: -EMSGSIZE, -EIO): frame dropped */
	uint64_t redirect_failed;	    /* REDIRECT to an ifindex without a NIC, or
					       that the NIC refused, or to an AF_XDP
					       socket bound to another NIC or with no
					       room (net/xsk.h): frame dropped */
	uint64_t redirect_cpu;		    /* REDIRECT to a cpumap's CPU: with one CPU,
					       handed to the stack as PASS would */
	uint64_t redirect_xsk;		    /* REDIRECT to an AF_XDP socket it reached */
	uint64_t oversized;		    /* frames too long for the hook's buffer:
					       dropped before any run */
	uint64_t runs;
	uint64_t run_ns; /* total time inside the program */
};

/* True when a program is attached (otherwise every frame is XDP_PASS, uncounted). */
bool xdp_hook_attached(void);
/*
 * Runs the attached program on frame; returns the verdict. A return
 * value that is not an XDP action, and a REDIRECT whose target no helper
 * set, count as errors and are turned into EBPF_XDP_ABORTED.
 */
enum ebpf_xdp_action xdp_hook_run(struct xdp_hook_frame *frame);
void xdp_hook_get_stats(struct xdp_hook_stats *stats);

typedef void (*xdp_hook_pass_fn)(void *arg, uint8_t *frame, size_t len);

/*
 * The receive path in one call, for a frame nic delivered (its ifindex is
 * the program's ingress_ifindex): copies it into a buffer with headroom,
 * runs the program and carries out its verdict: DROP and ABORTED recycle
 * the buffer, TX sends the (possibly rewritten) frame back out of nic,
 * REDIRECT out of the netdev with the target ifindex (each of a
 * broadcast's), to the stack for a cpumap's CPU (ukbpf has one CPU, so
 * the frame is handled at once, as PASS would: counted in redirect_cpu),
 * or into an AF_XDP socket's ring in the hook's buffer (net/xsk.h). PASS
 * calls pass(arg, frame, len) with the frame as the program left it.
 * Without a program every frame goes to pass at once, uncopied (so frame
 * is not const: pass may rewrite it in place, as it may the hook's copy).
 * A frame longer than XDP_HOOK_BUF_SIZE - XDP_HOOK_HEADROOM never meets
 * the program: it is dropped and counted. Sends are not retried (like
 * Linux's XDP_TX on a full ring). Meant for netdev_poll's callback: pass
 * must finish with the frame before it returns.
 */
void xdp_hook_receive(struct netdev *nic, uint8_t *frame, size_t len, xdp_hook_pass_fn pass,
		      void *arg);

#endif /* UKBPF_XDP_HOOK_H */
