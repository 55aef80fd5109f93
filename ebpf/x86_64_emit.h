/*
 * x86-64 instruction encoder for the JIT (private to jit_x86_64*.c).
 *
 * Only the encodings the JIT needs: REX prefixes, ModRM with a register
 * or a [base + disp] memory operand, immediates. Every function appends
 * to a struct x86_buf whose code pointer may be NULL: the JIT's layout
 * passes only count bytes, the last pass writes them. Encodings never
 * depend on the bytes already written, so both kinds of pass agree on
 * every length (Intel SDM vol. 2, chapter 2 for the formats).
 */
#ifndef UKBPF_X86_64_EMIT_H
#define UKBPF_X86_64_EMIT_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hardware register numbers. */
enum x86_reg {
	X86_RAX = 0,
	X86_RCX,
	X86_RDX,
	X86_RBX,
	X86_RSP,
	X86_RBP,
	X86_RSI,
	X86_RDI,
	X86_R8,
	X86_R9,
	X86_R10,
	X86_R11,
	X86_R12,
	X86_R13,
	X86_R14,
	X86_R15,
};

/* Condition codes (the low nibble of Jcc). */
enum x86_cond {
	X86_CC_B = 0x2,
	X86_CC_AE = 0x3,
	X86_CC_E = 0x4,
	X86_CC_NE = 0x5,
	X86_CC_BE = 0x6,
	X86_CC_A = 0x7,
	X86_CC_S = 0x8,
	X86_CC_L = 0xc,
	X86_CC_GE = 0xd,
	X86_CC_LE = 0xe,
	X86_CC_G = 0xf,
};

/* Operand-size flags for x86_rr/x86_rm. */
#define X86_W	     0x1 /* REX.W: 64-bit operand */
#define X86_BYTE_REG 0x2 /* byte register operand: always emit REX (sil, not dh) */

/* Prefix bytes and opcodes used in more than one place. */
#define X86_PREFIX_OPSIZE 0x66 /* 16-bit operand */
#define X86_PREFIX_LOCK	  0xf0
#define X86_REX		  0x40
#define X86_REX_W	  0x08
#define X86_REX_R	  0x04
#define X86_REX_B	  0x01

#define X86_OP_ADD_RM_R	       0x01
#define X86_OP_OR_RM_R	       0x09
#define X86_OP_AND_RM_R	       0x21
#define X86_OP_SUB_RM_R	       0x29
#define X86_OP_XOR_RM_R	       0x31
#define X86_OP_CMP_RM_R	       0x39
#define X86_OP_MOVSXD	       0x63
#define X86_OP_IMUL_R_RM_IMM32 0x69
#define X86_OP_GRP1_RM_IMM8    0x83 /* /ext with a sign-extended imm8 */
#define X86_OP_GRP1_RM_IMM32   0x81
#define X86_OP_TEST_RM_R       0x85
#define X86_OP_XCHG_RM_R       0x87
#define X86_OP_MOV_RM8_R8      0x88
#define X86_OP_MOV_RM_R	       0x89
#define X86_OP_MOV_R_RM	       0x8b
#define X86_OP_LEA	       0x8d
#define X86_OP_CQO	       0x99 /* cdq without REX.W */
#define X86_OP_MOV_R_IMM       0xb8 /* + register: imm32, or imm64 with REX.W */
#define X86_OP_SHIFT_RM_IMM8   0xc1
#define X86_OP_RET	       0xc3
#define X86_OP_MOV_RM8_IMM8    0xc6
#define X86_OP_MOV_RM_IMM32    0xc7
#define X86_OP_SHIFT_RM_CL     0xd3
#define X86_OP_CALL_REL32      0xe8
#define X86_OP_JMP_REL32       0xe9
#define X86_OP_JMP_REL8	       0xeb
#define X86_OP_JCC_REL8	       0x70 /* + condition */
#define X86_OP_GRP3_RM	       0xf7 /* /0 test imm32, /2 not, /3 neg, /6 div, /7 idiv */
#define X86_OP_GRP5_RM	       0xff /* /2 call, /4 jmp */
#define X86_OP_PUSH_R	       0x50 /* + register */
#define X86_OP_POP_R	       0x58 /* + register */

/* Two-byte (0x0f xx) opcodes, written as 0x0fxx. */
#define X86_OP2_JCC_REL32    0x0f80 /* + condition */
#define X86_OP2_IMUL_R_RM    0x0faf
#define X86_OP2_CMPXCHG_RM_R 0x0fb1
#define X86_OP2_MOVZX_R_RM8  0x0fb6
#define X86_OP2_MOVZX_R_RM16 0x0fb7
#define X86_OP2_MOVSX_R_RM8  0x0fbe
#define X86_OP2_MOVSX_R_RM16 0x0fbf
#define X86_OP2_XADD_RM_R    0x0fc1
#define X86_OP2_BSWAP_R	     0x0fc8 /* + register */

