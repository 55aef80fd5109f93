/*
 * Map-in-map as load balancers use it: an outer map (array or hash)
 * whose slots, filled by libbpf's static initializers, are tables of
 * the same shape; a program picks a table by key and counts into it.
 * Each program's result encodes what every call returned, so that one
 * wrong answer shows in r0 (test_map_in_map.py).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counters {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts_a SEC(".maps"), counts_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, struct counters);
} by_index SEC(".maps") = {
    .values = {[0] = &counts_a, [2] = &counts_b},
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u32);
	__array(values, struct counters);
} by_hash SEC(".maps") = {
    .values = {[1] = &counts_b, [5] = &counts_a},
};

/* Adds add to inner[key] and returns the new count; 99 when there is no such slot. */
static __always_inline __u64 count(void *inner, __u32 key, __u64 add)
{
	__u64 *value = bpf_map_lookup_elem(inner, &key);

	if (!value)
		return 99;
	*value += add;
	return *value;
}

/*
 * by_index[0] is counts_a, [1] is empty, [2] is counts_b, [4] is past
 * the end; counts_b's slot 3 is written through update_elem on the
 * inner map and read back through the other table's lookup.
 */
SEC("xdp")
int use_array_of_maps(struct xdp_md *ctx)
{
	__u32 key = 0, slot = 3;
	__u64 result = 0, seven = 7, *value;
	void *inner;

	inner = bpf_map_lookup_elem(&by_index, &key);
	if (!inner)
		return 1;
	result += count(inner, 1, 1);		     /* 1 */
	result += count(inner, 4, 1) == 99 ? 10 : 0; /* no slot 4: 10 */
	key = 1;
	if (!bpf_map_lookup_elem(&by_index, &key))
		result += 100;
	key = 2;
	inner = bpf_map_lookup_elem(&by_index, &key);
	if (!inner)
		return 2;
	if (bpf_map_update_elem(inner, &slot, &seven, BPF_ANY) == 0)
		result += 1000;
	value = bpf_map_lookup_elem(&counts_b, &slot);
	if (value)
		result += *value * 10000; /* 70000 */
	key = 4;
	if (!bpf_map_lookup_elem(&by_index, &key))
		result += 100000;
	return result;
}

/* by_hash: 1 -> counts_b, 5 -> counts_a, 2 absent. */
SEC("xdp")
int use_hash_of_maps(struct xdp_md *ctx)
{
	__u32 key = 5;
	__u64 result = 0;
	void *inner;

	inner = bpf_map_lookup_elem(&by_hash, &key);
	if (!inner)
		return 1;
	result += count(inner, 0, 3); /* counts_a[0]: 3 */
	key = 1;
	inner = bpf_map_lookup_elem(&by_hash, &key);
	if (!inner)
		return 2;
	result += count(inner, 0, 4) * 10; /* counts_b[0]: 40 */
	key = 2;
	if (!bpf_map_lookup_elem(&by_hash, &key))
		result += 100;
	return result;
}

/* The frame's first byte picks the table (slot & 3): a zero byte, counts_a's slot 2. */
SEC("xdp")
int count_by_frame(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 key;
	void *inner;

	if (data + 1 > data_end)
		return XDP_ABORTED;
	key = *(__u8 *)data & 3;
	inner = bpf_map_lookup_elem(&by_index, &key);
	if (!inner)
		return XDP_DROP;
	return count(inner, 2, 1) == 1 ? XDP_PASS : XDP_TX;
}

/*
 * A perf event array declared without max_entries gets a slot per CPU,
 * inside a map too (libbpf >= 1.2; kernel-run makes libbpf 1.1 do it):
 * the selftest test_map_in_map's inner map.
 */
struct perf_events {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct perf_events);
} event_tables SEC(".maps") = {
    .values = {&events},
};

SEC("xdp")
int find_perf_event_array(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&event_tables, &key) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
