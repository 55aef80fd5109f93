/*
 * Per-CPU descriptor tables: the GDT (64-bit code and data segments and
 * the TSS) and the interrupt stacks. Faults that may happen on a broken
 * stack (#DF, #PF, NMI, #MC) run on their own IST stacks, so that a kernel
 * stack overflow into its guard page is reported instead of triple-faulting.
 */
#ifndef UKBPF_CPU_H
#define UKBPF_CPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KERNEL_CS  0x08
#define KERNEL_DS  0x10
#define KERNEL_TSS 0x18

/* IST slots (1-based, as the IDT encodes them). */
#define IST_DOUBLE_FAULT 1
#define IST_PAGE_FAULT	 2
#define IST_NMI_MCE	 3
/*
 * Device and timer interrupts switch stacks too: the interrupted code's
 * stack is then never written, so code built with a red zone (libgcc)
 * stays safe. Interrupt gates keep IF clear, so IRQs never nest here.
 */
#define IST_IRQ 4

/* A stack with an unmapped guard page below it. */
struct cpu_stack_region {
	const char *name;
	uintptr_t guard;  /* the guard page */
	uintptr_t bottom; /* lowest usable byte */
	uintptr_t top;	  /* one past the highest */
};

void cpu_init(void);
/* The kernel's stacks and their guard pages, for paging and fault reports. */
const struct cpu_stack_region *cpu_stack_regions(size_t *count);
/* The stack whose guard page contains addr, or NULL. */
const struct cpu_stack_region *cpu_stack_guard_hit(uint64_t addr);

#endif /* UKBPF_CPU_H */
