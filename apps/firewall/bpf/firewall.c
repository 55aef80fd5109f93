/*
 * The firewall's XDP program: a stateless filter between two NICs.
 *   1. IPv4 and IPv6 frames whose source's longest matching prefix in
 *      "source_rules" ("source6_rules") is a block rule, and TCP or UDP
 *      frames to a (protocol, destination port) in "blocked_ports", are
 *      dropped; the matching rule's value counts them (allow rules count
 *      the frames they exempt from a shorter block prefix).
 *   2. Frames for the firewall itself - IPv4 to its own address, ARP
 *      asking for or answering to it - pass to lwIP (ping, ARP).
 *   3. Everything else is forwarded out of the other NIC unchanged,
 *      through the devmap "firewall_forward" that the app fills
 *      (ingress ifindex 1 -> 2, 2 -> 1); a NIC without an entry drops.
 * IPv4, IPv6 and ARP frames too short for their headers, and IP headers
 * with a bad version or IHL, are dropped as malformed: a filter that cannot
 * read a header must not let it through. Only a datagram's first fragment
 * carries the ports (RFC 791 §3.2, RFC 8200 §4.5), so later fragments are
 * checked by source address only; IPv4 options (IHL > 5) and up to
 * IPV6_EXT_HEADERS_MAX IPv6 extension headers are skipped over (more are
 * malformed here: the ports behind them cannot be read). While the
 * firewall has no address yet (DHCP in progress), UDP to the DHCP client
 * port passes to lwIP so that a lease can arrive. The firewall has no
 * IPv6 address of its own: IPv6 that no rule drops is forwarded. Other
 * EtherTypes are forwarded unfiltered. Counts by enum firewall_count go
 * to "firewall_counts". Map layouts: firewall.h. Built by make
 * (build/apps/firewall/firewall.bpf.o).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "firewall.h"

#define IPV4_VERSION	      4
#define IPV4_MIN_IHL	      5 /* 32-bit words */
#define IPV4_WORD	      4
#define IPV4_OFFSET_MASK      0x1fff /* the fragment offset (RFC 791 §3.1) */
#define ARP_IPV4_LEN	      28     /* RFC 826 for Ethernet and IPv4 */
#define ARP_TARGET_IP	      24     /* offset in it */
#define DHCP_CLIENT_PORT      68     /* RFC 2131 §4.1 */
#define IPV6_VERSION	      6
#define IPV6_EXT_HEADERS_MAX  4
#define IPV6_EXT_UNIT	      8	     /* extension header lengths count 8 octets (RFC 8200 §4.3) */
#define IPV6_FRAG_OFFSET_MASK 0xfff8 /* the fragment offset (RFC 8200 §4.5) */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FIREWALL_CONFIG_KEYS);
	__type(key, __u32);
	__type(value, __u32);
} firewall_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FIREWALL_RULES_MAX);
	__type(key, struct firewall_prefix_key);
	__type(value, struct firewall_source_rule);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* Linux's LPM trie requires it */
} source_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FIREWALL_RULES_MAX);
	__type(key, struct firewall_prefix6_key);
	__type(value, struct firewall_source_rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} source6_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FIREWALL_RULES_MAX);
	__type(key, __u32);
	__type(value, __u64);
} blocked_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, FIREWALL_IFINDEX_MAX);
	__type(key, __u32);
	__type(value, __u32);
} firewall_forward SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FIREWALL_COUNTS);
	__type(key, __u32);
	__type(value, __u64);
} firewall_counts SEC(".maps");

/* The ports TCP and UDP headers begin with (RFC 793, RFC 768). */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

/* What every IPv6 extension header but the fragment header begins with (RFC 8200 §4.3). */
struct ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen; /* in IPV6_EXT_UNIT, not counting the first */
};

/* The fragment header (RFC 8200 §4.5): always IPV6_EXT_UNIT long. */
struct ipv6_fragment {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
	__be32 identification;
};

static __always_inline void count(__u32 counter)
{
	__u64 *value = bpf_map_lookup_elem(&firewall_counts, &counter);

	if (value)
		__sync_fetch_and_add(value, 1);
}

static __always_inline int drop(__u32 why)
{
	count(FIREWALL_DROPPED);
	if (why != FIREWALL_DROPPED)
		count(why);
	return XDP_DROP;
}

/* True (and the rule's count bumped) when key is in the blocklist map. */
static __always_inline int blocked(void *blocklist, __u32 key)
{
	__u64 *drops = bpf_map_lookup_elem(blocklist, &key);

	if (!drops)
		return 0;
	__sync_fetch_and_add(drops, 1);
	return 1;
}

/* True when a source rule was found and blocks; the rule's count bumped. */
static __always_inline int rule_blocks(struct firewall_source_rule *rule)
{
	if (!rule)
		return 0;
	__sync_fetch_and_add(&rule->matched, 1);
	return rule->action == FIREWALL_BLOCK;
}

/* True when source's longest matching prefix is a block rule. */
static __always_inline int source_blocked(__be32 source)
{
	struct firewall_prefix_key key = {.prefixlen = FIREWALL_IP4_BITS, .address = source};

	return rule_blocks(bpf_map_lookup_elem(&source_rules, &key));
}

