/*
 * xsk-echo's XDP program: hands unfragmented IPv4 UDP datagrams to the
 * echo port to the app's AF_XDP socket (bpf_redirect_map into the XSKMAP
 * "xsks_map" at the frame's receive queue, as AF_XDP programs do); every
 * other frame is XDP_PASS, for lwIP. Without a socket in the map the
 * redirect falls back to XDP_PASS too (its flags' verdict), so lwIP then
 * answers the port itself.
 *
 * The port comes from the array map "xsk_echo_config" (xsk_echo.h) that
 * the app fills at start; until then nothing is redirected.
 *
 * Built by make (build/apps/xsk-echo/xsk_redirect.bpf.o); make run
 * APP=xsk-echo attaches it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xsk_echo.h"

#define IPV4_IHL_UNIT	     4	    /* bytes per ihl */
#define IPV4_FRAGMENT_FIELDS 0x3fff /* MF and the fragment offset (RFC 791 §3.1) */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XSK_ECHO_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XSK_ECHO_CONFIG_KEYS);
	__type(key, __u32);
	__type(value, __u32);
} xsk_echo_config SEC(".maps");

static __always_inline __u32 echo_port(void)
{
	__u32 key = XSK_ECHO_CONFIG_PORT, *port = bpf_map_lookup_elem(&xsk_echo_config, &key);

	return port ? *port : 0;
}

SEC("xdp")
int xsk_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;
	__u32 port = echo_port();

	if (!port || (void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(IPV4_FRAGMENT_FIELDS)))
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * IPV4_IHL_UNIT;
	if (ip->ihl < sizeof(*ip) / IPV4_IHL_UNIT || (void *)(udp + 1) > data_end ||
	    udp->dest != bpf_htons(port))
		return XDP_PASS;
	return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
