/* Arithmetic on a lookup result before its NULL check.
 * expect: R0 pointer arithmetic on map_value_or_null prohibited */
#include "one_value_table.h"

SEC("xdp")
int or_null_arith(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&table, &key);

	/* Force the addition onto the unchecked pointer in r0. */
	asm volatile("%0 += 8" : "+r"(value));
	if (!value)
		return XDP_PASS;
	return *(__u32 *)value & 1;
}

char LICENSE[] SEC("license") = "GPL";
