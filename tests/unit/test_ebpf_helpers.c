/*
 * Helpers, called through the table the interpreter and JIT use, with
 * Linux's semantics: map access, platform services, trace_printk's format
 * subset, csum_diff arithmetic, the XDP packet-moving helpers and their
 * bounds, redirects (devmap and devmap_hash), the ring buffer helpers and
 * push/pop/peek on queues and bloom filters, XDP's perf_event_output.
 * Also ebpf_xdp_init.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "ebpf_internal.h"
#include "maps.h"

/* Linux's own BPF_FUNC_* numbers (<linux/bpf.h>) check ukbpf's helper table. */

static const int32_t offered[] = {
    BPF_FUNC_map_lookup_elem,
    BPF_FUNC_map_update_elem,
    BPF_FUNC_map_delete_elem,
    BPF_FUNC_ktime_get_ns,
    BPF_FUNC_trace_printk,
    BPF_FUNC_get_prandom_u32,
    BPF_FUNC_get_smp_processor_id,
    BPF_FUNC_tail_call,
    BPF_FUNC_redirect,
    BPF_FUNC_csum_diff,
    BPF_FUNC_xdp_adjust_head,
    BPF_FUNC_redirect_map,
    BPF_FUNC_xdp_adjust_meta,
    BPF_FUNC_xdp_adjust_tail,
    BPF_FUNC_ktime_get_boot_ns,
    BPF_FUNC_ringbuf_output,
    BPF_FUNC_ringbuf_reserve,
    BPF_FUNC_ringbuf_submit,
    BPF_FUNC_ringbuf_discard,
    BPF_FUNC_map_push_elem,
    BPF_FUNC_map_pop_elem,
    BPF_FUNC_map_peek_elem,
    BPF_FUNC_perf_event_output,
    BPF_FUNC_ktime_get_coarse_ns,
    BPF_FUNC_xdp_get_buff_len,
    BPF_FUNC_xdp_load_bytes,
    BPF_FUNC_xdp_store_bytes,
    BPF_FUNC_fib_lookup,
    BPF_FUNC_jiffies64,
    BPF_FUNC_check_mtu,
    BPF_FUNC_trace_vprintk,
    BPF_FUNC_map_lookup_percpu_elem,
    BPF_FUNC_sk_lookup_tcp,
    BPF_FUNC_sk_lookup_udp,
    BPF_FUNC_sk_release,
    BPF_FUNC_skc_lookup_tcp,
    BPF_FUNC_tcp_check_syncookie,
    BPF_FUNC_tcp_gen_syncookie,
    BPF_FUNC_tcp_raw_gen_syncookie_ipv4,
    BPF_FUNC_tcp_raw_gen_syncookie_ipv6,
    BPF_FUNC_tcp_raw_check_syncookie_ipv4,
    BPF_FUNC_tcp_raw_check_syncookie_ipv6,
    BPF_FUNC_spin_lock,
    BPF_FUNC_spin_unlock,
    BPF_FUNC_for_each_map_elem,
    BPF_FUNC_loop,
};

static uint64_t call(int32_t id, uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4, uint64_t r5)
{
	const struct ebpf_helper *helper = ebpf_helper_find(id);

	assert_non_null(helper);
	assert_non_null(helper->fn);
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

/* ---- fake platform -------------------------------------------------------- */

static char trace_text[1024];
static size_t trace_len;
static int trace_calls;

static void fake_trace_write(const char *text, size_t len)
{
	assert_true(trace_len + len < sizeof(trace_text));
	memcpy(trace_text + trace_len, text, len);
	trace_len += len;
	trace_text[trace_len] = '\0';
	trace_calls++;
}

static uint64_t fake_ktime(void)
{
	return 123456789;
}

static uint32_t fake_random(void)
{
	return 0xdecafbad;
}

static int install_fake_platform(void **state)
{
	const struct ebpf_platform platform = {
	    .ktime_ns = fake_ktime,
	    .trace_write = fake_trace_write,
	    .random_u32 = fake_random,
	};

	ebpf_set_platform(&platform);
	trace_len = 0;
	trace_calls = 0;
	trace_text[0] = '\0';
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

static void test_table_offers_linux_numbers(void **state)
{
	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++) {
		const struct ebpf_helper *helper = ebpf_helper_find(offered[i]);

		assert_non_null(helper);
		assert_int_equal(helper->id, offered[i]);
		assert_memory_equal(helper->name, "bpf_", 4);
		assert_true(helper->fn != NULL || offered[i] == BPF_FUNC_tail_call);
	}
	assert_null(ebpf_helper_find(BPF_FUNC_tail_call)->fn);
	assert_string_equal(ebpf_helper_find(BPF_FUNC_map_lookup_elem)->name,
			    "bpf_map_lookup_elem");
	assert_int_equal(ebpf_helper_find(BPF_FUNC_map_lookup_elem)->ret,
			 EBPF_RET_MAP_VALUE_OR_NULL);
	assert_int_equal(ebpf_helper_find(BPF_FUNC_ringbuf_reserve)->ret,
			 EBPF_RET_ALLOC_MEM_OR_NULL);
	assert_true(ebpf_helper_find(BPF_FUNC_xdp_adjust_head)->changes_packet_data);
	assert_false(ebpf_helper_find(BPF_FUNC_redirect)->changes_packet_data);
	/* XDP programs, and only they, may call the XDP helpers. */
	assert_true(ebpf_prog_type_info(EBPF_PROG_TYPE_XDP)->helper_families &
		    ebpf_helper_find(BPF_FUNC_xdp_adjust_tail)->family);
	assert_false(ebpf_prog_type_info(EBPF_PROG_TYPE_SOCKET_FILTER)->helper_families &
		     ebpf_helper_find(BPF_FUNC_xdp_adjust_tail)->family);
	assert_false(ebpf_prog_type_info(EBPF_PROG_TYPE_UNSPEC)->helper_families &
		     ebpf_helper_find(BPF_FUNC_xdp_adjust_tail)->family);
	assert_null(ebpf_helper_find(0));
	assert_null(ebpf_helper_find(4)); /* probe_read: not offered */
	assert_null(ebpf_helper_find(-1));
	assert_null(ebpf_helper_find(BPF_FUNC_ringbuf_discard + 1));
	assert_null(ebpf_helper_find(BPF_FUNC_xdp_store_bytes + 1));
	assert_null(ebpf_helper_find(100000));
}

/* ---- maps and platform ---------------------------------------------------------- */

static void test_map_helpers(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_HASH, 4, 8, 2, 0, 0};
	struct ebpf_map *map;
	uint32_t key = 7, other = 8, third = 9;
	uint64_t value = 42;
	uint64_t *found;

	assert_int_equal(ebpf_map_create(&def, "h", &map, NULL), 0);
	assert_int_equal(call(BPF_FUNC_map_lookup_elem, reg(map), reg(&key), 0, 0, 0), 0);
	assert_int_equal(
	    call(BPF_FUNC_map_update_elem, reg(map), reg(&key), reg(&value), EBPF_NOEXIST, 0), 0);
	assert_int_equal(
	    call(BPF_FUNC_map_update_elem, reg(map), reg(&key), reg(&value), EBPF_NOEXIST, 0),
	    err_reg(-EEXIST));
	assert_int_equal(
	    call(BPF_FUNC_map_update_elem, reg(map), reg(&other), reg(&value), EBPF_EXIST, 0),
	    err_reg(-ENOENT));
	assert_int_equal(
	    call(BPF_FUNC_map_update_elem, reg(map), reg(&other), reg(&value), EBPF_ANY, 0), 0);
	assert_int_equal(
	    call(BPF_FUNC_map_update_elem, reg(map), reg(&third), reg(&value), EBPF_ANY, 0),
	    err_reg(-E2BIG));
	found = (uint64_t *)(uintptr_t)call(BPF_FUNC_map_lookup_elem, reg(map), reg(&key), 0, 0, 0);
	assert_non_null(found);
	assert_int_equal(*found, 42);
	assert_int_equal(call(BPF_FUNC_map_delete_elem, reg(map), reg(&key), 0, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_map_delete_elem, reg(map), reg(&key), 0, 0, 0),
			 err_reg(-ENOENT));
	ebpf_map_free(map);
}

