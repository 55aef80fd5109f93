/* Pushes an 4-byte tag in front of the Ethernet header with
 * bpf_xdp_adjust_head, re-reading and re-checking the packet pointers
 * that the helper invalidated. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

#define TAG_BYTES 4

SEC("xdp")
int adjust_head(struct xdp_md *ctx)
{
	void *data, *data_end;
	struct ethhdr *eth, *moved;

	if (bpf_xdp_adjust_head(ctx, -TAG_BYTES))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	moved = data;
	eth = data + TAG_BYTES;
	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memmove(moved, eth, 2 * ETH_ALEN);
	*(__u32 *)((void *)moved + 2 * ETH_ALEN) = 0x00810000;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
