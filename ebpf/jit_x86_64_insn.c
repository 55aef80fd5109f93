/*
 * x86-64 JIT: the code of each BPF instruction (RFC 9669 §4, §5), with
 * the results of the interpreter bit for bit. jit_x86_64.c calls
 * jit_emit_insn once per instruction and pass; the register mapping,
 * the run state and the frames are in jit_x86_64.h, the design in
 * jit_x86_64.c's opening comment.
 */
#include <errno.h>
#include <stddef.h>

#include "ebpf_internal.h"
#include "insn.h"
#include "jit_analysis.h"
#include "jit_x86_64.h"
#include "x86_64_emit.h"

/* BPF r6-r9, saved around a local call. */
static const uint8_t jit_local_call_saves[] = {X86_RBX, X86_R13, X86_R14, X86_R15};
#define JIT_LOCAL_CALL_SAVES (sizeof(jit_local_call_saves) / sizeof(jit_local_call_saves[0]))
/* BPF r0-r5: saved around the tail call's lookup. */
static const uint8_t jit_r0_to_r5[] = {X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8};
#define JIT_R0_TO_R5 (sizeof(jit_r0_to_r5) / sizeof(jit_r0_to_r5[0]))

/* A local call's frame: its saves, the return address, the callee's frame. */
#define JIT_CALL_FRAME_SIZE (JIT_LOCAL_CALL_SAVES * JIT_SLOT + JIT_SLOT + JIT_FRAME_SIZE)
/* rsp stays 16-byte aligned at calls (jit_x86_64.h) */
_Static_assert(JIT_LOCAL_CALL_SAVES % 2 == 0 && JIT_R0_TO_R5 % 2 == 0,
	       "pushes around calls must keep rsp aligned");
/* rsp of the deepest allowed frame, relative to the run state. */
#define JIT_DEEPEST_RSP                                                                            \
	(-(int32_t)(JIT_SLOT + JIT_FRAME_SIZE + (EBPF_MAX_CALL_DEPTH - 1) * JIT_CALL_FRAME_SIZE))

/*
 * Helper calls have one fixed length so that the layout does not depend
 * on where the code lands: "call rel32; 7-byte nop" when the target is
 * within ±2 GiB, else "mov rax, imm64; call rax".
 */
#define JIT_CALL_ABS_SIZE 12
_Static_assert(X86_CALL_REL32_SIZE + X86_NOP7_SIZE == JIT_CALL_ABS_SIZE &&
		   X86_MOV_R_IMM64_SIZE + X86_CALL_RAX_SIZE == JIT_CALL_ABS_SIZE,
	       "both helper call forms must have the same length");

#define JIT_BSWAP_16	  16
#define JIT_BSWAP_32	  32
#define JIT_ROL16_BY	  8
#define JIT_MOVSX_8	  8
#define JIT_MOVSX_16	  16
#define JIT_OFFSET_SIGNED 1

/* A source operand: a register, or an immediate the op encodes. */
struct jit_src {
	bool is_imm;
	uint8_t reg;
	int32_t imm;
};

/* ---- legacy packet access (RFC 9669 §5.5) ---------------------------- */

#define JIT_PACKET_LOAD_FAILED UINT64_MAX

/*
 * The bytes [off, off + size) of the packet, big-endian, or
 * JIT_PACKET_LOAD_FAILED when out of bounds (the program then returns 0,
 * as Linux does): ebpf_legacy_load on the packet the program type's
 * context gives, as the interpreter reads it.
 */
static uint64_t jit_load_packet(const struct jit_run_state *state, int32_t off, uint32_t size,
				uint32_t prog_type)
{
	const struct ebpf_prog_type_info *info = ebpf_prog_type_info(prog_type);
	struct ebpf_legacy_packet packet = {NULL, 0};
	uint64_t value;

	/* a callback's run has no ctx: its legacy loads fail */
	if (info->legacy_packet && state->ctx)
		packet = info->legacy_packet(state->ctx, state->ctx_len);
	if (ebpf_legacy_load(&packet, off, size, &value))
		return JIT_PACKET_LOAD_FAILED;
	return value;
}

/* ---- small emitters -------------------------------------------------- */

