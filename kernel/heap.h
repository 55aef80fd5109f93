/*
 * The region behind newlib's malloc: a program break that moves inside one
 * fixed block of memory (at boot, the largest free physical range).
 *
 * newlib's malloc grows its arena by calling sbrk(increment) and trims it
 * with negative increments. The kernel's sbrk wraps heap_grow: it returns
 * the old break on success and otherwise sets errno to the negated return
 * value and returns (void *)-1.
 *
 * The break stays HEAP_ALIGN-aligned so that every block malloc carves from
 * a fresh extension is aligned for any type (x86-64 SysV ABI §3.1.2:
 * long double and __m128 need 16). To keep that invariant, growth is
 * rounded up and shrinking is rounded down to a multiple of HEAP_ALIGN:
 * the caller may get more than it asked for but never loses memory it
 * still thinks it has. newlib asks for page multiples, so in practice
 * nothing is rounded.
 *
 * Not thread-safe: newlib calls sbrk under its malloc lock.
 */
#ifndef UKBPF_KERNEL_HEAP_H
#define UKBPF_KERNEL_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_ALIGN 16

/* Treat as opaque: use the functions below. */
struct heap {
	uintptr_t base;	 /* first byte, HEAP_ALIGN-aligned */
	uintptr_t limit; /* one past the last usable byte */
	uintptr_t brk;	 /* current break, base <= brk <= limit */
};

/*
 * Makes [base, base + size) the heap, with the break at its start. base is
 * rounded up and the end rounded down to HEAP_ALIGN; a region that does not
 * hold one aligned unit gives a heap of size 0 (every growth fails). A
 * region reaching past the end of the address space is cut at its end.
 */
void heap_init(struct heap *h, void *base, size_t size);

/*
 * Moves the break by increment bytes (rounded as described above) and
 * stores the previous break in *old_break. increment 0 reads the break.
 * Returns 0, or (with the break and *old_break unchanged):
 *   -ENOMEM  growing past the end of the region
 *   -EINVAL  shrinking below the start of the region
 */
int heap_grow(struct heap *h, intptr_t increment, void **old_break);

/*
 * Takes bytes from the unused top of the region for good, at an address
 * aligned to align (a power of two, at least HEAP_ALIGN): the limit moves
 * down to *taken. Lets page allocations use memory the heap has not
 * reached, so neither the heap nor the pages have a fixed share.
 * Returns 0, or -ENOMEM (nothing changed) when the break is in the way.
 */
int heap_take_top(struct heap *h, size_t bytes, size_t align, void **taken);

/* Bytes between the start of the heap and the break. */
size_t heap_used(const struct heap *h);

/* Bytes the break can ever cover: the aligned size of the region. */
size_t heap_size(const struct heap *h);

#endif /* UKBPF_KERNEL_HEAP_H */