static void test_platform_helpers(void **state)
{
	assert_int_equal(call(BPF_FUNC_ktime_get_ns, 0, 0, 0, 0, 0), 123456789);
	assert_int_equal(call(BPF_FUNC_ktime_get_boot_ns, 0, 0, 0, 0, 0), 123456789);
	assert_int_equal(call(BPF_FUNC_get_prandom_u32, 0, 0, 0, 0, 0), 0xdecafbad);
	assert_int_equal(call(BPF_FUNC_get_smp_processor_id, 0, 0, 0, 0, 0), 0);
}

/* ---- trace_printk --------------------------------------------------------------- */

static int64_t printk3(const char *fmt, uint64_t a1, uint64_t a2, uint64_t a3)
{
	trace_len = 0;
	trace_text[0] = '\0';
	return (int64_t)call(BPF_FUNC_trace_printk, reg(fmt), strlen(fmt) + 1, a1, a2, a3);
}

static void expect_printk(const char *fmt, uint64_t a1, uint64_t a2, uint64_t a3,
			  const char *expected)
{
	assert_int_equal(printk3(fmt, a1, a2, a3), strlen(expected));
	assert_string_equal(trace_text, expected);
}

static void test_trace_printk_formats(void **state)
{
	expect_printk("plain\n", 0, 0, 0, "plain\n");
	expect_printk("%d %i %u\n", (uint32_t)-5, 7, (uint64_t)-1, "-5 7 4294967295\n");
	expect_printk("%x %X %%\n", 0xbeef, 0xbeef, 0, "beef BEEF %\n");
	expect_printk("%ld %lu %lx", (uint64_t)-2, 1ull << 40, 1ull << 36,
		      "-2 1099511627776 1000000000");
	expect_printk("%lld %llu %llx", (uint64_t)-3, UINT64_MAX, 0xdeadbeefcafeull,
		      "-3 18446744073709551615 deadbeefcafe");
	expect_printk("[%5d|%-4u|%05x]", 42, 7, 0xab, "[   42|7   |000ab]");
	expect_printk("%p %c", 0x1000, 'z', 0, "0x1000 z");
	expect_printk("%px|%pK|%p.", 0xab, 0xcd, 0xef, "0xab|0xcd|0xef.");
}

static void expect_printk_rejected(const char *fmt, size_t fmt_size)
{
	trace_calls = 0;
	assert_int_equal(call(BPF_FUNC_trace_printk, reg(fmt), fmt_size, 1, 2, 3),
			 err_reg(-EINVAL));
	assert_int_equal(trace_calls, 0);
}

static void test_trace_printk_rejects(void **state)
{
	static const char unterminated[4] = {'a', 'b', 'c', 'd'};

	expect_printk_rejected("%d %d %d %d", 12);
	expect_printk_rejected("%s", 3);
	expect_printk_rejected("%q", 3);
	expect_printk_rejected("%pI4", 5);
	expect_printk_rejected("%pks", 5);
	expect_printk_rejected("%lllx", 6);
	expect_printk_rejected("%", 2);
	expect_printk_rejected("bell\a", 6);
	expect_printk_rejected(unterminated, sizeof(unterminated));
	expect_printk_rejected("ok", 0);
}

/* ---- csum_diff ------------------------------------------------------------------- */

/* RFC 1071: fold a 32-bit ones'-complement sum to 16 bits. */
static uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * The IPv4 header of RFC 1071's worked examples' kind: 45 00 00 73 00 00
 * 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7, whose checksum is 0xb861.
 */
