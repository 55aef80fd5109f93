/*
 * The control protocol (ebpf/ctl_wire.c) and its executor (ebpf/ctl.c):
 * every message round-trips through the codec, every malformed message
 * is refused with the field and offset named, and requests executed
 * against a registry load a clang-built object (tests/ebpf/progs/ctl.c),
 * refuse what the verifier refuses without changing anything, keep ids
 * growing, hold to their limits, and reach the program through a fake
 * NIC: a map update is seen by the next frame.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <linux/bpf.h>

#include "ctl.h"
#include "ctl_wire.h"
#include "ebpf.h"
#include "host_platform.h"

#define MSG_SIZE	 (64 * 1024)
#define IFINDEX		 3
#define FRAME_LEN	 60
#define RULE_DROP	 XDP_DROP
#define COUNTERS_ENTRIES 4

static uint8_t msg[MSG_SIZE];
static uint8_t reply_buf[MSG_SIZE];
static size_t reply_len;
static char log_text[512];
static char audit[512];
static uint8_t *elf;
static size_t elf_len;

static struct ebpf_log fresh_log(void)
{
	log_text[0] = '\0';
	return (struct ebpf_log){.buf = log_text, .size = sizeof(log_text)};
}

static int read_object(void **state)
{
	FILE *f = fopen(CTL_TEST_OBJ, "rb");
	assert_non_null(f);
	elf = malloc(1 << 20);
	elf_len = fread(elf, 1, 1 << 20, f);
	fclose(f);
	assert_true(elf_len > 0);
	host_platform_install();
	return 0;
}

static int free_object(void **state)
{
	free(elf);
	return 0;
}

/* ---- the codec ------------------------------------------------------------- */

static size_t encode(const struct ctl_request *req)
{
	size_t len = 0;
	assert_int_equal(ctl_request_encode(req, msg, sizeof(msg), &len), 0);
	return len;
}

static int decode(size_t len, struct ctl_request *out)
{
	struct ebpf_log log = fresh_log();
	return ctl_request_decode(msg, len, CTL_PAYLOAD_MAX, out, &log);
}

/* Linux's enum bpf_cmd numbers are the message types. */
static void test_types_are_linux_commands(void **state)
{
	assert_int_equal(CTL_MAP_LOOKUP_ELEM, BPF_MAP_LOOKUP_ELEM);
	assert_int_equal(CTL_MAP_UPDATE_ELEM, BPF_MAP_UPDATE_ELEM);
	assert_int_equal(CTL_MAP_DELETE_ELEM, BPF_MAP_DELETE_ELEM);
	assert_int_equal(CTL_MAP_GET_NEXT_KEY, BPF_MAP_GET_NEXT_KEY);
	assert_int_equal(CTL_PROG_LOAD, BPF_PROG_LOAD);
	assert_int_equal(CTL_PROG_ATTACH, BPF_PROG_ATTACH);
	assert_int_equal(CTL_PROG_DETACH, BPF_PROG_DETACH);
	assert_int_equal(CTL_PROG_GET_NEXT_ID, BPF_PROG_GET_NEXT_ID);
	assert_int_equal(CTL_MAP_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID);
	assert_int_equal(CTL_OBJ_GET_INFO, BPF_OBJ_GET_INFO_BY_FD);
	assert_int_equal(CTL_MAP_LOOKUP_BATCH, BPF_MAP_LOOKUP_BATCH);
	assert_int_equal(CTL_LINK_UPDATE, BPF_LINK_UPDATE);
	assert_int_equal(CTL_ENABLE_STATS, BPF_ENABLE_STATS);
	assert_int_equal(CTL_STATS_RUN_TIME, BPF_STATS_RUN_TIME);
	assert_string_equal(ctl_cmd_name(CTL_PROG_LOAD), "BPF_PROG_LOAD");
	assert_null(ctl_cmd_name(0));
}

static void test_header_layout(void **state)
{
	struct ctl_request req = {.type = CTL_OBJ_UNLOAD, .seq = 0x01020304, .unload = {7}};
	size_t len = encode(&req);
	static const uint8_t want[] = {'U', 'K', 'B', 'C', 1, 0, 0x00, 0x10, 4, 3, 2, 1, 4, 0,
				       0,   0,	 0,   0,   0, 0, 0,    0,    0, 0, 7, 0, 0, 0};

	assert_int_equal(len, sizeof(want));
	assert_memory_equal(msg, want, sizeof(want));
}

