/* An index bounded to 0..15 into an 8-byte map value.
 * expect: invalid access to map value, value_size=8 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

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