static const uint8_t ipv4_header[20] = {
    0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
    0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

static void test_csum_diff_sums_words(void **state)
{
	uint32_t header[5];
	uint64_t sum;

	memcpy(header, ipv4_header, sizeof(header));
	/*
	 * By hand: the little-endian words are 0x73000045, 0x00400000,
	 * 0x00001140, 0x0100a8c0, 0xc700a8c0; their sum is 0x1_3b41_6305,
	 * and adding the carry back gives 0x3b416306.
	 */
	sum = call(BPF_FUNC_csum_diff, 0, 0, reg(header), sizeof(header), 0);
	assert_int_equal(sum, 0x3b416306);
	/* Stored in memory, the folded complement is the bytes b8 61. */
	uint16_t check = csum_fold((uint32_t)sum);
	assert_memory_equal(&check, "\xb8\x61", 2);
	/* The seed is added in. */
	assert_int_equal(call(BPF_FUNC_csum_diff, 0, 0, reg(header), sizeof(header), 1),
			 0x3b416307);
	/* Nothing to sum: the seed comes back. */
	assert_int_equal(call(BPF_FUNC_csum_diff, 0, 0, 0, 0, 0x1234), 0x1234);
}

/* RFC 1624 incremental update: HC' = ~(~HC + ~m + m'). */
static void test_csum_diff_incremental_update(void **state)
{
	uint8_t packet[20];
	uint32_t old_word, new_word;
	uint16_t old_check, new_check, full_check;

	memcpy(packet, ipv4_header, sizeof(packet));
	memcpy(packet + 10, "\xb8\x61", 2);
	memcpy(&old_check, packet + 10, 2);
	memcpy(&old_word, packet + 8, 4); /* TTL, protocol, checksum */
	packet[8] = 0x3f;		  /* decrement TTL */
	memcpy(packet + 10, "\x00\x00", 2);
	memcpy(&new_word, packet + 8, 4);
	/* The checksum field is part of the word: take it out of both. */
	old_word &= 0x0000ffff;
	new_check = csum_fold((uint32_t)call(BPF_FUNC_csum_diff, reg(&old_word), 4, reg(&new_word),
					     4, (uint16_t)~old_check));
	full_check = csum_fold((uint32_t)call(BPF_FUNC_csum_diff, 0, 0, reg(packet), 20, 0));
	assert_int_equal(new_check, full_check);
	assert_memory_equal(&new_check, "\xb9\x61", 2);
}

static void test_csum_diff_rejects_bad_sizes(void **state)
{
	uint8_t bytes[EBPF_STACK_SIZE + 4] = {0};

	assert_int_equal(call(BPF_FUNC_csum_diff, 0, 0, reg(bytes), 6, 0), err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_csum_diff, reg(bytes), 2, 0, 0, 0), err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_csum_diff, reg(bytes), 256, reg(bytes), 260, 0),
			 err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_csum_diff, 0, 0, reg(bytes), EBPF_STACK_SIZE + 4, 0),
			 err_reg(-EINVAL));
	/*
	 * 512 bytes in all is the limit. Removing 64 zero words adds 64 times
	 * 0xffffffff: ones'-complement zero, in the representation Linux's
	 * csum_partial also returns.
	 */
	assert_int_equal(call(BPF_FUNC_csum_diff, reg(bytes), 256, reg(bytes), 256, 0), 0xffffffff);
}

/* ---- XDP ---------------------------------------------------------------------------- */

/*
 * BPF_PROG_TEST_RUN's buffer: a page, the frame 256 bytes in. Linux keeps
 * its first 40 bytes (struct xdp_frame) and its last 320 (struct
 * skb_shared_info) on x86-64: what a program may grow into is the rest.
 */
#define BUF_SIZE	  EBPF_XDP_FRAME_SIZE
#define HEADROOM	  EBPF_XDP_HEADROOM
#define XDP_FRAME_BYTES	  40
#define SHARED_INFO_BYTES 320
#define HEAD_ROOM	  (HEADROOM - XDP_FRAME_BYTES)
#define FRAME_LEN	  64
#define TAILROOM	  (BUF_SIZE - SHARED_INFO_BYTES - HEADROOM - FRAME_LEN)
#define ETH_HLEN	  14

struct xdp_fixture {
	uint8_t *buf;
	struct ebpf_xdp_buff xb;
};

static int xdp_setup(void **state)
{
	static struct xdp_fixture fixture;

	install_fake_platform(state);
	fixture.buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(fixture.buf != MAP_FAILED);
	for (size_t i = 0; i < BUF_SIZE; i++)
		fixture.buf[i] = (uint8_t)i;
	assert_int_equal(ebpf_xdp_init(&fixture.xb, fixture.buf, fixture.buf + BUF_SIZE,
				       fixture.buf + HEADROOM, FRAME_LEN, 3, 1),
			 0);
	*state = &fixture;
	return 0;
}

static int xdp_teardown(void **state)
{
	struct xdp_fixture *fixture = *state;

	munmap(fixture->buf, BUF_SIZE);
	return 0;
}

static uint8_t *md_ptr(uint32_t field)
{
	return (uint8_t *)(uintptr_t)field;
}

static uint64_t xdp_call(struct xdp_fixture *f, int32_t id, int32_t delta)
{
	return call(id, reg(&f->xb), (uint64_t)(int64_t)delta, 0, 0, 0);
}

static void test_xdp_init_fills_md(void **state)
{
	struct xdp_fixture *f = *state;

	assert_ptr_equal(md_ptr(f->xb.md.data), f->buf + HEADROOM);
	assert_ptr_equal(md_ptr(f->xb.md.data_end), f->buf + HEADROOM + FRAME_LEN);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), f->buf + HEADROOM);
	assert_int_equal(f->xb.md.ingress_ifindex, 3);
	assert_int_equal(f->xb.md.rx_queue_index, 1);
	assert_int_equal(f->xb.md.egress_ifindex, 0);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_NONE);
	assert_ptr_equal((void *)&f->xb, (void *)&f->xb.md);
}

