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
#include "lwip/ip6.h"
#include "lwip/netif.h"
#include "lwip/prot/ethernet.h"
/* lwIP offers no look-up of its neighbour cache but this, its own array. */
#include "lwip/priv/nd6_priv.h"

#include "ebpf.h"
#include "kernel.h"
#include "net.h"

#define NET_FORWARD_OPTION "net.forward"

static bool forwarding;

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
	    .ipv4_forwarding = forwarding,
	    .ipv6_forwarding = forwarding,
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

/* BPF_FIB_LOOKUP_OUTPUT asks for a route out of that device only. */
static bool fib_leaves_by(const struct netif *netif, const struct ebpf_route_query *query)
{
	return netif && (!query->output || fib_ifindex(netif) == query->ifindex);
}

/*
 * IPv6 (the caller has refused link-local and multicast): an interface's
 * own address is local; a destination in the /64 of one of the
 * addresses of the interface ip6_route picks is on its link. lwIP keeps
 * its routers to itself, so there is no route through one.
 */
static enum ebpf_route_type fib_route6_lookup(const struct ebpf_route_query *query,
					      struct ebpf_route *route)
{
	struct netif *netif;
	ip6_addr_t dst;

	memcpy(dst.addr, query->dst, sizeof(dst.addr));
	ip6_addr_clear_zone(&dst);
	for (size_t i = 0; i < net_interface_count(); i++) {
		if (netif_get_ip6_addr_match(net_interface(i), &dst) >= 0)
			return EBPF_ROUTE_LOCAL;
	}
	netif = ip6_route(IP6_ADDR_ANY6, &dst);
	if (!fib_leaves_by(netif, query))
		return EBPF_ROUTE_NONE;
	for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
		if (ip6_addr_isvalid(netif_ip6_addr_state(netif, i)) &&
		    ip6_addr_netcmp_zoneless(&dst, netif_ip6_addr(netif, i))) {
			*route = (struct ebpf_route){.ifindex = fib_ifindex(netif),
						     .mtu = netif_mtu6(netif)};
			return EBPF_ROUTE_UNICAST;
		}
	}
	return EBPF_ROUTE_NONE;
}

static enum ebpf_route_type fib_route_lookup(const struct ebpf_route_query *query,
					     struct ebpf_route *route)
{
	struct netif *netif;
	ip4_addr_t dst;

	if (query->family == EBPF_AF_INET6)
		return fib_route6_lookup(query, route);
	memcpy(&dst.addr, query->dst, sizeof(dst.addr));
	if (fib_is_local(&dst))
		return EBPF_ROUTE_LOCAL;
	netif = ip4_route(&dst);
	if (!fib_leaves_by(netif, query))
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

/* Linux's NUD_VALID: a neighbour whose address is known, confirmed or not. */
static bool fib_neigh6_valid(uint8_t state)
{
	return state == ND6_REACHABLE || state == ND6_STALE || state == ND6_DELAY ||
	       state == ND6_PROBE;
}

static bool fib_neigh6_lookup(struct netif *netif, const uint8_t *addr, uint8_t *mac)
{
	ip6_addr_t ip;

	memcpy(ip.addr, addr, sizeof(ip.addr));
	for (int i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
		const struct nd6_neighbor_cache_entry *entry = &neighbor_cache[i];

		if (entry->netif == netif && fib_neigh6_valid(entry->state) &&
		    ip6_addr_cmp_zoneless(&entry->next_hop_address, &ip)) {
			memcpy(mac, entry->lladdr, EBPF_ETH_ALEN);
			return true;
		}
	}
	return false;
}

static bool fib_neigh_lookup(uint8_t family, uint32_t ifindex, const uint8_t *addr,
			     uint8_t mac[EBPF_ETH_ALEN])
{
	struct netif *netif = fib_interface(ifindex);
	struct eth_addr *eth;
	const ip4_addr_t *found;
	ip4_addr_t ip;

	if (!netif)
		return false;
	if (family == EBPF_AF_INET6)
		return fib_neigh6_lookup(netif, addr, mac);
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
	forwarding = forward && forward[0] == '1';
	platform.netdev_get = fib_netdev_get;
	platform.route_lookup = fib_route_lookup;
	platform.neigh_lookup = fib_neigh_lookup;
	ebpf_set_platform(&platform);
	return 0;
}