static bool jit_is_alu64(const struct ebpf_insn *insn)
{
	return (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_ALU64;
}

static unsigned int jit_width(bool is64)
{
	return is64 ? X86_W : 0;
}

/* A call to fn of JIT_CALL_ABS_SIZE bytes (clobbers rax before the call). */
static void jit_emit_call_abs(struct jit_ctx *ctx, uintptr_t fn)
{
	struct x86_buf *b = &ctx->buf;
	int64_t rel = 0;
	bool near = false;

	if (b->code) {
		rel = (int64_t)fn - (int64_t)(uintptr_t)(b->code + b->len + X86_CALL_REL32_SIZE);
		near = x86_fits_s32(rel);
	}
	if (near) {
		x86_u8(b, X86_OP_CALL_REL32);
		x86_u32(b, (uint32_t)rel);
		x86_nop7(b);
	} else {
		x86_mov_ri64(b, X86_RAX, fn);
		x86_rr(b, 0, X86_OP_GRP5_RM, X86_GRP5_CALL, X86_RAX);
	}
}

/* jmp/jcc rel32 to a code offset (cc < 0: unconditional). */
static void jit_emit_jump_rel32(struct jit_ctx *ctx, int cc, uint32_t target)
{
	struct x86_buf *b = &ctx->buf;

	if (cc < 0)
		x86_u8(b, X86_OP_JMP_REL32);
	else
		x86_opcode(b, X86_OP2_JCC_REL32 + cc);
	x86_u32(b, (uint32_t)((int64_t)target - (int64_t)(b->len + sizeof(uint32_t))));
}

/*
 * Branch of insn i to insn target: rel8 when the previous pass's layout
 * says it fits and it has never been long, else rel32 (sticky). The first
 * pass knows no layout and assumes every branch short: starting from the
 * smallest code, lengths only grow, and the pass that changes no offset
 * has checked every branch against the final layout.
 */
static void jit_emit_branch(struct jit_ctx *ctx, size_t i, int cc, size_t target)
{
	struct x86_buf *b = &ctx->buf;
	uint32_t dest = ctx->prev_off[target];

	if (!ctx->long_branch[i]) {
		size_t size = cc < 0 ? X86_JMP_REL8_SIZE : X86_JCC_REL8_SIZE;
		int64_t rel = (int64_t)dest - (int64_t)(b->len + size);

		if (!ctx->layout_known || x86_fits_s8(rel)) {
			x86_u8(b, cc < 0 ? X86_OP_JMP_REL8 : X86_OP_JCC_REL8 + cc);
			x86_u8(b, (uint8_t)(int8_t)rel);
			return;
		}
		ctx->long_branch[i] = true;
	}
	jit_emit_jump_rel32(ctx, cc, dest);
}

/*
 * The immediate of insn i as an operand. With constant blinding it is
 * materialized in JIT_TMP as (imm ^ key) ^ key so that the program's
 * constant never appears in executable memory; the fixed-size encodings
 * keep the length independent of the random key.
 */
static struct jit_src jit_src_imm(struct jit_ctx *ctx, size_t i, int32_t imm, bool is64)
{
	struct jit_src src = {.is_imm = true, .imm = imm};
	uint32_t key;

	if (!ctx->blind_key)
		return src;
	key = (uint32_t)ctx->blind_key[i];
	x86_mov_ri32(&ctx->buf, jit_width(is64), JIT_TMP, (int32_t)((uint32_t)imm ^ key));
	x86_grp1_ri32(&ctx->buf, jit_width(is64), X86_GRP1_XOR, JIT_TMP, (int32_t)key);
	return (struct jit_src){.reg = JIT_TMP};
}

static struct jit_src jit_src_of(struct jit_ctx *ctx, size_t i, bool is64)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];

	if ((insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X)
		return (struct jit_src){.reg = jit_reg[insn->src_reg]};
	return jit_src_imm(ctx, i, insn->imm, is64);
}

/* Puts src in JIT_TMP (sign-extended imm for 64-bit, zero-extended 32). */
static void jit_src_to_tmp(struct jit_ctx *ctx, struct jit_src src, bool is64)
{
	if (src.is_imm)
		x86_mov_ri32(&ctx->buf, jit_width(is64), JIT_TMP, src.imm);
	else if (src.reg != JIT_TMP)
		x86_mov_rr(&ctx->buf, jit_width(is64), JIT_TMP, src.reg);
}

/* ---- ALU (RFC 9669 §4.1, §4.2) --------------------------------------- */

/* add/sub/or/and/xor: one table row per op (rm,reg opcode; group-1 /ext). */
struct jit_grp1_op {
	uint8_t bpf_op;
	uint8_t rm_r;
	uint8_t ext;
};

static const struct jit_grp1_op jit_grp1_ops[] = {
    {EBPF_ALU_ADD, X86_OP_ADD_RM_R, X86_GRP1_ADD}, {EBPF_ALU_SUB, X86_OP_SUB_RM_R, X86_GRP1_SUB},
    {EBPF_ALU_OR, X86_OP_OR_RM_R, X86_GRP1_OR},	   {EBPF_ALU_AND, X86_OP_AND_RM_R, X86_GRP1_AND},
    {EBPF_ALU_XOR, X86_OP_XOR_RM_R, X86_GRP1_XOR},
};

static void jit_emit_grp1(struct jit_ctx *ctx, const struct jit_grp1_op *op, bool is64, uint8_t dst,
			  struct jit_src src)
{
	if (src.is_imm)
		x86_grp1_ri(&ctx->buf, jit_width(is64), op->ext, dst, src.imm);
	else
		x86_rr(&ctx->buf, jit_width(is64), op->rm_r, src.reg, dst);
}

/*
 * §4.1: shift counts are masked to 63 (64-bit) or 31 (32-bit), which is
 * exactly what x86 shifts do with the count in cl. The count must be in
 * rcx, which is also BPF r4, so rcx is saved in JIT_TMP2 around it.
 */
static void jit_emit_shift(struct jit_ctx *ctx, uint8_t ext, bool is64, uint8_t dst,
			   struct jit_src src)
{
	struct x86_buf *b = &ctx->buf;
	unsigned int w = jit_width(is64);

	if (src.is_imm) {
		x86_rr(b, w, X86_OP_SHIFT_RM_IMM8, ext, dst);
		x86_u8(b, (uint8_t)(src.imm & (is64 ? EBPF_SHIFT_MASK_64 : EBPF_SHIFT_MASK_32)));
		return;
	}
	if (src.reg == X86_RCX) {
		x86_rr(b, w, X86_OP_SHIFT_RM_CL, ext, dst);
		return;
	}
	x86_mov_rr(b, X86_W, JIT_TMP2, X86_RCX);
	x86_mov_rr(b, X86_W, X86_RCX, src.reg);
	if (dst == X86_RCX) {
		/* the value to shift is the saved rcx; the result goes to rcx */
		x86_rr(b, w, X86_OP_SHIFT_RM_CL, ext, JIT_TMP2);
		x86_mov_rr(b, X86_W, X86_RCX, JIT_TMP2);
	} else {
		x86_rr(b, w, X86_OP_SHIFT_RM_CL, ext, dst);
		x86_mov_rr(b, X86_W, X86_RCX, JIT_TMP2);
	}
}

