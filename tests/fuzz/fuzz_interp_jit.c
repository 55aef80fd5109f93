/*
 * Differential fuzzer: the interpreter and the x86-64 JIT (plain and with
 * constant blinding) must agree on r0 and on the memory a program leaves.
 *
 * The input bytes are not a program: they drive a generator that only
 * builds programs which are safe without a verifier, so any difference is
 * a JIT (or interpreter) bug, never undefined behaviour of the program:
 *   - ALU64/ALU32 (every op, K and X, div/mod by anything, movsx, byte
 *     swaps), lddw, conditional and unconditional jumps (JMP and JMP32,
 *     ja and gotol) that only go forward;
 *   - loads, sign-extending loads, stores and atomics only at in-bounds
 *     offsets of r1 (a MEM_SIZE buffer, never written as a register) or
 *     of r10 (every function first initialises its whole 512-byte frame);
 *     atomics at aligned offsets;
 *   - LD_ABS/LD_IND on the r1 buffer (out of bounds ends the program);
 *   - local calls only to later functions, so calls form a DAG of at most
 *     MAX_FUNCS frames and every program terminates;
 *   - bpf_loop (a few rounds) with a later function as its callback, the
 *     r1 buffer as the callback's context: every function but main starts
 *     with r1 = r2, and a local call passes the buffer in r2 as well.
 * Each function ends by folding r0, r2-r9 and stack words into r0, so
 * a wrong register or stack value shows up in the result. On mismatch
 * the program is disassembled to stderr and the harness aborts.
 *
 * tests/fuzz/test_fuzz.py builds it and runs it for a bounded time. To run
 * longer by hand (from the repository root):
 *   clang -O1 -g -fsanitize=fuzzer,address,undefined -Iebpf -Itools/ukbpf \
 *         tests/fuzz/fuzz_interp_jit.c ebpf/[a-z]*.c tools/ukbpf/host_platform.c \
 *         -o /tmp/fuzz_interp_jit
 *   mkdir -p /tmp/jit_corpus && /tmp/fuzz_interp_jit -max_total_time=3600 \
 *         -jobs=2 /tmp/jit_corpus
 * A crash file reproduces with: /tmp/fuzz_interp_jit crash-<hash>
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"
#include "host_platform.h"

#define MEM_SIZE	  256
#define MAX_FUNCS	  4
#define MAX_ITEMS	  96 /* generated instructions per function */
#define SLOT		  8
#define STACK_SLOTS	  (EBPF_STACK_SIZE / SLOT)
#define FOLD_MULTIPLIER	  1000003
#define FOLD_STACK_STRIDE 7  /* fold every 7th stack word */
#define ITEM_SLOTS	  12 /* the longest item: a bpf_loop call */
#define MAX_INSNS	  (MAX_FUNCS * (MAX_ITEMS * ITEM_SLOTS + STACK_SLOTS + 64))
#define MAX_LOOP_ROUNDS	  4
#define BUFFER_SAVE_SLOT  (-SLOT) /* where a bpf_loop item keeps r1 across the call */
#define LOG_BYTES	  512
#define TEXT_BYTES	  128
#define BSWAP_WIDTHS	  3
#define SHORT_JUMP_SPAN	  4
#define LONG_JUMP_ONE_IN  8

/* ---- input ------------------------------------------------------------ */

/*
 * The input shapes the program; bulk data (buffer contents, stack and
 * register initial values) comes from a PRNG seeded by the input, so that
 * short inputs already make long, varied programs.
 */
struct input {
	const uint8_t *data;
	size_t size;
	size_t pos;
	uint64_t prng;
};

static bool input_left(const struct input *in)
{
	return in->pos < in->size;
}

static uint8_t take8(struct input *in)
{
	return input_left(in) ? in->data[in->pos++] : 0;
}

static uint32_t take32(struct input *in)
{
	uint32_t v = 0;
	int i;

	for (i = 0; i < 4; i++)
		v = v << 8 | take8(in);
	return v;
}

