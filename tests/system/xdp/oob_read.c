/*
 * Reads a byte past the Ethernet header without comparing against
 * data_end: the verifier must refuse it, so the kernel never boots the app
 * (tests/system/test_xdp.py).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ETH_HLEN 14

SEC("xdp")
int oob_read(struct xdp_md *ctx)
{
	__u8 *data = (__u8 *)(long)ctx->data;

	return data[ETH_HLEN] == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