static void test_requests_round_trip(void **state)
{
	static const uint8_t key[4] = {1, 2, 3, 4}, value[8] = {9, 8, 7, 6, 5, 4, 3, 2};
	struct ctl_request in[] = {
	    {.type = CTL_PROG_LOAD,
	     .seq = 1,
	     .prog_load =
		 {.prog_name = "count_frames", .log_level = 2, .elf = value, .elf_len = 8}},
	    {.type = CTL_MAP_LOOKUP_ELEM,
	     .seq = 2,
	     .map_elem = {.map_id = 5, .key = key, .key_len = 4}},
	    {.type = CTL_MAP_UPDATE_ELEM,
	     .seq = 3,
	     .map_elem = {.map_id = 6,
			  .flags = EBPF_NOEXIST,
			  .key = key,
			  .key_len = 4,
			  .value = value,
			  .value_len = 8}},
	    {.type = CTL_MAP_DELETE_ELEM,
	     .seq = 4,
	     .map_elem = {.map_id = 7, .key = key, .key_len = 4}},
	    {.type = CTL_MAP_GET_NEXT_KEY, .seq = 5, .map_elem = {.map_id = 8}},
	    {.type = CTL_MAP_LOOKUP_BATCH, .seq = 6, .map_batch = {9, 100, key, 4}},
	    {.type = CTL_PROG_GET_NEXT_ID, .seq = 7, .get_next_id = {10}},
	    {.type = CTL_MAP_GET_NEXT_ID, .seq = 8, .get_next_id = {11}},
	    {.type = CTL_OBJ_GET_INFO, .seq = 9, .info = {CTL_OBJ_MAP, 12}},
	    {.type = CTL_PROG_ATTACH, .seq = 10, .attach = {1, 2, 0, 0}},
	    {.type = CTL_PROG_DETACH, .seq = 11, .attach = {1, 0, 0, 0}},
	    {.type = CTL_LINK_UPDATE, .seq = 12, .attach = {1, 3, 2, 0}},
	    {.type = CTL_ENABLE_STATS, .seq = 13, .stats = {CTL_STATS_RUN_TIME, 1}},
	    {.type = CTL_OBJ_UNLOAD, .seq = 14, .unload = {15}},
	};

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct ctl_request out;
		size_t len = encode(&in[i]);
		assert_int_equal(decode(len, &out), 0);
		assert_int_equal(out.type, in[i].type);
		assert_int_equal(out.seq, in[i].seq);
		switch (in[i].type) {
		case CTL_PROG_LOAD:
			assert_string_equal(out.prog_load.prog_name, "count_frames");
			assert_int_equal(out.prog_load.log_level, 2);
			assert_int_equal(out.prog_load.elf_len, 8);
			assert_memory_equal(out.prog_load.elf, value, 8);
			break;
		case CTL_MAP_UPDATE_ELEM:
			assert_int_equal(out.map_elem.flags, EBPF_NOEXIST);
			assert_int_equal(out.map_elem.value_len, 8);
			assert_memory_equal(out.map_elem.value, value, 8);
			/* fall through */
		case CTL_MAP_LOOKUP_ELEM:
		case CTL_MAP_DELETE_ELEM:
		case CTL_MAP_GET_NEXT_KEY:
			assert_int_equal(out.map_elem.map_id, in[i].map_elem.map_id);
			assert_int_equal(out.map_elem.key_len, in[i].map_elem.key_len);
			if (in[i].map_elem.key_len)
				assert_memory_equal(out.map_elem.key, key, 4);
			else
				assert_null(out.map_elem.key);
			break;
		case CTL_MAP_LOOKUP_BATCH:
			assert_int_equal(out.map_batch.map_id, 9);
			assert_int_equal(out.map_batch.max_count, 100);
			assert_memory_equal(out.map_batch.key, key, 4);
			break;
		case CTL_PROG_GET_NEXT_ID:
		case CTL_MAP_GET_NEXT_ID:
			assert_int_equal(out.get_next_id.start_id, in[i].get_next_id.start_id);
			break;
		case CTL_OBJ_GET_INFO:
			assert_int_equal(out.info.kind, CTL_OBJ_MAP);
			assert_int_equal(out.info.id, 12);
			break;
		case CTL_ENABLE_STATS:
			assert_int_equal(out.stats.enable, 1);
			break;
		case CTL_OBJ_UNLOAD:
			assert_int_equal(out.unload.object_id, 15);
			break;
		default:
			assert_memory_equal(&out.attach, &in[i].attach, sizeof(out.attach));
			break;
		}
	}
}

static void test_replies_round_trip(void **state)
{
	static const uint8_t ids[8] = {4, 0, 0, 0, 5, 0, 0, 0};
	static const uint8_t entries[2 * (4 + 8)] = {1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0,
						     2, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0};
	struct ctl_reply in = {
	    .type = CTL_PROG_LOAD,
	    .seq = 77,
	    .prog_load = {.object_id = 2, .prog_id = 3, .map_count = 2, .map_ids = ids}};
	struct ctl_reply out;
	struct ebpf_log log = fresh_log();
	size_t len;

	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), 0);
	assert_int_equal(out.seq, 77);
	assert_int_equal(out.prog_load.prog_id, 3);
	assert_int_equal(out.prog_load.map_count, 2);
	assert_memory_equal(out.prog_load.map_ids, ids, 8);

	in = (struct ctl_reply){.type = CTL_MAP_LOOKUP_BATCH, .map_batch = {2, 1, 4, 8, entries}};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), 0);
	assert_int_equal(out.map_batch.count, 2);
	assert_int_equal(out.map_batch.done, 1);
	assert_memory_equal(out.map_batch.entries, entries, sizeof(entries));

	in = (struct ctl_reply){.type = CTL_OBJ_GET_INFO, .info_kind = CTL_OBJ_PROG};
	in.prog_info = (struct ctl_prog_info){
	    .id = 3, .type = 6, .xlated_insns = 20, .run_cnt = 1ull << 40, .name = "count_frames"};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), 0);
	assert_int_equal(out.info_kind, CTL_OBJ_PROG);
	assert_memory_equal(&out.prog_info, &in.prog_info, sizeof(in.prog_info));

	in = (struct ctl_reply){.type = CTL_OBJ_GET_INFO, .info_kind = CTL_OBJ_MAP};
	in.map_info =
	    (struct ctl_map_info){.id = 4, .key_size = 4, .bytes = 1ull << 33, .name = "rules"};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), 0);
	assert_memory_equal(&out.map_info, &in.map_info, sizeof(in.map_info));

	in = (struct ctl_reply){
	    .type = CTL_PROG_LOAD, .status = -EACCES, .error = "0: R1 invalid mem access"};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), 0);
	assert_int_equal(out.status, -EACCES);
	assert_string_equal(out.error, "0: R1 invalid mem access");

	/* a reply that does not fit its buffer */
	assert_int_equal(ctl_reply_encode(&in, msg, CTL_HEADER_SIZE + 3, &len), -ENOSPC);
}

