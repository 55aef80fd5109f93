/*
 * lwIP (NO_SYS=1) brought up over every netdev, configured from
 * the kernel command line or DHCP, and the run-to-completion loop that
 * drives it: poll the NICs, put each frame through the XDP hook, run
 * lwIP's timers, halt until the next frame or timer.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "netif/ethernet.h"

#include "fib.h"
#include "ebpf_platform.h"
#include "kernel.h"
#include "net.h"
#include "netdev.h"
#include "netif_netdev.h"
#include "sock_lookup.h"
#include "timekeeping.h"
#include "xdp_hook.h"

#define NET_RX_BUDGET	      64 /* frames per NIC per round, so no NIC starves the others */
#define NET_DHCP_TIMEOUT_MS   10000
#define NS_PER_MS	      1000000ull
#define IP4_PREFIX_MAX	      32
#define IP4_OCTETS	      4
#define IP4_OCTET_MAX	      255
#define NET_STATS_OPTION      "net.stats"
#define NET_IP_OPTION_PREFIX  "ip.eth"	/* ip.eth1=A.B.C.D/N: eth1's address */
#define NET_IP6_OPTION_PREFIX "ip6.eth" /* ip6.eth0=2001:db8::1: eth0's IPv6 address */
#define NET_STATS_MAX_MS      3600000	/* an hour: longer is surely a typo */

struct net_interface {
	struct netif netif;
	struct netdev *nic;
	ip4_addr_t reported; /* the address last printed */
};

static struct net_interface interfaces[NETDEV_MAX]; /* interfaces[i] over ifindex i + 1 */
static size_t interface_count;
static uint64_t stats_period_ns; /* net.stats=MS; 0: no net-stats lines */
static uint64_t stats_next_ns;

/* lwIP's clock (NO_SYS): milliseconds, wrapping, from the kernel's monotonic clock. */
u32_t sys_now(void)
{
	return (u32_t)(time_monotonic_ns() / NS_PER_MS);
}

size_t net_interface_count(void)
{
	return interface_count;
}

struct netif *net_interface(size_t index)
{
	return index < interface_count ? &interfaces[index].netif : NULL;
}

/* netdev_poll's callback: the XDP hook decides, lwIP gets what passes. */
static void net_receive(void *arg, uint8_t *frame, size_t len)
{
	struct net_interface *iface = arg;

	xdp_hook_receive(iface->nic, frame, len, netif_netdev_input, &iface->netif);
}

/*
 * One "net-stats:" line (format in net.h): every NIC's counters summed,
 * and the XDP hook's. A benchmark reads two of them to get rates.
 */
static void net_print_stats(uint64_t now_ns)
{
	struct netdev_stats sum = {0}, nic;
	struct xdp_hook_stats xdp;

	for (size_t i = 0; i < interface_count; i++) {
		netdev_get_stats(interfaces[i].nic, &nic);
		sum.rx_frames += nic.rx_frames;
		sum.rx_bytes += nic.rx_bytes;
		sum.rx_dropped_bad += nic.rx_dropped_bad;
		sum.tx_frames += nic.tx_frames;
		sum.tx_dropped += nic.tx_dropped;
	}
	xdp_hook_get_stats(&xdp);
	printf("net-stats: t_ms=%" PRIu64 " rx=%" PRIu64 " rx_bytes=%" PRIu64 " rx_bad=%" PRIu64
	       " tx=%" PRIu64 " tx_dropped=%" PRIu64 " xdp_runs=%" PRIu64 " xdp_aborted=%" PRIu64
	       " xdp_drop=%" PRIu64 " xdp_pass=%" PRIu64 " xdp_tx=%" PRIu64 " xdp_redirect=%" PRIu64
	       " xdp_tx_failed=%" PRIu64 " xdp_oversized=%" PRIu64 "\n",
	       (uint64_t)(now_ns / NS_PER_MS), sum.rx_frames, sum.rx_bytes, sum.rx_dropped_bad,
	       sum.tx_frames, sum.tx_dropped, xdp.runs, xdp.actions[EBPF_XDP_ABORTED],
	       xdp.actions[EBPF_XDP_DROP], xdp.actions[EBPF_XDP_PASS], xdp.actions[EBPF_XDP_TX],
	       xdp.actions[EBPF_XDP_REDIRECT], xdp.tx_failed, xdp.oversized);
}

bool net_poll(void)
{
	bool received = false;

	for (size_t i = 0; i < interface_count; i++)
		if (netdev_poll(interfaces[i].nic, NET_RX_BUDGET, net_receive, &interfaces[i]))
			received = true;
	sys_check_timeouts();
	if (stats_period_ns) {
		uint64_t now = time_monotonic_ns();
		if (now >= stats_next_ns) {
			net_print_stats(now);
			/* On the period's grid: a late line does not shift the next ones. */
			stats_next_ns +=
			    ((now - stats_next_ns) / stats_period_ns + 1) * stats_period_ns;
		}
	}
	return received;
}

