/*
 * The x86-64 JIT against the interpreter: every opcode on edge-case values
 * and on every register pairing (the JIT keeps BPF registers in x86 ones,
 * some of which div and shifts use implicitly), memory and atomics,
 * branches that need rel8 and rel32, local calls, tail calls, helpers,
 * legacy packet loads, W^X and constant blinding.
 *
 * Each ALU/jump case ends by folding r0-r9 into r0, so an instruction
 * that clobbers a register it should not touch changes the result.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/mman.h>

#include "ebpf_internal.h"
#include "host_platform.h"

/* ---- instruction builders ------------------------------------------------ */

#define INSN(OP, DST, SRC, OFF, IMM)                                                               \
	((struct ebpf_insn){                                                                       \
	    .opcode = (OP), .dst_reg = (DST), .src_reg = (SRC), .offset = (OFF), .imm = (IMM)})
#define ALU64_K(OP, DST, IMM)	 INSN(EBPF_CLS_ALU64 | (OP) | EBPF_SRC_K, DST, 0, 0, IMM)
#define ALU64_X(OP, DST, SRC)	 INSN(EBPF_CLS_ALU64 | (OP) | EBPF_SRC_X, DST, SRC, 0, 0)
#define MOV64_K(DST, IMM)	 ALU64_K(EBPF_ALU_MOV, DST, IMM)
#define MOV64_X(DST, SRC)	 ALU64_X(EBPF_ALU_MOV, DST, SRC)
#define JMP_K(OP, DST, IMM, OFF) INSN(EBPF_CLS_JMP | (OP) | EBPF_SRC_K, DST, 0, OFF, IMM)
#define JA(OFF)			 INSN(EBPF_OP_JA, 0, 0, OFF, 0)
#define LDX(SIZE, DST, SRC, OFF) INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | (SIZE), DST, SRC, OFF, 0)
#define STX(SIZE, DST, SRC, OFF) INSN(EBPF_CLS_STX | EBPF_MODE_MEM | (SIZE), DST, SRC, OFF, 0)
#define ST(SIZE, DST, OFF, IMM)	 INSN(EBPF_CLS_ST | EBPF_MODE_MEM | (SIZE), DST, 0, OFF, IMM)
#define ATOMIC(SIZE, DST, SRC, OFF, OP)                                                            \
	INSN(EBPF_CLS_STX | EBPF_MODE_ATOMIC | (SIZE), DST, SRC, OFF, OP)
#define CALL_HELPER(ID)	     INSN(EBPF_OP_CALL, 0, EBPF_CALL_HELPER, 0, ID)
#define CALL_LOCAL(REL)	     INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL, 0, REL)
#define EXIT()		     INSN(EBPF_OP_EXIT, 0, 0, 0, 0)
#define LDDW_LO(DST, SRC, V) INSN(EBPF_OP_LDDW, DST, SRC, 0, (int32_t)(uint32_t)(V))
#define LDDW_HI(V)	     INSN(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(V) >> 32))

#define MAX_TEST_INSNS	  512
#define MEM_SIZE	  64
#define HELPER_CSUM_DIFF  28
#define HELPER_MAP_LOOKUP 1
#define FOLD_MULTIPLIER	  1000003

/* A program under construction. */
struct prog_buf {
	struct ebpf_insn insns[MAX_TEST_INSNS];
	size_t count;
};

static void emit(struct prog_buf *p, struct ebpf_insn insn)
{
	assert_true(p->count < MAX_TEST_INSNS);
	p->insns[p->count++] = insn;
}

static void emit_lddw(struct prog_buf *p, uint8_t dst, uint64_t value)
{
	emit(p, LDDW_LO(dst, 0, value));
	emit(p, LDDW_HI(value));
}

/* r0 = fold(r0..r9): any clobbered register changes the result. */
static void emit_fold_and_exit(struct prog_buf *p)
{
	uint8_t r;

	for (r = 1; r <= 9; r++) {
		emit(p, ALU64_K(EBPF_ALU_MUL, 0, FOLD_MULTIPLIER));
		emit(p, ALU64_X(EBPF_ALU_XOR, 0, r));
	}
	emit(p, EXIT());
}

/*
 * The same, after zeroing registers that hold addresses: the interpreter
 * and the JIT run on different buffers and stacks.
 */
static void emit_fold_values_and_exit(struct prog_buf *p, uint8_t addr_reg)
{
	emit(p, MOV64_K(1, 0));
	emit(p, MOV64_K(addr_reg, 0));
	emit_fold_and_exit(p);
}

/* Distinct starting values for r0-r9 (r1 is the memory pointer when used). */
static void emit_seed_registers(struct prog_buf *p, bool keep_r1)
{
	uint8_t r;

	for (r = 0; r <= 9; r++) {
		if (r == 1 && keep_r1)
			continue;
		emit_lddw(p, r, 0x0123456789abcdefull * (r + 1) + r);
	}
}

/* ---- running -------------------------------------------------------------- */

static char log_text[512];

static struct ebpf_prog *make_prog(const struct ebpf_insn *insns, size_t count,
				   enum ebpf_prog_type type, struct ebpf_map *const *maps,
				   size_t map_count)
{
	struct ebpf_prog_opts opts = {.type = type, .maps = maps, .map_count = map_count};
	struct ebpf_log log = {.buf = log_text, .size = sizeof(log_text)};
	struct ebpf_prog *prog = NULL;
	int err = ebpf_prog_create(insns, count, &opts, &prog, &log);

	if (err)
		fail_msg("ebpf_prog_create: %d: %s", err, log_text);
	return prog;
}

static void jit(struct ebpf_prog *prog, bool blind)
{
	struct ebpf_jit_opts opts = {.blind_constants = blind};
	struct ebpf_log log = {.buf = log_text, .size = sizeof(log_text)};
	int err = ebpf_prog_jit(prog, &opts, &log);

	if (err)
		fail_msg("ebpf_prog_jit: %d: %s", err, log_text);
}

/*
 * Runs p with r1 = a MEM_SIZE buffer initialised from mem (r2 = its size)
 * in the interpreter and in the JIT (plain and blinded); asserts equal r0
 * and equal memory afterwards. Returns r0.
 */
