/*
 * x86-64 JIT: translates a loaded program into native code with the same
 * results as the interpreter (RFC 9669 semantics, bit for bit).
 *
 * Register mapping. BPF registers live in x86 registers for the whole run,
 * chosen so that a helper call needs no shuffling (r1-r5 are the SysV
 * argument registers in order, r0 is the return register, r6-r9 and r10
 * are callee-saved):
 *   r0 rax   r1 rdi   r2 rsi   r3 rdx   r4 rcx   r5 r8
 *   r6 rbx   r7 r13   r8 r14   r9 r15   r10 rbp
 * r9-r11 are scratch (immediates, divisors, saved rax/rcx/rdx); r12 points
 * at the run state (struct jit_run_state) for the whole run.
 *
 * Two entries. Most programs (no local calls, tail calls or legacy
 * loads) are entered directly from C at offset 0: rdi (ctx) is already
 * r1 and rsi (ctx_len) r2, so the entry only pushes the callee-saved
 * registers the program touches, reserves the stack if r10 appears, and
 * zeroes the registers some path may read before writing (a forward
 * dataflow, jit_find_uninit_reads; the interpreter starts them at 0);
 * exit undoes that and returns to C (see "the direct entry" below).
 * "return 2" is just "mov eax, 2; ret". Every other program gets the
 * general layout:
 *
 * Code layout:
 *   [function 0 = main][function 1]...   one per bpf-to-bpf call target
 *   [entry trampoline][trampoline exit][abort]
 * Each function starts with the same prologue: sub rsp, frame; a call
 * depth check; rbp = top of its own 512-byte stack (RFC 9669 §2.3: each
 * bpf-to-bpf frame has its own stack). exit is "add rsp, frame; ret".
 * The trampoline is what C calls (prog->jit_entry): it saves the SysV
 * callee-saved registers, sets up the run state, and calls function 0.
 *
 * Local calls (call src=1) save r6-r9 around a native call, so the
 * callee may use them freely and the caller sees them preserved; r10 is
 * recomputed from rsp on return. Because every frame has the same size,
 * the call depth is a function of rsp: the prologue aborts the program
 * (r0 = 0) when a call would be the (EBPF_MAX_CALL_DEPTH + 1)th frame.
 * The verifier rejects such programs; the check keeps an unverified
 * runaway recursion from overflowing the native stack.
 *
 * Tail calls (helper 12): the current function's frame is dropped and
 * control jumps to offset 0 of the target's JIT code (its main function),
 * so the target returns to the current function's caller, as in Linux.
 * A target with the direct entry is entered as if from C, which it
 * allows: it saves what it uses and needs no run state.
 * The count lives in the run state and is shared along the chain; at
 * EBPF_MAX_TAIL_CALLS, or for an empty slot, execution continues at the
 * next instruction with every register unchanged. Rule for targets that
 * were not JIT-compiled: they run in the interpreter, from r1 = ctx (the
 * only register a tail-called program may read, as in Linux) and with a
 * fresh tail call budget, and their r0 becomes the result of the
 * tail-calling function. Results are then those of an all-interpreted
 * chain for verified programs whose chains stay under
 * EBPF_MAX_TAIL_CALLS; JIT every program of a prog array (as Linux
 * requires) for exact limits.
 *
 * Helper calls clobber r1-r5, which the calling convention makes scratch
 * registers (the verifier forbids reading them after a call; the
 * interpreter happens to keep them). Legacy packet loads (§5.5) go
 * through a C function and preserve r1-r5.
 *
 * One peephole: clang's five-instruction 32-bit rotate becomes one rol
 * when a "demanded bits" dataflow shows nothing reads what differs (see
 * jit_analysis.h); it runs on direct-entry programs, never on blinded code.
 *
 * The analyses behind these choices (registers read before written,
 * constants, demanded bits) are in jit_analysis.c: they read only the
 * instructions. This file writes the code.
 *
 * Branches use rel8 where the target is near: layout passes repeat until
 * the instruction offsets stop changing (a branch made long stays long,
 * so lengths only grow and the passes converge). Then the code is written
 * once into memory from exec_alloc and sealed read+execute.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"
#include "insn.h"
#include "jit_analysis.h"
#include "x86_64_emit.h"

/* BPF register → x86 register (see the table above). */
static const uint8_t jit_reg[EBPF_NUM_REGS] = {
    X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
    X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

#define JIT_TMP	  X86_R11 /* immediates, divisors */
#define JIT_TMP2  X86_R10 /* saved rax/rcx; address copy */
#define JIT_TMP3  X86_R9  /* saved rdx */
#define JIT_STATE X86_R12 /* struct jit_run_state * */

/* Per-run state, on the native stack below the trampoline's saves. */
struct jit_run_state {
	uint64_t tail_calls;
	void *ctx; /* r1 at entry: describes the packet for LD_ABS/LD_IND */
	uint64_t ctx_len;
};

#define JIT_SLOT 8
/* SysV callee-saved registers, pushed by the trampoline. */
static const uint8_t jit_saved_regs[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};
#define JIT_SAVED_REGS (sizeof(jit_saved_regs) / sizeof(jit_saved_regs[0]))
/* BPF r6-r9, saved around a local call. */
static const uint8_t jit_local_call_saves[] = {X86_RBX, X86_R13, X86_R14, X86_R15};
#define JIT_LOCAL_CALL_SAVES (sizeof(jit_local_call_saves) / sizeof(jit_local_call_saves[0]))
/* BPF r0-r5: saved around the tail call's lookup. */
static const uint8_t jit_r0_to_r5[] = {X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8};
#define JIT_R0_TO_R5 (sizeof(jit_r0_to_r5) / sizeof(jit_r0_to_r5[0]))

/*
 * rsp must be 16-byte aligned at every call out of JIT code (SysV ABI).
 * A C call leaves rsp ≡ 8 (mod 16) at the trampoline; its saves plus the
 * run state bring it back to 0; the call into function 0 makes it 8, and
 * the frame (stack + one pad slot) makes it 0 again inside functions.
 * A local call pushes an even number of registers, so the same holds in
 * every frame.
 */
#define JIT_FRAME_SIZE	    (EBPF_STACK_SIZE + JIT_SLOT)
#define JIT_CALL_FRAME_SIZE (JIT_LOCAL_CALL_SAVES * JIT_SLOT + JIT_SLOT + JIT_FRAME_SIZE)
_Static_assert((JIT_SLOT + JIT_SAVED_REGS * JIT_SLOT + sizeof(struct jit_run_state)) % 16 == 0,
	       "trampoline must leave rsp 16-byte aligned");
_Static_assert((JIT_SLOT + JIT_FRAME_SIZE) % 16 == 0, "frame must keep rsp aligned");
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

#define JIT_MAX_LAYOUT_PASSES 16

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

struct jit_ctx {
	const struct ebpf_prog *prog;
	struct x86_buf buf;
	/* off[i]: code offset of insn i (after a function prologue); off[n]: abort. */
	uint32_t *off;
	uint32_t *prev_off;  /* the previous pass's off[], used for branch targets */
	bool *long_branch;   /* sticky: insn i's branch needs rel32 */
	bool layout_known;   /* prev_off holds a previous pass's offsets */
	uint64_t *blind_key; /* per insn, when blinding constants; else NULL */
	uint32_t prologue_size;
	uint32_t entry_off;
	struct ebpf_log *log;
	/* direct entry (see jit_plan_direct_entry); all unused otherwise */
	bool direct_entry;
	uint8_t direct_saves[JIT_SAVED_REGS];
	size_t direct_save_count;
	uint32_t direct_frame;		/* bytes below the saves: stack and alignment pad */
	bool direct_uses_fp;		/* rbp = r10 is set up */
	uint16_t zero_at_entry;		/* BPF registers that may be read before written */
	struct jit_peepholes peepholes; /* direct entry only (jit_find_peepholes) */
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

	if (info->legacy_packet)
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

static void jit_emit_direct_epilogue(struct jit_ctx *ctx);

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
 * bpf_tail_call(ctx = r1, prog_array = r2, index = r3): see the file
 * comment for the rules. r0-r5 are kept intact when the call falls through.
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

static int jit_emit_insn(struct jit_ctx *ctx, size_t i)
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

/* ---- the direct entry ------------------------------------------------ */

/*
 * Most programs (no local calls, no tail calls, no legacy loads) need
 * none of the run state, the call depth check or the fixed frames, so
 * their main function is entered directly from C: rdi (ctx) already is
 * r1 and rsi (ctx_len) r2. The entry saves only the callee-saved x86
 * registers the program touches, reserves the 512-byte stack only when
 * r10 appears, and zeroes only the registers that some path may read
 * before writing them (jit_find_uninit_reads; the interpreter starts
 * them at 0; a verified program never reads them, but an unverified one
 * gets the same result on both engines). exit undoes the entry and
 * returns to C.
 */

/*
 * Decides whether the program gets the direct entry and, if so, what it
 * saves, reserves and zeroes.
 */
static int jit_plan_direct_entry(struct jit_ctx *ctx)
{
	static const uint8_t saved_bpf_regs[] = {6, 7, 8, 9, EBPF_REG_FP};
	const struct ebpf_prog *prog = ctx->prog;
	uint16_t used, written, entry_defined;
	bool calls_out = false;
	size_t i, k;
	int err;

	for (i = 0; i < prog->insn_count; i += ebpf_insn_slots(&prog->insns[i])) {
		const struct ebpf_insn *insn = &prog->insns[i];
		uint8_t cls = insn->opcode & EBPF_CLS_MASK;

		if (ebpf_insn_is_local_call(insn) ||
		    (insn->opcode == EBPF_OP_CALL && insn->imm == EBPF_FUNC_TAIL_CALL))
			return 0;
		if (cls == EBPF_CLS_LD && insn->opcode != EBPF_OP_LDDW)
			return 0;
		calls_out |= insn->opcode == EBPF_OP_CALL;
	}
	entry_defined = JIT_REG_BIT(EBPF_REG_R1) | JIT_REG_BIT(EBPF_REG_FP);
	if (prog->type_info->ctx_len_in_r2)
		entry_defined |= JIT_REG_BIT(EBPF_REG_R1 + 1);
	err = jit_find_uninit_reads(prog, entry_defined, &ctx->zero_at_entry, &used);
	if (err)
		return err;

	ctx->direct_entry = true;
	ctx->direct_save_count = 0;
	/* the C caller's registers: the body writes what it names, the entry what it zeroes */
	written = used | ctx->zero_at_entry;
	for (k = 0; k < sizeof(saved_bpf_regs); k++) {
		if (written & JIT_REG_BIT(saved_bpf_regs[k]))
			ctx->direct_saves[ctx->direct_save_count++] = jit_reg[saved_bpf_regs[k]];
	}
	ctx->direct_uses_fp = used & JIT_REG_BIT(EBPF_REG_FP);
	/* the same frame as a full function's: a store just above r10 hits the pad */
	ctx->direct_frame = ctx->direct_uses_fp ? JIT_FRAME_SIZE : 0;
	/* SysV: rsp ≡ 8 (mod 16) at entry, 0 at a call out of JIT code */
	if (calls_out && (ctx->direct_save_count * JIT_SLOT + ctx->direct_frame) % 16 == 0)
		ctx->direct_frame += JIT_SLOT;
	return 0;
}

static void jit_emit_direct_prologue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;
	uint8_t r;
	size_t k;

	for (k = 0; k < ctx->direct_save_count; k++)
		x86_push(b, ctx->direct_saves[k]);
	if (ctx->direct_frame)
		x86_grp1_ri32(b, X86_W, X86_GRP1_SUB, X86_RSP, (int32_t)ctx->direct_frame);
	if (ctx->direct_uses_fp)
		x86_rm(b, X86_W, X86_OP_LEA, jit_reg[EBPF_REG_FP], X86_RSP, EBPF_STACK_SIZE);
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if (ctx->zero_at_entry & JIT_REG_BIT(r))
			x86_rr(b, 0, X86_OP_XOR_RM_R, jit_reg[r], jit_reg[r]);
	}
}

