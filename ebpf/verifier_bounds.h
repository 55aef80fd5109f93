/*
 * Scalar range arithmetic for the verifier: what is known about a 64-bit
 * value as a tristate number (tnum: which bits are known and their
 * values) together with unsigned and signed 64-bit intervals. Every
 * operation over-approximates: the result contains every value the
 * concrete operation can produce from values inside the operands.
 *
 * 32-bit arithmetic (RFC 9669 §4.1: ALU zero-extends its result) is done
 * by truncating the operands, applying the 64-bit operation and
 * truncating the result; 32-bit views of a value are derived from the
 * 64-bit knowledge rather than tracked separately.
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

/* Keeps the low bytes (1, 2, 4 or 8), zero-extending: a load or ALU32. */
struct scalar_range scalar_truncate(const struct scalar_range *r, unsigned int bytes);
/* Sign-extends the low bytes (1, 2 or 4): MOVSX and LDX MEMSX. */
struct scalar_range scalar_sign_extend(const struct scalar_range *r, unsigned int bytes);

/*
 * dst OP src for an ALU operation code (EBPF_ALU_ADD ... EBPF_ALU_ARSH,
 * from isa.h) in 64 bits; is_signed selects SDIV/SMOD. With alu32, the
 * operands and the result are 32-bit (RFC 9669 §4.1).
 */
struct scalar_range scalar_alu(uint8_t op, bool is_signed, bool alu32,
			       const struct scalar_range *dst, const struct scalar_range *src);

/*
 * Narrows dst and src to the values for which "dst OP src" (a jump
 * operation code of isa.h, 64-bit) is taken (taken = true) or not.
 * Returns false when no values satisfy it: that branch cannot happen.
 */
bool scalar_refine(uint8_t op, bool taken, struct scalar_range *dst, struct scalar_range *src);

/* "u64=[umin,umax] s64=[smin,smax] var=(value;mask)" or the constant. */
int scalar_format(const struct scalar_range *r, char *buf, unsigned long size);

#endif /* UKBPF_EBPF_VERIFIER_BOUNDS_H */
