/* The raw helpers read a whole struct iphdr: 20 bytes of packet proven.
 * expect: invalid access to packet */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int raw_syncookie_short_header(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct tcphdr *tcp = data + 14;

	/* 34 bytes proven; the "IP header" at 20 would need 40 */
	if ((void *)(tcp + 1) > data_end)
		return XDP_PASS;
	return bpf_tcp_raw_check_syncookie_ipv4(data + 20, tcp) ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
