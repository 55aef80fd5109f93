/* Socket lookups: the tuple from the packet, a NULL test, reads of the
 * socket at Linux's bpf_sock offsets (whole fields and narrow pieces),
 * a SYN cookie from a listener, and the reference released on every
 * path, also through a spilled copy. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} seen SEC(".maps");

SEC("xdp")
int sock_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *tcp = (void *)(ip + 1);
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk, *listener;
	__u32 key = 0;
	__u64 value;
	__s64 cookie;

	if ((void *)(tcp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	tuple.ipv4.saddr = ip->saddr;
	tuple.ipv4.daddr = ip->daddr;
	tuple.ipv4.sport = tcp->source;
	tuple.ipv4.dport = tcp->dest;
	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (sk) {
		value = sk->state + sk->mark + sk->src_port + sk->dst_port +
			*((__u8 *)&sk->src_ip4 + 1) + *((__u16 *)&sk->dst_ip6[2] + 1);
		bpf_map_update_elem(&seen, &key, &value, 0);
		bpf_sk_release(sk);
	}
	listener = bpf_skc_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!listener)
		return XDP_PASS;
	if (listener->state != BPF_TCP_LISTEN || listener->family != 2) {
		bpf_sk_release(listener);
		return XDP_DROP;
	}
	cookie = bpf_tcp_gen_syncookie(listener, ip, sizeof(*ip), tcp, sizeof(*tcp));
	value = bpf_tcp_check_syncookie(listener, ip, sizeof(*ip), tcp, sizeof(*tcp));
	bpf_sk_release(listener);
	key = 1;
	value += cookie;
	bpf_map_update_elem(&seen, &key, &value, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
