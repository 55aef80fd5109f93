/*
 * udp-echo: sends every UDP datagram it receives back to its sender
 * (RFC 862's echo service), on eth0's address or any other.
 *   port N   listen on UDP port N instead of 7
 * Prints "udp-echo: listening on UDP port N" once the network is up, and
 * runs until the guest is stopped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/udp.h"
#include "net.h"

#define UDP_ECHO_DEFAULT_PORT 7 /* RFC 862 */
#define UDP_PORT_MAX	      65535
#define EXIT_USAGE	      2
#define EXIT_NO_NETWORK	      1

/* lwIP hands over p; its payload is the datagram, with room for the headers in front. */
static void udp_echo_received(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
			      u16_t port)
{
	udp_sendto(pcb, p, addr, port);
	pbuf_free(p);
}

static int parse_port(int argc, char **argv, u16_t *port)
{
	for (int i = 1; i < argc; i++) {
		char *end;
		if (strcmp(argv[i], "port") == 0 && i + 1 < argc) {
			unsigned long value = strtoul(argv[++i], &end, 10);
			if (*end == '\0' && value >= 1 && value <= UDP_PORT_MAX) {
				*port = (u16_t)value;
				continue;
			}
		}
		fprintf(stderr, "udp-echo: bad argument %s (usage: port N, 1..%d)\n", argv[i],
			UDP_PORT_MAX);
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	u16_t port = UDP_ECHO_DEFAULT_PORT;

	if (parse_port(argc, argv, &port) < 0)
		return EXIT_USAGE;
	if (net_init() < 0)
		return EXIT_NO_NETWORK;
	struct udp_pcb *pcb = udp_new_ip_type(IPADDR_TYPE_ANY);
	if (!pcb) {
		fprintf(stderr, "udp-echo: out of memory for a UDP pcb\n");
		return EXIT_NO_NETWORK;
	}
	err_t err = udp_bind(pcb, IP_ANY_TYPE, port);
	if (err != ERR_OK) {
		fprintf(stderr, "udp-echo: cannot bind UDP port %u (lwIP error %d)\n", port, err);
		return EXIT_NO_NETWORK;
	}
	udp_recv(pcb, udp_echo_received, NULL);
	printf("udp-echo: listening on UDP port %u\n", port);
	net_run(NULL, NULL, NET_NO_DEADLINE);
	return 0;
}
