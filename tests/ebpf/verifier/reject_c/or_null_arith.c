/* Arithmetic on a lookup result before its NULL check.
 * expect: R0 pointer arithmetic on map_value_or_null prohibited */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

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
