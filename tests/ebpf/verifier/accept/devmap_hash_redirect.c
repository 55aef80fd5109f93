/* A router: the IPv4 destination names the egress device in a
 * devmap_hash keyed by address (no dense index needed), read through a
 * lookup for the device's ifindex and used by bpf_redirect_map, which
 * falls back to XDP_PASS when the address has no entry. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} next_hop SEC(".maps");

SEC("xdp")
int devmap_hash_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct bpf_devmap_val *port;
	struct iphdr *ip;
	__u32 daddr;

	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	daddr = ip->daddr;
	port = bpf_map_lookup_elem(&next_hop, &daddr);
	if (port && port->ifindex == ctx->ingress_ifindex)
		return XDP_DROP; /* would go back where it came from */
	return bpf_redirect_map(&next_hop, daddr, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
