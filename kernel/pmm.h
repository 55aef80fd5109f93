/*
 * Physical page allocator: hands out 4 KiB frames of RAM.
 *
 * Boot feeds it the usable ranges of the multiboot memory map
 * (pmm_add_region) and then carves out what is already in use: the kernel
 * image, the multiboot information and modules, the first 1 MiB
 * (pmm_reserve). Reservations apply to memory added so far, so add every
 * region first and reserve afterwards.
 *
 * It keeps two sorted tables of page ranges, each merged so that no two
 * entries overlap or touch: the "usable" ranges (added minus reserved: every
 * page it may ever hand out) and the "free" ranges (usable and not
 * allocated). No memory is needed for bookkeeping, so it works before any
 * heap exists; the price is a fixed table size (PMM_MAX_RANGES), which is
 * far more than a memory map has but can be exhausted by a badly fragmented
 * pattern of frees, reported as -E2BIG.
 *
 * Page 0 is never managed, so a physical address of 0 can mean failure.
 * Not thread-safe: the caller serialises (the kernel is single-CPU).
 */
#ifndef UKBPF_KERNEL_PMM_H
#define UKBPF_KERNEL_PMM_H

#include <stddef.h>
#include <stdint.h>

#define PMM_PAGE_SIZE  4096ull
#define PMM_MAX_RANGES 64
/*
 * x86-64 physical addresses have at most 52 bits (MAXPHYADDR, Intel SDM
 * Vol. 3A ch. 4); memory above this is ignored, which also keeps every
 * end address representable.
 */
#define PMM_ADDR_LIMIT (1ull << 52)

/* A page-aligned range [base, end). */
struct pmm_range {
	uint64_t base;
	uint64_t end;
};

/* Sorted by base; entries neither overlap nor touch. */
struct pmm_range_set {
	struct pmm_range ranges[PMM_MAX_RANGES];
	size_t count;
};

/* Allocator state. Treat as opaque: use the functions below. */
struct pmm {
	struct pmm_range_set usable;
	struct pmm_range_set free;
};

/* Starts pmm with no memory. */
void pmm_init(struct pmm *pmm);

/*
 * Adds the RAM range [base, base + len) as usable and free. The range is
 * shrunk inward to whole pages, page 0 and memory from PMM_ADDR_LIMIT up
 * are cut off, and what is left may be empty (not an error: memory maps
 * list tiny ranges). Overlap with memory added before is allowed (some
 * firmware reports overlapping ranges) and never frees pages that are
 * currently allocated.
 * Returns 0 or -E2BIG when a range table is full (pmm is then unchanged).
 */
int pmm_add_region(struct pmm *pmm, uint64_t base, uint64_t len);

/*
 * Withdraws [base, base + len) from the allocator for good: it is grown
 * outward to whole pages and removed from both the usable and the free
 * ranges, so it is neither handed out nor accepted by pmm_free_pages.
 * Parts that were never added, or are already reserved, are ignored.
 * Returns 0 or -E2BIG when splitting a range would overflow a table (pmm is
 * then unchanged).
 */
int pmm_reserve(struct pmm *pmm, uint64_t base, uint64_t len);

/*
 * Allocates count contiguous pages whose address is a multiple of
 * align_pages pages (0 or 1: any page; otherwise a power of two). Takes the
 * lowest address that fits (first fit).
 * Returns the physical address, or 0 when count is 0, align_pages is not a
 * power of two, or no free range fits.
 */
uint64_t pmm_alloc_pages(struct pmm *pmm, uint64_t count, uint64_t align_pages);

/*
 * Returns count pages at addr to the free ranges, merging with free
 * neighbours. Returns 0, or:
 *   -EINVAL  addr not page-aligned, count 0, the pages are not all inside
 *            one usable range (never added, or reserved), or any of them is
 *            already free (double free); nothing is changed
 *   -E2BIG   the free range table is full (the pages stay allocated)
 */
int pmm_free_pages(struct pmm *pmm, uint64_t addr, uint64_t count);

/*
 * Allocates the whole of the largest free range (the lowest one among
 * equals): the kernel gives it to the heap. Returns 0 with *base and *len
 * set, or -ENOMEM when nothing is free.
 */
int pmm_alloc_largest(struct pmm *pmm, uint64_t *base, uint64_t *len);

/* Bytes currently free. */
uint64_t pmm_free_bytes(const struct pmm *pmm);

/* Bytes managed: usable memory, free or allocated. */
uint64_t pmm_total_bytes(const struct pmm *pmm);

/*
 * Calls visit(base, len, ctx) for each free range in ascending address
 * order (for the boot-time memory report). visit must not change pmm.
 */
void pmm_for_each_free_range(const struct pmm *pmm,
			     void (*visit)(uint64_t base, uint64_t len, void *ctx), void *ctx);

#endif /* UKBPF_KERNEL_PMM_H */