static void jit_emit_direct_epilogue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;
	size_t k;

	if (ctx->direct_frame)
		x86_grp1_ri32(b, X86_W, X86_GRP1_ADD, X86_RSP, (int32_t)ctx->direct_frame);
	for (k = ctx->direct_save_count; k > 0; k--)
		x86_pop(b, ctx->direct_saves[k - 1]);
	x86_u8(b, X86_OP_RET);
}

/* ---- rotates --------------------------------------------------------- */

/* rol h32, 32 - k for the idiom at insn i (jit_analysis.h); returns its last insn. */
static size_t jit_emit_rotate(struct jit_ctx *ctx, size_t i)
{
	const struct ebpf_insn *insn = &ctx->prog->insns[i];
	size_t k;

	x86_rr(&ctx->buf, 0, X86_OP_SHIFT_RM_IMM8, X86_SHIFT_ROL, jit_reg[insn[0].src_reg]);
	x86_u8(&ctx->buf, (uint8_t)insn[3].imm);
	for (k = 1; k < JIT_ROTATE_INSNS; k++)
		ctx->off[i + k] = (uint32_t)ctx->buf.len;
	return i + JIT_ROTATE_INSNS - 1;
}

/* ---- functions, trampoline, passes ----------------------------------- */

/* sub rsp, frame; abort if too deep; rbp = top of this frame's stack. */
static void jit_emit_prologue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;

	x86_grp1_ri32(b, X86_W, X86_GRP1_SUB, X86_RSP, JIT_FRAME_SIZE);
	x86_rm(b, X86_W, X86_OP_LEA, JIT_TMP, JIT_STATE, JIT_DEEPEST_RSP);
	x86_rr(b, X86_W, X86_OP_CMP_RM_R, JIT_TMP, X86_RSP);
	jit_emit_jump_rel32(ctx, X86_CC_B, ctx->prev_off[ctx->prog->insn_count]);
	x86_rm(b, X86_W, X86_OP_LEA, jit_reg[EBPF_REG_FP], X86_RSP, EBPF_STACK_SIZE);
}

