/*
 * The socket helpers (ebpf/helpers_sock.c), called through the helper
 * table: lookups through the platform's sock_lookup hook, with Linux's
 * tuple, flag and netns rules, and SYN cookies made and checked by the
 * raw and the socket helpers — round trips, the MSS table, forged and
 * expired cookies, and the helpers' error codes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <linux/bpf.h>

#include "ebpf_internal.h"

#define NS_PER_MINUTE (60ull * 1000000000ull)

static uint64_t call(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct ebpf_helper *helper = ebpf_helper_find(id);

	assert_non_null(helper);
	return helper->fn(r1, r2, r3, r4, r5);
}

static uint64_t reg(const void *ptr)
{
	return (uintptr_t)ptr;
}

static uint64_t err_reg(int err)
{
	return (uint64_t)(int64_t)err;
}

/* ---- a platform with a clock the tests move and one socket table -------------- */

static uint64_t now_ns;
static struct ebpf_sock_key last_key;
static int lookups;
static bool have_socket;
static struct ebpf_sock the_socket;

static uint64_t fake_ktime(void)
{
	return now_ns;
}

static uint32_t fake_random(void)
{
	static uint32_t state = 0x12345678;

	state = state * 1103515245u + 12345u;
	return state;
}

static bool fake_sock_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock)
{
	last_key = *key;
	lookups++;
	if (!have_socket)
		return false;
	*sock = the_socket;
	return true;
}

static int install_platform(void **state)
{
	const struct ebpf_platform platform = {
	    .ktime_ns = fake_ktime,
	    .random_u32 = fake_random,
	    .sock_lookup = fake_sock_lookup,
	};

	ebpf_set_platform(&platform);
	now_ns = 1000 * NS_PER_MINUTE + 7;
	lookups = 0;
	have_socket = false;
	memset(&the_socket, 0, sizeof(the_socket));
	the_socket.family = EBPF_AF_INET;
	the_socket.type = EBPF_SOCK_STREAM;
	the_socket.protocol = IPPROTO_TCP;
	the_socket.state = EBPF_TCP_LISTEN;
	the_socket.src_port = 80;
	return 0;
}

/* ---- packets ---------------------------------------------------------------------- */

struct v4_segment {
	uint8_t ip[20];
	uint8_t tcp[24]; /* header and one MSS option */
};

struct v6_segment {
	uint8_t ip[40];
	uint8_t tcp[24];
};

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A TCP header with flags, seq, and an MSS option when mss is not 0. */
static void fill_tcp(uint8_t *tcp, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t mss)
{
	memset(tcp, 0, 24);
	tcp[0] = 0x9c; /* sport 40000 */
	tcp[1] = 0x40;
	tcp[3] = 80;
	put_be32(tcp + 4, seq);
	put_be32(tcp + 8, ack);
	tcp[12] = (mss ? 6 : 5) << 4;
	tcp[13] = flags;
	if (mss) {
		tcp[20] = 2;
		tcp[21] = 4;
		tcp[22] = (uint8_t)(mss >> 8);
		tcp[23] = (uint8_t)mss;
	}
}

static uint32_t tcp_len(const uint8_t *tcp)
{
	return (tcp[12] >> 4) * 4u;
}

static void fill_v4(struct v4_segment *s, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t mss)
{
	static const uint8_t saddr[4] = {192, 0, 2, 1}, daddr[4] = {192, 0, 2, 2};

	memset(s->ip, 0, sizeof(s->ip));
	s->ip[0] = 0x45;
	s->ip[9] = IPPROTO_TCP;
	memcpy(s->ip + 12, saddr, 4);
	memcpy(s->ip + 16, daddr, 4);
	fill_tcp(s->tcp, flags, seq, ack, mss);
}

static void fill_v6(struct v6_segment *s, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t mss)
{
	memset(s->ip, 0, sizeof(s->ip));
	s->ip[0] = 0x60;
	s->ip[6] = IPPROTO_TCP;
	s->ip[8] = 0x20; /* 2001:db8::1 -> 2001:db8::2 */
	s->ip[9] = 0x01;
	s->ip[10] = 0x0d;
	s->ip[11] = 0xb8;
	s->ip[23] = 1;
	memcpy(s->ip + 24, s->ip + 8, 16);
	s->ip[39] = 2;
	fill_tcp(s->tcp, flags, seq, ack, mss);
}

#define SYN 0x02
#define ACK 0x10
#define RST 0x04

/* The client's ACK that answers a SYN-ACK carrying cookie, for the SYN with seq. */
static void v4_ack_for(struct v4_segment *ack, uint32_t syn_seq, uint32_t cookie)
{
	fill_v4(ack, ACK, syn_seq + 1, cookie + 1, 0);
}

/* ---- SYN cookies ------------------------------------------------------------------ */