/*
 * §4.1 division and modulo: x / 0 = 0, x % 0 = x (32-bit: zero-extended),
 * and for the signed forms (offset 1) x / -1 = -x and x % -1 = 0, which
 * also covers INT_MIN / -1 without the #DE fault idiv would raise. The
 * divisor goes to JIT_TMP; rax and rdx (BPF r0 and r3) are saved in
 * JIT_TMP2/JIT_TMP3 unless they are the destination.
 */
static void jit_emit_divmod(struct jit_ctx *ctx, bool is_mod, bool is_signed, bool is64,
			    uint8_t dst, struct jit_src src)
{
	struct x86_buf *b = &ctx->buf;
	unsigned int w = jit_width(is64);
	size_t to_zero, to_minus_one = 0, to_done1, to_done2 = 0;

	jit_src_to_tmp(ctx, src, is64);
	x86_rr(b, w, X86_OP_TEST_RM_R, JIT_TMP, JIT_TMP);
	to_zero = x86_jcc_rel8_fixup(b, X86_CC_E);
	if (is_signed) {
		x86_grp1_ri(b, w, X86_GRP1_CMP, JIT_TMP, -1);
		to_minus_one = x86_jcc_rel8_fixup(b, X86_CC_E);
	}
	if (dst != X86_RAX)
		x86_mov_rr(b, X86_W, JIT_TMP2, X86_RAX);
	if (dst != X86_RDX)
		x86_mov_rr(b, X86_W, JIT_TMP3, X86_RDX);
	if (dst != X86_RAX)
		x86_mov_rr(b, w, X86_RAX, dst);
	if (is_signed) {
		x86_rex(b, w, 0, 0);
		x86_u8(b, X86_OP_CQO);
	} else {
		x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RDX, X86_RDX);
	}
	x86_rr(b, w, X86_OP_GRP3_RM, is_signed ? X86_GRP3_IDIV : X86_GRP3_DIV, JIT_TMP);
	/* div/idiv of 32 bits zero-extend eax and edx themselves */
	if (dst != (is_mod ? X86_RDX : X86_RAX))
		x86_mov_rr(b, w, dst, is_mod ? X86_RDX : X86_RAX);
	if (dst != X86_RAX)
		x86_mov_rr(b, X86_W, X86_RAX, JIT_TMP2);
	if (dst != X86_RDX)
		x86_mov_rr(b, X86_W, X86_RDX, JIT_TMP3);
	to_done1 = x86_jmp_rel8_fixup(b);

	x86_patch_rel8(b, to_zero, b->len);
	if (is_mod)
		x86_mov_rr(b, w, dst, dst); /* 32-bit: zero the upper half */
	else
		x86_rr(b, 0, X86_OP_XOR_RM_R, dst, dst);
	if (is_signed) {
		to_done2 = x86_jmp_rel8_fixup(b);
		x86_patch_rel8(b, to_minus_one, b->len);
		if (is_mod)
			x86_rr(b, 0, X86_OP_XOR_RM_R, dst, dst);
		else
			x86_rr(b, w, X86_OP_GRP3_RM, X86_GRP3_NEG, dst);
		x86_patch_rel8(b, to_done2, b->len);
	}
	x86_patch_rel8(b, to_done1, b->len);
}

