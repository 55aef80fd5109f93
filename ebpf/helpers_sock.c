/*
 * The socket helpers of XDP programs, as Linux 6.1's net/core/filter.c
 * defines them: bpf_sk_lookup_tcp/udp and bpf_skc_lookup_tcp find a
 * socket through the platform and return a ukbpf-owned copy of it (a
 * struct ebpf_sock, Linux's struct bpf_sock) that bpf_sk_release gives back;
 * bpf_tcp_gen/check_syncookie and the raw variants make and check SYN
 * cookies (syncookie.h). The verifier has checked every pointer argument
 * against the prototypes in helper_table; what it cannot know (sizes,
 * flags, header fields) is checked here with Linux's error codes.
 *
 * Where Linux consults its own state, ukbpf answers as a Linux with
 * net.ipv4.tcp_syncookies=2 (cookies always, not only when the SYN queue
 * overflows) would, and skips the "no cookie sent recently" test of
 * bpf_tcp_check_syncookie: it keeps no SYN queue (docs/architecture.md,
 * "Sockets and SYN cookies").
 */
#include "helpers_sock.h"

#include <errno.h>
#include <string.h>

#include "ebpf_internal.h"
#include "syncookie.h"

/* struct bpf_sock_tuple: its ipv4 and ipv6 members' sizes and layouts. */
#define TUPLE_V4_BYTES	  12
#define TUPLE_V6_BYTES	  36
#define TUPLE_V4_ADDR	  4
#define TUPLE_V6_ADDR	  16
#define TUPLE_V4_PORTS	  8
#define TUPLE_V6_PORTS	  32
#define IP_VERSION_SHIFT  4 /* iphdr and ipv6hdr: the version in byte 0's high nibble */
#define IP_SADDR_V4	  12
#define IP_SADDR_V6	  8
#define TCP_SEQ		  4
#define TCP_ACK_SEQ	  8
#define TCP_DOFF_BYTE	  12
#define TCP_FLAGS_BYTE	  13
#define TCP_FIN		  0x01
#define TCP_SYN		  0x02
#define TCP_RST		  0x04
#define TCP_ACK		  0x10
#define TCP_MSS_DEFAULT	  536  /* RFC 1122: the IPv4 default */
#define TCP_MSS_DEFAULT_6 1220 /* IPV6_MIN_MTU - 60, Linux's IPv6 default */

static uint64_t errno_ret(int err)
{
	return (uint64_t)(int64_t)err;
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- lookups ---------------------------------------------------------------- */

/*
 * The sockets programs hold, in a pool rather than the heap: no
 * allocation on the receive path, and no verified program holds more
 * than EBPF_MAX_REFS at once. A slot an unverified run never released
 * stays taken; with every slot taken a lookup finds nothing.
 */
static struct ebpf_sock sock_pool[EBPF_MAX_REFS];
static bool sock_taken[EBPF_MAX_REFS];

static struct ebpf_sock *sock_get(void)
{
	size_t i;

	for (i = 0; i < EBPF_MAX_REFS; i++) {
		if (!sock_taken[i]) {
			sock_taken[i] = true;
			memset(&sock_pool[i], 0, sizeof(sock_pool[i]));
			return &sock_pool[i];
		}
	}
	return NULL;
}

/* sock is one of the pool's: the verifier checked it came from a lookup. */
static void sock_put(struct ebpf_sock *sock)
{
	sock_taken[sock - sock_pool] = false;
}

/*
 * Linux's __bpf_skc_lookup: a tuple of either family's size, no flags,
 * and the caller's own namespace (any other id names none here).
 */
static struct ebpf_sock *sock_lookup(const uint8_t *tuple, uint64_t tuple_size, uint64_t netns,
				     uint64_t flags, uint32_t protocol)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	struct ebpf_sock_key key = {.protocol = protocol};
	size_t addr_bytes, ports;
	struct ebpf_sock *sock;

	if (tuple_size == TUPLE_V4_BYTES) {
		key.family = EBPF_AF_INET;
		addr_bytes = TUPLE_V4_ADDR;
		ports = TUPLE_V4_PORTS;
	} else if (tuple_size == TUPLE_V6_BYTES) {
		key.family = EBPF_AF_INET6;
		addr_bytes = TUPLE_V6_ADDR;
		ports = TUPLE_V6_PORTS;
	} else {
		return NULL;
	}
	if (flags || (int32_t)netns >= 0 || !platform->sock_lookup)
		return NULL;
	memcpy(key.remote_addr, tuple, addr_bytes);
	memcpy(key.local_addr, tuple + addr_bytes, addr_bytes);
	memcpy(&key.remote_port, tuple + ports, sizeof(key.remote_port));
	memcpy(&key.local_port, tuple + ports + sizeof(key.remote_port), sizeof(key.local_port));
	sock = sock_get();
	if (!sock)
		return NULL;
	if (!platform->sock_lookup(&key, sock)) {
		sock_put(sock);
		return NULL;
	}
	return sock;
}

