/*
 * What apps/udp-echo/main.c and its XDP program bpf/echo.c share: the keys
 * of the program's two array maps. Plain C with no types, so that both the
 * guest (gcc, newlib) and clang -target bpf include it.
 *
 * "echo_config" (u32 values, written by the app at start):
 *   ECHO_CONFIG_ADDRESS  eth0's IPv4 address in network byte order, as it
 *                        lies in an IPv4 header; 0 (unset): the program
 *                        answers nothing and passes every frame
 *   ECHO_CONFIG_PORT     the UDP echo port in host byte order; 0: UDP is
 *                        left to lwIP
 * "echo_replies" (u64 values, counted by the program): replies sent by XDP_TX.
 */
#ifndef UKBPF_UDP_ECHO_BPF_ECHO_H
#define UKBPF_UDP_ECHO_BPF_ECHO_H

enum echo_config_key {
	ECHO_CONFIG_ADDRESS,
	ECHO_CONFIG_PORT,
	ECHO_CONFIG_KEYS,
};

enum echo_counter {
	ECHO_COUNTER_ICMP,
	ECHO_COUNTER_UDP,
	ECHO_COUNTERS,
};

#endif /* UKBPF_UDP_ECHO_BPF_ECHO_H */