/* §4.2 byte swaps. x86 is little-endian, so "to LE" only truncates. */
static void jit_emit_byteswap(struct jit_ctx *ctx, const struct ebpf_insn *insn, uint8_t dst)
{
	struct x86_buf *b = &ctx->buf;
	bool swap = jit_is_alu64(insn) || (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;

	switch (insn->imm) {
	case JIT_BSWAP_16:
		if (swap) {
			x86_u8(b, X86_PREFIX_OPSIZE);
			x86_rr(b, 0, X86_OP_SHIFT_RM_IMM8, X86_SHIFT_ROL, dst);
			x86_u8(b, JIT_ROL16_BY);
		}
		x86_rr(b, 0, X86_OP2_MOVZX_R_RM16, dst, dst);
		break;
	case JIT_BSWAP_32:
		if (swap)
			x86_op_plus_reg(b, 0, X86_OP2_BSWAP_R, dst);
		else
			x86_mov_rr(b, 0, dst, dst);
		break;
	default: /* 64, checked at load */
		if (swap)
			x86_op_plus_reg(b, X86_W, X86_OP2_BSWAP_R, dst);
		break;
	}
}

/* §4.1 MOV and MOVSX (offset 8/16/32 sign-extends the source's low bits). */
static void jit_emit_mov(struct jit_ctx *ctx, const struct ebpf_insn *insn, bool is64, uint8_t dst,
			 struct jit_src src)
{
	struct x86_buf *b = &ctx->buf;
	unsigned int w = jit_width(is64);

	if (src.is_imm) {
		/* the shortest form with the same 64-bit result */
		if (src.imm == 0)
			x86_rr(b, 0, X86_OP_XOR_RM_R, dst, dst);
		else if (src.imm > 0 || !is64)
			x86_mov_r32_imm(b, dst, (uint32_t)src.imm);
		else
			x86_mov_ri32(b, w, dst, src.imm);
		return;
	}
	switch (insn->offset) {
	case JIT_MOVSX_8:
		x86_rr(b, w | X86_BYTE_REG, X86_OP2_MOVSX_R_RM8, dst, src.reg);
		break;
	case JIT_MOVSX_16:
		x86_rr(b, w, X86_OP2_MOVSX_R_RM16, dst, src.reg);
		break;
	case 0:
		x86_mov_rr(b, w, dst, src.reg);
		break;
	default: /* 32, ALU64 only (checked at load) */
		x86_rr(b, X86_W, X86_OP_MOVSXD, dst, src.reg);
		break;
	}
}

static int jit_emit_alu(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	bool is64 = jit_is_alu64(insn);
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	uint8_t dst = jit_reg[insn->dst_reg];
	struct jit_src src;
	size_t k;

	if (op == EBPF_ALU_END) {
		jit_emit_byteswap(ctx, insn, dst);
		return 0;
	}
	if (op == EBPF_ALU_NEG) {
		x86_rr(b, jit_width(is64), X86_OP_GRP3_RM, X86_GRP3_NEG, dst);
		return 0;
	}
	src = jit_src_of(ctx, i, is64);
	for (k = 0; k < sizeof(jit_grp1_ops) / sizeof(jit_grp1_ops[0]); k++) {
		if (jit_grp1_ops[k].bpf_op == op) {
			jit_emit_grp1(ctx, &jit_grp1_ops[k], is64, dst, src);
			return 0;
		}
	}
	switch (op) {
	case EBPF_ALU_MOV:
		jit_emit_mov(ctx, insn, is64, dst, src);
		return 0;
	case EBPF_ALU_MUL:
		if (src.is_imm) {
			x86_rr(b, jit_width(is64), X86_OP_IMUL_R_RM_IMM32, dst, dst);
			x86_u32(b, (uint32_t)src.imm);
		} else {
			x86_rr(b, jit_width(is64), X86_OP2_IMUL_R_RM, dst, src.reg);
		}
		return 0;
	case EBPF_ALU_DIV:
	case EBPF_ALU_MOD:
		jit_emit_divmod(ctx, op == EBPF_ALU_MOD, insn->offset == JIT_OFFSET_SIGNED, is64,
				dst, src);
		return 0;
	case EBPF_ALU_LSH:
		jit_emit_shift(ctx, X86_SHIFT_SHL, is64, dst, src);
		return 0;
	case EBPF_ALU_RSH:
		jit_emit_shift(ctx, X86_SHIFT_SHR, is64, dst, src);
		return 0;
	case EBPF_ALU_ARSH:
		jit_emit_shift(ctx, X86_SHIFT_SAR, is64, dst, src);
		return 0;
	default:
		ebpf_log_printf(ctx->log, "insn %zu: JIT: unknown ALU opcode 0x%02x", i,
				insn->opcode);
		return -EINVAL;
	}
}

/* ---- jumps and calls (RFC 9669 §4.3) --------------------------------- */

struct jit_cond {
	uint8_t bpf_op;
	uint8_t cc;
};

static const struct jit_cond jit_conds[] = {
    {EBPF_JMP_JEQ, X86_CC_E},	{EBPF_JMP_JNE, X86_CC_NE},  {EBPF_JMP_JGT, X86_CC_A},
    {EBPF_JMP_JGE, X86_CC_AE},	{EBPF_JMP_JLT, X86_CC_B},   {EBPF_JMP_JLE, X86_CC_BE},
    {EBPF_JMP_JSGT, X86_CC_G},	{EBPF_JMP_JSGE, X86_CC_GE}, {EBPF_JMP_JSLT, X86_CC_L},
    {EBPF_JMP_JSLE, X86_CC_LE}, {EBPF_JMP_JSET, X86_CC_NE},
};

static int jit_emit_cond_jump(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	bool is64 = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_JMP;
	unsigned int w = jit_width(is64);
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	uint8_t dst = jit_reg[insn->dst_reg];
	struct jit_src src = jit_src_of(ctx, i, is64);
	size_t k;

	for (k = 0; k < sizeof(jit_conds) / sizeof(jit_conds[0]); k++) {
		if (jit_conds[k].bpf_op == op)
			break;
	}
	if (k == sizeof(jit_conds) / sizeof(jit_conds[0])) {
		ebpf_log_printf(ctx->log, "insn %zu: JIT: unknown jump opcode 0x%02x", i,
				insn->opcode);
		return -EINVAL;
	}
	if (op == EBPF_JMP_JSET) {
		if (src.is_imm) {
			x86_rr(b, w, X86_OP_GRP3_RM, X86_GRP3_TEST, dst);
			x86_u32(b, (uint32_t)src.imm);
		} else {
			x86_rr(b, w, X86_OP_TEST_RM_R, src.reg, dst);
		}
	} else if (src.is_imm) {
		x86_grp1_ri(b, w, X86_GRP1_CMP, dst, src.imm);
	} else {
		x86_rr(b, w, X86_OP_CMP_RM_R, src.reg, dst);
	}
	jit_emit_branch(ctx, i, jit_conds[k].cc, (size_t)ebpf_insn_jump_target(insn, i));
	return 0;
}

/* sub rsp, frame; abort if too deep; rbp = top of this frame's stack. */
void jit_emit_prologue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;

	x86_grp1_ri32(b, X86_W, X86_GRP1_SUB, X86_RSP, JIT_FRAME_SIZE);
	x86_rm(b, X86_W, X86_OP_LEA, JIT_TMP, JIT_STATE, JIT_DEEPEST_RSP);
	x86_rr(b, X86_W, X86_OP_CMP_RM_R, JIT_TMP, X86_RSP);
	jit_emit_jump_rel32(ctx, X86_CC_B, ctx->prev_off[ctx->prog->insn_count]);
	x86_rm(b, X86_W, X86_OP_LEA, jit_reg[EBPF_REG_FP], X86_RSP, EBPF_STACK_SIZE);
}