static void test_raw_v4_round_trip(void **state)
{
	struct v4_segment syn, ack;
	uint64_t made;

	fill_v4(&syn, SYN, 0x01020304, 0, 1460);
	made = call(BPF_FUNC_tcp_raw_gen_syncookie_ipv4, reg(syn.ip), reg(syn.tcp),
		    tcp_len(syn.tcp), 0, 0);
	assert_int_equal(made >> 32, 1460);
	v4_ack_for(&ack, 0x01020304, (uint32_t)made);
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0), 0);
	/* Still good in the next minute, as Linux's MAX_SYNCOOKIE_AGE of 2. */
	now_ns += NS_PER_MINUTE;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0), 0);
}

static void test_raw_v4_refuses_forged_and_expired(void **state)
{
	struct v4_segment syn, ack;
	uint64_t made;
	uint32_t cookie;

	fill_v4(&syn, SYN, 77, 0, 1460);
	made = call(BPF_FUNC_tcp_raw_gen_syncookie_ipv4, reg(syn.ip), reg(syn.tcp),
		    tcp_len(syn.tcp), 0, 0);
	cookie = (uint32_t)made;
	/* another cookie value */
	v4_ack_for(&ack, 77, cookie ^ 0x10000);
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
	/* the right cookie for another connection: other source port, other SYN seq */
	v4_ack_for(&ack, 77, cookie);
	ack.tcp[1] ^= 1;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
	/*
	 * Linux's scheme adds the SYN's seq to the cookie: a seq a few off
	 * shifts the MSS index (and still checks, as in Linux), one further
	 * off leaves the table.
	 */
	v4_ack_for(&ack, 177, cookie);
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
	/* two minutes later it has expired */
	v4_ack_for(&ack, 77, cookie);
	now_ns += 2 * NS_PER_MINUTE;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
	/* and a cookie from the future is no better */
	now_ns -= 3 * NS_PER_MINUTE;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
}

/* Linux's msstab: the largest entry not above the SYN's MSS, its default without one. */
static void test_raw_mss_tables(void **state)
{
	static const struct {
		uint16_t asked, v4, v6;
	} cases[] = {
	    {0, 536, 1220},   {1460, 1460, 1440}, {1400, 1300, 1220},
	    {100, 536, 1220}, {9000, 1460, 8940}, {1440, 1440, 1440},
	};
	struct v4_segment s4, ack;
	struct v6_segment s6;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t made;

		fill_v4(&s4, SYN, 5, 0, cases[i].asked);
		made = call(BPF_FUNC_tcp_raw_gen_syncookie_ipv4, reg(s4.ip), reg(s4.tcp),
			    tcp_len(s4.tcp), 0, 0);
		assert_int_equal(made >> 32, cases[i].v4);
		v4_ack_for(&ack, 5, (uint32_t)made);
		assert_int_equal(
		    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
		    0);
		fill_v6(&s6, SYN, 5, 0, cases[i].asked);
		made = call(BPF_FUNC_tcp_raw_gen_syncookie_ipv6, reg(s6.ip), reg(s6.tcp),
			    tcp_len(s6.tcp), 0, 0);
		assert_int_equal(made >> 32, cases[i].v6);
	}
}

static void test_raw_v6_round_trip(void **state)
{
	struct v6_segment syn, ack;
	uint64_t made;

	fill_v6(&syn, SYN, 0xfffffff0, 0, 1440);
	made = call(BPF_FUNC_tcp_raw_gen_syncookie_ipv6, reg(syn.ip), reg(syn.tcp),
		    tcp_len(syn.tcp), 0, 0);
	assert_int_equal(made >> 32, 1440);
	fill_v6(&ack, ACK, 0xfffffff1, (uint32_t)made + 1, 0);
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv6, reg(ack.ip), reg(ack.tcp), 0, 0, 0), 0);
	/* an IPv6 cookie is no IPv4 one */
	ack.ip[39] = 3;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv6, reg(ack.ip), reg(ack.tcp), 0, 0, 0),
	    err_reg(-EACCES));
}

/* th_len must be the header's own length, at least 20 (Linux: -EINVAL). */
static void test_raw_gen_checks_length(void **state)
{
	struct v4_segment syn;

	fill_v4(&syn, SYN, 1, 0, 1460);
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_gen_syncookie_ipv4, reg(syn.ip), reg(syn.tcp), 20, 0, 0),
	    err_reg(-EINVAL));
	fill_v4(&syn, SYN, 1, 0, 0);
	syn.tcp[12] = 4 << 4;
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_gen_syncookie_ipv4, reg(syn.ip), reg(syn.tcp), 16, 0, 0),
	    err_reg(-EINVAL));
}