static void test_xdp_init_range_checks(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_xdp_buff xb;
	uint8_t *end = f->buf + BUF_SIZE;
	uint8_t *high = (uint8_t *)(uintptr_t)(1ull << 32);

	assert_int_equal(ebpf_xdp_init(&xb, f->buf, end, f->buf - 1, 1, 0, 0), -EINVAL);
	assert_int_equal(ebpf_xdp_init(&xb, f->buf, end, end - 10, 11, 0, 0), -EINVAL);
	assert_int_equal(ebpf_xdp_init(&xb, f->buf, end, f->buf, SIZE_MAX, 0, 0), -EINVAL);
	assert_int_equal(ebpf_xdp_init(&xb, end, f->buf, end, 0, 0, 0), -EINVAL);
	assert_int_equal(ebpf_xdp_init(&xb, NULL, end, f->buf, 1, 0, 0), -EINVAL);
	assert_int_equal(ebpf_xdp_init(&xb, end - 10, end, end - 10, 10, 0, 0), 0);
	assert_int_equal(ebpf_xdp_init(&xb, high, high + 100, high + 10, 20, 0, 0), -ERANGE);
	assert_int_equal(ebpf_xdp_init(&xb, high - 100, high, high - 50, 20, 0, 0), -ERANGE);
	assert_int_equal(ebpf_xdp_init(&xb, high - 100, high - 1, high - 50, 49, 0, 0), 0);
}

static void test_xdp_adjust_head_bounds(void **state)
{
	struct xdp_fixture *f = *state;
	uint8_t *data_end = md_ptr(f->xb.md.data_end);

	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, -HEAD_ROOM - 1), err_reg(-EINVAL));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, FRAME_LEN - ETH_HLEN + 1),
			 err_reg(-EINVAL));
	assert_ptr_equal(md_ptr(f->xb.md.data), f->buf + HEADROOM);
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, -HEAD_ROOM), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data), f->buf + XDP_FRAME_BYTES);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), f->buf + XDP_FRAME_BYTES);
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, HEAD_ROOM + FRAME_LEN - ETH_HLEN),
			 0);
	assert_ptr_equal(md_ptr(f->xb.md.data), data_end - ETH_HLEN);
	assert_ptr_equal(md_ptr(f->xb.md.data_end), data_end);
	/* The 32-bit delta is signed even when the register's upper half is 0. */
	assert_int_equal(call(BPF_FUNC_xdp_adjust_head, reg(&f->xb), (uint32_t)-8, 0, 0, 0), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data), data_end - ETH_HLEN - 8);
}

static void test_xdp_adjust_meta_moves_with_head(void **state)
{
	struct xdp_fixture *f = *state;
	uint8_t *data = md_ptr(f->xb.md.data);

	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, 1), err_reg(-EINVAL));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -2), err_reg(-EACCES));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -36), err_reg(-EACCES));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -HEAD_ROOM - 4), err_reg(-EINVAL));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -8), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), data - 8);
	memcpy(data - 8, "metadata", 8);

	/* The head cannot push the metadata into Linux's struct xdp_frame ... */
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, -HEAD_ROOM + 7), err_reg(-EINVAL));
	/* ... and when it moves, the metadata moves with it. */
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_head, -HEAD_ROOM + 8), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), f->buf + XDP_FRAME_BYTES);
	assert_ptr_equal(md_ptr(f->xb.md.data), f->buf + XDP_FRAME_BYTES + 8);
	assert_memory_equal(f->buf + XDP_FRAME_BYTES, "metadata", 8);
	/* Nor can the metadata grow into it. */
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -4), err_reg(-EINVAL));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, 8), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), md_ptr(f->xb.md.data));
}

/*
 * Linux 6.1's xdp_metalen_invalid: the metadata is a multiple of 4 bytes
 * and at most 32 (newer kernels allow up to 252). Refused sizes leave the
 * metadata where it was.
 */
static void test_xdp_adjust_meta_size_is_linux_6_1s(void **state)
{
	struct xdp_fixture *f = *state;
	uint8_t *data = md_ptr(f->xb.md.data);

	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -32), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), data - 32);
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, -4), err_reg(-EACCES));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, 2), err_reg(-EACCES));
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), data - 32);
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_meta, 28), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_meta), data - 4);
}

static void test_xdp_adjust_tail_bounds(void **state)
{
	struct xdp_fixture *f = *state;
	uint8_t *data = md_ptr(f->xb.md.data);
	uint8_t *buf_end = f->buf + BUF_SIZE;
	uint8_t zeros[TAILROOM] = {0};

	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_tail, TAILROOM + 1), err_reg(-EINVAL));
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_tail, -(FRAME_LEN - ETH_HLEN) - 1),
			 err_reg(-EINVAL));
	assert_ptr_equal(md_ptr(f->xb.md.data_end), data + FRAME_LEN);
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_tail, -(FRAME_LEN - ETH_HLEN)), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_end), data + ETH_HLEN);
	/* Growing clears the bytes the packet gains, up to Linux's skb_shared_info. */
	assert_int_equal(xdp_call(f, BPF_FUNC_xdp_adjust_tail, FRAME_LEN - ETH_HLEN + TAILROOM), 0);
	assert_ptr_equal(md_ptr(f->xb.md.data_end), buf_end - SHARED_INFO_BYTES);
	assert_memory_equal(data + ETH_HLEN, zeros, TAILROOM);
	assert_int_equal(data[ETH_HLEN - 1], (uint8_t)(HEADROOM + ETH_HLEN - 1));
}

/*
 * bpf_xdp_load_bytes/store_bytes reach [offset, offset + len) of the frame
 * only: -EINVAL past its end, -EFAULT past 16 bits (Linux's
 * bpf_xdp_pointer); a failed load zeroes the buffer it was given.
 */
static void test_xdp_load_store_bytes(void **state)
{
	struct xdp_fixture *f = *state;
	uint8_t *data = md_ptr(f->xb.md.data);
	uint8_t out[8], in[4] = {0xde, 0xad, 0xbe, 0xef};
	uint64_t ctx = reg(&f->xb);

	assert_int_equal(call(BPF_FUNC_xdp_get_buff_len, ctx, 0, 0, 0, 0), FRAME_LEN);
	assert_int_equal(call(BPF_FUNC_xdp_load_bytes, ctx, FRAME_LEN - 8, reg(out), 8, 0), 0);
	assert_memory_equal(out, data + FRAME_LEN - 8, 8);
	assert_int_equal(call(BPF_FUNC_xdp_load_bytes, ctx, FRAME_LEN - 7, reg(out), 8, 0),
			 err_reg(-EINVAL));
	assert_memory_equal(out, (uint8_t[8]){0}, 8);
	assert_int_equal(call(BPF_FUNC_xdp_load_bytes, ctx, 0x10000, reg(out), 8, 0),
			 err_reg(-EFAULT));
	assert_int_equal(call(BPF_FUNC_xdp_store_bytes, ctx, 2, reg(in), sizeof(in), 0), 0);
	assert_memory_equal(data + 2, in, sizeof(in));
	assert_int_equal(call(BPF_FUNC_xdp_store_bytes, ctx, FRAME_LEN - 3, reg(in), sizeof(in), 0),
			 err_reg(-EINVAL));
	assert_int_equal(data[FRAME_LEN - 3], (uint8_t)(HEADROOM + FRAME_LEN - 3));
}

