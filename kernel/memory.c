#include "memory.h"

#include <string.h>

#include "paging.h"
#include "pmm.h"
#include "printk.h"
#include "shutdown.h"
#include "syscalls.h"

/* Memory below 1 MiB holds BIOS data, ACPI tables and option ROMs. */
#define LOW_MEMORY_END 0x100000u
/*
 * The heap takes the largest free range but 1/PAGE_POOL_FRACTION of it;
 * page allocations that do not fit in that pool take the heap's unused
 * top, so small guests are not limited by a fixed split.
 */
#define PAGE_POOL_FRACTION 16

extern uint8_t __image_start[], _end[];

static struct pmm pmm;

static void *page_table_alloc(void)
{
	void *page = memory_alloc_pages(1);

	if (page)
		memset(page, 0, PAGE_SIZE);
	return page;
}

void memory_init(const struct boot_info *boot_info)
{
	pmm_init(&pmm);
	for (size_t i = 0; i < boot_info->ram_count; i++) {
		uint64_t base = boot_info->ram[i].base;
		uint64_t end = base + boot_info->ram[i].len;
		if (end > PAGING_MAPPED_LIMIT)
			end = PAGING_MAPPED_LIMIT;
		if (base < end)
			pmm_add_region(&pmm, base, end - base);
	}
	pmm_reserve(&pmm, 0, LOW_MEMORY_END);
	pmm_reserve(&pmm, (uintptr_t)__image_start, (uintptr_t)_end - (uintptr_t)__image_start);
	for (size_t i = 0; i < boot_info->module_count; i++)
		pmm_reserve(&pmm, boot_info->modules[i].start, boot_info->modules[i].size);

	uint64_t ram = pmm_free_bytes(&pmm);
	uint64_t heap_base, heap_size;
	if (pmm_alloc_largest(&pmm, &heap_base, &heap_size) != 0)
		kernel_panic("no free memory for the heap");
	/* Give back the top of the heap's range: page tables and page-granular
	 * memory (JIT code, whose rights change) come from the allocator. */
	uint64_t kept = heap_size / PAGE_POOL_FRACTION;
	kept -= kept % PAGE_SIZE;
	heap_size -= kept;
	pmm_free_pages(&pmm, heap_base + heap_size, kept / PAGE_SIZE);
	syscalls_init_heap((void *)(uintptr_t)heap_base, heap_size);
	paging_set_page_alloc(page_table_alloc);
	printk("ukbpf: %lu KiB free RAM: heap %lu KiB at %p, %lu KiB in pages\n",
	       (unsigned long)(ram / 1024), (unsigned long)(heap_size / 1024),
	       (void *)(uintptr_t)heap_base, (unsigned long)(pmm_free_bytes(&pmm) / 1024));
}

void *memory_alloc_pages(size_t count)
{
	void *pages = (void *)(uintptr_t)pmm_alloc_pages(&pmm, count, 1);

	/* Freed later, they join the page pool: the heap's range is pmm memory. */
	return pages ? pages : syscalls_take_heap_top(count * PAGE_SIZE, PAGE_SIZE);
}

int memory_free_pages(void *pages, size_t count)
{
	return pmm_free_pages(&pmm, (uintptr_t)pages, count);
}
