/* Unit tests for kernel/pmm.c: the physical page allocator. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pmm.h"

#define PAGE PMM_PAGE_SIZE
#define MIB  (1ull << 20)

static struct pmm pmm;

struct free_ranges {
	struct pmm_range ranges[PMM_MAX_RANGES];
	size_t count;
};

static void record_range(uint64_t base, uint64_t len, void *ctx)
{
	struct free_ranges *seen = ctx;

	assert_true(seen->count < PMM_MAX_RANGES);
	seen->ranges[seen->count].base = base;
	seen->ranges[seen->count].end = base + len;
	seen->count++;
}

/* Asserts that the free ranges are exactly expected[0..count), in order. */
static void assert_free_ranges(const struct pmm_range *expected, size_t count)
{
	struct free_ranges seen = {.count = 0};
	uint64_t bytes = 0;
	size_t i;

	pmm_for_each_free_range(&pmm, record_range, &seen);
	assert_int_equal(seen.count, count);
	for (i = 0; i < count; i++) {
		assert_int_equal(seen.ranges[i].base, expected[i].base);
		assert_int_equal(seen.ranges[i].end, expected[i].end);
		bytes += expected[i].end - expected[i].base;
	}
	assert_int_equal(pmm_free_bytes(&pmm), bytes);
}

#define ASSERT_FREE(...)                                                                           \
	do {                                                                                       \
		const struct pmm_range expected[] = {__VA_ARGS__};                                 \
		assert_free_ranges(expected, sizeof(expected) / sizeof(expected[0]));              \
	} while (0)

static int setup(void **state)
{
	pmm_init(&pmm);
	return 0;
}

static void test_empty_allocator(void **state)
{
	uint64_t base = 1, len = 1;

	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0);
	assert_int_equal(pmm_free_bytes(&pmm), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0);
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), -ENOMEM);
	assert_free_ranges(NULL, 0);
	assert_int_equal(pmm_free_pages(&pmm, 0x1000, 1), -EINVAL);
}

static void test_unaligned_region_shrinks_inward(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 0x1234, 0x5000), 0);
	ASSERT_FREE({0x2000, 0x6000});
	assert_int_equal(pmm_total_bytes(&pmm), 0x4000);
}

static void test_sub_page_regions_are_ignored(void **state)
{
	/* Two bytes short of covering the page at 0x11000. */
	assert_int_equal(pmm_add_region(&pmm, 0x10001, 0x1ffe), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x20000, 0xfff), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x30000, 0), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0);
	/* One byte more and it does. */
	assert_int_equal(pmm_add_region(&pmm, 0x10001, 0x1fff), 0);
	ASSERT_FREE({0x11000, 0x12000});
}

static void test_page_zero_is_never_managed(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 0, 0x10000), 0);
	ASSERT_FREE({0x1000, 0x10000});
	assert_int_equal(pmm_add_region(&pmm, 0x800, 0x400), 0);
	ASSERT_FREE({0x1000, 0x10000});
	assert_int_equal(pmm_free_pages(&pmm, 0, 1), -EINVAL);
}

static void test_memory_above_limit_is_clipped(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, PMM_ADDR_LIMIT, 0x10000), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0);
	/* base + len wraps around 2^64: clamp, do not wrap. */
	assert_int_equal(pmm_add_region(&pmm, PMM_ADDR_LIMIT - 0x2000, UINT64_MAX), 0);
	ASSERT_FREE({PMM_ADDR_LIMIT - 0x2000, PMM_ADDR_LIMIT});
	assert_int_equal(pmm_reserve(&pmm, PMM_ADDR_LIMIT - 0x1000, UINT64_MAX), 0);
	ASSERT_FREE({PMM_ADDR_LIMIT - 0x2000, PMM_ADDR_LIMIT - 0x1000});
}

