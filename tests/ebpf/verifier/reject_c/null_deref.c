/* A map lookup's result used without the NULL check.
 * expect: R0 invalid mem access 'map_value_or_null' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} table SEC(".maps");

SEC("xdp")
int null_deref(struct xdp_md *ctx)
{
	__u32 key = ctx->ingress_ifindex;
	__u64 *value = bpf_map_lookup_elem(&table, &key);

	return *value & 1;
}

char LICENSE[] SEC("license") = "GPL";
