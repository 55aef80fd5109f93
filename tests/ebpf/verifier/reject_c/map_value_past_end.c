/* Reading 8 bytes at offset 4 of an 8-byte map value.
 * expect: invalid access to map value, value_size=8 off=4 size=8 */
#include "one_value_table.h"

SEC("xdp")
int map_value_past_end(struct xdp_md *ctx)
{
	__u32 key = 0;
	char *value = bpf_map_lookup_elem(&table, &key);

	if (!value)
		return XDP_PASS;
	return *(__u64 *)(value + 4) & 1;
}

char LICENSE[] SEC("license") = "GPL";
