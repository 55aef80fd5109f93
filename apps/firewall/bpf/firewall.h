/*
 * What apps/firewall/main.c and its XDP program bpf/firewall.c share: map
 * keys and sizes. Plain C without types, so that both the guest (gcc,
 * newlib) and clang -target bpf include it. The maps:
 *
 * "firewall_config"  array, u32 values, written by the app at start:
 *     FIREWALL_CONFIG_ADDRESS  the firewall's own IPv4 address (eth0's) in
 *                              network byte order; 0: none, every frame is
 *                              forwarded or dropped
 * "blocked_sources"  hash, u32 key: an IPv4 source address in network
 *                    byte order; u64 value: frames dropped by the rule
 * "blocked_ports"    hash, u32 key: FIREWALL_PORT_KEY(IP protocol,
 *                    destination port in host byte order); u64 value:
 *                    frames dropped by the rule
 * "firewall_forward" devmap: ingress ifindex -> the ifindex to forward to
 * "firewall_counts"  array, u64 values: frames by enum firewall_count
 */
#ifndef UKBPF_FIREWALL_BPF_FIREWALL_H
#define UKBPF_FIREWALL_BPF_FIREWALL_H

#define FIREWALL_RULES_MAX		  256 /* entries of each blocklist */
#define FIREWALL_IFINDEX_MAX		  8   /* devmap slots: ifindex 0 .. 7 */
#define FIREWALL_PORT_KEY(protocol, port) ((unsigned int)(protocol) << 16 | (unsigned int)(port))

enum firewall_config_key {
	FIREWALL_CONFIG_ADDRESS,
	FIREWALL_CONFIG_KEYS,
};

enum firewall_count {
	FIREWALL_PASSED,     /* to lwIP: addressed to the firewall */
	FIREWALL_REDIRECTED, /* forwarded out of the other NIC */
	FIREWALL_DROPPED,    /* every drop: blocklists, malformed, no route */
	FIREWALL_MALFORMED,  /* of those, truncated or bad headers */
	FIREWALL_COUNTS,
};

#endif /* UKBPF_FIREWALL_BPF_FIREWALL_H */