static uint64_t take64(struct input *in)
{
	return (uint64_t)take32(in) << 32 | take32(in);
}

/* xorshift64 (Marsaglia): any nonzero state works. */
static uint64_t random64(struct input *in)
{
	in->prng ^= in->prng << 13;
	in->prng ^= in->prng >> 7;
	in->prng ^= in->prng << 17;
	return in->prng;
}

/* Immediates: edge values more often than their share of 2^32. */
static int32_t take_imm(struct input *in)
{
	static const int32_t edges[] = {0,  1,	       -1,	  2,	31,	32, 63,
					64, INT32_MIN, INT32_MAX, 0xff, 0xffff, -2, 7};
	uint8_t pick = take8(in);

	if (pick < 128)
		return edges[pick % (sizeof(edges) / sizeof(edges[0]))];
	return (int32_t)take32(in);
}

/* Any register but r1 (the buffer) and r10 (read-only). */
static uint8_t take_dst(struct input *in)
{
	static const uint8_t regs[] = {0, 2, 3, 4, 5, 6, 7, 8, 9};

	return regs[take8(in) % sizeof(regs)];
}

/* Sources may be r1: both engines run on the same buffer address. */
static uint8_t take_src(struct input *in)
{
	return take8(in) % (EBPF_REG_FP);
}

/* ---- program under construction ------------------------------------- */

/* A generated instruction, with its branch or call target still symbolic. */
struct item {
	struct ebpf_insn insn[ITEM_SLOTS];
	int slots;
	int jump_to;   /* item index in the same function (count = its epilogue) */
	int call_to;   /* function index */
	int target_at; /* which insn of the item names call_to (a call or an lddw) */
};

struct func {
	struct item items[MAX_ITEMS];
	int count;
};

struct builder {
	struct ebpf_insn insns[MAX_INSNS];
	size_t count;
};

#define INSN(OP, DST, SRC, OFF, IMM)                                                               \
	((struct ebpf_insn){                                                                       \
	    .opcode = (OP), .dst_reg = (DST), .src_reg = (SRC), .offset = (OFF), .imm = (IMM)})

static void put(struct builder *b, struct ebpf_insn insn)
{
	b->insns[b->count++] = insn;
}

static const uint8_t access_sizes[] = {EBPF_SIZE_B, EBPF_SIZE_H, EBPF_SIZE_W, EBPF_SIZE_DW};
static const uint8_t access_bytes[] = {1, 2, 4, 8};

/* A base register and an in-bounds offset for an access of bytes bytes. */
static void take_address(struct input *in, uint8_t bytes, bool aligned, uint8_t *base, int16_t *off)
{
	bool stack = take8(in) & 1;
	uint32_t span = (stack ? EBPF_STACK_SIZE : MEM_SIZE) / bytes;
	uint32_t index = take8(in) % span;

	if (!aligned)
		index = index * bytes + take8(in) % bytes;
	else
		index *= bytes;
	if (index + bytes > (stack ? EBPF_STACK_SIZE : MEM_SIZE))
		index -= bytes;
	*base = stack ? EBPF_REG_FP : EBPF_REG_R1;
	*off = (int16_t)(stack ? (int32_t)index - EBPF_STACK_SIZE : (int32_t)index);
}

struct alu_op {
	uint8_t op;
	int16_t offset;
	bool reg_only;
};

static const struct alu_op alu_ops[] = {
    {EBPF_ALU_ADD, 0, false}, {EBPF_ALU_SUB, 0, false}, {EBPF_ALU_MUL, 0, false},
    {EBPF_ALU_DIV, 0, false}, {EBPF_ALU_DIV, 1, false}, {EBPF_ALU_OR, 0, false},
    {EBPF_ALU_AND, 0, false}, {EBPF_ALU_LSH, 0, false}, {EBPF_ALU_RSH, 0, false},
    {EBPF_ALU_NEG, 0, false}, {EBPF_ALU_MOD, 0, false}, {EBPF_ALU_MOD, 1, false},
    {EBPF_ALU_XOR, 0, false}, {EBPF_ALU_MOV, 0, false}, {EBPF_ALU_ARSH, 0, false},
    {EBPF_ALU_MOV, 8, true},  {EBPF_ALU_MOV, 16, true}, {EBPF_ALU_MOV, 32, true},
    {EBPF_ALU_END, 0, false},
};

