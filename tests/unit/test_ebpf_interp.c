/*
 * The program API and the interpreter paths the --raw data suite cannot
 * reach: tail calls through a prog array, map references resolved by
 * ebpf_prog_create, socket-filter legacy loads, the log and the
 * disassembler's edges. Tail calls also run on the JIT: both engines
 * must agree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebpf_internal.h"
#include "host_platform.h"

#define INSN(OP, DST, SRC, OFF, IMM)                                                               \
	((struct ebpf_insn){                                                                       \
	    .opcode = (OP), .dst_reg = (DST), .src_reg = (SRC), .offset = (OFF), .imm = (IMM)})
#define MOV64_IMM(DST, IMM)	      INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K, DST, 0, 0, IMM)
#define MOV64_REG(DST, SRC)	      INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, DST, SRC, 0, 0)
#define ADD64_IMM(DST, IMM)	      INSN(EBPF_CLS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_K, DST, 0, 0, IMM)
#define LDX_W(DST, SRC, OFF)	      INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_W, DST, SRC, OFF, 0)
#define STX_W(DST, SRC, OFF)	      INSN(EBPF_CLS_STX | EBPF_MODE_MEM | EBPF_SIZE_W, DST, SRC, OFF, 0)
#define LD_MAP(DST, KIND, INDEX, OFF) INSN(EBPF_OP_LDDW, DST, KIND, 0, INDEX), INSN(0, 0, 0, 0, OFF)
#define LD_ABS_H(OFF)		      INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_H, 0, 0, 0, OFF)
#define CALL_HELPER(ID)		      INSN(EBPF_OP_CALL, 0, 0, 0, ID)
#define EXIT			      INSN(EBPF_OP_EXIT, 0, 0, 0, 0)
#define COUNT(a)		      (sizeof(a) / sizeof((a)[0]))

enum engine { ENGINE_INTERP, ENGINE_JIT };

static struct ebpf_prog *create(const struct ebpf_insn *insns, size_t count,
				enum ebpf_prog_type type, struct ebpf_map **maps, size_t map_count)
{
	struct ebpf_prog_opts opts = {
	    .type = type, .name = "test", .maps = maps, .map_count = map_count};
	char buf[256] = "";
	struct ebpf_log log = {.buf = buf, .size = sizeof(buf)};
	struct ebpf_prog *prog = NULL;

	if (ebpf_prog_create(insns, count, &opts, &prog, &log) != 0)
		fail_msg("ebpf_prog_create: %s", buf);
	return prog;
}

static uint64_t run(struct ebpf_prog *prog, enum engine engine, void *ctx, size_t len)
{
	if (engine == ENGINE_JIT) {
		struct ebpf_jit_opts opts = {.blind_constants = false};

		if (!ebpf_prog_get_jit_code(prog, &(size_t){0}))
			assert_int_equal(ebpf_prog_jit(prog, &opts, NULL), 0);
		return ebpf_prog_run(prog, ctx, len);
	}
	return ebpf_prog_run_interp(prog, ctx, len);
}

static struct ebpf_map *prog_array(void)
{
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_TYPE_PROG_ARRAY, .key_size = 4, .value_size = 4, .max_entries = 4};
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(&def, "jmp", &map, NULL), 0);
	return map;
}

/* r0 = 7 unless the tail call to slot r3 = index replaces the program. */
static void tail_call_taken_or_falls_through(enum engine engine)
{
	const struct ebpf_insn target_insns[] = {MOV64_IMM(0, 42), EXIT};
	const struct ebpf_insn caller_insns[] = {
	    LD_MAP(2, EBPF_PSEUDO_MAP_FD, 0, 0),
	    MOV64_IMM(3, 1),
	    MOV64_IMM(0, 7),
	    CALL_HELPER(EBPF_FUNC_TAIL_CALL),
	    EXIT,
	};
	struct ebpf_map *map = prog_array();
	struct ebpf_prog *target =
	    create(target_insns, COUNT(target_insns), EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	struct ebpf_prog *caller =
	    create(caller_insns, COUNT(caller_insns), EBPF_PROG_TYPE_UNSPEC, &map, 1);

	assert_int_equal(run(caller, engine, NULL, 0), 7);
	assert_int_equal(ebpf_prog_array_set(map, 1, target), 0);
	assert_int_equal(run(caller, engine, NULL, 0), 42);
	assert_int_equal(ebpf_prog_array_set(map, 1, NULL), 0);
	assert_int_equal(run(caller, engine, NULL, 0), 7);
	ebpf_map_free(map);
	ebpf_prog_free(caller);
	ebpf_prog_free(target);
}

static void test_tail_call_interp(void **state)
{
	tail_call_taken_or_falls_through(ENGINE_INTERP);
}

static void test_tail_call_jit(void **state)
{
	tail_call_taken_or_falls_through(ENGINE_JIT);
}

/*
 * A program that counts its runs in *ctx and tail-calls itself: Linux's
 * MAX_TAIL_CALL_CNT (33) tail calls succeed, then the call falls through.
 */
static void tail_call_limit(enum engine engine)
{
	const struct ebpf_insn insns[] = {
	    MOV64_REG(6, 1), LDX_W(0, 6, 0),
	    ADD64_IMM(0, 1), STX_W(6, 0, 0),
	    MOV64_REG(1, 6), LD_MAP(2, EBPF_PSEUDO_MAP_FD, 0, 0),
	    MOV64_IMM(3, 0), CALL_HELPER(EBPF_FUNC_TAIL_CALL),
	    LDX_W(0, 6, 0),  EXIT,
	};
	struct ebpf_map *map = prog_array();
	struct ebpf_prog *prog = create(insns, COUNT(insns), EBPF_PROG_TYPE_UNSPEC, &map, 1);
	uint32_t runs = 0;

	assert_int_equal(ebpf_prog_array_set(map, 0, prog), 0);
	assert_int_equal(run(prog, engine, &runs, sizeof(runs)), 1 + EBPF_MAX_TAIL_CALLS);
	assert_int_equal(runs, 1 + EBPF_MAX_TAIL_CALLS);
	/* The budget is per run, not per program. */
	runs = 0;
	assert_int_equal(run(prog, engine, &runs, sizeof(runs)), 1 + EBPF_MAX_TAIL_CALLS);
	ebpf_map_free(map);
	ebpf_prog_free(prog);
}

static void test_tail_call_limit_interp(void **state)
{
	tail_call_limit(ENGINE_INTERP);
}

static void test_tail_call_limit_jit(void **state)
{
	tail_call_limit(ENGINE_JIT);
}

/* RFC 9669 §5.4: lddw src 1/2 become the map's and the value's addresses. */
static void test_map_references_resolved(void **state)
{
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 16, .max_entries = 2};
	const struct ebpf_insn map_insns[] = {LD_MAP(0, EBPF_PSEUDO_MAP_FD, 1, 0), EXIT};
	const struct ebpf_insn value_insns[] = {LD_MAP(0, EBPF_PSEUDO_MAP_VALUE, 0, 12), EXIT};
	struct ebpf_map *maps[2] = {NULL, NULL};
	struct ebpf_prog *map_prog, *value_prog;
	const struct ebpf_insn *insns;
	uint32_t key = 0;
	size_t count;

	assert_int_equal(ebpf_map_create(&def, "a", &maps[0], NULL), 0);
	assert_int_equal(ebpf_map_create(&def, "b", &maps[1], NULL), 0);
	map_prog = create(map_insns, COUNT(map_insns), EBPF_PROG_TYPE_UNSPEC, maps, 2);
	value_prog = create(value_insns, COUNT(value_insns), EBPF_PROG_TYPE_UNSPEC, maps, 2);

	assert_ptr_equal((void *)(uintptr_t)ebpf_prog_run_interp(map_prog, NULL, 0), maps[1]);
	assert_ptr_equal((void *)(uintptr_t)ebpf_prog_run_interp(value_prog, NULL, 0),
			 (uint8_t *)ebpf_map_lookup_ptr(maps[0], &key) + 12);
	/* The verifier still sees what kind of reference it is. */
	insns = ebpf_prog_get_insns(value_prog, &count);
	assert_int_equal(count, COUNT(value_insns));
	assert_int_equal(insns[0].src_reg, EBPF_PSEUDO_MAP_VALUE);

	ebpf_prog_free(map_prog);
	ebpf_prog_free(value_prog);
	ebpf_map_free(maps[0]);
	ebpf_map_free(maps[1]);
}

