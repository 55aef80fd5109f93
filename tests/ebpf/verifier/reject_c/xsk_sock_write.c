/* An xskmap lookup gives a socket, not a value: a program may read its
 * queue_id and write nothing.
 * expect: cannot write into xdp_sock */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int xsk_sock_write(struct xdp_md *ctx)
{
	__u32 queue = 0;
	__u32 *xsk = bpf_map_lookup_elem(&xsks_map, &queue);

	if (!xsk)
		return XDP_PASS;
	*xsk = 1;
	return bpf_redirect_map(&xsks_map, queue, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