/*
 * entry(ctx, ctx_len): save the SysV callee-saved registers, build the
 * run state, set the registers as the interpreter does (r1 = ctx, r2 =
 * ctx_len for types with ctx_len_in_r2, every other one 0), call function 0.
 * The abort path returns 0 from any depth by resetting rsp to the state.
 */
static void jit_emit_trampoline(struct jit_ctx *ctx)
{
	static const uint8_t zeroed[] = {X86_RAX, X86_RDX, X86_RCX, X86_R8,
					 X86_RBX, X86_R13, X86_R14, X86_R15};
	struct x86_buf *b = &ctx->buf;
	size_t k, exit_off;

	ctx->entry_off = (uint32_t)b->len;
	for (k = 0; k < JIT_SAVED_REGS; k++)
		x86_push(b, jit_saved_regs[k]);
	x86_grp1_ri(b, X86_W, X86_GRP1_SUB, X86_RSP, sizeof(struct jit_run_state));
	x86_mov_rr(b, X86_W, JIT_STATE, X86_RSP);
	x86_rm(b, X86_W, X86_OP_MOV_RM_IMM32, 0, JIT_STATE,
	       offsetof(struct jit_run_state, tail_calls));
	x86_u32(b, 0);
	x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RDI, JIT_STATE, offsetof(struct jit_run_state, ctx));
	x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RSI, JIT_STATE,
	       offsetof(struct jit_run_state, ctx_len));
	for (k = 0; k < sizeof(zeroed); k++)
		x86_rr(b, 0, X86_OP_XOR_RM_R, zeroed[k], zeroed[k]);
	if (!ctx->prog->type_info->ctx_len_in_r2)
		x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RSI, X86_RSI);
	x86_u8(b, X86_OP_CALL_REL32);
	x86_u32(b, (uint32_t)(0 - (int64_t)(b->len + sizeof(uint32_t))));

	exit_off = b->len;
	x86_grp1_ri(b, X86_W, X86_GRP1_ADD, X86_RSP, sizeof(struct jit_run_state));
	for (k = JIT_SAVED_REGS; k > 0; k--)
		x86_pop(b, jit_saved_regs[k - 1]);
	x86_u8(b, X86_OP_RET);

	ctx->off[ctx->prog->insn_count] = (uint32_t)b->len;
	x86_mov_rr(b, X86_W, X86_RSP, JIT_STATE);
	x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RAX, X86_RAX);
	x86_patch_rel8(b, x86_jmp_rel8_fixup(b), exit_off);
}