static void put32(size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		msg[off + i] = (uint8_t)(v >> (8 * i));
}

/* A refused message: its error and the log's text, which must name field and offset. */
static void assert_refused(size_t len, int err, const char *text)
{
	struct ctl_request out;
	assert_int_equal(decode(len, &out), err);
	assert_string_equal(log_text, text);
}

static void test_malformed_headers_are_refused(void **state)
{
	struct ctl_request req = {.type = CTL_OBJ_GET_INFO, .info = {CTL_OBJ_PROG, 1}};
	size_t len = encode(&req);

	assert_refused(10, -EINVAL, "ctl: header: 10 bytes, shorter than a header's 24");
	msg[0] = 'X';
	assert_refused(len, -EINVAL, "ctl: header: field 'magic' at offset 0: not \"UKBC\"");
	len = encode(&req);
	msg[4] = 2;
	assert_refused(len, -EPROTONOSUPPORT,
		       "ctl: header: field 'version' at offset 4: 2, ukbpf speaks 1");
	len = encode(&req);
	put32(12, CTL_PAYLOAD_MAX + 1);
	assert_refused(len, -E2BIG,
		       "ctl: header: field 'payload_len' at offset 12: 4194305 bytes, the limit "
		       "is 4194304");
	put32(12, 9);
	assert_refused(len, -EINVAL,
		       "ctl: header: field 'payload_len' at offset 12: 9 bytes, the message has "
		       "8 after the header");
	put32(12, 8);
	put32(20, 32);
	assert_refused(len, -EINVAL,
		       "ctl: header: field 'trailer_len' at offset 20: must be 0 in version 1 "
		       "(no MAC yet)");
	put32(20, 0);
	msg[6] = 99;
	assert_refused(len, -EINVAL,
		       "ctl: header: field 'type' at offset 6: 0x63 is not a known "
		       "request");
	msg[6] = CTL_OBJ_GET_INFO;
	msg[7] = CTL_REPLY_FLAG >> 8;
	assert_refused(len, -EINVAL,
		       "ctl: header: field 'type' at offset 6: 0x800f is not a "
		       "known request");
	msg[7] = 0;
	put32(16, (uint32_t)-1);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_OBJ_GET_INFO_BY_ID request: field 'status' at "
		       "offset 16: must be 0");
	put32(16, 0);
	assert_refused(len - 1, -EINVAL,
		       "ctl: header: field 'payload_len' at offset 12: 8 bytes, the message has "
		       "7 after the header");
	struct ctl_request out;
	assert_int_equal(decode(len, &out), 0);
}

/* Encodes req, lets edit spoil it, and expects the decoder's words. */
static void test_malformed_payloads_are_refused(void **state)
{
	static const uint8_t bytes[16] = {0};
	struct ctl_request load = {.type = CTL_PROG_LOAD,
				   .prog_load = {.prog_name = "x", .elf = bytes, .elf_len = 16}};
	size_t len = encode(&load);

	memset(msg + CTL_HEADER_SIZE, 'a', CTL_NAME_MAX);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_PROG_LOAD: field 'prog_name' at offset 24: not "
		       "NUL-terminated within its 64 bytes");
	len = encode(&load);
	put32(CTL_HEADER_SIZE + 68, 17);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_PROG_LOAD: field 'elf_len' at offset 96: longer "
		       "than the payload left");
	put32(CTL_HEADER_SIZE + 68, 15);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_PROG_LOAD: field 'elf_len' at offset 96: shorter "
		       "than the payload left");
	put32(CTL_HEADER_SIZE + 68, 16);
	put32(CTL_HEADER_SIZE + 64, 3);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_PROG_LOAD: field 'log_level' at offset 88: not "
		       "0, 1 or 2");

	struct ctl_request update = {
	    .type = CTL_MAP_UPDATE_ELEM,
	    .map_elem = {.map_id = 1, .key = bytes, .key_len = 4, .value = bytes, .value_len = 8}};
	len = encode(&update);
	put32(CTL_HEADER_SIZE + 8, 0xfffffffc); /* key_len + value_len wraps in 32 bits */
	assert_refused(len, -EINVAL,
		       "ctl: BPF_MAP_UPDATE_ELEM: field 'key_len' at offset 28: "
		       "key_len + value_len is not the payload left");
	len = encode(&update);
	put32(CTL_HEADER_SIZE + 12, 1);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_MAP_UPDATE_ELEM: field 'reserved' at offset 36: "
		       "must be 0");

	struct ctl_request batch = {.type = CTL_MAP_LOOKUP_BATCH, .map_batch = {1, 0, NULL, 0}};
	len = encode(&batch);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_MAP_LOOKUP_BATCH: field 'max_count' at offset 28: "
		       "must be at least 1");

	struct ctl_request info = {.type = CTL_OBJ_GET_INFO, .info = {3, 1}};
	len = encode(&info);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_OBJ_GET_INFO_BY_ID: field 'kind' at offset 24: "
		       "not 1 (program) or 2 (map)");

	struct ctl_request stats = {.type = CTL_ENABLE_STATS, .stats = {0, 2}};
	len = encode(&stats);
	assert_refused(len, -EINVAL,
		       "ctl: BPF_ENABLE_STATS: field 'enable' at offset 28: not 0 "
		       "or 1");

	/* a payload with a byte after its last field */
	struct ctl_request unload = {.type = CTL_OBJ_UNLOAD, .unload = {1}};
	len = encode(&unload);
	msg[len] = 0;
	put32(12, 5);
	assert_refused(len + 1, -EINVAL,
		       "ctl: UKBPF_OBJ_UNLOAD: field 'payload' at offset 28: "
		       "bytes after the last field");
}