static void jit_emit_exit(struct jit_ctx *ctx)
{
	if (ctx->direct_entry) {
		jit_emit_direct_epilogue(ctx);
		return;
	}
	x86_grp1_ri32(&ctx->buf, X86_W, X86_GRP1_ADD, X86_RSP, JIT_FRAME_SIZE);
	x86_u8(&ctx->buf, X86_OP_RET);
}

/* Code offset of the function starting at insn target (its prologue). */
static uint32_t jit_function_entry(const struct jit_ctx *ctx, size_t target)
{
	return ctx->prev_off[target] - ctx->prologue_size;
}

static void jit_emit_local_call(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	uint32_t entry = jit_function_entry(ctx, (size_t)ebpf_insn_call_target(insn, i));
	size_t k;

	for (k = 0; k < JIT_LOCAL_CALL_SAVES; k++)
		x86_push(b, jit_local_call_saves[k]);
	x86_u8(b, X86_OP_CALL_REL32);
	x86_u32(b, (uint32_t)((int64_t)entry - (int64_t)(b->len + sizeof(uint32_t))));
	for (k = JIT_LOCAL_CALL_SAVES; k > 0; k--)
		x86_pop(b, jit_local_call_saves[k - 1]);
	/* the callee moved rbp to its own frame; ours is at a fixed rsp offset */
	x86_rm(b, X86_W, X86_OP_LEA, jit_reg[EBPF_REG_FP], X86_RSP, EBPF_STACK_SIZE);
}

/*
 * bpf_tail_call(ctx = r1, prog_array = r2, index = r3): see jit_x86_64.c's
 * opening comment for the rules. r0-r5 are kept intact when the call
 * falls through.
 */
static void jit_emit_tail_call(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;
	size_t to_skip1, to_skip2, to_interp, k;

	x86_rm(b, X86_W, X86_OP_GRP1_RM_IMM8, X86_GRP1_CMP, JIT_STATE,
	       offsetof(struct jit_run_state, tail_calls));
	x86_u8(b, EBPF_MAX_TAIL_CALLS);
	to_skip1 = x86_jcc_rel8_fixup(b, X86_CC_AE);

	for (k = 0; k < JIT_R0_TO_R5; k++)
		x86_push(b, jit_r0_to_r5[k]);
	x86_mov_rr(b, X86_W, X86_RDI, X86_RSI);
	x86_mov_rr(b, 0, X86_RSI, X86_RDX);
	jit_emit_call_abs(ctx, (uintptr_t)ebpf_prog_array_get);
	x86_mov_rr(b, X86_W, JIT_TMP, X86_RAX);
	for (k = JIT_R0_TO_R5; k > 0; k--)
		x86_pop(b, jit_r0_to_r5[k - 1]);
	x86_rr(b, X86_W, X86_OP_TEST_RM_R, JIT_TMP, JIT_TMP);
	to_skip2 = x86_jcc_rel8_fixup(b, X86_CC_E);

	x86_rm(b, X86_W, X86_OP_MOV_R_RM, JIT_TMP2, JIT_TMP, offsetof(struct ebpf_prog, jit_code));
	x86_rr(b, X86_W, X86_OP_TEST_RM_R, JIT_TMP2, JIT_TMP2);
	to_interp = x86_jcc_rel8_fixup(b, X86_CC_E);
	x86_rm(b, X86_W, X86_OP_GRP1_RM_IMM8, X86_GRP1_ADD, JIT_STATE,
	       offsetof(struct jit_run_state, tail_calls));
	x86_u8(b, 1);
	x86_grp1_ri32(b, X86_W, X86_GRP1_ADD, X86_RSP, JIT_FRAME_SIZE);
	x86_rr(b, 0, X86_OP_GRP5_RM, X86_GRP5_JMP, JIT_TMP2);

	/* r0 = ebpf_prog_run_interp(target, r1, entry ctx_len); exit */
	x86_patch_rel8(b, to_interp, b->len);
	x86_mov_rr(b, X86_W, X86_RSI, X86_RDI);
	x86_mov_rr(b, X86_W, X86_RDI, JIT_TMP);
	x86_rm(b, X86_W, X86_OP_MOV_R_RM, X86_RDX, JIT_STATE,
	       offsetof(struct jit_run_state, ctx_len));
	jit_emit_call_abs(ctx, (uintptr_t)ebpf_prog_run_interp);
	jit_emit_exit(ctx);

	x86_patch_rel8(b, to_skip1, b->len);
	x86_patch_rel8(b, to_skip2, b->len);
}

#define JIT_HASH_BUCKET_LOG2 4 /* log2(EBPF_HASH_BUCKET_SIZE) */
_Static_assert(EBPF_HASH_BUCKET_SIZE == 1 << JIT_HASH_BUCKET_LOG2, "bucket size");

/*
 * bpf_map_lookup_elem(map, r2) for a map known at this call: its own lookup
 * function, skipping the helper and the per-type dispatch; for a hash map
 * with 4- or 8-byte keys, first the common case inline (a key that heads
 * its bucket: see struct ebpf_map_inline_hash), which needs no call. The
 * inline path uses only registers a helper call clobbers (r0, r3, r4) and
 * JIT_TMP, and leaves r1 and r2 for the call it falls back to.
 */
