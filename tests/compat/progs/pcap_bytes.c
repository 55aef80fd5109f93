/*
 * XDP programs that change the frame, for tests/compat/test_pcap_bytes.py:
 * `ukbpf run --pcap-bytes` must print what they leave, metadata included,
 * as Linux's BPF_PROG_TEST_RUN returns it in data_out.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define META_TAG 0xa1b2c3d4

/* Removes the Ethernet header. */
SEC("xdp")
int strip_ethernet(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, ETH_HLEN))
		return XDP_ABORTED;
	return XDP_PASS;
}

/* Puts four bytes of metadata before the frame. */
SEC("xdp")
int tag_metadata(struct xdp_md *ctx)
{
	__u32 *meta;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_ABORTED;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return XDP_ABORTED;
	*meta = META_TAG;
	return XDP_PASS;
}

/* Drops the frame's last byte. */
SEC("xdp")
int trim_tail(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_tail(ctx, -1))
		return XDP_ABORTED;
	return XDP_TX;
}

char _license[] SEC("license") = "GPL";
