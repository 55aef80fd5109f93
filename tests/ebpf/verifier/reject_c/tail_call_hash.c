/* bpf_tail_call needs a program array, not a hash map.
 * expect: cannot pass map_type 1 into func bpf_tail_call#12 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} not_progs SEC(".maps");

SEC("xdp")
int tail_call_hash(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &not_progs, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
