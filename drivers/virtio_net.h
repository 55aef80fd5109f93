/*
 * virtio-net (virtio 1.0 §5.1) over the modern PCI transport: one receive
 * and one transmit queue per device, no offloads, the MAC address from the
 * device. The driver knows nothing of what the frames carry; the network
 * stack (or an app) polls it from the main loop, and halts in
 * virtio_net_wait when there is nothing to do.
 *
 * Frames are whole Ethernet frames without the FCS. Everything the device
 * writes into shared memory is checked: a used entry with an id that is
 * not outstanding, a length that does not fit its buffer, or a used index
 * that runs ahead of what was posted is counted and dropped, never trusted.
 */
#ifndef UKBPF_VIRTIO_NET_H
#define UKBPF_VIRTIO_NET_H

#include <stddef.h>
#include <stdint.h>

#define VIRTIO_NET_MAC_LEN   6
#define VIRTIO_NET_FRAME_MIN 14	  /* an Ethernet header */
#define VIRTIO_NET_FRAME_MAX 1518 /* 1500 bytes of payload, 802.1Q tag included */

struct virtio_net; /* one device */

struct virtio_net_stats {
	uint64_t rx_frames, rx_bytes; /* delivered to the rx callback */
	uint64_t tx_frames, tx_bytes; /* handed to the device */
	uint64_t rx_dropped_bad;      /* received frames shorter than an Ethernet
					 header or longer than the buffer */
	uint64_t tx_dropped;	      /* frames virtio_net_tx refused (-EMSGSIZE,
					 -EIO); -EAGAIN is for the caller to retry */
	uint64_t device_errors;	      /* bad used id or index from the device */
	uint64_t interrupts;
};

/*
 * Finds and initializes every virtio-net PCI device (modern 0x1041, or
 * transitional 0x1000 with modern capabilities). Returns how many are
 * ready; a device that could not be set up is skipped and, for the first
 * such, why (when not NULL) gets "PCI bus:slot.fn: reason".
 * Call once, with interrupts enabled or not.
 */
size_t virtio_net_probe_all(char *why, size_t why_len);
/* Device index (probe order: bus, slot, function), or NULL when out of range. */
struct virtio_net *virtio_net_get(size_t index);
void virtio_net_mac(const struct virtio_net *dev, uint8_t mac[VIRTIO_NET_MAC_LEN]);
void virtio_net_get_stats(const struct virtio_net *dev, struct virtio_net_stats *stats);

typedef void (*virtio_net_rx_fn)(void *arg, uint8_t *frame, size_t len);

/*
 * Calls rx(arg, frame, len) for each received frame, in order, then
 * reposts its buffer: the callback must finish with the frame (or copy
 * it) before it returns. Consumes at most budget used entries and returns
 * how many it consumed, delivered or dropped: 0 means nothing was waiting.
 * A device caught misbehaving is marked FAILED and returns 0 from then on.
 */
size_t virtio_net_poll_rx(struct virtio_net *dev, size_t budget, virtio_net_rx_fn rx, void *arg);

/*
 * Copies frame into a transmit buffer and hands it to the device. 0,
 * -EAGAIN when every buffer is still in flight (retry later), -EMSGSIZE
 * for len outside VIRTIO_NET_FRAME_MIN..VIRTIO_NET_FRAME_MAX, -EIO when
 * the device has been marked FAILED.
 */
int virtio_net_tx(struct virtio_net *dev, const void *frame, size_t len);

/*
 * Returns as soon as one of devs has a received frame waiting, or when
 * the monotonic clock reaches deadline_ns (UINT64_MAX: no deadline). It
 * polls for a few microseconds first (a frame often follows the last),
 * then enables the devices' receive interrupts and halts the CPU.
 */
void virtio_net_wait(struct virtio_net *const *devs, size_t count, uint64_t deadline_ns);

#endif /* UKBPF_VIRTIO_NET_H */