static void test_overlapping_and_touching_regions_merge(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x10000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x18000, 0x10000), 0);
	ASSERT_FREE({0x10000, 0x28000});
	/* Touching on the left, and one that bridges two ranges. */
	assert_int_equal(pmm_add_region(&pmm, 0x8000, 0x8000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x40000, 0x1000), 0);
	ASSERT_FREE({0x8000, 0x28000}, {0x40000, 0x41000});
	assert_int_equal(pmm_add_region(&pmm, 0x20000, 0x30000), 0);
	ASSERT_FREE({0x8000, 0x50000});
	assert_int_equal(pmm_total_bytes(&pmm), 0x48000);
	/* Adding the same region again changes nothing. */
	assert_int_equal(pmm_add_region(&pmm, 0x8000, 0x48000), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0x48000);
}

static void test_overlapping_region_keeps_allocations(void **state)
{
	uint64_t page;

	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x10000), 0);
	page = pmm_alloc_pages(&pmm, 1, 1);
	assert_int_equal(page, 0x10000);
	assert_int_equal(pmm_add_region(&pmm, 0x8000, 0x20000), 0);
	ASSERT_FREE({0x8000, 0x10000}, {0x11000, 0x28000});
	assert_int_equal(pmm_total_bytes(&pmm), 0x20000);
	assert_int_equal(pmm_free_pages(&pmm, page, 1), 0);
	ASSERT_FREE({0x8000, 0x28000});
}

static void test_reserve_splits_and_trims(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 1 * MIB, 1 * MIB), 0);
	/* Middle: the range splits in two. */
	assert_int_equal(pmm_reserve(&pmm, 0x150000, 0x2000), 0);
	ASSERT_FREE({0x100000, 0x150000}, {0x152000, 0x200000});
	/* Unaligned: grows outward to the whole pages it touches. */
	assert_int_equal(pmm_reserve(&pmm, 0x180ff0, 0x20), 0);
	ASSERT_FREE({0x100000, 0x150000}, {0x152000, 0x180000}, {0x182000, 0x200000});
	/* Left and right edges trim. */
	assert_int_equal(pmm_reserve(&pmm, 0x100000, 0x1000), 0);
	assert_int_equal(pmm_reserve(&pmm, 0x1ff000, 0x1000), 0);
	ASSERT_FREE({0x101000, 0x150000}, {0x152000, 0x180000}, {0x182000, 0x1ff000});
	/* Spanning holes: swallows whole ranges and trims the ends. */
	assert_int_equal(pmm_reserve(&pmm, 0x140000, 0x50000), 0);
	ASSERT_FREE({0x101000, 0x140000}, {0x190000, 0x1ff000});
	assert_int_equal(pmm_total_bytes(&pmm), pmm_free_bytes(&pmm));
	/* Memory never added, or already reserved: nothing to do. */
	assert_int_equal(pmm_reserve(&pmm, 0x300000, 0x10000), 0);
	assert_int_equal(pmm_reserve(&pmm, 0x140000, 0x1000), 0);
	assert_int_equal(pmm_reserve(&pmm, 0x150000, 0), 0);
	ASSERT_FREE({0x101000, 0x140000}, {0x190000, 0x1ff000});
}

static void test_reserve_low_memory_like_boot(void **state)
{
	/* A QEMU-like map: low RAM below the VGA hole, then RAM from 1 MiB. */
	assert_int_equal(pmm_add_region(&pmm, 0, 0x9fc00), 0);
	assert_int_equal(pmm_add_region(&pmm, 1 * MIB, 127 * MIB), 0);
	assert_int_equal(pmm_reserve(&pmm, 0, 1 * MIB), 0);
	assert_int_equal(pmm_reserve(&pmm, 1 * MIB, 0x123456), 0);
	ASSERT_FREE({0x224000, 128 * MIB});
	assert_int_equal(pmm_total_bytes(&pmm), 128 * MIB - 0x224000);
}

