/*
 * httpd's XDP program: counts every received frame by kind in the array
 * map "counters" (which /metrics shows as ukbpf_map_value{map="counters"})
 * and passes it on to the stack. Keys (u32): 0 IPv4, 1 IPv6, 2 ARP,
 * 3 anything else (including frames too short for an Ethernet header).
 * Built by make (clang -target bpf) and attached by make run.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

enum frame_kind { KIND_IPV4, KIND_IPV6, KIND_ARP, KIND_OTHER, KINDS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KINDS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline __u32 frame_kind(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return KIND_OTHER;
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return KIND_IPV4;
	case bpf_htons(ETH_P_IPV6):
		return KIND_IPV6;
	case bpf_htons(ETH_P_ARP):
		return KIND_ARP;
	default:
		return KIND_OTHER;
	}
}

SEC("xdp")
int count(struct xdp_md *ctx)
{
	__u32 kind = frame_kind(ctx);
	__u64 *counter = bpf_map_lookup_elem(&counters, &kind);

	if (counter)
		__sync_fetch_and_add(counter, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
