/* The inner map pointer is not memory a program may read: ukbpf's maps
 * do not have the layout of Linux's struct bpf_map, which privileged
 * Linux lets programs read through BTF.
 * expect: invalid mem access 'map_ptr'
 * linux: accepts (BTF reads of struct bpf_map fields) */
#include "inner_map_table.h"

SEC("xdp")
int inner_map_deref(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *map = bpf_map_lookup_elem(&outer, &key);

	if (!map)
		return XDP_PASS;
	return *map == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