static uint64_t check_same(const struct prog_buf *p, const uint8_t *mem, const char *what)
{
	struct ebpf_prog *prog = make_prog(p->insns, p->count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	uint8_t mem_interp[MEM_SIZE], mem_jit[MEM_SIZE];
	uint64_t expect, got;
	int blind;

	memcpy(mem_interp, mem, MEM_SIZE);
	expect = ebpf_prog_run_interp(prog, mem_interp, MEM_SIZE);
	for (blind = 0; blind <= 1; blind++) {
		jit(prog, blind);
		memcpy(mem_jit, mem, MEM_SIZE);
		got = ebpf_prog_run(prog, mem_jit, MEM_SIZE);
		if (got != expect || memcmp(mem_interp, mem_jit, MEM_SIZE) != 0)
			fail_msg("%s%s: interpreter r0 0x%" PRIx64 ", JIT r0 0x%" PRIx64 "%s", what,
				 blind ? " (blinded)" : "", expect, got,
				 got == expect ? " (memory differs)" : "");
	}
	ebpf_prog_free(prog);
	return expect;
}

static const uint8_t zero_mem[MEM_SIZE];

/* ---- ALU ------------------------------------------------------------------ */

static const uint64_t edge_values[] = {
    0,
    1,
    2,
    7,
    31,
    32,
    63,
    64,
    0xff,
    0x8000,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0x8000000000000000ull,
    0x7fffffffffffffffull,
    UINT64_MAX,
    UINT64_MAX - 6,
    0xfedcba9876543210ull,
    0x00000000fffffffeull,
};
#define EDGE_COUNT (sizeof(edge_values) / sizeof(edge_values[0]))

struct alu_case {
	uint8_t op;
	int16_t offset;
	const char *name;
};

static const struct alu_case alu_cases[] = {
    {EBPF_ALU_ADD, 0, "add"},	   {EBPF_ALU_SUB, 0, "sub"},	  {EBPF_ALU_MUL, 0, "mul"},
    {EBPF_ALU_DIV, 0, "div"},	   {EBPF_ALU_DIV, 1, "sdiv"},	  {EBPF_ALU_OR, 0, "or"},
    {EBPF_ALU_AND, 0, "and"},	   {EBPF_ALU_LSH, 0, "lsh"},	  {EBPF_ALU_RSH, 0, "rsh"},
    {EBPF_ALU_MOD, 0, "mod"},	   {EBPF_ALU_MOD, 1, "smod"},	  {EBPF_ALU_XOR, 0, "xor"},
    {EBPF_ALU_MOV, 0, "mov"},	   {EBPF_ALU_ARSH, 0, "arsh"},	  {EBPF_ALU_MOV, 8, "movsx8"},
    {EBPF_ALU_MOV, 16, "movsx16"}, {EBPF_ALU_MOV, 32, "movsx32"},
};

/* dst op= src (or imm) with the given registers and values. */
static uint64_t check_alu(uint8_t cls, const struct alu_case *c, bool use_imm, uint8_t dst,
			  uint8_t src, uint64_t a, uint64_t b)
{
	struct prog_buf p = {.count = 0};
	char what[128];

	emit_seed_registers(&p, false);
	emit_lddw(&p, src, b);
	emit_lddw(&p, dst, a);
	if (use_imm)
		emit(&p, INSN(cls | c->op | EBPF_SRC_K, dst, 0, c->offset, (int32_t)b));
	else
		emit(&p, INSN(cls | c->op | EBPF_SRC_X, dst, src, c->offset, 0));
	emit_fold_and_exit(&p);
	snprintf(what, sizeof(what), "%s%s %s r%u, r%u (0x%" PRIx64 ", 0x%" PRIx64 ")", c->name,
		 cls == EBPF_CLS_ALU ? "32" : "64", use_imm ? "imm" : "reg", dst, src, a, b);
	return check_same(&p, zero_mem, what);
}

static bool alu_case_valid(uint8_t cls, const struct alu_case *c, bool use_imm)
{
	if (c->op == EBPF_ALU_MOV && c->offset != 0)
		return !use_imm && (cls == EBPF_CLS_ALU64 || c->offset != 32);
	return true;
}

/* Every binary op × width × K/X on every pair of edge values. */
static void test_alu_edge_values(void **state)
{
	static const uint8_t classes[] = {EBPF_CLS_ALU64, EBPF_CLS_ALU};
	size_t c, k, i, j;
	int imm;

	for (c = 0; c < sizeof(alu_cases) / sizeof(alu_cases[0]); c++)
		for (k = 0; k < 2; k++)
			for (imm = 0; imm <= 1; imm++) {
				if (!alu_case_valid(classes[k], &alu_cases[c], imm))
					continue;
				for (i = 0; i < EDGE_COUNT; i++)
					for (j = 0; j < EDGE_COUNT; j++)
						check_alu(classes[k], &alu_cases[c], imm,
							  (uint8_t)(1 + (i + j) % 9),
							  (uint8_t)(1 + (i + j + 4) % 9),
							  edge_values[i], edge_values[j]);
			}
}

/*
 * Every (dst, src) register pair for the ops that use rax, rdx or rcx
 * implicitly (div, mod, shifts) and for the rest, including dst == src.
 */
static void test_alu_register_pairs(void **state)
{
	static const uint8_t classes[] = {EBPF_CLS_ALU64, EBPF_CLS_ALU};
	size_t c, k;
	uint8_t dst, src;

	for (c = 0; c < sizeof(alu_cases) / sizeof(alu_cases[0]); c++)
		for (k = 0; k < 2; k++) {
			if (!alu_case_valid(classes[k], &alu_cases[c], false))
				continue;
			for (dst = 0; dst <= 9; dst++)
				for (src = 0; src <= 9; src++) {
					check_alu(classes[k], &alu_cases[c], false, dst, src,
						  0xfedcba9876543210ull, 0x8000000000000007ull);
					check_alu(classes[k], &alu_cases[c], false, dst, src,
						  0x123456789ull, 5);
				}
		}
}

/* The RFC 9669 §4.1 edge cases, with their expected values. */
static void test_alu_edge_results(void **state)
{
	static const struct alu_case div = {EBPF_ALU_DIV, 0, "div"};
	static const struct alu_case sdiv = {EBPF_ALU_DIV, 1, "sdiv"};
	static const struct alu_case mod = {EBPF_ALU_MOD, 0, "mod"};
	static const struct alu_case smod = {EBPF_ALU_MOD, 1, "smod"};
	static const struct alu_case lsh = {EBPF_ALU_LSH, 0, "lsh"};
	struct prog_buf p = {.count = 0};

	/* single-op programs returning dst, to state the expected values */
#define RESULT_OF(CLS, CASE, A, B)                                                                 \
	(p.count = 0, emit_lddw(&p, 1, (A)), emit_lddw(&p, 2, (B)),                                \
	 emit(&p, INSN((CLS) | (CASE).op | EBPF_SRC_X, 1, 2, (CASE).offset, 0)),                   \
	 emit(&p, MOV64_X(0, 1)), emit(&p, EXIT()), check_same(&p, zero_mem, (CASE).name))
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, div, 42, 0), 0);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, mod, 42, 0), 42);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU, mod, 0xffffffff0000002aull, 0), 42);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, sdiv, INT64_MIN, -1), (uint64_t)INT64_MIN);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, smod, INT64_MIN, -1), 0);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU, sdiv, 0x80000000, 0xffffffff), 0x80000000);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU, smod, 0x80000000, 0xffffffff), 0);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, sdiv, (uint64_t)-7, 2), (uint64_t)-3);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, smod, (uint64_t)-7, 2), (uint64_t)-1);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU64, lsh, 1, 65), 2);
	assert_int_equal(RESULT_OF(EBPF_CLS_ALU, lsh, 1, 33), 2);
#undef RESULT_OF
}

/* neg and the byte swaps (§4.2), which take no source operand. */
static void test_alu_unary(void **state)
{
	static const struct {
		uint8_t opcode;
		int32_t imm;
	} ops[] = {
	    {EBPF_CLS_ALU64 | EBPF_ALU_NEG, 0},
	    {EBPF_CLS_ALU | EBPF_ALU_NEG, 0},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 16},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 32},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K, 64},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 16},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 32},
	    {EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 64},
	    {EBPF_CLS_ALU64 | EBPF_ALU_END | EBPF_SRC_K, 16},
	    {EBPF_CLS_ALU64 | EBPF_ALU_END | EBPF_SRC_K, 32},
	    {EBPF_CLS_ALU64 | EBPF_ALU_END | EBPF_SRC_K, 64},
	};
	size_t k, i;
	uint8_t dst;

	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		for (dst = 0; dst <= 9; dst++)
			for (i = 0; i < EDGE_COUNT; i++) {
				struct prog_buf p = {.count = 0};

				emit_seed_registers(&p, false);
				emit_lddw(&p, dst, edge_values[i]);
				emit(&p, INSN(ops[k].opcode, dst, 0, 0, ops[k].imm));
				emit_fold_and_exit(&p);
				check_same(&p, zero_mem, "unary");
			}
	/* to-BE 16 on a little-endian host swaps the low half and clears the rest */
	{
		struct prog_buf p = {.count = 0};

		emit_lddw(&p, 0, 0x1122334455667788ull);
		emit(&p, INSN(EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X, 0, 0, 0, 16));
		emit(&p, EXIT());
		assert_int_equal(check_same(&p, zero_mem, "be16"), 0x8877);
	}
}

/* ---- jumps ---------------------------------------------------------------- */

static const uint8_t jump_ops[] = {
    EBPF_JMP_JEQ,  EBPF_JMP_JGT, EBPF_JMP_JGE, EBPF_JMP_JSET, EBPF_JMP_JNE,  EBPF_JMP_JSGT,
    EBPF_JMP_JSGE, EBPF_JMP_JLT, EBPF_JMP_JLE, EBPF_JMP_JSLT, EBPF_JMP_JSLE,
};

static void test_conditional_jumps(void **state)
{
	static const uint8_t classes[] = {EBPF_CLS_JMP, EBPF_CLS_JMP32};
	size_t o, k, i, j;
	int imm;

	for (o = 0; o < sizeof(jump_ops); o++)
		for (k = 0; k < 2; k++)
			for (imm = 0; imm <= 1; imm++)
				for (i = 0; i < EDGE_COUNT; i++)
					for (j = 0; j < EDGE_COUNT; j++) {
						struct prog_buf p = {.count = 0};
						uint8_t dst = (uint8_t)(1 + (i + j) % 9);
						uint8_t src = (uint8_t)(1 + (i + j + 3) % 9);

						emit_seed_registers(&p, false);
						emit_lddw(&p, src, edge_values[j]);
						emit_lddw(&p, dst, edge_values[i]);
						emit(&p, MOV64_K(0, 1));
						emit(&p, INSN(classes[k] | jump_ops[o] |
								  (imm ? EBPF_SRC_K : EBPF_SRC_X),
							      dst, imm ? 0 : src, 1,
							      (int32_t)edge_values[j]));
						emit(&p, MOV64_K(0, 2));
						emit_fold_and_exit(&p);
						check_same(&p, zero_mem, "jump");
					}
}

/* gotol (JMP32 JA, offset in imm) and ja, forward and backward. */
static void test_unconditional_jumps(void **state)
{
	struct prog_buf p = {.count = 0};

	emit(&p, MOV64_K(0, 1));
	emit(&p, INSN(EBPF_OP_JA32, 0, 0, 0, 2)); /* to the ja below */
	emit(&p, MOV64_K(0, 100));
	emit(&p, EXIT());
	emit(&p, ALU64_K(EBPF_ALU_ADD, 0, 10)); /* 4: loop body */
	emit(&p, JMP_K(EBPF_JMP_JGT, 0, 40, 1));
	emit(&p, JA(-3)); /* back to 4 */
	emit(&p, EXIT());
	/* gotol skips into the loop: 1 + 10 × 4 = 41 */
	assert_int_equal(check_same(&p, zero_mem, "gotol"), 41);
}

/*
 * jeq over k instructions: a rel8 while the target is near, a rel32 past
 * 127 bytes. Each skipped "mov r0, imm" is 7 bytes of x86, so the code
 * grows by 7 per k except once, by 4 more, when the branch turns long.
 */
