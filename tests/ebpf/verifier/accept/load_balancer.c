/* A stateless IPv4 load balancer: picks a backend from an array by the
 * source address, rewrites the destination address and fixes the IP
 * checksum incrementally (RFC 1624), then sends the frame back out. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define BACKENDS 4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BACKENDS);
	__type(key, __u32);
	__type(value, __u32);
} backends SEC(".maps");

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') over the 16-bit halves. */
static __always_inline void csum_replace4(__u16 *csum, __u32 from, __u32 to)
{
	__u32 sum = (__u16) ~*csum;

	sum += (__u16) ~(from & 0xffff) + (__u16) ~(from >> 16);
	sum += (to & 0xffff) + (to >> 16);
	*csum = csum_fold(sum);
}

SEC("xdp")
int load_balancer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	unsigned char tmp[ETH_ALEN];
	__u32 key, *backend;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	key = bpf_ntohl(ip->saddr) % BACKENDS;
	backend = bpf_map_lookup_elem(&backends, &key);
	if (!backend || *backend == 0)
		return XDP_PASS;
	csum_replace4(&ip->check, ip->daddr, *backend);
	ip->daddr = *backend;
	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