static void test_reserved_pages_cannot_be_freed(void **state)
{
	uint64_t page;

	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x10000), 0);
	page = pmm_alloc_pages(&pmm, 1, 1);
	assert_int_equal(pmm_reserve(&pmm, 0x10000, 0x2000), 0);
	assert_int_equal(pmm_free_pages(&pmm, page, 1), -EINVAL);
	ASSERT_FREE({0x12000, 0x20000});
}

static void test_first_fit_lowest_address(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x2000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x20000, 0x4000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x30000, 0x8000), 0);
	/* Too big for the first range: the second, not the largest. */
	assert_int_equal(pmm_alloc_pages(&pmm, 3, 1), 0x20000);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 0), 0x10000);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0x11000);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0x23000);
	assert_int_equal(pmm_alloc_pages(&pmm, 8, 1), 0x30000);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0);
	assert_int_equal(pmm_free_bytes(&pmm), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0xe000);
}

static void test_alignment(void **state)
{
	assert_int_equal(pmm_add_region(&pmm, 0x101000, 0x40000), 0);
	/* 64 KiB aligned: skips to 0x110000 and leaves the gap free. */
	assert_int_equal(pmm_alloc_pages(&pmm, 2, 16), 0x110000);
	ASSERT_FREE({0x101000, 0x110000}, {0x112000, 0x141000});
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0x101000);
	/* 2 MiB aligned does not fit anywhere in [0x101000, 0x141000). */
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 512), 0);
	/* Not a power of two. */
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 3), 0);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 32), 0x120000);
	/* Absurd sizes fail cleanly instead of overflowing. */
	assert_int_equal(pmm_alloc_pages(&pmm, UINT64_MAX, 1), 0);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1ull << 63), 0);
	assert_int_equal(pmm_alloc_pages(&pmm, 0, 1), 0);
}

static void test_exhaustion(void **state)
{
	uint64_t page;
	uint64_t pages = 0;

	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x40000), 0);
	assert_int_equal(pmm_alloc_pages(&pmm, 0x41, 1), 0);
	while ((page = pmm_alloc_pages(&pmm, 1, 1)) != 0) {
		assert_int_equal(page, 0x10000 + pages * PAGE);
		pages++;
	}
	assert_int_equal(pages, 0x40);
	assert_int_equal(pmm_free_bytes(&pmm), 0);
	assert_int_equal(pmm_total_bytes(&pmm), 0x40000);
	assert_int_equal(pmm_free_pages(&pmm, 0x10000, 0x40), 0);
	ASSERT_FREE({0x10000, 0x50000});
}

static void test_free_coalesces_both_sides(void **state)
{
	uint64_t a, b, c;

	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x4000), 0);
	a = pmm_alloc_pages(&pmm, 1, 1);
	b = pmm_alloc_pages(&pmm, 1, 1);
	c = pmm_alloc_pages(&pmm, 1, 1);
	ASSERT_FREE({0x13000, 0x14000});
	assert_int_equal(pmm_free_pages(&pmm, a, 1), 0);
	ASSERT_FREE({0x10000, 0x11000}, {0x13000, 0x14000});
	/* Right neighbour only. */
	assert_int_equal(pmm_free_pages(&pmm, c, 1), 0);
	ASSERT_FREE({0x10000, 0x11000}, {0x12000, 0x14000});
	/* Both sides: three ranges become one. */
	assert_int_equal(pmm_free_pages(&pmm, b, 1), 0);
	ASSERT_FREE({0x10000, 0x14000});
}

