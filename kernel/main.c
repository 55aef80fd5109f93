/*
 * Boot flow after boot.S: console, boot information, CPU tables, page
 * tables, physical memory and heap, interrupts and time, then newlib's
 * constructors and the application's main().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apic.h"
#include "bootinfo.h"
#include "cmdline.h"
#include "cpu.h"
#include "kernel.h"
#include "paging.h"
#include "pmm.h"
#include "printk.h"
#include "serial.h"
#include "shutdown.h"
#include "syscalls.h"
#include "timekeeping.h"
#include "trap.h"
#include "x86.h"

#ifndef UKBPF_APP_NAME
#error "UKBPF_APP_NAME must name the application linked into this image"
#endif

/* Memory below 1 MiB holds BIOS data, ACPI tables and option ROMs. */
#define LOW_MEMORY_END 0x100000u
/* The heap takes the largest free range but 1/PAGE_POOL_FRACTION of it. */
#define PAGE_POOL_FRACTION 16

extern uint8_t __image_start[], _end[];
extern uint64_t boot_tsc; /* TSC at boot.S's first instructions */

int main(int argc, char **argv);

/* Constructor tables from linker.ld (this newlib has no __libc_init_array). */
typedef void (*constructor_fn)(void);
extern constructor_fn __preinit_array_start[], __preinit_array_end[];
extern constructor_fn __init_array_start[], __init_array_end[];

static struct boot_info boot_info;
static struct cmdline cmdline;
static struct pmm pmm;
static struct kernel_module modules[BOOTINFO_MAX_MODULES];

size_t kernel_module_count(void)
{
	return boot_info.module_count;
}

const struct kernel_module *kernel_module_get(size_t index)
{
	return index < boot_info.module_count ? &modules[index] : NULL;
}

const char *kernel_option(const char *key)
{
	return cmdline_get(&cmdline, key);
}

static void *page_table_alloc(void)
{
	uint64_t page = pmm_alloc_pages(&pmm, 1, 1);

	if (!page)
		return NULL;
	memset((void *)(uintptr_t)page, 0, PAGE_SIZE);
	return (void *)(uintptr_t)page;
}

/* RAM below 4 GiB (what the identity map covers), less the image and modules. */
static void memory_init(void)
{
	pmm_init(&pmm);
	for (size_t i = 0; i < boot_info.ram_count; i++) {
		uint64_t base = boot_info.ram[i].base;
		uint64_t end = base + boot_info.ram[i].len;
		if (end > PAGING_MAPPED_LIMIT)
			end = PAGING_MAPPED_LIMIT;
		if (base < end)
			pmm_add_region(&pmm, base, end - base);
	}
	pmm_reserve(&pmm, 0, LOW_MEMORY_END);
	pmm_reserve(&pmm, (uintptr_t)__image_start, (uintptr_t)_end - (uintptr_t)__image_start);
	for (size_t i = 0; i < boot_info.module_count; i++)
		pmm_reserve(&pmm, boot_info.modules[i].start, boot_info.modules[i].size);

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

static void run_constructors(void)
{
	for (constructor_fn *fn = __preinit_array_start; fn < __preinit_array_end; fn++)
		(*fn)();
	for (constructor_fn *fn = __init_array_start; fn < __init_array_end; fn++)
		(*fn)();
}

static void modules_init(void)
{
	for (size_t i = 0; i < boot_info.module_count; i++) {
		const struct boot_module *bm = &boot_info.modules[i];
		modules[i] = (struct kernel_module){
			.name = bm->name,
			.args = bm->args,
			.data = (const void *)(uintptr_t)bm->start,
			.size = bm->size,
		};
		printk("ukbpf: module %zu: %s at %p, %zu bytes\n", i, bm->name,
		       (void *)(uintptr_t)bm->start, (size_t)bm->size);
	}
}

void kernel_main(uint32_t magic, uint64_t info)
{
	size_t dropped;

	serial_init();
	if (bootinfo_parse(magic, info, &boot_info, &dropped) != 0) {
		printk("ukbpf: not started by a multiboot loader (magic 0x%x)\n", magic);
		kernel_exit(KERNEL_EXIT_BOOT_FAILURE);
	}
	cpu_init();
	trap_init();
	if (paging_init(&boot_info) != 0)
		kernel_panic("image too large for the boot page tables");
	memory_init();
	if (dropped)
		printk("ukbpf: warning: %zu memory ranges or modules did not fit and were ignored\n",
		       dropped);

	apic_init();
	uint64_t tsc_hz = time_init();
	apic_timer_calibrate();
	irq_enable();

	int err = cmdline_parse(&cmdline, boot_info.cmdline, UKBPF_APP_NAME);
	if (err)
		printk("ukbpf: command line ignored (error %d): %s\n", err, boot_info.cmdline);
	modules_init();

	uint64_t boot_us = time_tsc_to_ns(rdtsc() - boot_tsc) / 1000;
	printk("ukbpf: %s, TSC %lu MHz, started app '%s' %lu us after entry\n", boot_info.loader,
	       (unsigned long)(tsc_hz / 1000000), UKBPF_APP_NAME, (unsigned long)boot_us);

	run_constructors();
	exit(main(cmdline.argc, cmdline.argv));
}
