/*
 * Scalar range arithmetic for the verifier (see verifier_bounds.h).
 *
 * The tnum operations follow the tristate-number algebra used by the
 * Linux verifier (Vishwanathan et al., "Sound, Precise, and Fast Abstract
 * Interpretation with Tristate Numbers", CGO 2022): a bit is unknown in
 * the result whenever a carry or borrow through it depends on an unknown
 * bit of an operand.
 */
#include <stdio.h>

#include "isa.h"
#include "verifier_bounds.h"

#define BITS_PER_BYTE 8
#define U64_BITS      64
#define U32_BYTES     4
#define SIGN_BIT_64   (UINT64_C(1) << 63)
#define SIGN_BIT_32   (UINT32_C(1) << 31)
#define U32_BITS      32
#define LOW_WORD      UINT64_C(0xffffffff)
#define HIGH_WORD     (~LOW_WORD)

/* ---- tnum ----------------------------------------------------------------- */

static struct tnum tnum_const(uint64_t value)
{
	return (struct tnum){value, 0};
}

static const struct tnum tnum_unknown = {0, UINT64_MAX};

/* The smallest tnum holding every value of [min, max]. */
static struct tnum tnum_range(uint64_t min, uint64_t max)
{
	uint64_t differing = min ^ max;
	unsigned int bits = differing ? U64_BITS - (unsigned int)__builtin_clzll(differing) : 0;
	uint64_t low;

	if (bits >= U64_BITS)
		return tnum_unknown;
	low = (UINT64_C(1) << bits) - 1;
	return (struct tnum){min & ~low, low};
}

static struct tnum tnum_add(struct tnum a, struct tnum b)
{
	uint64_t masks = a.mask + b.mask, values = a.value + b.value;
	uint64_t carries = (masks + values) ^ values;
	uint64_t unknown = carries | a.mask | b.mask;

	return (struct tnum){values & ~unknown, unknown};
}

static struct tnum tnum_sub(struct tnum a, struct tnum b)
{
	uint64_t diff = a.value - b.value;
	uint64_t borrows = (diff + a.mask) ^ (diff - b.mask);
	uint64_t unknown = borrows | a.mask | b.mask;

	return (struct tnum){diff & ~unknown, unknown};
}

static struct tnum tnum_and(struct tnum a, struct tnum b)
{
	uint64_t value = a.value & b.value;

	return (struct tnum){value, (a.value | a.mask) & (b.value | b.mask) & ~value};
}

static struct tnum tnum_or(struct tnum a, struct tnum b)
{
	uint64_t value = a.value | b.value;

	return (struct tnum){value, (a.mask | b.mask) & ~value};
}

static struct tnum tnum_xor(struct tnum a, struct tnum b)
{
	uint64_t unknown = a.mask | b.mask;

	return (struct tnum){(a.value ^ b.value) & ~unknown, unknown};
}

/* Long multiplication: each unknown bit of a adds b's possible bits. */
static struct tnum tnum_mul(struct tnum a, struct tnum b)
{
	struct tnum partial = tnum_const(0);
	uint64_t known_product = a.value * b.value;

	while (a.value || a.mask) {
		if (a.value & 1)
			partial = tnum_add(partial, (struct tnum){0, b.mask});
		else if (a.mask & 1)
			partial = tnum_add(partial, (struct tnum){0, b.value | b.mask});
		a.value >>= 1;
		a.mask >>= 1;
		b.value <<= 1;
		b.mask <<= 1;
	}
	return tnum_add(tnum_const(known_product), partial);
}

static struct tnum tnum_intersect(struct tnum a, struct tnum b)
{
	uint64_t value = a.value | b.value, unknown = a.mask & b.mask;

	return (struct tnum){value & ~unknown, unknown};
}

static bool tnum_contains(struct tnum outer, struct tnum inner)
{
	if (inner.mask & ~outer.mask)
		return false;
	return outer.value == (inner.value & ~outer.mask);
}

static uint64_t low_bytes_mask(unsigned int bytes)
{
	return bytes >= sizeof(uint64_t) ? UINT64_MAX
					 : (UINT64_C(1) << (bytes * BITS_PER_BYTE)) - 1;
}