static __always_inline int source6_blocked(const struct in6_addr *source)
{
	struct firewall_prefix6_key key = {.prefixlen = FIREWALL_IP6_BITS};

	__builtin_memcpy(key.address, source, sizeof(key.address));
	return rule_blocks(bpf_map_lookup_elem(&source6_rules, &key));
}

static __always_inline __u32 own_address(void)
{
	__u32 key = FIREWALL_CONFIG_ADDRESS;
	__u32 *address = bpf_map_lookup_elem(&firewall_config, &key);

	return address ? *address : 0;
}

static __always_inline int pass(void)
{
	count(FIREWALL_PASSED);
	return XDP_PASS;
}

static __always_inline int forward(struct xdp_md *ctx)
{
	int verdict = bpf_redirect_map(&firewall_forward, ctx->ingress_ifindex, XDP_DROP);

	if (verdict == XDP_REDIRECT)
		count(FIREWALL_REDIRECTED);
	else
		count(FIREWALL_DROPPED);
	return verdict;
}

static __always_inline int filter_arp(struct xdp_md *ctx, void *arp, void *data_end)
{
	__u32 address = own_address(), target;

	if (arp + ARP_IPV4_LEN > data_end)
		return drop(FIREWALL_MALFORMED);
	__builtin_memcpy(&target, arp + ARP_TARGET_IP, sizeof(target));
	/* Requests for the firewall's address, and answers to its own requests. */
	if (address && target == address)
		return pass();
	return forward(ctx);
}

static __always_inline int port_blocked(__u8 protocol, const struct l4_ports *ports)
{
	return blocked(&blocked_ports, FIREWALL_PORT_KEY(protocol, bpf_ntohs(ports->dest)));
}

static __always_inline int is_ipv6_ext(__u8 type)
{
	return type == IPPROTO_HOPOPTS || type == IPPROTO_ROUTING || type == IPPROTO_DSTOPTS ||
	       type == IPPROTO_FRAGMENT;
}

static __always_inline int filter_ipv6(struct xdp_md *ctx, struct ipv6hdr *ip6, void *data_end)
{
	if ((void *)(ip6 + 1) > data_end || ip6->version != IPV6_VERSION)
		return drop(FIREWALL_MALFORMED);
	if (source6_blocked(&ip6->saddr))
		return drop(FIREWALL_DROPPED);
	void *header = ip6 + 1;
	__u8 next = ip6->nexthdr;
	int first_fragment = 1;
	for (int i = 0; i < IPV6_EXT_HEADERS_MAX && is_ipv6_ext(next); i++) {
		struct ipv6_ext *ext = header;
		/* Each is at least IPV6_EXT_UNIT long; a fragment header, exactly. */
		if (header + IPV6_EXT_UNIT > data_end)
			return drop(FIREWALL_MALFORMED);
		if (next == IPPROTO_FRAGMENT) {
			struct ipv6_fragment *fragment = header;
			if (fragment->frag_off & bpf_htons(IPV6_FRAG_OFFSET_MASK))
				first_fragment = 0;
			header += IPV6_EXT_UNIT;
		} else {
			header += (ext->hdrlen + 1) * IPV6_EXT_UNIT;
		}
		next = ext->nexthdr;
	}
	if (is_ipv6_ext(next))
		return drop(FIREWALL_MALFORMED);
	if (first_fragment && (next == IPPROTO_TCP || next == IPPROTO_UDP)) {
		struct l4_ports *ports = header;
		if ((void *)(ports + 1) > data_end)
			return drop(FIREWALL_MALFORMED);
		if (port_blocked(next, ports))
			return drop(FIREWALL_DROPPED);
	}
	return forward(ctx);
}

static __always_inline int filter_ipv4(struct xdp_md *ctx, struct iphdr *ip, void *data_end)
{
	if ((void *)(ip + 1) > data_end || ip->version != IPV4_VERSION || ip->ihl < IPV4_MIN_IHL)
		return drop(FIREWALL_MALFORMED);
	if (source_blocked(ip->saddr))
		return drop(FIREWALL_DROPPED);
	__u32 address = own_address();
	int first_fragment = (ip->frag_off & bpf_htons(IPV4_OFFSET_MASK)) == 0;
	if (first_fragment && (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_UDP)) {
		struct l4_ports *ports = (void *)ip + ip->ihl * IPV4_WORD;
		if ((void *)(ports + 1) > data_end)
			return drop(FIREWALL_MALFORMED);
		if (port_blocked(ip->protocol, ports))
			return drop(FIREWALL_DROPPED);
		/* Until DHCP gives the firewall an address, its lease must reach lwIP. */
		if (!address && ip->protocol == IPPROTO_UDP &&
		    ports->dest == bpf_htons(DHCP_CLIENT_PORT))
			return pass();
	}
	if (address && ip->daddr == address)
		return pass();
	return forward(ctx);
}

SEC("xdp")
int firewall(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return drop(FIREWALL_MALFORMED);
	switch (eth->h_proto) {
	case bpf_htons(ETH_P_IP):
		return filter_ipv4(ctx, (void *)(eth + 1), data_end);
	case bpf_htons(ETH_P_ARP):
		return filter_arp(ctx, eth + 1, data_end);
	case bpf_htons(ETH_P_IPV6):
		return filter_ipv6(ctx, (void *)(eth + 1), data_end);
	default:
		return forward(ctx);
	}
}

char LICENSE[] SEC("license") = "GPL";
