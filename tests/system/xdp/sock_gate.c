/*
 * TCP only toward a socket that would take it, as the guest's socket
 * lookups (net/sock_lookup.c, over lwIP's pcbs) see it: a SYN passes when
 * bpf_skc_lookup_tcp finds a listener on its port, any other segment when
 * bpf_sk_lookup_tcp finds its connection; the rest is dropped, so a SYN
 * to a closed port gets no RST. Other frames pass. A SYN with Linux's
 * usual options (MSS, SACK permitted, timestamps, window scale) toward a
 * listener also gets a cookie from bpf_tcp_gen_syncookie, whose MSS the
 * program prints ("sock_gate: cookie mss N"); an error drops the SYN.
 * tests/system/test_sock_lookup.py drives it in front of httpd.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* A TCP header with Linux's SYN options: 20 bytes of header, 20 of options. */
#define LINUX_SYN_LEN 40

SEC("xdp")
int sock_gate(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int verdict = XDP_DROP;
	__s64 cookie;

	if ((void *)(tcp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = tcp->dest;
	if (tcp->syn && !tcp->ack) {
		sk = bpf_skc_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
		if (!sk)
			return XDP_DROP;
		if (sk->state == BPF_TCP_LISTEN && sk->src_port == bpf_ntohs(tcp->dest))
			verdict = XDP_PASS;
		if (verdict == XDP_PASS && tcp->doff * 4 == LINUX_SYN_LEN &&
		    (void *)tcp + LINUX_SYN_LEN <= data_end) {
			cookie = bpf_tcp_gen_syncookie(sk, ip, sizeof(*ip), tcp, LINUX_SYN_LEN);
			if (cookie < 0)
				verdict = XDP_DROP;
			else
				bpf_printk("sock_gate: cookie mss %u\n", (__u32)(cookie >> 32));
		}
	} else {
		sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
		if (!sk)
			return XDP_DROP;
		if (sk->state != BPF_TCP_LISTEN && sk->dst_port == tcp->source &&
		    sk->dst_ip4 == ip->saddr)
			verdict = XDP_PASS;
	}
	bpf_sk_release(sk);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
