/*
 * Scalar range arithmetic for the verifier: what is known about a 64-bit
 * value as a tristate number (tnum: which bits are known and their
 * values) together with unsigned and signed 64-bit intervals. Every
 * operation over-approximates: the result contains every value the
 * concrete operation can produce from values inside the operands.
 *
 * The low 32 bits, what ALU32 and JMP32 instructions see (RFC 9669 §4.1,
 * §4.3), have their own unsigned and signed intervals, as in Linux >= 5.7:
 * a 32-bit test can narrow them while the 64-bit value stays unknown.
 * scalar_normalize keeps the five views consistent: the 64-bit intervals
 * bound the low word when the upper half is constant (or the value is a
 * sign-extended 32-bit one) and the other way round.
 */
#ifndef UKBPF_EBPF_VERIFIER_BOUNDS_H
#define UKBPF_EBPF_VERIFIER_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

/* Bit i is unknown when mask bit i is set; otherwise it equals value's. */
struct tnum {
	uint64_t value;
	uint64_t mask;
};

struct scalar_range {
	struct tnum bits;
	uint64_t umin, umax;
	int64_t smin, smax;
	/* The low 32 bits as unsigned and as signed values. */
	uint32_t u32min, u32max;
	int32_t s32min, s32max;
};

struct scalar_range scalar_const(uint64_t value);
struct scalar_range scalar_unknown(void);
/* Any value in [umin, umax] (unsigned). */
struct scalar_range scalar_urange(uint64_t umin, uint64_t umax);
bool scalar_is_const(const struct scalar_range *r);
/* Re-derives each kind of bound from the others; false when r is empty. */
bool scalar_normalize(struct scalar_range *r);
/* true when every value of inner is a value of outer. */
bool scalar_contains(const struct scalar_range *outer, const struct scalar_range *inner);
bool scalar_equal(const struct scalar_range *a, const struct scalar_range *b);

/*
 * Keeps the low bytes (1, 2, 4 or 8), zero-extending: a load, MOV32 or
 * ALU32's result. For 4 bytes the 32-bit intervals become the 64-bit ones.
 */
struct scalar_range scalar_truncate(const struct scalar_range *r, unsigned int bytes);
/* Sign-extends the low bytes (1, 2 or 4): MOVSX and LDX MEMSX. */
struct scalar_range scalar_sign_extend(const struct scalar_range *r, unsigned int bytes);

/*
 * dst OP src for an ALU operation code (EBPF_ALU_ADD ... EBPF_ALU_ARSH,
 * from isa.h) in 64 bits; is_signed selects SDIV/SMOD. With alu32, the
 * operands and the result are 32-bit (RFC 9669 §4.1), computed from the
 * operands' 32-bit intervals. A 64-bit operation whose low word depends
 * only on the operands' low words (add, sub, mul, and, or, xor, lsh) also
 * narrows the result's 32-bit intervals by the 32-bit computation.
 */
struct scalar_range scalar_alu(uint8_t op, bool is_signed, bool alu32,
			       const struct scalar_range *dst, const struct scalar_range *src);

/*
 * Narrows dst and src to the values for which "dst OP src" (a jump
 * operation code of isa.h) is taken (taken = true) or not. With jmp32 the
 * test compares the low words (RFC 9669 §4.3): it narrows their 32-bit
 * intervals, and the 64-bit ones only through what those imply (upper
 * half constant, or a sign-extended 32-bit value). Returns false when no
 * values satisfy it: that branch cannot happen.
 */
bool scalar_refine(uint8_t op, bool taken, bool jmp32, struct scalar_range *dst,
		   struct scalar_range *src);

/*
 * The constant, or "(umin=..,umax=..,smin=..,smax=..,var_off=(value; mask))"
 * followed by ",u32=[..],s32=[..]" when the 32-bit intervals say more
 * than the 64-bit ones.
 */
int scalar_format(const struct scalar_range *r, char *buf, unsigned long size);

#endif /* UKBPF_EBPF_VERIFIER_BOUNDS_H */
