/*
 * The network XDP programs ask about (bpf_check_mtu, bpf_fib_lookup):
 * lwIP's interfaces, its routes and its ARP table, handed to the eBPF
 * runtime as the netdev_get, route_lookup and neigh_lookup hooks of
 * struct ebpf_platform (ebpf/ebpf.h).
 *
 * Devices are the NICs by ifindex (interface eth<i> is ifindex i + 1),
 * with lwIP's MTU, an Ethernet header and the NIC's MAC. Routes are what
 * lwIP's ip4_route picks: the interface whose subnet holds the
 * destination (delivered on the link), else the default interface
 * through its gateway; an interface's own address or a broadcast or
 * multicast destination is local (not forwarded). IPv6 destinations are
 * on the link of the interface ip6_route picks when they share the /64
 * of one of its addresses ("ip6.ethN=" gives static ones), and nowhere
 * else (lwIP keeps its routers to itself). Neighbours are the ARP
 * table's complete entries and the ND cache's known ones (reachable,
 * stale, delay, probe: Linux's NUD_VALID). Forwarding, Linux's
 * net.ipv{4,6}.conf.*.forwarding, is off unless the kernel option
 * "net.forward=1" turns it on for every interface and both families;
 * lwIP itself never forwards (only a program does, by redirecting).
 */
#ifndef UKBPF_NET_FIB_H
#define UKBPF_NET_FIB_H

/*
 * Reads net.forward and adds the hooks to the installed platform. Returns
 * 0, or -EINVAL for a bad net.forward value (the reason is printed).
 * Call after lwIP's interfaces are up.
 */
int net_fib_install(void);

#endif /* UKBPF_NET_FIB_H */
