/* A bloom filter cannot give its elements back: push and peek only.
 * expect: cannot pass map_type 30 into func bpf_map_pop_elem#88 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 64);
	__type(value, __u32);
} seen SEC(".maps");

SEC("xdp")
int bloom_pop(struct xdp_md *ctx)
{
	__u32 value;

	return bpf_map_pop_elem(&seen, &value) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
