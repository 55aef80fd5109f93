/*
 * lwIP netif driver over a netdev (net/netdev.h), whatever its driver.
 * Received frames are copied once, into a pool pbuf; sent frames go to the
 * netdev as they are when lwIP built them in one pbuf, and are flattened
 * first when it built a chain (a netdev takes a contiguous frame, which
 * the driver copies into its ring buffer).
 */
#include <stdint.h>
#include <string.h>

#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#include "netdev.h"
#include "netif_netdev.h"

#define NETIF_NETDEV_MTU	 1500	 /* Ethernet payload: NETDEV_FRAME_MAX-byte frames */
#define NETIF_NETDEV_TX_RETRY_NS 1000000 /* how long a full TX ring may stall one frame */

_Static_assert(NETDEV_MAC_LEN == ETH_HWADDR_LEN, "a netdev's MAC is an Ethernet address");

/* Only one frame is ever being sent at a time (one CPU, no threads). */
static uint8_t netif_netdev_tx_flat[NETDEV_FRAME_MAX];

static err_t netif_netdev_linkoutput(struct netif *netif, struct pbuf *p)
{
	const void *frame = p->payload;

	if (p->next) {
		if (p->tot_len > sizeof(netif_netdev_tx_flat)) {
			LINK_STATS_INC(link.lenerr);
			LINK_STATS_INC(link.drop);
			return ERR_BUF;
		}
		pbuf_copy_partial(p, netif_netdev_tx_flat, p->tot_len, 0);
		frame = netif_netdev_tx_flat;
	}
	/* A full ring drains as the device transmits: retry for a while, then drop. */
	if (netdev_transmit_retry(netif->state, frame, p->tot_len, NETIF_NETDEV_TX_RETRY_NS) < 0) {
		LINK_STATS_INC(link.drop);
		return ERR_IF;
	}
	LINK_STATS_INC(link.xmit);
	return ERR_OK;
}

err_t netif_netdev_init(struct netif *netif)
{
	const struct netdev *dev = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 't';
	netif->mtu = NETIF_NETDEV_MTU;
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, dev->mac, ETH_HWADDR_LEN);
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		       NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	netif->output = etharp_output;
#if LWIP_IPV6
	netif->output_ip6 = ethip6_output;
#endif
	netif->linkoutput = netif_netdev_linkoutput;
	return ERR_OK;
}

void netif_netdev_input(void *netif_arg, uint8_t *frame, size_t len)
{
	struct netif *netif = netif_arg;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);

	if (!p) {
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		return;
	}
	pbuf_take(p, frame, (u16_t)len);
	LINK_STATS_INC(link.recv);
	if (netif->input(p, netif) != ERR_OK)
		pbuf_free(p);
}
