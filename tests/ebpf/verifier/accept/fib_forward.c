/* IPv4 and IPv6 forwarding as the kernel's samples/bpf/xdp_fwd_kern.c
 * does it: bpf_fib_lookup on the destination, bpf_check_mtu on the way
 * out, the TTL (IPv4, with an incremental checksum update) or hop limit
 * decremented, the MACs from the lookup, then a redirect. Counts with the
 * newer base helpers: a per-CPU counter read back through
 * bpf_map_lookup_percpu_elem, bpf_jiffies64, and bpf_printk with four
 * arguments (bpf_trace_vprintk). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET		   2
#define AF_INET6	   10
#define IPV6_FLOWINFO_MASK bpf_htonl(0x0fffffff)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_forward SEC(".maps");

/* Fills params from the IPv4 header; decrements its TTL once the lookup succeeds. */
static int ipv4_params(struct iphdr *iph, void *data_end, struct bpf_fib_lookup *params)
{
	if ((void *)(iph + 1) > data_end || iph->ttl <= 1)
		return -1;
	params->family = AF_INET;
	params->tos = iph->tos;
	params->l4_protocol = iph->protocol;
	params->tot_len = bpf_ntohs(iph->tot_len);
	params->ipv4_src = iph->saddr;
	params->ipv4_dst = iph->daddr;
	return 0;
}

static int ipv6_params(struct ipv6hdr *ip6h, void *data_end, struct bpf_fib_lookup *params)
{
	if ((void *)(ip6h + 1) > data_end || ip6h->hop_limit <= 1)
		return -1;
	params->family = AF_INET6;
	params->flowinfo = *(__be32 *)ip6h & IPV6_FLOWINFO_MASK;
	params->l4_protocol = ip6h->nexthdr;
	params->tot_len = bpf_ntohs(ip6h->payload_len);
	__builtin_memcpy(params->ipv6_src, &ip6h->saddr, sizeof(params->ipv6_src));
	__builtin_memcpy(params->ipv6_dst, &ip6h->daddr, sizeof(params->ipv6_dst));
	return 0;
}

SEC("xdp")
int fib_forward(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup params = {};
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct ipv6hdr *ip6h = data + sizeof(*eth);
	__u32 key = 0, mtu_len = 0, check;
	__u64 *stamp;
	long ret;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if (ipv4_params(iph, data_end, &params))
			return XDP_PASS;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		if (ipv6_params(ip6h, data_end, &params))
			return XDP_PASS;
	} else {
		return XDP_PASS;
	}
	params.ifindex = ctx->ingress_ifindex;
	ret = bpf_fib_lookup(ctx, &params, sizeof(params), 0);
	if (ret != BPF_FIB_LKUP_RET_SUCCESS) {
		bpf_printk("fib %ld to %x on %u: %u\n", ret, params.ipv4_dst, params.ifindex,
			   params.mtu_result);
		return XDP_PASS;
	}
	if (bpf_check_mtu(ctx, params.ifindex, &mtu_len, 0, 0) != BPF_MTU_CHK_RET_SUCCESS)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if ((void *)(iph + 1) > data_end)
			return XDP_PASS;
		check = iph->check + bpf_htons(0x0100);
		iph->check = (__u16)(check + (check >= 0xffff));
		iph->ttl--;
	} else {
		if ((void *)(ip6h + 1) > data_end)
			return XDP_PASS;
		ip6h->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, params.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, params.smac, ETH_ALEN);
	stamp = bpf_map_lookup_elem(&last_forward, &key);
	if (stamp)
		*stamp = bpf_jiffies64();
	stamp = bpf_map_lookup_percpu_elem(&last_forward, &key, 0);
	if (stamp && *stamp == 0)
		return XDP_ABORTED;
	return bpf_redirect(params.ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
