#include "cpu.h"

#include <string.h>

#include "boot_defs.h"
#include "x86.h"

#define IST_STACK_SIZE	(16 * 1024)
#define IST_STACK_COUNT 4

/* 64-bit TSS (SDM Vol. 3 §7.7): only the IST pointers matter here. */
struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct guarded_stack {
	uint8_t guard[PAGE_SIZE];
	uint8_t stack[IST_STACK_SIZE];
} __attribute__((aligned(PAGE_SIZE)));

static struct guarded_stack ist_stacks[IST_STACK_COUNT] __attribute__((section(".bss.stacks")));
static struct tss64 tss;

/* null, code, data, TSS (16 bytes: two slots). */
static uint64_t gdt[5] __attribute__((aligned(16)));

struct descriptor_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern uint8_t boot_stack_guard[], boot_stack_top[];

static struct cpu_stack_region stack_regions[1 + IST_STACK_COUNT];

#define TSS_TYPE_AVAILABLE 0x9
#define DESC_PRESENT	   (1ull << 47)

static void gdt_set_tss(void)
{
	uint64_t base = (uintptr_t)&tss;
	uint64_t limit = sizeof(tss) - 1;

	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 ((uint64_t)TSS_TYPE_AVAILABLE << 40) | DESC_PRESENT |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
}

void cpu_init(void)
{
	static const char *const ist_names[IST_STACK_COUNT] = {
	    "double-fault stack", "page-fault stack", "nmi stack", "interrupt stack"};

	stack_regions[0] = (struct cpu_stack_region){
	    .name = "boot stack",
	    .guard = (uintptr_t)boot_stack_guard,
	    .bottom = (uintptr_t)boot_stack_guard + PAGE_SIZE,
	    .top = (uintptr_t)boot_stack_top,
	};
	for (int i = 0; i < IST_STACK_COUNT; i++) {
		struct guarded_stack *s = &ist_stacks[i];
		tss.ist[i] = (uintptr_t)(s->stack + sizeof(s->stack));
		stack_regions[1 + i] = (struct cpu_stack_region){
		    .name = ist_names[i],
		    .guard = (uintptr_t)s->guard,
		    .bottom = (uintptr_t)s->stack,
		    .top = (uintptr_t)(s->stack + sizeof(s->stack)),
		};
	}
	tss.iomap_base = sizeof(tss); /* no I/O permission bitmap */

	gdt[1] = GDT_CODE64;
	gdt[2] = GDT_DATA64;
	gdt_set_tss();
	struct descriptor_ptr ptr = {.limit = sizeof(gdt) - 1, .base = (uintptr_t)gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "ltr %w1"
			 :
			 : "m"(ptr), "r"(KERNEL_TSS)
			 : "memory");
}

const struct cpu_stack_region *cpu_stack_regions(size_t *count)
{
	*count = sizeof(stack_regions) / sizeof(stack_regions[0]);
	return stack_regions;
}

const struct cpu_stack_region *cpu_stack_guard_hit(uint64_t addr)
{
	for (size_t i = 0; i < sizeof(stack_regions) / sizeof(stack_regions[0]); i++)
		if (addr >= stack_regions[i].guard && addr < stack_regions[i].guard + PAGE_SIZE)
			return &stack_regions[i];
	return NULL;
}
