/*
 * lwIP's interfaces, routes and ARP table as struct ebpf_platform's
 * network hooks (net/fib.h says what a program sees).
 */
#include "fib.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/ip4.h"
#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"

#include "ebpf.h"
#include "kernel.h"
#include "net.h"

#define NET_FORWARD_OPTION "net.forward"

static bool ipv4_forwarding;

static struct netif *fib_interface(uint32_t ifindex)
{
	return ifindex ? net_interface(ifindex - 1) : NULL;
}

static uint32_t fib_ifindex(const struct netif *netif)
{
	return (uint32_t)netif->num + 1;
}

static int fib_netdev_get(uint32_t ifindex, struct ebpf_netdev *dev)
{
	const struct netif *netif = fib_interface(ifindex);

	if (!netif)
		return -ENODEV;
	*dev = (struct ebpf_netdev){
	    .ifindex = ifindex,
	    .mtu = netif->mtu,
	    .hard_header_len = SIZEOF_ETH_HDR,
	    .ipv4_forwarding = ipv4_forwarding,
	};
	memcpy(dev->mac, netif->hwaddr, sizeof(dev->mac));
	return 0;
}

/* An interface's own address, a broadcast on one, or multicast: for this host. */
static bool fib_is_local(const ip4_addr_t *dst)
{
	if (ip4_addr_ismulticast(dst) || ip4_addr_get_u32(dst) == IPADDR_BROADCAST)
		return true;
	for (size_t i = 0; i < net_interface_count(); i++) {
		struct netif *netif = net_interface(i);

		if (ip4_addr_cmp(dst, netif_ip4_addr(netif)) || ip4_addr_isbroadcast(dst, netif))
			return true;
	}
	return false;
}

static enum ebpf_route_type fib_route_lookup(const struct ebpf_route_query *query,
					     struct ebpf_route *route)
{
	struct netif *netif;
	ip4_addr_t dst;

	if (query->family != EBPF_AF_INET)
		return EBPF_ROUTE_NONE;
	memcpy(&dst.addr, query->dst, sizeof(dst.addr));
	if (fib_is_local(&dst))
		return EBPF_ROUTE_LOCAL;
	netif = ip4_route(&dst);
	/* BPF_FIB_LOOKUP_OUTPUT asks for a route out of that device only. */
	if (!netif || (query->output && fib_ifindex(netif) != query->ifindex))
		return EBPF_ROUTE_NONE;
	*route = (struct ebpf_route){.ifindex = fib_ifindex(netif), .mtu = netif->mtu};
	if (ip4_addr_netcmp(&dst, netif_ip4_addr(netif), netif_ip4_netmask(netif)))
		return EBPF_ROUTE_UNICAST;
	if (ip4_addr_isany(netif_ip4_gw(netif)))
		return EBPF_ROUTE_NONE;
	route->gateway_family = EBPF_AF_INET;
	memcpy(route->gateway, &netif_ip4_gw(netif)->addr, sizeof(dst.addr));
	return EBPF_ROUTE_UNICAST;
}

static bool fib_neigh_lookup(uint8_t family, uint32_t ifindex, const uint8_t *addr,
			     uint8_t mac[EBPF_ETH_ALEN])
{
	struct netif *netif = fib_interface(ifindex);
	struct eth_addr *eth;
	const ip4_addr_t *found;
	ip4_addr_t ip;

	if (family != EBPF_AF_INET || !netif)
		return false;
	memcpy(&ip.addr, addr, sizeof(ip.addr));
	if (etharp_find_addr(netif, &ip, &eth, &found) < 0)
		return false;
	memcpy(mac, eth->addr, EBPF_ETH_ALEN);
	return true;
}

int net_fib_install(void)
{
	const char *forward = kernel_option(NET_FORWARD_OPTION);
	struct ebpf_platform platform = *ebpf_get_platform();

	if (forward && strcmp(forward, "0") != 0 && strcmp(forward, "1") != 0) {
		printf("net: %s=%s: expected 0 or 1\n", NET_FORWARD_OPTION, forward);
		return -EINVAL;
	}
	ipv4_forwarding = forward && forward[0] == '1';
	platform.netdev_get = fib_netdev_get;
	platform.route_lookup = fib_route_lookup;
	platform.neigh_lookup = fib_neigh_lookup;
	ebpf_set_platform(&platform);
	return 0;
}
