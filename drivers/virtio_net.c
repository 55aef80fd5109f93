#include "virtio_net.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "apic.h"
#include "memory.h"
#include "netdev.h"
#include "paging.h"
#include "trap.h"
#include "virtio_pci.h"

#define VIRTIO_NET_DEVICE_ID	 1
#define VIRTIO_NET_F_MAC	 (1ull << 5)
#define VIRTIO_NET_RX_QUEUE	 0
#define VIRTIO_NET_TX_QUEUE	 1
#define VIRTIO_NET_MAX_DEVICES	 8
#define VIRTIO_NET_QUEUE_MAX	 256
#define VIRTIO_NET_RX_MSIX_ENTRY 0
/* §5.1.6.3.1: without mergeable buffers each holds a header and 1514 bytes. */
#define VIRTIO_NET_BUFFER_SIZE 2048

/* §5.1.6: with VIRTIO_F_VERSION_1 the header always has num_buffers. */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
} __attribute__((packed));

#define VIRTIO_NET_HDR_LEN sizeof(struct virtio_net_hdr)

_Static_assert(VIRTIO_NET_HDR_LEN == 12, "virtio 1.0 §5.1.6 header");
_Static_assert(VIRTIO_NET_HDR_LEN + NETDEV_FRAME_MAX <= VIRTIO_NET_BUFFER_SIZE,
	       "a buffer holds a header and the largest frame");

struct virtio_net {
	struct netdev netdev; /* what everything above the driver sees */
	struct virtio_pci vp;
	struct virtq rx, tx;
	uint8_t *rx_buffers, *tx_buffers; /* VIRTIO_NET_BUFFER_SIZE per descriptor */
	bool rx_posted[VIRTIO_NET_QUEUE_MAX];
	bool tx_in_flight[VIRTIO_NET_QUEUE_MAX];
	uint16_t tx_free[VIRTIO_NET_QUEUE_MAX];
	uint16_t tx_free_count;
	bool failed;
	struct netdev_stats stats;
};

static struct virtio_net devices[VIRTIO_NET_MAX_DEVICES];
static size_t device_count;
static const struct netdev_ops virtio_net_ops; /* defined after the functions it holds */

struct probe_state {
	char *why;
	size_t why_len;
	bool reported;
};

static struct virtio_net *to_virtio_net(const struct netdev *netdev)
{
	return (struct virtio_net *)((uintptr_t)netdev - offsetof(struct virtio_net, netdev));
}

static void device_failed(struct virtio_net *dev)
{
	dev->stats.device_errors++;
	dev->failed = true;
	virtio_pci_fail(&dev->vp);
}

static void rx_interrupt(void *arg)
{
	struct virtio_net *dev = arg;

	dev->stats.interrupts++; /* waking the CPU from hlt is the rest */
}

static int register_vector(struct virtio_net *dev, uint8_t *vector)
{
	for (unsigned v = APIC_FIRST_DEVICE_VECTOR; v < APIC_SPURIOUS_VECTOR; v++) {
		if (trap_register_irq(v, rx_interrupt, dev) == 0) {
			*vector = v;
			return 0;
		}
	}
	return -EBUSY;
}

static uint8_t *alloc_buffers(uint16_t count)
{
	return memory_alloc_pages(((size_t)count * VIRTIO_NET_BUFFER_SIZE + PAGE_SIZE - 1) /
				  PAGE_SIZE);
}

static int setup_queues(struct virtio_net *dev, const char **why)
{
	if (virtio_pci_queue_setup(&dev->vp, &dev->rx, VIRTIO_NET_RX_QUEUE, VIRTIO_NET_QUEUE_MAX,
				   VIRTIO_NET_RX_MSIX_ENTRY) < 0 ||
	    virtio_pci_queue_setup(&dev->vp, &dev->tx, VIRTIO_NET_TX_QUEUE, VIRTIO_NET_QUEUE_MAX,
				   VIRTIO_MSIX_NO_VECTOR) < 0) {
		*why = "could not set up the receive and transmit queues";
		return -EIO;
	}
	dev->rx_buffers = alloc_buffers(dev->rx.size);
	dev->tx_buffers = alloc_buffers(dev->tx.size);
	if (!dev->rx_buffers || !dev->tx_buffers) {
		*why = "out of memory for buffers";
		return -ENOMEM;
	}
	for (uint16_t id = 0; id < dev->rx.size; id++) {
		dev->rx.desc[id] = (struct virtq_desc){
		    .addr = (uintptr_t)(dev->rx_buffers + (size_t)id * VIRTIO_NET_BUFFER_SIZE),
		    .len = VIRTIO_NET_BUFFER_SIZE,
		    .flags = VIRTQ_DESC_F_WRITE,
		};
		dev->rx_posted[id] = true;
		virtq_push_avail(&dev->rx, id);
	}
	for (uint16_t id = 0; id < dev->tx.size; id++) {
		dev->tx.desc[id].addr =
		    (uintptr_t)(dev->tx_buffers + (size_t)id * VIRTIO_NET_BUFFER_SIZE);
		dev->tx_free[dev->tx_free_count++] = id;
	}
	virtq_set_interrupts(&dev->rx, false);
	virtq_set_interrupts(&dev->tx, false);
	return 0;
}