static void jit_emit_map_lookup(struct jit_ctx *ctx, struct ebpf_map *map)
{
	const uint8_t key = jit_reg[EBPF_REG_R3], head = jit_reg[EBPF_REG_R4];
	const uint8_t bucket = jit_reg[EBPF_REG_R0], key_ptr = jit_reg[EBPF_REG_R2];
	struct ebpf_map_inline_hash ih;
	struct x86_buf *b = &ctx->buf;
	size_t to_call_nil, to_call_other, to_done;

	if (!ebpf_map_get_inline_hash(map, &ih)) {
		jit_emit_call_abs(ctx, (uintptr_t)ebpf_map_get_prog_lookup(map));
		return;
	}
	/* key, zero-extended (a 32-bit load clears the upper half); its hash */
	x86_rm(b, ih.key_size == sizeof(uint64_t) ? X86_W : 0, X86_OP_MOV_R_RM, key, key_ptr, 0);
	x86_mov_rr(b, X86_W, bucket, key);
	x86_grp1_ri(b, X86_W, X86_GRP1_XOR, bucket, (int32_t)ih.key_size);
	x86_mov_ri64(b, JIT_TMP, EBPF_HASH_MULTIPLIER);
	x86_rr(b, X86_W, X86_OP2_IMUL_R_RM, bucket, JIT_TMP);
	x86_rr(b, X86_W, X86_OP_SHIFT_RM_IMM8, X86_SHIFT_SHR, bucket);
	x86_u8(b, EBPF_HASH_SHIFT);
	/* its bucket */
	x86_grp1_ri32(b, 0, X86_GRP1_AND, bucket, (int32_t)ih.bucket_mask);
	x86_rr(b, X86_W, X86_OP_SHIFT_RM_IMM8, X86_SHIFT_SHL, bucket);
	x86_u8(b, JIT_HASH_BUCKET_LOG2);
	x86_mov_ri64(b, JIT_TMP, (uintptr_t)ih.buckets);
	x86_rr(b, X86_W, X86_OP_ADD_RM_R, JIT_TMP, bucket);
	/* a head that holds the key: r0 = its value */
	x86_rm(b, 0, X86_OP_MOV_R_RM, head, bucket, EBPF_HASH_BUCKET_HEAD);
	x86_grp1_ri(b, 0, X86_GRP1_CMP, head, (int32_t)EBPF_HASH_NIL);
	to_call_nil = x86_jcc_rel8_fixup(b, X86_CC_E);
	x86_rm(b, X86_W, X86_OP_CMP_RM_R, key, bucket, EBPF_HASH_BUCKET_HEAD_KEY);
	to_call_other = x86_jcc_rel8_fixup(b, X86_CC_NE);
	x86_mov_ri64(b, bucket, (uintptr_t)ih.values);
	x86_rr(b, X86_W, X86_OP_ADD_RM_R, head, bucket);
	to_done = x86_jmp_rel8_fixup(b);
	/* a miss or a collision: the map's lookup walks the chain */
	x86_patch_rel8(b, to_call_nil, b->len);
	x86_patch_rel8(b, to_call_other, b->len);
	jit_emit_call_abs(ctx, (uintptr_t)ebpf_map_get_prog_lookup(map));
	x86_patch_rel8(b, to_done, b->len);
}

static int jit_emit_call(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	const struct ebpf_helper *helper;

	if (ebpf_insn_is_local_call(insn)) {
		jit_emit_local_call(ctx, i);
		return 0;
	}
	if (insn->imm == EBPF_FUNC_TAIL_CALL) {
		jit_emit_tail_call(ctx);
		return 0;
	}
	helper = ebpf_helper_find(insn->imm);
	if (!helper || !helper->fn) {
		ebpf_log_printf(ctx->log, "insn %zu: JIT: no implementation of helper %d", i,
				insn->imm);
		return -EINVAL;
	}
	if (insn->imm == EBPF_FUNC_MAP_LOOKUP_ELEM && ctx->peepholes.lookup_map &&
	    ctx->peepholes.lookup_map[i]) {
		jit_emit_map_lookup(ctx, ctx->peepholes.lookup_map[i]);
		return 0;
	}
	jit_emit_call_abs(ctx, (uintptr_t)helper->fn);
	return 0;
}

static int jit_emit_jmp(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];

	switch (insn->opcode) {
	case EBPF_OP_JA:
	case EBPF_OP_JA32:
		jit_emit_branch(ctx, i, -1, (size_t)ebpf_insn_jump_target(insn, i));
		return 0;
	case EBPF_OP_CALL:
		return jit_emit_call(ctx, i);
	case EBPF_OP_EXIT:
		jit_emit_exit(ctx);
		return 0;
	default:
		return jit_emit_cond_jump(ctx, i);
	}
}

/* ---- loads and stores (RFC 9669 §5) ---------------------------------- */

/* mov [base + off], reg of the given width. */
static void jit_emit_store_reg(struct jit_ctx *ctx, uint8_t bytes, uint8_t base, int16_t off,
			       uint8_t reg)
{
	struct x86_buf *b = &ctx->buf;

	switch (bytes) {
	case 1:
		x86_rm(b, X86_BYTE_REG, X86_OP_MOV_RM8_R8, reg, base, off);
		break;
	case 2:
		x86_u8(b, X86_PREFIX_OPSIZE);
		x86_rm(b, 0, X86_OP_MOV_RM_R, reg, base, off);
		break;
	default:
		x86_rm(b, bytes == 8 ? X86_W : 0, X86_OP_MOV_RM_R, reg, base, off);
		break;
	}
}

