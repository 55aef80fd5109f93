#include "virtio_console.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "byte_channel.h"
#include "memory.h"
#include "paging.h"
#include "timekeeping.h"
#include "virtio_pci.h"

#define VIRTIO_CONSOLE_DEVICE_ID   3 /* §5.3.1 */
#define VIRTIO_CONSOLE_F_MULTIPORT (1ull << 1)
/* §5.3.4: struct virtio_console_config { le16 cols, rows; le32 max_nr_ports; ... } */
#define CONFIG_MAX_NR_PORTS 4
#define CONFIG_MIN_LENGTH   8

/*
 * §5.3.2: port 0's receive and transmit queues are 0 and 1, the control
 * queues 2 and 3, port N's (N >= 1) 2 + 2N and 3 + 2N.
 */
#define PORT0_RX_QUEUE	 0
#define CONTROL_RX_QUEUE 2
#define CONTROL_TX_QUEUE 3

/* §5.3.6.2: control events (device to driver: ADD, REMOVE, CONSOLE, RESIZE, OPEN, NAME). */
#define VIRTIO_CONSOLE_DEVICE_READY  0
#define VIRTIO_CONSOLE_DEVICE_ADD    1
#define VIRTIO_CONSOLE_DEVICE_REMOVE 2
#define VIRTIO_CONSOLE_PORT_READY    3
#define VIRTIO_CONSOLE_CONSOLE_PORT  4
#define VIRTIO_CONSOLE_RESIZE	     5
#define VIRTIO_CONSOLE_PORT_OPEN     6
#define VIRTIO_CONSOLE_PORT_NAME     7

struct virtio_console_control {
	uint32_t id; /* port number */
	uint16_t event;
	uint16_t value;
} __attribute__((packed));

_Static_assert(sizeof(struct virtio_console_control) == 8, "virtio 1.x §5.3.6.2");

#define VIRTIO_CONSOLE_MAX_DEVICES 2
/* Ports 0 .. MAX_PORTS-1 get queues; a device announcing more is told they failed. */
#define VIRTIO_CONSOLE_MAX_PORTS 4
#define PORT_QUEUE_SIZE		 16
#define PORT_BUFFER_SIZE	 4096 /* so up to 64 KiB in flight each way per port */
#define CONTROL_QUEUE_SIZE	 16
/* A control message and a port name. */
#define CONTROL_RX_BUFFER_SIZE 128
/* §5.3.5: the device announces its ports in answer to DEVICE_READY. */
#define HANDSHAKE_TIMEOUT_NS 1000000000ull

struct virtio_console;

struct virtio_console_port {
	struct byte_channel channel; /* what everything above the driver sees */
	struct virtio_console *dev;
	uint32_t id;
	bool added;	    /* DEVICE_ADD seen, no DEVICE_REMOVE since */
	bool ready_pending; /* PORT_READY owed to the device, with value ready_ok */
	bool ready_ok;
	bool open_pending;   /* PORT_OPEN 1 owed (the guest end was opened) */
	bool named;	     /* PORT_NAME handled (registered, or refused and counted) */
	bool host_connected; /* last PORT_OPEN from the device */
	bool buffers_ready;  /* buffers allocated, receive buffers posted */
	struct virtq rx, tx;
	uint8_t *rx_buffers, *tx_buffers; /* PORT_BUFFER_SIZE per descriptor */
	bool rx_posted[PORT_QUEUE_SIZE];
	bool tx_in_flight[PORT_QUEUE_SIZE];
	uint16_t tx_free[PORT_QUEUE_SIZE];
	uint16_t tx_free_count;
	/* The received buffer being read: rx_current's bytes rx_offset .. rx_length. */
	bool rx_reading;
	uint16_t rx_current;
	uint32_t rx_offset, rx_length;
	struct byte_channel_stats stats;
};