/* ---- ranges --------------------------------------------------------------- */

struct scalar_range scalar_const(uint64_t value)
{
	return (struct scalar_range){.bits = tnum_const(value),
				     .umin = value,
				     .umax = value,
				     .smin = (int64_t)value,
				     .smax = (int64_t)value,
				     .u32min = (uint32_t)value,
				     .u32max = (uint32_t)value,
				     .s32min = (int32_t)value,
				     .s32max = (int32_t)value};
}

struct scalar_range scalar_unknown(void)
{
	return (struct scalar_range){.bits = tnum_unknown,
				     .umin = 0,
				     .umax = UINT64_MAX,
				     .smin = INT64_MIN,
				     .smax = INT64_MAX,
				     .u32min = 0,
				     .u32max = UINT32_MAX,
				     .s32min = INT32_MIN,
				     .s32max = INT32_MAX};
}

struct scalar_range scalar_urange(uint64_t umin, uint64_t umax)
{
	struct scalar_range r = scalar_unknown();

	r.umin = umin;
	r.umax = umax;
	scalar_normalize(&r);
	return r;
}

bool scalar_is_const(const struct scalar_range *r)
{
	return r->bits.mask == 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int64_t max_s64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static int64_t min_s64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static uint32_t max_u32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static int32_t max_s32(int32_t a, int32_t b)
{
	return a > b ? a : b;
}

static int32_t min_s32(int32_t a, int32_t b)
{
	return a < b ? a : b;
}

static bool is_empty(const struct scalar_range *r)
{
	return r->umin > r->umax || r->smin > r->smax || r->u32min > r->u32max ||
	       r->s32min > r->s32max;
}

/* Bounds implied by the known bits. */
static void bounds_from_bits(struct scalar_range *r)
{
	uint64_t lowest = r->bits.value, highest = r->bits.value | r->bits.mask;

	r->umin = max_u64(r->umin, lowest);
	r->umax = min_u64(r->umax, highest);
	/* Signed: the sign bit unknown makes the low end negative. */
	r->smin = max_s64(r->smin, (int64_t)(lowest | (r->bits.mask & SIGN_BIT_64)));
	r->smax = min_s64(r->smax, (int64_t)(highest & ~(r->bits.mask & SIGN_BIT_64)));
	r->u32min = max_u32(r->u32min, (uint32_t)lowest);
	r->u32max = min_u32(r->u32max, (uint32_t)highest);
	r->s32min = max_s32(r->s32min, (int32_t)(uint32_t)(lowest | (r->bits.mask & SIGN_BIT_32)));
	r->s32max =
	    min_s32(r->s32max, (int32_t)(uint32_t)(highest & ~(r->bits.mask & SIGN_BIT_32)));
}

/*
 * Signed and unsigned orders agree on a range that does not cross the
 * sign boundary, so each bound may tighten the other.
 */
static void bounds_exchange(struct scalar_range *r)
{
	if (r->smin >= 0 || r->smax < 0) {
		r->umin = max_u64(r->umin, (uint64_t)r->smin);
		r->umax = min_u64(r->umax, (uint64_t)r->smax);
		r->smin = (int64_t)r->umin;
		r->smax = (int64_t)r->umax;
		return;
	}
	if ((int64_t)r->umax >= 0) {
		/* All values are non-negative as signed too. */
		r->smin = (int64_t)r->umin;
		r->umax = min_u64(r->umax, (uint64_t)r->smax);
		r->smax = (int64_t)r->umax;
	} else if ((int64_t)r->umin < 0) {
		/* All values are negative as signed. */
		r->umin = max_u64(r->umin, (uint64_t)r->smin);
		r->smin = (int64_t)r->umin;
		r->smax = (int64_t)r->umax;
	}
}

/* bounds_exchange for the low word. */
static void bounds32_exchange(struct scalar_range *r)
{
	if (r->s32min >= 0 || r->s32max < 0) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->s32min);
		r->u32max = min_u32(r->u32max, (uint32_t)r->s32max);
		r->s32min = (int32_t)r->u32min;
		r->s32max = (int32_t)r->u32max;
		return;
	}
	if ((int32_t)r->u32max >= 0) {
		r->s32min = (int32_t)r->u32min;
		r->u32max = min_u32(r->u32max, (uint32_t)r->s32max);
		r->s32max = (int32_t)r->u32max;
	} else if ((int32_t)r->u32min < 0) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->s32min);
		r->s32min = (int32_t)r->u32min;
		r->s32max = (int32_t)r->u32max;
	}
}