/* bpf_tcp_gen/check_syncookie with a listener: Linux's order of checks and errors. */
static void test_socket_syncookie_helpers(void **state)
{
	struct v4_segment syn, ack;
	struct v6_segment syn6;
	uint64_t made;

	fill_v4(&syn, SYN, 1000, 0, 1460);
	made = call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(syn.ip), sizeof(syn.ip),
		    reg(syn.tcp), tcp_len(syn.tcp));
	assert_int_equal(made >> 32, 1460);
	v4_ack_for(&ack, 1000, (uint32_t)made);
	assert_int_equal(call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(ack.ip),
			      sizeof(ack.ip), reg(ack.tcp), 20),
			 0);
	/* the raw check agrees: one cookie scheme */
	assert_int_equal(
	    call(BPF_FUNC_tcp_raw_check_syncookie_ipv4, reg(ack.ip), reg(ack.tcp), 0, 0, 0), 0);
	ack.tcp[11] ^= 1;
	assert_int_equal(call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(ack.ip),
			      sizeof(ack.ip), reg(ack.tcp), 20),
			 err_reg(-ENOENT));
	/* not an ACK, or a SYN: -ENOENT from check; gen wants a plain SYN */
	assert_int_equal(call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(syn.ip),
			      sizeof(syn.ip), reg(syn.tcp), 20),
			 err_reg(-ENOENT));
	assert_int_equal(call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(ack.ip),
			      sizeof(ack.ip), reg(ack.tcp), tcp_len(ack.tcp)),
			 err_reg(-EINVAL));
	/* short headers */
	assert_int_equal(
	    call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(ack.ip), 19, reg(ack.tcp), 20),
	    err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(ack.ip),
			      sizeof(ack.ip), reg(ack.tcp), 19),
			 err_reg(-EINVAL));
	/* an IP version of neither kind */
	syn.ip[0] = 0x55;
	assert_int_equal(call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(syn.ip),
			      sizeof(syn.ip), reg(syn.tcp), tcp_len(syn.tcp)),
			 err_reg(-EPROTONOSUPPORT));
	/* IPv6 needs an IPv6 listener */
	fill_v6(&syn6, SYN, 1, 0, 1440);
	assert_int_equal(call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(syn6.ip),
			      sizeof(syn6.ip), reg(syn6.tcp), tcp_len(syn6.tcp)),
			 err_reg(-EINVAL));
	the_socket.family = EBPF_AF_INET6;
	made = call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(syn6.ip), sizeof(syn6.ip),
		    reg(syn6.tcp), tcp_len(syn6.tcp));
	assert_int_equal(made >> 32, 1440);
	/* only a TCP listener makes cookies */
	the_socket.state = EBPF_TCP_ESTABLISHED;
	fill_v4(&syn, SYN, 1000, 0, 1460);
	assert_int_equal(call(BPF_FUNC_tcp_gen_syncookie, reg(&the_socket), reg(syn.ip),
			      sizeof(syn.ip), reg(syn.tcp), tcp_len(syn.tcp)),
			 err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_tcp_check_syncookie, reg(&the_socket), reg(ack.ip),
			      sizeof(ack.ip), reg(ack.tcp), 20),
			 err_reg(-EINVAL));
}

/* ---- lookups ------------------------------------------------------------------------ */

struct tuple_v4 {
	uint32_t saddr, daddr;
	uint16_t sport, dport;
};

static void test_lookup_passes_the_tuple(void **state)
{
	struct tuple_v4 tuple = {htonl(0xc0000201), htonl(0xc0000202), htons(40000), htons(80)};
	uint8_t tuple6[36] = {0};
	uint64_t sk;

	have_socket = true;
	sk = call(BPF_FUNC_skc_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0);
	assert_true(sk != 0);
	assert_int_equal(last_key.family, EBPF_AF_INET);
	assert_int_equal(last_key.protocol, IPPROTO_TCP);
	assert_memory_equal(last_key.remote_addr, &tuple.saddr, 4);
	assert_memory_equal(last_key.local_addr, &tuple.daddr, 4);
	assert_int_equal(last_key.remote_port, tuple.sport);
	assert_int_equal(last_key.local_port, tuple.dport);
	/* the program reads the platform's answer at Linux's bpf_sock offsets */
	assert_int_equal(((const struct bpf_sock *)(uintptr_t)sk)->state, BPF_TCP_LISTEN);
	assert_int_equal(((const struct bpf_sock *)(uintptr_t)sk)->src_port, 80);
	assert_int_equal(call(BPF_FUNC_sk_release, sk, 0, 0, 0, 0), 0);

	tuple6[15] = 1;
	tuple6[35] = 80;
	sk = call(BPF_FUNC_sk_lookup_udp, 0, reg(tuple6), sizeof(tuple6), (uint64_t)-1, 0);
	assert_true(sk != 0);
	assert_int_equal(last_key.family, EBPF_AF_INET6);
	assert_int_equal(last_key.protocol, IPPROTO_UDP);
	assert_int_equal(last_key.remote_addr[15], 1);
	assert_int_equal(ntohs(last_key.local_port), 80);
	call(BPF_FUNC_sk_release, sk, 0, 0, 0, 0);
}

