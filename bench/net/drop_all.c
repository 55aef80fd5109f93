/*
 * make bench-net, case "XDP_DROP": drops every frame without looking at
 * it, so the rate measures the receive path and the hook alone.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
