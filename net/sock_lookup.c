/*
 * Socket lookups for eBPF programs (sock_lookup.h) over lwIP's pcb lists.
 * Linux's semantics where lwIP differs: a pcb bound to IP_ANY_TYPE is a
 * dual-stack AF_INET6 socket; a SYN_RCVD pcb is a full socket in
 * SYN_RECV (Linux would show a request socket).
 */
#include "sock_lookup.h"

#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#define IPV4_ADDR_BYTES	    4
#define IPV6_ADDR_BYTES	    16
#define NO_RX_QUEUE_MAPPING (-1)

/* Linux's TCP state for each of lwIP's (enum tcp_state, lwip/tcpbase.h). */
static const uint32_t linux_tcp_state[] = {
    [CLOSED] = EBPF_TCP_CLOSE,
    [LISTEN] = EBPF_TCP_LISTEN,
    [SYN_SENT] = EBPF_TCP_SYN_SENT,
    [SYN_RCVD] = EBPF_TCP_SYN_RECV,
    [ESTABLISHED] = EBPF_TCP_ESTABLISHED,
    [FIN_WAIT_1] = EBPF_TCP_FIN_WAIT1,
    [FIN_WAIT_2] = EBPF_TCP_FIN_WAIT2,
    [CLOSE_WAIT] = EBPF_TCP_CLOSE_WAIT,
    [CLOSING] = EBPF_TCP_CLOSING,
    [LAST_ACK] = EBPF_TCP_LAST_ACK,
    [TIME_WAIT] = EBPF_TCP_TIME_WAIT,
};

static bool is_v6(const struct ebpf_sock_key *key)
{
	return key->family == EBPF_AF_INET6;
}

/* Whether pcb address addr is the key's address bytes (zones aside). */
static bool addr_is(const ip_addr_t *addr, const struct ebpf_sock_key *key, const uint8_t *bytes)
{
	if (is_v6(key))
		return IP_IS_V6_VAL(*addr) && !memcmp(ip_2_ip6(addr)->addr, bytes, IPV6_ADDR_BYTES);
	return IP_IS_V4_VAL(*addr) && !memcmp(&ip_2_ip4(addr)->addr, bytes, IPV4_ADDR_BYTES);
}

/* A bound or listening pcb's local address takes the key's: itself, any of its family, or any. */
static bool local_addr_takes(const ip_addr_t *local, const struct ebpf_sock_key *key)
{
	if (IP_IS_ANY_TYPE_VAL(*local))
		return true;
	if (is_v6(key) != IP_IS_V6_VAL(*local))
		return false;
	return ip_addr_isany(local) || addr_is(local, key, key->local_addr);
}

static bool connection_matches(const ip_addr_t *local, uint16_t local_port, const ip_addr_t *remote,
			       uint16_t remote_port, const struct ebpf_sock_key *key)
{
	return local_port == lwip_ntohs(key->local_port) &&
	       remote_port == lwip_ntohs(key->remote_port) &&
	       addr_is(local, key, key->local_addr) && addr_is(remote, key, key->remote_addr);
}

static void copy_addr(const ip_addr_t *addr, uint32_t *ip4, uint32_t *ip6)
{
	if (IP_IS_V6_VAL(*addr))
		memcpy(ip6, ip_2_ip6(addr)->addr, IPV6_ADDR_BYTES);
	else if (IP_IS_V4_VAL(*addr))
		*ip4 = ip_2_ip4(addr)->addr;
}

/* struct bpf_sock's view of a pcb's common fields (lwIP's IP_PCB). */
static void fill_sock(struct ebpf_sock *sock, const ip_addr_t *local, uint16_t local_port,
		      const ip_addr_t *remote, uint16_t remote_port, uint8_t netif_idx,
		      uint32_t protocol)
{
	memset(sock, 0, sizeof(*sock));
	sock->bound_dev_if = netif_idx;
	sock->family = IP_IS_V4_VAL(*local) ? EBPF_AF_INET : EBPF_AF_INET6;
	sock->type = protocol == EBPF_IPPROTO_TCP ? EBPF_SOCK_STREAM : EBPF_SOCK_DGRAM;
	sock->protocol = protocol;
	copy_addr(local, &sock->src_ip4, sock->src_ip6);
	sock->src_port = local_port;
	if (remote) {
		copy_addr(remote, &sock->dst_ip4, sock->dst_ip6);
		sock->dst_port = lwip_htons(remote_port);
	}
	sock->rx_queue_mapping = NO_RX_QUEUE_MAPPING;
}

static void fill_tcp(struct ebpf_sock *sock, const struct tcp_pcb *pcb)
{
	fill_sock(sock, &pcb->local_ip, pcb->local_port,
		  pcb->state == LISTEN ? NULL : &pcb->remote_ip, pcb->remote_port, pcb->netif_idx,
		  EBPF_IPPROTO_TCP);
	sock->state = linux_tcp_state[pcb->state];
}

static const struct tcp_pcb *tcp_connection(const struct tcp_pcb *pcb,
					    const struct ebpf_sock_key *key)
{
	for (; pcb; pcb = pcb->next)
		if (connection_matches(&pcb->local_ip, pcb->local_port, &pcb->remote_ip,
				       pcb->remote_port, key))
			return pcb;
	return NULL;
}

static bool tcp_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock)
{
	const struct tcp_pcb *pcb = tcp_connection(tcp_active_pcbs, key);
	const struct tcp_pcb_listen *lpcb;

	if (!pcb)
		pcb = tcp_connection(tcp_tw_pcbs, key);
	if (pcb) {
		fill_tcp(sock, pcb);
		return true;
	}
	for (lpcb = tcp_listen_pcbs.listen_pcbs; lpcb; lpcb = lpcb->next) {
		if (lpcb->local_port == lwip_ntohs(key->local_port) &&
		    local_addr_takes(&lpcb->local_ip, key)) {
			fill_tcp(sock, (const struct tcp_pcb *)lpcb);
			return true;
		}
	}
	return false;
}

/* Linux: a UDP socket is ESTABLISHED when connected, CLOSE otherwise. */
static bool udp_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock)
{
	const struct udp_pcb *pcb, *bound = NULL;

	for (pcb = udp_pcbs; pcb; pcb = pcb->next) {
		bool connected = pcb->flags & UDP_FLAGS_CONNECTED;

		if (connected && connection_matches(&pcb->local_ip, pcb->local_port,
						    &pcb->remote_ip, pcb->remote_port, key))
			break;
		if (!connected && !bound && pcb->local_port == lwip_ntohs(key->local_port) &&
		    local_addr_takes(&pcb->local_ip, key))
			bound = pcb;
	}
	if (!pcb)
		pcb = bound;
	if (!pcb)
		return false;
	fill_sock(sock, &pcb->local_ip, pcb->local_port,
		  (pcb->flags & UDP_FLAGS_CONNECTED) ? &pcb->remote_ip : NULL, pcb->remote_port,
		  pcb->netif_idx, EBPF_IPPROTO_UDP);
	sock->state = (pcb->flags & UDP_FLAGS_CONNECTED) ? EBPF_TCP_ESTABLISHED : EBPF_TCP_CLOSE;
	return true;
}

bool net_sock_lookup(const struct ebpf_sock_key *key, struct ebpf_sock *sock)
{
	if (key->family != EBPF_AF_INET && key->family != EBPF_AF_INET6)
		return false;
	if (key->protocol == EBPF_IPPROTO_TCP)
		return tcp_lookup(key, sock);
	if (key->protocol == EBPF_IPPROTO_UDP)
		return udp_lookup(key, sock);
	return false;
}
