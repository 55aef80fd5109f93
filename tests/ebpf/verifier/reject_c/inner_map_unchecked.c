/* An outer map's lookup may find no inner map: it must be tested for NULL
 * before it names a map (Linux 6.18: map_ptr_or_null until then).
 * expect: R1 type=map_ptr_or_null expected=map_ptr */
#include "inner_map_table.h"

SEC("xdp")
int inner_map_unchecked(struct xdp_md *ctx)
{
	__u32 key = 0;
	void *map = bpf_map_lookup_elem(&outer, &key);
	__u64 *value;

	asm volatile("" : "+r"(map)); /* keep clang from assuming it non-NULL */
	value = bpf_map_lookup_elem(map, &key);
	return value ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