static const uint8_t jump_ops[] = {
    EBPF_JMP_JEQ,  EBPF_JMP_JGT, EBPF_JMP_JGE, EBPF_JMP_JSET, EBPF_JMP_JNE,  EBPF_JMP_JSGT,
    EBPF_JMP_JSGE, EBPF_JMP_JLT, EBPF_JMP_JLE, EBPF_JMP_JSLT, EBPF_JMP_JSLE, EBPF_JMP_JA,
};

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

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static struct item make_alu(struct input *in)
{
	const struct alu_op *op = &alu_ops[take8(in) % COUNT_OF(alu_ops)];
	bool alu64 = take8(in) & 1;
	bool use_reg = op->reg_only || (take8(in) & 1);
	uint8_t cls = alu64 ? EBPF_CLS_ALU64 : EBPF_CLS_ALU;
	struct item it = {.slots = 1, .jump_to = -1, .call_to = -1};
	uint8_t dst = take_dst(in);

	if (op->op == EBPF_ALU_END) {
		static const int32_t widths[BSWAP_WIDTHS] = {16, 32, 64};
		/* ALU64 has only the unconditional swap (K) */
		uint8_t source = alu64 ? EBPF_SRC_K : (use_reg ? EBPF_SRC_X : EBPF_SRC_K);

		it.insn[0] =
		    INSN(cls | EBPF_ALU_END | source, dst, 0, 0, widths[take8(in) % BSWAP_WIDTHS]);
	} else if (op->op == EBPF_ALU_NEG) {
		it.insn[0] = INSN(cls | EBPF_ALU_NEG, dst, 0, 0, 0);
	} else if (op->op == EBPF_ALU_MOV && op->offset == 32 && !alu64) {
		it.insn[0] = INSN(cls | EBPF_ALU_MOV | EBPF_SRC_X, dst, take_src(in), 16, 0);
	} else if (use_reg) {
		it.insn[0] = INSN(cls | op->op | EBPF_SRC_X, dst, take_src(in), op->offset, 0);
	} else {
		it.insn[0] = INSN(cls | op->op | EBPF_SRC_K, dst, 0, op->offset, take_imm(in));
	}
	return it;
}

static struct item make_jump(struct input *in, int here, int count)
{
	uint8_t op = jump_ops[take8(in) % COUNT_OF(jump_ops)];
	bool jmp32 = take8(in) & 1;
	bool use_reg = take8(in) & 1;
	struct item it = {.slots = 1, .call_to = -1};
	int span;

	/*
	 * Forward only: a later item or the epilogue. Mostly short, so that a
	 * taken branch does not skip most of the program.
	 */
	span = count - here;
	if (span > SHORT_JUMP_SPAN && take8(in) % LONG_JUMP_ONE_IN != 0)
		span = SHORT_JUMP_SPAN;
	it.jump_to = here + 1 + take8(in) % span;
	if (op == EBPF_JMP_JA)
		it.insn[0] = INSN(jmp32 ? EBPF_OP_JA32 : EBPF_OP_JA, 0, 0, 0, 0);
	else
		it.insn[0] = INSN((jmp32 ? EBPF_CLS_JMP32 : EBPF_CLS_JMP) | op |
				      (use_reg ? EBPF_SRC_X : EBPF_SRC_K),
				  take_src(in), use_reg ? take_src(in) : 0, 0, take_imm(in));
	return it;
}

static struct item make_memory(struct input *in)
{
	unsigned int size = take8(in) % COUNT_OF(access_sizes);
	uint8_t kind = take8(in) % 4;
	struct item it = {.slots = 1, .jump_to = -1, .call_to = -1};
	uint8_t base;
	int16_t off;