/*
 * bpf_sk_lookup_*: a full socket only. Linux's sk_to_full_sk has no full
 * socket for a TIME_WAIT one; a request socket would give its listener,
 * but the platform reports listeners, not requests.
 */
static uint64_t full_sock_lookup(uint64_t tuple, uint64_t tuple_size, uint64_t netns,
				 uint64_t flags, uint32_t protocol)
{
	struct ebpf_sock *sock =
	    sock_lookup((const uint8_t *)(uintptr_t)tuple, tuple_size, netns, flags, protocol);

	if (sock && protocol == EBPF_IPPROTO_TCP && sock->state == EBPF_TCP_TIME_WAIT) {
		sock_put(sock);
		return 0;
	}
	return (uintptr_t)sock;
}

uint64_t helper_sk_lookup_tcp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			      uint64_t flags)
{
	return full_sock_lookup(tuple, tuple_size, netns, flags, EBPF_IPPROTO_TCP);
}

uint64_t helper_sk_lookup_udp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			      uint64_t flags)
{
	return full_sock_lookup(tuple, tuple_size, netns, flags, EBPF_IPPROTO_UDP);
}

uint64_t helper_skc_lookup_tcp(uint64_t ctx, uint64_t tuple, uint64_t tuple_size, uint64_t netns,
			       uint64_t flags)
{
	return (uintptr_t)sock_lookup((const uint8_t *)(uintptr_t)tuple, tuple_size, netns, flags,
				      EBPF_IPPROTO_TCP);
}

uint64_t helper_sk_release(uint64_t sk, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	sock_put((struct ebpf_sock *)(uintptr_t)sk);
	return 0;
}

/* ---- SYN cookies -------------------------------------------------------------- */

static struct syncookie_flow flow_of(const uint8_t *iph, bool ipv6, const uint8_t *th)
{
	size_t saddr = ipv6 ? IP_SADDR_V6 : IP_SADDR_V4;
	size_t addr_bytes = ipv6 ? TUPLE_V6_ADDR : TUPLE_V4_ADDR;
	struct syncookie_flow flow = {
	    .ipv6 = ipv6, .saddr = iph + saddr, .daddr = iph + saddr + addr_bytes};

	memcpy(&flow.sport, th, sizeof(flow.sport));
	memcpy(&flow.dport, th + sizeof(flow.sport), sizeof(flow.dport));
	return flow;
}

/* The result of a cookie helper that made one: the cookie, and the MSS it encodes above it. */
static uint64_t gen_result(const uint8_t *iph, bool ipv6, const uint8_t *th, uint16_t mss)
{
	struct syncookie_flow flow = flow_of(iph, ipv6, th);
	uint32_t cookie = syncookie_make(&flow, load_be32(th + TCP_SEQ), &mss);

	if (!mss)
		return errno_ret(-ENOENT);
	return cookie | (uint64_t)mss << 32;
}

/* Whether th's ACK carries a cookie of this connection (__cookie_v4_check, __cookie_v6_check). */
static bool ack_has_cookie(const uint8_t *iph, bool ipv6, const uint8_t *th)
{
	struct syncookie_flow flow = flow_of(iph, ipv6, th);

	return syncookie_check(&flow, load_be32(th + TCP_SEQ) - 1,
			       load_be32(th + TCP_ACK_SEQ) - 1) > 0;
}

static bool th_len_matches(const uint8_t *th, uint64_t th_len)
{
	return th_len >= HELPER_TCP_HDR_BYTES && th_len == (uint64_t)(th[TCP_DOFF_BYTE] >> 4) * 4;
}

/* Linux: cookies are for TCP listeners only. */
static bool is_tcp_listener(const struct ebpf_sock *sk)
{
	return sk->protocol == EBPF_IPPROTO_TCP && sk->state == EBPF_TCP_LISTEN;
}

/*
 * The IP header's version, for bpf_tcp_gen/check_syncookie: one of its
 * size, for a listener of its family (an IPv6 listener takes IPv4 too).
 * Returns 0, with *ipv6 set, or the helper's error.
 */
