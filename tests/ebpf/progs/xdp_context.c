/*
 * XDP programs that report what they see of their context, for
 * tests/ebpf/test_xdp_context.py (ukbpf run --packet / --pcap).
 * Verdicts that are not XDP actions encode what a test checks.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The tool gives every frame XDP_PACKET_HEADROOM bytes before it. */
#define HEADROOM 256
#define TAILROOM 256

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} packets_seen SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} tx_ports SEC(".maps");

/* The frame's length as the program sees it. */
SEC("xdp")
int frame_len(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data;
}

/* ingress_ifindex * 16 + rx_queue_index. */
SEC("xdp")
int ingress(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex * 16 + ctx->rx_queue_index;
}

/* Drops UDP over IPv4, passes everything else. */
SEC("xdp")
int drop_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return ip->protocol == IPPROTO_UDP ? XDP_DROP : XDP_PASS;
}

/* The packet count so far, kept in a map across packets. */
SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *seen = bpf_map_lookup_elem(&packets_seen, &key);

	if (!seen)
		return XDP_ABORTED;
	__sync_fetch_and_add(seen, 1);
	return *seen;
}

/*
 * Uses all the headroom: one byte more fails, exactly all of it works.
 * Returns the new length, or 1 when the bounds are not Linux's.
 */
SEC("xdp")
int use_headroom(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -(HEADROOM + 1)) == 0)
		return 1;
	if (bpf_xdp_adjust_head(ctx, -HEADROOM) != 0)
		return 1;
	return ctx->data_end - ctx->data;
}

/* Grows into all the tailroom, then trims to the 14-byte minimum. */
SEC("xdp")
int use_tailroom(struct xdp_md *ctx)
{
	__u32 grown;

	if (bpf_xdp_adjust_tail(ctx, TAILROOM + 1) == 0)
		return 1;
	if (bpf_xdp_adjust_tail(ctx, TAILROOM) != 0)
		return 1;
	grown = ctx->data_end - ctx->data;
	if (bpf_xdp_adjust_tail(ctx, ETH_HLEN - (int)grown) != 0)
		return 1;
	if (ctx->data_end - ctx->data != ETH_HLEN)
		return 1;
	return grown;
}

/* An empty devmap slot: bpf_redirect_map falls back to XDP_PASS. */
SEC("xdp")
int redirect_miss(struct xdp_md *ctx)
{
	return bpf_redirect_map(&tx_ports, 0, XDP_PASS);
}

SEC("xdp")
int redirect_ifindex(struct xdp_md *ctx)
{
	return bpf_redirect(3, 0);
}

/* Not XDP: the --mem convention, r1 = the frame and r2 = its length. */
SEC("prog")
int mem_len(void *mem, __u64 len)
{
	return len;
}

char LICENSE[] SEC("license") = "GPL";
