/*
 * Boot flow after boot.S: console, boot information, CPU tables, page
 * tables, physical memory and heap, interrupts and time, the boot-time
 * eBPF programs (kernel/bpf_boot.h), then newlib's constructors and the
 * application's main().
 */
#include <stdint.h>
#include <stdlib.h>

#include "apic.h"
#include "bootinfo.h"
#include "bpf_boot.h"
#include "cmdline.h"
#include "cpu.h"
#include "ebpf_platform.h"
#include "kernel.h"
#include "memory.h"
#include "paging.h"
#include "printk.h"
#include "serial.h"
#include "shutdown.h"
#include "sleep.h"
#include "timekeeping.h"
#include "trap.h"
#include "x86.h"

#ifndef UKBPF_APP_NAME
#error "UKBPF_APP_NAME must name the application linked into this image"
#endif

extern uint64_t boot_tsc; /* TSC at boot.S's first instructions */

int main(int argc, char **argv);

/* Constructor tables from linker.ld (this newlib has no __libc_init_array). */
typedef void (*constructor_fn)(void);
extern constructor_fn __preinit_array_start[], __preinit_array_end[];
extern constructor_fn __init_array_start[], __init_array_end[];

/* Module names and arguments point into it: it lives for good. */
static struct boot_info boot_info;

static void run_constructors(void)
{
	for (constructor_fn *fn = __preinit_array_start; fn < __preinit_array_end; fn++)
		(*fn)();
	for (constructor_fn *fn = __init_array_start; fn < __init_array_end; fn++)
		(*fn)();
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
	memory_init(&boot_info);
	if (dropped)
		printk(
		    "ukbpf: warning: %zu memory ranges or modules did not fit and were ignored\n",
		    dropped);

	apic_init();
	uint64_t tsc_hz = time_init();
	apic_timer_calibrate();
	sleep_init();
	irq_enable();
	ebpf_platform_init();

	struct cmdline *cmdline = kernel_cmdline_init(boot_info.cmdline, UKBPF_APP_NAME);
	kernel_modules_init(&boot_info);
	/* Before main(): no frame reaches the app unfiltered, no rejected program runs. */
	bpf_boot_attach_modules();

	uint64_t boot_us = time_tsc_to_ns(rdtsc() - boot_tsc) / 1000;
	printk("ukbpf: %s, TSC %lu MHz, started app '%s' %lu us after entry\n", boot_info.loader,
	       (unsigned long)(tsc_hz / 1000000), UKBPF_APP_NAME, (unsigned long)boot_us);

	run_constructors();
	exit(main(cmdline->argc, cmdline->argv));
}
