/*
 * The eBPF platform services for a host (Linux) process: mmap'd JIT
 * memory, CLOCK_MONOTONIC, trace output on stderr, getrandom(), and the
 * network devices of the current namespace (no routes). No
 * sockets: every bpf_sk_lookup_* / bpf_skc_lookup_tcp finds none, as a
 * Linux host does where nothing listens on a frame's addresses.
 */
#ifndef UKBPF_TOOLS_HOST_PLATFORM_H
#define UKBPF_TOOLS_HOST_PLATFORM_H

/* Installs the host services with ebpf_set_platform(). */
void host_platform_install(void);

#endif /* UKBPF_TOOLS_HOST_PLATFORM_H */
