/*
 * The network stack: lwIP over every NIC (net/netdev.h), with the XDP hook
 * (net/xdp_hook.h) in front of it, run to completion from the app's loop.
 *
 * Model (lwIP NO_SYS=1, net/lwipopts.h): no threads. The app calls
 * net_init() once, sets up its lwIP pcbs, then calls net_run(), which
 * polls every NIC, passes each received frame through the XDP hook and
 * into lwIP, runs lwIP's timers, and halts the CPU until the next frame
 * or timer when there is nothing to do. Everything an app does happens in
 * lwIP callbacks that net_run() calls, on the one stack.
 *
 * The app API is lwIP's own raw API, used directly:
 *   UDP: udp_new_ip_type, udp_bind, udp_recv(pcb, fn, arg), udp_sendto
 *   TCP: tcp_new_ip_type, tcp_bind, tcp_listen, tcp_accept, tcp_recv,
 *        tcp_sent, tcp_err, tcp_poll, tcp_write, tcp_output, tcp_close
 * (lwip/udp.h, lwip/tcp.h; lwIP's "Raw API" documentation). The rules that
 * follow from the model:
 *   - Callbacks must not block or wait: they run inside net_poll(), between
 *     two received frames. Long work delays every connection.
 *   - A callback may call any lwIP function; nothing needs locking, and no
 *     other code touches lwIP (no interrupt handler does).
 *   - A pbuf passed to a recv callback belongs to the callback: it must
 *     pbuf_free() it (TCP: after tcp_recved() for the bytes it consumed),
 *     or return an error other than ERR_OK so lwIP keeps and re-offers it.
 *   - tcp_write() with TCP_WRITE_FLAG_COPY copies the data into lwIP; without
 *     it the data must stay valid until the tcp_sent callback acknowledges
 *     it. tcp_write() fails with ERR_MEM when tcp_sndbuf() is too small:
 *     send the rest from the tcp_sent callback.
 *   - The tcp_err callback means the pcb is already freed: drop references.
 */
#ifndef UKBPF_NET_H
#define UKBPF_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netif;

#define NET_NO_DEADLINE UINT64_MAX

/*
 * Probes the NICs (netdev_probe_all) and brings up lwIP and one interface
 * per netdev: interface i is lwIP's eth<i> over the netdev of ifindex
 * i + 1 (its name is eth<i> too). eth0 is configured from the
 * kernel options "ip=A.B.C.D/N [gw=A.B.C.D] [dns=A.B.C.D]", or else by
 * DHCP, waiting for a lease for a while; other NICs get a static
 * address from "ip.ethN=A.B.C.D/N" (N the interface's number), else none.
 * "ip6.ethN=ADDR" gives interface N a static global IPv6 address.
 * "net.forward=1" turns on forwarding for XDP programs' fib lookups
 * (net/fib.h). Prints one line per interface ("net: eth0 MAC ... IP ...").
 * The kernel option "net.stats=MS" (1..3600000) makes net_poll() print,
 * every MS milliseconds, one line of counters (every NIC's summed):
 *   net-stats: t_ms=T rx=N rx_bytes=N rx_bad=N tx=N tx_dropped=N
 *              xdp_runs=N xdp_aborted=N xdp_drop=N xdp_pass=N xdp_tx=N
 *              xdp_redirect=N xdp_tx_failed=N xdp_oversized=N
 * (one line; T: the monotonic clock in ms; counters since boot, as
 * struct netdev_stats and struct xdp_hook_stats define them). The
 * benchmarks read rates from two such lines (docs/benchmarks.md, "Packet
 * path", which a Linux guest's reporter follows too).
 * Returns 0, -ENODEV without a usable NIC, -EINVAL for a bad option value
 * (the reason is printed), or -ENOMEM. Call once.
 */
int net_init(void);

/* How many interfaces net_init brought up: one per netdev. */
size_t net_interface_count(void);
/* lwIP's interface eth<index> (over netdev ifindex index + 1), or NULL when out of range. */
struct netif *net_interface(size_t index);

/*
 * Polls every NIC once (a bounded number of frames each), runs lwIP's
 * due timers and prints a net-stats line when one is due. Returns true
 * when a frame was received.
 */
bool net_poll(void);

typedef bool (*net_done_fn)(void *arg);
/*
 * Runs the stack until done(arg) returns true (checked after each round;
 * NULL: never) or the monotonic clock reaches deadline_ns
 * (NET_NO_DEADLINE: none). Halts the CPU while idle, until a frame arrives
 * or lwIP's next timer (or net-stats line) is due. Returns 0 when done, -ETIMEDOUT at the
 * deadline.
 */
int net_run(net_done_fn done, void *arg, uint64_t deadline_ns);

#endif /* UKBPF_NET_H */