/*
 * Every request cut short, its header saying the shorter length, is
 * refused: no prefix of a fixed layout decodes as something else.
 */
static void test_truncated_requests_are_refused(void **state)
{
	static const uint8_t key[4] = {0};
	struct ctl_request reqs[] = {
	    {.type = CTL_PROG_LOAD, .prog_load = {.prog_name = "p"}},
	    {.type = CTL_MAP_UPDATE_ELEM,
	     .map_elem = {.map_id = 1, .key = key, .key_len = 4, .value = key, .value_len = 4}},
	    {.type = CTL_MAP_LOOKUP_ELEM, .map_elem = {.map_id = 1, .key = key, .key_len = 4}},
	    {.type = CTL_MAP_LOOKUP_BATCH, .map_batch = {1, 1, key, 4}},
	    {.type = CTL_OBJ_GET_INFO, .info = {CTL_OBJ_PROG, 1}},
	    {.type = CTL_LINK_UPDATE, .attach = {1, 2, 3, 0}},
	    {.type = CTL_ENABLE_STATS, .stats = {0, 1}},
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		size_t len = encode(&reqs[i]);
		for (size_t cut = CTL_HEADER_SIZE; cut < len; cut++) {
			struct ctl_request out;
			encode(&reqs[i]);
			put32(12, (uint32_t)(cut - CTL_HEADER_SIZE));
			assert_int_equal(decode(cut, &out), -EINVAL);
			assert_non_null(strstr(log_text, "at offset"));
		}
	}
}

static void test_malformed_replies_are_refused(void **state)
{
	struct ctl_reply in = {.type = CTL_PROG_LOAD, .status = -EACCES, .error = "why"};
	struct ctl_reply out;
	struct ebpf_log log = fresh_log();
	size_t len;

	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	msg[len - 1] = '!';
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), -EINVAL);
	assert_string_equal(log_text, "ctl: BPF_PROG_LOAD: field 'error' at offset 24: not one "
				      "NUL-terminated text");

	in = (struct ctl_reply){.type = CTL_MAP_LOOKUP_BATCH, .map_batch = {0, 1, 4, 4, NULL}};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	put32(CTL_HEADER_SIZE, 0x40000000); /* count * 8 would wrap in 32 bits */
	log = fresh_log();
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), -EINVAL);
	assert_string_equal(log_text, "ctl: BPF_MAP_LOOKUP_BATCH: field 'count' at offset 40: "
				      "longer than the payload left");

	/* UKBPF_BAD_REQUEST is always a refusal */
	in = (struct ctl_reply){.type = CTL_BAD_REQUEST};
	assert_int_equal(ctl_reply_encode(&in, msg, sizeof(msg), &len), 0);
	log = fresh_log();
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), -EINVAL);
	assert_string_equal(log_text, "ctl: UKBPF_BAD_REQUEST: field 'status' at offset 16: 0 in a "
				      "UKBPF_BAD_REQUEST reply, always an error");

	/* a request is not a reply */
	struct ctl_request req = {.type = CTL_OBJ_UNLOAD};
	len = encode(&req);
	log = fresh_log();
	assert_int_equal(ctl_reply_decode(msg, len, CTL_PAYLOAD_MAX, &out, &log), -EINVAL);
}

/* ---- the executor ---------------------------------------------------------- */

/* A NIC's XDP hook, faked: it runs its program on demand. */
struct fake_nic {
	uint32_t ifindex;
	struct ebpf_prog *prog;
	struct ctl_run_stats *stats;
	int fail; /* what the next call returns */
	unsigned calls;
};

static int fake_attach(void *ctx, uint32_t ifindex, struct ebpf_prog *prog,
		       struct ctl_run_stats *stats, struct ebpf_log *log)
{
	struct fake_nic *nic = ctx;
	nic->calls++;
	if (nic->fail) {
		ebpf_log_printf(log, "fake: no such device");
		return nic->fail;
	}
	*nic = (struct fake_nic){ifindex, prog, stats, 0, nic->calls};
	return 0;
}

static int fake_replace(void *ctx, uint32_t ifindex, struct ebpf_prog *old,
			struct ebpf_prog *new_prog, struct ctl_run_stats *stats,
			struct ebpf_log *log)
{
	struct fake_nic *nic = ctx;
	assert_ptr_equal(nic->prog, old);
	return fake_attach(ctx, ifindex, new_prog, stats, log);
}

static int fake_detach(void *ctx, uint32_t ifindex, struct ebpf_prog *prog, struct ebpf_log *log)
{
	struct fake_nic *nic = ctx;
	assert_ptr_equal(nic->prog, prog);
	nic->prog = NULL;
	nic->calls++;
	return 0;
}

static struct fake_nic nic;
static const struct ctl_attach_ops fake_ops = {&nic, fake_attach, fake_replace, fake_detach};