struct virtio_console {
	struct virtio_pci vp;
	struct virtq control_rx, control_tx;
	uint8_t *control_rx_buffers; /* CONTROL_RX_BUFFER_SIZE per descriptor */
	struct virtio_console_control *control_tx_buffers;
	bool control_rx_posted[CONTROL_QUEUE_SIZE];
	bool control_tx_in_flight[CONTROL_QUEUE_SIZE];
	uint16_t control_tx_free[CONTROL_QUEUE_SIZE];
	uint16_t control_tx_free_count;
	uint32_t max_nr_ports; /* the device's, for judging port numbers */
	uint32_t port_count;   /* ports with queues: min(max_nr_ports, MAX_PORTS) */
	struct virtio_console_port ports[VIRTIO_CONSOLE_MAX_PORTS];
	size_t channels_registered;
	bool failed;
	uint64_t device_errors;
};

static struct virtio_console devices[VIRTIO_CONSOLE_MAX_DEVICES];
static size_t device_count;
static const struct byte_channel_ops virtio_console_channel_ops; /* after its functions */

struct probe_state {
	char *why;
	size_t why_len;
	bool reported;
	size_t registered;
};

static struct virtio_console_port *to_port(struct byte_channel *ch)
{
	return (struct virtio_console_port *)((uintptr_t)ch -
					      offsetof(struct virtio_console_port, channel));
}

static void device_failed(struct virtio_console *dev)
{
	dev->device_errors++;
	dev->failed = true;
	virtio_pci_fail(&dev->vp);
}

static uint16_t port_rx_queue(uint32_t port)
{
	return port == 0 ? PORT0_RX_QUEUE : (uint16_t)(2 + 2 * port);
}

static void *alloc_bytes(size_t bytes)
{
	void *p = memory_alloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE);

	if (p)
		memset(p, 0, bytes);
	return p;
}

/*
 * How many used entries may be consumed; a used index more than a ring
 * ahead of ours cannot be honest (§2.4.8), so the device is failed.
 */
static uint16_t used_pending_checked(struct virtio_console *dev, struct virtq *vq)
{
	uint16_t pending = virtq_used_pending(vq);

	if (pending > vq->size) {
		device_failed(dev);
		return 0;
	}
	return pending;
}

/* ---- control queues (§5.3.6.2) ---- */

static void control_tx_reclaim(struct virtio_console *dev)
{
	for (uint16_t pending = used_pending_checked(dev, &dev->control_tx); pending > 0;
	     pending--) {
		struct virtq_used_elem used = virtq_pop_used(&dev->control_tx);
		if (used.id >= dev->control_tx.size || !dev->control_tx_in_flight[used.id]) {
			device_failed(dev);
			return;
		}
		dev->control_tx_in_flight[used.id] = false;
		dev->control_tx_free[dev->control_tx_free_count++] = (uint16_t)used.id;
	}
}

/* Sends one control message; false when every control buffer is in flight. */
static bool control_send(struct virtio_console *dev, uint32_t port, uint16_t event, uint16_t value)
{
	if (dev->failed)
		return false;
	if (dev->control_tx_free_count == 0)
		control_tx_reclaim(dev);
	if (dev->failed || dev->control_tx_free_count == 0)
		return false;
	uint16_t id = dev->control_tx_free[--dev->control_tx_free_count];
	dev->control_tx_buffers[id] = (struct virtio_console_control){port, event, value};
	dev->control_tx.desc[id].len = sizeof(struct virtio_console_control);
	dev->control_tx.desc[id].flags = 0;
	dev->control_tx_in_flight[id] = true;
	virtq_push_avail(&dev->control_tx, id);
	virtq_publish(&dev->control_tx);
	return true;
}

/* Sends what the ports owe the device, as far as control buffers allow. */
static void control_flush(struct virtio_console *dev)
{
	for (uint32_t i = 0; i < dev->port_count; i++) {
		struct virtio_console_port *port = &dev->ports[i];
		if (port->ready_pending &&
		    control_send(dev, port->id, VIRTIO_CONSOLE_PORT_READY, port->ready_ok))
			port->ready_pending = false;
		if (port->open_pending && !port->ready_pending &&
		    control_send(dev, port->id, VIRTIO_CONSOLE_PORT_OPEN, 1))
			port->open_pending = false;
	}
}

