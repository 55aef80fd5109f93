/* bpf_map_pop_elem writes value_size (8) bytes: a 4-byte variable is too small.
 * expect: invalid stack off=-4 size=8 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 4);
	__type(value, __u64);
} lifo SEC(".maps");

SEC("xdp")
int pop_into_short_buffer(struct xdp_md *ctx)
{
	__u32 small;

	if (bpf_map_pop_elem(&lifo, &small))
		return XDP_PASS;
	return small == 7 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
