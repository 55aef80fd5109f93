/*
 * xsk-echo: a UDP echo service (RFC 862) that bypasses lwIP through an
 * AF_XDP-style socket (net/xsk.h). Its XDP program (bpf/xsk_redirect.c)
 * redirects IPv4 UDP datagrams for the echo port into the XSKMAP
 * "xsks_map" at the frame's receive queue, where the app's socket is;
 * the app swaps the addresses and ports in the frame's own buffer and
 * sends it back out with xsk_transmit. Everything else reaches lwIP
 * (ARP, ICMP, other ports). xdp-tools' default AF_XDP program
 * (xsk_def_xdp_prog.o, which sends every frame of the queue to the
 * socket) serves unchanged in its place: the app then echoes what is
 * for its port and drops the rest, counted as "other".
 *   port N   echo UDP port N instead of 7
 *
 * lwIP listens on the port as well and echoes what reaches it: with the
 * program attached that count stays 0, which shows the datagrams went
 * around the stack.
 *
 * Run: make run APP=xsk-echo (QEMU's user network; host UDP port 7007 is
 * forwarded to port 7). Prints "xsk-echo: AF_XDP socket on eth0 queue 0,
 * UDP port N" once set up (or "xsk-echo: no xsks_map: lwIP answers
 * everything" without a program), then, every XSK_ECHO_REPORT_MS when a
 * count changed, one line:
 *   xsk-echo: xsk rx N echoed N other N dropped N tx_failed N lwip N
 *             xdp redirect N pass N
 * (the socket's counters, net/xsk.h, "dropped" for both kinds of drop;
 * datagrams lwIP echoed; the XDP
 * hook's verdicts, net/xdp_hook.h). Runs until the guest is stopped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/xsk_echo.h"
#include "bpf_boot.h"
#include "cmdline.h"
#include "ebpf.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net.h"
#include "netdev.h"
#include "xdp_hook.h"
#include "xsk.h"

#define XSK_ECHO_DEFAULT_PORT 7 /* RFC 862 */
#define XSK_ECHO_REPORT_MS    2000
#define EXIT_USAGE	      2
#define EXIT_NO_NETWORK	      1
#define ECHO_IFINDEX	      1 /* eth0 */

/* Frame layout (IEEE 802.3, RFC 791, RFC 768): offsets and sizes in bytes. */
#define ETH_ADDR_LEN	 6
#define ETH_DST		 0
#define ETH_SRC		 6
#define ETH_TYPE	 12
#define ETH_HEADER_LEN	 14
#define ETH_TYPE_IPV4	 0x0800
#define IPV4_MIN_HEADER	 20
#define IPV4_IHL_MASK	 0x0f
#define IPV4_IHL_UNIT	 4
#define IPV4_FRAG	 6
#define IPV4_FRAG_FIELDS 0x3fff /* MF and the fragment offset */
#define IPV4_PROTOCOL	 9
#define IPV4_SRC	 12
#define IPV4_DST	 16
#define IPV4_ADDR_LEN	 4
#define IP_PROTO_UDP	 17
#define UDP_SRC_PORT	 0
#define UDP_DST_PORT	 2
#define UDP_HEADER_LEN	 8
#define UDP_PORT_LEN	 2

struct xsk_echo_counts {
	struct xsk_stats xsk;
	uint64_t echoed, other, lwip_echoed;
	uint64_t xdp_redirect, xdp_pass;
};

static struct {
	u16_t port;
	struct xsk_socket *socket; /* NULL without a program that has xsks_map */
	struct netdev *nic;
	uint64_t echoed, other, lwip_echoed;
	struct xsk_echo_counts reported;
} echo = {.port = XSK_ECHO_DEFAULT_PORT};

static uint16_t read_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void swap_bytes(uint8_t *a, uint8_t *b, size_t len)
{
	uint8_t tmp[ETH_ADDR_LEN];

	memcpy(tmp, a, len);
	memcpy(a, b, len);
	memcpy(b, tmp, len);
}

/*
 * The UDP header of an unfragmented IPv4 datagram to the echo port sent
 * to eth0's MAC, or NULL. Checks what the program checked again: with
 * xdp-tools' program every frame of the queue arrives here.
 */
static uint8_t *echo_request_udp(uint8_t *frame, size_t len)
{
	uint8_t *ip = frame + ETH_HEADER_LEN, *udp;
	size_t ihl;

	if (len < ETH_HEADER_LEN + IPV4_MIN_HEADER ||
	    memcmp(frame + ETH_DST, echo.nic->mac, ETH_ADDR_LEN) != 0 ||
	    read_be16(frame + ETH_TYPE) != ETH_TYPE_IPV4 || ip[IPV4_PROTOCOL] != IP_PROTO_UDP ||
	    (read_be16(ip + IPV4_FRAG) & IPV4_FRAG_FIELDS))
		return NULL;
	ihl = (size_t)(ip[0] & IPV4_IHL_MASK) * IPV4_IHL_UNIT;
	udp = ip + ihl;
	if (ihl < IPV4_MIN_HEADER || len < ETH_HEADER_LEN + ihl + UDP_HEADER_LEN ||
	    read_be16(udp + UDP_DST_PORT) != echo.port)
		return NULL;
	return udp;
}

/*
 * Echoes a datagram in place: addresses and ports swap, so the IPv4 and
 * UDP checksums (RFC 1071 sums, commutative) stay right as they are.
 */