/* One frame of FRAME_LEN bytes through the fake NIC's program: its verdict. */
static uint64_t run_frame(void)
{
	uint8_t *page = mmap(NULL, EBPF_XDP_FRAME_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	struct ebpf_xdp_buff xb;

	assert_true(page != MAP_FAILED);
	assert_non_null(nic.prog);
	assert_int_equal(ebpf_xdp_init(&xb, page, page + EBPF_XDP_FRAME_SIZE,
				       page + EBPF_XDP_HEADROOM, FRAME_LEN, nic.ifindex, 0),
			 0);
	uint64_t verdict = ebpf_prog_run(nic.prog, &xb, sizeof(xb));
	if (*nic.stats->enabled) {
		nic.stats->run_cnt++;
		nic.stats->run_time_ns += 1;
	}
	munmap(page, EBPF_XDP_FRAME_SIZE);
	return verdict;
}

static struct ctl *new_ctl(const struct ctl_limits *limits, const struct ctl_attach_ops *ops)
{
	struct ctl_config config = {.jit = true, .attach = ops};
	struct ctl *ctl;
	if (limits)
		config.limits = *limits;
	nic = (struct fake_nic){0};
	assert_int_equal(ctl_create(&config, &ctl), 0);
	return ctl;
}

/* Executes req and decodes the reply into *out; returns its status. */
static int execute(struct ctl *ctl, const struct ctl_request *req, struct ctl_reply *out)
{
	size_t len = encode(req);
	struct ebpf_log log = fresh_log();
	int status = ctl_execute(ctl, "test", msg, len, reply_buf, sizeof(reply_buf), &reply_len,
				 audit, sizeof(audit));
	assert_int_equal(ctl_reply_decode(reply_buf, reply_len, CTL_PAYLOAD_MAX, out, &log), 0);
	assert_int_equal(out->status, status);
	assert_int_equal(out->seq, req->seq);
	assert_int_equal(out->type, req->type);
	if (status)
		assert_true(strlen(out->error) > 0);
	return status;
}

/*
 * Loads the test object's program name. The reply's map id list is copied
 * out of reply_buf, which the next request overwrites, so that tests may
 * keep a load's reply.
 */
static int load(struct ctl *ctl, const char *name, struct ctl_reply *out)
{
	static uint8_t map_id_copies[32][8 * 4];
	static size_t next_copy;
	struct ctl_request req = {.type = CTL_PROG_LOAD,
				  .seq = 100,
				  .prog_load = {.elf = elf, .elf_len = (uint32_t)elf_len}};
	snprintf(req.prog_load.prog_name, sizeof(req.prog_load.prog_name), "%s", name);
	int status = execute(ctl, &req, out);
	if (status == 0) {
		uint8_t *copy = map_id_copies[next_copy++ % 32];
		assert_true(out->prog_load.map_count <= 8);
		memcpy(copy, out->prog_load.map_ids, out->prog_load.map_count * 4);
		out->prog_load.map_ids = copy;
	}
	return status;
}

static uint32_t map_id(const struct ctl_reply *loaded, uint32_t index)
{
	const uint8_t *p = loaded->prog_load.map_ids + 4 * index;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The loaded maps' ids by name (the object's order is the ELF's). The
 * load's reply borrows reply_buf, which the info requests overwrite.
 */
static uint32_t map_id_by_name(struct ctl *ctl, const struct ctl_reply *loaded, const char *name)
{
	uint32_t ids[8], count = loaded->prog_load.map_count;

	assert_true(count <= 8);
	for (uint32_t i = 0; i < count; i++)
		ids[i] = map_id(loaded, i);
	for (uint32_t i = 0; i < count; i++) {
		struct ctl_request req = {.type = CTL_OBJ_GET_INFO, .info = {CTL_OBJ_MAP, ids[i]}};
		struct ctl_reply info;
		assert_int_equal(execute(ctl, &req, &info), 0);
		if (strcmp(info.map_info.name, name) == 0)
			return ids[i];
	}
	fail_msg("no map %s", name);
	return 0;
}

static void assert_counts(struct ctl *ctl, uint32_t progs, uint32_t maps, uint32_t attachments)
{
	struct ctl_counts counts;
	ctl_get_counts(ctl, &counts);
	assert_int_equal(counts.progs, progs);
	assert_int_equal(counts.objects, progs);
	assert_int_equal(counts.maps, maps);
	assert_int_equal(counts.attachments, attachments);
}

static void test_load_show_and_unload(void **state)
{
	struct ctl *ctl = new_ctl(NULL, NULL);
	struct ctl_reply loaded, r;

	assert_int_equal(load(ctl, "count_frames", &loaded), 0);
	assert_int_equal(loaded.prog_load.object_id, 1);
	assert_int_equal(loaded.prog_load.prog_id, 1);
	assert_int_equal(loaded.prog_load.map_count, 2);
	char want[128];
	snprintf(
	    want, sizeof(want),
	    "ctl test: BPF_PROG_LOAD 'count_frames' (%zu bytes) -> prog 1 object 1, 2 maps: ok",
	    elf_len);
	assert_string_equal(audit, want);
	assert_counts(ctl, 1, 2, 0);

	struct ctl_request info = {.type = CTL_OBJ_GET_INFO, .info = {CTL_OBJ_PROG, 1}};
	assert_int_equal(execute(ctl, &info, &r), 0);
	assert_int_equal(r.info_kind, CTL_OBJ_PROG);
	assert_string_equal(r.prog_info.name, "count_frames");
	assert_int_equal(r.prog_info.type, EBPF_PROG_TYPE_XDP);
	assert_int_equal(r.prog_info.object_id, 1);
	assert_true(r.prog_info.xlated_insns > 5);
	assert_true(r.prog_info.verified_insns >= r.prog_info.xlated_insns);
	assert_true(r.prog_info.jited_bytes > 0);
	assert_string_equal(audit, ""); /* reads are not audited */

	uint32_t rules = map_id_by_name(ctl, &loaded, "rules");
	info.info = (typeof(info.info)){CTL_OBJ_MAP, rules};
	assert_int_equal(execute(ctl, &info, &r), 0);
	assert_int_equal(r.map_info.type, EBPF_MAP_TYPE_HASH);
	assert_int_equal(r.map_info.key_size, 4);
	assert_int_equal(r.map_info.value_size, 4);
	assert_int_equal(r.map_info.max_entries, 64);
	assert_int_equal(r.map_info.bytes, 64 * (8 + 8));

	/* the ids, walked as bpftool prog show walks them */
	struct ctl_request next = {.type = CTL_MAP_GET_NEXT_ID, .get_next_id = {0}};
	assert_int_equal(execute(ctl, &next, &r), 0);
	assert_int_equal(r.next_id, 1);
	next.get_next_id.start_id = 1;
	assert_int_equal(execute(ctl, &next, &r), 0);
	assert_int_equal(r.next_id, 2);
	next.get_next_id.start_id = 2;
	assert_int_equal(execute(ctl, &next, &r), -ENOENT);

	struct ctl_request unload = {.type = CTL_OBJ_UNLOAD, .unload = {1}};
	assert_int_equal(execute(ctl, &unload, &r), 0);
	assert_string_equal(audit, "ctl test: UKBPF_OBJ_UNLOAD object 1 (prog 1): ok");
	assert_counts(ctl, 0, 0, 0);
	assert_int_equal(execute(ctl, &unload, &r), -ENOENT);

	/* ids are never reused */
	assert_int_equal(load(ctl, "count_frames", &loaded), 0);
	assert_int_equal(loaded.prog_load.object_id, 2);
	assert_int_equal(loaded.prog_load.prog_id, 2);
	assert_int_equal(map_id(&loaded, 0), 3);
	next = (struct ctl_request){.type = CTL_PROG_GET_NEXT_ID, .get_next_id = {0}};
	assert_int_equal(execute(ctl, &next, &r), 0);
	assert_int_equal(r.next_id, 2);
	ctl_free(ctl);
}

static void test_refused_load_changes_nothing(void **state)
{
	struct ctl *ctl = new_ctl(NULL, NULL);
	struct ctl_reply r;

	assert_int_equal(load(ctl, "count_frames", &r), 0);
	assert_int_equal(load(ctl, "unchecked_read", &r), -EACCES);
	assert_non_null(strstr(r.error, "invalid access to packet"));
	assert_non_null(strstr(audit, "ctl test: BPF_PROG_LOAD: "));
	assert_null(strchr(audit, '\n'));
	assert_counts(ctl, 1, 2, 0);

	assert_int_equal(load(ctl, "for_tc", &r), -ENOTSUP);
	assert_non_null(strstr(r.error, "sched_cls"));
	assert_counts(ctl, 1, 2, 0);

	assert_int_equal(load(ctl, "no_such_prog", &r), -ENOENT);
	assert_string_equal(r.error, "ctl: the object has no program 'no_such_prog'");
	assert_counts(ctl, 1, 2, 0);

	/* a malformed ELF */
	struct ctl_request req = {
	    .type = CTL_PROG_LOAD,
	    .prog_load = {.prog_name = "count_frames", .elf = elf, .elf_len = 40}};
	assert_true(execute(ctl, &req, &r) < 0);
	assert_counts(ctl, 1, 2, 0);

	/* the next load's ids follow the last accepted one's */
	assert_int_equal(load(ctl, "count_frames", &r), 0);
	assert_int_equal(r.prog_load.prog_id, 2);
	assert_int_equal(map_id(&r, 0), 3);
	ctl_free(ctl);
}

static void test_limits(void **state)
{
	struct ctl_reply r;
	struct ctl *ctl = new_ctl(&(struct ctl_limits){.max_progs = 1}, NULL);
	assert_int_equal(load(ctl, "count_frames", &r), 0);
	assert_int_equal(load(ctl, "count_frames", &r), -ENOSPC);
	assert_string_equal(r.error, "ctl: 1 programs loaded, the limit");
	assert_counts(ctl, 1, 2, 0);
	ctl_free(ctl);

	ctl = new_ctl(&(struct ctl_limits){.max_maps = 3}, NULL);
	assert_int_equal(load(ctl, "count_frames", &r), 0);
	assert_int_equal(load(ctl, "count_frames", &r), -ENOSPC);
	assert_string_equal(r.error, "ctl: the object has 2 maps, 1 more may be loaded");
	assert_counts(ctl, 1, 2, 0);
	ctl_free(ctl);

	/* counters 4 * 16 + rules 64 * 16 bytes = 1088 a load */
	ctl = new_ctl(&(struct ctl_limits){.max_map_bytes = 2000}, NULL);
	assert_int_equal(load(ctl, "count_frames", &r), 0);
	assert_int_equal(load(ctl, "count_frames", &r), -ENOMEM);
	assert_non_null(strstr(r.error, "map 'rules': 1024 bytes, 848 of the load's 912 are left"));
	assert_counts(ctl, 1, 2, 0);
	ctl_free(ctl);

	ctl = new_ctl(&(struct ctl_limits){.max_request = 1000}, NULL);
	assert_int_equal(load(ctl, "count_frames", &r), -E2BIG);
	assert_non_null(strstr(r.error, "the limit is 1000"));
	assert_int_equal(r.type, CTL_PROG_LOAD);
	assert_int_equal(r.seq, 100);
	assert_non_null(strstr(audit, "ctl test: refused a malformed request: "));
	assert_counts(ctl, 0, 0, 0);
	ctl_free(ctl);
}

static void test_map_operations(void **state)
{
	struct ctl *ctl = new_ctl(NULL, NULL);
	struct ctl_reply loaded, r;
	uint32_t key = FRAME_LEN, verdict = RULE_DROP, other = 7;

	assert_int_equal(load(ctl, "count_frames", &loaded), 0);
	uint32_t rules = map_id_by_name(ctl, &loaded, "rules");
	uint32_t counters = map_id_by_name(ctl, &loaded, "counters");
	struct ctl_request req = {
	    .type = CTL_MAP_UPDATE_ELEM,
	    .map_elem = {rules, EBPF_NOEXIST, (uint8_t *)&key, 4, (uint8_t *)&verdict, 4}};

	assert_int_equal(execute(ctl, &req, &r), 0);
	assert_string_equal(audit, "ctl test: BPF_MAP_UPDATE_ELEM map 2 'rules': ok");
	assert_int_equal(execute(ctl, &req, &r), -EEXIST);
	assert_string_equal(audit, "ctl test: BPF_MAP_UPDATE_ELEM map 2 'rules': ctl: "
				   "BPF_MAP_UPDATE_ELEM on map 2 'rules': File exists");
	req.map_elem.value_len = 8;
	assert_int_equal(execute(ctl, &req, &r), -EINVAL);
	assert_string_equal(r.error, "ctl: value of 8 bytes, map 2 'rules' has 4-byte values");
	req.map_elem.key_len = 2;
	req.map_elem.value_len = 4;
	assert_int_equal(execute(ctl, &req, &r), -EINVAL);
	assert_string_equal(r.error, "ctl: key of 2 bytes, map 2 'rules' has 4-byte keys");
	req.map_elem.key_len = 4;
	req.map_elem.key = (uint8_t *)&other;
	assert_int_equal(execute(ctl, &req, &r), 0);

	req.type = CTL_MAP_LOOKUP_ELEM;
	req.map_elem.key = (uint8_t *)&key;
	assert_int_equal(execute(ctl, &req, &r), 0);
	assert_int_equal(r.bytes.len, 4);
	assert_memory_equal(r.bytes.data, &verdict, 4);

	req.type = CTL_MAP_GET_NEXT_KEY;
	req.map_elem.key_len = 0;
	assert_int_equal(execute(ctl, &req, &r), 0);
	assert_int_equal(r.bytes.len, 4);

	req.type = CTL_MAP_DELETE_ELEM;
	req.map_elem.key = (uint8_t *)&other;
	req.map_elem.key_len = 4;
	assert_int_equal(execute(ctl, &req, &r), 0);
	assert_int_equal(execute(ctl, &req, &r), -ENOENT);
	req.type = CTL_MAP_LOOKUP_ELEM;
	assert_int_equal(execute(ctl, &req, &r), -ENOENT);
	assert_string_equal(audit, ""); /* a read, refused or not, changes nothing */
	req.map_elem.map_id = 99;
	assert_int_equal(execute(ctl, &req, &r), -ENOENT);
	assert_string_equal(r.error, "ctl: no map with id 99");

	/* batch: the array's 4 slots, 3 then the last one */
	struct ctl_request batch = {.type = CTL_MAP_LOOKUP_BATCH, .map_batch = {counters, 3}};
	assert_int_equal(execute(ctl, &batch, &r), 0);
	assert_int_equal(r.map_batch.count, 3);
	assert_int_equal(r.map_batch.done, 0);
	assert_int_equal(r.map_batch.key_size, 4);
	assert_int_equal(r.map_batch.value_size, 8);
	uint32_t last;
	memcpy(&last, r.map_batch.entries + 2 * 12, 4);
	assert_int_equal(last, 2);
	batch.map_batch.key = (uint8_t *)&last;
	batch.map_batch.key_len = 4;
	assert_int_equal(execute(ctl, &batch, &r), 0);
	assert_int_equal(r.map_batch.count, 1);
	assert_int_equal(r.map_batch.done, 1);
	memcpy(&last, r.map_batch.entries, 4);
	assert_int_equal(last, COUNTERS_ENTRIES - 1);
	ctl_free(ctl);
}

/* Attach through the fake NIC: map updates reach the next frame; replace; detach; stats. */
static void test_attach_replace_detach(void **state)
{
	struct ctl *ctl = new_ctl(NULL, &fake_ops);
	struct ctl_reply first, second, r;
	uint32_t key = FRAME_LEN, verdict = RULE_DROP;

	assert_int_equal(load(ctl, "count_frames", &first), 0);
	assert_int_equal(load(ctl, "count_frames", &second), 0);
	struct ctl_request req = {.type = CTL_PROG_ATTACH, .attach = {IFINDEX, 1}};
	assert_int_equal(execute(ctl, &req, &r), 0);
	assert_string_equal(audit, "ctl test: BPF_PROG_ATTACH ifindex 3 prog 1: ok");
	assert_int_equal(nic.ifindex, IFINDEX);
	assert_int_equal(run_frame(), XDP_PASS);
	assert_int_equal(execute(ctl, &req, &r), -EBUSY);

	/* a map update is what the very next frame sees */
	struct ctl_request update = {.type = CTL_MAP_UPDATE_ELEM,
				     .map_elem = {map_id_by_name(ctl, &first, "rules"), EBPF_ANY,
						  (uint8_t *)&key, 4, (uint8_t *)&verdict, 4}};
	assert_int_equal(execute(ctl, &update, &r), 0);
	assert_int_equal(run_frame(), XDP_DROP);

	/* run-time stats count only while enabled */
	struct ctl_request stats = {.type = CTL_ENABLE_STATS, .stats = {CTL_STATS_RUN_TIME, 1}};
	assert_int_equal(execute(ctl, &stats, &r), 0);
	assert_string_equal(audit, "ctl test: BPF_ENABLE_STATS on: ok");
	run_frame();
	run_frame();
	stats.stats.enable = 0;
	assert_int_equal(execute(ctl, &stats, &r), 0);
	run_frame();
	struct ctl_request info = {.type = CTL_OBJ_GET_INFO, .info = {CTL_OBJ_PROG, 1}};
	assert_int_equal(execute(ctl, &info, &r), 0);
	assert_int_equal(r.prog_info.run_cnt, 2);
	assert_int_equal(r.prog_info.run_time_ns, 2);
	assert_int_equal(r.prog_info.attached_ifindex, IFINDEX);

	/* an attached program's object stays */
	struct ctl_request unload = {.type = CTL_OBJ_UNLOAD, .unload = {1}};
	assert_int_equal(execute(ctl, &unload, &r), -EBUSY);

	/* replace: the program expected must be the one there */
	struct ctl_request replace = {.type = CTL_LINK_UPDATE, .attach = {IFINDEX, 2, 2}};
	assert_int_equal(execute(ctl, &replace, &r), -EEXIST);
	assert_string_equal(r.error, "ctl: ifindex 3 runs program 1, not 2");
	nic.fail = -EIO;
	replace.attach.old_prog_id = 1;
	assert_int_equal(execute(ctl, &replace, &r), -EIO);
	assert_string_equal(r.error, "fake: no such device");
	assert_string_equal(audit, "ctl test: BPF_LINK_UPDATE ifindex 3 prog 2: fake: no such "
				   "device");
	nic.fail = 0;
	assert_int_equal(run_frame(), XDP_DROP); /* the old program still runs */
	assert_int_equal(execute(ctl, &replace, &r), 0);
	assert_int_equal(run_frame(), XDP_PASS); /* the new one has its own, empty rules */
	assert_int_equal(execute(ctl, &unload, &r), 0);

	struct ctl_request detach = {.type = CTL_PROG_DETACH, .attach = {IFINDEX}};
	assert_int_equal(execute(ctl, &detach, &r), 0);
	assert_null(nic.prog);
	assert_int_equal(execute(ctl, &detach, &r), -ENOENT);
	assert_counts(ctl, 1, 2, 0);

	/* only XDP programs for a device, on a device */
	req.attach.prog_id = 2;
	req.attach.ifindex = 0;
	assert_int_equal(execute(ctl, &req, &r), -EINVAL);
	assert_string_equal(r.error, "ctl: ifindex 0 is no device");
	assert_int_equal(load(ctl, "for_devmap", &first), 0);
	req.attach = (typeof(req.attach)){IFINDEX, first.prog_load.prog_id, 0, 0};
	assert_int_equal(execute(ctl, &req, &r), -EINVAL);
	assert_string_equal(r.error, "ctl: program 3 (xdp, expected attach type xdp_devmap) cannot "
				     "run at a device's XDP hook");
	assert_null(nic.prog);
	ctl_free(ctl);

	/* a guest without a hook */
	ctl = new_ctl(NULL, NULL);
	assert_int_equal(load(ctl, "count_frames", &first), 0);
	req.attach = (typeof(req.attach)){IFINDEX, 1, 0, 0};
	assert_int_equal(execute(ctl, &req, &r), -EOPNOTSUPP);
	ctl_free(ctl);
}

static void test_malformed_requests_get_replies(void **state)
{
	struct ctl *ctl = new_ctl(NULL, NULL);
	struct ctl_reply r;
	struct ebpf_log log = fresh_log();
	static const uint8_t junk[7] = {1, 2, 3, 4, 5, 6, 7};

	assert_int_equal(ctl_execute(ctl, "test", junk, sizeof(junk), reply_buf, sizeof(reply_buf),
				     &reply_len, audit, sizeof(audit)),
			 -EINVAL);
	assert_int_equal(ctl_reply_decode(reply_buf, reply_len, CTL_PAYLOAD_MAX, &r, &log), 0);
	assert_int_equal(r.type, CTL_BAD_REQUEST);
	assert_string_equal(r.error, "ctl: header: 7 bytes, shorter than a header's 24");
	assert_string_equal(audit, "ctl test: refused a malformed request: ctl: header: 7 bytes, "
				   "shorter than a header's 24");

	/* a reply buffer too small for the value: -ENOSPC, still a reply */
	struct ctl_reply loaded;
	assert_int_equal(load(ctl, "count_frames", &loaded), 0);
	struct ctl_request info = {.type = CTL_OBJ_GET_INFO, .seq = 5, .info = {CTL_OBJ_PROG, 1}};
	size_t len = encode(&info);
	assert_int_equal(ctl_execute(ctl, "test", msg, len, reply_buf, CTL_HEADER_SIZE + 64,
				     &reply_len, audit, sizeof(audit)),
			 -ENOSPC);
	assert_int_equal(ctl_reply_decode(reply_buf, reply_len, CTL_PAYLOAD_MAX, &r, &log), 0);
	assert_int_equal(r.seq, 5);
	assert_int_equal(r.status, -ENOSPC);
	ctl_free(ctl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_types_are_linux_commands),
	    cmocka_unit_test(test_header_layout),
	    cmocka_unit_test(test_requests_round_trip),
	    cmocka_unit_test(test_replies_round_trip),
	    cmocka_unit_test(test_malformed_headers_are_refused),
	    cmocka_unit_test(test_malformed_payloads_are_refused),
	    cmocka_unit_test(test_truncated_requests_are_refused),
	    cmocka_unit_test(test_malformed_replies_are_refused),
	    cmocka_unit_test(test_load_show_and_unload),
	    cmocka_unit_test(test_refused_load_changes_nothing),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_map_operations),
	    cmocka_unit_test(test_attach_replace_detach),
	    cmocka_unit_test(test_malformed_requests_get_replies),
	};
	return cmocka_run_group_tests(tests, read_object, free_object);
}