static void jit_emit_store_imm(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	uint8_t bytes = (uint8_t)ebpf_insn_access_bytes(insn);
	uint8_t base = jit_reg[insn->dst_reg];
	struct jit_src src = jit_src_imm(ctx, i, insn->imm, bytes == 8);

	if (!src.is_imm) {
		jit_emit_store_reg(ctx, bytes, base, insn->offset, src.reg);
		return;
	}
	switch (bytes) {
	case 1:
		x86_rm(b, 0, X86_OP_MOV_RM8_IMM8, 0, base, insn->offset);
		x86_u8(b, (uint8_t)src.imm);
		break;
	case 2:
		x86_u8(b, X86_PREFIX_OPSIZE);
		x86_rm(b, 0, X86_OP_MOV_RM_IMM32, 0, base, insn->offset);
		x86_le(b, (uint16_t)src.imm, sizeof(uint16_t));
		break;
	default: /* §5.1: the 64-bit store sign-extends imm */
		x86_rm(b, bytes == 8 ? X86_W : 0, X86_OP_MOV_RM_IMM32, 0, base, insn->offset);
		x86_u32(b, (uint32_t)src.imm);
		break;
	}
}

/* LDX: zero-extending (MEM) or sign-extending (MEMSX) loads. */
static void jit_emit_load(struct jit_ctx *ctx, const struct ebpf_insn *insn)
{
	static const uint16_t zero_ext[] = {[1] = X86_OP2_MOVZX_R_RM8,
					    [2] = X86_OP2_MOVZX_R_RM16,
					    [4] = X86_OP_MOV_R_RM,
					    [8] = X86_OP_MOV_R_RM};
	static const uint16_t sign_ext[] = {
	    [1] = X86_OP2_MOVSX_R_RM8, [2] = X86_OP2_MOVSX_R_RM16, [4] = X86_OP_MOVSXD};
	uint8_t bytes = (uint8_t)ebpf_insn_access_bytes(insn);
	bool sx = (insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_MEMSX;
	unsigned int w = (sx || bytes == 8) ? X86_W : 0;

	x86_rm(&ctx->buf, w, sx ? sign_ext[bytes] : zero_ext[bytes], jit_reg[insn->dst_reg],
	       jit_reg[insn->src_reg], insn->offset);
}

/*
 * §5.3 atomics. Plain add/or/and/xor use lock-prefixed ALU ops; fetch-add
 * is lock xadd; fetch-or/and/xor loop on lock cmpxchg (which needs rax =
 * BPF r0, saved in JIT_TMP2); xchg is implicitly locked. In every fetch
 * form src receives the old value (zero-extended for 32-bit), and for
 * cmpxchg r0 does, zero-extended in both outcomes.
 */
static int jit_emit_atomic(struct jit_ctx *ctx, size_t i)
{
	static const struct {
		uint8_t op;
		uint8_t rm_r;
	} plain[] = {{EBPF_ATOMIC_ADD, X86_OP_ADD_RM_R},
		     {EBPF_ATOMIC_OR, X86_OP_OR_RM_R},
		     {EBPF_ATOMIC_AND, X86_OP_AND_RM_R},
		     {EBPF_ATOMIC_XOR, X86_OP_XOR_RM_R}};
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	bool is64 = (uint8_t)ebpf_insn_access_bytes(insn) == 8;
	unsigned int w = jit_width(is64);
	uint8_t base = jit_reg[insn->dst_reg];
	uint8_t src = jit_reg[insn->src_reg];
	uint8_t op = (uint8_t)insn->imm & ~EBPF_ATOMIC_FETCH;
	uint8_t operand, rm_r = 0;
	size_t k, retry;

	for (k = 0; k < sizeof(plain) / sizeof(plain[0]); k++) {
		if (plain[k].op == op)
			rm_r = plain[k].rm_r;
	}
	if (insn->imm == EBPF_ATOMIC_XCHG) {
		x86_rm(b, w, X86_OP_XCHG_RM_R, src, base, insn->offset);
		return 0;
	}
	if (insn->imm == EBPF_ATOMIC_CMPXCHG) {
		x86_u8(b, X86_PREFIX_LOCK);
		x86_rm(b, w, X86_OP2_CMPXCHG_RM_R, src, base, insn->offset);
		if (!is64)
			x86_mov_rr(b, 0, X86_RAX, X86_RAX);
		return 0;
	}
	if (!rm_r) {
		ebpf_log_printf(ctx->log, "insn %zu: JIT: unknown atomic operation 0x%x", i,
				(uint32_t)insn->imm);
		return -EINVAL;
	}
	if (!(insn->imm & EBPF_ATOMIC_FETCH)) {
		x86_u8(b, X86_PREFIX_LOCK);
		x86_rm(b, w, rm_r, src, base, insn->offset);
		return 0;
	}
	if (op == EBPF_ATOMIC_ADD) {
		x86_u8(b, X86_PREFIX_LOCK);
		x86_rm(b, w, X86_OP2_XADD_RM_R, src, base, insn->offset);
		return 0;
	}
	/* the address and the operand must survive rax changing */
	x86_mov_rr(b, X86_W, JIT_TMP3, base);
	x86_mov_rr(b, X86_W, JIT_TMP2, X86_RAX);
	operand = src == X86_RAX ? JIT_TMP2 : src;
	x86_rm(b, w, X86_OP_MOV_R_RM, X86_RAX, JIT_TMP3, insn->offset);
	retry = b->len;
	x86_mov_rr(b, w, JIT_TMP, X86_RAX);
	x86_rr(b, w, rm_r, operand, JIT_TMP);
	x86_u8(b, X86_PREFIX_LOCK);
	x86_rm(b, w, X86_OP2_CMPXCHG_RM_R, JIT_TMP, JIT_TMP3, insn->offset);
	x86_patch_rel8(b, x86_jcc_rel8_fixup(b, X86_CC_NE), retry);
	x86_mov_rr(b, w, src, X86_RAX);
	if (src != X86_RAX)
		x86_mov_rr(b, X86_W, X86_RAX, JIT_TMP2);
	return 0;
}

/* lddw (§5.4): map references were already turned into addresses. */
static void jit_emit_lddw(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	uint8_t dst = jit_reg[insn->dst_reg];
	uint64_t value = ebpf_insn_lddw_imm64(insn);

	if (ebpf_insn_is_func_ref(insn))
		value = (uintptr_t)&ctx->callbacks[ebpf_prog_subprog_index(
		    ctx->prog, (uint32_t)ebpf_insn_call_target(insn, i))];

	if (ctx->blind_key) {
		x86_mov_ri64(b, dst, value ^ ctx->blind_key[i]);
		x86_mov_ri64(b, JIT_TMP, ctx->blind_key[i]);
		x86_rr(b, X86_W, X86_OP_XOR_RM_R, JIT_TMP, dst);
	} else if (value <= UINT32_MAX) {
		x86_mov_r32_imm(b, dst, (uint32_t)value);
	} else if (x86_fits_s32((int64_t)value)) {
		x86_mov_ri32(b, X86_W, dst, (int32_t)value);
	} else {
		x86_mov_ri64(b, dst, value);
	}
}

/*
 * LD_ABS / LD_IND (§5.5): r0 = the big-endian packet bytes at imm (+ src,
 * 32-bit), through jit_load_packet; out of bounds aborts with r0 = 0.
 * r1-r5 are preserved (the call clobbers their x86 registers).
 */
static void jit_emit_legacy_load(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	struct x86_buf *b = &ctx->buf;
	struct jit_src imm = jit_src_imm(ctx, i, insn->imm, false);
	size_t k;

	/* r1-r5 plus r0's slot, which the result overwrites anyway */
	for (k = 1; k < JIT_R0_TO_R5; k++)
		x86_push(b, jit_r0_to_r5[k]);
	x86_push(b, X86_RAX);
	if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_IND)
		x86_mov_rr(b, 0, JIT_TMP2, jit_reg[insn->src_reg]);
	else
		x86_rr(b, 0, X86_OP_XOR_RM_R, JIT_TMP2, JIT_TMP2);
	if (imm.is_imm)
		x86_grp1_ri(b, 0, X86_GRP1_ADD, JIT_TMP2, imm.imm);
	else
		x86_rr(b, 0, X86_OP_ADD_RM_R, imm.reg, JIT_TMP2);
	x86_mov_rr(b, X86_W, X86_RDI, JIT_STATE);
	x86_mov_rr(b, 0, X86_RSI, JIT_TMP2);
	x86_mov_ri32(b, 0, X86_RDX, (uint8_t)ebpf_insn_access_bytes(insn));
	x86_mov_ri32(b, 0, X86_RCX, (int32_t)ctx->prog->type);
	jit_emit_call_abs(ctx, (uintptr_t)jit_load_packet);
	x86_pop(b, JIT_TMP);
	for (k = JIT_R0_TO_R5; k > 1; k--)
		x86_pop(b, jit_r0_to_r5[k - 1]);
	x86_rr(b, X86_W, X86_OP_TEST_RM_R, X86_RAX, X86_RAX);
	jit_emit_jump_rel32(ctx, X86_CC_S, ctx->prev_off[ctx->prog->insn_count]);
}

