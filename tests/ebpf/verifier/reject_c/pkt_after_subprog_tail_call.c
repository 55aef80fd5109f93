/* A tail call that succeeds in a subprogram returns to its caller after
 * the target may have moved the packet: the caller's packet pointers are
 * numbers then, as after bpf_xdp_adjust_head.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

static __attribute__((noinline)) int tail_call(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &progs, 0);
	return ctx->ingress_ifindex;
}

SEC("xdp")
int pkt_after_subprog_tail_call(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int ifindex;

	if ((void *)(data + 1) > data_end)
		return XDP_DROP;
	asm volatile("" : "+r"(data));
	ifindex = tail_call(ctx);
	asm volatile("" : "+r"(data));
	return data[0] == ifindex ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