/* Linux's __bpf_skc_lookup: NULL for other sizes, any flag, another namespace. */
static void test_lookup_refusals(void **state)
{
	struct tuple_v4 tuple = {0};

	have_socket = true;
	assert_int_equal(call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), 8, (uint32_t)-1, 0), 0);
	assert_int_equal(
	    call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 1), 0);
	assert_int_equal(call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), 1ull << 32, 0),
			 0);
	assert_int_equal(lookups, 0);
	have_socket = false;
	assert_int_equal(
	    call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0), 0);
	assert_int_equal(lookups, 1);
}

/* A TIME_WAIT socket is a sock_common (skc_lookup) but no full socket (sk_lookup). */
static void test_time_wait_is_not_a_full_socket(void **state)
{
	struct tuple_v4 tuple = {0};
	uint64_t sk;

	have_socket = true;
	the_socket.state = EBPF_TCP_TIME_WAIT;
	assert_int_equal(
	    call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0), 0);
	sk = call(BPF_FUNC_skc_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0);
	assert_true(sk != 0);
	call(BPF_FUNC_sk_release, sk, 0, 0, 0, 0);
}

/* As many sockets at once as a program may hold references, then none until one is released. */
static void test_sockets_come_from_a_bounded_pool(void **state)
{
	struct tuple_v4 tuple = {0};
	uint64_t held[EBPF_MAX_REFS];

	have_socket = true;
	for (size_t i = 0; i < EBPF_MAX_REFS; i++) {
		held[i] =
		    call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0);
		assert_true(held[i] != 0);
		for (size_t j = 0; j < i; j++)
			assert_true(held[j] != held[i]);
	}
	assert_int_equal(
	    call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0), 0);
	call(BPF_FUNC_sk_release, held[3], 0, 0, 0, 0);
	held[3] = call(BPF_FUNC_sk_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0);
	assert_true(held[3] != 0);
	for (size_t i = 0; i < EBPF_MAX_REFS; i++)
		call(BPF_FUNC_sk_release, held[i], 0, 0, 0, 0);
}

/* A platform without sockets (the host tool): every lookup finds none. */
static void test_no_platform_sockets(void **state)
{
	const struct ebpf_platform platform = {.ktime_ns = fake_ktime};
	struct tuple_v4 tuple = {0};

	ebpf_set_platform(&platform);
	assert_int_equal(
	    call(BPF_FUNC_skc_lookup_tcp, 0, reg(&tuple), sizeof(tuple), (uint32_t)-1, 0), 0);
}

/* struct ebpf_sock is Linux's struct bpf_sock, field for field. */
static void test_sock_layout_is_linux(void **state)
{
	assert_int_equal(sizeof(struct ebpf_sock), sizeof(struct bpf_sock));
	assert_int_equal(offsetof(struct ebpf_sock, state), offsetof(struct bpf_sock, state));
	assert_int_equal(offsetof(struct ebpf_sock, dst_port), offsetof(struct bpf_sock, dst_port));
	assert_int_equal(offsetof(struct ebpf_sock, dst_ip6), offsetof(struct bpf_sock, dst_ip6));
	assert_int_equal(offsetof(struct ebpf_sock, rx_queue_mapping),
			 offsetof(struct bpf_sock, rx_queue_mapping));
	assert_int_equal(EBPF_TCP_LISTEN, BPF_TCP_LISTEN);
	assert_int_equal(EBPF_TCP_NEW_SYN_RECV, BPF_TCP_NEW_SYN_RECV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_raw_v4_round_trip, install_platform),
	    cmocka_unit_test_setup(test_raw_v4_refuses_forged_and_expired, install_platform),
	    cmocka_unit_test_setup(test_raw_mss_tables, install_platform),
	    cmocka_unit_test_setup(test_raw_v6_round_trip, install_platform),
	    cmocka_unit_test_setup(test_raw_gen_checks_length, install_platform),
	    cmocka_unit_test_setup(test_socket_syncookie_helpers, install_platform),
	    cmocka_unit_test_setup(test_lookup_passes_the_tuple, install_platform),
	    cmocka_unit_test_setup(test_lookup_refusals, install_platform),
	    cmocka_unit_test_setup(test_time_wait_is_not_a_full_socket, install_platform),
	    cmocka_unit_test_setup(test_sockets_come_from_a_bounded_pool, install_platform),
	    cmocka_unit_test_setup(test_no_platform_sockets, install_platform),
	    cmocka_unit_test(test_sock_layout_is_linux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
