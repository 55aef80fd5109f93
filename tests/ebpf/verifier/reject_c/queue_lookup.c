/* A queue has no keys: bpf_map_lookup_elem may not take it (push, pop, peek only).
 * expect: cannot pass map_type 22 into func bpf_map_lookup_elem#1 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
} fifo SEC(".maps");

SEC("xdp")
int queue_lookup(struct xdp_md *ctx)
{
	__u32 key = 0;

	return bpf_map_lookup_elem(&fifo, &key) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
