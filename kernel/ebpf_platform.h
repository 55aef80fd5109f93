/*
 * The services the eBPF runtime (ebpf/) needs from the guest: JIT code
 * pages (allocated read+write, sealed read+execute through the page
 * tables, never both), the monotonic clock, the console for
 * bpf_trace_printk, random numbers, and the network stack's sockets.
 */
#ifndef UKBPF_EBPF_PLATFORM_H
#define UKBPF_EBPF_PLATFORM_H

#include "ebpf.h"

/* Installs the hooks with ebpf_set_platform(); call after time_init(). */
void ebpf_platform_init(void);

/*
 * Adds the socket lookup (struct ebpf_platform's sock_lookup) once the
 * network stack is up: net/ has the sockets, the kernel only the seam.
 */
void ebpf_platform_set_sock_lookup(bool (*lookup)(const struct ebpf_sock_key *key,
						  struct ebpf_sock *sock));

#endif /* UKBPF_EBPF_PLATFORM_H */
