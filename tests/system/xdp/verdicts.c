/*
 * XDP programs for tests/system/test_xdp.py, run by the kernel's XDP hook
 * in netecho. by_opcode does what the frame's first payload byte says
 * (the second is its argument), so one boot covers every verdict:
 *   'A' XDP_ABORTED            'D' XDP_DROP          'P' XDP_PASS
 *   'T' XDP_TX with the MACs swapped and the argument byte set to 't'
 *   'R' bpf_redirect(arg)      'M' bpf_redirect_map(&ports, arg), a miss drops
 *   'B' a broadcast to every port but the receiving one
 *   'C' bpf_redirect_map(&cpus, arg), a cpumap: a miss drops
 *   'H' adjust_head by -14 and a new Ethernet header in front, XDP_TX
 *   'S' adjust_tail by -arg, XDP_PASS   'G' adjust_tail by +arg, XDP_TX
 *   'I' returns 7 (no XDP action)       'U' XDP_REDIRECT with no target
 * Anything else passes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define ETH_P_TEST    0x88B6 /* IEEE 802 local experimental 2, the tests' EtherType */
#define NOT_AN_ACTION 7

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

static __always_inline void swap_macs(struct ethhdr *eth)
{
	unsigned char tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

/* A new header before the frame, addressed back to its sender. */
static __always_inline int push_header(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct ethhdr)))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *outer = data, *inner = data + sizeof(*outer);
	if ((void *)(inner + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(outer->h_dest, inner->h_source, ETH_ALEN);
	__builtin_memcpy(outer->h_source, inner->h_dest, ETH_ALEN);
	outer->h_proto = bpf_htons(ETH_P_TEST);
	return XDP_TX;
}

SEC("xdp")
int by_opcode(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 *payload = data + sizeof(*eth);

	if ((void *)(payload + 2) > data_end)
		return XDP_PASS;
	__u8 arg = payload[1];
	switch (payload[0]) {
	case 'A':
		return XDP_ABORTED;
	case 'D':
		return XDP_DROP;
	case 'T':
		swap_macs(eth);
		payload[1] = 't';
		return XDP_TX;
	case 'R':
		return bpf_redirect(arg, 0);
	case 'M':
		return bpf_redirect_map(&ports, arg, XDP_DROP);
	case 'B':
		return bpf_redirect_map(&ports, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
	case 'C':
		return bpf_redirect_map(&cpus, arg, XDP_DROP);
	case 'H':
		return push_header(ctx);
	case 'S':
		return bpf_xdp_adjust_tail(ctx, -(int)arg) ? XDP_ABORTED : XDP_PASS;
	case 'G':
		return bpf_xdp_adjust_tail(ctx, arg) ? XDP_ABORTED : XDP_TX;
	case 'I':
		return NOT_AN_ACTION;
	case 'U':
		return XDP_REDIRECT;
	default:
		return XDP_PASS;
	}
}

/* The object's second program, chosen by name (--bpf verdicts.o:pass_all). */
SEC("xdp")
int pass_all(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