	take_address(in, access_bytes[size], false, &base, &off);
	switch (kind) {
	case 0: { /* LDX, sign-extending when not 8 bytes and asked */
		bool sx = size != 3 && (take8(in) & 1);

		it.insn[0] =
		    INSN(EBPF_CLS_LDX | (sx ? EBPF_MODE_MEMSX : EBPF_MODE_MEM) | access_sizes[size],
			 take_dst(in), base, off, 0);
		break;
	}
	case 1:
		it.insn[0] = INSN(EBPF_CLS_ST | EBPF_MODE_MEM | access_sizes[size], base, 0, off,
				  take_imm(in));
		break;
	case 2:
		it.insn[0] = INSN(EBPF_CLS_STX | EBPF_MODE_MEM | access_sizes[size], base,
				  take_src(in), off, 0);
		break;
	default: { /* atomic, 4 or 8 bytes, aligned; fetch forms write src */
		bool dw = take8(in) & 1;

		take_address(in, dw ? 8 : 4, true, &base, &off);
		it.insn[0] =
		    INSN(EBPF_CLS_STX | EBPF_MODE_ATOMIC | (dw ? EBPF_SIZE_DW : EBPF_SIZE_W), base,
			 take_dst(in), off, atomic_ops[take8(in) % COUNT_OF(atomic_ops)]);
		break;
	}
	}
	return it;
}

/*
 * bpf_loop(rounds, function call_to, ctx = the r1 buffer, 0): r1 is kept
 * in a stack slot across the helper (which the JIT's call clobbers, as it
 * does r2-r5, set to 0 after it).
 */
static struct item make_loop_call(struct input *in, struct item it)
{
	int n = 0;
	uint8_t r;

	it.insn[n++] =
	    INSN(EBPF_CLS_STX | EBPF_MODE_MEM | EBPF_SIZE_DW, EBPF_REG_FP, 1, BUFFER_SAVE_SLOT, 0);
	it.insn[n++] = INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 3, 1, 0, 0);
	it.insn[n++] =
	    INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K, 1, 0, 0, take8(in) % MAX_LOOP_ROUNDS);
	it.target_at = n;
	it.insn[n++] = INSN(EBPF_OP_LDDW, 2, EBPF_PSEUDO_FUNC, 0, 0);
	it.insn[n++] = INSN(0, 0, 0, 0, 0);
	it.insn[n++] = INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K, 4, 0, 0, 0);
	it.insn[n++] = INSN(EBPF_OP_CALL, 0, EBPF_CALL_HELPER, 0, EBPF_FUNC_LOOP);
	it.insn[n++] =
	    INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW, 1, EBPF_REG_FP, BUFFER_SAVE_SLOT, 0);
	for (r = 2; r <= EBPF_NUM_ARG_REGS; r++)
		it.insn[n++] = INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K, r, 0, 0, 0);
	it.slots = n;
	return it;
}

static struct item make_item(struct input *in, int func, int nfuncs, int here, int count)
{
	struct item it = {.slots = 1, .jump_to = -1, .call_to = -1};
	uint8_t kind = take8(in) % 16;