static void test_bad_frees_are_rejected(void **state)
{
	uint64_t block;

	/* Two ranges with a hole at 0x18000 that was never added. */
	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x8000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x19000, 0x8000), 0);
	block = pmm_alloc_pages(&pmm, 8, 1);
	assert_int_equal(block, 0x10000);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0x19000);

	assert_int_equal(pmm_free_pages(&pmm, block, 2), 0);
	/* Double free, whole and partial. */
	assert_int_equal(pmm_free_pages(&pmm, block, 2), -EINVAL);
	assert_int_equal(pmm_free_pages(&pmm, block + PAGE, 2), -EINVAL);
	/* Misaligned, empty, never added, overflowing. */
	assert_int_equal(pmm_free_pages(&pmm, block + 2 * PAGE + 8, 1), -EINVAL);
	assert_int_equal(pmm_free_pages(&pmm, block + 2 * PAGE, 0), -EINVAL);
	assert_int_equal(pmm_free_pages(&pmm, 0x90000, 1), -EINVAL);
	assert_int_equal(pmm_free_pages(&pmm, block + 2 * PAGE, UINT64_MAX), -EINVAL);
	assert_int_equal(pmm_free_pages(&pmm, UINT64_MAX & ~(PAGE - 1), 1), -EINVAL);
	/* Allocated pages on both sides of the hole: still not one range. */
	assert_int_equal(pmm_free_pages(&pmm, 0x17000, 3), -EINVAL);
	/* None of that changed anything. */
	ASSERT_FREE({0x10000, 0x12000}, {0x1a000, 0x21000});
	assert_int_equal(pmm_free_pages(&pmm, block + 2 * PAGE, 6), 0);
	assert_int_equal(pmm_free_pages(&pmm, 0x19000, 1), 0);
	ASSERT_FREE({0x10000, 0x18000}, {0x19000, 0x21000});
}

static void test_largest(void **state)
{
	uint64_t base = 0, len = 0;

	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x3000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x20000, 0x5000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x30000, 0x5000), 0);
	assert_int_equal(pmm_add_region(&pmm, 0x40000, 0x1000), 0);
	/* Equal sizes: the lower one. */
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), 0);
	assert_int_equal(base, 0x20000);
	assert_int_equal(len, 0x5000);
	ASSERT_FREE({0x10000, 0x13000}, {0x30000, 0x35000}, {0x40000, 0x41000});
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), 0);
	assert_int_equal(base, 0x30000);
	assert_int_equal(pmm_free_pages(&pmm, 0x20000, 5), 0);
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), 0);
	assert_int_equal(base, 0x20000);
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), 0);
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), 0);
	assert_int_equal(base, 0x40000);
	assert_int_equal(len, PAGE);
	assert_int_equal(pmm_alloc_largest(&pmm, &base, &len), -ENOMEM);
	assert_int_equal(pmm_total_bytes(&pmm), 0xe000);
}

/* Fills the free table with PMM_MAX_RANGES ranges of `pages` pages each,
 * one page apart, starting at page `first_page`. */
static void fill_range_table(uint64_t first_page, uint64_t pages)
{
	uint64_t i;

	for (i = 0; i < PMM_MAX_RANGES; i++)
		assert_int_equal(
		    pmm_add_region(&pmm, (first_page + i * (pages + 1)) * PAGE, pages * PAGE), 0);
}

static void test_full_table_is_reported_and_harmless(void **state)
{
	struct pmm before;

	fill_range_table(16, 2);
	before = pmm;
	assert_int_equal(pmm_add_region(&pmm, 1 * MIB, 1 * MIB), -E2BIG);
	assert_memory_equal(&pmm, &before, sizeof(pmm));
	/* A region that only merges with existing ranges still fits. */
	assert_int_equal(pmm_add_region(&pmm, 18 * PAGE, PAGE), 0);
	assert_int_equal(pmm.free.count, PMM_MAX_RANGES - 1);
	assert_int_equal(pmm_add_region(&pmm, 1 * MIB, 1 * MIB), 0);

	pmm_init(&pmm);
	fill_range_table(16, 3);
	before = pmm;
	/* Splitting a range in the middle needs a slot. */
	assert_int_equal(pmm_reserve(&pmm, 17 * PAGE, PAGE), -E2BIG);
	assert_memory_equal(&pmm, &before, sizeof(pmm));
	/* Trimming an edge does not. */
	assert_int_equal(pmm_reserve(&pmm, 16 * PAGE, PAGE), 0);
}

