/*
 * The firewall's XDP program: a stateless filter between two NICs.
 *   1. IPv4 frames whose source's longest matching prefix in
 *      "source_rules" is a block rule, and TCP or UDP frames to a
 *      (protocol, destination port) in "blocked_ports", are dropped; the
 *      matching rule's value counts them (allow rules count the frames
 *      they exempt from a shorter block prefix).
 *   2. Frames for the firewall itself - IPv4 to its own address, ARP
 *      asking for or answering to it - pass to lwIP (ping, ARP).
 *   3. Everything else is forwarded out of the other NIC unchanged,
 *      through the devmap "firewall_forward" that the app fills
 *      (ingress ifindex 1 -> 2, 2 -> 1); a NIC without an entry drops.
 * IPv4 and ARP frames too short for their headers, and IPv4 headers with
 * a bad version or IHL, are dropped as malformed: a filter that cannot
 * read a header must not let it through. Only a datagram's first fragment
 * carries the ports (RFC 791 §3.2), so later fragments are checked by
 * source address only; options (IHL > 5) are skipped over. While the
 * firewall has no address yet (DHCP in progress), UDP to the DHCP client
 * port passes to lwIP so that a lease can arrive. IPv6 and other
 * EtherTypes are forwarded unfiltered. Counts by enum firewall_count go to "firewall_counts". Map
 * layouts: firewall.h. Built by make (build/apps/firewall/firewall.bpf.o).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "firewall.h"

#define IPV4_VERSION	 4
#define IPV4_MIN_IHL	 5 /* 32-bit words */
#define IPV4_WORD	 4
#define IPV4_OFFSET_MASK 0x1fff /* the fragment offset (RFC 791 §3.1) */
#define ARP_IPV4_LEN	 28	/* RFC 826 for Ethernet and IPv4 */
#define ARP_TARGET_IP	 24	/* offset in it */
#define DHCP_CLIENT_PORT 68	/* RFC 2131 §4.1 */

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

/* True when source's longest matching prefix is a block rule; that rule's count bumped. */
static __always_inline int source_blocked(__be32 source)
{
	struct firewall_prefix_key key = {.prefixlen = FIREWALL_IP4_BITS, .address = source};
	struct firewall_source_rule *rule = bpf_map_lookup_elem(&source_rules, &key);

	if (!rule)
		return 0;
	__sync_fetch_and_add(&rule->matched, 1);
	return rule->action == FIREWALL_BLOCK;
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
		if (blocked(&blocked_ports,
			    FIREWALL_PORT_KEY(ip->protocol, bpf_ntohs(ports->dest))))
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
	default:
		return forward(ctx);
	}
}

char LICENSE[] SEC("license") = "GPL";