int net_run(net_done_fn done, void *arg, uint64_t deadline_ns)
{
	for (;;) {
		bool received = net_poll();
		if (done && done(arg))
			return 0;
		uint64_t now = time_monotonic_ns();
		if (now >= deadline_ns)
			return -ETIMEDOUT;
		if (received)
			continue; /* more may be waiting: no halt under load */
		uint64_t wake = deadline_ns;
		uint32_t sleep_ms = sys_timeouts_sleeptime();
		if (sleep_ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
		    sleep_ms * NS_PER_MS < wake - now)
			wake = now + sleep_ms * NS_PER_MS;
		if (stats_period_ns && stats_next_ns < wake)
			wake = stats_next_ns;
		netdev_wait(wake);
	}
}

/* Strict dotted quad: four decimal numbers 0..255, nothing else. */
static bool net_parse_ip4(const char *text, const char **end, ip4_addr_t *addr)
{
	uint32_t octets[IP4_OCTETS];

	for (int i = 0; i < IP4_OCTETS; i++) {
		if (i > 0 && *text++ != '.')
			return false;
		if (*text < '0' || *text > '9')
			return false;
		uint32_t value = 0;
		for (int digits = 0; *text >= '0' && *text <= '9'; digits++, text++) {
			value = value * 10 + (uint32_t)(*text - '0');
			if (digits >= 3 || value > IP4_OCTET_MAX)
				return false;
		}
		octets[i] = value;
	}
	*end = text;
	IP4_ADDR(addr, octets[0], octets[1], octets[2], octets[3]);
	return true;
}

/* The value of kernel option key as an address; false (printed) when malformed. */
static bool net_option_ip4(const char *key, const char *value, ip4_addr_t *addr)
{
	const char *end;

	if (net_parse_ip4(value, &end, addr) && *end == '\0')
		return true;
	printf("net: %s=%s: expected an IPv4 address A.B.C.D\n", key, value);
	return false;
}

/* "A.B.C.D/N" into address and netmask; false (printed) when malformed. */
static bool net_option_cidr(const char *value, ip4_addr_t *addr, ip4_addr_t *netmask)
{
	const char *end;
	char *prefix_end;

	if (net_parse_ip4(value, &end, addr) && *end == '/' && end[1] >= '0' && end[1] <= '9') {
		unsigned long prefix = strtoul(end + 1, &prefix_end, 10);
		if (*prefix_end == '\0' && prefix <= IP4_PREFIX_MAX) {
			uint32_t mask = prefix ? ~0u << (IP4_PREFIX_MAX - prefix) : 0;
			ip4_addr_set_u32(netmask, lwip_htonl(mask));
			return true;
		}
	}
	printf("net: ip=%s: expected A.B.C.D/N with N from 0 to %d\n", value, IP4_PREFIX_MAX);
	return false;
}

static unsigned net_prefix_len(const ip4_addr_t *netmask)
{
	return (unsigned)__builtin_popcount(ip4_addr_get_u32(netmask));
}

static void net_print_mac(const struct netif *netif)
{
	const uint8_t *mac = netif->hwaddr;

	printf("net: eth%u MAC %02x:%02x:%02x:%02x:%02x:%02x", netif->num, mac[0], mac[1], mac[2],
	       mac[3], mac[4], mac[5]);
}

/* netif status callback: prints the address each time it changes (a DHCP lease may come late). */
static void net_report_address(struct netif *netif)
{
	struct net_interface *iface = (struct net_interface *)netif;
	const ip4_addr_t *addr = netif_ip4_addr(netif);

	if (ip4_addr_isany(addr) || ip4_addr_cmp(addr, &iface->reported))
		return;
	iface->reported = *addr;
	char ip[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];
	ip4addr_ntoa_r(addr, ip, sizeof(ip));
	ip4addr_ntoa_r(netif_ip4_gw(netif), gw, sizeof(gw));
	net_print_mac(netif);
	printf(" IP %s/%u gw %s (%s)\n", ip, net_prefix_len(netif_ip4_netmask(netif)), gw,
	       dhcp_supplied_address(netif) ? "dhcp" : "static");
}

static bool net_dhcp_bound(void *netif)
{
	return dhcp_supplied_address(netif);
}

/* eth0: ip=, gw=, dns= from the kernel command line, or DHCP. */
static int net_configure(struct netif *netif)
{
	const char *ip = kernel_option("ip"), *gw = kernel_option("gw"),
		   *dns = kernel_option("dns");
	ip4_addr_t addr, netmask, gateway = {0}, server;

	if (dns) {
		if (!net_option_ip4("dns", dns, &server))
			return -EINVAL;
		ip_addr_t dns_addr;
		ip_addr_copy_from_ip4(dns_addr, server);
		dns_setserver(0, &dns_addr);
	}
	if (ip) {
		if (!net_option_cidr(ip, &addr, &netmask))
			return -EINVAL;
		if (gw && !net_option_ip4("gw", gw, &gateway))
			return -EINVAL;
		netif_set_addr(netif, &addr, &netmask, &gateway);
		return 0;
	}
	if (gw) {
		printf("net: gw=%s without ip=: a static gateway needs a static address\n", gw);
		return -EINVAL;
	}
	err_t err = dhcp_start(netif);
	if (err != ERR_OK) {
		printf("net: eth%u: DHCP could not start (lwIP error %d)\n", netif->num, err);
		return -ENOMEM;
	}
	uint64_t deadline = time_monotonic_ns() + NET_DHCP_TIMEOUT_MS * NS_PER_MS;
	if (net_run(net_dhcp_bound, netif, deadline) == -ETIMEDOUT)
		printf("net: eth%u: no DHCP lease after %u ms; still asking in the background\n",
		       netif->num, NET_DHCP_TIMEOUT_MS);
	return 0;
}

