/* Storing a pointer into a map value leaks an address.
 * expect: leaks addr into map
 * linux: accepts (privileged Linux allows pointer leaks (allow_ptr_leaks)) */
#include "one_value_table.h"

SEC("xdp")
int pointer_into_map(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&table, &key);

	if (!value)
		return XDP_PASS;
	*value = (__u64)(long)value;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
