/*
 * Private to ebpf/: the socket helpers (helpers_sock.c), which
 * helpers.c's helper_table names with their prototypes: socket lookups
 * through the platform (struct ebpf_platform's sock_lookup), sk_release
 * and the SYN-cookie helpers (syncookie.h).
 */
#ifndef UKBPF_EBPF_HELPERS_SOCK_H
#define UKBPF_EBPF_HELPERS_SOCK_H

#include <stdint.h>

/* Linux's struct iphdr, struct ipv6hdr and struct tcphdr sizes (the fixed-size arguments). */
#define HELPER_IPV4_HDR_BYTES 20
#define HELPER_IPV6_HDR_BYTES 40
#define HELPER_TCP_HDR_BYTES  20

uint64_t helper_sk_lookup_tcp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			      uint64_t flags);
uint64_t helper_sk_lookup_udp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			      uint64_t flags);
uint64_t helper_skc_lookup_tcp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			       uint64_t flags);
uint64_t helper_sk_release(uint64_t sk, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5);
uint64_t helper_tcp_check_syncookie(uint64_t sk, uint64_t iph, uint64_t iph_len, uint64_t th,
				    uint64_t th_len);
uint64_t helper_tcp_gen_syncookie(uint64_t sk, uint64_t iph, uint64_t iph_len, uint64_t th,
				  uint64_t th_len);
uint64_t helper_tcp_raw_gen_syncookie_ipv4(uint64_t iph, uint64_t th, uint64_t th_len, uint64_t r4,
					   uint64_t r5);
uint64_t helper_tcp_raw_gen_syncookie_ipv6(uint64_t iph, uint64_t th, uint64_t th_len, uint64_t r4,
					   uint64_t r5);
uint64_t helper_tcp_raw_check_syncookie_ipv4(uint64_t iph, uint64_t th, uint64_t r3, uint64_t r4,
					     uint64_t r5);
uint64_t helper_tcp_raw_check_syncookie_ipv6(uint64_t iph, uint64_t th, uint64_t r3, uint64_t r4,
					     uint64_t r5);

#endif /* UKBPF_EBPF_HELPERS_SOCK_H */