/* A page for any frame that fits beside the headroom and Linux's tail; more for others. */
static void test_xdp_buf_size(void **state)
{
	(void)state;
	assert_int_equal(ebpf_xdp_buf_size(0), BUF_SIZE);
	assert_int_equal(ebpf_xdp_buf_size(BUF_SIZE - HEADROOM - SHARED_INFO_BYTES), BUF_SIZE);
	assert_int_equal(ebpf_xdp_buf_size(BUF_SIZE - HEADROOM - SHARED_INFO_BYTES + 1),
			 BUF_SIZE + 1);
	assert_int_equal(ebpf_xdp_buf_size(9000), HEADROOM + 9000 + SHARED_INFO_BYTES);
}

/* A buffer smaller than what Linux keeps of it leaves a program no room to grow. */
static void test_xdp_small_buffer_has_no_room(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_xdp_buff xb;

	assert_int_equal(ebpf_xdp_init(&xb, f->buf, f->buf + 100, f->buf + 20, 60, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_xdp_adjust_head, reg(&xb), 0, 0, 0, 0), err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_xdp_adjust_head, reg(&xb), 20, 0, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_xdp_adjust_tail, reg(&xb), 1, 0, 0, 0), err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_xdp_adjust_tail, reg(&xb), (uint64_t)-1, 0, 0, 0),
			 err_reg(-EINVAL));
	assert_ptr_equal(md_ptr(xb.md.data), f->buf + 40);
	assert_ptr_equal(md_ptr(xb.md.data_end), f->buf + 80);
}

/* ---- redirects -------------------------------------------------------------------------- */

static void test_redirect(void **state)
{
	struct xdp_fixture *f = *state;

	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	assert_int_equal(call(BPF_FUNC_redirect, 5, 1, 0, 0, 0), EBPF_XDP_ABORTED);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	assert_int_equal(call(BPF_FUNC_redirect, 5, 0, 0, 0, 0), EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_DEVICE);
	assert_int_equal(f->xb.redirect.index, 5);
	/* The next packet starts with no target. */
	assert_int_equal(
	    ebpf_xdp_init(&f->xb, f->buf, f->buf + BUF_SIZE, f->buf + HEADROOM, FRAME_LEN, 3, 0),
	    0);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_NONE);
}

static void test_redirect_map_hit_and_miss(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, 0};
	struct ebpf_map *devmap;
	uint32_t key = 1, ifindex = 9;

	assert_int_equal(ebpf_map_create(&def, "tx_ports", &devmap, NULL), 0);
	assert_int_equal(ebpf_map_update(devmap, &key, &ifindex, EBPF_ANY), 0);

	/* Misses return the fallback verdict from the flags' low bits. */
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 2, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_PASS);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 2, 0, 0, 0), EBPF_XDP_ABORTED);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 4, EBPF_XDP_DROP, 0, 0),
			 EBPF_XDP_DROP);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	/* Flags Linux does not know abort (bit 5, above BPF_F_EXCLUDE_INGRESS). */
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 1, 1u << 5, 0, 0),
			 EBPF_XDP_ABORTED);

	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 1, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.index, 9);
	ebpf_map_free(devmap);
}

/*
 * BPF_F_BROADCAST: the key is ignored and every device of the devmap is a
 * target, in key order, the receiving one (ifindex 3 here) left out under
 * BPF_F_EXCLUDE_INGRESS; a later miss forgets the broadcast, as in Linux.
 */
static void test_redirect_map_broadcast(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_DEVMAP, 4, 4, 8, 0, 0};
	struct ebpf_map *devmap;
	uint32_t targets[8], slots[] = {1, 3, 6}, ifindexes[] = {2, 3, 7};
	size_t i;

	assert_int_equal(ebpf_map_create(&def, "all_ports", &devmap, NULL), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ebpf_map_update(devmap, &slots[i], &ifindexes[i], EBPF_ANY), 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 5, BPF_F_BROADCAST, 0, 0),
			 EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_BROADCAST);
	assert_ptr_equal(f->xb.redirect.broadcast, devmap);
	assert_int_equal(ebpf_xdp_broadcast_targets(&f->xb, targets, 8), 3);
	assert_memory_equal(targets, ifindexes, sizeof(ifindexes));
	assert_int_equal(ebpf_xdp_broadcast_targets(&f->xb, targets, 2), 2);

	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 0,
			      BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS, 0, 0),
			 EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(ebpf_xdp_broadcast_targets(&f->xb, targets, 8), 2);
	assert_int_equal(targets[0], 2);
	assert_int_equal(targets[1], 7);

	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 0, EBPF_XDP_DROP, 0, 0),
			 EBPF_XDP_DROP);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_NONE);
	ebpf_map_free(devmap);
}

/* bpf_redirect_map on a devmap_hash: any u32 key names a device. */
static void test_redirect_map_devmap_hash(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0, 0};
	struct ebpf_map *devmap;
	uint32_t key = 0xc0a80001, ifindex = 5;

	assert_int_equal(ebpf_map_create(&def, "by_addr", &devmap, NULL), 0);
	assert_int_equal(ebpf_map_update(devmap, &key, &ifindex, EBPF_ANY), 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), 0xc0a80002, EBPF_XDP_DROP, 0, 0),
			 EBPF_XDP_DROP);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(devmap), key, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.index, 5);
	ebpf_map_free(devmap);
}

/*
 * bpf_redirect_map on a cpumap: a CPU with a queue is the target, an
 * empty slot falls back; cpumaps take no broadcast flags (Linux aborts).
 */
