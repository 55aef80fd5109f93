/* Program break for newlib's malloc (see heap.h). */
#include "heap.h"

#include <errno.h>

static uintptr_t heap_align_down(uintptr_t value)
{
	return value & ~(uintptr_t)(HEAP_ALIGN - 1);
}

void heap_init(struct heap *h, void *base, size_t size)
{
	uintptr_t start = (uintptr_t)base;
	uintptr_t end = size > UINTPTR_MAX - start ? UINTPTR_MAX : start + size;
	/* Distance from start up to the next aligned address. */
	uintptr_t skip = -start % HEAP_ALIGN;

	h->limit = heap_align_down(end);
	/*
	 * An aligned address inside the region is at most the aligned end.
	 * Without one, base = limit: size 0, every growth fails.
	 */
	h->base = skip <= end - start ? start + skip : h->limit;
	h->brk = h->base;
}

int heap_grow(struct heap *h, intptr_t increment, void **old_break)
{
	uintptr_t new_break;

	if (increment >= 0) {
		/* The room left is aligned, so comparing before rounding up
		 * is exact and cannot overflow. */
		if ((uintptr_t)increment > h->limit - h->brk)
			return -ENOMEM;
		new_break = h->brk + heap_align_down((uintptr_t)increment + HEAP_ALIGN - 1);
	} else {
		/* Negate in unsigned arithmetic: -INTPTR_MIN overflows. */
		uintptr_t decrement = -(uintptr_t)increment;

		if (decrement > h->brk - h->base)
			return -EINVAL;
		new_break = h->brk - heap_align_down(decrement);
	}
	*old_break = (void *)h->brk;
	h->brk = new_break;
	return 0;
}

int heap_take_top(struct heap *h, size_t bytes, size_t align, void **taken)
{
	uintptr_t new_limit;

	if (bytes > h->limit - h->brk)
		return -ENOMEM;
	new_limit = (h->limit - bytes) & ~(uintptr_t)(align - 1);
	if (new_limit < h->brk)
		return -ENOMEM;
	h->limit = new_limit;
	*taken = (void *)new_limit;
	return 0;
}

size_t heap_used(const struct heap *h)
{
	return h->brk - h->base;
}

size_t heap_size(const struct heap *h)
{
	return h->limit - h->base;
}
