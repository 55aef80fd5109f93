/*
 * SYN cookies as Linux makes them (net/ipv4/syncookies.c,
 * net/ipv6/syncookies.c), private to ebpf/: the initial sequence number
 * of a SYN-ACK that lets a listener accept the ACK without having kept
 * state. With h1 and h2 two keyed MACs of the connection's addresses and
 * ports (h2 also of the time counter),
 *     cookie = h1 + seq + (count << 24) + ((h2 + mss_index) mod 2^24)
 * where seq is the SYN's sequence number, count the minutes since boot
 * and mss_index the index of the MSS in a table of four. A cookie checks
 * for two minutes: in its minute and the next.
 *
 * Linux keys SipHash with a boot secret; ukbpf uses mbed TLS's
 * HMAC-SHA-256 (its first 32 bits) with a key drawn once from the
 * platform's random source. The encoding is Linux's, the MAC values not.
 */
#ifndef UKBPF_EBPF_SYNCOOKIE_H
#define UKBPF_EBPF_SYNCOOKIE_H

#include <stdbool.h>
#include <stdint.h>

/* The connection a cookie belongs to, from the SYN or its ACK. */
struct syncookie_flow {
	bool ipv6;
	const uint8_t *saddr; /* 4 or 16 bytes, network order */
	const uint8_t *daddr;
	uint16_t sport; /* network order, as in the TCP header */
	uint16_t dport;
};

/*
 * The cookie for a SYN with sequence number seq asking for *mss (0 for
 * "no MSS option"; the caller applies its default first): *mss becomes
 * the largest table MSS not above it, which the cookie encodes.
 */
uint32_t syncookie_make(const struct syncookie_flow *flow, uint32_t seq, uint16_t *mss);

/*
 * The MSS that cookie (the ACK's ack_seq - 1) encodes for the ACK's
 * connection whose SYN had sequence number seq (the ACK's seq - 1), or 0
 * when it is not a cookie made for it within the last two minutes.
 */
uint16_t syncookie_check(const struct syncookie_flow *flow, uint32_t seq, uint32_t cookie);

/*
 * The MSS in a TCP header's options (Linux's tcp_parse_mss_option with no
 * user limit): th points at a header of th->doff * 4 readable bytes. 0
 * when there is none.
 */
uint16_t syncookie_parse_mss(const uint8_t *th);

#endif /* UKBPF_EBPF_SYNCOOKIE_H */
