/* struct bpf_xdp_sock has one field, the u32 queue_id: nothing after it is readable.
 * expect: invalid xdp_sock access off=4 size=4 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int xsk_sock_past_queue_id(struct xdp_md *ctx)
{
	__u32 queue = 0;
	volatile __u32 *xsk = bpf_map_lookup_elem(&xsks_map, &queue);

	if (!xsk)
		return XDP_PASS;
	return xsk[1] ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