int jit_emit_insn(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];

	switch (insn->opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		return jit_emit_alu(ctx, i);
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		return jit_emit_jmp(ctx, i);
	case EBPF_CLS_LD:
		if (insn->opcode == EBPF_OP_LDDW)
			jit_emit_lddw(ctx, i);
		else
			jit_emit_legacy_load(ctx, i);
		return 0;
	case EBPF_CLS_LDX:
		jit_emit_load(ctx, insn);
		return 0;
	case EBPF_CLS_ST:
		jit_emit_store_imm(ctx, i);
		return 0;
	default: /* EBPF_CLS_STX */
		if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_ATOMIC)
			return jit_emit_atomic(ctx, i);
		jit_emit_store_reg(ctx, (uint8_t)ebpf_insn_access_bytes(insn),
				   jit_reg[insn->dst_reg], insn->offset, jit_reg[insn->src_reg]);
		return 0;
	}
}

/* ---- rotates --------------------------------------------------------- */

/* rol h32, 32 - k for the idiom at insn i (jit_analysis.h); returns its last insn. */
size_t jit_emit_rotate(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	size_t k;

	x86_rr(&ctx->buf, 0, X86_OP_SHIFT_RM_IMM8, X86_SHIFT_ROL, jit_reg[insn[0].src_reg]);
	x86_u8(&ctx->buf, (uint8_t)insn[3].imm);
	for (k = 1; k < JIT_ROTATE_INSNS; k++)
		ctx->off[i + k] = (uint32_t)ctx->buf.len;
	return i + JIT_ROTATE_INSNS - 1;
}
