/*
 * The interpreter: a dispatch table indexed by the full opcode byte of a
 * program that ebpf_prog_create() has already checked, so no handler
 * re-validates its encoding. Semantics follow RFC 9669; where the RFC leaves room (division
 * by zero, shift masking, out-of-bounds legacy loads, tail calls) they
 * follow Linux, citing the section they refine.
 *
 * Abnormal termination (a legacy packet load out of bounds, a local call
 * beyond EBPF_MAX_CALL_DEPTH frames) ends the program with r0 = 0, as
 * Linux does for LD_ABS/LD_IND.
 */
#include <string.h>

#include "ebpf_internal.h"
#include "insn.h"
#include "interp_check.h"

#define STACK_WORDS	   (EBPF_STACK_SIZE / sizeof(uint64_t))
#define CALLEE_SAVED_FIRST 6
#define CALLEE_SAVED_COUNT 4 /* r6..r9, RFC 9669 §2.1 */
#define SWAP_WIDTH_16	   16
#define SWAP_WIDTH_32	   32
#define MOVSX_8		   8
#define MOVSX_16	   16
#define MOVSX_32	   32

/* A bpf-to-bpf call's return point and the caller's r6-r9. */
struct call_frame {
	const struct ebpf_insn *return_pc;
	uint64_t callee_saved[CALLEE_SAVED_COUNT];
};

/* The bytes LD_ABS/LD_IND read (RFC 9669 §5.5): where the type says. */
static struct ebpf_legacy_packet legacy_packet_of(const struct ebpf_prog *prog, void *ctx,
						  size_t ctx_len)
{
	if (!prog->type_info->legacy_packet)
		return (struct ebpf_legacy_packet){NULL, 0};
	return prog->type_info->legacy_packet(ctx, ctx_len);
}

static inline uint64_t byte_swap(uint64_t value, int32_t width)
{
	if (width == SWAP_WIDTH_16)
		return __builtin_bswap16((uint16_t)value);
	if (width == SWAP_WIDTH_32)
		return __builtin_bswap32((uint32_t)value);
	return __builtin_bswap64(value);
}

static inline uint64_t truncate_to_width(uint64_t value, int32_t width)
{
	if (width == SWAP_WIDTH_16)
		return (uint16_t)value;
	if (width == SWAP_WIDTH_32)
		return (uint32_t)value;
	return value;
}

/* RFC 9669 §4.2: to-LE/to-BE convert only when the host order differs. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define to_le(value, width) truncate_to_width(value, width)
#define to_be(value, width) byte_swap(value, width)
#else
#define to_le(value, width) byte_swap(value, width)
#define to_be(value, width) truncate_to_width(value, width)
#endif

/*
 * RFC 9669 §4.1: signed division by zero yields 0 and modulo by zero leaves
 * dst; INT_MIN / -1 wraps to INT_MIN and INT_MIN % -1 is 0 (computed
 * without the C operators, for which those cases are undefined).
 */
static inline uint64_t sdiv64(uint64_t dst, int64_t divisor)
{
	if (divisor == 0)
		return 0;
	if (divisor == -1)
		return -dst;
	return (uint64_t)((int64_t)dst / divisor);
}

static inline uint64_t smod64(uint64_t dst, int64_t divisor)
{
	if (divisor == 0)
		return dst;
	if (divisor == -1)
		return 0;
	return (uint64_t)((int64_t)dst % divisor);
}

/* The 32-bit forms on sign-extended operands: INT32_MIN / -1 = 2^31 truncates to INT32_MIN. */
static inline uint32_t sdiv32(uint32_t dst, int32_t divisor)
{
	return (uint32_t)sdiv64((uint64_t)(int64_t)(int32_t)dst, divisor);
}

static inline uint32_t smod32(uint32_t dst, int32_t divisor)
{
	return (uint32_t)smod64((uint64_t)(int64_t)(int32_t)dst, divisor);
}

static inline uint64_t movsx64(uint64_t src, int16_t width)
{
	if (width == MOVSX_8)
		return (uint64_t)(int64_t)(int8_t)src;
	if (width == MOVSX_16)
		return (uint64_t)(int64_t)(int16_t)src;
	if (width == MOVSX_32)
		return (uint64_t)(int64_t)(int32_t)src;
	return src;
}

static inline uint32_t movsx32(uint64_t src, int16_t width)
{
	if (width == MOVSX_8)
		return (uint32_t)(int32_t)(int8_t)src;
	if (width == MOVSX_16)
		return (uint32_t)(int32_t)(int16_t)src;
	return (uint32_t)src;
}

