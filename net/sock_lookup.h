/*
 * The guest's answer to the eBPF socket lookups (bpf_sk_lookup_tcp/udp,
 * bpf_skc_lookup_tcp): lwIP's TCP and UDP pcbs, seen through struct
 * ebpf_sock (ebpf/ebpf.h), Linux's struct bpf_sock. Nothing of lwIP's
 * reaches the program: the helper copies the answer into memory it owns.
 */
#ifndef UKBPF_NET_SOCK_LOOKUP_H
#define UKBPF_NET_SOCK_LOOKUP_H

#include <stdbool.h>

#include "ebpf.h"

/*
 * The pcb a packet with key's addresses would reach, as lwIP's tcp_input
 * and udp_input pick it (and Linux's __inet_lookup, in the same order): a
 * TCP connection (active or TIME_WAIT) or connected UDP pcb matching the
 * whole 4-tuple, else a TCP listener or bound UDP pcb on the local port
 * whose address is the local one or any. Call only from the net loop.
 */
bool net_sock_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock);

#endif /* UKBPF_NET_SOCK_LOOKUP_H */