static void echo_frame(struct xsk_frame *frame)
{
	uint8_t *udp = echo_request_udp(frame->data, frame->len);
	uint8_t *ip = frame->data + ETH_HEADER_LEN;

	if (!udp) {
		echo.other++;
		return;
	}
	swap_bytes(frame->data + ETH_DST, frame->data + ETH_SRC, ETH_ADDR_LEN);
	swap_bytes(ip + IPV4_SRC, ip + IPV4_DST, IPV4_ADDR_LEN);
	swap_bytes(udp + UDP_SRC_PORT, udp + UDP_DST_PORT, UDP_PORT_LEN);
	if (xsk_transmit(echo.socket, frame->data, frame->len) == 0)
		echo.echoed++;
}

/* net_run's callback after each round: empties the socket's ring; never done. */
static bool xsk_echo_drain(void *arg)
{
	struct xsk_frame frame;

	while (echo.socket && xsk_receive(echo.socket, &frame) == 0) {
		echo_frame(&frame);
		xsk_release(echo.socket, &frame);
	}
	return false;
}

static void udp_echo_received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			      u16_t port)
{
	if (udp_sendto(pcb, p, addr, port) == ERR_OK)
		echo.lwip_echoed++;
	pbuf_free(p);
}

static void xsk_echo_get_counts(struct xsk_echo_counts *counts)
{
	struct xdp_hook_stats xdp;

	memset(counts, 0, sizeof(*counts));
	if (echo.socket)
		xsk_get_stats(echo.socket, &counts->xsk);
	xdp_hook_get_stats(&xdp);
	counts->echoed = echo.echoed;
	counts->other = echo.other;
	counts->lwip_echoed = echo.lwip_echoed;
	counts->xdp_redirect = xdp.actions[EBPF_XDP_REDIRECT];
	counts->xdp_pass = xdp.actions[EBPF_XDP_PASS];
}

/* lwIP timer (NO_SYS: it runs from net_run's loop): the periodic line. */
static void xsk_echo_report(void *arg)
{
	struct xsk_echo_counts now;

	xsk_echo_get_counts(&now);
	if (memcmp(&now, &echo.reported, sizeof(now)) != 0) {
		printf("xsk-echo: xsk rx %llu echoed %llu other %llu dropped %llu tx_failed %llu "
		       "lwip %llu xdp redirect %llu pass %llu\n",
		       (unsigned long long)now.xsk.rx, (unsigned long long)now.echoed,
		       (unsigned long long)now.other,
		       (unsigned long long)(now.xsk.rx_dropped + now.xsk.rx_ring_full),
		       (unsigned long long)now.xsk.tx_failed, (unsigned long long)now.lwip_echoed,
		       (unsigned long long)now.xdp_redirect, (unsigned long long)now.xdp_pass);
		echo.reported = now;
	}
	sys_timeout(XSK_ECHO_REPORT_MS, xsk_echo_report, NULL);
}

/*
 * Opens the socket on eth0's queue and puts it in the program's
 * xsks_map; tells the program the port when it has xsk-echo's config
 * (xdp-tools' program has none, and needs none).
 */
static int xsk_echo_attach_socket(void)
{
	struct ebpf_map *xsks = bpf_boot_find_map("xsks_map");
	struct ebpf_map *config = bpf_boot_find_map("xsk_echo_config");
	uint32_t key = XSK_ECHO_CONFIG_PORT, port = echo.port;
	int err;

	if (!xsks) {
		printf("xsk-echo: no xsks_map: lwIP answers everything\n");
		return 0;
	}
	err = xsk_socket_create(echo.nic, XDP_HOOK_RX_QUEUE, &echo.socket);
	if (!err)
		err = xsk_socket_register(echo.socket, xsks, XDP_HOOK_RX_QUEUE);
	if (err) {
		fprintf(stderr, "xsk-echo: cannot set up the AF_XDP socket: error %d\n", err);
		return err;
	}
	if (config)
		ebpf_map_update(config, &key, &port, EBPF_ANY);
	printf("xsk-echo: AF_XDP socket on %s queue %u, UDP port %u\n", echo.nic->name,
	       XDP_HOOK_RX_QUEUE, echo.port);
	return 0;
}

int main(int argc, char **argv)
{
	int bad;
	if (cmdline_args_port(argc, argv, &echo.port, &bad) < 0) {
		fprintf(stderr, "xsk-echo: bad argument %s (usage: " CMDLINE_PORT_USAGE ")\n",
			argv[bad]);
		return EXIT_USAGE;
	}
	if (net_init() < 0)
		return EXIT_NO_NETWORK;
	echo.nic = netdev_by_ifindex(ECHO_IFINDEX);
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!pcb || udp_bind(pcb, IP_ANY_TYPE, echo.port) != ERR_OK) {
		fprintf(stderr, "xsk-echo: cannot bind UDP port %u in lwIP\n", echo.port);
		return EXIT_NO_NETWORK;
	}
	udp_recv(pcb, udp_echo_received, NULL);
	if (xsk_echo_attach_socket() < 0)
		return EXIT_NO_NETWORK;
	sys_timeout(XSK_ECHO_REPORT_MS, xsk_echo_report, NULL);
	net_run(xsk_echo_drain, NULL, NET_NO_DEADLINE);
	return 0;
}
