/*
 * What apps/xsk-echo/main.c and its XDP program bpf/xsk_redirect.c share.
 * Plain C with no types, so that both the guest (gcc, newlib) and clang
 * -target bpf include it.
 *
 * "xsks_map" (an XSKMAP, by receive queue): the app's AF_XDP socket, in
 *   the slot of the queue it is bound to (net/xsk.h); the name is the one
 *   xdp-tools' default AF_XDP program uses, so that program serves too.
 * "xsk_echo_config" (u32 values, written by the app at start):
 *   XSK_ECHO_CONFIG_PORT  the UDP echo port in host byte order; 0: every
 *                         frame is left to lwIP
 */
#ifndef UKBPF_XSK_ECHO_BPF_XSK_ECHO_H
#define UKBPF_XSK_ECHO_BPF_XSK_ECHO_H

#define XSK_ECHO_QUEUES 1 /* each NIC has one receive queue (net/xdp_hook.h) */

enum xsk_echo_config_key {
	XSK_ECHO_CONFIG_PORT,
	XSK_ECHO_CONFIG_KEYS,
};

#endif /* UKBPF_XSK_ECHO_BPF_XSK_ECHO_H */
