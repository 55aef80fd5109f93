#include "sleep.h"

#include <stddef.h>

#include "apic.h"
#include "timekeeping.h"
#include "trap.h"
#include "x86.h"

static void timer_interrupt(void *arg)
{
	(void)arg; /* waking the CPU from hlt is all it is for */
}

void sleep_init(void)
{
	trap_register_irq(APIC_TIMER_VECTOR, timer_interrupt, NULL);
}

void sleep_ns(uint64_t ns)
{
	uint64_t deadline = time_monotonic_ns() + ns;

	for (;;) {
		/*
		 * Interrupts off from the clock read to hlt (cpu_idle's sti takes
		 * effect after hlt has begun): a timer firing in between would
		 * otherwise be taken before hlt, which would then wait for good.
		 */
		irq_disable();
		uint64_t now = time_monotonic_ns();
		if (now >= deadline)
			break;
		apic_timer_oneshot(deadline - now);
		cpu_idle();
	}
	apic_timer_oneshot(0);
	irq_enable();
}
