/* The key handed to the helper was never written.
 * expect: invalid indirect read from stack
 * linux: accepts (privileged Linux lets helpers read uninitialized stack) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int uninit_key(struct xdp_md *ctx)
{
	__u32 key;
	__u64 *value;

	asm volatile("" : : "r"(&key) : "memory");
	value = bpf_map_lookup_elem(&table, &key);
	return value ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
