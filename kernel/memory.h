/*
 * Physical memory at boot: RAM from the multiboot map (below 4 GiB, what
 * the identity map covers) less the low 1 MiB, the image and the modules.
 * The largest free range becomes newlib's heap, but for a sixteenth that
 * stays with the page allocator for page-granular needs: page tables and
 * memory whose access rights change (the eBPF JIT's code).
 */
#ifndef UKBPF_MEMORY_H
#define UKBPF_MEMORY_H

#include <stddef.h>

#include "bootinfo.h"

/* Sets up the page allocator and the heap; panics when there is no RAM. */
void memory_init(const struct boot_info *boot_info);
/* count contiguous 4 KiB pages (not zeroed), or NULL. */
void *memory_alloc_pages(size_t count);
/* 0, or -EINVAL for pages that were not allocated. */
int memory_free_pages(void *pages, size_t count);

#endif /* UKBPF_MEMORY_H */