/* Allocates the port's buffers and posts them (once: a port added again keeps them). */
static int port_buffers_init(struct virtio_console_port *port)
{
	if (port->buffers_ready)
		return 0;
	if (!port->rx_buffers)
		port->rx_buffers = alloc_bytes((size_t)port->rx.size * PORT_BUFFER_SIZE);
	if (!port->tx_buffers)
		port->tx_buffers = alloc_bytes((size_t)port->tx.size * PORT_BUFFER_SIZE);
	if (!port->rx_buffers || !port->tx_buffers)
		return -ENOMEM; /* what was allocated stays: a later add tries the rest */
	for (uint16_t id = 0; id < port->rx.size; id++) {
		port->rx.desc[id] = (struct virtq_desc){
		    .addr = (uintptr_t)(port->rx_buffers + (size_t)id * PORT_BUFFER_SIZE),
		    .len = PORT_BUFFER_SIZE,
		    .flags = VIRTQ_DESC_F_WRITE,
		};
		port->rx_posted[id] = true;
		virtq_push_avail(&port->rx, id);
	}
	for (uint16_t id = 0; id < port->tx.size; id++) {
		port->tx.desc[id].addr =
		    (uintptr_t)(port->tx_buffers + (size_t)id * PORT_BUFFER_SIZE);
		port->tx_free[port->tx_free_count++] = id;
	}
	virtq_publish(&port->rx);
	port->buffers_ready = true;
	return 0;
}

static void port_add(struct virtio_console *dev, uint32_t id)
{
	if (id >= dev->port_count) {
		/* §5.3.6.2: PORT_READY 0 tells the device the port is unusable. */
		control_send(dev, id, VIRTIO_CONSOLE_PORT_READY, 0);
		return;
	}
	struct virtio_console_port *port = &dev->ports[id];
	if (port->added) {
		dev->device_errors++;
		return;
	}
	port->added = true;
	port->host_connected = false;
	port->ready_ok = port_buffers_init(port) == 0;
	port->ready_pending = true;
}

/*
 * PORT_NAME: the name follows the message (§5.3.6.2 "not NUL-terminated";
 * QEMU sends a NUL after it, which ends the name).
 */
static void port_name(struct virtio_console *dev, struct virtio_console_port *port,
		      const uint8_t *name, size_t len)
{
	len = strnlen((const char *)name, len);
	if (port->named) {
		/* Again after the port was removed and added: the channel keeps its name. */
		if (strlen(port->channel.name) != len || memcmp(port->channel.name, name, len) != 0)
			dev->device_errors++;
		return;
	}
	port->named = true;
	if (len == 0 || len >= sizeof(port->channel.name)) {
		dev->device_errors++;
		return;
	}
	memcpy(port->channel.name, name, len);
	port->channel.name[len] = '\0';
	port->channel.ops = &virtio_console_channel_ops;
	if (byte_channel_register(&port->channel) < 0) {
		dev->device_errors++; /* a second port of that name, or no room */
		return;
	}
	dev->channels_registered++;
}

static void control_handle(struct virtio_console *dev, const uint8_t *message, size_t len)
{
	struct virtio_console_control control;

	if (len < sizeof(control)) {
		dev->device_errors++;
		return;
	}
	memcpy(&control, message, sizeof(control));
	if (control.id >= dev->max_nr_ports) {
		dev->device_errors++;
		return;
	}
	if (control.event == VIRTIO_CONSOLE_DEVICE_ADD) {
		port_add(dev, control.id);
		return;
	}
	struct virtio_console_port *port =
	    control.id < dev->port_count ? &dev->ports[control.id] : NULL;
	if (!port || !port->added) {
		dev->device_errors++; /* an event for a port it never added (or we refused) */
		return;
	}
	switch (control.event) {
	case VIRTIO_CONSOLE_DEVICE_REMOVE:
		port->added = false;
		port->host_connected = false;
		break;
	case VIRTIO_CONSOLE_PORT_NAME:
		port_name(dev, port, message + sizeof(control), len - sizeof(control));
		break;
	case VIRTIO_CONSOLE_PORT_OPEN:
		if (control.value && !port->host_connected)
			port->stats.peer_opens++;
		port->host_connected = control.value != 0;
		break;
	case VIRTIO_CONSOLE_CONSOLE_PORT:
	case VIRTIO_CONSOLE_RESIZE:
		break; /* a port is a byte stream here, console or not */
	default:
		dev->device_errors++; /* DEVICE_READY and PORT_READY go the other way */
		break;
	}
}

