/* An inner map is a map, not memory: it may not be passed as the value
 * an update copies from.
 * expect: R3 type=map_ptr expected=fp */
#include "inner_map_table.h"

SEC("xdp")
int inner_map_as_value(struct xdp_md *ctx)
{
	__u32 key = 0;
	void *map = bpf_map_lookup_elem(&outer, &key);

	if (!map)
		return XDP_PASS;
	bpf_map_update_elem(&inner, &key, map, BPF_ANY);
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