/* §3.1.1 initialization sequence; on failure the device slot is reused. */
static int virtio_net_init(struct virtio_net *dev, const struct pci_device *pci, const char **why)
{
	uint8_t vector;

	*dev = (struct virtio_net){0};
	if (virtio_pci_init(&dev->vp, pci, why) < 0)
		return -ENODEV;
	if (virtio_pci_negotiate(&dev->vp, VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC,
				 VIRTIO_F_VERSION_1 | VIRTIO_NET_F_MAC) < 0) {
		*why = "device lacks VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MAC";
		return -ENOTSUP;
	}
	if (dev->vp.device_cfg_len < NETDEV_MAC_LEN) {
		*why = "device configuration too small for a MAC address";
		virtio_pci_fail(&dev->vp);
		return -ENODEV;
	}
	if (register_vector(dev, &vector) < 0) {
		*why = "no free interrupt vector";
		virtio_pci_fail(&dev->vp);
		return -EBUSY;
	}
	virtio_pci_msix_route(&dev->vp, VIRTIO_NET_RX_MSIX_ENTRY, vector);
	if (setup_queues(dev, why) < 0) {
		virtio_pci_fail(&dev->vp);
		return -EIO;
	}
	for (int i = 0; i < NETDEV_MAC_LEN; i++)
		dev->netdev.mac[i] = dev->vp.device_cfg[i];
	dev->netdev.ops = &virtio_net_ops;
	/* The last step that can fail, so a registered device is a working one. */
	if (netdev_register(&dev->netdev) < 0) {
		*why = "more NICs than net/netdev.h has room for";
		virtio_pci_fail(&dev->vp);
		return -ENOSPC;
	}
	virtio_pci_driver_ok(&dev->vp);
	/* Buffers were pushed before DRIVER_OK; publishing them now kicks the device. */
	virtq_publish(&dev->rx);
	return 0;
}

static bool is_virtio_net(const struct pci_device *pci)
{
	return pci->vendor_id == VIRTIO_PCI_VENDOR &&
	       (pci->device_id == VIRTIO_PCI_MODERN_DEVICE_BASE + VIRTIO_NET_DEVICE_ID ||
		pci->device_id == VIRTIO_PCI_TRANSITIONAL_NET);
}

static void probe_one(const struct pci_device *pci, void *arg)
{
	struct probe_state *state = arg;
	const char *why = "more devices than the driver has room for";

	if (!is_virtio_net(pci))
		return;
	if (device_count < VIRTIO_NET_MAX_DEVICES &&
	    virtio_net_init(&devices[device_count], pci, &why) == 0) {
		device_count++;
		return;
	}
	if (state->why && !state->reported)
		snprintf(state->why, state->why_len, "PCI %02x:%02x.%x: %s", pci->bus, pci->slot,
			 pci->function, why);
	state->reported = true;
}

size_t virtio_net_probe_all(char *why, size_t why_len)
{
	struct probe_state state = {why, why_len, false};

	if (why && why_len)
		why[0] = '\0';
	pci_enumerate(probe_one, &state);
	return device_count;
}

static void virtio_net_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
	*stats = to_virtio_net(netdev)->stats;
}

/*
 * How many used entries may be consumed; a used index more than a ring
 * ahead of ours cannot be honest (§2.4.8), so the device is failed.
 */
static uint16_t used_pending_checked(struct virtio_net *dev, struct virtq *vq)
{
	uint16_t pending = virtq_used_pending(vq);

	if (pending > vq->size) {
		device_failed(dev);
		return 0;
	}
	return pending;
}