static int ip_version_of(const struct ebpf_sock *sk, const uint8_t *iph, uint64_t iph_len,
			 bool *ipv6)
{
	if (iph_len < HELPER_IPV4_HDR_BYTES)
		return -EINVAL;
	switch (iph[0] >> IP_VERSION_SHIFT) {
	case 4:
		*ipv6 = false;
		return 0;
	case 6:
		if (iph_len < HELPER_IPV6_HDR_BYTES || sk->family != EBPF_AF_INET6)
			return -EINVAL;
		*ipv6 = true;
		return 0;
	default:
		return -EPROTONOSUPPORT;
	}
}

uint64_t helper_tcp_check_syncookie(uint64_t sk, uint64_t iph, uint64_t iph_len, uint64_t th,
				    uint64_t th_len)
{
	const struct ebpf_sock *sock = (const struct ebpf_sock *)(uintptr_t)sk;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)iph, *tcp = (const uint8_t *)(uintptr_t)th;
	uint8_t tcp_flags;
	bool ipv6;
	int err;

	if (th_len < HELPER_TCP_HDR_BYTES)
		return errno_ret(-EINVAL);
	if (!is_tcp_listener(sock))
		return errno_ret(-EINVAL);
	tcp_flags = tcp[TCP_FLAGS_BYTE];
	if (!(tcp_flags & TCP_ACK) || (tcp_flags & (TCP_RST | TCP_SYN)))
		return errno_ret(-ENOENT);
	err = ip_version_of(sock, ip, iph_len, &ipv6);
	if (err)
		return errno_ret(err);
	return ack_has_cookie(ip, ipv6, tcp) ? 0 : errno_ret(-ENOENT);
}

/* The listener's own MSS limit is unset (Linux: user_mss 0), so the SYN's option rules. */
uint64_t helper_tcp_gen_syncookie(uint64_t sk, uint64_t iph, uint64_t iph_len, uint64_t th,
				  uint64_t th_len)
{
	const struct ebpf_sock *sock = (const struct ebpf_sock *)(uintptr_t)sk;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)iph, *tcp = (const uint8_t *)(uintptr_t)th;
	uint8_t tcp_flags;
	uint16_t mss;
	bool ipv6;
	int err;

	if (!th_len_matches(tcp, th_len))
		return errno_ret(-EINVAL);
	if (!is_tcp_listener(sock))
		return errno_ret(-EINVAL);
	tcp_flags = tcp[TCP_FLAGS_BYTE];
	if (!(tcp_flags & TCP_SYN) || (tcp_flags & (TCP_ACK | TCP_FIN | TCP_RST)))
		return errno_ret(-EINVAL);
	err = ip_version_of(sock, ip, iph_len, &ipv6);
	if (err)
		return errno_ret(err);
	mss = syncookie_parse_mss(tcp);
	if (!mss)
		mss = ipv6 ? TCP_MSS_DEFAULT_6 : TCP_MSS_DEFAULT;
	return gen_result(ip, ipv6, tcp, mss);
}

/* The raw helpers take the headers as they are: no socket, no flag checks (Linux 6.1). */
static uint64_t raw_gen(uint64_t iph, uint64_t th, uint64_t th_len, bool ipv6)
{
	const uint8_t *tcp = (const uint8_t *)(uintptr_t)th;
	uint16_t mss;

	if (!th_len_matches(tcp, th_len))
		return errno_ret(-EINVAL);
	mss = syncookie_parse_mss(tcp);
	if (!mss)
		mss = ipv6 ? TCP_MSS_DEFAULT_6 : TCP_MSS_DEFAULT;
	return gen_result((const uint8_t *)(uintptr_t)iph, ipv6, tcp, mss);
}

uint64_t helper_tcp_raw_gen_syncookie_ipv4(uint64_t iph, uint64_t th, uint64_t th_len, uint64_t r4,
					   uint64_t r5)
{
	return raw_gen(iph, th, th_len, false);
}

uint64_t helper_tcp_raw_gen_syncookie_ipv6(uint64_t iph, uint64_t th, uint64_t th_len, uint64_t r4,
					   uint64_t r5)
{
	return raw_gen(iph, th, th_len, true);
}

uint64_t helper_tcp_raw_check_syncookie_ipv4(uint64_t iph, uint64_t th, uint64_t r3, uint64_t r4,
					     uint64_t r5)
{
	return ack_has_cookie((const uint8_t *)(uintptr_t)iph, false,
			      (const uint8_t *)(uintptr_t)th)
		   ? 0
		   : errno_ret(-EACCES);
}

uint64_t helper_tcp_raw_check_syncookie_ipv6(uint64_t iph, uint64_t th, uint64_t r3, uint64_t r4,
					     uint64_t r5)
{
	return ack_has_cookie((const uint8_t *)(uintptr_t)iph, true, (const uint8_t *)(uintptr_t)th)
		   ? 0
		   : errno_ret(-EACCES);
}