/* Handles every control message that has arrived, and sends what is owed. */
static void control_poll(struct virtio_console *dev)
{
	bool reposted = false;

	for (uint16_t pending = used_pending_checked(dev, &dev->control_rx);
	     pending > 0 && !dev->failed; pending--) {
		struct virtq_used_elem used = virtq_pop_used(&dev->control_rx);
		if (used.id >= dev->control_rx.size || !dev->control_rx_posted[used.id] ||
		    used.len > CONTROL_RX_BUFFER_SIZE) {
			device_failed(dev);
			return;
		}
		control_handle(dev,
			       dev->control_rx_buffers + (size_t)used.id * CONTROL_RX_BUFFER_SIZE,
			       used.len);
		virtq_push_avail(&dev->control_rx, (uint16_t)used.id);
		reposted = true;
	}
	if (dev->failed)
		return;
	if (reposted)
		virtq_publish(&dev->control_rx);
	control_flush(dev);
}

/* ---- bring-up (§3.1.1, §5.3.5) ---- */

static int setup_control_queues(struct virtio_console *dev)
{
	if (virtio_pci_queue_setup(&dev->vp, &dev->control_rx, CONTROL_RX_QUEUE, CONTROL_QUEUE_SIZE,
				   VIRTIO_MSIX_NO_VECTOR) < 0 ||
	    virtio_pci_queue_setup(&dev->vp, &dev->control_tx, CONTROL_TX_QUEUE, CONTROL_QUEUE_SIZE,
				   VIRTIO_MSIX_NO_VECTOR) < 0)
		return -EIO;
	dev->control_rx_buffers =
	    alloc_bytes((size_t)dev->control_rx.size * CONTROL_RX_BUFFER_SIZE);
	dev->control_tx_buffers =
	    alloc_bytes(dev->control_tx.size * sizeof(struct virtio_console_control));
	if (!dev->control_rx_buffers || !dev->control_tx_buffers)
		return -ENOMEM;
	for (uint16_t id = 0; id < dev->control_rx.size; id++) {
		dev->control_rx.desc[id] = (struct virtq_desc){
		    .addr =
			(uintptr_t)(dev->control_rx_buffers + (size_t)id * CONTROL_RX_BUFFER_SIZE),
		    .len = CONTROL_RX_BUFFER_SIZE,
		    .flags = VIRTQ_DESC_F_WRITE,
		};
		dev->control_rx_posted[id] = true;
		virtq_push_avail(&dev->control_rx, id);
	}
	for (uint16_t id = 0; id < dev->control_tx.size; id++) {
		dev->control_tx.desc[id].addr = (uintptr_t)&dev->control_tx_buffers[id];
		dev->control_tx_free[dev->control_tx_free_count++] = id;
	}
	virtq_set_interrupts(&dev->control_rx, false);
	virtq_set_interrupts(&dev->control_tx, false);
	return 0;
}

/* Every port's queues, before DRIVER_OK (§3.1.1 step 7); buffers come when it is added. */
static int setup_port_queues(struct virtio_console *dev)
{
	for (uint32_t i = 0; i < dev->port_count; i++) {
		struct virtio_console_port *port = &dev->ports[i];
		uint16_t rx_queue = port_rx_queue(i);
		port->dev = dev;
		port->id = i;
		if (virtio_pci_queue_setup(&dev->vp, &port->rx, rx_queue, PORT_QUEUE_SIZE,
					   VIRTIO_MSIX_NO_VECTOR) < 0 ||
		    virtio_pci_queue_setup(&dev->vp, &port->tx, rx_queue + 1, PORT_QUEUE_SIZE,
					   VIRTIO_MSIX_NO_VECTOR) < 0)
			return -EIO;
		virtq_set_interrupts(&port->rx, false);
		virtq_set_interrupts(&port->tx, false);
	}
	return 0;
}

/* Every added port answered and named (a port without a name is never a channel). */
static bool handshake_done(const struct virtio_console *dev)
{
	bool any = false;

	for (uint32_t i = 0; i < dev->port_count; i++) {
		const struct virtio_console_port *port = &dev->ports[i];
		if (!port->added)
			continue;
		any = true;
		if (port->ready_pending || (port->ready_ok && !port->named))
			return false;
	}
	return any;
}

