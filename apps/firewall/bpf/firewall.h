/*
 * What apps/firewall/main.c and its XDP program bpf/firewall.c share: map
 * keys, values and sizes. Plain C without fixed-width typedefs, so that
 * both the guest (gcc, newlib) and clang -target bpf include it (both
 * have 32-bit int and 64-bit long long on x86-64 and BPF). The maps:
 *
 * "firewall_config"  array, u32 values, written by the app at start:
 *     FIREWALL_CONFIG_ADDRESS  the firewall's own IPv4 address (eth0's) in
 *                              network byte order; 0: none, every frame is
 *                              forwarded or dropped
 * "source_rules"     LPM trie (longest prefix wins), key struct
 *                    firewall_prefix_key: an IPv4 source prefix; value
 *                    struct firewall_source_rule: block or allow, and the
 *                    frames whose source the rule matched
 * "source6_rules"    the same for IPv6 sources: key struct
 *                    firewall_prefix6_key, value struct firewall_source_rule
 * "blocked_ports"    hash, u32 key: FIREWALL_PORT_KEY(IP protocol,
 *                    destination port in host byte order); u64 value:
 *                    frames dropped by the rule
 * "firewall_forward" devmap: ingress ifindex -> the ifindex to forward to
 * "firewall_counts"  array, u64 values: frames by enum firewall_count
 */
#ifndef UKBPF_FIREWALL_BPF_FIREWALL_H
#define UKBPF_FIREWALL_BPF_FIREWALL_H

#define FIREWALL_RULES_MAX		  256 /* entries of each rule map */
#define FIREWALL_IP4_BITS		  32  /* the longest IPv4 prefix: one address */
#define FIREWALL_IP6_BYTES		  16
#define FIREWALL_IP6_BITS		  (8 * FIREWALL_IP6_BYTES)
#define FIREWALL_IFINDEX_MAX		  8 /* devmap slots: ifindex 0 .. 7 */
#define FIREWALL_PORT_KEY(protocol, port) ((unsigned int)(protocol) << 16 | (unsigned int)(port))

enum firewall_config_key {
	FIREWALL_CONFIG_ADDRESS,
	FIREWALL_CONFIG_KEYS,
};

/* What a source prefix rule does with the frames it matches. */
enum firewall_action {
	FIREWALL_BLOCK, /* drop */
	FIREWALL_ALLOW, /* let through a longer prefix inside a blocked one */
};

/* struct bpf_lpm_trie_key for IPv4: the prefix length, then the address. */
struct firewall_prefix_key {
	unsigned int prefixlen; /* host byte order, 0 .. FIREWALL_IP4_BITS */
	unsigned int address;	/* network byte order, host bits clear */
};

/* The same for IPv6. */
struct firewall_prefix6_key {
	unsigned int prefixlen;			   /* host byte order, 0 .. FIREWALL_IP6_BITS */
	unsigned char address[FIREWALL_IP6_BYTES]; /* host bits clear */
};

struct firewall_source_rule {
	unsigned long long matched; /* frames whose longest matching prefix is this */
	unsigned int action;	    /* enum firewall_action */
	unsigned int reserved;
};

enum firewall_count {
	FIREWALL_PASSED,     /* to lwIP: addressed to the firewall */
	FIREWALL_REDIRECTED, /* forwarded out of the other NIC */
	FIREWALL_DROPPED,    /* every drop: blocklists, malformed, no route */
	FIREWALL_MALFORMED,  /* of those, truncated or bad headers */
	FIREWALL_COUNTS,
};

#endif /* UKBPF_FIREWALL_BPF_FIREWALL_H */