static size_t jit_size_of_skip(uint32_t k, uint64_t r1_taken, uint64_t *result)
{
	struct prog_buf p = {.count = 0};
	struct ebpf_prog *prog;
	uint64_t mem_probe = r1_taken;
	size_t size;
	uint32_t i;

	emit(&p, LDX(EBPF_SIZE_DW, 2, 1, 0));
	emit(&p, MOV64_K(0, 1000));
	emit(&p, JMP_K(EBPF_JMP_JEQ, 2, 0, (int16_t)k));
	for (i = 0; i < k; i++)
		emit(&p, ALU64_K(EBPF_ALU_ADD, 0, 0x10000 + (int32_t)i));
	emit(&p, EXIT());
	prog = make_prog(p.insns, p.count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	*result = ebpf_prog_run_interp(prog, &mem_probe, sizeof(mem_probe));
	jit(prog, false);
	assert_int_equal(ebpf_prog_run(prog, &mem_probe, sizeof(mem_probe)), *result);
	ebpf_prog_get_jit_code(prog, &size);
	ebpf_prog_free(prog);
	return size;
}

static void test_short_and_long_branches(void **state)
{
	size_t prev, size;
	uint64_t taken, not_taken;
	unsigned int long_transitions = 0;
	uint32_t k;

	prev = jit_size_of_skip(1, 0, &taken);
	for (k = 2; k <= 40; k++) {
		size = jit_size_of_skip(k, 0, &taken);
		assert_int_equal(taken, 1000);
		jit_size_of_skip(k, 1, &not_taken);
		assert_int_not_equal(not_taken, 1000);
		if (size - prev != 7) {
			assert_int_equal(size - prev, 7 + 4);
			long_transitions++;
		}
		prev = size;
	}
	assert_int_equal(long_transitions, 1);
}

/*
 * Registers read before being written start at 0 (r2 at ctx_len for
 * EBPF_PROG_TYPE_UNSPEC), as in the interpreter, on every path. The JIT
 * zeroes only the ones some path may read unwritten: here r3 and r6 are
 * written on one path only, r4 only after the loop's first read of it,
 * r7-r9 never.
 */
static void test_unwritten_registers_read_as_zero(void **state)
{
	uint8_t mem[MEM_SIZE] = {0};
	struct prog_buf p = {.count = 0};

	emit(&p, LDX(EBPF_SIZE_B, 5, 1, 0));
	emit(&p, JMP_K(EBPF_JMP_JEQ, 5, 0, 2));
	emit(&p, MOV64_K(6, 7));
	emit(&p, MOV64_K(3, 9));
	emit(&p, MOV64_K(0, 3));
	emit(&p, ALU64_X(EBPF_ALU_ADD, 7, 4)); /* 5: loop body */
	emit(&p, MOV64_K(4, 11));
	emit(&p, ALU64_K(EBPF_ALU_SUB, 0, 1));
	emit(&p, JMP_K(EBPF_JMP_JNE, 0, 0, -4)); /* back to 5 */
	emit(&p, MOV64_K(1, 0));
	emit_fold_and_exit(&p);
	check_same(&p, mem, "unwritten registers, short path");
	mem[0] = 1;
	check_same(&p, mem, "unwritten registers, long path");
}

/* r0 = r2: ctx_len for EBPF_PROG_TYPE_UNSPEC, 0 for every other type. */
static uint64_t run_return_r2(enum ebpf_prog_type type, bool use_jit)
{
	const struct ebpf_insn insns[] = {MOV64_X(0, 2), EXIT()};
	struct ebpf_prog *prog = make_prog(insns, 2, type, NULL, 0);
	uint64_t r0;

	if (use_jit)
		jit(prog, false);
	r0 = use_jit ? ebpf_prog_run(prog, NULL, 99) : ebpf_prog_run_interp(prog, NULL, 99);
	ebpf_prog_free(prog);
	return r0;
}

static void test_entry_registers(void **state)
{
	const struct ebpf_insn only_exit[] = {EXIT()};
	struct ebpf_prog *prog = make_prog(only_exit, 1, EBPF_PROG_TYPE_XDP, NULL, 0);
	int use_jit;

	jit(prog, false);
	assert_int_equal(ebpf_prog_run(prog, NULL, 99), 0);
	ebpf_prog_free(prog);
	for (use_jit = 0; use_jit <= 1; use_jit++) {
		assert_int_equal(run_return_r2(EBPF_PROG_TYPE_UNSPEC, use_jit), 99);
		assert_int_equal(run_return_r2(EBPF_PROG_TYPE_XDP, use_jit), 0);
	}
}

/*
 * The SysV callee-saved registers, which a C caller of JIT code expects
 * back unchanged. C cannot reliably pin a value in one across a call, so
 * this wrapper does it: it loads regs[] into them (in the order of
 * callee_saved_names), calls entry(ctx, ctx_len), stores what they hold
 * then back into regs[] and returns entry's r0, its own caller's values
 * of them saved and restored around all that.
 */
#define CALLEE_SAVED_REGS 6
static const char *const callee_saved_names[CALLEE_SAVED_REGS] = {"rbx", "rbp", "r12",
								  "r13", "r14", "r15"};
uint64_t call_with_callee_saved(ebpf_jit_fn entry, void *ctx, size_t ctx_len,
				uint64_t regs[CALLEE_SAVED_REGS]);
__asm__(".text\n"
	".globl call_with_callee_saved\n"
	".type call_with_callee_saved, @function\n"
	"call_with_callee_saved:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	push %rcx\n" /* seven pushes: rsp is 16-byte aligned at the call */
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov 0(%rcx), %rbx\n"
	"	mov 8(%rcx), %rbp\n"
	"	mov 16(%rcx), %r12\n"
	"	mov 24(%rcx), %r13\n"
	"	mov 32(%rcx), %r14\n"
	"	mov 40(%rcx), %r15\n"
	"	call *%rax\n"
	"	pop %rcx\n"
	"	mov %rbx, 0(%rcx)\n"
	"	mov %rbp, 8(%rcx)\n"
	"	mov %r12, 16(%rcx)\n"
	"	mov %r13, 24(%rcx)\n"
	"	mov %r14, 32(%rcx)\n"
	"	mov %r15, 40(%rcx)\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n"
	".size call_with_callee_saved, . - call_with_callee_saved\n");

/*
 * Backward jumps, each of which costs the JIT's "registers read before
 * written" dataflow one more sweep: far more than its bound of sweeps
 * (JIT_MAX_DATAFLOW_SWEEPS), past which it answers conservatively.
 */
#define LONG_JUMP_CHAIN 100

/*
 * r0 = r_src; exit, reached only at the end of `chain` backward jumps:
 *     goto last; r0 = r_src; exit; goto -3; chain × goto -2 (last)
 */
static void emit_return_after_jump_chain(struct prog_buf *p, uint8_t src, int chain)
{
	int k;

	emit(p, JA(chain + 2));
	emit(p, MOV64_X(0, src));
	emit(p, EXIT());
	emit(p, JA(-3));
	for (k = 0; k < chain; k++)
		emit(p, JA(-2));
}

/*
 * A direct-entry program returns what the interpreter returns and hands
 * the caller's callee-saved registers back, also when the dataflow that
 * picks the registers to zero at entry gives up (LONG_JUMP_CHAIN; one
 * jump it settles on): r2 still holds ctx_len for EBPF_PROG_TYPE_UNSPEC,
 * and the entry zeroes only registers the program reads, after saving
 * them. Only the UNSPEC r2 case is verifiable; the others read a
 * register that no path wrote.
 */
static void test_entry_registers_past_dataflow_bound(void **state)
{
	static const struct {
		enum ebpf_prog_type type;
		uint8_t src;
	} cases[] = {
	    {EBPF_PROG_TYPE_UNSPEC, 2}, /* r2 = ctx_len */
	    {EBPF_PROG_TYPE_XDP, 2},	/* r2 = 0 */
	    {EBPF_PROG_TYPE_UNSPEC, 6}, /* r6 = 0: rbx zeroed, so saved */
	};
	static const int chains[] = {1, LONG_JUMP_CHAIN};
	static const uint64_t marks[CALLEE_SAVED_REGS] = {
	    0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull,
	    0x4444444444444444ull, 0x5555555555555555ull, 0x6666666666666666ull};
	uint8_t ctx[3] = {0, 1, 2};
	size_t c, h, r;

	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (h = 0; h < sizeof(chains) / sizeof(chains[0]); h++) {
			struct prog_buf p = {.count = 0};
			struct ebpf_prog *prog;
			uint64_t regs[CALLEE_SAVED_REGS], expect, got;

			emit_return_after_jump_chain(&p, cases[c].src, chains[h]);
			prog = make_prog(p.insns, p.count, cases[c].type, NULL, 0);
			expect = ebpf_prog_run_interp(prog, ctx, sizeof(ctx));
			jit(prog, false);
			memcpy(regs, marks, sizeof(regs));
			got = call_with_callee_saved(ebpf_prog_get_jit_fn(prog), ctx, sizeof(ctx),
						     regs);
			if (got != expect)
				fail_msg("r0 = r%u, type %d, %d jumps: interpreter 0x%" PRIx64
					 ", JIT 0x%" PRIx64,
					 cases[c].src, cases[c].type, chains[h], expect, got);
			for (r = 0; r < CALLEE_SAVED_REGS; r++) {
				if (regs[r] != marks[r])
					fail_msg("r0 = r%u, type %d, %d jumps: the caller's %s "
						 "is 0x%" PRIx64 " after the call",
						 cases[c].src, cases[c].type, chains[h],
						 callee_saved_names[r], regs[r]);
			}
			ebpf_prog_free(prog);
		}
	}
}

/* ---- the rotate idiom ------------------------------------------------------ */

