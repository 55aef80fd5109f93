/* A tail call inside a callback: its run has its own tail call budget, so
 * ukbpf refuses it; Linux 6.18 refuses it too (-EFAULT, "verifier bug").
 * expect: tail_call inside a callback is not supported */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} jump SEC(".maps");

struct loop_ctx {
	void *ctx;
};

static int jump_away(__u32 index, struct loop_ctx *c)
{
	bpf_tail_call(c->ctx, &jump, 0);
	return 0;
}

SEC("xdp")
int callback_tail_call(struct xdp_md *ctx)
{
	struct loop_ctx c = {.ctx = ctx};

	bpf_loop(2, jump_away, &c, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