static void rx_deliver(struct virtio_net *dev, struct virtq_used_elem used, netdev_rx_fn rx,
		       void *arg)
{
	if (used.id >= dev->rx.size || !dev->rx_posted[used.id]) {
		dev->stats.device_errors++; /* not a buffer we posted: nothing to repost */
		return;
	}
	uint8_t *buffer = dev->rx_buffers + (size_t)used.id * VIRTIO_NET_BUFFER_SIZE;
	if (used.len < VIRTIO_NET_HDR_LEN + NETDEV_FRAME_MIN || used.len > VIRTIO_NET_BUFFER_SIZE) {
		dev->stats.rx_dropped_bad++;
	} else {
		size_t len = used.len - VIRTIO_NET_HDR_LEN;
		dev->stats.rx_frames++;
		dev->stats.rx_bytes += len;
		rx(arg, buffer + VIRTIO_NET_HDR_LEN, len);
	}
	virtq_push_avail(&dev->rx, (uint16_t)used.id);
}

/* netdev_poll: each used entry is a frame for rx, or one counted and dropped. */
static size_t virtio_net_poll_rx(struct netdev *netdev, size_t budget, netdev_rx_fn rx, void *arg)
{
	struct virtio_net *dev = to_virtio_net(netdev);
	size_t consumed = 0;

	if (dev->failed)
		return 0;
	while (consumed < budget) {
		uint16_t pending = used_pending_checked(dev, &dev->rx);
		if (pending == 0)
			break;
		for (; pending > 0 && consumed < budget; pending--, consumed++)
			rx_deliver(dev, virtq_pop_used(&dev->rx), rx, arg);
	}
	if (consumed && !dev->failed)
		virtq_publish(&dev->rx);
	return consumed;
}

static void tx_reclaim(struct virtio_net *dev)
{
	for (uint16_t pending = used_pending_checked(dev, &dev->tx); pending > 0; pending--) {
		struct virtq_used_elem used = virtq_pop_used(&dev->tx);
		if (used.id >= dev->tx.size || !dev->tx_in_flight[used.id]) {
			dev->stats.device_errors++;
			continue;
		}
		dev->tx_in_flight[used.id] = false;
		dev->tx_free[dev->tx_free_count++] = (uint16_t)used.id;
	}
}

/* netdev_transmit: finished buffers are reclaimed lazily, here. */
static int virtio_net_tx(struct netdev *netdev, const void *frame, size_t len)
{
	struct virtio_net *dev = to_virtio_net(netdev);

	if (len < NETDEV_FRAME_MIN || len > NETDEV_FRAME_MAX) {
		dev->stats.tx_dropped++;
		return -EMSGSIZE;
	}
	if (!dev->failed)
		tx_reclaim(dev);
	if (dev->failed) {
		dev->stats.tx_dropped++;
		return -EIO;
	}
	if (dev->tx_free_count == 0)
		return -EAGAIN; /* not a drop yet: the caller may retry */
	uint16_t id = dev->tx_free[--dev->tx_free_count];
	uint8_t *buffer = dev->tx_buffers + (size_t)id * VIRTIO_NET_BUFFER_SIZE;
	memset(buffer, 0, VIRTIO_NET_HDR_LEN); /* no checksum or segmentation offload */
	memcpy(buffer + VIRTIO_NET_HDR_LEN, frame, len);
	dev->tx.desc[id].len = VIRTIO_NET_HDR_LEN + len;
	dev->tx.desc[id].flags = 0;
	dev->tx_in_flight[id] = true;
	virtq_push_avail(&dev->tx, id);
	virtq_publish(&dev->tx);
	dev->stats.tx_frames++;
	dev->stats.tx_bytes += len;
	return 0;
}

static bool virtio_net_rx_pending(const struct netdev *netdev)
{
	const struct virtio_net *dev = to_virtio_net(netdev);

	return !dev->failed && virtq_used_pending(&dev->rx);
}

static void virtio_net_set_rx_interrupts(struct netdev *netdev, bool enabled)
{
	virtq_set_interrupts(&to_virtio_net(netdev)->rx, enabled);
}

static const struct netdev_ops virtio_net_ops = {
    .transmit = virtio_net_tx,
    .poll = virtio_net_poll_rx,
    .get_stats = virtio_net_get_stats,
    .rx_pending = virtio_net_rx_pending,
    .set_rx_interrupts = virtio_net_set_rx_interrupts,
};
