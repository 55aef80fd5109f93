/* Checks 14 bytes, reads 4 bytes at offset 12: two bytes too far.
 * expect: invalid access to packet, off=12 size=4, R */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pkt_off_by_one(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(data + 14) > data_end)
		return XDP_DROP;
	return *(__u32 *)(data + 12) == 8 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