/* eth1, eth2...: a static address from "ip.ethN=A.B.C.D/N", else none. */
static int net_configure_other(struct netif *netif)
{
	char key[sizeof(NET_IP_OPTION_PREFIX) + 3];
	const char *ip;
	ip4_addr_t addr, netmask;

	snprintf(key, sizeof(key), NET_IP_OPTION_PREFIX "%u", netif->num);
	ip = kernel_option(key);
	if (!ip) {
		net_print_mac(netif);
		printf(" no IPv4 address\n");
		return 0;
	}
	if (!net_option_cidr(ip, &addr, &netmask))
		return -EINVAL;
	netif_set_addr(netif, &addr, &netmask, IP4_ADDR_ANY4);
	return 0;
}

/*
 * "ip6.ethN=ADDR": a static IPv6 address of interface N, its /64 on the
 * link (lwIP's rule), preferred at once: no duplicate address detection.
 */
static int net_configure_ip6(struct netif *netif)
{
	char key[sizeof(NET_IP6_OPTION_PREFIX) + 3];
	const char *value;
	ip6_addr_t addr;
	s8_t index;

	snprintf(key, sizeof(key), NET_IP6_OPTION_PREFIX "%u", netif->num);
	value = kernel_option(key);
	if (!value)
		return 0;
	if (!ip6addr_aton(value, &addr) || ip6_addr_islinklocal(&addr) ||
	    ip6_addr_ismulticast(&addr)) {
		printf("net: %s=%s: expected a global IPv6 address\n", key, value);
		return -EINVAL;
	}
	if (netif_add_ip6_address(netif, &addr, &index) != ERR_OK)
		return -ENOMEM;
	netif_ip6_addr_set_state(netif, index, IP6_ADDR_PREFERRED);
	printf("net: eth%u IPv6 %s/64 (static)\n", netif->num, value);
	return 0;
}

/* net.stats=MS: a net-stats line every MS milliseconds (1..NET_STATS_MAX_MS). */
static int net_configure_stats(void)
{
	const char *value = kernel_option(NET_STATS_OPTION);
	char *end;

	if (!value)
		return 0;
	unsigned long ms = value[0] >= '0' && value[0] <= '9' ? strtoul(value, &end, 10) : 0;
	if (ms == 0 || ms > NET_STATS_MAX_MS || *end != '\0') {
		printf("net: %s=%s: expected a period in milliseconds from 1 to %d\n",
		       NET_STATS_OPTION, value, NET_STATS_MAX_MS);
		return -EINVAL;
	}
	stats_period_ns = ms * NS_PER_MS;
	stats_next_ns = time_monotonic_ns();
	return 0;
}

static int net_add_interface(struct netdev *nic)
{
	struct net_interface *iface = &interfaces[interface_count];

	iface->nic = nic;
	if (!netif_add_noaddr(&iface->netif, nic, netif_netdev_init, ethernet_input))
		return -ENOMEM;
	interface_count++;
	netif_set_status_callback(&iface->netif, net_report_address);
#if LWIP_IPV6
	netif_create_ip6_linklocal_address(&iface->netif, 1);
#endif
	netif_set_link_up(&iface->netif);
	netif_set_up(&iface->netif);
	return 0;
}

int net_init(void)
{
	char why[128] = "";
	size_t found = netdev_probe_all(why, sizeof(why));

	if (why[0])
		printf("net: skipped a device: %s\n", why);
	if (found == 0) {
		printf("net: no virtio-net NIC (scripts/run.sh --net-user adds one)\n");
		return -ENODEV;
	}
	int err = net_configure_stats();
	if (err)
		return err;
	lwip_init();
	for (uint32_t ifindex = 1; ifindex <= found; ifindex++) {
		err = net_add_interface(netdev_by_ifindex(ifindex));
		if (err)
			return err;
	}
	ebpf_platform_set_sock_lookup(net_sock_lookup);
	netif_set_default(&interfaces[0].netif);
	err = net_configure(&interfaces[0].netif);
	if (err)
		return err;
	for (size_t i = 1; i < interface_count; i++) {
		err = net_configure_other(&interfaces[i].netif);
		if (err)
			return err;
	}
	for (size_t i = 0; i < interface_count; i++) {
		err = net_configure_ip6(&interfaces[i].netif);
		if (err)
			return err;
	}
	return net_fib_install();
}