/*
 * Whether insn i begins a function (prog->subprog_start), with *func the
 * index of the first start not before the previous i asked about.
 */
static bool jit_starts_function(const struct ebpf_prog *prog, size_t *func, size_t i)
{
	while (*func < prog->subprog_count && prog->subprog_start[*func] < i)
		(*func)++;
	return *func < prog->subprog_count && prog->subprog_start[*func] == i;
}

static int jit_emit_program(struct jit_ctx *ctx)
{
	size_t n = ctx->prog->insn_count;
	size_t i, func = 0;
	int err;

	ctx->buf.len = 0;
	for (i = 0; i < n; i++) {
		bool starts_function = jit_starts_function(ctx->prog, &func, i);

		if (ctx->direct_entry && i == 0) {
			jit_emit_direct_prologue(ctx);
		} else if (starts_function) {
			size_t start = ctx->buf.len;

			jit_emit_prologue(ctx);
			ctx->prologue_size = (uint32_t)(ctx->buf.len - start);
		}
		ctx->off[i] = (uint32_t)ctx->buf.len;
		if (ctx->peepholes.rotate_at && ctx->peepholes.rotate_at[i]) {
			i = jit_emit_rotate(ctx, i);
			continue;
		}
		err = jit_emit_insn(ctx, i);
		if (err)
			return err;
		if (ctx->prog->insns[i].opcode == EBPF_OP_LDDW)
			ctx->off[++i] = (uint32_t)ctx->buf.len;
	}
	if (ctx->direct_entry)
		ctx->off[n] = (uint32_t)ctx->buf.len; /* nothing aborts */
	else
		jit_emit_trampoline(ctx);
	return 0;
}