/* A sign-extended 32-bit value: its 64- and 32-bit signed views agree. */
static bool fits_s32(const struct scalar_range *r)
{
	return r->smin >= INT32_MIN && r->smax <= INT32_MAX;
}

/*
 * The 64-bit intervals bound the low word when every value shares the
 * upper half (the low words then run from umin's to umax's), or when the
 * value is a sign-extended 32-bit one.
 */
static void bounds_64_to_32(struct scalar_range *r)
{
	if ((r->umin & HIGH_WORD) == (r->umax & HIGH_WORD)) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->umin);
		r->u32max = min_u32(r->u32max, (uint32_t)r->umax);
	}
	if (((uint64_t)r->smin & HIGH_WORD) == ((uint64_t)r->smax & HIGH_WORD)) {
		r->u32min = max_u32(r->u32min, (uint32_t)r->smin);
		r->u32max = min_u32(r->u32max, (uint32_t)r->smax);
	}
	if (fits_s32(r)) {
		r->s32min = max_s32(r->s32min, (int32_t)r->smin);
		r->s32max = min_s32(r->s32max, (int32_t)r->smax);
	}
}

/* The converse: the low word's intervals bound the 64-bit value. */
static void bounds_32_to_64(struct scalar_range *r)
{
	uint64_t high = r->umin & HIGH_WORD;

	if (high == (r->umax & HIGH_WORD)) {
		r->umin = max_u64(r->umin, high | r->u32min);
		r->umax = min_u64(r->umax, high | r->u32max);
	}
	if (fits_s32(r)) {
		r->smin = max_s64(r->smin, r->s32min);
		r->smax = min_s64(r->smax, r->s32max);
	}
}

/* The smallest tnum of the low word's interval, upper half unconstrained. */
static struct tnum tnum_low_range(uint32_t min, uint32_t max)
{
	struct tnum low = tnum_range(min, max);

	return (struct tnum){low.value, low.mask | HIGH_WORD};
}

/* A constant: its bits decide every bound (or contradict one). */
static bool normalize_const(struct scalar_range *r)
{
	struct scalar_range exact = scalar_const(r->bits.value);

	if (!scalar_contains(r, &exact))
		return false;
	*r = exact;
	return true;
}

/*
 * Every derivation keeps every value of the range, so any order is
 * sound; this one lets each view inform the others once, then tightens
 * the tnum by the intervals and the intervals by the tnum again.
 */
bool scalar_normalize(struct scalar_range *r)
{
	if (is_empty(r) || (r->bits.value & r->bits.mask) != 0)
		return false;
	if (r->bits.mask == 0)
		return normalize_const(r);
	bounds_from_bits(r);
	bounds32_exchange(r);
	bounds_exchange(r);
	bounds_64_to_32(r);
	bounds32_exchange(r);
	bounds_32_to_64(r);
	bounds_exchange(r);
	if (is_empty(r))
		return false;
	r->bits = tnum_intersect(r->bits, tnum_range(r->umin, r->umax));
	r->bits = tnum_intersect(r->bits, tnum_low_range(r->u32min, r->u32max));
	bounds_from_bits(r);
	bounds32_exchange(r);
	bounds_exchange(r);
	return !is_empty(r);
}

/* Every bound of both a and b, not yet normalized (maybe empty). */
static struct scalar_range intersect(const struct scalar_range *a, const struct scalar_range *b)
{
	struct scalar_range out;

