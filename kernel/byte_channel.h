/*
 * The byte-channel seam: a named, reliable, ordered byte stream to a peer
 * outside the guest (today a virtio-serial port; the host end is a socket
 * of QEMU's). It is to non-NIC devices what net/netdev.h is to NICs: a
 * driver fills a struct byte_channel (its ops table and name) and
 * registers it; the user (the control service, a test app) opens a
 * channel by name and talks to the ops, never to the driver.
 *
 * Life of a channel: the first byte_channel_open runs every driver's
 * probe (drivers add theirs to the table with BYTE_CHANNEL_DRIVER: the
 * kernel names no driver); each channel a driver brings up it registers
 * with byte_channel_register. Channels are never unregistered. A channel
 * is opened once and stays open.
 *
 * Everything is non-blocking and polled: read returns what has arrived,
 * write takes what fits in the driver's bounded buffers (back-pressure:
 * the caller keeps the rest and retries), so a caller on the packet path
 * never waits for the peer. The peer may connect and disconnect at any
 * time; peer_opens counts its connections, so a caller that polls sees a
 * reconnection that happened between two polls. One CPU, no threads:
 * nothing here locks, and no function may be called from an interrupt
 * handler.
 */
#ifndef UKBPF_BYTE_CHANNEL_H
#define UKBPF_BYTE_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BYTE_CHANNEL_NAME_MAX 64 /* name bytes, NUL included */
#define BYTE_CHANNEL_MAX      8	 /* registered channels, all drivers together */

struct byte_channel;

/* A channel's counters since it was brought up (the driver keeps them). */
struct byte_channel_stats {
	uint64_t rx_bytes;	/* returned by read */
	uint64_t tx_bytes;	/* accepted by write */
	uint64_t peer_opens;	/* times the peer connected */
	uint64_t device_errors; /* the device broke the driver's protocol */
};

/*
 * What a driver implements; the byte_channel_ functions of the same names
 * below keep the contracts. open tells the device the guest end is open
 * (the peer may send from then on).
 */
struct byte_channel_ops {
	int (*open)(struct byte_channel *ch);
	ssize_t (*read)(struct byte_channel *ch, void *buf, size_t len);
	ssize_t (*write)(struct byte_channel *ch, const void *buf, size_t len);
	bool (*peer_connected)(struct byte_channel *ch);
	void (*get_stats)(struct byte_channel *ch, struct byte_channel_stats *stats);
};

/*
 * One channel. The driver embeds it in its own port struct (and finds
 * that again with offsetof in its ops) and sets ops and name before
 * byte_channel_register. Read-only after that, but for opened.
 */
struct byte_channel {
	const struct byte_channel_ops *ops;
	char name[BYTE_CHANNEL_NAME_MAX];
	bool opened;
};

/*
 * A driver's probe: brings up its devices and registers their channels.
 * Returns how many it registered; a device it skipped sets why (when not
 * NULL) to "where: reason" for the first such.
 */
typedef size_t (*byte_channel_probe_fn)(char *why, size_t why_len);

/*
 * Adds probe to the table byte_channel_open runs (a link-time table, the
 * section byte_channel_drivers): one line in the driver's .c, so the
 * kernel names no driver.
 */
#define BYTE_CHANNEL_DRIVER(probe)                                                                 \
	static const byte_channel_probe_fn byte_channel_driver_##probe                             \
	    __attribute__((used, section("byte_channel_drivers"), aligned(sizeof(void *)))) =      \
		probe

/*
 * For drivers, from their probe: makes ch findable by its name. ch must
 * stay valid for good. 0, -EEXIST when a channel of that name is already
 * registered, or -ENOSPC when BYTE_CHANNEL_MAX are (ch is then left alone).
 */
int byte_channel_register(struct byte_channel *ch);

/*
 * The channel called name, opened: probes the drivers the first time.
 * Returns 0 with *ch set; -ENODEV when no device has a channel of that
 * name (why gets what the probes found: no device, or the names there
 * are, or why a device was skipped); -EBUSY when it is already open; or
 * the driver's error from opening it.
 */
int byte_channel_open(const char *name, struct byte_channel **ch, char *why, size_t why_len);

/*
 * Copies up to len received bytes into buf. Returns how many (> 0), 0 when
 * none are waiting, or -EIO when the driver has given up on the device.
 * Bytes the peer sent before it disconnected are still read.
 */
static inline ssize_t byte_channel_read(struct byte_channel *ch, void *buf, size_t len)
{
	return ch->ops->read(ch, buf, len);
}

/*
 * Takes up to len bytes of buf for the peer, in order. Returns how many it
 * took (> 0; fewer than len when its buffers filled: retry the rest later),
 * -EAGAIN when it took none for that reason, -ENOTCONN when no peer is
 * connected (nothing taken: the bytes would be lost), or -EIO when the
 * driver has given up on the device.
 */
static inline ssize_t byte_channel_write(struct byte_channel *ch, const void *buf, size_t len)
{
	return ch->ops->write(ch, buf, len);
}

/* Whether the peer (the host's client) is connected now. */
static inline bool byte_channel_peer_connected(struct byte_channel *ch)
{
	return ch->ops->peer_connected(ch);
}

/* The channel's counters (struct byte_channel_stats), copied into stats. */
static inline void byte_channel_get_stats(struct byte_channel *ch, struct byte_channel_stats *stats)
{
	ch->ops->get_stats(ch, stats);
}

#endif /* UKBPF_BYTE_CHANNEL_H */
