/* The raw SYN-cookie helpers on packet headers: a SYN gets a cookie (the
 * program would answer with a SYN-ACK), an ACK is checked. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int raw_syncookie(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	__s64 made;

	if ((void *)(tcp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	if (tcp->syn && !tcp->ack) {
		made = bpf_tcp_raw_gen_syncookie_ipv4(ip, tcp, sizeof(*tcp));
		if (made < 0)
			return XDP_ABORTED;
		tcp->seq = bpf_htonl((__u32)made);
		return XDP_TX;
	}
	if (tcp->ack && bpf_tcp_raw_check_syncookie_ipv4(ip, tcp) == 0)
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
