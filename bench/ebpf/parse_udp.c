/*
 * Benchmark row 2: a header parse as firewalls do it. Walks Ethernet,
 * IPv4 (honouring IHL) and UDP with a bounds check against data_end
 * before every header, and drops UDP to port 53.
 * Native twin: native/programs.c, native_parse_udp.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define BLOCKED_UDP_PORT 53
/* IHL counts 32-bit words (RFC 791 §3.1). */
#define IPV4_IHL_UNIT 4

SEC("xdp")
int parse_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP ||
	    ip->ihl < sizeof(*ip) / IPV4_IHL_UNIT)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * IPV4_IHL_UNIT;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return udp->dest == bpf_htons(BLOCKED_UDP_PORT) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
