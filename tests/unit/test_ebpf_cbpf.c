/*
 * Classic BPF translation (ebpf/cbpf.c): each classic instruction class
 * run on hand-made packets, with libpcap's bpf_filter() semantics as the
 * expected results, and the load-time checks that must reject a program.
 *
 * Programs are written with Linux's <linux/filter.h> macros and opcode
 * names, an encoding source independent of the one cbpf.c defines.
 * Every program runs in the interpreter and, when the platform offers
 * executable memory, in the JIT; both must give the expected verdict.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/filter.h>

#include "ebpf.h"
#include "host_platform.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STMT(code, k)                                                                              \
	{                                                                                          \
		(code), 0, 0, (k)                                                                  \
	}
#define JUMP(code, k, jt, jf)                                                                      \
	{                                                                                          \
		(code), (jt), (jf), (k)                                                            \
	}
#define LOG_SIZE 256

#define VERDICT_TRUE  1
#define VERDICT_FALSE 2
#define GARBAGE	      0xdeadbeefu

/*
 * An IPv4-looking packet (version/IHL 0x45 at offset 0). Most tests use
 * its first SHORT_LEN bytes; the largest-program test reads further.
 */
#define SHORT_LEN 8
static const uint8_t packet[] = {0x45, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,
				 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

static struct ebpf_prog *load(const struct ebpf_cbpf_insn *cbpf, size_t count)
{
	char text[LOG_SIZE] = "";
	struct ebpf_log log = {text, sizeof(text), 0, 0};
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_SOCKET_FILTER};
	struct ebpf_insn *insns = NULL;
	struct ebpf_prog *prog = NULL;
	size_t insn_count = 0;

	if (ebpf_cbpf_translate(cbpf, count, &insns, &insn_count, &log) != 0)
		fail_msg("translation failed: %s", text);
	if (ebpf_prog_create(insns, insn_count, &opts, &prog, &log) != 0)
		fail_msg("translated program rejected: %s", text);
	free(insns);
	return prog;
}

static bool jit_available(void)
{
	return ebpf_get_platform()->exec_alloc != NULL;
}

/* The verdict of cbpf on the first caplen bytes of packet; JIT == interp. */
static uint64_t run_lengths(const struct ebpf_cbpf_insn *cbpf, size_t count, uint32_t caplen,
			    uint32_t wirelen)
{
	struct ebpf_cbpf_ctx ctx = {packet, caplen, wirelen};
	struct ebpf_prog *prog = load(cbpf, count);
	uint64_t verdict = ebpf_prog_run_interp(prog, &ctx, sizeof(ctx));

	if (jit_available()) {
		struct ebpf_jit_opts opts = {.blind_constants = false};

		assert_int_equal(ebpf_prog_jit(prog, &opts, NULL), 0);
		assert_int_equal(ebpf_prog_run(prog, &ctx, sizeof(ctx)), verdict);
	}
	ebpf_prog_free(prog);
	return verdict;
}

#define RUN(prog, caplen, wirelen) run_lengths((prog), ARRAY_SIZE(prog), (caplen), (wirelen))
#define RUN_SHORT(prog)		   RUN(prog, SHORT_LEN, SHORT_LEN)

/* Translation must fail with -EINVAL and a message containing expected. */
static void assert_rejected(const struct ebpf_cbpf_insn *cbpf, size_t count, const char *expected)
{
	char text[LOG_SIZE] = "";
	struct ebpf_log log = {text, sizeof(text), 0, 0};
	struct ebpf_insn *insns = NULL;
	size_t insn_count = 0;

	assert_int_equal(ebpf_cbpf_translate(cbpf, count, &insns, &insn_count, &log), -EINVAL);
	assert_null(insns);
	if (!strstr(text, expected))
		fail_msg("log \"%s\" does not contain \"%s\"", text, expected);
}

#define REJECT(prog, expected) assert_rejected((prog), ARRAY_SIZE(prog), (expected))

