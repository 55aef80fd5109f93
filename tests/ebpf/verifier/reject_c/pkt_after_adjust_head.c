/* A packet pointer checked before bpf_xdp_adjust_head and used after it.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_after_adjust_head(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(data + 1) > data_end)
		return XDP_DROP;
	asm volatile("" : "+r"(data));
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	asm volatile("" : "+r"(data));
	return data[0] == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
