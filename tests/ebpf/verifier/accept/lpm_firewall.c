/* A CIDR firewall: the IPv4 source address looked up in an LPM trie of
 * blocked prefixes (longest match wins), with a per-rule drop counter in
 * the trie's value and a per-protocol count in an LRU per-CPU hash. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct ipv4_lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct rule {
	__u64 drops;
	__u32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__type(key, struct ipv4_lpm_key);
	__type(value, struct rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocked SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} by_protocol SEC(".maps");

SEC("xdp")
int lpm_firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv4_lpm_key key = {.prefixlen = 32};
	struct iphdr *ip;
	struct rule *rule;
	__u32 protocol;
	__u64 one = 1, *count;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	protocol = ip->protocol;
	count = bpf_map_lookup_elem(&by_protocol, &protocol);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&by_protocol, &protocol, &one, BPF_NOEXIST);
	key.addr = ip->saddr;
	rule = bpf_map_lookup_elem(&blocked, &key);
	if (!rule)
		return XDP_PASS;
	__sync_fetch_and_add(&rule->drops, 1);
	return rule->action == XDP_PASS ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