	out.bits = tnum_intersect(a->bits, b->bits);
	out.umin = max_u64(a->umin, b->umin);
	out.umax = min_u64(a->umax, b->umax);
	out.smin = max_s64(a->smin, b->smin);
	out.smax = min_s64(a->smax, b->smax);
	out.u32min = max_u32(a->u32min, b->u32min);
	out.u32max = min_u32(a->u32max, b->u32max);
	out.s32min = max_s32(a->s32min, b->s32min);
	out.s32max = min_s32(a->s32max, b->s32max);
	return out;
}

/* Values in both a and b (both must hold the values meant). */
static struct scalar_range scalar_meet(const struct scalar_range *a, const struct scalar_range *b)
{
	struct scalar_range out = intersect(a, b);

	if (!scalar_normalize(&out))
		return *a;
	return out;
}

/*
 * Narrows r's low word to what low (a range of the same low word) knows;
 * false when they have no value in common.
 */
static bool meet_low_word(struct scalar_range *r, const struct scalar_range *low)
{
	struct scalar_range out = *r;

	out.bits = tnum_intersect(
	    r->bits, (struct tnum){low->bits.value & LOW_WORD, low->bits.mask | HIGH_WORD});
	out.u32min = max_u32(r->u32min, low->u32min);
	out.u32max = min_u32(r->u32max, low->u32max);
	out.s32min = max_s32(r->s32min, low->s32min);
	out.s32max = min_s32(r->s32max, low->s32max);
	if (!scalar_normalize(&out))
		return false;
	*r = out;
	return true;
}

bool scalar_contains(const struct scalar_range *outer, const struct scalar_range *inner)
{
	return outer->umin <= inner->umin && inner->umax <= outer->umax &&
	       outer->smin <= inner->smin && inner->smax <= outer->smax &&
	       outer->u32min <= inner->u32min && inner->u32max <= outer->u32max &&
	       outer->s32min <= inner->s32min && inner->s32max <= outer->s32max &&
	       tnum_contains(outer->bits, inner->bits);
}

bool scalar_equal(const struct scalar_range *a, const struct scalar_range *b)
{
	return scalar_contains(a, b) && scalar_contains(b, a);
}

struct scalar_range scalar_truncate(const struct scalar_range *r, unsigned int bytes)
{
	uint64_t keep = low_bytes_mask(bytes);
	struct scalar_range out = scalar_unknown();

	if (bytes >= sizeof(uint64_t))
		return *r;
	out.bits = (struct tnum){r->bits.value & keep, r->bits.mask & keep};
	if (bytes == U32_BYTES) {
		out.umin = r->u32min;
		out.umax = r->u32max;
		out.u32min = r->u32min;
		out.u32max = r->u32max;
		out.s32min = r->s32min;
		out.s32max = r->s32max;
		scalar_normalize(&out);
		return out;
	}
	/* The interval survives when all its values share the upper bits. */
	out.umax = keep;
	if ((r->umin & ~keep) == (r->umax & ~keep)) {
		out.umin = r->umin & keep;
		out.umax = r->umax & keep;
	} else if ((r->u32min & ~keep) == (r->u32max & ~keep)) {
		out.umin = r->u32min & keep;
		out.umax = r->u32max & keep;
	}
	scalar_normalize(&out);
	return out;
}

struct scalar_range scalar_sign_extend(const struct scalar_range *r, unsigned int bytes)
{
	unsigned int shift = U64_BITS - bytes * BITS_PER_BYTE;
	struct scalar_range low = scalar_truncate(r, bytes);
	struct scalar_range out = scalar_unknown();
	uint64_t sign = UINT64_C(1) << (bytes * BITS_PER_BYTE - 1);

	out.bits.value = (uint64_t)((int64_t)(low.bits.value << shift) >> shift);
	out.bits.mask = (uint64_t)((int64_t)(low.bits.mask << shift) >> shift);
	if (bytes == U32_BYTES) {
		/* The signed low word is the value. */
		out.smin = r->s32min;
		out.smax = r->s32max;
		out.u32min = r->u32min;
		out.u32max = r->u32max;
		out.s32min = r->s32min;
		out.s32max = r->s32max;
	} else if (low.umax < sign) {
		/* Sign bit known clear: extension changes nothing. */
		out.umin = low.umin;
		out.umax = low.umax;
	} else {
		out.smin = -(int64_t)sign;
		out.smax = (int64_t)(sign - 1);
	}
	scalar_normalize(&out);
	return out;
}

