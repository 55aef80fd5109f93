/* Storing a pointer into a map value leaks an address.
 * expect: leaks addr into map
 * linux: accepts (privileged Linux allows pointer leaks (allow_ptr_leaks)) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

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