enum rotate_variant {
	ROTATE_LOW_HALF_USED,	  /* fires: only r0's low half is used after */
	ROTATE_WHOLE_RESULT,	  /* r0's upper half is returned */
	ROTATE_TEMP_USED,	  /* r4 is read after the idiom */
	ROTATE_MASK_IMM,	  /* and-immediate: sign-extended, so not a rotate */
	ROTATE_MASK_NOT_CONSTANT, /* the mask register differs between two paths */
	ROTATE_BRANCH_INSIDE,	  /* a branch lands in the middle of the idiom */
	ROTATE_VARIANTS
};

/* rol32(r0, 5) as clang writes it in 64-bit registers, with variations. */
static void emit_rotate_variant(struct prog_buf *p, enum rotate_variant v)
{
	emit(p, LDX(EBPF_SIZE_DW, 0, 1, 0));
	emit(p, LDX(EBPF_SIZE_B, 2, 1, 8));
	emit_lddw(p, 3, 0xf8000000ull);
	if (v == ROTATE_MASK_NOT_CONSTANT) {
		emit(p, JMP_K(EBPF_JMP_JEQ, 2, 0, 2));
		emit_lddw(p, 3, 0xf8000001ull);
	}
	if (v == ROTATE_BRANCH_INSIDE) /* skips the and: r4 keeps all of r0 */
		emit(p, JMP_K(EBPF_JMP_JEQ, 2, 0, 1));
	emit(p, MOV64_X(4, 0));
	if (v == ROTATE_BRANCH_INSIDE)
		emit(p, JMP_K(EBPF_JMP_JEQ, 2, 0, 1));
	if (v == ROTATE_MASK_IMM)
		emit(p, ALU64_K(EBPF_ALU_AND, 4, (int32_t)0xf8000000));
	else
		emit(p, ALU64_X(EBPF_ALU_AND, 4, 3));
	emit(p, ALU64_K(EBPF_ALU_RSH, 4, 27));
	emit(p, ALU64_K(EBPF_ALU_LSH, 0, 5));
	emit(p, ALU64_X(EBPF_ALU_OR, 0, 4));
	if (v == ROTATE_TEMP_USED)
		emit(p, ALU64_X(EBPF_ALU_ADD, 0, 4));
	if (v != ROTATE_WHOLE_RESULT)
		emit(p, INSN(EBPF_CLS_ALU | EBPF_ALU_MOV | EBPF_SRC_X, 0, 0, 0, 0));
	emit(p, EXIT());
}