static void test_full_table_alloc_tries_further_up(void **state)
{
	uint64_t last_base;

	/* Ranges of 3 pages starting on odd pages: a 2-page-aligned page
	 * sits in the middle and would split the range. */
	fill_range_table(17, 3);
	last_base = (17 + (PMM_MAX_RANGES - 1) * 4) * PAGE;
	assert_int_equal(pmm_reserve(&pmm, last_base, PAGE), 0);
	/* Now only the last range starts aligned and can give a page. */
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 2), last_base + PAGE);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 2), 0);
	/* Plain pages come off range starts and never need a slot. */
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 17 * PAGE);
}

static void test_fragmenting_frees_report_full_table(void **state)
{
	uint64_t page;
	uint64_t i;

	assert_int_equal(pmm_add_region(&pmm, 1 * MIB, 2 * PMM_MAX_RANGES * PAGE + 2 * PAGE), 0);
	while (pmm_alloc_pages(&pmm, 1, 1) != 0)
		;
	for (i = 0; i < PMM_MAX_RANGES; i++)
		assert_int_equal(pmm_free_pages(&pmm, 1 * MIB + 2 * i * PAGE, 1), 0);
	page = 1 * MIB + 2 * PMM_MAX_RANGES * PAGE;
	assert_int_equal(pmm_free_pages(&pmm, page, 1), -E2BIG);
	assert_int_equal(pmm_free_bytes(&pmm), PMM_MAX_RANGES * PAGE);
	/* The page stays allocated: freeing its neighbour makes room. */
	assert_int_equal(pmm_free_pages(&pmm, 1 * MIB + PAGE, 1), 0);
	assert_int_equal(pmm_free_pages(&pmm, page, 1), 0);
	assert_int_equal(pmm_free_bytes(&pmm), (PMM_MAX_RANGES + 2) * PAGE);
}

static void test_instances_are_independent(void **state)
{
	struct pmm other;

	pmm_init(&other);
	assert_int_equal(pmm_add_region(&pmm, 0x10000, 0x1000), 0);
	assert_int_equal(pmm_add_region(&other, 0x20000, 0x1000), 0);
	assert_int_equal(pmm_alloc_pages(&pmm, 1, 1), 0x10000);
	assert_int_equal(pmm_alloc_pages(&other, 1, 1), 0x20000);
	assert_int_equal(pmm_free_pages(&other, 0x10000, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_empty_allocator, setup),
	    cmocka_unit_test_setup(test_unaligned_region_shrinks_inward, setup),
	    cmocka_unit_test_setup(test_sub_page_regions_are_ignored, setup),
	    cmocka_unit_test_setup(test_page_zero_is_never_managed, setup),
	    cmocka_unit_test_setup(test_memory_above_limit_is_clipped, setup),
	    cmocka_unit_test_setup(test_overlapping_and_touching_regions_merge, setup),
	    cmocka_unit_test_setup(test_overlapping_region_keeps_allocations, setup),
	    cmocka_unit_test_setup(test_reserve_splits_and_trims, setup),
	    cmocka_unit_test_setup(test_reserve_low_memory_like_boot, setup),
	    cmocka_unit_test_setup(test_reserved_pages_cannot_be_freed, setup),
	    cmocka_unit_test_setup(test_first_fit_lowest_address, setup),
	    cmocka_unit_test_setup(test_alignment, setup),
	    cmocka_unit_test_setup(test_exhaustion, setup),
	    cmocka_unit_test_setup(test_free_coalesces_both_sides, setup),
	    cmocka_unit_test_setup(test_bad_frees_are_rejected, setup),
	    cmocka_unit_test_setup(test_largest, setup),
	    cmocka_unit_test_setup(test_full_table_is_reported_and_harmless, setup),
	    cmocka_unit_test_setup(test_full_table_alloc_tries_further_up, setup),
	    cmocka_unit_test_setup(test_fragmenting_frees_report_full_table, setup),
	    cmocka_unit_test_setup(test_instances_are_independent, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