/*
 * splitmix64 (Steele, Lea, Flood 2014): one 64-bit platform seed makes
 * every key of a compilation, which costs two random_u32 calls instead of
 * two per instruction (a host's random_u32 is a system call). The keys
 * are as unpredictable as the seed to whoever cannot read the code.
 */
static uint64_t jit_next_key(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int jit_make_blind_keys(struct jit_ctx *ctx, const struct ebpf_platform *platform)
{
	uint64_t state;
	size_t i;

	if (!platform->random_u32) {
		ebpf_log_printf(ctx->log, "JIT: constant blinding needs the platform's random_u32");
		return -ENOTSUP;
	}
	ctx->blind_key = malloc(ctx->prog->insn_count * sizeof(*ctx->blind_key));
	if (!ctx->blind_key)
		return -ENOMEM;
	state = ((uint64_t)platform->random_u32() << 32) | platform->random_u32();
	for (i = 0; i < ctx->prog->insn_count; i++) {
		/* a zero half would leave that half of the constant in clear */
		ctx->blind_key[i] = jit_next_key(&state) | (1ull << 32) | 1;
	}
	return 0;
}

/* Repeats layout passes until no offset moves; leaves the size in buf.len. */
static int jit_layout(struct jit_ctx *ctx)
{
	size_t n = ctx->prog->insn_count;
	size_t pass;
	int err;

	for (pass = 0;; pass++) {
		uint32_t *swap;

		err = jit_emit_program(ctx);
		if (err)
			return err;
		if (memcmp(ctx->off, ctx->prev_off, (n + 1) * sizeof(*ctx->off)) == 0)
			return 0;
		swap = ctx->prev_off;
		ctx->prev_off = ctx->off;
		ctx->off = swap;
		ctx->layout_known = true;
		/* a pathological chain of near/far branches: give up on rel8 */
		if (pass == JIT_MAX_LAYOUT_PASSES)
			memset(ctx->long_branch, true, n * sizeof(*ctx->long_branch));
	}
}

static void jit_ctx_free(struct jit_ctx *ctx)
{
	free(ctx->off);
	free(ctx->prev_off);
	free(ctx->long_branch);
	free(ctx->blind_key);
	jit_peepholes_free(&ctx->peepholes);
}

static int jit_compile(struct jit_ctx *ctx, const struct ebpf_jit_opts *opts,
		       const struct ebpf_platform *platform, struct ebpf_prog *prog)
{
	size_t n = prog->insn_count;
	size_t size;
	uint8_t *mem;
	int err;

	ctx->off = calloc(n + 1, sizeof(*ctx->off));
	ctx->prev_off = calloc(n + 1, sizeof(*ctx->prev_off));
	ctx->long_branch = calloc(n, sizeof(*ctx->long_branch));
	if (!ctx->off || !ctx->prev_off || !ctx->long_branch)
		return -ENOMEM;
	if (opts && opts->blind_constants) {
		err = jit_make_blind_keys(ctx, platform);
		if (err)
			return err;
	}
	err = jit_plan_direct_entry(ctx);
	if (!err && ctx->direct_entry)
		err = jit_find_peepholes(prog, !ctx->blind_key, &ctx->peepholes);
	if (err)
		return err;
	err = jit_layout(ctx);
	if (err)
		return err;

	size = ctx->buf.len;
	mem = platform->exec_alloc(size);
	if (!mem) {
		ebpf_log_printf(ctx->log, "JIT: cannot allocate %zu bytes of code memory", size);
		return -ENOMEM;
	}
	ctx->buf.code = mem;
	err = jit_emit_program(ctx);
	if (!err && ctx->buf.len != size) {
		ebpf_log_printf(ctx->log, "JIT: internal error: code size changed (%zu, then %zu)",
				size, ctx->buf.len);
		err = -EFAULT;
	}
	if (!err)
		err = platform->exec_seal(mem, size);
	if (err) {
		platform->exec_free(mem, size);
		return err;
	}
	if (prog->jit_code)
		platform->exec_free(prog->jit_code, prog->jit_size);
	prog->jit_code = mem;
	prog->jit_size = size;
	/* ISO C has no object→function pointer conversion; POSIX guarantees it */
	memcpy(&prog->jit_entry, &(void *){mem + ctx->entry_off}, sizeof(prog->jit_entry));
	return 0;
}

int ebpf_prog_jit(struct ebpf_prog *prog, const struct ebpf_jit_opts *opts, struct ebpf_log *log)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	struct jit_ctx ctx = {.prog = prog, .log = log};
	int err;

	if (!platform->exec_alloc || !platform->exec_seal || !platform->exec_free) {
		ebpf_log_printf(log, "JIT: the platform provides no executable memory");
		return -ENOTSUP;
	}
	err = jit_compile(&ctx, opts, platform, prog);
	jit_ctx_free(&ctx);
	return err;
}

const void *ebpf_prog_get_jit_code(const struct ebpf_prog *prog, size_t *size)
{
	if (size)
		*size = prog->jit_code ? prog->jit_size : 0;
	return prog->jit_code;
}
