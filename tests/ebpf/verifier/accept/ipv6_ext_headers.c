/* Walks up to 8 IPv6 extension headers (variable lengths) to find the
 * upper-layer protocol: a loop whose packet offset is a bounded variable,
 * re-checked against data_end every iteration. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_EXT_HEADERS 8

struct ext_hdr {
	__u8 nexthdr;
	__u8 hdrlen; /* in 8-byte units, not counting the first 8 bytes */
};

static __always_inline int is_ext_header(__u8 type)
{
	return type == IPPROTO_HOPOPTS || type == IPPROTO_ROUTING || type == IPPROTO_DSTOPTS;
}

SEC("xdp")
int ipv6_ext_headers(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u32 off = sizeof(*eth) + sizeof(*ip6);
	__u8 next;
	int i;

	if ((void *)(ip6 + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	next = ip6->nexthdr;
	for (i = 0; i < MAX_EXT_HEADERS; i++) {
		struct ext_hdr *ext;

		if (!is_ext_header(next))
			break;
		ext = data + off;
		if ((void *)(ext + 1) > data_end)
			return XDP_DROP;
		next = ext->nexthdr;
		off += (ext->hdrlen + 1) * 8;
	}
	return next == IPPROTO_TCP ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
