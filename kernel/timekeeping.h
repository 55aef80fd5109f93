/*
 * The clock: monotonic time from the TSC (calibrated against the PIT at
 * boot) and wall-clock time from the CMOS RTC read once at boot. It needs
 * no interrupts; sleeping on the APIC timer is kernel/sleep.h's.
 */
#ifndef UKBPF_TIMEKEEPING_H
#define UKBPF_TIMEKEEPING_H

#include <stdint.h>

/* Calibrates the TSC and reads the RTC. Returns the TSC rate in Hz. */
uint64_t time_init(void);
/* Nanoseconds since time_init. */
uint64_t time_monotonic_ns(void);
/* Nanoseconds since the Unix epoch. */
uint64_t time_realtime_ns(void);
/* TSC value at the first instruction of the kernel (boot.S), converted. */
uint64_t time_tsc_to_ns(uint64_t tsc_delta);

#endif /* UKBPF_TIMEKEEPING_H */