/* ---- arithmetic ----------------------------------------------------------- */

static void add_bounds(struct scalar_range *out, const struct scalar_range *a,
		       const struct scalar_range *b)
{
	int64_t smin, smax;

	if (!__builtin_add_overflow(a->umax, b->umax, &out->umax))
		out->umin = a->umin + b->umin;
	else
		out->umin = 0, out->umax = UINT64_MAX;
	if (!__builtin_add_overflow(a->smin, b->smin, &smin) &&
	    !__builtin_add_overflow(a->smax, b->smax, &smax))
		out->smin = smin, out->smax = smax;
}

static void sub_bounds(struct scalar_range *out, const struct scalar_range *a,
		       const struct scalar_range *b)
{
	int64_t smin, smax;

	if (a->umin >= b->umax)
		out->umin = a->umin - b->umax, out->umax = a->umax - b->umin;
	if (!__builtin_sub_overflow(a->smin, b->smax, &smin) &&
	    !__builtin_sub_overflow(a->smax, b->smin, &smax))
		out->smin = smin, out->smax = smax;
}

static void mul_bounds(struct scalar_range *out, const struct scalar_range *a,
		       const struct scalar_range *b)
{
	if (a->umax <= UINT32_MAX && b->umax <= UINT32_MAX) {
		out->umin = a->umin * b->umin;
		out->umax = a->umax * b->umax;
	}
}

/* Unsigned division; RFC 9669 §4.1: x / 0 = 0 and x % 0 = x. */
static void div_mod_bounds(struct scalar_range *out, uint8_t op, const struct scalar_range *a,
			   const struct scalar_range *b)
{
	if (op == EBPF_ALU_DIV) {
		if (scalar_is_const(b) && b->umin == 0) {
			*out = scalar_const(0);
		} else if (b->umin > 0) {
			out->umin = a->umin / b->umax;
			out->umax = a->umax / b->umin;
		} else {
			out->umax = a->umax;
		}
		return;
	}
	if (b->umin > 0)
		out->umax = min_u64(a->umax, b->umax - 1);
	else
		out->umax = max_u64(a->umax, b->umax);
}

static struct scalar_range shift(uint8_t op, const struct scalar_range *a, unsigned int amount)
{
	struct scalar_range out = scalar_unknown();

	switch (op) {
	case EBPF_ALU_LSH:
		out.bits = (struct tnum){a->bits.value << amount, a->bits.mask << amount};
		if (a->umax <= (UINT64_MAX >> amount))
			out.umin = a->umin << amount, out.umax = a->umax << amount;
		break;
	case EBPF_ALU_RSH:
		out.bits = (struct tnum){a->bits.value >> amount, a->bits.mask >> amount};
		out.umin = a->umin >> amount;
		out.umax = a->umax >> amount;
		break;
	default: /* EBPF_ALU_ARSH */
		out.bits = (struct tnum){(uint64_t)((int64_t)a->bits.value >> amount),
					 (uint64_t)((int64_t)a->bits.mask >> amount)};
		out.smin = a->smin >> amount;
		out.smax = a->smax >> amount;
		break;
	}
	return out;
}