/* Whether the JIT turned the idiom into "rol eax, 5" (c1 c0 05). */
static bool jit_uses_rol(const struct prog_buf *p)
{
	static const uint8_t rol_eax_5[] = {0xc1, 0xc0, 5};
	struct ebpf_prog *prog = make_prog(p->insns, p->count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	const uint8_t *code;
	bool found = false;
	size_t size, i;

	jit(prog, false);
	code = ebpf_prog_get_jit_code(prog, &size);
	for (i = 0; i + sizeof(rol_eax_5) <= size; i++)
		found |= memcmp(code + i, rol_eax_5, sizeof(rol_eax_5)) == 0;
	ebpf_prog_free(prog);
	return found;
}

/*
 * The JIT replaces the five-instruction rotate idiom with rol only when
 * nothing reads what rol computes differently; results always match the
 * interpreter (both paths where a branch decides).
 */
static void test_rotate_idiom(void **state)
{
	uint8_t mem[MEM_SIZE];
	enum rotate_variant v;
	size_t i;

	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(0xf7 - i * 29);
	for (v = 0; v < ROTATE_VARIANTS; v++) {
		struct prog_buf p = {.count = 0};

		emit_rotate_variant(&p, v);
		assert_int_equal(jit_uses_rol(&p), v == ROTATE_LOW_HALF_USED);
		mem[8] = 0;
		check_same(&p, mem, "rotate idiom");
		mem[8] = 1;
		check_same(&p, mem, "rotate idiom, other path");
	}
}

/* A loop whose body is far more than 128 bytes: a long backward branch. */
static void test_long_backward_branch(void **state)
{
	struct prog_buf p = {.count = 0};
	int i;

	emit(&p, MOV64_K(0, 0));
	emit(&p, MOV64_K(6, 0));
	for (i = 0; i < 40; i++) /* loop start: insn 2 */
		emit(&p, ALU64_K(EBPF_ALU_ADD, 0, i + 0x1000));
	emit(&p, ALU64_K(EBPF_ALU_ADD, 6, 1));
	emit(&p, JMP_K(EBPF_JMP_JLT, 6, 5, -42));
	emit(&p, EXIT());
	assert_int_equal(check_same(&p, zero_mem, "long loop"), 5 * (40 * 0x1000 + 780));
}

/* ---- memory ---------------------------------------------------------------- */

static const uint8_t sizes[] = {EBPF_SIZE_B, EBPF_SIZE_H, EBPF_SIZE_W, EBPF_SIZE_DW};

/* Loads, sign-extending loads and stores of each size, on r1 memory and the stack. */
static void test_loads_and_stores(void **state)
{
	uint8_t mem[MEM_SIZE];
	size_t s, i;
	uint8_t reg;

	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(0x81 + i * 37);
	for (s = 0; s < sizeof(sizes); s++)
		for (reg = 0; reg <= 9; reg++) {
			struct prog_buf p = {.count = 0};
			/* base = a copy of r1 in some register, so every base is tried */
			uint8_t base = reg == 1 ? 4 : reg;
			uint8_t other = base == 2 ? 3 : 2;

			emit_seed_registers(&p, true);
			emit(&p, MOV64_X(base, 1));
			emit_lddw(&p, 1, 0x1111111111111111ull); /* no address in memory */
			emit(&p, LDX(sizes[s], other, base, 5));
			emit(&p, STX(sizes[s], base, other, 17));
			emit(&p, ST(sizes[s], base, 33, -0x12345678));
			emit(&p, STX(sizes[s], 10, other, -3));
			emit(&p, LDX(sizes[s], other, 10, -3));
			emit(&p, STX(EBPF_SIZE_DW, base, other, 40));
			emit(&p, ST(sizes[s], 10, -512, 0x7a));
			emit(&p, LDX(sizes[s], other, 10, -512));
			if (sizes[s] != EBPF_SIZE_DW)
				emit(&p, INSN(EBPF_CLS_LDX | EBPF_MODE_MEMSX | sizes[s], other,
					      base, 1, 0));
			emit(&p, STX(EBPF_SIZE_DW, base, other, 48));
			/* reg as loaded and stored register (a byte store of sil, dil...) */
			if (reg != base)
				emit(&p, STX(sizes[s], base, reg, 56));
			emit(&p, LDX(sizes[s], reg, base, 9));
			emit(&p, STX(sizes[s], 10, reg, -64));
			emit_fold_values_and_exit(&p, base);
			check_same(&p, mem, "load/store");
		}
}

static const int32_t atomic_ops[] = {
    EBPF_ATOMIC_ADD,
    EBPF_ATOMIC_OR,
    EBPF_ATOMIC_AND,
    EBPF_ATOMIC_XOR,
    EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH,
    EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH,
    EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH,
    EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH,
    EBPF_ATOMIC_XCHG,
    EBPF_ATOMIC_CMPXCHG,
};

/* Every atomic op × width × (address register, value register), r0 included. */
static void test_atomics(void **state)
{
	static const uint8_t atomic_sizes[] = {EBPF_SIZE_W, EBPF_SIZE_DW};
	uint8_t mem[MEM_SIZE];
	size_t o, s, i;
	uint8_t base, src;
	int match;

	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(0xf0 ^ (i * 29));
	for (o = 0; o < sizeof(atomic_ops) / sizeof(atomic_ops[0]); o++)
		for (s = 0; s < 2; s++)
			for (base = 0; base <= 9; base++)
				for (src = 0; src <= 9; src++)
					for (match = 0; match <= 1; match++) {
						struct prog_buf p = {.count = 0};

						if (src == base)
							continue;
						emit_seed_registers(&p, true);
						emit(&p, ST(EBPF_SIZE_DW, 10, -16, 0x3c3c3c3c));
						emit(&p, MOV64_X(base, 1));
						if (base != 1)
							emit_lddw(&p, 1, 0x2222222222222222ull);
						/* cmpxchg: r0 equal to memory, or not */
						if (match && base != 0 && src != 0)
							emit(&p, LDX(atomic_sizes[s], 0, base, 8));
						emit(&p, ATOMIC(atomic_sizes[s], base, src, 8,
								atomic_ops[o]));
						emit(&p, ATOMIC(atomic_sizes[s], 10, src, -16,
								atomic_ops[o]));
						emit_fold_values_and_exit(&p, base);
						check_same(&p, mem, "atomic");
					}
}

/* cmpxchg's result in r0 is zero-extended on success and failure (§5.3). */
static void test_cmpxchg32_zero_extends_r0(void **state)
{
	uint8_t mem[MEM_SIZE] = {0x44, 0x33, 0x22, 0x11};
	int match;

	for (match = 0; match <= 1; match++) {
		struct prog_buf p = {.count = 0};

		emit_lddw(&p, 0, match ? 0xabcdef0011223344ull : 0xabcdef0055667788ull);
		emit(&p, MOV64_K(2, 0x99));
		emit(&p, ATOMIC(EBPF_SIZE_W, 1, 2, 0, EBPF_ATOMIC_CMPXCHG));
		emit(&p, EXIT());
		assert_int_equal(check_same(&p, mem, "cmpxchg32"), 0x11223344);
	}
}

/* lddw of values that take each encoding (imm32, sign-extended, imm64). */
static void test_lddw(void **state)
{
	size_t i;
	uint8_t r;

	for (i = 0; i < EDGE_COUNT; i++)
		for (r = 0; r <= 9; r++) {
			struct prog_buf p = {.count = 0};

			emit_seed_registers(&p, false);
			emit_lddw(&p, r, edge_values[i]);
			emit_fold_and_exit(&p);
			check_same(&p, zero_mem, "lddw");
		}
}

/* ---- calls ----------------------------------------------------------------- */

/*
 * main writes its stack, sets r6-r9, calls f(r1..r5); f writes the same
 * stack slot of its own frame and clobbers r6-r9. Afterwards main's slot
 * and r6-r9 are intact and r0 is f's result.
 */
static void test_local_call_frames(void **state)
{
	struct prog_buf p = {.count = 0};
	size_t call_at;
	uint8_t r;

	emit(&p, ST(EBPF_SIZE_DW, 10, -8, 0x1111));
	for (r = 6; r <= 9; r++)
		emit(&p, MOV64_K(r, r * 11));
	for (r = 1; r <= 5; r++)
		emit(&p, MOV64_K(r, r * 1000));
	call_at = p.count;
	emit(&p, CALL_LOCAL(0));
	emit(&p, LDX(EBPF_SIZE_DW, 1, 10, -8));
	emit(&p, ALU64_X(EBPF_ALU_ADD, 0, 1));
	for (r = 6; r <= 9; r++) {
		emit(&p, ALU64_K(EBPF_ALU_MUL, 0, 3));
		emit(&p, ALU64_X(EBPF_ALU_ADD, 0, r));
	}
	emit(&p, EXIT());
	/* f: r0 = r1 + r2 + r3 + r4 + r5 + its own stack slot */
	p.insns[call_at].imm = (int32_t)(p.count - call_at - 1);
	emit(&p, ST(EBPF_SIZE_DW, 10, -8, 0x2222));
	for (r = 6; r <= 9; r++)
		emit(&p, MOV64_K(r, -1));
	emit(&p, LDX(EBPF_SIZE_DW, 0, 10, -8));
	for (r = 1; r <= 5; r++)
		emit(&p, ALU64_X(EBPF_ALU_ADD, 0, r));
	emit(&p, EXIT());
	assert_int_equal(check_same(&p, zero_mem, "local call"),
			 ((((15000 + 0x2222 + 0x1111) * 3 + 66) * 3 + 77) * 3 + 88) * 3 + 99);
}

/* f(n) = n ? f(n - 1) + 1 : 0, from main with n = depth. */
static uint64_t run_recursion(uint32_t depth)
{
	struct prog_buf p = {.count = 0};

	emit(&p, MOV64_K(1, (int32_t)depth));
	emit(&p, CALL_LOCAL(1));
	emit(&p, EXIT());
	emit(&p, MOV64_K(0, 0)); /* 3: f */
	emit(&p, JMP_K(EBPF_JMP_JEQ, 1, 0, 3));
	emit(&p, ALU64_K(EBPF_ALU_SUB, 1, 1));
	emit(&p, CALL_LOCAL(-4));
	emit(&p, ALU64_K(EBPF_ALU_ADD, 0, 1));
	emit(&p, EXIT());
	return check_same(&p, zero_mem, "recursion");
}

/*
 * f(n) runs in frame n + 2 (main is frame 1): EBPF_MAX_CALL_DEPTH frames
 * run, one more aborts the whole program with r0 = 0.
 */
/*
 * Unverified code that runs off its end into the next function is refused
 * by the JIT, naming the instruction, instead of compiled into a crash;
 * the interpreter just goes on (r0 = 2).
 */
static void test_fall_into_function_refused(void **state)
{
	struct ebpf_insn insns[] = {
	    MOV64_K(0, 1), ALU64_K(EBPF_ALU_ADD, 0, 1), EXIT(), CALL_LOCAL(-3), EXIT(),
	};
	struct ebpf_prog *prog =
	    make_prog(insns, sizeof(insns) / sizeof(insns[0]), EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	struct ebpf_log log = {.buf = log_text, .size = sizeof(log_text)};

	assert_int_equal(ebpf_prog_run_interp(prog, NULL, 0), 2);
	assert_int_equal(ebpf_prog_jit(prog, NULL, &log), -EINVAL);
	assert_string_equal(log_text, "insn 0: JIT: falls through into the function at insn 1");
	assert_null(ebpf_prog_get_jit_fn(prog));
	ebpf_prog_free(prog);
}

static void test_call_depth_limit(void **state)
{
	assert_int_equal(run_recursion(EBPF_MAX_CALL_DEPTH - 2), EBPF_MAX_CALL_DEPTH - 2);
	assert_int_equal(run_recursion(EBPF_MAX_CALL_DEPTH - 1), 0);
	assert_int_equal(run_recursion(1000), 0);
}

/* bpf_csum_diff takes all five arguments: r1-r5 reach the helper in order. */
static void test_helper_call_arguments(void **state)
{
	uint8_t mem[MEM_SIZE];
	size_t i;
	struct prog_buf p = {.count = 0};
	uint64_t result;

	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 7 + 3);
	emit(&p, MOV64_X(6, 1));
	emit(&p, MOV64_X(3, 1));
	emit(&p, ALU64_K(EBPF_ALU_ADD, 3, 16));
	emit(&p, MOV64_K(2, 8));
	emit(&p, MOV64_K(4, 12));
	emit(&p, MOV64_K(5, 0x1234));
	emit(&p, CALL_HELPER(HELPER_CSUM_DIFF));
	emit(&p, MOV64_X(7, 0));
	emit(&p, MOV64_X(1, 6)); /* r1-r5 are dead after a call */
	emit(&p, MOV64_K(2, 0));
	emit(&p, MOV64_X(3, 6));
	emit(&p, MOV64_K(4, 4));
	emit(&p, MOV64_K(5, 7));
	emit(&p, CALL_HELPER(HELPER_CSUM_DIFF));
	emit(&p, ALU64_K(EBPF_ALU_LSH, 7, 32));
	emit(&p, ALU64_X(EBPF_ALU_OR, 0, 7));
	emit(&p, EXIT());
	result = check_same(&p, mem, "csum_diff");
	assert_int_not_equal(result >> 32, 0);
}

/* A map lookup through a relocated lddw, a helper and a pointer it returns. */
static void test_helper_map_lookup(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0};
	struct ebpf_map *map = NULL;
	struct ebpf_prog *prog;
	uint32_t key = 2;
	uint64_t value = 0x5555;
	struct ebpf_insn insns[] = {
	    ST(EBPF_SIZE_W, 10, -4, 2),
	    MOV64_X(2, 10),
	    ALU64_K(EBPF_ALU_ADD, 2, -4),
	    LDDW_LO(1, EBPF_PSEUDO_MAP_FD, 0),
	    LDDW_HI(0),
	    CALL_HELPER(HELPER_MAP_LOOKUP),
	    JMP_K(EBPF_JMP_JEQ, 0, 0, 3),
	    ATOMIC(EBPF_SIZE_DW, 0, 10, 0, EBPF_ATOMIC_ADD), /* value += r10 */
	    LDX(EBPF_SIZE_DW, 0, 0, 0),
	    ALU64_X(EBPF_ALU_SUB, 0, 10),
	    EXIT(),
	};
	uint64_t via_interp, via_jit;

	assert_int_equal(ebpf_map_create(&def, "m", &map, NULL), 0);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	prog = make_prog(insns, sizeof(insns) / sizeof(insns[0]), EBPF_PROG_TYPE_UNSPEC, &map, 1);
	via_interp = ebpf_prog_run_interp(prog, NULL, 0);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	jit(prog, true);
	via_jit = ebpf_prog_run(prog, NULL, 0);
	assert_int_equal(via_interp, 0x5555);
	assert_int_equal(via_jit, 0x5555);
	ebpf_prog_free(prog);
	ebpf_map_free(map);
}

static struct ebpf_map *make_hash_u32(const char *name, uint32_t key, uint64_t value)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_HASH, 4, 8, 8, 0, 0};
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(&def, name, &map, NULL), 0);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	return map;
}

/*
 * The JIT calls a map's own lookup when r1 names one map on every path to
 * the call, and the helper otherwise: here maps[ctx[0] != 0] is chosen by
 * a branch, then maps[0] is looked up on a straight path; key 7 is in
 * both maps, key ctx[1] maybe not. r0 = found values summed, 0xdead per miss.
 */