static void test_redirect_map_cpumap(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_CPUMAP, 4, 4, 4, 0, 0};
	struct ebpf_map *cpumap;
	uint32_t cpu = 0, qsize = 64;

	assert_int_equal(ebpf_map_create(&def, "cpus", &cpumap, NULL), 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(cpumap), 0, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_PASS);
	assert_int_equal(ebpf_map_update(cpumap, &cpu, &qsize, EBPF_ANY), 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(cpumap), 0, BPF_F_BROADCAST, 0, 0),
			 EBPF_XDP_ABORTED);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(cpumap), 0, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_CPU);
	assert_int_equal(f->xb.redirect.index, 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(cpumap), 3, EBPF_XDP_DROP, 0, 0),
			 EBPF_XDP_DROP);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	ebpf_map_free(cpumap);
}

/*
 * bpf_redirect_map on an xskmap: the socket stored under the key is the
 * target; a program's lookup sees the queue it is bound to; an emptied
 * slot falls back, as xsk_def_prog relies on.
 */
static void test_redirect_map_xskmap(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_XSKMAP, 4, 4, 2, 0, 0};
	struct ebpf_map *xskmap;
	int socket = 0;
	uint32_t key = 1, *queue_id;

	assert_int_equal(ebpf_map_create(&def, "xsks_map", &xskmap, NULL), 0);
	assert_null(ebpf_map_lookup_ptr(xskmap, &key));
	assert_int_equal(ebpf_xskmap_update(xskmap, key, &socket, 7, EBPF_ANY), 0);
	queue_id = ebpf_map_lookup_ptr(xskmap, &key);
	assert_non_null(queue_id);
	assert_int_equal(*queue_id, 7);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(xskmap), 1, BPF_F_BROADCAST, 0, 0),
			 EBPF_XDP_ABORTED);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(xskmap), 0, EBPF_XDP_PASS, 0, 0),
			 EBPF_XDP_PASS);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(xskmap), 1, 0, 0, 0), EBPF_XDP_REDIRECT);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), 0);
	assert_int_equal(f->xb.redirect.kind, EBPF_XDP_TARGET_XSK);
	assert_int_equal(f->xb.redirect.index, 1);
	assert_ptr_equal(f->xb.redirect.xsk, &socket);
	assert_int_equal(ebpf_map_delete(xskmap, &key), 0);
	assert_int_equal(call(BPF_FUNC_redirect_map, reg(xskmap), 1, EBPF_XDP_DROP, 0, 0),
			 EBPF_XDP_DROP);
	assert_int_equal(ebpf_xdp_redirect_target(&f->xb), -ENOENT);
	ebpf_map_free(xskmap);
}

/* ---- bpf_perf_event_output --------------------------------------------------------- */

static int first_record(void *ctx, uint32_t cpu, const void *data, size_t len)
{
	uint8_t *out = ctx;

	out[0] = (uint8_t)cpu;
	out[1] = (uint8_t)len;
	memcpy(out + 2, data, len);
	return 1;
}

/* XDP's version: flags' upper half appends frame bytes (Linux's BPF_F_CTXLEN_MASK). */
static void test_perf_event_output(void **state)
{
	struct xdp_fixture *f = *state;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, 0, 0};
	struct ebpf_map *map;
	uint32_t meta = 0xaabbccdd;
	uint8_t out[2 + FRAME_LEN + 8] = {0};

	assert_int_equal(ebpf_map_create(&def, "events", &map, NULL), 0);
	assert_int_equal(call(BPF_FUNC_perf_event_output, reg(&f->xb), reg(map),
			      BPF_F_CURRENT_CPU | (uint64_t)4 << 32, reg(&meta), sizeof(meta)),
			 0);
	assert_int_equal(ebpf_perf_event_consume(map, first_record, NULL, out), 1);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 12); /* 4 + 4 bytes, padded as perf pads: 12 */
	assert_memory_equal(out + 2, &meta, sizeof(meta));
	assert_memory_equal(out + 6, f->buf + HEADROOM, 4);
	/* Unknown flags, more frame than there is, a slot past the array. */
	assert_int_equal(call(BPF_FUNC_perf_event_output, reg(&f->xb), reg(map), 1ull << 60,
			      reg(&meta), sizeof(meta)),
			 err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_perf_event_output, reg(&f->xb), reg(map),
			      BPF_F_CURRENT_CPU | (uint64_t)(FRAME_LEN + 1) << 32, reg(&meta),
			      sizeof(meta)),
			 err_reg(-EFAULT));
	assert_int_equal(
	    call(BPF_FUNC_perf_event_output, reg(&f->xb), reg(map), 2, reg(&meta), sizeof(meta)),
	    err_reg(-E2BIG));
	assert_int_equal(call(BPF_FUNC_perf_event_output, reg(&f->xb), reg(map),
			      1 | (uint64_t)FRAME_LEN << 32, 0, 0),
			 0);
	assert_int_equal(ebpf_perf_event_consume(map, first_record, NULL, out), 1);
	assert_int_equal(out[0], 1);
	ebpf_map_free(map);
}

/* ---- queue, stack and bloom filter helpers ------------------------------------------------ */

