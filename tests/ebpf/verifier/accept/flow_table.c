/* A 5-tuple flow table: a struct key built on the stack (padding zeroed),
 * per-flow packet and byte counters updated in place, new flows inserted
 * with BPF_NOEXIST, and a devmap redirect for marked flows. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct flow_key {
	__u32 saddr, daddr;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};

struct flow_stats {
	__u64 packets, bytes;
	__u32 out_port;
	__u32 flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct flow_key);
	__type(value, struct flow_stats);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int flow_table(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	struct flow_key key;
	struct flow_stats *stats, fresh = {};

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	__builtin_memset(&key, 0, sizeof(key));
	key.saddr = ip->saddr;
	key.daddr = ip->daddr;
	key.proto = ip->protocol;
	if (ip->protocol == IPPROTO_UDP || ip->protocol == IPPROTO_TCP) {
		key.sport = udp->source;
		key.dport = udp->dest;
	}
	stats = bpf_map_lookup_elem(&flows, &key);
	if (!stats) {
		fresh.packets = 1;
		fresh.bytes = data_end - data;
		bpf_map_update_elem(&flows, &key, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}
	__sync_fetch_and_add(&stats->packets, 1);
	__sync_fetch_and_add(&stats->bytes, data_end - data);
	if (stats->flags & 1)
		return bpf_redirect_map(&ports, stats->out_port & 7, XDP_PASS);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