static struct scalar_range alu64(uint8_t op, bool is_signed, const struct scalar_range *a,
				 const struct scalar_range *b, unsigned int shift_mask)
{
	struct scalar_range out = scalar_unknown();

	switch (op) {
	case EBPF_ALU_ADD:
		out.bits = tnum_add(a->bits, b->bits);
		add_bounds(&out, a, b);
		break;
	case EBPF_ALU_SUB:
		out.bits = tnum_sub(a->bits, b->bits);
		sub_bounds(&out, a, b);
		break;
	case EBPF_ALU_MUL:
		out.bits = tnum_mul(a->bits, b->bits);
		mul_bounds(&out, a, b);
		break;
	case EBPF_ALU_AND:
		out.bits = tnum_and(a->bits, b->bits);
		out.umax = min_u64(a->umax, b->umax);
		break;
	case EBPF_ALU_OR:
		out.bits = tnum_or(a->bits, b->bits);
		out.umin = max_u64(a->umin, b->umin);
		break;
	case EBPF_ALU_XOR:
		out.bits = tnum_xor(a->bits, b->bits);
		break;
	case EBPF_ALU_DIV:
	case EBPF_ALU_MOD:
		if (!is_signed)
			div_mod_bounds(&out, op, a, b);
		break;
	case EBPF_ALU_LSH:
	case EBPF_ALU_RSH:
	case EBPF_ALU_ARSH:
		/* RFC 9669 §4.1: the shift amount is masked to the width. */
		if (scalar_is_const(b))
			out = shift(op, a, (unsigned int)(b->bits.value & shift_mask));
		break;
	case EBPF_ALU_MOV:
		out = *b;
		break;
	default:
		break;
	}
	/* Constants compute exactly (the tnum ops are exact on them too). */
	if (!scalar_normalize(&out))
		out = scalar_unknown();
	return out;
}

/* Operations whose low 32 result bits depend only on the operands' low 32. */
static bool low_word_only(uint8_t op)
{
	switch (op) {
	case EBPF_ALU_ADD:
	case EBPF_ALU_SUB:
	case EBPF_ALU_MUL:
	case EBPF_ALU_AND:
	case EBPF_ALU_OR:
	case EBPF_ALU_XOR:
	case EBPF_ALU_LSH:
	case EBPF_ALU_MOV:
		return true;
	default:
		return false;
	}
}

/*
 * Whether a low word's signed interval says more than its unsigned one:
 * it crosses zero without being the whole range (otherwise both are the
 * same interval, or the signed one is unknown).
 */
static bool signed_view_helps(const struct scalar_range *r)
{
	return r->s32min < 0 && r->s32max >= 0 &&
	       (r->s32min != INT32_MIN || r->s32max != INT32_MAX);
}

/*
 * Whether a value's low word is known better than its 64-bit intervals
 * tell: they do not bound it (upper half varying, not a sign-extended
 * 32-bit value) yet the 32-bit intervals are not the whole range.
 */
static bool low_word_informative(const struct scalar_range *r)
{
	return (r->umin & HIGH_WORD) != (r->umax & HIGH_WORD) && !fits_s32(r) &&
	       (r->u32min != 0 || r->u32max != UINT32_MAX || r->s32min != INT32_MIN ||
		r->s32max != INT32_MAX);
}

/*
 * The 32-bit operation on the low words, zero-extended. The operands are
 * seen as 64-bit values built from their 32-bit intervals: zero-extended
 * for unsigned operations, sign-extended for ARSH and signed DIV/MOD.
 * Where the low word of the result does not depend on the extension,
 * both are computed and their results intersected, so that an interval
 * crossing zero as a signed value (say [-5, 5]) keeps its precision.
 */
static struct scalar_range alu_low_words(uint8_t op, bool is_signed, const struct scalar_range *dst,
					 const struct scalar_range *src)
{
	struct scalar_range a, b, out, extended;
	bool both = low_word_only(op) && (signed_view_helps(dst) || signed_view_helps(src));

	if (op == EBPF_ALU_ARSH || is_signed || both) {
		a = scalar_sign_extend(dst, U32_BYTES);
		b = scalar_sign_extend(src, U32_BYTES);
		extended = alu64(op, is_signed, &a, &b, EBPF_SHIFT_MASK_32);
		extended = scalar_truncate(&extended, U32_BYTES);
		if (!both)
			return extended;
	}
	a = scalar_truncate(dst, U32_BYTES);
	b = scalar_truncate(src, U32_BYTES);
	out = alu64(op, is_signed, &a, &b, EBPF_SHIFT_MASK_32);
	out = scalar_truncate(&out, U32_BYTES);
	return both ? scalar_meet(&out, &extended) : out;
}

