#include "trap.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "apic.h"
#include "cpu.h"
#include "ksyms.h"
#include "printk.h"
#include "shutdown.h"
#include "x86.h"

#define IDT_TYPE_INTERRUPT_GATE 0x8E /* present, DPL0, 64-bit interrupt gate */
#define BACKTRACE_MAX_FRAMES	32

#define VECTOR_DIVIDE_ERROR  0
#define VECTOR_NMI	     2
#define VECTOR_DOUBLE_FAULT  8
#define VECTOR_PAGE_FAULT    14
#define VECTOR_MACHINE_CHECK 18
#define EXCEPTION_COUNT	     32

/* #PF error code bits (SDM Vol. 3 §4.7). */
#define PF_PRESENT     (1u << 0)
#define PF_WRITE       (1u << 1)
#define PF_INSTRUCTION (1u << 4)

struct idt_entry {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
} __attribute__((packed));

struct irq_slot {
	trap_irq_handler handler;
	void *arg;
};

static struct idt_entry idt[TRAP_VECTOR_COUNT] __attribute__((aligned(16)));
static struct irq_slot irq_slots[TRAP_VECTOR_COUNT];

extern const uint64_t isr_stub_table[TRAP_VECTOR_COUNT];
extern uint8_t __bss_start[], __bss_end[];

static const char *const exception_names[EXCEPTION_COUNT] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD exception",
    "#VE virtualization",
    "#CP control protection",
};

static uint8_t ist_for_vector(unsigned vector)
{
	switch (vector) {
	case VECTOR_DOUBLE_FAULT:
		return IST_DOUBLE_FAULT;
	case VECTOR_PAGE_FAULT:
		return IST_PAGE_FAULT;
	case VECTOR_NMI:
	case VECTOR_MACHINE_CHECK:
		return IST_NMI_MCE;
	}
	return vector >= TRAP_FIRST_IRQ_VECTOR ? IST_IRQ : 0;
}

void trap_init(void)
{
	for (unsigned v = 0; v < TRAP_VECTOR_COUNT; v++) {
		uint64_t addr = isr_stub_table[v];
		idt[v] = (struct idt_entry){
		    .offset_low = addr & 0xffff,
		    .selector = KERNEL_CS,
		    .ist = ist_for_vector(v),
		    .type = IDT_TYPE_INTERRUPT_GATE,
		    .offset_mid = (addr >> 16) & 0xffff,
		    .offset_high = addr >> 32,
		};
	}
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ptr = {sizeof(idt) - 1, (uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(ptr));
}

int trap_register_irq(uint8_t vector, trap_irq_handler handler, void *arg)
{
	if (vector < TRAP_FIRST_IRQ_VECTOR || !handler)
		return -EINVAL;
	if (irq_slots[vector].handler)
		return -EBUSY;
	irq_slots[vector] = (struct irq_slot){handler, arg};
	return 0;
}

void trap_print_symbol(uint64_t addr)
{
	uint64_t offset;
	const char *name = ksyms_lookup(addr, &offset);

	if (name)
		printk("%s+0x%lx", name, offset);
	else
		printk("?");
}

/* A frame pointer we may follow: 8-aligned and inside a kernel stack. */
static bool frame_pointer_valid(uint64_t rbp)
{
	return rbp % sizeof(uint64_t) == 0 && rbp >= (uintptr_t)__bss_start &&
	       rbp + 2 * sizeof(uint64_t) <= (uintptr_t)__bss_end;
}

void trap_print_backtrace(uint64_t rip, uint64_t rbp)
{
	printk("backtrace:\n  %016lx ", rip);
	trap_print_symbol(rip);
	printk("\n");
	uint64_t previous = 0;
	unsigned repeats = 0;
	for (int depth = 0; depth < BACKTRACE_MAX_FRAMES && frame_pointer_valid(rbp);) {
		const uint64_t *frame = (const uint64_t *)rbp;
		uint64_t ret = frame[1];
		if (ret == 0)
			break;
		if (frame[0] <= rbp)
			break; /* frames grow upward; anything else is corrupt */
		rbp = frame[0];
		/* Deep recursion would drown the rest of the chain: count it. */
		if (ret == previous) {
			repeats++;
			continue;
		}
		if (repeats)
			printk("  ... the frame above %u more times\n", repeats);
		repeats = 0;
		previous = ret;
		depth++;
		/* The return address points after the call: name the call. */
		printk("  %016lx ", ret);
		trap_print_symbol(ret - 1);
		printk("\n");
	}
	if (repeats)
		printk("  ... the frame above %u more times\n", repeats);
}

static void print_fault_cause(const struct trap_frame *f, uint64_t cr2)
{
	if (f->vector != VECTOR_PAGE_FAULT)
		return;
	const struct cpu_stack_region *stack = cpu_stack_guard_hit(cr2);
	printk("page fault: %s of address %016lx (%s)\n",
	       f->error_code & PF_INSTRUCTION ? "instruction fetch"
	       : f->error_code & PF_WRITE     ? "write"
					      : "read",
	       cr2, f->error_code & PF_PRESENT ? "protection violation" : "not mapped");
	if (stack)
		printk("stack overflow: %s ran into its guard page\n", stack->name);
	else if (cr2 < 4096)
		printk("NULL pointer dereference\n");
}

static void __attribute__((noreturn)) exception_fatal(const struct trap_frame *f)
{
	uint64_t cr2 = read_cr2();

	printk("\n*** CPU exception %lu (%s), error code 0x%lx\n", f->vector,
	       f->vector < EXCEPTION_COUNT && exception_names[f->vector]
		   ? exception_names[f->vector]
		   : "reserved",
	       f->error_code);
	print_fault_cause(f, cr2);
	printk("rip %016lx ", f->rip);
	trap_print_symbol(f->rip);
	printk("\nrsp %016lx rflags %016lx cs %lx ss %lx cr2 %016lx\n", f->rsp, f->rflags, f->cs,
	       f->ss, cr2);
	printk("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printk("r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
	printk("r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
	trap_print_backtrace(f->rip, f->rbp);
	kernel_exit(KERNEL_EXIT_CPU_EXCEPTION);
}

void trap_dispatch(struct trap_frame *frame)
{
	if (frame->vector < TRAP_FIRST_IRQ_VECTOR)
		exception_fatal(frame);

	struct irq_slot *slot = &irq_slots[frame->vector];
	if (slot->handler)
		slot->handler(slot->arg);
	if (frame->vector != APIC_SPURIOUS_VECTOR)
		apic_eoi();
}
