/* bpf_map_lookup_percpu_elem takes only per-CPU maps: an array has one value per key.
 * expect: cannot pass map_type 2 into func bpf_map_lookup_percpu_elem#195 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

SEC("xdp")
int percpu_lookup_of_array(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_percpu_elem(&counters, &key, 0) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
