/* Built for cpu v3 (ALU32/JMP32): "if w7 > 3" on a zero-extended 32-bit
 * load bounds the 64-bit index into a map value array.
 * cflags: -mcpu=v3 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32[4]);
} table SEC(".maps");

SEC("xdp")
int alu32_index(struct xdp_md *ctx)
{
	__u32 key = 0, index = ctx->rx_queue_index;
	__u32 *words = bpf_map_lookup_elem(&table, &key);

	if (!words)
		return XDP_PASS;
	if (index < 4)
		return words[index] & 3;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