/* ---- loads ------------------------------------------------------------ */

static void test_ld_abs_sizes_are_big_endian(void **state)
{
	struct ebpf_cbpf_insn word[] = {STMT(BPF_LD | BPF_W | BPF_ABS, 1),
					STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn half[] = {STMT(BPF_LD | BPF_H | BPF_ABS, 2),
					STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn byte[] = {STMT(BPF_LD | BPF_B | BPF_ABS, 7),
					STMT(BPF_RET | BPF_A, 0)};

	assert_int_equal(RUN_SHORT(word), 0x12345678);
	assert_int_equal(RUN_SHORT(half), 0x3456);
	assert_int_equal(RUN_SHORT(byte), 0xde);
}

static void test_ld_abs_past_caplen_rejects_packet(void **state)
{
	/* The last in-bounds word, then one byte too far. */
	struct ebpf_cbpf_insn last_word[] = {STMT(BPF_LD | BPF_W | BPF_ABS, 4),
					     STMT(BPF_RET | BPF_K, 1)};
	struct ebpf_cbpf_insn beyond[] = {STMT(BPF_LD | BPF_W | BPF_ABS, 5),
					  STMT(BPF_RET | BPF_K, 1)};
	/* Offsets with the sign bit set are just far away, not special. */
	struct ebpf_cbpf_insn huge[] = {STMT(BPF_LD | BPF_B | BPF_ABS, 0x80000000u),
					STMT(BPF_RET | BPF_K, 1)};

	assert_int_equal(RUN_SHORT(last_word), 1);
	assert_int_equal(RUN_SHORT(beyond), 0);
	assert_int_equal(RUN_SHORT(huge), 0);
}

static void test_load_uses_caplen_not_buffer_or_wirelen(void **state)
{
	struct ebpf_cbpf_insn prog[] = {STMT(BPF_LD | BPF_B | BPF_ABS, 4),
					STMT(BPF_RET | BPF_A, 0)};

	/* Byte 4 is in memory and on the wire, but was not captured. */
	assert_int_equal(RUN(prog, 4, 1500), 0);
	assert_int_equal(RUN(prog, 5, 1500), 0x78);
}

static void test_ld_ind_adds_x(void **state)
{
	struct ebpf_cbpf_insn prog[] = {STMT(BPF_LDX | BPF_W | BPF_IMM, 3),
					STMT(BPF_LD | BPF_H | BPF_IND, 2),
					STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn past_end[] = {STMT(BPF_LDX | BPF_W | BPF_IMM, 4),
					    STMT(BPF_LD | BPF_W | BPF_IND, 1),
					    STMT(BPF_RET | BPF_K, 1)};

	assert_int_equal(RUN_SHORT(prog), 0x9abc);
	assert_int_equal(RUN_SHORT(past_end), 0);
}

static void test_ld_ind_offset_overflow_rejects_packet(void **state)
{
	/* X + k wraps to 1 in 32 bits; libpcap rejects instead of reading P[1]. */
	struct ebpf_cbpf_insn wraps[] = {STMT(BPF_LDX | BPF_W | BPF_IMM, 0xffffffffu),
					 STMT(BPF_LD | BPF_B | BPF_IND, 2),
					 STMT(BPF_RET | BPF_K, 1)};
	/* A "negative" k with a positive X must not be taken as a subtraction. */
	struct ebpf_cbpf_insn negative_k[] = {STMT(BPF_LDX | BPF_W | BPF_IMM, 2),
					      STMT(BPF_LD | BPF_B | BPF_IND, 0xffffffffu),
					      STMT(BPF_RET | BPF_K, 1)};

	assert_int_equal(RUN_SHORT(wraps), 0);
	assert_int_equal(RUN_SHORT(negative_k), 0);
}

static void test_len_is_wirelen(void **state)
{
	struct ebpf_cbpf_insn ld_len[] = {STMT(BPF_LD | BPF_W | BPF_LEN, 0),
					  STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn ldx_len[] = {STMT(BPF_LDX | BPF_W | BPF_LEN, 0),
					   STMT(BPF_MISC | BPF_TXA, 0), STMT(BPF_RET | BPF_A, 0)};

	assert_int_equal(RUN(ld_len, 6, 1514), 1514);
	assert_int_equal(RUN(ldx_len, 6, 60), 60);
}

static void test_ldx_msh_keeps_a(void **state)
{
	/* A = 7; X = 4 * (0x45 & 0xf) = 20; A += X. */
	struct ebpf_cbpf_insn prog[] = {
	    STMT(BPF_LD | BPF_W | BPF_IMM, 7), STMT(BPF_LDX | BPF_B | BPF_MSH, 0),
	    STMT(BPF_ALU | BPF_ADD | BPF_X, 0), STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn past_end[] = {STMT(BPF_LDX | BPF_B | BPF_MSH, 8),
					    STMT(BPF_RET | BPF_K, 1)};

	assert_int_equal(RUN_SHORT(prog), 27);
	assert_int_equal(RUN_SHORT(past_end), 0);
}

static void test_imm_scratch_and_register_moves(void **state)
{
	/* A = 5 → M[3]; A = 0; X = M[3]; A = X; M[15] = A via X; A = M[15]. */
	struct ebpf_cbpf_insn prog[] = {
	    STMT(BPF_LD | BPF_W | BPF_IMM, 5),	STMT(BPF_ST, 3),
	    STMT(BPF_LD | BPF_W | BPF_IMM, 0),	STMT(BPF_LDX | BPF_W | BPF_MEM, 3),
	    STMT(BPF_MISC | BPF_TXA, 0),	STMT(BPF_ALU | BPF_ADD | BPF_K, 1),
	    STMT(BPF_MISC | BPF_TAX, 0),	STMT(BPF_STX, 15),
	    STMT(BPF_LD | BPF_W | BPF_MEM, 15), STMT(BPF_RET | BPF_A, 0)};

	assert_int_equal(RUN_SHORT(prog), 6);
}

static void test_scratch_starts_zeroed(void **state)
{
	struct ebpf_cbpf_insn dirty[BPF_MEMWORDS + 2];
	struct ebpf_cbpf_insn read_all[2 * BPF_MEMWORDS + 1];
	uint32_t k;

	/* Leave garbage in the stack the next run is likely to reuse. */
	dirty[0] = (struct ebpf_cbpf_insn)STMT(BPF_LDX | BPF_W | BPF_IMM, GARBAGE);
	for (k = 0; k < BPF_MEMWORDS; k++)
		dirty[k + 1] = (struct ebpf_cbpf_insn)STMT(BPF_STX, k);
	dirty[BPF_MEMWORDS + 1] = (struct ebpf_cbpf_insn)STMT(BPF_RET | BPF_K, 1);
	for (k = 0; k < BPF_MEMWORDS; k++) {
		read_all[2 * k] = (struct ebpf_cbpf_insn)STMT(BPF_LDX | BPF_W | BPF_MEM, k);
		read_all[2 * k + 1] = (struct ebpf_cbpf_insn)STMT(BPF_ALU | BPF_OR | BPF_X, 0);
	}
	read_all[2 * BPF_MEMWORDS] = (struct ebpf_cbpf_insn)STMT(BPF_RET | BPF_A, 0);

	assert_int_equal(RUN_SHORT(dirty), 1);
	assert_int_equal(RUN_SHORT(read_all), 0);
}

/* ---- ALU -------------------------------------------------------------- */

struct alu_case {
	uint16_t op;
	uint32_t a;
	uint32_t operand;
	uint32_t expected;
};

/* 32-bit unsigned arithmetic: wrap-around, unsigned division, logical shifts. */
static const struct alu_case alu_cases[] = {
    {BPF_ADD, 0xffffffffu, 2, 1},
    {BPF_SUB, 1, 2, 0xffffffffu},
    {BPF_MUL, 0x10000, 0x10001, 0x10000},
    {BPF_DIV, 0xffffffffu, 2, 0x7fffffffu},
    {BPF_MOD, 0xffffffffu, 10, 5},
    {BPF_AND, 0xf0f0f0f0u, 0xff00ff00u, 0xf000f000u},
    {BPF_OR, 0xf0f0f0f0u, 0x0000ffffu, 0xf0f0ffffu},
    {BPF_XOR, 0xf0f0f0f0u, 0xffffffffu, 0x0f0f0f0fu},
    {BPF_LSH, 3, 31, 0x80000000u},
    {BPF_RSH, 0x80000000u, 31, 1},
};

static void test_alu_with_k_and_x(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(alu_cases); i++) {
		const struct alu_case *c = &alu_cases[i];
		struct ebpf_cbpf_insn with_k[] = {STMT(BPF_LD | BPF_W | BPF_IMM, c->a),
						  STMT(BPF_ALU | c->op | BPF_K, c->operand),
						  STMT(BPF_RET | BPF_A, 0)};
		struct ebpf_cbpf_insn with_x[] = {STMT(BPF_LD | BPF_W | BPF_IMM, c->a),
						  STMT(BPF_LDX | BPF_W | BPF_IMM, c->operand),
						  STMT(BPF_ALU | c->op | BPF_X, 0),
						  STMT(BPF_RET | BPF_A, 0)};

		assert_int_equal(RUN_SHORT(with_k), c->expected);
		assert_int_equal(RUN_SHORT(with_x), c->expected);
	}
}

static void test_neg(void **state)
{
	struct ebpf_cbpf_insn prog[] = {STMT(BPF_LD | BPF_W | BPF_IMM, 1),
					STMT(BPF_ALU | BPF_NEG, 0), STMT(BPF_RET | BPF_A, 0)};

	assert_int_equal(RUN_SHORT(prog), 0xffffffffu);
}

static void test_div_mod_by_x_zero_rejects_packet(void **state)
{
	struct ebpf_cbpf_insn div[] = {STMT(BPF_LD | BPF_W | BPF_IMM, 9),
				       STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
				       STMT(BPF_RET | BPF_K, 1)};
	struct ebpf_cbpf_insn mod[] = {STMT(BPF_LD | BPF_W | BPF_IMM, 9),
				       STMT(BPF_ALU | BPF_MOD | BPF_X, 0),
				       STMT(BPF_RET | BPF_K, 1)};

	assert_int_equal(RUN_SHORT(div), 0);
	assert_int_equal(RUN_SHORT(mod), 0);
}

/* ---- jumps and ret ---------------------------------------------------- */

struct jump_case {
	uint16_t op;
	uint32_t a;
	uint32_t operand;
	bool taken;
};

/* Unsigned 32-bit comparisons: 0x80000000 is large, 0xffffffff is not -1. */
static const struct jump_case jump_cases[] = {
    {BPF_JEQ, 0x800, 0x800, true},
    {BPF_JEQ, 0x800, 0x86dd, false},
    {BPF_JEQ, 0xffffffffu, 0xffffffffu, true},
    {BPF_JGT, 0x80000000u, 1, true},
    {BPF_JGT, 5, 5, false},
    {BPF_JGE, 5, 5, true},
    {BPF_JGE, 4, 0xffffffffu, false},
    {BPF_JGE, 0xffffffffu, 0x80000000u, true},
    {BPF_JSET, 0x12, 0x02, true},
    {BPF_JSET, 0x12, 0x0c, false},
};

/*
 * The same comparison in each branch layout the translation distinguishes:
 * jt next, jf next, and neither next (with a filler instruction between).
 */
static void check_jump(uint16_t code, uint32_t a, uint32_t x, uint32_t k, bool taken)
{
	uint64_t expected = taken ? VERDICT_TRUE : VERDICT_FALSE;
	struct ebpf_cbpf_insn jt_next[] = {STMT(BPF_LD | BPF_W | BPF_IMM, a),
					   STMT(BPF_LDX | BPF_W | BPF_IMM, x), JUMP(code, k, 0, 1),
					   STMT(BPF_RET | BPF_K, VERDICT_TRUE),
					   STMT(BPF_RET | BPF_K, VERDICT_FALSE)};
	struct ebpf_cbpf_insn jf_next[] = {STMT(BPF_LD | BPF_W | BPF_IMM, a),
					   STMT(BPF_LDX | BPF_W | BPF_IMM, x), JUMP(code, k, 1, 0),
					   STMT(BPF_RET | BPF_K, VERDICT_FALSE),
					   STMT(BPF_RET | BPF_K, VERDICT_TRUE)};
	struct ebpf_cbpf_insn neither_next[] = {STMT(BPF_LD | BPF_W | BPF_IMM, a),
						STMT(BPF_LDX | BPF_W | BPF_IMM, x),
						JUMP(code, k, 2, 1),
						STMT(BPF_RET | BPF_K, GARBAGE),
						STMT(BPF_RET | BPF_K, VERDICT_FALSE),
						STMT(BPF_RET | BPF_K, VERDICT_TRUE)};

	assert_int_equal(RUN_SHORT(jt_next), expected);
	assert_int_equal(RUN_SHORT(jf_next), expected);
	assert_int_equal(RUN_SHORT(neither_next), expected);
}

static void test_conditional_jumps_with_k_and_x(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(jump_cases); i++) {
		const struct jump_case *c = &jump_cases[i];

		check_jump(BPF_JMP | c->op | BPF_K, c->a, 0, c->operand, c->taken);
		check_jump(BPF_JMP | c->op | BPF_X, c->a, c->operand, 0, c->taken);
	}
}

static void test_ja_and_equal_branches(void **state)
{
	struct ebpf_cbpf_insn ja[] = {JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
				      STMT(BPF_RET | BPF_K, GARBAGE),
				      STMT(BPF_RET | BPF_K, VERDICT_TRUE)};
	struct ebpf_cbpf_insn same_target[] = {JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 1),
					       STMT(BPF_RET | BPF_K, GARBAGE),
					       STMT(BPF_RET | BPF_K, VERDICT_TRUE)};

	assert_int_equal(RUN_SHORT(ja), VERDICT_TRUE);
	assert_int_equal(RUN_SHORT(same_target), VERDICT_TRUE);
}

static void test_ret_k_is_unsigned_32_bit(void **state)
{
	struct ebpf_cbpf_insn prog[] = {STMT(BPF_RET | BPF_K, 0xffffffffu)};

	assert_int_equal(RUN_SHORT(prog), 0xffffffffu);
}

/*
 * The largest program, made of the instructions with the longest
 * translations (MSH and indirect loads), with a jump over all of them:
 * the eBPF jump offsets must still be right (and fit 16 bits).
 */
static void test_largest_program_long_jumps(void **state)
{
	static struct ebpf_cbpf_insn prog[BPF_MAXINSNS];
	size_t last = BPF_MAXINSNS - 1;
	size_t i;

	prog[0] = (struct ebpf_cbpf_insn)STMT(BPF_LD | BPF_W | BPF_IMM, 0);
	prog[1] = (struct ebpf_cbpf_insn)JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
	prog[2] = (struct ebpf_cbpf_insn)JUMP(BPF_JMP | BPF_JA, last - 3, 0, 0);
	/* X = 4 * (0x45 & 0xf) = 20, then A = P[X + 1]. */
	for (i = 3; i < last - 1; i++)
		prog[i] = (i % 2) ? (struct ebpf_cbpf_insn)STMT(BPF_LDX | BPF_B | BPF_MSH, 0)
				  : (struct ebpf_cbpf_insn)STMT(BPF_LD | BPF_B | BPF_IND, 1);
	prog[last - 1] = (struct ebpf_cbpf_insn)STMT(BPF_RET | BPF_A, 0);
	prog[last] = (struct ebpf_cbpf_insn)STMT(BPF_RET | BPF_K, VERDICT_TRUE);

	assert_int_equal(RUN(prog, sizeof(packet), sizeof(packet)), VERDICT_TRUE);
	prog[0].k = 1;
	assert_int_equal(RUN(prog, sizeof(packet), sizeof(packet)), packet[21]);
}

/* ---- rejected programs ------------------------------------------------ */

static void test_reject_bad_jumps(void **state)
{
	struct ebpf_cbpf_insn jt_past_end[] = {JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
					       STMT(BPF_RET | BPF_K, 0)};
	struct ebpf_cbpf_insn jf_past_end[] = {STMT(BPF_LD | BPF_W | BPF_IMM, 0),
					       JUMP(BPF_JMP | BPF_JGT | BPF_X, 0, 0, 5),
					       STMT(BPF_RET | BPF_K, 0)};
	/* 1 + 0xffffffff wraps to 0 in 32 bits: a jump back to itself. */
	struct ebpf_cbpf_insn ja_backwards[] = {JUMP(BPF_JMP | BPF_JA, 0xffffffffu, 0, 0),
						STMT(BPF_RET | BPF_K, 0)};
	struct ebpf_cbpf_insn ja_past_end[] = {JUMP(BPF_JMP | BPF_JA, 1, 0, 0),
					       STMT(BPF_RET | BPF_K, 0)};

	REJECT(jt_past_end, "cbpf insn 0: jump backwards/out of range");
	REJECT(jf_past_end, "cbpf insn 1: jump backwards/out of range");
	REJECT(ja_backwards, "cbpf insn 0: jump backwards/out of range");
	REJECT(ja_past_end, "cbpf insn 0: jump backwards/out of range");
}

static void test_reject_missing_ret(void **state)
{
	struct ebpf_cbpf_insn falls_off[] = {STMT(BPF_RET | BPF_K, 0),
					     STMT(BPF_LD | BPF_W | BPF_IMM, 0)};
	struct ebpf_cbpf_insn alu_last[] = {JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
					    STMT(BPF_RET | BPF_K, 0),
					    STMT(BPF_ALU | BPF_ADD | BPF_K, 1)};

	REJECT(falls_off, "cbpf insn 1: last instruction is not a ret");
	REJECT(alu_last, "cbpf insn 2: last instruction is not a ret");
}

static void test_reject_scratch_out_of_range(void **state)
{
	struct ebpf_cbpf_insn ld[] = {STMT(BPF_LD | BPF_W | BPF_MEM, BPF_MEMWORDS),
				      STMT(BPF_RET | BPF_K, 0)};
	struct ebpf_cbpf_insn ldx[] = {STMT(BPF_LDX | BPF_W | BPF_MEM, 0xffffffffu),
				       STMT(BPF_RET | BPF_K, 0)};
	struct ebpf_cbpf_insn st[] = {STMT(BPF_ST, BPF_MEMWORDS), STMT(BPF_RET | BPF_K, 0)};
	struct ebpf_cbpf_insn stx[] = {STMT(BPF_RET | BPF_K, 0), STMT(BPF_STX, BPF_MEMWORDS),
				       STMT(BPF_RET | BPF_K, 0)};

	REJECT(ld, "cbpf insn 0: scratch memory M[16] out of range");
	REJECT(ldx, "cbpf insn 0: scratch memory M[4294967295] out of range");
	REJECT(st, "cbpf insn 0: scratch memory M[16] out of range");
	REJECT(stx, "cbpf insn 1: scratch memory M[16] out of range");
}

static void test_reject_unknown_opcodes(void **state)
{
	/* Not a classic opcode; a half-word immediate; ret X; MSH into A. */
	static const uint16_t bad_codes[] = {
	    0xffff,
	    BPF_LD | BPF_H | BPF_IMM,
	    BPF_RET | BPF_X,
	    BPF_LD | BPF_B | BPF_MSH,
	    BPF_LDX | BPF_W | BPF_ABS,
	    BPF_JMP | BPF_JA | BPF_X,
	    BPF_ALU | BPF_NEG | BPF_X,
	    BPF_MISC | 0x20,
	};
	char expected[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_codes); i++) {
		struct ebpf_cbpf_insn prog[] = {STMT(BPF_LD | BPF_W | BPF_IMM, 0),
						STMT(bad_codes[i], 0), STMT(BPF_RET | BPF_K, 0)};

		snprintf(expected, sizeof(expected), "cbpf insn 1: unknown opcode 0x%x",
			 bad_codes[i]);
		REJECT(prog, expected);
	}
}

static void test_reject_constant_division_by_zero_and_wide_shift(void **state)
{
	struct ebpf_cbpf_insn div[] = {STMT(BPF_ALU | BPF_DIV | BPF_K, 0),
				       STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn mod[] = {STMT(BPF_ALU | BPF_MOD | BPF_K, 0),
				       STMT(BPF_RET | BPF_A, 0)};
	struct ebpf_cbpf_insn shift[] = {STMT(BPF_ALU | BPF_LSH | BPF_K, 32),
					 STMT(BPF_RET | BPF_A, 0)};

	REJECT(div, "cbpf insn 0: division by constant zero");
	REJECT(mod, "cbpf insn 0: division by constant zero");
	REJECT(shift, "cbpf insn 0: shift by 32");
}

static void test_reject_program_sizes(void **state)
{
	static struct ebpf_cbpf_insn too_long[BPF_MAXINSNS + 1];
	struct ebpf_cbpf_insn one[] = {STMT(BPF_RET | BPF_K, 0)};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(too_long); i++)
		too_long[i] = (struct ebpf_cbpf_insn)STMT(BPF_RET | BPF_K, 0);
	assert_rejected(one, 0, "cbpf: 0 instructions (must be 1..4096)");
	REJECT(too_long, "cbpf: 4097 instructions (must be 1..4096)");
}

static int setup(void **state)
{
	host_platform_install();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ld_abs_sizes_are_big_endian),
	    cmocka_unit_test(test_ld_abs_past_caplen_rejects_packet),
	    cmocka_unit_test(test_load_uses_caplen_not_buffer_or_wirelen),
	    cmocka_unit_test(test_ld_ind_adds_x),
	    cmocka_unit_test(test_ld_ind_offset_overflow_rejects_packet),
	    cmocka_unit_test(test_len_is_wirelen),
	    cmocka_unit_test(test_ldx_msh_keeps_a),
	    cmocka_unit_test(test_imm_scratch_and_register_moves),
	    cmocka_unit_test(test_scratch_starts_zeroed),
	    cmocka_unit_test(test_alu_with_k_and_x),
	    cmocka_unit_test(test_neg),
	    cmocka_unit_test(test_div_mod_by_x_zero_rejects_packet),
	    cmocka_unit_test(test_conditional_jumps_with_k_and_x),
	    cmocka_unit_test(test_ja_and_equal_branches),
	    cmocka_unit_test(test_ret_k_is_unsigned_32_bit),
	    cmocka_unit_test(test_largest_program_long_jumps),
	    cmocka_unit_test(test_reject_bad_jumps),
	    cmocka_unit_test(test_reject_missing_ret),
	    cmocka_unit_test(test_reject_scratch_out_of_range),
	    cmocka_unit_test(test_reject_unknown_opcodes),
	    cmocka_unit_test(test_reject_constant_division_by_zero_and_wide_shift),
	    cmocka_unit_test(test_reject_program_sizes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
