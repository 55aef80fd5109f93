/*
 * The verifier's scalar range arithmetic is sound: for random abstract
 * values and concrete members of them, the concrete result of every ALU
 * operation (RFC 9669 §4.1 semantics, 64- and 32-bit) lies in the
 * abstract result, and a comparison's refinement (64-bit and JMP32)
 * keeps every pair of members for which the branch is taken (or not).
 * Membership checks all five views: tnum, u64, s64, u32 and s32. Then
 * the edge cases one by one: what the separate 32-bit intervals must
 * keep and must not claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "isa.h"
#include "verifier_bounds.h"

#define ROUNDS	  200000
#define MEMBERS	  4
#define U32_BYTES 4

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Values near the edges where bounds arithmetic goes wrong. */
static uint64_t interesting(void)
{
	static const uint64_t edges[] = {0,	     1,
					 2,	     7,
					 8,	     63,
					 64,	     255,
					 0x7fffffff, 0x80000000,
					 0xffffffff, 0x100000000ull,
					 INT64_MAX,  (uint64_t)INT64_MIN,
					 UINT64_MAX, UINT64_MAX - 1};

	switch (rnd() % 4) {
	case 0:
		return edges[rnd() % (sizeof(edges) / sizeof(edges[0]))] + rnd() % 3 - 1;
	case 1:
		return rnd() % 300;
	case 2:
		return (uint64_t) - (int64_t)(rnd() % 300);
	default:
		return rnd();
	}
}

/* An abstract value that contains x, of a random shape. */
static struct scalar_range abstract_around(uint64_t x)
{
	struct scalar_range r = scalar_unknown();
	uint64_t below, above;

	switch (rnd() % 6) {
	case 0:
		return scalar_const(x);
	case 4:
		/* Only the low word bounded (after a JMP32 test). */
		below = rnd() % 1000;
		above = rnd() % 1000;
		r.u32min = (uint32_t)x >= below ? (uint32_t)x - (uint32_t)below : 0;
		r.u32max =
		    (uint32_t)x <= UINT32_MAX - above ? (uint32_t)x + (uint32_t)above : UINT32_MAX;
		if (rnd() & 1) {
			/* ...with the upper half known. */
			r.umin = x & ~(uint64_t)UINT32_MAX;
			r.umax = x | UINT32_MAX;
		}
		scalar_normalize(&r);
		return r;
	case 5:
		below = rnd() % 1000;
		above = rnd() % 1000;
		r.s32min = (int32_t)x >= INT32_MIN + (int32_t)below ? (int32_t)x - (int32_t)below
								    : INT32_MIN;
		r.s32max = (int32_t)x <= INT32_MAX - (int32_t)above ? (int32_t)x + (int32_t)above
								    : INT32_MAX;
		scalar_normalize(&r);
		return r;
	case 1:
		below = rnd() % 1000;
		above = rnd() % 1000;
		return scalar_urange(x >= below ? x - below : 0,
				     x <= UINT64_MAX - above ? x + above : UINT64_MAX);
	case 2:
		r.bits.mask = rnd() & rnd();
		r.bits.value = x & ~r.bits.mask;
		scalar_normalize(&r);
		return r;
	default:
		below = rnd() % 1000;
		above = rnd() % 1000;
		r.smin = (int64_t)x >= INT64_MIN + (int64_t)below ? (int64_t)x - (int64_t)below
								  : INT64_MIN;
		r.smax = (int64_t)x <= INT64_MAX - (int64_t)above ? (int64_t)x + (int64_t)above
								  : INT64_MAX;
		scalar_normalize(&r);
		return r;
	}
}

static bool member(const struct scalar_range *r, uint64_t x)
{
	return x >= r->umin && x <= r->umax && (int64_t)x >= r->smin && (int64_t)x <= r->smax &&
	       (uint32_t)x >= r->u32min && (uint32_t)x <= r->u32max && (int32_t)x >= r->s32min &&
	       (int32_t)x <= r->s32max && (x & ~r->bits.mask) == r->bits.value;
}

