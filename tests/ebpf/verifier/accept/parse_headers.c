/* Ethernet (with up to two VLAN tags), IPv4/IPv6, TCP/UDP/ICMP parser:
 * counts nothing, drops TCP port 23 and ICMP echo to 10.0.0.1. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* <linux/icmp.h> pulls in libc headers that do not exist for -target bpf. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

#define ICMP_ECHO 8

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

#define MAX_VLANS 2

SEC("xdp")
int parse_headers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3;
	__u16 proto;
	__u8 l4proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (i = 0; i < MAX_VLANS; i++) {
		struct vlan_hdr *vlan = l3;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vlan + 1) > data_end)
			return XDP_DROP;
		proto = vlan->proto;
		l3 = vlan + 1;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		if (ip->ihl < 5)
			return XDP_DROP;
		l4proto = ip->protocol;
		if (l4proto == IPPROTO_ICMP) {
			struct icmphdr *icmp = (void *)ip + ip->ihl * 4;

			if ((void *)(icmp + 1) > data_end)
				return XDP_DROP;
			if (icmp->type == ICMP_ECHO && ip->daddr == bpf_htonl(0x0a000001))
				return XDP_DROP;
			return XDP_PASS;
		}
		l3 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP;
		l4proto = ip6->nexthdr;
		l3 = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	if (l4proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l3;

		if ((void *)(tcp + 1) > data_end)
			return XDP_DROP;
		if (tcp->dest == bpf_htons(23))
			return XDP_DROP;
	} else if (l4proto == IPPROTO_UDP) {
		struct udphdr *udp = l3;

		if ((void *)(udp + 1) > data_end)
			return XDP_DROP;
		if (udp->dest == bpf_htons(9))
			return XDP_DROP;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