/* Shorthands for the operands of the current instruction. */
#define DST		 reg[insn->dst_reg]
#define SRC		 reg[insn->src_reg]
#define IMM64		 ((uint64_t)(int64_t)insn->imm) /* §4.1: imm sign-extends */
#define IMM32		 ((uint32_t)insn->imm)
#define DST32		 ((uint32_t)DST)
#define SRC32		 ((uint32_t)SRC)
#define MEM_ADDR(base)	 ((void *)(uintptr_t)((base) + (int64_t)insn->offset))
#define STACK_TOP(frame) ((uint64_t)(uintptr_t)(stack[frame] + STACK_WORDS))

/*
 * The checked build (interp_check.h) reports each instruction, access and
 * helper call; the normal build compiles these to nothing.
 */
#ifdef EBPF_INTERP_CHECKED
#define CHECK_STEP() ebpf_interp_check_step(insn)
#define STACK_LIVE   (uint64_t)(uintptr_t) stack[0], STACK_TOP(depth)
#define CHECK_ACCESS(addr, size, access, stored)                                                   \
	ebpf_interp_check_access(insn, (uint64_t)(uintptr_t)(addr), (size), (access),              \
				 (uint64_t)(stored), STACK_LIVE)
#define CHECK_HELPER(returned) ebpf_interp_check_helper(insn, reg, (returned), STACK_LIVE)
#else
#define CHECK_STEP()				 ((void)0)
#define CHECK_ACCESS(addr, size, access, stored) ((void)0)
#define CHECK_HELPER(returned)			 ((void)0)
#endif

/*
 * Dispatch: every handler ends by jumping through the opcode table itself
 * (GCC labels as values) instead of returning to one shared switch, so
 * the CPU predicts each handler's successor separately; this halves the
 * time of a packet parse compared with a switch loop.
 */
#define NEXT()                                                                                     \
	do {                                                                                       \
		insn = pc++;                                                                       \
		CHECK_STEP();                                                                      \
		goto *dispatch[insn->opcode];                                                      \
	} while (0)

/*
 * The instruction families below are X-macro lists: one list gives both
 * the handlers (in the function body) and their dispatch-table entries.
 * They are laid out by hand, as tables; clang-format would fold them.
 */
/* clang-format off */

/* Operations whose 64- and 32-bit forms differ only in width (§4.1). */
#define ALU_BINARY_OPS(X) X(ADD, +) X(SUB, -) X(MUL, *) X(OR, |) X(AND, &) X(XOR, ^)

#define ALU_BINARY_HANDLERS(NAME, OP)                                                   \
	alu64_k_##NAME : DST = DST OP IMM64;                                            \
	NEXT();                                                                         \
	alu64_x_##NAME : DST = DST OP SRC;                                              \
	NEXT();                                                                         \
	alu32_k_##NAME : DST = (uint32_t)(DST32 OP IMM32);                              \
	NEXT();                                                                         \
	alu32_x_##NAME : DST = (uint32_t)(DST32 OP SRC32);                              \
	NEXT();

/* Shift amounts are masked to the operand width, as Linux and x86 do. */
#define ALU_SHIFT_OPS(X)                                                                \
	X(LSH, uint64_t, uint32_t, <<) X(RSH, uint64_t, uint32_t, >>)                   \
	X(ARSH, int64_t, int32_t, >>)

#define ALU_SHIFT_HANDLERS(NAME, TYPE64, TYPE32, OP)                                    \
	alu64_k_##NAME : DST = (uint64_t)((TYPE64)DST OP (IMM64 & EBPF_SHIFT_MASK_64)); \
	NEXT();                                                                         \
	alu64_x_##NAME : DST = (uint64_t)((TYPE64)DST OP (SRC & EBPF_SHIFT_MASK_64));   \
	NEXT();                                                                         \
	alu32_k_##NAME : DST = (uint32_t)((TYPE32)DST OP (IMM32 & EBPF_SHIFT_MASK_32)); \
	NEXT();                                                                         \
	alu32_x_##NAME : DST = (uint32_t)((TYPE32)DST OP (SRC32 & EBPF_SHIFT_MASK_32)); \
	NEXT();

