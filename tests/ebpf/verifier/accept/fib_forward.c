/* IPv4 forwarding as the kernel's samples/bpf/xdp_fwd_kern.c does it:
 * bpf_fib_lookup on the destination, bpf_check_mtu on the way out, TTL
 * decremented with an incremental checksum update, the MACs from the
 * lookup, then a redirect. Counts with the newer base helpers: a per-CPU
 * counter read back through bpf_map_lookup_percpu_elem, bpf_jiffies64,
 * and bpf_printk with four arguments (bpf_trace_vprintk). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_forward SEC(".maps");

SEC("xdp")
int fib_forward(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct bpf_fib_lookup params = {};
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	__u32 key = 0, mtu_len = 0, check;
	__u64 *stamp;
	long ret;

	if ((void *)(iph + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || iph->ttl <= 1)
		return XDP_PASS;
	params.family = AF_INET;
	params.tos = iph->tos;
	params.l4_protocol = iph->protocol;
	params.tot_len = bpf_ntohs(iph->tot_len);
	params.ipv4_src = iph->saddr;
	params.ipv4_dst = iph->daddr;
	params.ifindex = ctx->ingress_ifindex;
	ret = bpf_fib_lookup(ctx, &params, sizeof(params), 0);
	if (ret != BPF_FIB_LKUP_RET_SUCCESS) {
		bpf_printk("fib %ld to %x on %u: %u\n", ret, iph->daddr, params.ifindex,
			   params.mtu_result);
		return XDP_PASS;
	}
	if (bpf_check_mtu(ctx, params.ifindex, &mtu_len, 0, 0) != BPF_MTU_CHK_RET_SUCCESS)
		return XDP_PASS;
	check = iph->check + bpf_htons(0x0100);
	iph->check = (__u16)(check + (check >= 0xffff));
	iph->ttl--;
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
