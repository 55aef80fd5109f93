/* An index bounded to 0..15 into an 8-byte map value.
 * expect: invalid access to map value, value_size=8 */
#include "one_value_table.h"

SEC("xdp")
int map_value_variable(struct xdp_md *ctx)
{
	__u32 key = 0, index = ctx->rx_queue_index & 15;
	char *value = bpf_map_lookup_elem(&table, &key);

	if (!value)
		return XDP_PASS;
	return value[index] & 1;
}

char LICENSE[] SEC("license") = "GPL";
