/*
 * The first half of a SYN proxy, with the raw SYN-cookie helpers: an IPv4
 * SYN (with an MSS option only) is answered from XDP with the SYN-ACK
 * whose sequence number is bpf_tcp_raw_gen_syncookie_ipv4's cookie
 * (XDP_TX); an ACK passes when bpf_tcp_raw_check_syncookie_ipv4 accepts
 * the cookie it acknowledges, and is dropped otherwise. Anything else
 * passes. tests/system/test_syncookie.py drives it through netecho.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define SYN_WITH_MSS_LEN 24 /* a TCP header and its MSS option */
#define SYNACK_LEN	 (sizeof(struct ethhdr) + sizeof(struct iphdr) + sizeof(struct tcphdr))
#define TTL		 64

struct pseudo_header {
	__be32 saddr, daddr;
	__u8 zero, protocol;
	__be16 length;
};

/* RFC 1071: the ones'-complement sum, folded to 16 bits and complemented. */
static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 folded = (__u32)sum;

	folded = (folded & 0xffff) + (folded >> 16);
	folded = (folded & 0xffff) + (folded >> 16);
	return (__u16)~folded;
}

SEC("xdp")
int syncookie(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	unsigned char client_mac[ETH_ALEN], server_mac[ETH_ALEN];
	struct pseudo_header pseudo = {.protocol = IPPROTO_TCP};
	__be32 client, server;
	__be16 client_port, server_port;
	__u32 client_seq;
	__s64 made;

	if ((void *)(tcp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	if (tcp->ack && !tcp->syn)
		return bpf_tcp_raw_check_syncookie_ipv4(ip, tcp) == 0 ? XDP_PASS : XDP_DROP;
	if (!tcp->syn || tcp->ack || tcp->doff * 4 != SYN_WITH_MSS_LEN ||
	    (void *)tcp + SYN_WITH_MSS_LEN > data_end)
		return XDP_PASS;
	made = bpf_tcp_raw_gen_syncookie_ipv4(ip, tcp, SYN_WITH_MSS_LEN);
	if (made < 0)
		return XDP_ABORTED;
	__builtin_memcpy(client_mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(server_mac, eth->h_dest, ETH_ALEN);
	client = ip->saddr;
	server = ip->daddr;
	client_port = tcp->source;
	server_port = tcp->dest;
	client_seq = bpf_ntohl(tcp->seq);

	/* The SYN-ACK carries no options: cut the frame to its headers. */
	if (bpf_xdp_adjust_tail(ctx, (int)SYNACK_LEN - (int)(data_end - data)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	tcp = (void *)(ip + 1);
	if ((void *)(tcp + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(eth->h_dest, client_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, server_mac, ETH_ALEN);
	ip->tos = 0;
	ip->tot_len = bpf_htons(sizeof(*ip) + sizeof(*tcp));
	ip->id = 0;
	ip->frag_off = 0;
	ip->ttl = TTL;
	ip->saddr = server;
	ip->daddr = client;
	ip->check = 0;
	ip->check = csum_fold(bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0));
	tcp->source = server_port;
	tcp->dest = client_port;
	tcp->seq = bpf_htonl((__u32)made);
	tcp->ack_seq = bpf_htonl(client_seq + 1);
	((__u8 *)tcp)[12] = (sizeof(*tcp) / 4) << 4;
	((__u8 *)tcp)[13] = 0x12; /* SYN | ACK */
	tcp->check = 0;
	tcp->urg_ptr = 0;
	pseudo.saddr = server;
	pseudo.daddr = client;
	pseudo.length = bpf_htons(sizeof(*tcp));
	tcp->check =
	    csum_fold(bpf_csum_diff(0, 0, (__be32 *)tcp, sizeof(*tcp),
				    bpf_csum_diff(0, 0, (__be32 *)&pseudo, sizeof(pseudo), 0)));
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
