/*
 * The verifier's scalar range arithmetic is sound: for random abstract
 * values and concrete members of them, the concrete result of every ALU
 * operation (RFC 9669 §4.1 semantics, 64- and 32-bit) lies in the
 * abstract result, and a comparison's refinement keeps every pair of
 * members for which the branch is taken (or not).
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

	switch (rnd() % 4) {
	case 0:
		return scalar_const(x);
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
	       (x & ~r->bits.mask) == r->bits.value;
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

static bool concrete_jump(uint8_t op, uint64_t a, uint64_t b)
{
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

		/* Also try other members of the same abstract values. */
		for (k = 0; k < MEMBERS; k++) {
			struct scalar_range da = ra, db = rb;
			bool taken = concrete_jump(op, a, b);

			if (!scalar_refine(op, taken, &da, &db))
				fail_msg("op 0x%02x taken=%d: %#llx, %#llx satisfy it, refine says "
					 "impossible",
					 op, taken, (unsigned long long)a, (unsigned long long)b);
			if (!member(&da, a) || !member(&db, b))
				fail_msg("op 0x%02x taken=%d: %#llx, %#llx dropped by refinement",
					 op, taken, (unsigned long long)a, (unsigned long long)b);
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
	assert_false(scalar_refine(EBPF_JMP_JLT, true, &a, &b));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alu_is_sound),
	    cmocka_unit_test(test_refine_keeps_members),
	    cmocka_unit_test(test_truncate_and_sign_extend),
	    cmocka_unit_test(test_constants_stay_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
