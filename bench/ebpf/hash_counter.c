/*
 * Benchmark row 4: per-source packet counting in a hash map, the core of
 * a rate limiter. Looks the IPv4 source up; increments the count in place
 * (atomically, as concurrent CPUs would need) or inserts 1 on a miss.
 * Every frame passes. Native twin: native/programs.c, native_hash_counter.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_SOURCES 1024

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SOURCES);
	__type(key, __u32);
	__type(value, __u64);
} packets_by_source SEC(".maps");

SEC("xdp")
int hash_counter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u64 first = 1, *count;
	__u32 saddr;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	saddr = ip->saddr;
	count = bpf_map_lookup_elem(&packets_by_source, &saddr);
	if (count)
		__sync_fetch_and_add(count, 1);
	else
		bpf_map_update_elem(&packets_by_source, &saddr, &first, BPF_NOEXIST);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
