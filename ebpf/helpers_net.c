/*
 * The helpers that ask the network around the program: bpf_check_mtu and
 * bpf_fib_lookup, as Linux 6.1's XDP versions (net/core/filter.c:
 * bpf_xdp_check_mtu, bpf_xdp_fib_lookup with bpf_ipv4_fib_lookup and
 * bpf_ipv6_fib_lookup). The devices, routes and neighbours come from the
 * platform (struct ebpf_platform's netdev_get, route_lookup,
 * neigh_lookup): the guest's lwIP, or the host's loopback for the tool.
 * Linux's order of checks is kept, so a program sees the same result
 * codes for the same network.
 */
#include <errno.h>
#include <string.h>

#include "ebpf_internal.h"
#include "helpers_net.h"

static uint64_t errno_ret(int err)
{
	return (uint64_t)(int64_t)err;
}

static int netdev_get(uint32_t ifindex, struct ebpf_netdev *dev)
{
	const struct ebpf_platform *platform = ebpf_get_platform();

	if (!platform->netdev_get)
		return -ENODEV;
	return platform->netdev_get(ifindex, dev);
}

/* ---- bpf_check_mtu ------------------------------------------------------------- */

/*
 * bpf_check_mtu(ctx, ifindex, *mtu_len, len_diff, flags): would the frame,
 * len_diff bytes longer, fit the MTU of ifindex (0: the receiving device)?
 * A non-zero *mtu_len is the L3 length to check instead of the frame's.
 * *mtu_len gets the device's MTU. Linux computes in int, so do we.
 */
uint64_t ebpf_helper_check_mtu(uint64_t ctx, uint64_t ifindex, uint64_t mtu_len, uint64_t len_diff,
			       uint64_t flags)
{
	const struct ebpf_xdp_buff *xb = (const void *)(uintptr_t)ctx;
	uint32_t *len_io = (uint32_t *)(uintptr_t)mtu_len;
	int32_t frame_len = (int32_t)(xb->md.data_end - xb->md.data);
	struct ebpf_netdev dev;
	int32_t dev_len;

	/* Linux's XDP version has no segment check: BPF_MTU_CHK_SEGS and any other flag. */
	if (flags)
		return errno_ret(-EINVAL);
	if (netdev_get((uint32_t)ifindex ? (uint32_t)ifindex : xb->md.ingress_ifindex, &dev))
		return errno_ret(-ENODEV);
	dev_len = (int32_t)(dev.mtu + dev.hard_header_len);
	if (*len_io)
		frame_len = (int32_t)(*len_io + dev.hard_header_len);
	frame_len = (int32_t)((uint32_t)frame_len + (uint32_t)(int32_t)len_diff);
	*len_io = dev.mtu;
	return frame_len > dev_len ? EBPF_MTU_CHK_RET_FRAG_NEEDED : EBPF_MTU_CHK_RET_SUCCESS;
}

/* ---- bpf_fib_lookup ------------------------------------------------------------ */

/* Linux's struct bpf_fib_lookup (<linux/bpf.h>), 64 bytes, network order where Linux has it. */
struct fib_lookup_params {
	uint8_t family;
	uint8_t l4_protocol;
	uint16_t sport;
	uint16_t dport;
	uint16_t tot_len; /* in: the L3 length to check; out: mtu_result */
	uint32_t ifindex;
	union {
		uint8_t tos;
		uint32_t flowinfo;
		uint32_t rt_metric;
	};
	uint8_t src[EBPF_IPV6_ALEN]; /* ipv4_src in the first 4 bytes */
	uint8_t dst[EBPF_IPV6_ALEN];
	uint16_t h_vlan_proto;
	uint16_t h_vlan_tci;
	uint8_t smac[EBPF_ETH_ALEN];
	uint8_t dmac[EBPF_ETH_ALEN];
};
_Static_assert(sizeof(struct fib_lookup_params) == 64, "Linux's struct bpf_fib_lookup");

#define IPV4_ALEN 4

static size_t addr_len(uint8_t family)
{
	return family == EBPF_AF_INET ? IPV4_ALEN : EBPF_IPV6_ALEN;
}

/*
 * Linux's rt6_need_strict: multicast (ff00::/8), link-local (fe80::/10)
 * and loopback (::1) are never forwarded.
 */
static bool ipv6_is_strict(const uint8_t *addr)
{
	static const uint8_t loopback[EBPF_IPV6_ALEN] = {[15] = 1};

	return addr[0] == 0xff || (addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80) ||
	       !memcmp(addr, loopback, sizeof(loopback));
}

