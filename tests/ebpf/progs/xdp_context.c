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

/*
 * The tool lays out a frame's buffer as Linux's BPF_PROG_TEST_RUN: a page,
 * the frame XDP_PACKET_HEADROOM bytes into it. The helpers keep its first
 * bytes for a struct xdp_frame and its last for a struct skb_shared_info
 * (x86-64 sizes), so the frame may start 216 bytes earlier and end 3520
 * bytes after the headroom.
 */
#define BUF_BYTES	  4096
#define HEADROOM	  256
#define XDP_FRAME_BYTES	  40
#define SHARED_INFO_BYTES 320
#define HEAD_ROOM	  (HEADROOM - XDP_FRAME_BYTES)
#define MAX_FRAME	  (BUF_BYTES - HEADROOM - SHARED_INFO_BYTES)
/* FNV-1a, 32 bits. */
#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

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
 * Uses all the headroom a program has: one byte more fails, exactly all
 * of it works. Returns the new length, or 1 when the bounds are not Linux's.
 */
SEC("xdp")
int use_headroom(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -(HEAD_ROOM + 1)) == 0)
		return 1;
	if (bpf_xdp_adjust_head(ctx, -HEAD_ROOM) != 0)
		return 1;
	return ctx->data_end - ctx->data;
}

/* Grows into all the tailroom, then trims to the 14-byte minimum. */
SEC("xdp")
int use_tailroom(struct xdp_md *ctx)
{
	int tailroom = MAX_FRAME - (int)(ctx->data_end - ctx->data);
	__u32 grown;

	if (bpf_xdp_adjust_tail(ctx, tailroom + 1) == 0)
		return 1;
	if (bpf_xdp_adjust_tail(ctx, tailroom) != 0)
		return 1;
	grown = ctx->data_end - ctx->data;
	if (bpf_xdp_adjust_tail(ctx, ETH_HLEN - (int)grown) != 0)
		return 1;
	if (ctx->data_end - ctx->data != ETH_HLEN)
		return 1;
	return grown;
}

/*
 * Grows the frame by all the room at both ends and hashes every byte of
 * it: the headroom and the grown tail must read as zeros, as in Linux.
 */
SEC("xdp")
int grow_and_hash(struct xdp_md *ctx)
{
	unsigned char *data, *data_end;
	__u32 hash = FNV_OFFSET;
	int i;

	if (bpf_xdp_adjust_head(ctx, -HEAD_ROOM) != 0)
		return 1;
	if (bpf_xdp_adjust_tail(ctx, MAX_FRAME - (int)(ctx->data_end - ctx->data)) != 0)
		return 1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
#pragma clang loop unroll(disable)
	for (i = 0; i < HEAD_ROOM + MAX_FRAME; i++) {
		if (data + i + 1 > data_end)
			break;
		hash = (hash ^ data[i]) * FNV_PRIME;
	}
	return hash & 0x7fffffff;
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