/* ModRM /ext digits. */
#define X86_GRP1_ADD  0
#define X86_GRP1_OR   1
#define X86_GRP1_AND  4
#define X86_GRP1_SUB  5
#define X86_GRP1_XOR  6
#define X86_GRP1_CMP  7
#define X86_SHIFT_ROL 0
#define X86_SHIFT_SHL 4
#define X86_SHIFT_SHR 5
#define X86_SHIFT_SAR 7
#define X86_GRP3_TEST 0
#define X86_GRP3_NEG  3
#define X86_GRP3_DIV  6
#define X86_GRP3_IDIV 7
#define X86_GRP5_CALL 2
#define X86_GRP5_JMP  4

#define X86_MODRM_MOD_DISP0  0x00
#define X86_MODRM_MOD_DISP8  0x40
#define X86_MODRM_MOD_DISP32 0x80
#define X86_MODRM_MOD_REG    0xc0
#define X86_SIB_BASE_ONLY    0x24 /* no index, base in ModRM.rm = rsp/r12 */
#define X86_RM_NEEDS_SIB     4	  /* rm = rsp/r12 means "a SIB byte follows" */
#define X86_RM_RIP_OR_DISP   5	  /* mod 0 with rm = rbp/r13 means rip-relative */

#define X86_JCC_REL8_SIZE    2
#define X86_JMP_REL8_SIZE    2
#define X86_CALL_REL32_SIZE  5
#define X86_NOP7_SIZE	     7
#define X86_MOV_R_IMM64_SIZE 10 /* REX.W B8+r imm64 */
#define X86_CALL_RAX_SIZE    2	/* FF /2 with ModRM.rm = rax: no REX */

struct x86_buf {
	uint8_t *code; /* NULL while sizing */
	size_t len;
};

static inline bool x86_fits_s8(int64_t v)
{
	return v >= INT8_MIN && v <= INT8_MAX;
}

static inline bool x86_fits_s32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

static inline void x86_u8(struct x86_buf *b, uint8_t v)
{
	if (b->code)
		b->code[b->len] = v;
	b->len++;
}

static inline void x86_le(struct x86_buf *b, uint64_t v, unsigned int bytes)
{
	unsigned int i;

	for (i = 0; i < bytes; i++)
		x86_u8(b, (uint8_t)(v >> (8 * i)));
}

static inline void x86_u32(struct x86_buf *b, uint32_t v)
{
	x86_le(b, v, sizeof(v));
}

/* Overwrites a rel8 written earlier at pos so that it lands on target. */
static inline void x86_patch_rel8(struct x86_buf *b, size_t pos, size_t target)
{
	int64_t rel = (int64_t)target - (int64_t)(pos + 1);

	/* internal jumps of one BPF instruction's sequence are short by design */
	assert(x86_fits_s8(rel));
	if (b->code)
		b->code[pos] = (uint8_t)(int8_t)rel;
}

static inline void x86_rex(struct x86_buf *b, unsigned int flags, uint8_t reg, uint8_t rm)
{
	uint8_t rex = X86_REX | ((flags & X86_W) ? X86_REX_W : 0) | ((reg & 8) ? X86_REX_R : 0) |
		      ((rm & 8) ? X86_REX_B : 0);

	if (rex != X86_REX || (flags & X86_BYTE_REG))
		x86_u8(b, rex);
}

static inline void x86_opcode(struct x86_buf *b, uint16_t opcode)
{
	if (opcode > 0xff)
		x86_u8(b, (uint8_t)(opcode >> 8));
	x86_u8(b, (uint8_t)opcode);
}

/* opcode with ModRM.reg = reg and ModRM.rm = the register rm. */
static inline void x86_rr(struct x86_buf *b, unsigned int flags, uint16_t opcode, uint8_t reg,
			  uint8_t rm)
{
	x86_rex(b, flags, reg, rm);
	x86_opcode(b, opcode);
	x86_u8(b, X86_MODRM_MOD_REG | ((reg & 7) << 3) | (rm & 7));
}

