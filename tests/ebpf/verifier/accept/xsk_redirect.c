/* AF_XDP's default program as xdp-tools ships it for older kernels: a
 * lookup in the xskmap says whether a socket is bound to the frame's
 * queue; the hit is Linux's struct bpf_xdp_sock, whose queue_id a
 * program may read, then bpf_redirect_map hands the frame over. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	__u32 queue = ctx->rx_queue_index;
	struct bpf_xdp_sock *xsk = bpf_map_lookup_elem(&xsks_map, &queue);

	if (!xsk || xsk->queue_id != queue)
		return XDP_PASS;
	return bpf_redirect_map(&xsks_map, queue, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