static void test_jit_map_lookup_direct_and_by_path(void **state)
{
	struct ebpf_map *maps[] = {make_hash_u32("a", 7, 111), make_hash_u32("b", 7, 222)};
	struct ebpf_insn insns[] = {
	    LDX(EBPF_SIZE_W, 6, 1, 0),
	    LDX(EBPF_SIZE_W, 7, 1, 4),
	    ST(EBPF_SIZE_W, 10, -4, 7),
	    JMP_K(EBPF_JMP_JEQ, 6, 0, 3),
	    LDDW_LO(1, EBPF_PSEUDO_MAP_FD, 1),
	    LDDW_HI(0),
	    JA(2),
	    LDDW_LO(1, EBPF_PSEUDO_MAP_FD, 0),
	    LDDW_HI(0),
	    MOV64_X(2, 10),
	    ALU64_K(EBPF_ALU_ADD, 2, -4),
	    CALL_HELPER(HELPER_MAP_LOOKUP), /* r1 depends on the path */
	    MOV64_K(8, 0xdead),
	    JMP_K(EBPF_JMP_JEQ, 0, 0, 1),
	    LDX(EBPF_SIZE_DW, 8, 0, 0),
	    STX(EBPF_SIZE_W, 10, 7, -4),
	    LDDW_LO(1, EBPF_PSEUDO_MAP_FD, 0),
	    LDDW_HI(0),
	    MOV64_X(2, 10),
	    ALU64_K(EBPF_ALU_ADD, 2, -4),
	    CALL_HELPER(HELPER_MAP_LOOKUP), /* always maps[0] */
	    MOV64_K(9, 0xdead),
	    JMP_K(EBPF_JMP_JEQ, 0, 0, 1),
	    LDX(EBPF_SIZE_DW, 9, 0, 0),
	    MOV64_X(0, 8),
	    ALU64_X(EBPF_ALU_ADD, 0, 9),
	    EXIT(),
	};
	static const struct {
		uint32_t ctx[2];
		uint64_t r0;
	} cases[] = {
	    {{0, 7}, 111 + 111},
	    {{1, 7}, 222 + 111},
	    {{1, 8}, 222 + 0xdead},
	};
	struct ebpf_prog *prog =
	    make_prog(insns, sizeof(insns) / sizeof(insns[0]), EBPF_PROG_TYPE_UNSPEC, maps, 2);
	size_t i;

	jit(prog, false);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ctx[2] = {cases[i].ctx[0], cases[i].ctx[1]};

		assert_int_equal(ebpf_prog_run_interp(prog, ctx, sizeof(ctx)), cases[i].r0);
		assert_int_equal(ebpf_prog_run(prog, ctx, sizeof(ctx)), cases[i].r0);
	}
	ebpf_prog_free(prog);
	ebpf_map_free(maps[0]);
	ebpf_map_free(maps[1]);
}

/* r0 = maps[0][ctx's 8 bytes, as the map's key], or INLINE_LOOKUP_MISS. */
#define INLINE_LOOKUP_MISS 0xdead
static const struct ebpf_insn inline_lookup_insns[] = {
    LDX(EBPF_SIZE_DW, 6, 1, 0),
    STX(EBPF_SIZE_DW, 10, 6, -8),
    MOV64_X(2, 10),
    ALU64_K(EBPF_ALU_ADD, 2, -8),
    LDDW_LO(1, EBPF_PSEUDO_MAP_FD, 0),
    LDDW_HI(0),
    CALL_HELPER(HELPER_MAP_LOOKUP),
    MOV64_X(6, 0),
    MOV64_K(0, INLINE_LOOKUP_MISS),
    JMP_K(EBPF_JMP_JEQ, 6, 0, 1),
    LDX(EBPF_SIZE_DW, 0, 6, 0),
    EXIT(),
};

/*
 * The JIT's inline lookup handles a key at the head of its bucket and
 * calls the map for the rest: with more keys than buckets some keys sit
 * behind another in a chain, and every one must still be found, for
 * 4- and 8-byte keys; a missing key gives NULL.
 */
static void check_inline_hash_lookup(uint32_t key_size)
{
	enum { KEYS = 16, MISSING = 1000, MISS = INLINE_LOOKUP_MISS };
	struct ebpf_map_def def = {EBPF_MAP_TYPE_HASH, key_size, 8, KEYS, 0, 0};
	struct ebpf_map *map = NULL;
	struct ebpf_prog *prog;
	uint64_t key, value;

	assert_int_equal(ebpf_map_create(&def, "h", &map, NULL), 0);
	for (key = 0; key < KEYS; key++) {
		value = key * 10 + 1;
		assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_NOEXIST), 0);
	}
	prog = make_prog(inline_lookup_insns,
			 sizeof(inline_lookup_insns) / sizeof(inline_lookup_insns[0]),
			 EBPF_PROG_TYPE_UNSPEC, &map, 1);
	jit(prog, false);
	for (key = 0; key <= KEYS; key++) {
		uint64_t ctx = key == KEYS ? MISSING : key; /* little-endian: low bytes first */
		uint64_t expected = key == KEYS ? MISS : key * 10 + 1;

		assert_int_equal(ebpf_prog_run_interp(prog, &ctx, sizeof(ctx)), expected);
		assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), expected);
	}
	/* deleting a head promotes the next element of its chain */
	for (key = 0; key < KEYS; key += 2)
		assert_int_equal(ebpf_map_delete(map, &key), 0);
	for (key = 0; key < KEYS; key++) {
		uint64_t ctx = key, expected = key % 2 ? key * 10 + 1 : MISS;

		assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), expected);
	}
	ebpf_prog_free(prog);
	ebpf_map_free(map);
}

static void test_jit_inline_hash_lookup_key32(void **state)
{
	check_inline_hash_lookup(sizeof(uint32_t));
}

static void test_jit_inline_hash_lookup_key64(void **state)
{
	check_inline_hash_lookup(sizeof(uint64_t));
}

/*
 * The JIT computes a key's bucket in machine code, maps.c in C, both from
 * ebpf_hash_mix/ebpf_hash_of_state. Were they to differ, the inline lookup
 * would only miss and fall back to the map's own lookup, which results
 * alone do not show. So the test forges buckets: every bucket but the one
 * maps.c's hash gives the key claims to hold it (its head-key copy), that
 * one is empty. A JIT that looks where maps.c does finds nothing; one that
 * looks anywhere else finds the forged head. Then the right bucket gets
 * the forgery too, and the JIT must find it.
 */
static void check_inline_hash_is_maps_hash(uint32_t key_size)
{
	enum { MISS = INLINE_LOOKUP_MISS };
	const uint64_t held = 1, forged = 0x1234567, value = 42;
	struct ebpf_map_def def = {EBPF_MAP_TYPE_HASH, key_size, 8, 16, 0, 0};
	struct ebpf_map_inline_hash ih;
	struct ebpf_map *map = NULL;
	struct ebpf_prog *prog;
	uint8_t *buckets, *bucket;
	uint32_t held_head, right, b;
	uint64_t ctx = forged;

	assert_int_equal(ebpf_map_create(&def, "h", &map, NULL), 0);
	assert_int_equal(ebpf_map_update(map, &held, &value, EBPF_NOEXIST), 0);
	assert_true(ebpf_map_get_inline_hash(map, &ih));
	buckets = (uint8_t *)ih.buckets;
	b = ebpf_hash_of_state(ebpf_hash_mix(key_size, held)) & ih.bucket_mask;
	memcpy(&held_head, buckets + b * EBPF_HASH_BUCKET_SIZE + EBPF_HASH_BUCKET_HEAD,
	       sizeof(held_head));
	right = ebpf_hash_of_state(ebpf_hash_mix(key_size, forged)) & ih.bucket_mask;
	for (b = 0; b <= ih.bucket_mask; b++) {
		uint32_t head = b == right ? EBPF_HASH_NIL : held_head;

		bucket = buckets + b * EBPF_HASH_BUCKET_SIZE;
		memcpy(bucket + EBPF_HASH_BUCKET_HEAD_KEY, &forged, sizeof(forged));
		memcpy(bucket + EBPF_HASH_BUCKET_HEAD, &head, sizeof(head));
	}
	prog = make_prog(inline_lookup_insns,
			 sizeof(inline_lookup_insns) / sizeof(inline_lookup_insns[0]),
			 EBPF_PROG_TYPE_UNSPEC, &map, 1);
	jit(prog, false);
	assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), MISS);
	bucket = buckets + right * EBPF_HASH_BUCKET_SIZE;
	memcpy(bucket + EBPF_HASH_BUCKET_HEAD, &held_head, sizeof(held_head));
	assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), value);
	ebpf_prog_free(prog);
	ebpf_map_free(map);
}

static void test_jit_inline_hash_is_maps_hash_key32(void **state)
{
	check_inline_hash_is_maps_hash(sizeof(uint32_t));
}

static void test_jit_inline_hash_is_maps_hash_key64(void **state)
{
	check_inline_hash_is_maps_hash(sizeof(uint64_t));
}

/* ---- tail calls ------------------------------------------------------------ */

/* r6 += 1; bpf_tail_call(ctx, map, slot); r0 = r6 * 100 + r0; exit */
static struct ebpf_prog *make_tail_caller(struct ebpf_map *map, int32_t slot, int32_t r0)
{
	struct ebpf_insn insns[] = {
	    ALU64_K(EBPF_ALU_ADD, 6, 1),
	    MOV64_K(0, r0),
	    LDDW_LO(2, EBPF_PSEUDO_MAP_FD, 0),
	    LDDW_HI(0),
	    MOV64_K(3, slot),
	    CALL_HELPER(EBPF_FUNC_TAIL_CALL),
	    ALU64_K(EBPF_ALU_MUL, 6, 100),
	    ALU64_X(EBPF_ALU_ADD, 0, 6),
	    EXIT(),
	};

	return make_prog(insns, sizeof(insns) / sizeof(insns[0]), EBPF_PROG_TYPE_XDP, &map, 1);
}

static struct ebpf_map *make_prog_array(void)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0};
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(&def, "progs", &map, NULL), 0);
	return map;
}