/* opcode with ModRM.reg = reg and ModRM.rm = [base + disp]. */
static inline void x86_rm(struct x86_buf *b, unsigned int flags, uint16_t opcode, uint8_t reg,
			  uint8_t base, int32_t disp)
{
	uint8_t mod;

	if (disp == 0 && (base & 7) != X86_RM_RIP_OR_DISP)
		mod = X86_MODRM_MOD_DISP0;
	else if (x86_fits_s8(disp))
		mod = X86_MODRM_MOD_DISP8;
	else
		mod = X86_MODRM_MOD_DISP32;
	x86_rex(b, flags, reg, base);
	x86_opcode(b, opcode);
	x86_u8(b, mod | ((reg & 7) << 3) | (base & 7));
	if ((base & 7) == X86_RM_NEEDS_SIB)
		x86_u8(b, X86_SIB_BASE_ONLY);
	if (mod == X86_MODRM_MOD_DISP8)
		x86_u8(b, (uint8_t)(int8_t)disp);
	else if (mod == X86_MODRM_MOD_DISP32)
		x86_u32(b, (uint32_t)disp);
}

/* Group-1 arithmetic (add/or/and/sub/xor/cmp) of a register with imm. */
static inline void x86_grp1_ri(struct x86_buf *b, unsigned int flags, uint8_t ext, uint8_t rm,
			       int32_t imm)
{
	if (x86_fits_s8(imm)) {
		x86_rr(b, flags, X86_OP_GRP1_RM_IMM8, ext, rm);
		x86_u8(b, (uint8_t)(int8_t)imm);
	} else {
		x86_rr(b, flags, X86_OP_GRP1_RM_IMM32, ext, rm);
		x86_u32(b, (uint32_t)imm);
	}
}

/* Same with a fixed-size imm32, for values whose length must not vary. */
static inline void x86_grp1_ri32(struct x86_buf *b, unsigned int flags, uint8_t ext, uint8_t rm,
				 int32_t imm)
{
	x86_rr(b, flags, X86_OP_GRP1_RM_IMM32, ext, rm);
	x86_u32(b, (uint32_t)imm);
}

/* mov rm, imm32 (sign-extended to 64 bits with X86_W, else zero-extended). */
static inline void x86_mov_ri32(struct x86_buf *b, unsigned int flags, uint8_t rm, int32_t imm)
{
	x86_rr(b, flags, X86_OP_MOV_RM_IMM32, 0, rm);
	x86_u32(b, (uint32_t)imm);
}

/* mov r32, imm32 (the short B8+r form; zero-extends to 64 bits). */
static inline void x86_mov_r32_imm(struct x86_buf *b, uint8_t reg, uint32_t imm)
{
	x86_rex(b, 0, 0, reg);
	x86_u8(b, X86_OP_MOV_R_IMM + (reg & 7));
	x86_u32(b, imm);
}

static inline void x86_mov_ri64(struct x86_buf *b, uint8_t reg, uint64_t imm)
{
	x86_rex(b, X86_W, 0, reg);
	x86_u8(b, X86_OP_MOV_R_IMM + (reg & 7));
	x86_le(b, imm, sizeof(imm));
}

static inline void x86_mov_rr(struct x86_buf *b, unsigned int flags, uint8_t dst, uint8_t src)
{
	x86_rr(b, flags, X86_OP_MOV_RM_R, src, dst);
}

/* Register-only instruction with the register in the opcode's low bits. */
static inline void x86_op_plus_reg(struct x86_buf *b, unsigned int flags, uint16_t opcode,
				   uint8_t reg)
{
	x86_rex(b, flags, 0, reg);
	x86_opcode(b, opcode + (reg & 7));
}

static inline void x86_push(struct x86_buf *b, uint8_t reg)
{
	x86_op_plus_reg(b, 0, X86_OP_PUSH_R, reg);
}

static inline void x86_pop(struct x86_buf *b, uint8_t reg)
{
	x86_op_plus_reg(b, 0, X86_OP_POP_R, reg);
}

/* nop dword [rax + disp32]: one 7-byte no-op (Intel SDM, NOP). */
static inline void x86_nop7(struct x86_buf *b)
{
	static const uint8_t nop7[X86_NOP7_SIZE] = {0x0f, 0x1f, 0x80, 0, 0, 0, 0};
	size_t k;

	for (k = 0; k < X86_NOP7_SIZE; k++)
		x86_u8(b, nop7[k]);
}

/* Jcc/jmp with a rel8 whose value is patched later (x86_patch_rel8). */
static inline size_t x86_jcc_rel8_fixup(struct x86_buf *b, uint8_t cc)
{
	x86_u8(b, X86_OP_JCC_REL8 + cc);
	x86_u8(b, 0);
	return b->len - 1;
}

static inline size_t x86_jmp_rel8_fixup(struct x86_buf *b)
{
	x86_u8(b, X86_OP_JMP_REL8);
	x86_u8(b, 0);
	return b->len - 1;
}

#endif /* UKBPF_X86_64_EMIT_H */
