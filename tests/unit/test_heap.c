/* Unit tests for kernel/heap.c: the program break behind newlib's malloc. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heap.h"

#define REGION_SIZE 4096

static _Alignas(HEAP_ALIGN) uint8_t region[REGION_SIZE + 2 * HEAP_ALIGN];
static struct heap heap;

static void *current_break(void)
{
	void *brk = NULL;

	assert_int_equal(heap_grow(&heap, 0, &brk), 0);
	return brk;
}

static void test_init_aligned_region(void **state)
{
	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_size(&heap), REGION_SIZE);
	assert_int_equal(heap_used(&heap), 0);
	assert_ptr_equal(current_break(), region);
}

static void test_init_rounds_inward(void **state)
{
	/* Start 3 bytes past an aligned address, end 5 bytes past another. */
	heap_init(&heap, region + 3, REGION_SIZE + 2);
	assert_ptr_equal(current_break(), region + HEAP_ALIGN);
	assert_int_equal(heap_size(&heap), REGION_SIZE - HEAP_ALIGN);
}

static void test_init_too_small_region(void **state)
{
	void *brk = NULL;

	/* [region + 1, region + 31) holds no aligned 16-byte unit. */
	heap_init(&heap, region + 1, 2 * HEAP_ALIGN - 2);
	assert_int_equal(heap_size(&heap), 0);
	assert_int_equal(heap_grow(&heap, 1, &brk), -ENOMEM);
	heap_init(&heap, region + 1, 3);
	assert_int_equal(heap_size(&heap), 0);
	heap_init(&heap, region, 0);
	assert_int_equal(heap_size(&heap), 0);
	assert_int_equal(heap_grow(&heap, 1, &brk), -ENOMEM);
}

static void test_init_region_wrapping_the_address_space(void **state)
{
	void *base = (void *)(UINTPTR_MAX - 0xfff);

	heap_init(&heap, base, 0x10000);
	assert_ptr_equal(current_break(), base);
	assert_int_equal(heap_size(&heap), 0xff0);
}

static void test_grow_returns_previous_break(void **state)
{
	void *first = NULL, *second = NULL;

	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_grow(&heap, 256, &first), 0);
	assert_ptr_equal(first, region);
	assert_int_equal(heap_grow(&heap, 1024, &second), 0);
	assert_ptr_equal(second, region + 256);
	assert_int_equal(heap_used(&heap), 1280);
	assert_ptr_equal(current_break(), region + 1280);
	/* The memory handed out is really there. */
	memset(first, 0xa5, 1280);
}

static void test_grow_keeps_break_aligned(void **state)
{
	static const intptr_t increments[] = {1, 15, 16, 17, 100, 3};
	void *old = NULL;
	size_t used = 0;
	size_t i;

	heap_init(&heap, region, REGION_SIZE);
	for (i = 0; i < sizeof(increments) / sizeof(increments[0]); i++) {
		assert_int_equal(heap_grow(&heap, increments[i], &old), 0);
		assert_int_equal((uintptr_t)old % HEAP_ALIGN, 0);
		used += ((size_t)increments[i] + HEAP_ALIGN - 1) / HEAP_ALIGN * HEAP_ALIGN;
		assert_int_equal(heap_used(&heap), used);
	}
	assert_int_equal((uintptr_t)current_break() % HEAP_ALIGN, 0);
}

static void test_exhaustion(void **state)
{
	void *old = NULL;

	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_grow(&heap, REGION_SIZE + 1, &old), -ENOMEM);
	assert_int_equal(heap_used(&heap), 0);
	assert_int_equal(heap_grow(&heap, REGION_SIZE - 32, &old), 0);
	/* 17 bytes would round to 32, which still fits exactly. */
	assert_int_equal(heap_grow(&heap, 17, &old), 0);
	assert_int_equal(heap_used(&heap), REGION_SIZE);

	old = NULL;
	assert_int_equal(heap_grow(&heap, 1, &old), -ENOMEM);
	assert_int_equal(heap_grow(&heap, INTPTR_MAX, &old), -ENOMEM);
	/* Failure leaves the break and *old_break alone. */
	assert_null(old);
	assert_ptr_equal(current_break(), region + REGION_SIZE);
}