struct scalar_range scalar_alu(uint8_t op, bool is_signed, bool alu32,
			       const struct scalar_range *dst, const struct scalar_range *src)
{
	struct scalar_range out, low;

	if (alu32)
		return alu_low_words(op, is_signed, dst, src);
	out = alu64(op, is_signed, dst, src, EBPF_SHIFT_MASK_64);
	/*
	 * Linux >= 5.7 likewise: the low word of a 64-bit sum (product,
	 * bitwise result, left shift by less than 32) is the 32-bit one.
	 * Computed only when an operand's low word is known better than its
	 * 64-bit intervals say (the tnum carries the rest).
	 */
	if (low_word_only(op) && op != EBPF_ALU_MOV && !scalar_is_const(&out) &&
	    (low_word_informative(dst) || low_word_informative(src)) &&
	    (op != EBPF_ALU_LSH || (scalar_is_const(src) && src->bits.value < U32_BITS))) {
		low = alu_low_words(op, false, dst, src);
		/* Both hold the result's low word: they cannot be disjoint. */
		(void)meet_low_word(&out, &low);
	}
	return out;
}

/* ---- comparisons ---------------------------------------------------------- */

/* Values of a strictly above those of b, unsigned (a > b). */
static void refine_ugt(struct scalar_range *a, struct scalar_range *b, bool or_equal)
{
	uint64_t gap = or_equal ? 0 : 1;

	if (b->umin > UINT64_MAX - gap)
		a->umin = UINT64_MAX, a->umax = 0; /* empty */
	else
		a->umin = max_u64(a->umin, b->umin + gap);
	if (a->umax < gap)
		b->umin = UINT64_MAX, b->umax = 0;
	else
		b->umax = min_u64(b->umax, a->umax - gap);
}

static void refine_sgt(struct scalar_range *a, struct scalar_range *b, bool or_equal)
{
	int64_t gap = or_equal ? 0 : 1;

	if (b->smin > INT64_MAX - gap)
		a->smin = INT64_MAX, a->smax = INT64_MIN;
	else
		a->smin = max_s64(a->smin, b->smin + gap);
	if (a->smax < INT64_MIN + gap)
		b->smin = INT64_MAX, b->smax = INT64_MIN;
	else
		b->smax = min_s64(b->smax, a->smax - gap);
}

static bool refine_eq(struct scalar_range *a, struct scalar_range *b)
{
	if ((a->bits.value ^ b->bits.value) & ~(a->bits.mask | b->bits.mask))
		return false;
	*a = *b = intersect(a, b);
	return true;
}

/* a != b narrows only when one side is a constant at the other's edge. */
static void refine_ne_const(struct scalar_range *a, const struct scalar_range *c)
{
	uint64_t v = c->bits.value;

	if (!scalar_is_const(c))
		return;
	if (a->umin == v && a->umin != UINT64_MAX)
		a->umin++;
	if (a->umax == v && a->umax != 0)
		a->umax--;
	if (a->smin == (int64_t)v && a->smin != INT64_MAX)
		a->smin++;
	if (a->smax == (int64_t)v && a->smax != INT64_MIN)
		a->smax--;
	if (scalar_is_const(a) && a->bits.value == v)
		a->umin = 1, a->umax = 0; /* empty */
}