/* Socket filters read the packet that struct ebpf_cbpf_ctx describes. */
static void test_socket_filter_legacy_load(void **state)
{
	const struct ebpf_insn insns[] = {LD_ABS_H(12), EXIT};
	const struct ebpf_insn past_caplen[] = {MOV64_IMM(0, 5), LD_ABS_H(14), EXIT};
	uint8_t frame[16] = {[12] = 0x08, [13] = 0x00, [14] = 0x45};
	struct ebpf_cbpf_ctx ctx = {.data = frame, .caplen = 14, .wirelen = sizeof(frame)};
	struct ebpf_prog *prog = create(insns, COUNT(insns), EBPF_PROG_TYPE_SOCKET_FILTER, NULL, 0);
	struct ebpf_prog *beyond =
	    create(past_caplen, COUNT(past_caplen), EBPF_PROG_TYPE_SOCKET_FILTER, NULL, 0);

	assert_int_equal(ebpf_prog_run_interp(prog, &ctx, sizeof(ctx)), 0x0800);
	/* Bytes past caplen are not captured: the load ends the program with 0. */
	assert_int_equal(ebpf_prog_run_interp(beyond, &ctx, sizeof(ctx)), 0);
	ebpf_prog_free(prog);
	ebpf_prog_free(beyond);
}

