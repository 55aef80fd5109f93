#include "paging.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "cpu.h"
#include "x86.h"

/* Page-table entry bits (SDM Vol. 3 §4.5). */
#define PTE_P	      (1ull << 0)
#define PTE_W	      (1ull << 1)
#define PTE_PWT	      (1ull << 3)
#define PTE_PCD	      (1ull << 4)
#define PTE_PS	      (1ull << 7)
#define PTE_NX	      (1ull << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define ENTRIES_PER_TABLE 512
#define PD_COUNT	  (PAGING_MAPPED_LIMIT / (1ull << 30))
/* 4 KiB tables for the image: covers images (with bss) up to 32 MiB. */
#define IMAGE_PT_POOL 16

typedef uint64_t pte_t;

static pte_t pml4[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t pdpt[ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t pd[PD_COUNT][ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));
static pte_t image_pt[IMAGE_PT_POOL][ENTRIES_PER_TABLE] __attribute__((aligned(PAGE_SIZE)));

static paging_page_alloc_fn page_alloc;

extern uint8_t __image_start[], __text_end[], __rodata_end[], _end[];

static pte_t prot_bits(enum page_prot prot)
{
	switch (prot) {
	case PAGE_PROT_READ:
		return PTE_P | PTE_NX;
	case PAGE_PROT_RW:
		return PTE_P | PTE_W | PTE_NX;
	case PAGE_PROT_RX:
		return PTE_P;
	case PAGE_PROT_NONE:
		break;
	}
	return 0;
}

static enum page_prot image_page_prot(uintptr_t addr)
{
	if (addr == 0)
		return PAGE_PROT_NONE;
	if (addr >= (uintptr_t)__image_start && addr < (uintptr_t)__text_end)
		return PAGE_PROT_RX;
	if (addr >= (uintptr_t)__text_end && addr < (uintptr_t)__rodata_end)
		return PAGE_PROT_READ;
	return PAGE_PROT_RW;
}

static bool region_is_ram(const struct boot_info *bi, uint64_t base, uint64_t len)
{
	for (size_t i = 0; i < bi->ram_count; i++)
		if (bi->ram[i].base < base + len && base < bi->ram[i].base + bi->ram[i].len)
			return true;
	return false;
}

int paging_init(const struct boot_info *bi)
{
	size_t image_regions = ((uintptr_t)_end + PAGE_SIZE_2M - 1) / PAGE_SIZE_2M;

	if (image_regions > IMAGE_PT_POOL)
		return -ENOMEM;

	pml4[0] = (uintptr_t)pdpt | PTE_P | PTE_W;
	for (size_t g = 0; g < PD_COUNT; g++) {
		pdpt[g] = (uintptr_t)pd[g] | PTE_P | PTE_W;
		for (size_t i = 0; i < ENTRIES_PER_TABLE; i++) {
			uint64_t base = ((uint64_t)g * ENTRIES_PER_TABLE + i) * PAGE_SIZE_2M;
			pte_t cache = region_is_ram(bi, base, PAGE_SIZE_2M) ? 0 : PTE_PCD | PTE_PWT;
			pd[g][i] = base | PTE_PS | cache | prot_bits(PAGE_PROT_RW);
		}
	}
	for (size_t r = 0; r < image_regions; r++) {
		for (size_t i = 0; i < ENTRIES_PER_TABLE; i++) {
			uintptr_t addr = r * PAGE_SIZE_2M + i * PAGE_SIZE;
			image_pt[r][i] = addr | prot_bits(image_page_prot(addr));
		}
		pd[0][r] = (uintptr_t)image_pt[r] | PTE_P | PTE_W;
	}

	size_t stack_count;
	const struct cpu_stack_region *stacks = cpu_stack_regions(&stack_count);
	for (size_t i = 0; i < stack_count; i++) {
		uintptr_t guard = stacks[i].guard;
		image_pt[guard / PAGE_SIZE_2M][(guard / PAGE_SIZE) % ENTRIES_PER_TABLE] = 0;
	}
	write_cr3((uintptr_t)pml4);
	return 0;
}

void paging_set_page_alloc(paging_page_alloc_fn alloc)
{
	page_alloc = alloc;
}

/* The 4 KiB entry for addr, splitting its 2 MiB page first if needed. */
static pte_t *pte_for(uintptr_t addr)
{
	pte_t *pde = &pd[addr >> 30][(addr / PAGE_SIZE_2M) % ENTRIES_PER_TABLE];

	if (*pde & PTE_PS) {
		if (!page_alloc)
			return NULL;
		pte_t *pt = page_alloc();
		if (!pt)
			return NULL;
		uint64_t base = *pde & PTE_ADDR_MASK;
		pte_t flags = *pde & ~(PTE_ADDR_MASK | PTE_PS);
		for (size_t i = 0; i < ENTRIES_PER_TABLE; i++)
			pt[i] = (base + i * PAGE_SIZE) | flags;
		*pde = (uintptr_t)pt | PTE_P | PTE_W;
		/* The whole 2 MiB translation changes: flush it all. */
		write_cr3(read_cr3());
	}
	pte_t *pt = (pte_t *)(uintptr_t)(*pde & PTE_ADDR_MASK);
	return &pt[(addr / PAGE_SIZE) % ENTRIES_PER_TABLE];
}

int paging_protect(uintptr_t addr, size_t len, enum page_prot prot)
{
	if (addr % PAGE_SIZE || len % PAGE_SIZE || addr + len > PAGING_MAPPED_LIMIT ||
	    addr + len < addr)
		return -EINVAL;
	for (uintptr_t page = addr; page < addr + len; page += PAGE_SIZE) {
		pte_t *pte = pte_for(page);
		if (!pte)
			return -ENOMEM;
		pte_t cache = *pte & (PTE_PCD | PTE_PWT);
		*pte = prot == PAGE_PROT_NONE ? 0 : page | cache | prot_bits(prot);
		invlpg((void *)page);
	}
	return 0;
}
