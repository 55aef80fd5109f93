/* A tail call in a subprogram: when it succeeds, the target's verdict
 * comes back to the caller, which reads the packet pointers anew (the
 * target may have moved the packet). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

static __attribute__((noinline)) int dispatch(struct xdp_md *ctx, __u32 slot)
{
	bpf_tail_call(ctx, &progs, slot);
	return XDP_PASS;
}

SEC("xdp")
int tail_call_subprog(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int verdict;

	if ((void *)(data + 1) > data_end)
		return XDP_DROP;
	verdict = dispatch(ctx, data[0] & 1);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if ((void *)(data + 1) > data_end)
		return XDP_DROP;
	return data[0] ? verdict : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
