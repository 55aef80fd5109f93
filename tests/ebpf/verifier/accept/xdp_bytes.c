/* Swaps the Ethernet addresses through bpf_xdp_load_bytes and
 * bpf_xdp_store_bytes, without packet pointers: the way programs written
 * for multi-buffer frames reach bytes. Frames shorter than a header pass. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_bytes(struct xdp_md *ctx)
{
	__u8 addrs[2 * ETH_ALEN];

	if (bpf_xdp_get_buff_len(ctx) < ETH_HLEN)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, 0, addrs, sizeof(addrs)))
		return XDP_ABORTED;
	if (bpf_xdp_store_bytes(ctx, 0, addrs + ETH_ALEN, ETH_ALEN) ||
	    bpf_xdp_store_bytes(ctx, ETH_ALEN, addrs, ETH_ALEN))
		return XDP_ABORTED;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