static void test_prog_accessors(void **state)
{
	const struct ebpf_insn insns[] = {MOV64_IMM(0, 3), EXIT};
	struct ebpf_prog *prog = create(insns, COUNT(insns), EBPF_PROG_TYPE_XDP, NULL, 0);
	size_t count = 0;

	assert_string_equal(ebpf_prog_get_name(prog), "test");
	assert_int_equal(ebpf_prog_get_type(prog), EBPF_PROG_TYPE_XDP);
	assert_memory_equal(ebpf_prog_get_insns(prog, &count), insns, sizeof(insns));
	assert_int_equal(count, 2);
	assert_null(ebpf_prog_get_jit_code(prog, &count));
	assert_int_equal(ebpf_prog_run(prog, NULL, 0), 3);
	ebpf_prog_free(prog);
	ebpf_prog_free(NULL);
}

static void test_create_rejects_bad_options(void **state)
{
	const struct ebpf_insn insns[] = {EXIT};
	struct ebpf_prog_opts bad_type = {.type = (enum ebpf_prog_type)99};
	struct ebpf_prog_opts no_maps = {.type = EBPF_PROG_TYPE_UNSPEC, .map_count = 1};
	struct ebpf_prog *prog = (struct ebpf_prog *)&prog;
	char buf[128];
	struct ebpf_log log = {.buf = buf, .size = sizeof(buf)};

	assert_int_equal(ebpf_prog_create(insns, 1, &bad_type, &prog, &log), -EINVAL);
	assert_null(prog);
	assert_string_equal(buf, "unknown program type 99");
	log.len = 0;
	assert_int_equal(ebpf_prog_create(insns, 1, &no_maps, &prog, &log), -EINVAL);
	assert_string_equal(buf, "map_count is 1 but maps is NULL");
	/* The size check comes before any instruction is read. */
	assert_int_equal(ebpf_prog_create(insns, EBPF_MAX_INSNS + 1, NULL, &prog, NULL), -E2BIG);
	assert_int_equal(ebpf_prog_create(insns, 1, NULL, &prog, NULL), 0);
	assert_int_equal(ebpf_prog_get_type(prog), EBPF_PROG_TYPE_UNSPEC);
	ebpf_prog_free(prog);
}

static void test_log_appends_and_truncates(void **state)
{
	char buf[8];
	struct ebpf_log log = {.buf = buf, .size = sizeof(buf)};
	struct ebpf_log no_buffer = {0};

	ebpf_log_printf(&log, "ab%d", 1);
	ebpf_log_printf(&log, "cd");
	assert_string_equal(buf, "ab1cd");
	assert_int_equal(log.len, 5);
	ebpf_log_printf(&log, "efghij");
	assert_string_equal(buf, "ab1cdef");
	assert_int_equal(log.len, 7);
	ebpf_log_printf(&log, "more");
	assert_string_equal(buf, "ab1cdef");
	ebpf_log_printf(&no_buffer, "dropped");
	ebpf_log_printf(NULL, "dropped");
}

static void test_disassemble_edges(void **state)
{
	const struct ebpf_insn insns[] = {LD_MAP(1, 0, 5, 0), INSN(0xff, 0, 0, 0, 0), EXIT};
	char buf[64], tiny[6];

	assert_int_equal(ebpf_disassemble(insns, COUNT(insns), 0, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "r1 = 5 ll");
	assert_int_equal(ebpf_disassemble(insns, COUNT(insns), 2, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "<invalid opcode 0xff>");
	assert_int_equal(ebpf_disassemble(insns, COUNT(insns), 3, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "exit");
	assert_int_equal(ebpf_disassemble(insns, COUNT(insns), 4, buf, sizeof(buf)), 0);
	/* An lddw cut off by the end of the array is reported, not read past. */
	assert_int_equal(ebpf_disassemble(insns, 1, 0, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "<lddw without second half>");
	assert_int_equal(ebpf_disassemble(insns, COUNT(insns), 0, tiny, sizeof(tiny)), 2);
	assert_string_equal(tiny, "r1 = ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tail_call_interp),
	    cmocka_unit_test(test_tail_call_jit),
	    cmocka_unit_test(test_tail_call_limit_interp),
	    cmocka_unit_test(test_tail_call_limit_jit),
	    cmocka_unit_test(test_map_references_resolved),
	    cmocka_unit_test(test_socket_filter_legacy_load),
	    cmocka_unit_test(test_prog_accessors),
	    cmocka_unit_test(test_create_rejects_bad_options),
	    cmocka_unit_test(test_log_appends_and_truncates),
	    cmocka_unit_test(test_disassemble_edges),
	};

	host_platform_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
