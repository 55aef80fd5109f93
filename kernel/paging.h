/*
 * The kernel's page tables. All RAM and the MMIO hole below 4 GiB are
 * identity mapped. The image is mapped with 4 KiB pages and W^X: text
 * read+execute, rodata read-only, data and bss read+write+no-execute;
 * page 0 and every stack guard page are not mapped at all, so a NULL
 * dereference or a stack overflow faults. The rest uses 2 MiB pages,
 * read+write+no-execute, split on demand when a range needs other rights
 * (the eBPF JIT's code pages, for instance).
 */
#ifndef UKBPF_PAGING_H
#define UKBPF_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include "bootinfo.h"
#include "x86.h" /* PAGE_SIZE, PAGE_SIZE_2M */

#define PAGING_MAPPED_LIMIT (4ull << 30) /* identity map covers [0, 4 GiB) */

/* Access rights for paging_protect. */
enum page_prot {
	PAGE_PROT_NONE, /* not mapped: any access faults */
	PAGE_PROT_READ, /* read-only, no execute */
	PAGE_PROT_RW,	/* read+write, no execute */
	PAGE_PROT_RX,	/* read+execute, never writable */
};

/* Source of zeroed 4 KiB pages for page tables (the physical allocator). */
typedef void *(*paging_page_alloc_fn)(void);

/*
 * Builds and loads the final tables. ram tells which 2 MiB regions are RAM
 * (cached) and which are device memory (uncached). Returns 0 or -ENOMEM
 * when the image is larger than the static page-table pool covers.
 */
int paging_init(const struct boot_info *bi);
/* Where further page-table pages come from once the allocator is up. */
void paging_set_page_alloc(paging_page_alloc_fn alloc);
/*
 * Changes the rights of [addr, addr + len) (page-aligned, below 4 GiB),
 * splitting 2 MiB pages as needed. 0, -EINVAL or -ENOMEM.
 */
int paging_protect(uintptr_t addr, size_t len, enum page_prot prot);

#endif /* UKBPF_PAGING_H */
