/*
 * make bench-net, case "XDP_TX bounce": sends every Ethernet frame back
 * out of the NIC it came in on, addressed to its sender (MAC addresses
 * swapped, nothing else changed), so the generator can count what comes
 * back. Frames too short for an Ethernet header are dropped.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int tx_bounce(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	unsigned char sender[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	__builtin_memcpy(sender, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, sender, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
