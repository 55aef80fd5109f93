/* A negative offset from a map value.
 * expect: invalid access to map value, value_size=8 off=-4 size=4 */
#include "one_value_table.h"

SEC("xdp")
int map_value_negative(struct xdp_md *ctx)
{
	__u32 key = 0;
	char *value = bpf_map_lookup_elem(&table, &key);

	if (!value)
		return XDP_PASS;
	return *(__u32 *)(value - 4) & 1;
}

char LICENSE[] SEC("license") = "GPL";
