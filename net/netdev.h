/*
 * The netdev seam: what the network stack, the XDP hook and apps know of a
 * NIC. A driver fills a struct netdev (its ops table and MAC address) and
 * registers it; everything above talks to struct netdev and never names
 * the driver (like Linux's netdevice.h). This header is an interface, not
 * the IP stack: it includes nothing but the C library's, so drivers/ may
 * include it (the one header of net/ they may), and nothing in it knows
 * lwIP or any device.
 *
 * Life of a device: netdev_probe_all() runs every driver's probe (the
 * table in netdev.c: one line per driver); each device a driver brings up
 * it registers with netdev_register(), which numbers it. Devices are never
 * unregistered. Ifindexes are 1, 2, ... netdev_count(), dense, in
 * registration order (drivers in table order, each driver's devices in
 * its probe order: for virtio-net, PCI bus, slot, function); ifindex N is
 * named "eth<N-1>". The ifindex is what an XDP program sees in
 * xdp_md.ingress_ifindex and names in bpf_redirect and devmaps.
 *
 * Frames are whole Ethernet frames without the FCS, of NETDEV_FRAME_MIN
 * to NETDEV_FRAME_MAX bytes. One CPU, no threads: nothing here locks, and
 * no function may be called from an interrupt handler.
 */
#ifndef UKBPF_NETDEV_H
#define UKBPF_NETDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETDEV_MAX	 8 /* registered devices, all drivers together */
#define NETDEV_MAC_LEN	 6
#define NETDEV_NAME_LEN	 8    /* "eth" and the index, NUL included */
#define NETDEV_FRAME_MIN 14   /* an Ethernet header */
#define NETDEV_FRAME_MAX 1518 /* 1500 bytes of payload, 802.1Q tag included */

struct netdev;

/*
 * A device's counters since it was brought up (the driver keeps them; the
 * names are those of httpd's /metrics, ukbpf_nic_<name>_total).
 */
struct netdev_stats {
	uint64_t rx_frames, rx_bytes; /* delivered to the poll callback */
	uint64_t tx_frames, tx_bytes; /* handed to the device */
	uint64_t rx_dropped_bad;      /* received frames shorter than an Ethernet
					 header or longer than the buffer: dropped
					 before the callback */
	uint64_t tx_dropped;	      /* frames the transmit op refused (-EMSGSIZE,
					 -EIO); -EAGAIN is for the caller to retry */
	uint64_t device_errors;	      /* the device broke the driver's protocol
					 (bad ring entry or index) */
	uint64_t interrupts;	      /* receive interrupts taken */
};

/* Receives one frame; see netdev_poll for what it may do with it. */
typedef void (*netdev_rx_fn)(void *arg, uint8_t *frame, size_t len);

/*
 * What a driver implements. transmit, poll and get_stats implement the
 * netdev_ functions of the same names below, whose contracts they keep.
 * rx_pending and set_rx_interrupts are netdev_wait's: rx_pending says
 * whether a received frame waits (false for a device the driver has given
 * up on); set_rx_interrupts turns the device's receive interrupt on or off
 * (off, the driver's state after bring-up, while the stack polls).
 */
struct netdev_ops {
	int (*transmit)(struct netdev *dev, const void *frame, size_t len);
	size_t (*poll)(struct netdev *dev, size_t budget, netdev_rx_fn rx, void *arg);
	void (*get_stats)(const struct netdev *dev, struct netdev_stats *stats);
	bool (*rx_pending)(const struct netdev *dev);
	void (*set_rx_interrupts)(struct netdev *dev, bool enabled);
};

/*
 * One device. The driver embeds it in its own device struct (and finds
 * that again with offsetof in its ops) and sets ops and mac before
 * netdev_register, which sets ifindex and name. Read-only after that.
 */
struct netdev {
	const struct netdev_ops *ops;
	uint8_t mac[NETDEV_MAC_LEN];
	uint32_t ifindex;
	char name[NETDEV_NAME_LEN];
};

/*
 * Runs every driver's probe, each registering the devices it brought up.
 * Returns netdev_count(). A device a driver skipped (could not set up, or
 * no room left) does not stop the others; why, when not NULL, gets the
 * first such reason ("PCI bus:slot.fn: reason"), or "" when none. Probes
 * once: later calls return netdev_count() and set why to "".
 */
size_t netdev_probe_all(char *why, size_t why_len);

/*
 * For drivers, from their probe: numbers dev (the next ifindex, its name)
 * and makes it visible to the functions below. dev must stay valid for
 * good. Returns 0, or -ENOSPC when NETDEV_MAX devices are registered
 * (dev is then left alone: the driver should stop the device).
 */
int netdev_register(struct netdev *dev);

/* How many devices are registered; their ifindexes are 1..netdev_count(). */
size_t netdev_count(void);

/* The device with that ifindex, or NULL (0, or above netdev_count()). */
struct netdev *netdev_by_ifindex(uint32_t ifindex);

/*
 * Copies frame into a transmit buffer and hands it to the device; the
 * caller keeps frame. Returns 0, -EAGAIN when every buffer is still in
 * flight (retry later: not counted as a drop), -EMSGSIZE for len outside
 * NETDEV_FRAME_MIN..NETDEV_FRAME_MAX, -EIO when the driver has given up on
 * the device. The last two count in tx_dropped.
 */
static inline int netdev_transmit(struct netdev *dev, const void *frame, size_t len)
{
	return dev->ops->transmit(dev, frame, len);
}

/*
 * netdev_transmit, retried while it says -EAGAIN (a full ring drains as
 * the device sends) until timeout_ns have passed since the first refusal.
 * Returns the last result, so -EAGAIN when it gave up.
 */
int netdev_transmit_retry(struct netdev *dev, const void *frame, size_t len, uint64_t timeout_ns);

/*
 * Calls rx(arg, frame, len) for each received frame, in order. The frame
 * is the driver's buffer, lent for the call: rx may rewrite it in place,
 * and must finish with it (or copy it) before it returns. Looks at no
 * more than budget frames (delivered or dropped as malformed) and returns
 * how many it looked at: 0 means nothing was waiting. A device the driver
 * has given up on returns 0 from then on.
 */
static inline size_t netdev_poll(struct netdev *dev, size_t budget, netdev_rx_fn rx, void *arg)
{
	return dev->ops->poll(dev, budget, rx, arg);
}

/* The device's counters (struct netdev_stats), copied into stats. */
static inline void netdev_get_stats(const struct netdev *dev, struct netdev_stats *stats)
{
	dev->ops->get_stats(dev, stats);
}

/*
 * Returns as soon as a registered device has a received frame waiting, or
 * when the monotonic clock reaches deadline_ns (UINT64_MAX: no deadline).
 * It polls for a few microseconds first (a frame often follows the last),
 * then enables the devices' receive interrupts and halts the CPU until
 * one of them or the deadline's timer interrupt wakes it; on return the
 * receive interrupts are off again. Call with interrupts enabled.
 */
void netdev_wait(uint64_t deadline_ns);

#endif /* UKBPF_NETDEV_H */