/* RFC 9669 §4.1, as the interpreter computes it. */
static uint64_t concrete_alu(uint8_t op, bool is_signed, bool alu32, uint64_t a, uint64_t b)
{
	unsigned int width = alu32 ? 32 : 64;
	uint64_t r;

	if (alu32) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
	switch (op) {
	case EBPF_ALU_ADD:
		r = a + b;
		break;
	case EBPF_ALU_SUB:
		r = a - b;
		break;
	case EBPF_ALU_MUL:
		r = a * b;
		break;
	case EBPF_ALU_OR:
		r = a | b;
		break;
	case EBPF_ALU_AND:
		r = a & b;
		break;
	case EBPF_ALU_XOR:
		r = a ^ b;
		break;
	case EBPF_ALU_LSH:
		r = a << (b & (width - 1));
		break;
	case EBPF_ALU_RSH:
		r = a >> (b & (width - 1));
		break;
	case EBPF_ALU_ARSH:
		r = alu32 ? (uint64_t)(uint32_t)((int32_t)a >> (b & 31))
			  : (uint64_t)((int64_t)a >> (b & 63));
		break;
	case EBPF_ALU_DIV:
		if (b == 0)
			r = 0;
		else if (!is_signed)
			r = a / b;
		else if (alu32)
			r = ((int32_t)a == INT32_MIN && (int32_t)b == -1)
				? a
				: (uint64_t)(uint32_t)((int32_t)a / (int32_t)b);
		else
			r = ((int64_t)a == INT64_MIN && (int64_t)b == -1)
				? a
				: (uint64_t)((int64_t)a / (int64_t)b);
		break;
	case EBPF_ALU_MOD:
		if (b == 0)
			r = a;
		else if (!is_signed)
			r = a % b;
		else if (alu32)
			r = (int32_t)b == -1 ? 0 : (uint64_t)(uint32_t)((int32_t)a % (int32_t)b);
		else
			r = (int64_t)b == -1 ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
		break;
	default: /* EBPF_ALU_MOV */
		r = b;
		break;
	}
	return alu32 ? (uint32_t)r : r;
}

