/* A load balancer's per-service tables: a hash of maps keyed by the
 * destination address holds one backend hash per service; the program
 * looks its service's table up, reads, refreshes and expires entries in
 * it through the inner map pointer, and counts misses in an array of
 * maps whose inner arrays may differ in size (BPF_F_INNER_MAP). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct backends {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);   /* source address */
	__type(value, __u64); /* chosen backend and its last use */
} web SEC(".maps");

struct misses {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_INNER_MAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} miss_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u32); /* destination address */
	__array(values, struct backends);
} services SEC(".maps") = {
    .values = {[1] = &web},
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct misses);
} miss_counts SEC(".maps") = {
    .values = {[0] = &miss_small},
};

SEC("xdp")
int map_in_map_backends(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 daddr, saddr, zero = 0;
	__u64 *backend, fresh = 1, *miss;
	void *table, *counts;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	daddr = ip->daddr;
	saddr = ip->saddr;
	table = bpf_map_lookup_elem(&services, &daddr);
	if (!table)
		return XDP_PASS;
	backend = bpf_map_lookup_elem(table, &saddr);
	if (backend) {
		if (*backend > 1000)
			bpf_map_delete_elem(table, &saddr);
		else
			*backend += 1;
		return XDP_TX;
	}
	bpf_map_update_elem(table, &saddr, &fresh, BPF_NOEXIST);
	counts = bpf_map_lookup_elem(&miss_counts, &zero);
	if (!counts)
		return XDP_PASS;
	miss = bpf_map_lookup_elem(counts, &zero);
	if (miss)
		__sync_fetch_and_add(miss, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
