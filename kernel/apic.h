/*
 * Interrupt controllers: the local APIC (end of interrupt, the one-shot
 * timer) and the I/O APIC (routing device interrupt lines to vectors).
 * The legacy 8259 PICs are remapped out of the exception range and masked.
 */
#ifndef UKBPF_APIC_H
#define UKBPF_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_TIMER_VECTOR	 32
#define APIC_FIRST_DEVICE_VECTOR 48
#define APIC_SPURIOUS_VECTOR	 255

void apic_init(void);
void apic_eoi(void);
/* Measures the timer's rate against the calibrated TSC (time_init first). */
void apic_timer_calibrate(void);
/* Fires APIC_TIMER_VECTOR once, ns from now (0 cancels). */
void apic_timer_oneshot(uint64_t ns);
/* Routes I/O APIC input gsi to vector on this CPU, unmasked. */
int apic_route_irq(uint32_t gsi, uint8_t vector, bool level_triggered, bool active_low);

#endif /* UKBPF_APIC_H */
