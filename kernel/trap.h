/*
 * CPU exceptions and interrupts. Exceptions are fatal: a register dump
 * with a symbolized backtrace goes to the console and the kernel exits
 * with KERNEL_EXIT_CPU_EXCEPTION. Interrupt vectors dispatch to handlers
 * registered here.
 */
#ifndef UKBPF_TRAP_H
#define UKBPF_TRAP_H

#include <stdint.h>

/* Layout pushed by kernel/isr.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define TRAP_FIRST_IRQ_VECTOR 32
#define TRAP_VECTOR_COUNT     256

typedef void (*trap_irq_handler)(void *arg);

/* Loads the IDT: every vector points at its stub in isr.S. */
void trap_init(void);
/* Routes vector (>= TRAP_FIRST_IRQ_VECTOR) to handler; 0 or -EINVAL/-EBUSY. */
int trap_register_irq(uint8_t vector, trap_irq_handler handler, void *arg);

/* Prints "name+0xoff" for a code address (symbols from .ksyms). */
void trap_print_symbol(uint64_t addr);
/* Prints the call chain starting at the frame pointer rbp. */
void trap_print_backtrace(uint64_t rip, uint64_t rbp);

/* Called from isr.S. */
void trap_dispatch(struct trap_frame *frame);

#endif /* UKBPF_TRAP_H */