static int virtio_console_init(struct virtio_console *dev, const struct pci_device *pci,
			       const char **why)
{
	*dev = (struct virtio_console){0};
	if (virtio_pci_init(&dev->vp, pci, why) < 0)
		return -ENODEV;
	if (virtio_pci_negotiate(&dev->vp, VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_MULTIPORT,
				 VIRTIO_F_VERSION_1 | VIRTIO_CONSOLE_F_MULTIPORT) < 0) {
		*why = "device lacks VIRTIO_F_VERSION_1 or VIRTIO_CONSOLE_F_MULTIPORT";
		return -ENOTSUP;
	}
	if (dev->vp.device_cfg_len < CONFIG_MIN_LENGTH) {
		*why = "device configuration too small for max_nr_ports";
		virtio_pci_fail(&dev->vp);
		return -ENODEV;
	}
	volatile uint32_t *max_nr_ports =
	    (volatile uint32_t *)(dev->vp.device_cfg + CONFIG_MAX_NR_PORTS);
	dev->max_nr_ports = *max_nr_ports;
	if (dev->max_nr_ports == 0) {
		*why = "device has no ports (max_nr_ports 0)";
		virtio_pci_fail(&dev->vp);
		return -ENODEV;
	}
	dev->port_count = dev->max_nr_ports < VIRTIO_CONSOLE_MAX_PORTS ? dev->max_nr_ports
								       : VIRTIO_CONSOLE_MAX_PORTS;
	if (setup_control_queues(dev) < 0 || setup_port_queues(dev) < 0) {
		*why = "could not set up the control and port queues";
		virtio_pci_fail(&dev->vp);
		return -EIO;
	}
	virtio_pci_driver_ok(&dev->vp);
	virtq_publish(&dev->control_rx);
	/* §5.3.6.2: DEVICE_READY 1 asks the device to announce its ports. */
	control_send(dev, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
	uint64_t give_up = time_monotonic_ns() + HANDSHAKE_TIMEOUT_NS;
	while (!dev->failed && !handshake_done(dev) && time_monotonic_ns() < give_up)
		control_poll(dev);
	if (dev->failed) {
		*why = "device broke the control protocol during the handshake";
		return -EIO;
	}
	return 0;
}

static bool is_virtio_console(const struct pci_device *pci)
{
	return pci->vendor_id == VIRTIO_PCI_VENDOR &&
	       (pci->device_id == VIRTIO_PCI_MODERN_DEVICE_BASE + VIRTIO_CONSOLE_DEVICE_ID ||
		pci->device_id == VIRTIO_PCI_TRANSITIONAL_CONSOLE);
}

static void probe_one(const struct pci_device *pci, void *arg)
{
	struct probe_state *state = arg;
	const char *why = "more devices than the driver has room for";

	if (!is_virtio_console(pci))
		return;
	/* A device that failed after DRIVER_OK may have registered ports: its slot is kept. */
	if (device_count < VIRTIO_CONSOLE_MAX_DEVICES) {
		struct virtio_console *dev = &devices[device_count];
		int err = virtio_console_init(dev, pci, &why);
		state->registered += dev->channels_registered;
		if (dev->channels_registered || err == 0)
			device_count++;
		if (err == 0)
			return;
	}
	if (state->why && !state->reported)
		snprintf(state->why, state->why_len, "PCI %02x:%02x.%x: %s", pci->bus, pci->slot,
			 pci->function, why);
	state->reported = true;
}

size_t virtio_console_probe_all(char *why, size_t why_len)
{
	struct probe_state state = {why, why_len, false, 0};

	if (why && why_len)
		why[0] = '\0';
	pci_enumerate(probe_one, &state);
	return state.registered;
}

BYTE_CHANNEL_DRIVER(virtio_console_probe_all);

/* ---- a port as a byte channel ---- */

static int port_open(struct byte_channel *ch)
{
	struct virtio_console_port *port = to_port(ch);

	if (port->dev->failed)
		return -EIO;
	port->open_pending = true;
	control_flush(port->dev);
	return 0;
}

/* The next received buffer to read from, or false when none has arrived. */
static bool rx_next_buffer(struct virtio_console_port *port)
{
	struct virtio_console *dev = port->dev;

	while (!dev->failed && used_pending_checked(dev, &port->rx) > 0) {
		struct virtq_used_elem used = virtq_pop_used(&port->rx);
		if (used.id >= port->rx.size || !port->rx_posted[used.id] ||
		    used.len > PORT_BUFFER_SIZE) {
			device_failed(dev);
			return false;
		}
		if (used.len == 0) {
			virtq_push_avail(&port->rx, (uint16_t)used.id);
			virtq_publish(&port->rx);
			continue;
		}
		port->rx_posted[used.id] = false;
		port->rx_reading = true;
		port->rx_current = (uint16_t)used.id;
		port->rx_offset = 0;
		port->rx_length = used.len;
		return true;
	}
	return false;
}

static ssize_t port_read(struct byte_channel *ch, void *buf, size_t len)
{
	struct virtio_console_port *port = to_port(ch);
	struct virtio_console *dev = port->dev;
	size_t copied = 0;
	bool reposted = false;

	control_poll(dev);
	while (copied < len && !dev->failed && (port->rx_reading || rx_next_buffer(port))) {
		size_t n = port->rx_length - port->rx_offset;
		if (n > len - copied)
			n = len - copied;
		memcpy((uint8_t *)buf + copied,
		       port->rx_buffers + (size_t)port->rx_current * PORT_BUFFER_SIZE +
			   port->rx_offset,
		       n);
		copied += n;
		port->rx_offset += n;
		if (port->rx_offset == port->rx_length) {
			port->rx_reading = false;
			port->rx_posted[port->rx_current] = true;
			virtq_push_avail(&port->rx, port->rx_current);
			reposted = true;
		}
	}
	if (dev->failed)
		return -EIO;
	if (reposted)
		virtq_publish(&port->rx);
	port->stats.rx_bytes += copied;
	return (ssize_t)copied;
}

static void port_tx_reclaim(struct virtio_console_port *port)
{
	for (uint16_t pending = used_pending_checked(port->dev, &port->tx); pending > 0;
	     pending--) {
		struct virtq_used_elem used = virtq_pop_used(&port->tx);
		if (used.id >= port->tx.size || !port->tx_in_flight[used.id]) {
			device_failed(port->dev);
			return;
		}
		port->tx_in_flight[used.id] = false;
		port->tx_free[port->tx_free_count++] = (uint16_t)used.id;
	}
}

static ssize_t port_write(struct byte_channel *ch, const void *buf, size_t len)
{
	struct virtio_console_port *port = to_port(ch);
	struct virtio_console *dev = port->dev;
	size_t taken = 0;

	control_poll(dev);
	if (!dev->failed)
		port_tx_reclaim(port);
	if (dev->failed)
		return -EIO;
	if (!port->added || !port->host_connected)
		return -ENOTCONN;
	while (taken < len && port->tx_free_count > 0) {
		uint16_t id = port->tx_free[--port->tx_free_count];
		size_t n = len - taken < PORT_BUFFER_SIZE ? len - taken : PORT_BUFFER_SIZE;
		memcpy(port->tx_buffers + (size_t)id * PORT_BUFFER_SIZE,
		       (const uint8_t *)buf + taken, n);
		port->tx.desc[id].len = (uint32_t)n;
		port->tx.desc[id].flags = 0;
		port->tx_in_flight[id] = true;
		virtq_push_avail(&port->tx, id);
		taken += n;
	}
	if (taken == 0)
		return -EAGAIN;
	virtq_publish(&port->tx);
	port->stats.tx_bytes += taken;
	return (ssize_t)taken;
}

static bool port_peer_connected(struct byte_channel *ch)
{
	struct virtio_console_port *port = to_port(ch);

	control_poll(port->dev);
	return !port->dev->failed && port->added && port->host_connected;
}

static void port_get_stats(struct byte_channel *ch, struct byte_channel_stats *stats)
{
	struct virtio_console_port *port = to_port(ch);

	control_poll(port->dev);
	*stats = port->stats;
	stats->device_errors = port->dev->device_errors;
}

static const struct byte_channel_ops virtio_console_channel_ops = {
    .open = port_open,
    .read = port_read,
    .write = port_write,
    .peer_connected = port_peer_connected,
    .get_stats = port_get_stats,
};
