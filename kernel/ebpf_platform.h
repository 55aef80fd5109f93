/*
 * The services the eBPF runtime (ebpf/) needs from the guest: JIT code
 * pages (allocated read+write, sealed read+execute through the page
 * tables, never both), the monotonic clock, the console for
 * bpf_trace_printk, and random numbers.
 */
#ifndef UKBPF_EBPF_PLATFORM_H
#define UKBPF_EBPF_PLATFORM_H

/* Installs the hooks with ebpf_set_platform(); call after time_init(). */
void ebpf_platform_init(void);

#endif /* UKBPF_EBPF_PLATFORM_H */
