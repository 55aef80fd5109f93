/*
 * Private to ebpf/: the helpers of helpers_net.c (bpf_check_mtu,
 * bpf_fib_lookup), for helpers.c's table, which holds their prototypes.
 */
#ifndef UKBPF_EBPF_HELPERS_NET_H
#define UKBPF_EBPF_HELPERS_NET_H

#include <stdint.h>

uint64_t ebpf_helper_check_mtu(uint64_t ctx, uint64_t ifindex, uint64_t mtu_len, uint64_t len_diff,
			       uint64_t flags);
uint64_t ebpf_helper_fib_lookup(uint64_t ctx, uint64_t params, uint64_t plen, uint64_t flags,
				uint64_t r5);

#endif /* UKBPF_EBPF_HELPERS_NET_H */