#define ALU_ENTRIES(NAME, ...)                                                          \
	[EBPF_CLS_ALU64 | EBPF_ALU_##NAME | EBPF_SRC_K] = &&alu64_k_##NAME,             \
	[EBPF_CLS_ALU64 | EBPF_ALU_##NAME | EBPF_SRC_X] = &&alu64_x_##NAME,             \
	[EBPF_CLS_ALU | EBPF_ALU_##NAME | EBPF_SRC_K] = &&alu32_k_##NAME,               \
	[EBPF_CLS_ALU | EBPF_ALU_##NAME | EBPF_SRC_X] = &&alu32_x_##NAME,

/* Conditional jumps (§4.3): JMP compares 64 bits, JMP32 the low 32. */
#define JMP_COND_OPS(X)                                                                 \
	X(JEQ, uint64_t, uint32_t, ==) X(JNE, uint64_t, uint32_t, !=)                   \
	X(JGT, uint64_t, uint32_t, >) X(JGE, uint64_t, uint32_t, >=)                    \
	X(JLT, uint64_t, uint32_t, <) X(JLE, uint64_t, uint32_t, <=)                    \
	X(JSET, uint64_t, uint32_t, &) X(JSGT, int64_t, int32_t, >)                     \
	X(JSGE, int64_t, int32_t, >=) X(JSLT, int64_t, int32_t, <)                      \
	X(JSLE, int64_t, int32_t, <=)

#define JMP_COND_HANDLERS(NAME, TYPE64, TYPE32, OP)                                     \
	jmp64_k_##NAME : if ((TYPE64)DST OP (TYPE64)IMM64) pc += insn->offset;          \
	NEXT();                                                                         \
	jmp64_x_##NAME : if ((TYPE64)DST OP (TYPE64)SRC) pc += insn->offset;            \
	NEXT();                                                                         \
	jmp32_k_##NAME : if ((TYPE32)DST OP (TYPE32)IMM32) pc += insn->offset;          \
	NEXT();                                                                         \
	jmp32_x_##NAME : if ((TYPE32)DST OP (TYPE32)SRC32) pc += insn->offset;          \
	NEXT();

#define JMP_COND_ENTRIES(NAME, ...)                                                     \
	[EBPF_CLS_JMP | EBPF_JMP_##NAME | EBPF_SRC_K] = &&jmp64_k_##NAME,               \
	[EBPF_CLS_JMP | EBPF_JMP_##NAME | EBPF_SRC_X] = &&jmp64_x_##NAME,               \
	[EBPF_CLS_JMP32 | EBPF_JMP_##NAME | EBPF_SRC_K] = &&jmp32_k_##NAME,             \
	[EBPF_CLS_JMP32 | EBPF_JMP_##NAME | EBPF_SRC_X] = &&jmp32_x_##NAME,

/* Loads and stores (§5.1); memcpy keeps unaligned access defined. */
#define MEM_SIZES(X) X(B, uint8_t) X(H, uint16_t) X(W, uint32_t) X(DW, uint64_t)

#define MEM_HANDLERS(SIZE, TYPE)                                                        \
	ldx_##SIZE : {                                                                  \
		TYPE value;                                                             \
		CHECK_ACCESS(MEM_ADDR(SRC), sizeof(value), EBPF_INTERP_READ, 0);        \
		memcpy(&value, MEM_ADDR(SRC), sizeof(value));                           \
		DST = value;                                                            \
		NEXT();                                                                 \
	}                                                                               \
	st_##SIZE : {                                                                   \
		TYPE value = (TYPE)IMM64;                                               \
		CHECK_ACCESS(MEM_ADDR(DST), sizeof(value), EBPF_INTERP_WRITE, value);   \
		memcpy(MEM_ADDR(DST), &value, sizeof(value));                           \
		NEXT();                                                                 \
	}                                                                               \
	stx_##SIZE : {                                                                  \
		TYPE value = (TYPE)SRC;                                                 \
		CHECK_ACCESS(MEM_ADDR(DST), sizeof(value), EBPF_INTERP_WRITE, value);   \
		memcpy(MEM_ADDR(DST), &value, sizeof(value));                           \
		NEXT();                                                                 \
	}

#define MEM_ENTRIES(SIZE, ...)                                                          \
	[EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_##SIZE] = &&ldx_##SIZE,               \
	[EBPF_CLS_ST | EBPF_MODE_MEM | EBPF_SIZE_##SIZE] = &&st_##SIZE,                 \
	[EBPF_CLS_STX | EBPF_MODE_MEM | EBPF_SIZE_##SIZE] = &&stx_##SIZE,

/* Sign-extending loads (§5.2) and legacy packet loads (§5.5): no DW form. */
#define NARROW_SIZES(X) X(B, int8_t, uint8_t) X(H, int16_t, uint16_t) X(W, int32_t, uint32_t)

/* A legacy load out of bounds ends the program with r0 = 0 (Linux). */
#define NARROW_HANDLERS(SIZE, STYPE, UTYPE)                                             \
	ldxsx_##SIZE : {                                                                \
		STYPE value;                                                            \
		CHECK_ACCESS(MEM_ADDR(SRC), sizeof(value), EBPF_INTERP_READ, 0);        \
		memcpy(&value, MEM_ADDR(SRC), sizeof(value));                           \
		DST = (uint64_t)(int64_t)value;                                         \
		NEXT();                                                                 \
	}                                                                               \
	ld_abs_##SIZE : if (ebpf_legacy_load(&packet, insn->imm, sizeof(UTYPE),         \
					     &reg[0]))                                  \
		return 0;                                                               \
	NEXT();                                                                         \
	ld_ind_##SIZE : if (ebpf_legacy_load(&packet, (int32_t)(SRC32 + IMM32),         \
					     sizeof(UTYPE), &reg[0]))                   \
		return 0;                                                               \
	NEXT();

#define NARROW_ENTRIES(SIZE, ...)                                                       \
	[EBPF_CLS_LDX | EBPF_MODE_MEMSX | EBPF_SIZE_##SIZE] = &&ldxsx_##SIZE,           \
	[EBPF_CLS_LD | EBPF_MODE_ABS | EBPF_SIZE_##SIZE] = &&ld_abs_##SIZE,             \
	[EBPF_CLS_LD | EBPF_MODE_IND | EBPF_SIZE_##SIZE] = &&ld_ind_##SIZE,

/* clang-format on */

/*
 * §5.3 atomics, one body for both widths (the __atomic builtins take theirs
 * from the pointer); 32-bit forms zero-extend what they fetch, r0 of
 * CMPXCHG included.
 */
#define DEFINE_ATOMIC_OP(BITS)                                                                     \
	static inline uint##BITS##_t atomic_op##BITS(uint##BITS##_t *addr, int32_t op,             \
						     uint##BITS##_t value, uint64_t *r0)           \
	{                                                                                          \
		switch (op & ~EBPF_ATOMIC_FETCH) {                                                 \
		case EBPF_ATOMIC_ADD:                                                              \
			return __atomic_fetch_add(addr, value, __ATOMIC_SEQ_CST);                  \
		case EBPF_ATOMIC_OR:                                                               \
			return __atomic_fetch_or(addr, value, __ATOMIC_SEQ_CST);                   \
		case EBPF_ATOMIC_AND:                                                              \
			return __atomic_fetch_and(addr, value, __ATOMIC_SEQ_CST);                  \
		case EBPF_ATOMIC_XOR:                                                              \
			return __atomic_fetch_xor(addr, value, __ATOMIC_SEQ_CST);                  \
		case EBPF_ATOMIC_XCHG & ~EBPF_ATOMIC_FETCH:                                        \
			return __atomic_exchange_n(addr, value, __ATOMIC_SEQ_CST);                 \
		default: { /* CMPXCHG: r0 receives the old value either way */                     \
			uint##BITS##_t expected = (uint##BITS##_t) * r0;                           \
                                                                                                   \
			__atomic_compare_exchange_n(addr, &expected, value, false,                 \
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);           \
			*r0 = expected;                                                            \
			return expected;                                                           \
		}                                                                                  \
		}                                                                                  \
	}

DEFINE_ATOMIC_OP(64)
DEFINE_ATOMIC_OP(32)

static inline bool atomic_fetches(int32_t op)
{
	return (op & EBPF_ATOMIC_FETCH) && op != EBPF_ATOMIC_CMPXCHG;
}

/*
 * Runs prog from entry with r1-r4 as given (r5 = 0) in a fresh call
 * chain: its own frames and tail call budget. The program's entry and
 * each callback call (ebpf_interp_call_callback, from a helper) are such
 * runs. The arguments come in registers, not an array: this is the
 * interpreter's fixed cost per run.
 */
static uint64_t interp_run(const struct ebpf_prog *prog, const struct ebpf_insn *entry, uint64_t r1,
			   uint64_t r2, uint64_t r3, uint64_t r4, struct ebpf_legacy_packet packet)
{
	/* Entries not set stay on invalid_opcode (GCC range initializer). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
	/* clang-format off */
	static const void *const dispatch[256] = {
		[0 ... 255] = &&invalid_opcode,
		ALU_BINARY_OPS(ALU_ENTRIES)
		ALU_SHIFT_OPS(ALU_ENTRIES)
		ALU_ENTRIES(DIV)
		ALU_ENTRIES(MOD)
		ALU_ENTRIES(MOV)
		[EBPF_CLS_ALU64 | EBPF_ALU_NEG] = &&alu64_neg,
		[EBPF_CLS_ALU | EBPF_ALU_NEG] = &&alu32_neg,
		[EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_K] = &&alu32_to_le,
		[EBPF_CLS_ALU | EBPF_ALU_END | EBPF_SRC_X] = &&alu32_to_be,
		[EBPF_CLS_ALU64 | EBPF_ALU_END | EBPF_SRC_K] = &&alu64_bswap,
		JMP_COND_OPS(JMP_COND_ENTRIES)
		[EBPF_OP_JA] = &&ja,
		[EBPF_OP_JA32] = &&ja32,
		MEM_SIZES(MEM_ENTRIES)
		NARROW_SIZES(NARROW_ENTRIES)
		[EBPF_OP_LDDW] = &&lddw,
		[EBPF_CLS_STX | EBPF_MODE_ATOMIC | EBPF_SIZE_DW] = &&atomic64,
		[EBPF_CLS_STX | EBPF_MODE_ATOMIC | EBPF_SIZE_W] = &&atomic32,
		[EBPF_OP_CALL] = &&call,
		[EBPF_OP_EXIT] = &&exit,
	};
	/* clang-format on */
#pragma GCC diagnostic pop
	uint64_t reg[EBPF_NUM_REGS];
	/* One 512-byte frame per call depth (§2.3), 8-byte aligned. */
	uint64_t stack[EBPF_MAX_CALL_DEPTH][STACK_WORDS];
	struct call_frame frames[EBPF_MAX_CALL_DEPTH];
	const struct ebpf_insn *pc = entry;
	const struct ebpf_insn *insn;
	unsigned int depth = 0;
	unsigned int tail_calls = 0;

	memset(reg, 0, sizeof(reg));
	reg[EBPF_REG_R1] = r1;
	reg[EBPF_REG_R1 + 1] = r2;
	reg[EBPF_REG_R1 + 2] = r3;
	reg[EBPF_REG_R1 + 3] = r4;
	reg[EBPF_REG_FP] = STACK_TOP(0);
	NEXT();

	ALU_BINARY_OPS(ALU_BINARY_HANDLERS)
	ALU_SHIFT_OPS(ALU_SHIFT_HANDLERS)

	/* §4.1: unsigned x / 0 = 0, x % 0 = x; offset 1 selects signed. */
alu64_k_DIV:
	DST = insn->offset ? sdiv64(DST, insn->imm) : IMM64 ? DST / IMM64 : 0;
	NEXT();
alu64_x_DIV:
	DST = insn->offset ? sdiv64(DST, (int64_t)SRC) : SRC ? DST / SRC : 0;
	NEXT();
alu32_k_DIV:
	DST = insn->offset ? sdiv32(DST32, insn->imm) : IMM32 ? DST32 / IMM32 : 0;
	NEXT();
alu32_x_DIV:
	DST = insn->offset ? sdiv32(DST32, (int32_t)SRC32) : SRC32 ? DST32 / SRC32 : 0;
	NEXT();
alu64_k_MOD:
	DST = insn->offset ? smod64(DST, insn->imm) : IMM64 ? DST % IMM64 : DST;
	NEXT();
alu64_x_MOD:
	DST = insn->offset ? smod64(DST, (int64_t)SRC) : SRC ? DST % SRC : DST;
	NEXT();
alu32_k_MOD:
	DST = insn->offset ? smod32(DST32, insn->imm) : IMM32 ? DST32 % IMM32 : DST32;
	NEXT();
alu32_x_MOD:
	DST = insn->offset ? smod32(DST32, (int32_t)SRC32) : SRC32 ? DST32 % SRC32 : DST32;
	NEXT();

alu64_neg:
	DST = -DST;
	NEXT();
alu32_neg:
	DST = (uint32_t)-DST32;
	NEXT();
alu64_k_MOV:
	DST = IMM64;
	NEXT();
alu64_x_MOV:
	DST = movsx64(SRC, insn->offset);
	NEXT();
alu32_k_MOV:
	DST = IMM32;
	NEXT();
alu32_x_MOV:
	DST = movsx32(SRC, insn->offset);
	NEXT();
alu32_to_le:
	DST = to_le(DST, insn->imm);
	NEXT();
alu32_to_be:
	DST = to_be(DST, insn->imm);
	NEXT();
alu64_bswap:
	DST = byte_swap(DST, insn->imm);
	NEXT();

	JMP_COND_OPS(JMP_COND_HANDLERS)
ja:
	pc += insn->offset;
	NEXT();
ja32:
	pc += insn->imm;
	NEXT();

	MEM_SIZES(MEM_HANDLERS)
	NARROW_SIZES(NARROW_HANDLERS)

lddw:
	if (insn->src_reg == EBPF_PSEUDO_FUNC) {
		uint32_t target =
		    (uint32_t)ebpf_insn_call_target(insn, (size_t)(insn - prog->insns));

		DST = (uintptr_t)&prog->interp_callbacks[ebpf_prog_subprog_index(prog, target)];
	} else {
		DST = ebpf_insn_lddw_imm64(insn);
	}
	pc++;
	NEXT();

atomic64 : {
	CHECK_ACCESS(MEM_ADDR(DST), sizeof(uint64_t), EBPF_INTERP_READ_WRITE, SRC);
	uint64_t old = atomic_op64(MEM_ADDR(DST), insn->imm, SRC, &reg[0]);

	if (atomic_fetches(insn->imm))
		SRC = old;
	NEXT();
}
atomic32 : {
	CHECK_ACCESS(MEM_ADDR(DST), sizeof(uint32_t), EBPF_INTERP_READ_WRITE, SRC32);
	uint32_t old = atomic_op32(MEM_ADDR(DST), insn->imm, SRC32, &reg[0]);

	if (atomic_fetches(insn->imm))
		SRC = old;
	NEXT();
}

call:
	if (insn->src_reg == EBPF_PSEUDO_CALL) {
		/* §4.3.2: a new frame; the caller's r6-r9 survive. */
		if (depth + 1 >= EBPF_MAX_CALL_DEPTH)
			return 0;
		frames[depth].return_pc = pc;
		memcpy(frames[depth].callee_saved, &reg[CALLEE_SAVED_FIRST],
		       sizeof(frames[depth].callee_saved));
		depth++;
		reg[EBPF_REG_FP] = STACK_TOP(depth);
		pc += insn->imm;
	} else if (insn->imm == EBPF_FUNC_TAIL_CALL) {
		/*
		 * Linux: the target replaces the running program in the same
		 * frame with r1 unchanged; a missing target or an exhausted
		 * budget falls through.
		 */
		const struct ebpf_prog *target = ebpf_prog_array_get(
		    (const struct ebpf_map *)(uintptr_t)reg[2], (uint32_t)reg[3]);

		if (target && tail_calls < EBPF_MAX_TAIL_CALLS) {
			tail_calls++;
			/* the target's lddw of a function names its own callbacks */
			prog = target;
			pc = target->insns;
			reg[EBPF_REG_FP] = STACK_TOP(depth);
		}
	} else {
		CHECK_HELPER(false);
		reg[0] = ebpf_helper_find(insn->imm)->fn(reg[1], reg[2], reg[3], reg[4], reg[5]);
		CHECK_HELPER(true);
	}
	NEXT();
exit:
	if (depth == 0)
		return reg[0];
	depth--;
	memcpy(&reg[CALLEE_SAVED_FIRST], frames[depth].callee_saved,
	       sizeof(frames[depth].callee_saved));
	reg[EBPF_REG_FP] = STACK_TOP(depth);
	pc = frames[depth].return_pc;
	NEXT();

invalid_opcode:
	/* Unreachable for programs that passed ebpf_prog_create(). */
	return 0;
}

uint64_t ebpf_prog_run_interp(const struct ebpf_prog *prog, void *ctx, size_t ctx_len)
{
	return interp_run(prog, prog->insns, (uintptr_t)ctx,
			  prog->type_info->ctx_len_in_r2 ? ctx_len : 0, 0, 0,
			  legacy_packet_of(prog, ctx, ctx_len));
}

/*
 * A callback runs in a nested interpreter with fresh frames on the C
 * stack: the verifier bounds the nesting by its frame count, and the
 * callback, which may not use legacy packet loads, needs no packet.
 */
uint64_t ebpf_interp_call_callback(const struct ebpf_callback *cb, uint64_t r1, uint64_t r2,
				   uint64_t r3, uint64_t r4)
{
	return interp_run(cb->prog, cb->prog->insns + cb->insn, r1, r2, r3, r4,
			  (struct ebpf_legacy_packet){NULL, 0});
}
