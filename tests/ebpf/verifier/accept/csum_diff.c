/* Rewrites the IPv4 source and destination and recomputes the header
 * checksum with bpf_csum_diff over stack copies of the old and new
 * words. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

SEC("xdp")
int csum_diff(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 old[2], new[2];
	__s64 sum;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	old[0] = ip->saddr;
	old[1] = ip->daddr;
	new[0] = ip->daddr;
	new[1] = ip->saddr;
	sum = bpf_csum_diff(old, sizeof(old), new, sizeof(new), (__u16)~ip->check);
	if (sum < 0)
		return XDP_ABORTED;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = (__u16)~sum;
	ip->saddr = new[0];
	ip->daddr = new[1];
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