static void test_push_pop_peek_helpers(void **state)
{
	struct ebpf_map_def queue_def = {EBPF_MAP_TYPE_QUEUE, 0, 8, 2, 0, 0};
	struct ebpf_map_def bloom_def = {EBPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 16, 0, 0};
	struct ebpf_map *queue, *bloom;
	uint64_t value = 11, out = 0;
	uint32_t member = 3, other = 4;

	assert_int_equal(ebpf_map_create(&queue_def, "q", &queue, NULL), 0);
	assert_int_equal(ebpf_map_create(&bloom_def, "b", &bloom, NULL), 0);
	assert_int_equal(call(BPF_FUNC_map_push_elem, reg(queue), reg(&value), EBPF_ANY, 0, 0), 0);
	value = 12;
	assert_int_equal(call(BPF_FUNC_map_push_elem, reg(queue), reg(&value), EBPF_ANY, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_map_push_elem, reg(queue), reg(&value), EBPF_ANY, 0, 0),
			 err_reg(-E2BIG));
	assert_int_equal(call(BPF_FUNC_map_push_elem, reg(queue), reg(&value), EBPF_NOEXIST, 0, 0),
			 err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_map_peek_elem, reg(queue), reg(&out), 0, 0, 0), 0);
	assert_true(out == 11);
	assert_int_equal(call(BPF_FUNC_map_pop_elem, reg(queue), reg(&out), 0, 0, 0), 0);
	assert_true(out == 11);
	assert_int_equal(call(BPF_FUNC_map_pop_elem, reg(queue), reg(&out), 0, 0, 0), 0);
	assert_true(out == 12);
	out = 99;
	assert_int_equal(call(BPF_FUNC_map_pop_elem, reg(queue), reg(&out), 0, 0, 0),
			 err_reg(-ENOENT));
	assert_true(out == 0);

	assert_int_equal(call(BPF_FUNC_map_peek_elem, reg(bloom), reg(&member), 0, 0, 0),
			 err_reg(-ENOENT));
	assert_int_equal(call(BPF_FUNC_map_push_elem, reg(bloom), reg(&member), EBPF_ANY, 0, 0), 0);
	assert_int_equal(call(BPF_FUNC_map_peek_elem, reg(bloom), reg(&member), 0, 0, 0), 0);
	assert_int_equal(member, 3); /* peek reads a bloom filter's value, never writes it */
	assert_int_equal(call(BPF_FUNC_map_pop_elem, reg(bloom), reg(&other), 0, 0, 0),
			 err_reg(-EOPNOTSUPP));
	ebpf_map_free(queue);
	ebpf_map_free(bloom);
}

/* ---- ring buffer helpers -------------------------------------------------------------------- */

static int count_bytes(void *ctx, const void *data, size_t len)
{
	*(size_t *)ctx += len;
	return 0;
}

/* ---- callbacks and spin locks ------------------------------------------------ */

/* A callback as an engine makes one: records its calls, stops at stop_at. */
struct recording_callback {
	struct ebpf_callback cb; /* first: the helper gets its address */
	uint64_t args[8][4];
	uint64_t calls, stop_at;
	struct ebpf_map *delete_from;
};

static uint64_t record_call(const struct ebpf_callback *cb, uint64_t r1, uint64_t r2, uint64_t r3,
			    uint64_t r4)
{
	struct recording_callback *rec = (struct recording_callback *)(uintptr_t)cb;
	uint64_t k = rec->calls++;

	if (k < 8) {
		rec->args[k][0] = r1;
		rec->args[k][1] = r2;
		rec->args[k][2] = r3;
		rec->args[k][3] = r4;
	}
	/* bpf_for_each_map_elem: deleting the element given must not upset the walk */
	if (rec->delete_from)
		assert_int_equal(ebpf_map_delete(rec->delete_from, (const void *)(uintptr_t)r2), 0);
	return k + 1 == rec->stop_at;
}

static void test_loop_helper(void **state)
{
	struct recording_callback rec = {.cb.call = record_call, .stop_at = 3};
	uint64_t ctx = 77;

	assert_int_equal(call(BPF_FUNC_loop, 10, reg(&rec), reg(&ctx), 0, 0), 3);
	assert_int_equal(rec.calls, 3);
	assert_int_equal(rec.args[2][0], 2);
	assert_int_equal(rec.args[2][1], reg(&ctx));
	assert_int_equal(rec.args[2][2], 0);
	rec.calls = 0;
	rec.stop_at = 0;
	/* Linux's nr_loops is a u32: the upper half is ignored */
	assert_int_equal(call(BPF_FUNC_loop, (1ull << 32) | 5, reg(&rec), 0, 0, 0), 5);
	assert_int_equal(rec.calls, 5);
	assert_int_equal(call(BPF_FUNC_loop, 1, reg(&rec), 0, 1, 0), err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_loop, (1u << 23) + 1, reg(&rec), 0, 0, 0), err_reg(-E2BIG));
	assert_int_equal(rec.calls, 5);
	assert_int_equal(call(BPF_FUNC_loop, 1u << 23, reg(&rec), 0, 0, 0), 1u << 23);
}

static void test_for_each_map_elem_helper(void **state)
{
	const struct ebpf_map_def array_def = {EBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0};
	const struct ebpf_map_def hash_def = {EBPF_MAP_TYPE_HASH, 4, 8, 8, 0, 0};
	struct recording_callback rec = {.cb.call = record_call, .stop_at = 2};
	struct ebpf_map *array, *hash;
	uint64_t value = 9;
	uint32_t key;

	assert_int_equal(ebpf_map_create(&array_def, "array", &array, NULL), 0);
	assert_int_equal(ebpf_map_create(&hash_def, "hash", &hash, NULL), 0);
	/* an array: every index, stopping after the callback returns 1 */
	assert_int_equal(call(BPF_FUNC_for_each_map_elem, reg(array), reg(&rec), 5, 0, 0), 2);
	assert_int_equal(rec.args[1][0], reg(array));
	assert_int_equal(*(uint32_t *)(uintptr_t)rec.args[1][1], 1);
	assert_int_equal(rec.args[1][2], reg(ebpf_map_lookup_ptr(array, &(uint32_t){1})));
	assert_int_equal(rec.args[1][3], 5);
	assert_int_equal(call(BPF_FUNC_for_each_map_elem, reg(array), reg(&rec), 0, 1, 0),
			 err_reg(-EINVAL));
	/* a hash whose callback deletes each element: each is seen once */
	for (key = 0; key < 6; key++)
		assert_int_equal(ebpf_map_update(hash, &key, &value, 0), 0);
	rec = (struct recording_callback){.cb.call = record_call, .delete_from = hash};
	assert_int_equal(call(BPF_FUNC_for_each_map_elem, reg(hash), reg(&rec), 0, 0, 0), 6);
	assert_int_equal(rec.calls, 6);
	assert_int_equal(ebpf_map_get_next_key(hash, NULL, &key), -ENOENT);
	ebpf_map_free(array);
	ebpf_map_free(hash);
}

