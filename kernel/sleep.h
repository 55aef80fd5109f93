/*
 * Sleeping with the CPU halted. There is no periodic tick: a sleep arms
 * the local APIC timer one-shot for its deadline (kernel/apic.h) and halts
 * until an interrupt, so an idle guest costs the host next to nothing.
 */
#ifndef UKBPF_SLEEP_H
#define UKBPF_SLEEP_H

#include <stdint.h>

/*
 * Claims APIC_TIMER_VECTOR, whose interrupt does nothing but wake the CPU
 * from hlt. Call after trap_init, and before sleep_ns, after time_init and
 * apic_timer_calibrate.
 */
void sleep_init(void);
/* Sleeps at least ns with the CPU halted (interrupts enabled). */
void sleep_ns(uint64_t ns);

#endif /* UKBPF_SLEEP_H */