	if (kind < 6)
		return make_alu(in);
	if (kind < 9)
		return make_jump(in, here, count);
	if (kind < 13)
		return make_memory(in);
	if (kind == 13) {
		uint64_t v = take64(in);

		it.slots = 2;
		it.insn[0] = INSN(EBPF_OP_LDDW, take_dst(in), 0, 0, (int32_t)(uint32_t)v);
		it.insn[1] = INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32));
		return it;
	}
	if (kind == 14 && func + 1 < nfuncs) {
		it.call_to = func + 1 + take8(in) % (nfuncs - func - 1);
		if (take8(in) & 1)
			return make_loop_call(in, it);
		it.slots = 2;
		it.target_at = 1;
		it.insn[0] = INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 2, 1, 0, 0);
		it.insn[1] = INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL, 0, 0);
		return it;
	}
	/*
	 * Legacy packet load from the r1 buffer (ctx, ctx_len). LD_IND gets
	 * a small index register first: with a random one nearly every load
	 * would be out of bounds and end the program early.
	 */
	{
		bool ind = take8(in) & 1;
		unsigned int size = take8(in) % 3;
		int32_t off = (int32_t)(take8(in) % (MEM_SIZE + 8)) - 4;
		uint8_t index = take_dst(in);

		if (!ind) {
			it.insn[0] =
			    INSN(EBPF_CLS_LD | EBPF_MODE_ABS | access_sizes[size], 0, 0, 0, off);
			return it;
		}
		it.slots = 2;
		it.insn[0] = INSN(EBPF_CLS_ALU | EBPF_ALU_MOV | EBPF_SRC_K, index, 0, 0,
				  take8(in) % (MEM_SIZE / 2));
		it.insn[1] =
		    INSN(EBPF_CLS_LD | EBPF_MODE_IND | access_sizes[size], 0, index, 0, off / 2);
		return it;
	}
}

/* Stack initialisation, registers of main, the function's items. */
static void put_function_start(struct builder *b, struct input *in, bool is_main)
{
	uint8_t r;
	int k;

	for (k = 1; k <= STACK_SLOTS; k++)
		put(b, INSN(EBPF_CLS_ST | EBPF_MODE_MEM | EBPF_SIZE_DW, EBPF_REG_FP, 0,
			    (int16_t)(-k * SLOT), (int32_t)random64(in)));
	/* called or called back, the buffer comes in r2 */
	if (!is_main) {
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_X, 1, 2, 0, 0));
		return;
	}
	for (r = 0; r <= 9; r++) {
		uint64_t v = random64(in);

		if (r == EBPF_REG_R1)
			continue;
		put(b, INSN(EBPF_OP_LDDW, r, 0, 0, (int32_t)(uint32_t)v));
		put(b, INSN(0, 0, 0, 0, (int32_t)(uint32_t)(v >> 32)));
	}
}

/*
 * r0 = fold(r0, r2-r9, some stack words); exit. A function other than
 * main first xors the fold into the buffer's first word, where a callback's
 * work stays visible (bpf_loop keeps only whether its r0 is 0), and then
 * returns its low bit, so that loops go on as often as they stop.
 */
static void put_epilogue(struct builder *b, bool is_main)
{
	uint8_t r;
	int k;

	for (r = 2; r <= 9; r++) {
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_MUL | EBPF_SRC_K, 0, 0, 0, FOLD_MULTIPLIER));
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_XOR | EBPF_SRC_X, 0, r, 0, 0));
	}
	for (k = 1; k <= STACK_SLOTS; k += FOLD_STACK_STRIDE) {
		put(b, INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW, 2, EBPF_REG_FP,
			    (int16_t)(-k * SLOT), 0));
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_MUL | EBPF_SRC_K, 0, 0, 0, FOLD_MULTIPLIER));
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_XOR | EBPF_SRC_X, 0, 2, 0, 0));
	}
	if (!is_main) {
		put(b, INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW, 2, 1, 0, 0));
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_XOR | EBPF_SRC_X, 2, 0, 0, 0));
		put(b, INSN(EBPF_CLS_STX | EBPF_MODE_MEM | EBPF_SIZE_DW, 1, 2, 0, 0));
		put(b, INSN(EBPF_CLS_ALU64 | EBPF_ALU_AND | EBPF_SRC_K, 0, 0, 0, 1));
	}
	put(b, INSN(EBPF_OP_EXIT, 0, 0, 0, 0));
}

static struct func funcs[MAX_FUNCS];

