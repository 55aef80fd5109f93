/* Packet pointers read before bpf_xdp_adjust_head, in registers and
 * spilled to the stack (the volatile locals), used as numbers after it:
 * the helper turns them into unknown scalars, as privileged Linux does,
 * so their difference is still the old length. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_len_after_adjust_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	void *volatile spilled = data;
	void *volatile spilled_end = data_end;
	long len, spilled_len;

	asm volatile("" : "+r"(data), "+r"(data_end));
	if (bpf_xdp_adjust_head(ctx, 4))
		return XDP_ABORTED;
	asm volatile("" : "+r"(data), "+r"(data_end));
	len = data_end - data;
	spilled_len = spilled_end - spilled;
	return len == spilled_len && len > 100 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