static int fib_result_of_route(enum ebpf_route_type type)
{
	switch (type) {
	case EBPF_ROUTE_UNICAST:
		return EBPF_FIB_LKUP_RET_SUCCESS;
	case EBPF_ROUTE_BLACKHOLE:
		return EBPF_FIB_LKUP_RET_BLACKHOLE;
	case EBPF_ROUTE_UNREACHABLE:
		return EBPF_FIB_LKUP_RET_UNREACHABLE;
	case EBPF_ROUTE_PROHIBIT:
		return EBPF_FIB_LKUP_RET_PROHIBIT;
	default:
		return EBPF_FIB_LKUP_RET_NOT_FWDED;
	}
}

/*
 * bpf_ipv4_fib_lookup and bpf_ipv6_fib_lookup, one flow: the input device
 * must forward, the route must be unicast and its MTU hold tot_len, the
 * next hop (the gateway, else the destination) needs a known neighbour.
 * On success params names the output device, its MAC as smac and the
 * neighbour's as dmac; mtu_result is the path's MTU.
 */
static int fib_lookup(struct fib_lookup_params *params, uint32_t flags)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	struct ebpf_route_query query = {
	    .family = params->family,
	    .ifindex = params->ifindex,
	    .output = flags & EBPF_FIB_LOOKUP_OUTPUT,
	    .direct = flags & EBPF_FIB_LOOKUP_DIRECT,
	};
	size_t alen = addr_len(params->family);
	struct ebpf_route route = {0};
	struct ebpf_netdev dev;
	int ret;

	if (params->family == EBPF_AF_INET6 &&
	    (ipv6_is_strict(params->dst) || ipv6_is_strict(params->src)))
		return EBPF_FIB_LKUP_RET_NOT_FWDED;
	if (netdev_get(params->ifindex, &dev))
		return -ENODEV;
	if (!(params->family == EBPF_AF_INET ? dev.ipv4_forwarding : dev.ipv6_forwarding))
		return EBPF_FIB_LKUP_RET_FWD_DISABLED;
	/* Linux's IPTOS_RT_MASK keeps the TOS bits routing looks at. */
	query.tos = params->family == EBPF_AF_INET ? params->tos & 0x1c : 0;
	memcpy(query.src, params->src, alen);
	memcpy(query.dst, params->dst, alen);
	ret = fib_result_of_route(platform->route_lookup ? platform->route_lookup(&query, &route)
							 : EBPF_ROUTE_NONE);
	if (ret != EBPF_FIB_LKUP_RET_SUCCESS)
		return ret;
	if (params->tot_len > route.mtu) {
		params->tot_len = (uint16_t)route.mtu; /* mtu_result */
		return EBPF_FIB_LKUP_RET_FRAG_NEEDED;
	}
	if (netdev_get(route.ifindex, &dev))
		return EBPF_FIB_LKUP_RET_NOT_FWDED;
	params->rt_metric = route.metric;
	params->ifindex = route.ifindex;
	if (route.gateway_family) {
		params->family = route.gateway_family;
		memcpy(params->dst, route.gateway, addr_len(route.gateway_family));
	}
	if (!platform->neigh_lookup ||
	    !platform->neigh_lookup(params->family, route.ifindex, params->dst, params->dmac))
		return EBPF_FIB_LKUP_RET_NO_NEIGH;
	memcpy(params->smac, dev.mac, sizeof(params->smac));
	params->h_vlan_tci = 0;
	params->h_vlan_proto = 0;
	if (route.mtu)
		params->tot_len = (uint16_t)route.mtu; /* mtu_result */
	return EBPF_FIB_LKUP_RET_SUCCESS;
}

uint64_t ebpf_helper_fib_lookup(uint64_t ctx, uint64_t params, uint64_t plen, uint64_t flags,
				uint64_t r5)
{
	struct fib_lookup_params *p = (void *)(uintptr_t)params;

	if ((uint32_t)plen < sizeof(*p))
		return errno_ret(-EINVAL);
	if ((uint32_t)flags & ~(EBPF_FIB_LOOKUP_DIRECT | EBPF_FIB_LOOKUP_OUTPUT))
		return errno_ret(-EINVAL);
	if (p->family != EBPF_AF_INET && p->family != EBPF_AF_INET6)
		return errno_ret(-EAFNOSUPPORT);
	return errno_ret(fib_lookup(p, (uint32_t)flags));
}
