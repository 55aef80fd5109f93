/*
 * Physical page allocator over two merged range tables (see pmm.h).
 *
 * Every change to a table either completes or leaves it untouched, so an
 * -E2BIG never corrupts the allocator; operations that touch both tables
 * work on a copy of the state and commit it at the end.
 */
#include "pmm.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Largest page count whose byte size stays below PMM_ADDR_LIMIT. */
#define PMM_MAX_PAGES (PMM_ADDR_LIMIT / PMM_PAGE_SIZE)

static uint64_t pmm_align_down(uint64_t value, uint64_t align)
{
	return value & ~(align - 1);
}

static uint64_t pmm_align_up(uint64_t value, uint64_t align)
{
	return pmm_align_down(value + align - 1, align);
}

static bool pmm_is_power_of_two(uint64_t value)
{
	return value != 0 && (value & (value - 1)) == 0;
}

/* End of [base, base + len), clamped to PMM_ADDR_LIMIT (base is below it). */
static uint64_t pmm_clamped_end(uint64_t base, uint64_t len)
{
	return len > PMM_ADDR_LIMIT - base ? PMM_ADDR_LIMIT : base + len;
}

/* Moves entries from index `from` on to index `to`, adjusting the count. */
static void pmm_range_set_shift_tail(struct pmm_range_set *set, size_t from, size_t to)
{
	memmove(&set->ranges[to], &set->ranges[from], (set->count - from) * sizeof(set->ranges[0]));
	set->count = set->count - from + to;
}

/* Adds [base, end) to set, merging with every range it overlaps or touches. */
static int pmm_range_set_add(struct pmm_range_set *set, uint64_t base, uint64_t end)
{
	size_t first = 0;
	size_t last;

	if (base >= end)
		return 0;
	while (first < set->count && set->ranges[first].end < base)
		first++;
	for (last = first; last < set->count && set->ranges[last].base <= end;)
		last++;

	/* ranges[first, last) overlap or touch [base, end). */
	if (first == last) {
		if (set->count == PMM_MAX_RANGES)
			return -E2BIG;
		pmm_range_set_shift_tail(set, first, first + 1);
		set->ranges[first].base = base;
		set->ranges[first].end = end;
		return 0;
	}
	if (set->ranges[first].base > base)
		set->ranges[first].base = base;
	set->ranges[first].end = set->ranges[last - 1].end > end ? set->ranges[last - 1].end : end;
	pmm_range_set_shift_tail(set, last, first + 1);
	return 0;
}

/* Removes [base, end) from set, trimming or splitting the ranges it hits. */
static int pmm_range_set_remove(struct pmm_range_set *set, uint64_t base, uint64_t end)
{
	struct pmm_range pieces[2];
	size_t piece_count = 0;
	size_t first = 0;
	size_t last;

	if (base >= end)
		return 0;
	while (first < set->count && set->ranges[first].end <= base)
		first++;
	for (last = first; last < set->count && set->ranges[last].base < end;)
		last++;
	if (first == last)
		return 0;

	/* What survives of the first and last overlapped ranges. */
	if (set->ranges[first].base < base) {
		pieces[piece_count].base = set->ranges[first].base;
		pieces[piece_count++].end = base;
	}
	if (set->ranges[last - 1].end > end) {
		pieces[piece_count].base = end;
		pieces[piece_count++].end = set->ranges[last - 1].end;
	}
	if (set->count - (last - first) + piece_count > PMM_MAX_RANGES)
		return -E2BIG;
	pmm_range_set_shift_tail(set, last, first + piece_count);
	memcpy(&set->ranges[first], pieces, piece_count * sizeof(pieces[0]));
	return 0;
}

static bool pmm_range_set_contains(const struct pmm_range_set *set, uint64_t base, uint64_t end)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (set->ranges[i].base <= base && end <= set->ranges[i].end)
			return true;
	}
	return false;
}

static bool pmm_range_set_overlaps(const struct pmm_range_set *set, uint64_t base, uint64_t end)
{
	size_t i;

	for (i = 0; i < set->count; i++) {
		if (set->ranges[i].base < end && base < set->ranges[i].end)
			return true;
	}
	return false;
}

static uint64_t pmm_range_set_bytes(const struct pmm_range_set *set)
{
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < set->count; i++)
		bytes += set->ranges[i].end - set->ranges[i].base;
	return bytes;
}

void pmm_init(struct pmm *pmm)
{
	memset(pmm, 0, sizeof(*pmm));
}