/* Updates copy a value around its lock word; EBPF_F_LOCK copies under the lock. */
static void test_update_leaves_the_lock(void **state)
{
	const struct ebpf_map_def array_def = {EBPF_MAP_TYPE_ARRAY, 4, 16, 1, 0, 0};
	const struct ebpf_map_def hash_def = {EBPF_MAP_TYPE_HASH, 4, 16, 2, 0, 0};
	const uint8_t held[16] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 1, 1, 1, 9, 9, 9, 9};
	struct ebpf_map *array, *hash;
	uint32_t key = 0, lock;
	uint8_t *value;

	assert_int_equal(ebpf_map_create(&array_def, "array", &array, NULL), 0);
	assert_int_equal(ebpf_map_create(&hash_def, "hash", &hash, NULL), 0);
	assert_int_equal(ebpf_map_update(array, &key, held, EBPF_F_LOCK), -EINVAL);
	ebpf_map_set_spin_lock(array, 8);
	ebpf_map_set_spin_lock(hash, 8);
	assert_int_equal(ebpf_map_update(array, &key, held, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_update(array, &key, held, EBPF_F_LOCK), 0);
	assert_int_equal(ebpf_map_update(array, &key, held, EBPF_F_LOCK | EBPF_NOEXIST), -EEXIST);
	value = ebpf_map_lookup_ptr(array, &key);
	memcpy(&lock, value + 8, sizeof(lock));
	assert_int_equal(lock, 0);
	assert_memory_equal(value, held, 8);
	assert_memory_equal(value + 12, held + 12, 4);
	assert_int_equal(ebpf_map_update(hash, &key, held, EBPF_F_LOCK | EBPF_EXIST), -ENOENT);
	assert_int_equal(ebpf_map_update(hash, &key, held, EBPF_F_LOCK), 0);
	assert_int_equal(ebpf_map_update(hash, &key, held, EBPF_F_LOCK | EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_map_update(hash, &key, held, EBPF_F_LOCK), 0);
	value = ebpf_map_lookup_ptr(hash, &key);
	memcpy(&lock, value + 8, sizeof(lock));
	assert_int_equal(lock, 0);
	assert_memory_equal(value + 12, held + 12, 4);
	ebpf_map_free(array);
	ebpf_map_free(hash);
}

static void test_spin_lock_helpers(void **state)
{
	uint32_t lock = 0;

	call(BPF_FUNC_spin_lock, reg(&lock), 0, 0, 0, 0);
	assert_int_equal(lock, 1);
	call(BPF_FUNC_spin_unlock, reg(&lock), 0, 0, 0, 0);
	assert_int_equal(lock, 0);
}

static void test_ringbuf_helpers(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 0};
	struct ebpf_map *ring;
	uint8_t *record;
	uint64_t payload = 77;
	size_t bytes = 0;

	assert_int_equal(ebpf_map_create(&def, "events", &ring, NULL), 0);
	assert_int_equal(call(BPF_FUNC_ringbuf_reserve, reg(ring), 16, 1, 0, 0), 0);
	record = (uint8_t *)(uintptr_t)call(BPF_FUNC_ringbuf_reserve, reg(ring), 16, 0, 0, 0);
	assert_non_null(record);
	memset(record, 1, 16);
	call(BPF_FUNC_ringbuf_submit, reg(record), 0, 0, 0, 0);
	record = (uint8_t *)(uintptr_t)call(BPF_FUNC_ringbuf_reserve, reg(ring), 24, 0, 0, 0);
	assert_non_null(record);
	call(BPF_FUNC_ringbuf_discard, reg(record), 0, 0, 0, 0);
	assert_int_equal(call(BPF_FUNC_ringbuf_output, reg(ring), reg(&payload), 8, 2, 0), 0);
	assert_int_equal(call(BPF_FUNC_ringbuf_output, reg(ring), reg(&payload), 8, 4, 0),
			 err_reg(-EINVAL));
	assert_int_equal(call(BPF_FUNC_ringbuf_output, reg(ring), reg(&payload), 8000, 0, 0),
			 err_reg(-EAGAIN));
	assert_int_equal(ebpf_ringbuf_consume(ring, count_bytes, &bytes), 2);
	assert_int_equal(bytes, 16 + 8);
	ebpf_map_free(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table_offers_linux_numbers),
	    cmocka_unit_test_setup(test_map_helpers, install_fake_platform),
	    cmocka_unit_test_setup(test_platform_helpers, install_fake_platform),
	    cmocka_unit_test_setup(test_trace_printk_formats, install_fake_platform),
	    cmocka_unit_test_setup(test_trace_printk_rejects, install_fake_platform),
	    cmocka_unit_test(test_csum_diff_sums_words),
	    cmocka_unit_test(test_csum_diff_incremental_update),
	    cmocka_unit_test(test_csum_diff_rejects_bad_sizes),
	    cmocka_unit_test_setup_teardown(test_xdp_init_fills_md, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_init_range_checks, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_adjust_head_bounds, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_adjust_meta_moves_with_head, xdp_setup,
					    xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_adjust_meta_size_is_linux_6_1s, xdp_setup,
					    xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_adjust_tail_bounds, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_xdp_load_store_bytes, xdp_setup, xdp_teardown),
	    cmocka_unit_test(test_xdp_buf_size),
	    cmocka_unit_test_setup_teardown(test_xdp_small_buffer_has_no_room, xdp_setup,
					    xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect_map_hit_and_miss, xdp_setup,
					    xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect_map_broadcast, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect_map_devmap_hash, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect_map_cpumap, xdp_setup, xdp_teardown),
	    cmocka_unit_test_setup_teardown(test_redirect_map_xskmap, xdp_setup, xdp_teardown),
	    cmocka_unit_test(test_push_pop_peek_helpers),
	    cmocka_unit_test_setup_teardown(test_perf_event_output, xdp_setup, xdp_teardown),
	    cmocka_unit_test(test_ringbuf_helpers),
	    cmocka_unit_test(test_loop_helper),
	    cmocka_unit_test(test_for_each_map_elem_helper),
	    cmocka_unit_test(test_spin_lock_helpers),
	    cmocka_unit_test(test_update_leaves_the_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