/*
 * A program that tail-calls itself runs 1 + EBPF_MAX_TAIL_CALLS times;
 * the last, failing, call falls through with r0 kept.
 */
static void test_tail_call_limit(void **state)
{
	struct ebpf_map *map = make_prog_array();
	struct ebpf_prog *prog = make_tail_caller(map, 0, 7);
	uint64_t expect = (EBPF_MAX_TAIL_CALLS + 1) * 100 + 7;

	assert_int_equal(ebpf_prog_array_set(map, 0, prog), 0);
	assert_int_equal(ebpf_prog_run_interp(prog, NULL, 0), expect);
	jit(prog, false);
	assert_int_equal(ebpf_prog_run(prog, NULL, 0), expect);
	/* the count starts again on every run */
	assert_int_equal(ebpf_prog_run(prog, NULL, 0), expect);
	ebpf_map_free(map);
	ebpf_prog_free(prog);
}

/* Empty slot and out-of-range index: fall through, registers unchanged. */
static void test_tail_call_miss(void **state)
{
	struct ebpf_map *map = make_prog_array();
	struct ebpf_prog *empty = make_tail_caller(map, 1, 5);
	struct ebpf_prog *out_of_range = make_tail_caller(map, 100, 6);

	jit(empty, false);
	jit(out_of_range, true);
	assert_int_equal(ebpf_prog_run(empty, NULL, 0), 105);
	assert_int_equal(ebpf_prog_run(out_of_range, NULL, 0), 106);
	ebpf_map_free(map);
	ebpf_prog_free(empty);
	ebpf_prog_free(out_of_range);
}

/*
 * A chain first → second (JIT) → last (not JIT-compiled: the interpreter
 * runs it and its r0 is the result), and the same chain entered by a tail
 * call from inside a local call, which returns to the caller.
 */
static void test_tail_call_chain_and_fallback(void **state)
{
	struct ebpf_map *map = make_prog_array();
	struct ebpf_prog *first = make_tail_caller(map, 0, 1);
	struct ebpf_prog *second = make_tail_caller(map, 1, 2);
	struct ebpf_insn last_insns[] = {MOV64_K(0, 77), EXIT()};
	struct ebpf_prog *last = make_prog(last_insns, 2, EBPF_PROG_TYPE_XDP, NULL, 0);
	struct ebpf_insn caller_insns[] = {
	    MOV64_K(6, 40),
	    CALL_LOCAL(3),
	    ALU64_K(EBPF_ALU_MUL, 6, 1000), /* r6 survived the call */
	    ALU64_X(EBPF_ALU_ADD, 0, 6),
	    EXIT(),
	    MOV64_K(6, 0), /* callee: tail call slot 0 */
	    LDDW_LO(2, EBPF_PSEUDO_MAP_FD, 0),
	    LDDW_HI(0),
	    MOV64_K(3, 0),
	    CALL_HELPER(EBPF_FUNC_TAIL_CALL),
	    MOV64_K(0, 999),
	    EXIT(),
	};
	struct ebpf_prog *caller =
	    make_prog(caller_insns, sizeof(caller_insns) / sizeof(caller_insns[0]),
		      EBPF_PROG_TYPE_XDP, &map, 1);

	assert_int_equal(ebpf_prog_array_set(map, 0, second), 0);
	assert_int_equal(ebpf_prog_array_set(map, 1, last), 0);
	assert_int_equal(ebpf_prog_run_interp(first, NULL, 0), 77);
	jit(first, false);
	jit(second, false);
	assert_int_equal(ebpf_prog_run(first, NULL, 0), 77);
	assert_int_equal(ebpf_prog_run_interp(caller, NULL, 0), 40077);
	jit(caller, false);
	assert_int_equal(ebpf_prog_run(caller, NULL, 0), 40077);
	/* all JIT-compiled: the tail call into last jumps to its code */
	jit(last, false);
	assert_int_equal(ebpf_prog_run(caller, NULL, 0), 40077);
	ebpf_map_free(map);
	ebpf_prog_free(caller);
	ebpf_prog_free(first);
	ebpf_prog_free(second);
	ebpf_prog_free(last);
}

/* ---- legacy packet access --------------------------------------------------- */

static void test_legacy_packet_loads(void **state)
{
	static const int32_t offsets[] = {0, 1, 2, 13, 59, 60, 61, 62, 63, 64, 100, -1, INT32_MIN};
	uint8_t mem[MEM_SIZE];
	size_t s, o, i;

	for (i = 0; i < MEM_SIZE; i++)
		mem[i] = (uint8_t)(i * 13 + 1);
	for (s = 0; s < 3; s++)
		for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++) {
			struct prog_buf p = {.count = 0};

			emit_seed_registers(&p, true);
			emit(&p, INSN(EBPF_CLS_LD | EBPF_MODE_ABS | sizes[s], 0, 0, 0, offsets[o]));
			emit(&p, MOV64_X(6, 0));
			emit(&p, MOV64_K(7, 3));
			emit(&p, INSN(EBPF_CLS_LD | EBPF_MODE_IND | sizes[s], 0, 7, 0, offsets[o]));
			emit(&p, ALU64_K(EBPF_ALU_LSH, 0, 1));
			emit_fold_values_and_exit(&p, 1);
			check_same(&p, mem, "ld_abs/ld_ind");
		}
	{
		struct prog_buf p = {.count = 0};

		emit(&p, INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_W, 0, 0, 0, 4));
		emit(&p, EXIT());
		assert_int_equal(check_same(&p, mem, "ld_abs"), 0x35424f5c);
	}
}

/* A socket filter reads the packet through struct ebpf_cbpf_ctx. */
static void test_legacy_loads_socket_filter(void **state)
{
	static const uint8_t packet[] = {0x45, 0x00, 0x12, 0x34, 0x99};
	struct ebpf_cbpf_ctx ctx = {.data = packet, .caplen = 4, .wirelen = 100};
	struct ebpf_insn insns[] = {
	    INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_H, 0, 0, 0, 2),
	    MOV64_X(6, 0),
	    INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_B, 0, 0, 0, 4), /* past caplen */
	    EXIT(),
	};
	struct ebpf_insn insns_ok[] = {
	    INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_H, 0, 0, 0, 2),
	    EXIT(),
	};
	struct ebpf_prog *prog = make_prog(insns, 4, EBPF_PROG_TYPE_SOCKET_FILTER, NULL, 0);
	struct ebpf_prog *ok = make_prog(insns_ok, 2, EBPF_PROG_TYPE_SOCKET_FILTER, NULL, 0);

	jit(prog, false);
	jit(ok, false);
	assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), 0);
	assert_int_equal(ebpf_prog_run(ok, &ctx, sizeof(ctx)), 0x1234);
	assert_int_equal(ebpf_prog_run_interp(ok, &ctx, sizeof(ctx)), 0x1234);
	ebpf_prog_free(prog);
	ebpf_prog_free(ok);
}

/* ---- code memory, blinding, platform ---------------------------------------- */

/* The permissions column of /proc/self/maps for the mapping holding addr. */
static void mapping_perms(const void *addr, char perms[5])
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	uintptr_t lo, hi;

	assert_non_null(maps);
	perms[0] = '\0';
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s", &lo, &hi, perms) == 3 &&
		    (uintptr_t)addr >= lo && (uintptr_t)addr < hi)
			break;
		perms[0] = '\0';
	}
	fclose(maps);
}