int pmm_add_region(struct pmm *pmm, uint64_t base, uint64_t len)
{
	struct pmm next = *pmm;
	uint64_t end;
	uint64_t cursor;
	size_t i;
	int ret;

	/* Page 0 stays unmanaged so that 0 can mean "no page". */
	if (base < PMM_PAGE_SIZE) {
		len = len > PMM_PAGE_SIZE - base ? len - (PMM_PAGE_SIZE - base) : 0;
		base = PMM_PAGE_SIZE;
	}
	if (base >= PMM_ADDR_LIMIT)
		return 0;
	end = pmm_align_down(pmm_clamped_end(base, len), PMM_PAGE_SIZE);
	base = pmm_align_up(base, PMM_PAGE_SIZE);
	if (base >= end)
		return 0;

	/*
	 * Only the parts not usable already become free: an overlapping
	 * region must not free pages that are allocated right now.
	 */
	cursor = base;
	for (i = 0; i < pmm->usable.count && cursor < end; i++) {
		const struct pmm_range *usable = &pmm->usable.ranges[i];

		if (usable->end <= cursor)
			continue;
		ret =
		    pmm_range_set_add(&next.free, cursor, usable->base < end ? usable->base : end);
		if (ret < 0)
			return ret;
		cursor = usable->end;
	}
	ret = pmm_range_set_add(&next.free, cursor, end);
	if (ret == 0)
		ret = pmm_range_set_add(&next.usable, base, end);
	if (ret < 0)
		return ret;
	*pmm = next;
	return 0;
}

int pmm_reserve(struct pmm *pmm, uint64_t base, uint64_t len)
{
	struct pmm next = *pmm;
	uint64_t end;
	int ret;

	if (base >= PMM_ADDR_LIMIT)
		return 0;
	end = pmm_align_up(pmm_clamped_end(base, len), PMM_PAGE_SIZE);
	base = pmm_align_down(base, PMM_PAGE_SIZE);
	ret = pmm_range_set_remove(&next.usable, base, end);
	if (ret == 0)
		ret = pmm_range_set_remove(&next.free, base, end);
	if (ret < 0)
		return ret;
	*pmm = next;
	return 0;
}

uint64_t pmm_alloc_pages(struct pmm *pmm, uint64_t count, uint64_t align_pages)
{
	uint64_t size;
	uint64_t align;
	size_t i;

	if (align_pages == 0)
		align_pages = 1;
	if (count == 0 || count >= PMM_MAX_PAGES || !pmm_is_power_of_two(align_pages) ||
	    align_pages >= PMM_MAX_PAGES)
		return 0;
	size = count * PMM_PAGE_SIZE;
	align = align_pages * PMM_PAGE_SIZE;

	for (i = 0; i < pmm->free.count; i++) {
		const struct pmm_range *range = &pmm->free.ranges[i];
		uint64_t start = pmm_align_up(range->base, align);

		if (start >= range->end || range->end - start < size)
			continue;
		/* A split can only fail on a full table: try further up. */
		if (pmm_range_set_remove(&pmm->free, start, start + size) == 0)
			return start;
	}
	return 0;
}

int pmm_free_pages(struct pmm *pmm, uint64_t addr, uint64_t count)
{
	uint64_t end;

	if (addr % PMM_PAGE_SIZE != 0 || addr >= PMM_ADDR_LIMIT || count == 0 ||
	    count > (PMM_ADDR_LIMIT - addr) / PMM_PAGE_SIZE)
		return -EINVAL;
	end = addr + count * PMM_PAGE_SIZE;
	if (!pmm_range_set_contains(&pmm->usable, addr, end) ||
	    pmm_range_set_overlaps(&pmm->free, addr, end))
		return -EINVAL;
	return pmm_range_set_add(&pmm->free, addr, end);
}

int pmm_alloc_largest(struct pmm *pmm, uint64_t *base, uint64_t *len)
{
	const struct pmm_range *largest = NULL;
	size_t i;

	for (i = 0; i < pmm->free.count; i++) {
		const struct pmm_range *range = &pmm->free.ranges[i];

		if (largest == NULL || range->end - range->base > largest->end - largest->base)
			largest = range;
	}
	if (largest == NULL)
		return -ENOMEM;
	*base = largest->base;
	*len = largest->end - largest->base;
	/* Removing a whole range never splits, so this cannot fail. */
	return pmm_range_set_remove(&pmm->free, *base, *base + *len);
}

uint64_t pmm_free_bytes(const struct pmm *pmm)
{
	return pmm_range_set_bytes(&pmm->free);
}

uint64_t pmm_total_bytes(const struct pmm *pmm)
{
	return pmm_range_set_bytes(&pmm->usable);
}

void pmm_for_each_free_range(const struct pmm *pmm,
			     void (*visit)(uint64_t base, uint64_t len, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < pmm->free.count; i++)
		visit(pmm->free.ranges[i].base, pmm->free.ranges[i].end - pmm->free.ranges[i].base,
		      ctx);
}
