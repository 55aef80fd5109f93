/*
 * udp-echo's XDP program: answers ICMP echo requests (RFC 792) and UDP
 * echo datagrams (RFC 862) addressed to the guest by rewriting the frame
 * in place and sending it back out with XDP_TX, before lwIP sees it.
 * Everything else - ARP, IPv6, other ports, fragments, IP options,
 * broadcasts, anything malformed or truncated - is XDP_PASS: lwIP answers
 * what it can and drops the rest, so the program never has to be right
 * about a frame it does not fully understand.
 *
 * The address and port come from the array map "echo_config" that the app
 * fills at start (echo.h); until then nothing is answered. Each reply is
 * counted in the array map "echo_replies" (by echo.h's enum echo_counter).
 *
 * Checksums (RFC 1071: the one's complement sum is commutative):
 *   - IPv4 header: swapping source and destination keeps the sum, so the
 *     checksum stays; it is verified first, since lwIP would drop a frame
 *     with a bad one and so must we (by passing it);
 *   - ICMP: type 8 becomes 0, one 16-bit word changes: the checksum is
 *     updated incrementally (RFC 1624 eqn. 3);
 *   - UDP: the pseudo-header's addresses and the ports only swap, so the
 *     checksum (or its absence, 0) stays.
 * The ICMP and UDP payload checksums are not verified (that would mean a
 * loop over the payload): a corrupt request gets an equally corrupt reply,
 * which its sender discards.
 *
 * Built by make (build/apps/udp-echo/echo.bpf.o); make run APP=udp-echo
 * attaches it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "echo.h"

#define IPV4_VERSION	     4
#define IPV4_MIN_IHL	     5 /* 32-bit words: a header without options */
#define IPV4_HEADER_WORDS    (sizeof(struct iphdr) / sizeof(__u16))
#define IPV4_FRAGMENT_FIELDS 0x3fff /* MF and the fragment offset (RFC 791 §3.1) */
#define IPV4_MULTICAST_MASK  0xf0000000u
#define IPV4_MULTICAST_NET   0xe0000000u /* 224.0.0.0/4 */
#define IPV4_BROADCAST	     0xffffffffu
#define ETH_GROUP_BIT	     0x01 /* first octet: multicast or broadcast */
/* RFC 792 message types (<linux/icmp.h> would pull in glibc's socket headers). */
#define ICMP_ECHO_REPLY	  0
#define ICMP_ECHO_REQUEST 8

/* RFC 792: an echo or echo reply message; data follows. */
struct icmp_echo {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 identifier;
	__be16 sequence;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECHO_CONFIG_KEYS);
	__type(key, __u32);
	__type(value, __u32);
} echo_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, ECHO_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} echo_replies SEC(".maps");

static __always_inline __u32 config_get(__u32 key)
{
	__u32 *value = bpf_map_lookup_elem(&echo_config, &key);

	return value ? *value : 0;
}

static __always_inline void count_echo(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&echo_replies, &counter);

	if (value)
		__sync_fetch_and_add(value, 1);
}

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1071: the header's words, its checksum included, sum to all ones. */
static __always_inline int ipv4_header_checksum_ok(const struct iphdr *ip)
{
	const __u16 *word = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (unsigned int i = 0; i < IPV4_HEADER_WORDS; i++)
		sum += word[i];
	return csum_fold(sum) == 0xffff;
}

/*
 * RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit word changed
 * from old to new. Words and checksum are taken as they lie in memory:
 * the one's complement sum does not depend on byte order (RFC 1071 §2(B)).
 */
static __always_inline __u16 csum_replace(__u16 check, __u16 old, __u16 new)
{
	return (__u16)~csum_fold((__u32)(__u16)~check + (__u16)~old + new);
}

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

static __always_inline void swap_addresses(struct ethhdr *eth, struct iphdr *ip)
{
	__u32 saddr = ip->saddr;

	swap_macs(eth);
	ip->saddr = ip->daddr;
	ip->daddr = saddr;
}

/* A source no reply may go to: a group MAC, a multicast or broadcast IPv4 address. */
static __always_inline int source_is_unanswerable(const struct ethhdr *eth, const struct iphdr *ip)
{
	__u32 saddr = bpf_ntohl(ip->saddr);

	return (eth->h_source[0] & ETH_GROUP_BIT) ||
	       (saddr & IPV4_MULTICAST_MASK) == IPV4_MULTICAST_NET || saddr == IPV4_BROADCAST;
}

static __always_inline int echo_icmp(struct ethhdr *eth, struct iphdr *ip, __u16 ip_len,
				     void *data_end)
{
	struct icmp_echo *icmp = (void *)(ip + 1);

	if ((void *)(icmp + 1) > data_end || ip_len < sizeof(*ip) + sizeof(*icmp) ||
	    icmp->type != ICMP_ECHO_REQUEST || icmp->code != 0)
		return XDP_PASS;
	/* type and code are the checksum's first word. */
	__u16 old_word = *(__u16 *)icmp;
	icmp->type = ICMP_ECHO_REPLY;
	icmp->checksum = csum_replace(icmp->checksum, old_word, *(__u16 *)icmp);
	swap_addresses(eth, ip);
	count_echo(ECHO_COUNTER_ICMP);
	return XDP_TX;
}

static __always_inline int echo_udp(struct ethhdr *eth, struct iphdr *ip, __u16 ip_len,
				    void *data_end)
{
	struct udphdr *udp = (void *)(ip + 1);
	__u16 port = (__u16)config_get(ECHO_CONFIG_PORT);

	if ((void *)(udp + 1) > data_end || port == 0 || udp->dest != bpf_htons(port))
		return XDP_PASS;
	__u16 udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp) || udp_len > ip_len - sizeof(*ip))
		return XDP_PASS; /* lwIP drops it */
	udp->dest = udp->source;
	udp->source = bpf_htons(port);
	swap_addresses(eth, ip);
	count_echo(ECHO_COUNTER_UDP);
	return XDP_TX;
}

SEC("xdp")
int echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    (eth->h_dest[0] & ETH_GROUP_BIT))
		return XDP_PASS;
	/* Only option-less, unfragmented headers: lwIP handles the rest. */
	if (ip->version != IPV4_VERSION || ip->ihl != IPV4_MIN_IHL ||
	    (ip->frag_off & bpf_htons(IPV4_FRAGMENT_FIELDS)))
		return XDP_PASS;
	__u32 address = config_get(ECHO_CONFIG_ADDRESS);
	if (address == 0 || ip->daddr != address || source_is_unanswerable(eth, ip))
		return XDP_PASS;
	__u16 ip_len = bpf_ntohs(ip->tot_len);
	/* The datagram must lie within the frame (which may carry padding after it). */
	if (ip_len < sizeof(*ip) || ip_len > data_end - (void *)ip || !ipv4_header_checksum_ok(ip))
		return XDP_PASS;
	switch (ip->protocol) {
	case IPPROTO_ICMP:
		return echo_icmp(eth, ip, ip_len, data_end);
	case IPPROTO_UDP:
		return echo_udp(eth, ip, ip_len, data_end);
	default:
		return XDP_PASS;
	}
}

char LICENSE[] SEC("license") = "GPL";