static bool refine64(uint8_t op, bool taken, struct scalar_range *dst, struct scalar_range *src)
{
	/* A branch not taken is the taken branch of the opposite test. */
	if (!taken) {
		switch (op) {
		case EBPF_JMP_JEQ:
			op = EBPF_JMP_JNE;
			break;
		case EBPF_JMP_JNE:
			op = EBPF_JMP_JEQ;
			break;
		case EBPF_JMP_JGT:
			op = EBPF_JMP_JLE;
			break;
		case EBPF_JMP_JLE:
			op = EBPF_JMP_JGT;
			break;
		case EBPF_JMP_JGE:
			op = EBPF_JMP_JLT;
			break;
		case EBPF_JMP_JLT:
			op = EBPF_JMP_JGE;
			break;
		case EBPF_JMP_JSGT:
			op = EBPF_JMP_JSLE;
			break;
		case EBPF_JMP_JSLE:
			op = EBPF_JMP_JSGT;
			break;
		case EBPF_JMP_JSGE:
			op = EBPF_JMP_JSLT;
			break;
		case EBPF_JMP_JSLT:
			op = EBPF_JMP_JSGE;
			break;
		case EBPF_JMP_JSET:
			/* No bit of src is set in dst: known only for a constant src. */
			if (scalar_is_const(src)) {
				if (dst->bits.value & src->bits.value)
					return false;
				dst->bits.mask &= ~src->bits.value;
			}
			return scalar_normalize(dst);
		default:
			return true;
		}
	}
	switch (op) {
	case EBPF_JMP_JEQ:
		if (!refine_eq(dst, src))
			return false;
		break;
	case EBPF_JMP_JNE:
		refine_ne_const(dst, src);
		refine_ne_const(src, dst);
		break;
	case EBPF_JMP_JGT:
		refine_ugt(dst, src, false);
		break;
	case EBPF_JMP_JGE:
		refine_ugt(dst, src, true);
		break;
	case EBPF_JMP_JLT:
		refine_ugt(src, dst, false);
		break;
	case EBPF_JMP_JLE:
		refine_ugt(src, dst, true);
		break;
	case EBPF_JMP_JSGT:
		refine_sgt(dst, src, false);
		break;
	case EBPF_JMP_JSGE:
		refine_sgt(dst, src, true);
		break;
	case EBPF_JMP_JSLT:
		refine_sgt(src, dst, false);
		break;
	case EBPF_JMP_JSLE:
		refine_sgt(src, dst, true);
		break;
	case EBPF_JMP_JSET:
		/* Some bit of src is set in dst: impossible when none can be. */
		if (((dst->bits.value | dst->bits.mask) & (src->bits.value | src->bits.mask)) == 0)
			return false;
		break;
	default:
		break;
	}
	return scalar_normalize(dst) && scalar_normalize(src);
}

static bool is_signed_test(uint8_t op)
{
	return op == EBPF_JMP_JSGT || op == EBPF_JMP_JSGE || op == EBPF_JMP_JSLT ||
	       op == EBPF_JMP_JSLE;
}

bool scalar_refine(uint8_t op, bool taken, bool jmp32, struct scalar_range *dst,
		   struct scalar_range *src)
{
	struct scalar_range d, s;

	if (!jmp32)
		return refine64(op, taken, dst, src);
	/*
	 * RFC 9669 §4.3: JMP32 compares the low words, sign-extended for the
	 * signed tests. What the comparison learns about them narrows the
	 * operands' low words; scalar_normalize carries it to the 64-bit
	 * intervals only where the low word bounds the whole value.
	 */
	if (is_signed_test(op)) {
		d = scalar_sign_extend(dst, U32_BYTES);
		s = scalar_sign_extend(src, U32_BYTES);
	} else {
		d = scalar_truncate(dst, U32_BYTES);
		s = scalar_truncate(src, U32_BYTES);
	}
	if (!refine64(op, taken, &d, &s))
		return false;
	return meet_low_word(dst, &d) && meet_low_word(src, &s);
}

int scalar_format(const struct scalar_range *r, char *buf, unsigned long size)
{
	int len;

	if (scalar_is_const(r))
		return snprintf(buf, size, "%lld", (long long)r->bits.value);
	len = snprintf(buf, size, "(umin=%llu,umax=%llu,smin=%lld,smax=%lld,var_off=(%#llx; %#llx)",
		       (unsigned long long)r->umin, (unsigned long long)r->umax, (long long)r->smin,
		       (long long)r->smax, (unsigned long long)r->bits.value,
		       (unsigned long long)r->bits.mask);
	if (len < 0 || (unsigned long)len >= size)
		return len;
	/* Within 32 bits the 64-bit intervals already say it all. */
	if (r->umax > UINT32_MAX && (r->u32min != 0 || r->u32max != UINT32_MAX ||
				     r->s32min != INT32_MIN || r->s32max != INT32_MAX))
		len += snprintf(buf + len, size - (unsigned long)len, ",u32=[%u,%u],s32=[%d,%d]",
				r->u32min, r->u32max, r->s32min, r->s32max);
	if (len >= 0 && (unsigned long)len < size)
		len += snprintf(buf + len, size - (unsigned long)len, ")");
	return len;
}