static void test_growth_rounding_never_passes_the_end(void **state)
{
	void *old = NULL;

	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_grow(&heap, REGION_SIZE - 16, &old), 0);
	assert_int_equal(heap_grow(&heap, 17, &old), -ENOMEM);
	assert_int_equal(heap_grow(&heap, 16, &old), 0);
	assert_int_equal(heap_used(&heap), heap_size(&heap));
}

static void test_shrink(void **state)
{
	void *old = NULL;

	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_grow(&heap, 1024, &old), 0);
	assert_int_equal(heap_grow(&heap, -256, &old), 0);
	assert_ptr_equal(old, region + 1024);
	assert_int_equal(heap_used(&heap), 768);
	/* Shrinking rounds down: never gives back memory still in use. */
	assert_int_equal(heap_grow(&heap, -20, &old), 0);
	assert_int_equal(heap_used(&heap), 752);
	assert_int_equal(heap_grow(&heap, -15, &old), 0);
	assert_int_equal(heap_used(&heap), 752);
	/* Growth after a shrink reuses the same addresses. */
	assert_int_equal(heap_grow(&heap, 16, &old), 0);
	assert_ptr_equal(old, region + 752);
}

static void test_shrink_below_base_is_rejected(void **state)
{
	void *old = NULL;

	heap_init(&heap, region, REGION_SIZE);
	assert_int_equal(heap_grow(&heap, 32, &old), 0);
	/* 33 bytes is below base even though 32 (rounded down) is not. */
	assert_int_equal(heap_grow(&heap, -33, &old), -EINVAL);
	assert_int_equal(heap_grow(&heap, INTPTR_MIN, &old), -EINVAL);
	assert_int_equal(heap_used(&heap), 32);
	assert_int_equal(heap_grow(&heap, -32, &old), 0);
	assert_int_equal(heap_used(&heap), 0);
	assert_int_equal(heap_grow(&heap, -1, &old), -EINVAL);
	assert_ptr_equal(current_break(), region);
}

static void test_take_top_lowers_the_limit_aligned(void **state)
{
	struct heap h;
	void *old_break, *taken;

	heap_init(&h, region, REGION_SIZE);
	assert_int_equal(heap_take_top(&h, 100, 64, &taken), 0);
	assert_int_equal((uintptr_t)taken % 64, 0);
	assert_true((uint8_t *)taken >= region + REGION_SIZE - 100 - 63);
	assert_true((uint8_t *)taken <= region + REGION_SIZE - 100);
	assert_int_equal(heap_size(&h), (uintptr_t)taken - (uintptr_t)region);
	/* the heap can no longer grow into what was taken */
	assert_int_equal(heap_grow(&h, (intptr_t)heap_size(&h) + 1, &old_break), -ENOMEM);
	assert_int_equal(heap_grow(&h, (intptr_t)heap_size(&h), &old_break), 0);
}

static void test_take_top_stops_at_the_break(void **state)
{
	struct heap h;
	void *old_break, *taken = NULL;

	heap_init(&h, region, REGION_SIZE);
	assert_int_equal(heap_grow(&h, REGION_SIZE / 2, &old_break), 0);
	assert_int_equal(heap_take_top(&h, REGION_SIZE / 2 + HEAP_ALIGN, HEAP_ALIGN, &taken),
			 -ENOMEM);
	assert_null(taken);
	assert_int_equal(heap_size(&h), REGION_SIZE);
	assert_int_equal(heap_take_top(&h, REGION_SIZE / 2, HEAP_ALIGN, &taken), 0);
	assert_ptr_equal(taken, region + REGION_SIZE / 2);
	assert_int_equal(heap_take_top(&h, HEAP_ALIGN, HEAP_ALIGN, &taken), -ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_aligned_region),
	    cmocka_unit_test(test_init_rounds_inward),
	    cmocka_unit_test(test_init_too_small_region),
	    cmocka_unit_test(test_init_region_wrapping_the_address_space),
	    cmocka_unit_test(test_grow_returns_previous_break),
	    cmocka_unit_test(test_grow_keeps_break_aligned),
	    cmocka_unit_test(test_exhaustion),
	    cmocka_unit_test(test_growth_rounding_never_passes_the_end),
	    cmocka_unit_test(test_shrink),
	    cmocka_unit_test(test_shrink_below_base_is_rejected),
	    cmocka_unit_test(test_take_top_lowers_the_limit_aligned),
	    cmocka_unit_test(test_take_top_stops_at_the_break),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