static void generate(struct input *in, struct builder *b)
{
	size_t item_at[MAX_FUNCS][MAX_ITEMS + 1];
	size_t func_at[MAX_FUNCS];
	int nfuncs = 1 + take8(in) % MAX_FUNCS;
	int f, i, k;

	for (f = 0; f < nfuncs; f++) {
		int count = 1 + take8(in) % MAX_ITEMS;

		funcs[f].count = count;
		for (i = 0; i < count; i++)
			funcs[f].items[i] = make_item(in, f, nfuncs, i, count);
	}
	/* lay out, then resolve branch and call targets */
	b->count = 0;
	for (f = 0; f < nfuncs; f++) {
		func_at[f] = b->count;
		put_function_start(b, in, f == 0);
		for (i = 0; i < funcs[f].count; i++) {
			item_at[f][i] = b->count;
			for (k = 0; k < funcs[f].items[i].slots; k++)
				put(b, funcs[f].items[i].insn[k]);
		}
		item_at[f][funcs[f].count] = b->count;
		put_epilogue(b, f == 0);
	}
	for (f = 0; f < nfuncs; f++)
		for (i = 0; i < funcs[f].count; i++) {
			const struct item *it = &funcs[f].items[i];
			struct ebpf_insn *insn = &b->insns[item_at[f][i] + (size_t)it->target_at];
			int64_t next = (int64_t)item_at[f][i] + it->target_at + 1;

			if (it->jump_to >= 0 && insn->opcode == EBPF_OP_JA32)
				insn->imm = (int32_t)((int64_t)item_at[f][it->jump_to] - next);
			else if (it->jump_to >= 0)
				insn->offset = (int16_t)((int64_t)item_at[f][it->jump_to] - next);
			else if (it->call_to >= 0)
				insn->imm = (int32_t)((int64_t)func_at[it->call_to] - next);
		}
}

/* ---- running ---------------------------------------------------------- */

static void dump_and_abort(const struct builder *b, const char *what, uint64_t expect, uint64_t got,
			   bool blind)
{
	char text[TEXT_BYTES];
	size_t i = 0, n;

	fprintf(stderr, "MISMATCH (%s%s): interpreter r0 0x%" PRIx64 ", JIT r0 0x%" PRIx64 "\n",
		what, blind ? ", blinded" : "", expect, got);
	while ((n = ebpf_disassemble(b->insns, b->count, i, text, sizeof(text))) > 0) {
		fprintf(stderr, "%5zu: %s\n", i, text);
		i += n;
	}
	abort();
}

static struct builder program;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool platform_ready;
	static uint8_t initial[MEM_SIZE], mem[MEM_SIZE], after_interp[MEM_SIZE];
	struct input in = {data, size, 0, 0};
	char log_buf[LOG_BYTES];
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_prog *prog;
	uint64_t expect, got;
	size_t i;
	int blind, err;

	if (!platform_ready) {
		host_platform_install();
		platform_ready = true;
	}
	in.prng = take64(&in) | 1;
	for (i = 0; i < MEM_SIZE; i++)
		initial[i] = (uint8_t)random64(&in);
	generate(&in, &program);
	err = ebpf_prog_create(program.insns, program.count, NULL, &prog, &log);
	if (err) {
		fprintf(stderr, "generator made an invalid program: %s\n", log_buf);
		dump_and_abort(&program, "create", 0, 0, false);
	}
	memcpy(mem, initial, MEM_SIZE);
	expect = ebpf_prog_run_interp(prog, mem, MEM_SIZE);
	memcpy(after_interp, mem, MEM_SIZE);
	for (blind = 0; blind <= 1; blind++) {
		struct ebpf_jit_opts opts = {.blind_constants = blind};

		err = ebpf_prog_jit(prog, &opts, &log);
		if (err) {
			fprintf(stderr, "JIT failed: %s\n", log_buf);
			dump_and_abort(&program, "jit", expect, 0, blind);
		}
		memcpy(mem, initial, MEM_SIZE);
		got = ebpf_prog_run(prog, mem, MEM_SIZE);
		if (got != expect)
			dump_and_abort(&program, "r0", expect, got, blind);
		if (memcmp(mem, after_interp, MEM_SIZE) != 0)
			dump_and_abort(&program, "memory", expect, got, blind);
	}
	ebpf_prog_free(prog);
	return 0;
}