static void test_alu_is_sound(void **state)
{
	static const uint8_t ops[] = {EBPF_ALU_ADD,  EBPF_ALU_SUB, EBPF_ALU_MUL, EBPF_ALU_OR,
				      EBPF_ALU_AND,  EBPF_ALU_XOR, EBPF_ALU_LSH, EBPF_ALU_RSH,
				      EBPF_ALU_ARSH, EBPF_ALU_DIV, EBPF_ALU_MOD, EBPF_ALU_MOV};
	int round;

	for (round = 0; round < ROUNDS; round++) {
		uint64_t a = interesting(), b = interesting();
		struct scalar_range ra = abstract_around(a), rb = abstract_around(b), out;
		uint8_t op = ops[rnd() % sizeof(ops)];
		bool alu32 = rnd() & 1;
		bool is_signed = (op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && (rnd() & 1);
		uint64_t expected;

		if (op == EBPF_ALU_LSH || op == EBPF_ALU_RSH || op == EBPF_ALU_ARSH)
			b %= 70;
		rb = abstract_around(b);
		assert_true(member(&ra, a));
		assert_true(member(&rb, b));
		out = scalar_alu(op, is_signed, alu32, &ra, &rb);
		expected = concrete_alu(op, is_signed, alu32, a, b);
		if (!member(&out, expected))
			fail_msg("op 0x%02x%s%s: %#llx, %#llx -> %#llx not in [%#llx, %#llx] "
				 "s[%lld, %lld] "
				 "(%#llx; %#llx)",
				 op, alu32 ? " (32)" : "", is_signed ? " signed" : "",
				 (unsigned long long)a, (unsigned long long)b,
				 (unsigned long long)expected, (unsigned long long)out.umin,
				 (unsigned long long)out.umax, (long long)out.smin,
				 (long long)out.smax, (unsigned long long)out.bits.value,
				 (unsigned long long)out.bits.mask);
	}
	(void)state;
}

/* RFC 9669 §4.3: JMP32 compares the low words. */
static bool concrete_jump(uint8_t op, bool jmp32, uint64_t a, uint64_t b)
{
	if (jmp32) {
		a = (uint64_t)(int64_t)(int32_t)a;
		b = (uint64_t)(int64_t)(int32_t)b;
		if (op != EBPF_JMP_JSGT && op != EBPF_JMP_JSGE && op != EBPF_JMP_JSLT &&
		    op != EBPF_JMP_JSLE) {
			a = (uint32_t)a;
			b = (uint32_t)b;
		}
	}
	switch (op) {
	case EBPF_JMP_JEQ:
		return a == b;
	case EBPF_JMP_JNE:
		return a != b;
	case EBPF_JMP_JGT:
		return a > b;
	case EBPF_JMP_JGE:
		return a >= b;
	case EBPF_JMP_JLT:
		return a < b;
	case EBPF_JMP_JLE:
		return a <= b;
	case EBPF_JMP_JSGT:
		return (int64_t)a > (int64_t)b;
	case EBPF_JMP_JSGE:
		return (int64_t)a >= (int64_t)b;
	case EBPF_JMP_JSLT:
		return (int64_t)a < (int64_t)b;
	case EBPF_JMP_JSLE:
		return (int64_t)a <= (int64_t)b;
	default:
		return (a & b) != 0; /* EBPF_JMP_JSET */
	}
}

static void test_refine_keeps_members(void **state)
{
	static const uint8_t ops[] = {EBPF_JMP_JEQ,  EBPF_JMP_JNE,  EBPF_JMP_JGT,  EBPF_JMP_JGE,
				      EBPF_JMP_JLT,  EBPF_JMP_JLE,  EBPF_JMP_JSGT, EBPF_JMP_JSGE,
				      EBPF_JMP_JSLT, EBPF_JMP_JSLE, EBPF_JMP_JSET};
	int round, k;

	for (round = 0; round < ROUNDS; round++) {
		uint64_t a = interesting(), b = rnd() % 3 ? interesting() : a;
		struct scalar_range ra = abstract_around(a), rb = abstract_around(b);
		uint8_t op = ops[rnd() % sizeof(ops)];
		bool jmp32 = rnd() & 1;

		/* Also try other members of the same abstract values. */
		for (k = 0; k < MEMBERS; k++) {
			struct scalar_range da = ra, db = rb;
			bool taken = concrete_jump(op, jmp32, a, b);

			if (!scalar_refine(op, taken, jmp32, &da, &db))
				fail_msg("op 0x%02x%s taken=%d: %#llx, %#llx satisfy it, refine "
					 "says impossible",
					 op, jmp32 ? " (32)" : "", taken, (unsigned long long)a,
					 (unsigned long long)b);
			if (!member(&da, a) || !member(&db, b))
				fail_msg("op 0x%02x%s taken=%d: %#llx, %#llx dropped by refinement",
					 op, jmp32 ? " (32)" : "", taken, (unsigned long long)a,
					 (unsigned long long)b);
			a = ra.umax - ra.umin == UINT64_MAX
				? rnd()
				: ra.umin + rnd() % (ra.umax - ra.umin + 1);
			if (!member(&ra, a))
				a = ra.bits.value;
			if (!member(&ra, a))
				break;
		}
	}
	(void)state;
}

static void test_truncate_and_sign_extend(void **state)
{
	static const unsigned int widths[] = {1, 2, 4};
	int round;

	for (round = 0; round < ROUNDS; round++) {
		uint64_t x = interesting();
		struct scalar_range r = abstract_around(x), t, s;
		unsigned int bytes = widths[rnd() % 3];
		unsigned int shift = 64 - 8 * bytes;

		t = scalar_truncate(&r, bytes);
		s = scalar_sign_extend(&r, bytes);
		assert_true(member(&t, (x << shift) >> shift));
		assert_true(member(&s, (uint64_t)((int64_t)(x << shift) >> shift)));
	}
	(void)state;
}

static void test_constants_stay_exact(void **state)
{
	struct scalar_range a = scalar_const(60), b = scalar_const(4), out;

	out = scalar_alu(EBPF_ALU_ADD, false, false, &a, &b);
	assert_true(scalar_is_const(&out));
	assert_int_equal(out.bits.value, 64);
	b = scalar_const(0);
	out = scalar_alu(EBPF_ALU_DIV, false, false, &a, &b);
	assert_true(scalar_is_const(&out));
	assert_int_equal(out.bits.value, 0);
	out = scalar_alu(EBPF_ALU_MOD, false, false, &a, &b);
	assert_true(member(&out, 60));
	/* The loop exit: i = 64 < 64 cannot be taken. */
	a = scalar_const(64);
	b = scalar_const(64);
	assert_false(scalar_refine(EBPF_JMP_JLT, true, false, &a, &b));
	(void)state;
}

static struct scalar_range low_word_bounded(uint32_t min, uint32_t max)
{
	struct scalar_range r = scalar_unknown();

	r.u32min = min;
	r.u32max = max;
	assert_true(scalar_normalize(&r));
	return r;
}

/* "if w1 < 8" on an unknown 64-bit r1 bounds w1, never r1. */
static void test_jmp32_narrows_only_the_low_word(void **state)
{
	struct scalar_range r = scalar_unknown(), eight = scalar_const(8);

	assert_true(scalar_refine(EBPF_JMP_JLT, true, true, &r, &eight));
	assert_int_equal(r.u32min, 0);
	assert_int_equal(r.u32max, 7);
	assert_int_equal(r.s32min, 0);
	assert_int_equal(r.s32max, 7);
	/* The largest value with such a low word; any upper half remains. */
	assert_int_equal(r.umax, 0xffffffff00000007ull);
	assert_int_equal(r.smin, INT64_MIN);
	assert_true(member(&r, 0xdeadbeef00000003ull));
	/* The other branch: w1 >= 8, so as signed the low word may be negative. */
	r = scalar_unknown();
	assert_true(scalar_refine(EBPF_JMP_JLT, false, true, &r, &eight));
	assert_int_equal(r.u32min, 8);
	assert_int_equal(r.s32min, INT32_MIN);
	assert_true(member(&r, 0x80000000ull));
	(void)state;
}

/* With the upper half known zero, the 32-bit test bounds the whole value. */
static void test_jmp32_bounds_zero_extended_value(void **state)
{
	struct scalar_range r = scalar_urange(0, UINT32_MAX), c = scalar_const(100);

	assert_true(scalar_refine(EBPF_JMP_JLE, true, true, &r, &c));
	assert_int_equal(r.umax, 100);
	assert_int_equal(r.smax, 100);
	/* A sign-extended 32-bit value: "w1 s< 0" makes the 64-bit value negative. */
	r = scalar_unknown();
	r.smin = INT32_MIN;
	r.smax = INT32_MAX;
	assert_true(scalar_normalize(&r));
	c = scalar_const(0);
	assert_true(scalar_refine(EBPF_JMP_JSLT, true, true, &r, &c));
	assert_int_equal(r.smax, -1);
	assert_int_equal(r.smin, INT32_MIN);
	assert_int_equal(r.umin, (uint64_t)(int64_t)INT32_MIN);
	(void)state;
}

/* ALU32 results come from the 32-bit intervals, not the 64-bit ones. */
static void test_alu32_uses_low_word_bounds(void **state)
{
	struct scalar_range r = low_word_bounded(10, 20), one = scalar_const(1), out;

	/* Upper half unknown: the 64-bit value is unbounded, w1 + 1 is not. */
	assert_true(r.umax >= 0xffffffff00000000ull);
	out = scalar_alu(EBPF_ALU_ADD, false, true, &r, &one);
	assert_int_equal(out.umin, 11);
	assert_int_equal(out.umax, 21);
	/* 64-bit add: the value unknown, its low word still known. */
	out = scalar_alu(EBPF_ALU_ADD, false, false, &r, &one);
	assert_int_equal(out.u32min, 11);
	assert_int_equal(out.u32max, 21);
	assert_true(out.umax >= 0xffffffff00000000ull);
	(void)state;
}

/* 0xffffffff + 1 wraps to 0 in 32 bits: the range may not claim [1, ...]. */
static void test_alu32_wrap_around(void **state)
{
	struct scalar_range r = low_word_bounded(0xfffffff0u, UINT32_MAX), c = scalar_const(0x20);
	struct scalar_range out = scalar_alu(EBPF_ALU_ADD, false, true, &r, &c);

	assert_true(member(&out, 0x10));
	assert_true(member(&out, 0x1f));
	assert_true(out.umax <= UINT32_MAX);
	/* As signed 32-bit values [-16, -1] + 0x20 is [16, 31]: exact. */
	assert_int_equal(out.umin, 0x10);
	assert_int_equal(out.umax, 0x1f);
	/* Subtraction below zero wraps to the top of the word. */
	r = low_word_bounded(0, 4);
	c = scalar_const(5);
	out = scalar_alu(EBPF_ALU_SUB, false, true, &r, &c);
	assert_true(member(&out, 0xffffffffu));
	assert_true(member(&out, 0xfffffffbu));
	assert_int_equal(out.s32min, -5);
	assert_int_equal(out.s32max, -1);
	(void)state;
}

/* The signed view crossing zero, and INT32_MIN's negation. */
static void test_alu32_sign_boundaries(void **state)
{
	struct scalar_range r = scalar_unknown(), c = scalar_const(1), zero = scalar_const(0);
	struct scalar_range out;

	r.s32min = -5;
	r.s32max = 5;
	assert_true(scalar_normalize(&r));
	out = scalar_alu(EBPF_ALU_ADD, false, true, &r, &c);
	assert_int_equal(out.s32min, -4);
	assert_int_equal(out.s32max, 6);
	/* The zero-extended result is [0, 6] or [0xfffffffc, 0xffffffff]. */
	assert_true(member(&out, 0xfffffffcu));
	assert_false(member(&out, 0xfffffffbu));
	/* -INT32_MIN is INT32_MIN again (two's complement, 32 bits). */
	r = scalar_const((uint32_t)INT32_MIN);
	out = scalar_alu(EBPF_ALU_SUB, false, true, &zero, &r);
	assert_true(scalar_is_const(&out));
	assert_int_equal(out.bits.value, 0x80000000u);
	/* [INT32_MIN, INT32_MIN + 1] negated: INT32_MIN and INT32_MAX. */
	r = scalar_unknown();
	r.s32min = INT32_MIN;
	r.s32max = INT32_MIN + 1;
	assert_true(scalar_normalize(&r));
	out = scalar_alu(EBPF_ALU_SUB, false, true, &zero, &r);
	assert_true(member(&out, 0x80000000u));
	assert_true(member(&out, 0x7fffffffu));
	(void)state;
}

/* Shifts: 32-bit amounts are masked to 5 bits; ARSH32 sees the low word as signed. */
static void test_alu32_shifts(void **state)
{
	struct scalar_range r = low_word_bounded(1, 3), c = scalar_const(33), out;

	out = scalar_alu(EBPF_ALU_LSH, false, true, &r, &c);
	assert_int_equal(out.umin, 2);
	assert_int_equal(out.umax, 6);
	r = scalar_unknown();
	r.s32min = -8;
	r.s32max = -2;
	assert_true(scalar_normalize(&r));
	c = scalar_const(1);
	out = scalar_alu(EBPF_ALU_ARSH, false, true, &r, &c);
	assert_int_equal(out.s32min, -4);
	assert_int_equal(out.s32max, -1);
	assert_int_equal(out.umin, 0xfffffffcu);
	assert_int_equal(out.umax, 0xffffffffu);
	/* RSH32 sees it unsigned: -8 >> 1 is 0x7ffffffc. */
	out = scalar_alu(EBPF_ALU_RSH, false, true, &r, &c);
	assert_true(member(&out, 0x7ffffffcu));
	/* A 64-bit left shift by 32 or more empties the low word. */
	r = low_word_bounded(1, 3);
	c = scalar_const(32);
	out = scalar_alu(EBPF_ALU_LSH, false, false, &r, &c);
	assert_int_equal(out.u32max, 0);
	(void)state;
}

/* Truncation keeps the low word's intervals; sign extension the signed one. */
static void test_truncate_keeps_low_word_bounds(void **state)
{
	struct scalar_range r = scalar_unknown(), t;

	r.s32min = -3;
	r.s32max = -1;
	assert_true(scalar_normalize(&r));
	t = scalar_truncate(&r, 4);
	assert_int_equal(t.umin, 0xfffffffdu);
	assert_int_equal(t.umax, 0xffffffffu);
	t = scalar_sign_extend(&r, 4);
	assert_int_equal(t.smin, -3);
	assert_int_equal(t.smax, -1);
	assert_int_equal(t.umin, (uint64_t)-3);
	/* A 64-bit range across the upper halves says nothing of the low word. */
	t = scalar_urange(0xfffffff0u, 0x100000010ull);
	assert_int_equal(t.u32min, 0);
	assert_int_equal(t.u32max, UINT32_MAX);
	/* One upper half: the low word runs from umin's to umax's. */
	t = scalar_urange(0x500000010ull, 0x500000020ull);
	assert_int_equal(t.u32min, 0x10);
	assert_int_equal(t.u32max, 0x20);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alu_is_sound),
	    cmocka_unit_test(test_refine_keeps_members),
	    cmocka_unit_test(test_truncate_and_sign_extend),
	    cmocka_unit_test(test_constants_stay_exact),
	    cmocka_unit_test(test_jmp32_narrows_only_the_low_word),
	    cmocka_unit_test(test_jmp32_bounds_zero_extended_value),
	    cmocka_unit_test(test_alu32_uses_low_word_bounds),
	    cmocka_unit_test(test_alu32_wrap_around),
	    cmocka_unit_test(test_alu32_sign_boundaries),
	    cmocka_unit_test(test_alu32_shifts),
	    cmocka_unit_test(test_truncate_keeps_low_word_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