static void test_code_is_never_writable(void **state)
{
	struct ebpf_insn insns[] = {MOV64_K(0, 1), EXIT()};
	struct ebpf_prog *prog = make_prog(insns, 2, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	const uint8_t *code;
	size_t size;
	char perms[5];

	assert_null(ebpf_prog_get_jit_code(prog, &size));
	assert_int_equal(size, 0);
	jit(prog, false);
	code = ebpf_prog_get_jit_code(prog, &size);
	assert_non_null(code);
	assert_true(size > 0);
	mapping_perms(code, perms);
	assert_string_equal(perms, "r-xp");
	mapping_perms(code + size - 1, perms);
	assert_string_equal(perms, "r-xp");
	ebpf_prog_free(prog);
}

static bool code_contains(const struct ebpf_prog *prog, const void *bytes, size_t len)
{
	size_t size, i;
	const uint8_t *code = ebpf_prog_get_jit_code(prog, &size);

	for (i = 0; i + len <= size; i++)
		if (memcmp(code + i, bytes, len) == 0)
			return true;
	return false;
}

/*
 * Constants of every kind of instruction (ALU, jump, store, div, lddw,
 * legacy load) appear in plain JIT code and never in blinded code, and the
 * results do not change.
 */
static void test_constant_blinding(void **state)
{
	static const uint32_t marker = 0x5a17c0de;
	static const uint64_t marker64 = 0x1bad5eed0ddba11ull;
	struct prog_buf p = {.count = 0};
	struct ebpf_prog *prog;
	uint8_t mem[MEM_SIZE] = {0};
	uint64_t expect;
	int round;

	emit(&p, ALU64_K(EBPF_ALU_ADD, 0, (int32_t)marker));
	emit(&p, INSN(EBPF_CLS_ALU | EBPF_ALU_XOR | EBPF_SRC_K, 0, 0, 0, (int32_t)marker));
	emit(&p, JMP_K(EBPF_JMP_JEQ, 0, (int32_t)marker, 1));
	emit(&p, ST(EBPF_SIZE_W, 1, 0, (int32_t)marker));
	emit(&p, INSN(EBPF_CLS_ALU64 | EBPF_ALU_DIV | EBPF_SRC_K, 0, 0, 0, (int32_t)marker));
	emit(&p, INSN(EBPF_CLS_ALU64 | EBPF_ALU_LSH | EBPF_SRC_K, 0, 0, 0, 3));
	emit(&p, INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_B, 0, 0, 0, 0));
	emit_lddw(&p, 2, marker64);
	emit(&p, ALU64_X(EBPF_ALU_ADD, 0, 2));
	emit(&p, EXIT());
	expect = check_same(&p, mem, "blinding");

	prog = make_prog(p.insns, p.count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	jit(prog, false);
	assert_true(code_contains(prog, &marker, sizeof(marker)));
	assert_true(code_contains(prog, &marker64, sizeof(marker64)));
	for (round = 0; round < 20; round++) {
		jit(prog, true);
		assert_false(code_contains(prog, &marker, sizeof(marker)));
		assert_false(code_contains(prog, &marker64, sizeof(marker64)));
		memset(mem, 0, sizeof(mem));
		assert_int_equal(ebpf_prog_run(prog, mem, sizeof(mem)), expect);
	}
	ebpf_prog_free(prog);
}

static void test_no_exec_memory(void **state)
{
	struct ebpf_platform saved = *ebpf_get_platform();
	struct ebpf_platform none = saved;
	struct ebpf_insn insns[] = {MOV64_K(0, 9), EXIT()};
	struct ebpf_prog *prog = make_prog(insns, 2, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	struct ebpf_log log = {.buf = log_text, .size = sizeof(log_text)};

	none.exec_alloc = NULL;
	ebpf_set_platform(&none);
	assert_int_equal(ebpf_prog_jit(prog, NULL, &log), -ENOTSUP);
	assert_true(log.len > 0);
	ebpf_set_platform(&saved);
	assert_null(ebpf_prog_get_jit_code(prog, NULL));
	assert_int_equal(ebpf_prog_run(prog, NULL, 0), 9);
	ebpf_prog_free(prog);
}

/*
 * Code memory within ±2 GiB of the library, as in the guest (everything
 * below 4 GiB): helper calls become "call rel32". The host platform's
 * mmap puts code far away, where they are "mov rax, imm64; call rax".
 */
#define NEAR_CODE_DISTANCE (64u << 20)
#define NEAR_CODE_STEP	   (1u << 20)
#define NEAR_CODE_ATTEMPTS 64
#define X86_CALL_REL32	   0xe8
#define CALL_REL32_SIZE	   5

/* The first free hinted address past the library, else anywhere. */
static void *near_exec_alloc(size_t size)
{
	uintptr_t hint = ((uintptr_t)ebpf_prog_jit & ~(uintptr_t)0xfff) + NEAR_CODE_DISTANCE;
	unsigned int attempt;

	for (attempt = 0; attempt < NEAR_CODE_ATTEMPTS; attempt++) {
		void *want = (void *)(hint + (uintptr_t)attempt * NEAR_CODE_STEP);
		void *mem =
		    mmap(want, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mem == want)
			return mem;
		if (mem != MAP_FAILED)
			munmap(mem, size);
	}
	return NULL;
}

static bool code_calls(const struct ebpf_prog *prog, uintptr_t fn)
{
	size_t size, i;
	const uint8_t *code = ebpf_prog_get_jit_code(prog, &size);

	for (i = 0; i + CALL_REL32_SIZE <= size; i++) {
		int32_t rel;

		memcpy(&rel, code + i + 1, sizeof(rel));
		if (code[i] == X86_CALL_REL32 &&
		    (uintptr_t)(code + i + CALL_REL32_SIZE) + rel == fn)
			return true;
	}
	return false;
}

static void test_near_helper_calls(void **state)
{
	struct ebpf_platform saved = *ebpf_get_platform();
	struct ebpf_platform near = saved;
	struct ebpf_map *map = make_prog_array();
	struct ebpf_prog *tail = make_tail_caller(map, 0, 4);
	uint8_t mem[MEM_SIZE] = {0, 0, 0, 0, 0x12, 0x34};
	struct prog_buf p = {.count = 0};
	struct ebpf_prog *prog;
	uint64_t expect;

	near.exec_alloc = near_exec_alloc;
	ebpf_set_platform(&near);
	emit(&p, INSN(EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_H, 0, 0, 0, 4));
	emit(&p, MOV64_X(6, 0));
	emit(&p, MOV64_X(3, 1));
	emit(&p, MOV64_K(2, 8));
	emit(&p, MOV64_K(4, 8));
	emit(&p, MOV64_K(5, 0));
	emit(&p, CALL_HELPER(HELPER_CSUM_DIFF));
	emit(&p, ALU64_K(EBPF_ALU_LSH, 0, 16));
	emit(&p, ALU64_X(EBPF_ALU_OR, 0, 6));
	emit(&p, EXIT());
	prog = make_prog(p.insns, p.count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	if (ebpf_prog_jit(prog, NULL, NULL) == -ENOMEM) {
		/* no free address near the library in this process */
		ebpf_set_platform(&saved);
		ebpf_prog_free(prog);
		ebpf_prog_free(tail);
		ebpf_map_free(map);
		skip();
	}
	assert_true(code_calls(prog, (uintptr_t)ebpf_helper_find(HELPER_CSUM_DIFF)->fn));
	expect = ebpf_prog_run_interp(prog, mem, sizeof(mem));
	assert_int_equal(expect & 0xffff, 0x1234);
	assert_int_equal(ebpf_prog_run(prog, mem, sizeof(mem)), expect);

	assert_int_equal(ebpf_prog_array_set(map, 0, tail), 0);
	jit(tail, false);
	assert_true(code_calls(tail, (uintptr_t)ebpf_prog_array_get));
	assert_int_equal(ebpf_prog_run(tail, NULL, 0), (EBPF_MAX_TAIL_CALLS + 1) * 100 + 4);
	ebpf_set_platform(&saved);
	ebpf_map_free(map);
	ebpf_prog_free(tail);
	ebpf_prog_free(prog);
}

/* A large program whose first branch spans nearly all of it. */
static void test_large_program(void **state)
{
	size_t count = 30000, i;
	struct ebpf_insn *insns = calloc(count, sizeof(*insns));
	struct ebpf_prog *prog;

	assert_non_null(insns);
	insns[0] = MOV64_K(0, 0);
	insns[1] = JMP_K(EBPF_JMP_JNE, 1, 0, (int16_t)(count - 4));
	for (i = 2; i + 2 < count; i++)
		insns[i] = ALU64_K(EBPF_ALU_ADD, 0, (int32_t)i);
	insns[count - 2] = INSN(EBPF_CLS_ALU64 | EBPF_ALU_END, 0, 0, 0, 64);
	insns[count - 1] = EXIT();
	prog = make_prog(insns, count, EBPF_PROG_TYPE_UNSPEC, NULL, 0);
	jit(prog, false);
	assert_int_equal(ebpf_prog_run(prog, NULL, 0), ebpf_prog_run_interp(prog, NULL, 0));
	assert_int_equal(ebpf_prog_run(prog, (void *)1, 0), 0);
	ebpf_prog_free(prog);
	free(insns);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alu_edge_results),
	    cmocka_unit_test(test_alu_edge_values),
	    cmocka_unit_test(test_alu_register_pairs),
	    cmocka_unit_test(test_alu_unary),
	    cmocka_unit_test(test_conditional_jumps),
	    cmocka_unit_test(test_unconditional_jumps),
	    cmocka_unit_test(test_short_and_long_branches),
	    cmocka_unit_test(test_long_backward_branch),
	    cmocka_unit_test(test_unwritten_registers_read_as_zero),
	    cmocka_unit_test(test_entry_registers),
	    cmocka_unit_test(test_entry_registers_past_dataflow_bound),
	    cmocka_unit_test(test_rotate_idiom),
	    cmocka_unit_test(test_loads_and_stores),
	    cmocka_unit_test(test_atomics),
	    cmocka_unit_test(test_cmpxchg32_zero_extends_r0),
	    cmocka_unit_test(test_lddw),
	    cmocka_unit_test(test_local_call_frames),
	    cmocka_unit_test(test_call_depth_limit),
	    cmocka_unit_test(test_fall_into_function_refused),
	    cmocka_unit_test(test_helper_call_arguments),
	    cmocka_unit_test(test_helper_map_lookup),
	    cmocka_unit_test(test_jit_map_lookup_direct_and_by_path),
	    cmocka_unit_test(test_jit_inline_hash_lookup_key32),
	    cmocka_unit_test(test_jit_inline_hash_lookup_key64),
	    cmocka_unit_test(test_jit_inline_hash_is_maps_hash_key32),
	    cmocka_unit_test(test_jit_inline_hash_is_maps_hash_key64),
	    cmocka_unit_test(test_tail_call_limit),
	    cmocka_unit_test(test_tail_call_miss),
	    cmocka_unit_test(test_tail_call_chain_and_fallback),
	    cmocka_unit_test(test_legacy_packet_loads),
	    cmocka_unit_test(test_legacy_loads_socket_filter),
	    cmocka_unit_test(test_code_is_never_writable),
	    cmocka_unit_test(test_constant_blinding),
	    cmocka_unit_test(test_no_exec_memory),
	    cmocka_unit_test(test_near_helper_calls),
	    cmocka_unit_test(test_large_program),
	};

	host_platform_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
