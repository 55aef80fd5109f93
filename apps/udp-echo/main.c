/*
 * udp-echo: sends every UDP datagram it receives back to its sender
 * (RFC 862's echo service), on eth0's address or any other. With its XDP
 * program (bpf/echo.c) attached, ICMP echo requests and unfragmented
 * datagrams to the echo port are answered by the program itself with
 * XDP_TX before lwIP sees them; lwIP answers the rest (fragmented
 * datagrams, ARP, pings it is handed).
 *   port N   listen on UDP port N instead of 7
 *
 * Run: make run APP=udp-echo boots it with bpf/echo.c attached, on QEMU's
 * user network with host UDP port 7007 forwarded to port 7:
 *   echo hi | nc -u -w1 127.0.0.1 7007   (netcat-openbsd)
 * Prints "udp-echo: listening on UDP port N" once the network is up, then,
 * every UDP_ECHO_REPORT_MS when a count changed, one line:
 *   udp-echo: xdp runs N pass N tx N drop N aborted N icmp N udp N lwip N
 * (the XDP hook's runs and verdicts, net/xdp_hook.h; the program's replies
 * by kind, from its map "echo_replies"; datagrams lwIP echoed). Without
 * the program the xdp and icmp/udp counts stay 0. Runs until the guest is
 * stopped.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/echo.h"
#include "bpf_boot.h"
#include "cmdline.h"
#include "ebpf.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net.h"
#include "xdp_hook.h"

#define UDP_ECHO_DEFAULT_PORT 7 /* RFC 862 */
#define UDP_ECHO_REPORT_MS    2000
#define EXIT_USAGE	      2
#define EXIT_NO_NETWORK	      1

struct udp_echo_counts {
	struct xdp_hook_stats xdp;
	uint64_t xdp_replies[ECHO_COUNTERS];
	uint64_t lwip_echoed;
};

struct udp_echo {
	u16_t port;
	struct ebpf_map *config; /* the program's maps, or NULL without it */
	struct ebpf_map *replies;
	uint32_t config_address; /* what config holds (network byte order) */
	struct udp_echo_counts reported;
	uint64_t lwip_echoed;
};

static struct udp_echo echo = {.port = UDP_ECHO_DEFAULT_PORT};

/* lwIP hands over p; its payload is the datagram, with room for the headers in front. */
static void udp_echo_received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			      u16_t port)
{
	if (udp_sendto(pcb, p, addr, port) == ERR_OK)
		echo.lwip_echoed++;
	pbuf_free(p);
}

static void config_set(uint32_t key, uint32_t value)
{
	/* An array's keys below max_entries always exist: cannot fail. */
	ebpf_map_update(echo.config, &key, &value, EBPF_ANY);
}

/*
 * Tells the program eth0's address, which a DHCP lease may change or
 * bring late; until there is one the program answers nothing.
 */
static void udp_echo_sync_address(void)
{
	uint32_t address = ip4_addr_get_u32(netif_ip4_addr(net_interface(0)));

	if (echo.config && address != echo.config_address) {
		config_set(ECHO_CONFIG_ADDRESS, address);
		echo.config_address = address;
	}
}

static void udp_echo_get_counts(struct udp_echo_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	xdp_hook_get_stats(&counts->xdp);
	for (uint32_t key = 0; echo.replies && key < ECHO_COUNTERS; key++)
		ebpf_map_lookup(echo.replies, &key, &counts->xdp_replies[key]);
	counts->lwip_echoed = echo.lwip_echoed;
}

/* lwIP timer (NO_SYS: it runs from net_run's loop): the periodic line. */
static void udp_echo_report(void *arg)
{
	struct udp_echo_counts now;

	udp_echo_sync_address();
	udp_echo_get_counts(&now);
	if (memcmp(&now, &echo.reported, sizeof(now)) != 0) {
		const uint64_t *actions = now.xdp.actions;
		printf("udp-echo: xdp runs %llu pass %llu tx %llu drop %llu aborted %llu "
		       "icmp %llu udp %llu lwip %llu\n",
		       (unsigned long long)now.xdp.runs, (unsigned long long)actions[EBPF_XDP_PASS],
		       (unsigned long long)actions[EBPF_XDP_TX],
		       (unsigned long long)actions[EBPF_XDP_DROP],
		       (unsigned long long)actions[EBPF_XDP_ABORTED],
		       (unsigned long long)now.xdp_replies[ECHO_COUNTER_ICMP],
		       (unsigned long long)now.xdp_replies[ECHO_COUNTER_UDP],
		       (unsigned long long)now.lwip_echoed);
		echo.reported = now;
	}
	sys_timeout(UDP_ECHO_REPORT_MS, udp_echo_report, NULL);
}

/* Finds bpf/echo.c's maps among the attached programs' and gives it the port. */
static void udp_echo_attach_program(void)
{
	echo.config = bpf_boot_find_map("echo_config");
	echo.replies = bpf_boot_find_map("echo_replies");
	if (!echo.config || !echo.replies) {
		echo.config = echo.replies = NULL;
		printf("udp-echo: no echo program attached: lwIP answers everything\n");
		return;
	}
	config_set(ECHO_CONFIG_PORT, echo.port);
	udp_echo_sync_address();
	printf("udp-echo: XDP answers ICMP echo and UDP port %u\n", echo.port);
}

int main(int argc, char **argv)
{
	int bad;
	if (cmdline_args_port(argc, argv, &echo.port, &bad) < 0) {
		fprintf(stderr, "udp-echo: bad argument %s (usage: " CMDLINE_PORT_USAGE ")\n",
			argv[bad]);
		return EXIT_USAGE;
	}
	if (net_init() < 0)
		return EXIT_NO_NETWORK;
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!pcb) {
		fprintf(stderr, "udp-echo: out of memory for a UDP pcb\n");
		return EXIT_NO_NETWORK;
	}
	err_t err = udp_bind(pcb, IP_ANY_TYPE, echo.port);
	if (err != ERR_OK) {
		fprintf(stderr, "udp-echo: cannot bind UDP port %u (lwIP error %d)\n", echo.port,
			err);
		return EXIT_NO_NETWORK;
	}
	udp_recv(pcb, udp_echo_received, NULL);
	udp_echo_attach_program();
	sys_timeout(UDP_ECHO_REPORT_MS, udp_echo_report, NULL);
	printf("udp-echo: listening on UDP port %u\n", echo.port);
	net_run(NULL, NULL, NET_NO_DEADLINE);
	return 0;
}
