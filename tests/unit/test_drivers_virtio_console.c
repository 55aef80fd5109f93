/*
 * Unit tests for drivers/virtio_console.c against a fake device: this file
 * implements drivers/virtio_pci.h (queues in host memory) and plays the
 * device's side of the rings, well (the port handshake, data both ways,
 * back-pressure, the host connecting and leaving) and badly (nonsense
 * control messages are counted and ignored; a used entry the driver never
 * posted fails the device). The driver's state is global, so the tests
 * run in order, each building on the last.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "byte_channel.h"
#include "memory.h"
#include "pci.h"
#include "timekeeping.h"
#include "virtio_console.h"
#include "virtio_pci.h"

#define PORT_NAME      "org.ukbpf.control.0"
#define DATA_PORT      1
#define FAKE_MAX_PORTS 4
#define QUEUE_COUNT    (2 + 2 * FAKE_MAX_PORTS)
#define CONTROL_RX     2
#define CONTROL_TX     3
#define PORT_RX	       (2 + 2 * DATA_PORT)
#define PORT_TX	       (PORT_RX + 1)
#define PORT_BUFFERS   16
#define PORT_BUFFER    4096
#define FAKE_QUEUE_MAX 16

/* §5.3.6.2 events, as the device sends and expects them. */
enum {
	DEVICE_READY,
	DEVICE_ADD,
	DEVICE_REMOVE,
	PORT_READY,
	CONSOLE_PORT,
	RESIZE,
	PORT_OPEN,
	PORT_NAME_EVENT
};

struct control {
	uint32_t id;
	uint16_t event, value;
} __attribute__((packed));

/* ---- the fake transport: drivers/virtio_pci.h over host memory ---- */

static struct virtq *queues[QUEUE_COUNT];
static uint16_t device_avail_seen[QUEUE_COUNT]; /* avail entries the device consumed */
static uint8_t device_config[12];
static bool device_failed_flag;
static bool guest_opened;
static uint64_t fake_clock_ns;

uint64_t time_monotonic_ns(void)
{
	return fake_clock_ns += 1000000; /* each look moves the clock 1 ms on */
}

void *memory_alloc_pages(size_t count)
{
	return aligned_alloc(4096, count * 4096);
}

size_t pci_enumerate(void (*visit)(const struct pci_device *dev, void *arg), void *arg)
{
	struct pci_device console = {.vendor_id = 0x1AF4, .device_id = 0x1043, .slot = 5};
	struct pci_device network = {.vendor_id = 0x1AF4, .device_id = 0x1041, .slot = 3};

	visit(&network, arg); /* not a console: left alone */
	visit(&console, arg);
	return 2;
}

int virtio_pci_init(struct virtio_pci *vp, const struct pci_device *pci, const char **why)
{
	*vp = (struct virtio_pci){.pci = *pci};
	uint32_t max_nr_ports = FAKE_MAX_PORTS;
	memcpy(device_config + 4, &max_nr_ports, sizeof(max_nr_ports));
	vp->device_cfg = device_config;
	vp->device_cfg_len = sizeof(device_config);
	return 0;
}

int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required)
{
	assert_true(required & (1ull << 1)); /* VIRTIO_CONSOLE_F_MULTIPORT */
	return 0;
}

int virtio_pci_queue_setup(struct virtio_pci *vp, struct virtq *vq, uint16_t index,
			   uint16_t max_size, uint16_t msix_entry)
{
	assert_true(index < QUEUE_COUNT);
	uint16_t size = max_size < FAKE_QUEUE_MAX ? max_size : FAKE_QUEUE_MAX;
	*vq = (struct virtq){
	    .index = index,
	    .size = size,
	    .desc = calloc(size, sizeof(struct virtq_desc)),
	    .avail = calloc(1, sizeof(struct virtq_avail) + size * sizeof(uint16_t)),
	    .used = calloc(1, sizeof(struct virtq_used) + size * sizeof(struct virtq_used_elem)),
	};
	queues[index] = vq;
	return 0;
}

void virtio_pci_driver_ok(struct virtio_pci *vp)
{
}

void virtio_pci_fail(struct virtio_pci *vp)
{
	device_failed_flag = true;
}

void virtio_pci_msix_route(struct virtio_pci *vp, uint16_t entry, uint8_t vector)
{
}

void virtq_push_avail(struct virtq *vq, uint16_t id)
{
	vq->avail->ring[vq->avail_idx & (vq->size - 1)] = id;
	vq->avail_idx++;
}

static void device_kick(uint16_t queue);

void virtq_publish(struct virtq *vq)
{
	vq->avail->idx = vq->avail_idx;
	device_kick(vq->index);
}

uint16_t virtq_used_pending(const struct virtq *vq)
{
	return (uint16_t)(vq->used->idx - vq->last_used_idx);
}

struct virtq_used_elem virtq_pop_used(struct virtq *vq)
{
	volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used_idx & (vq->size - 1)];
	struct virtq_used_elem copy = {.id = e->id, .len = e->len};

	vq->last_used_idx++;
	return copy;
}

void virtq_set_interrupts(struct virtq *vq, bool enabled)
{
}

/* ---- the device's side of the rings ---- */

static void device_used(struct virtq *vq, uint32_t id, uint32_t len)
{
	vq->used->ring[vq->used->idx & (vq->size - 1)] = (struct virtq_used_elem){id, len};
	vq->used->idx++;
}

/* Fills the next buffer the driver posted on queue; false when it posted none. */
static bool device_write(uint16_t queue, const void *data, size_t len)
{
	struct virtq *vq = queues[queue];

	if (device_avail_seen[queue] == vq->avail->idx)
		return false;
	uint16_t id = vq->avail->ring[device_avail_seen[queue]++ & (vq->size - 1)];
	struct virtq_desc *desc = &vq->desc[id];
	assert_true(desc->flags & VIRTQ_DESC_F_WRITE);
	size_t n = len < desc->len ? len : desc->len;
	memcpy((void *)(uintptr_t)desc->addr, data, n);
	device_used(vq, id, (uint32_t)n);
	return true;
}

static void device_control(uint32_t port, uint16_t event, uint16_t value, const char *name)
{
	uint8_t message[128];
	struct control c = {port, event, value};
	size_t len = sizeof(c);

	memcpy(message, &c, sizeof(c));
	if (name) {
		memcpy(message + len, name, strlen(name) + 1); /* QEMU sends the NUL too */
		len += strlen(name) + 1;
	}
	assert_true(device_write(CONTROL_RX, message, len));
}

/*
 * Takes the next buffer the driver posted for the device on queue into
 * out (when not NULL); with complete, returns it used. Its length, or -1.
 */
static long device_read(uint16_t queue, void *out, size_t out_len, bool complete)
{
	struct virtq *vq = queues[queue];

	if (device_avail_seen[queue] == vq->avail->idx)
		return -1;
	uint16_t id = vq->avail->ring[device_avail_seen[queue]++ & (vq->size - 1)];
	struct virtq_desc *desc = &vq->desc[id];
	assert_false(desc->flags & VIRTQ_DESC_F_WRITE);
	if (out)
		memcpy(out, (void *)(uintptr_t)desc->addr,
		       desc->len < out_len ? desc->len : out_len);
	if (complete)
		device_used(vq, id, 0);
	return desc->len;
}

/* What QEMU does with the driver's control messages: the handshake of §5.3.6.2. */
static void device_kick(uint16_t queue)
{
	struct control c;

	if (queue != CONTROL_TX)
		return;
	while (device_read(CONTROL_TX, &c, sizeof(c), true) == (long)sizeof(c)) {
		if (c.event == DEVICE_READY) {
			device_control(DATA_PORT, DEVICE_ADD, 1, NULL);
			device_control(FAKE_MAX_PORTS + 2, DEVICE_ADD, 1,
				       NULL); /* beyond max_nr_ports */
		} else if (c.event == PORT_READY && c.id == DATA_PORT) {
			assert_int_equal(c.value, 1);
			device_control(DATA_PORT, PORT_NAME_EVENT, 1, PORT_NAME);
		} else if (c.event == PORT_OPEN && c.id == DATA_PORT) {
			guest_opened = c.value;
		}
	}
}

/* ---- the tests ---- */

static struct byte_channel *channel;

static uint64_t device_errors(void)
{
	struct byte_channel_stats stats;

	byte_channel_get_stats(channel, &stats);
	return stats.device_errors;
}

static void test_handshake_names_the_port(void **state)
{
	char why[160];

	assert_int_equal(byte_channel_open(PORT_NAME, &channel, why, sizeof(why)), 0);
	assert_true(guest_opened);
	assert_false(byte_channel_peer_connected(channel));
	/* The port beyond max_nr_ports was refused and counted. */
	assert_int_equal(device_errors(), 1);
	assert_int_equal(byte_channel_write(channel, "x", 1), -ENOTCONN);
}

static void test_data_both_ways(void **state)
{
	uint8_t buf[64];
	char out[16];
	struct byte_channel_stats stats;

	assert_int_equal(byte_channel_read(channel, buf, sizeof(buf)), 0);
	device_control(DATA_PORT, PORT_OPEN, 1, NULL);
	assert_true(byte_channel_peer_connected(channel));
	assert_true(device_write(PORT_RX, "hello, ", 7));
	assert_true(device_write(PORT_RX, "guest", 5));
	/* Reads may cut across and within buffers. */
	assert_int_equal(byte_channel_read(channel, buf, 3), 3);
	assert_int_equal(byte_channel_read(channel, buf + 3, sizeof(buf)), 9);
	assert_memory_equal(buf, "hello, guest", 12);
	assert_int_equal(byte_channel_write(channel, "host", 4), 4);
	assert_int_equal(device_read(PORT_TX, out, sizeof(out), true), 4);
	assert_memory_equal(out, "host", 4);
	byte_channel_get_stats(channel, &stats);
	assert_int_equal(stats.rx_bytes, 12);
	assert_int_equal(stats.tx_bytes, 4);
	assert_int_equal(stats.peer_opens, 1);
}

static void test_write_back_pressure(void **state)
{
	static uint8_t big[PORT_BUFFERS * PORT_BUFFER + 100];

	memset(big, 0xab, sizeof(big));
	/* Every buffer is free (the last send's completion is reclaimed first). */
	assert_int_equal(byte_channel_write(channel, big, sizeof(big)), PORT_BUFFERS * PORT_BUFFER);
	assert_int_equal(byte_channel_write(channel, big, 1), -EAGAIN);
	assert_int_equal(device_read(PORT_TX, NULL, 0, true), PORT_BUFFER);
	assert_int_equal(byte_channel_write(channel, big, sizeof(big)), PORT_BUFFER);
	for (int i = 0; i < PORT_BUFFERS; i++)
		assert_int_equal(device_read(PORT_TX, NULL, 0, true), PORT_BUFFER);
	assert_int_equal(device_read(PORT_TX, NULL, 0, true), -1);
}

static void test_receive_stops_when_not_read(void **state)
{
	uint8_t buf[PORT_BUFFER];
	int posted = 0;

	while (device_write(PORT_RX, "z", 1))
		posted++;
	assert_int_equal(posted, PORT_BUFFERS); /* bounded: the device now waits */
	assert_int_equal(byte_channel_read(channel, buf, sizeof(buf)), PORT_BUFFERS);
	assert_true(device_write(PORT_RX, "again", 5)); /* reposted once read */
	assert_int_equal(byte_channel_read(channel, buf, sizeof(buf)), 5);
}

static void test_host_leaves_and_returns(void **state)
{
	struct byte_channel_stats stats;

	device_control(DATA_PORT, PORT_OPEN, 0, NULL);
	assert_false(byte_channel_peer_connected(channel));
	assert_int_equal(byte_channel_write(channel, "x", 1), -ENOTCONN);
	device_control(DATA_PORT, PORT_OPEN, 1, NULL);
	assert_true(byte_channel_peer_connected(channel));
	byte_channel_get_stats(channel, &stats);
	assert_int_equal(stats.peer_opens, 2);
}

static void test_nonsense_control_is_counted_and_ignored(void **state)
{
	uint64_t before = device_errors();
	struct control truncated = {DATA_PORT, PORT_OPEN, 0};
	char long_name[100];

	assert_true(device_write(CONTROL_RX, &truncated, 4));
	device_control(3, PORT_OPEN, 1, NULL);			    /* a port never added */
	device_control(DATA_PORT, PORT_NAME_EVENT, 1, "org.other"); /* renamed */
	device_control(DATA_PORT, PORT_READY, 1, NULL);		    /* the driver's event */
	device_control(2, DEVICE_ADD, 1, NULL);
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	device_control(2, PORT_NAME_EVENT, 1, long_name);  /* too long for a channel name */
	assert_true(byte_channel_peer_connected(channel)); /* none of it closed the port */
	assert_int_equal(device_errors() - before, 5);
	assert_false(device_failed_flag);
	struct byte_channel *other;
	assert_int_equal(byte_channel_open("org.other", &other, NULL, 0), -ENODEV);
}

static void test_used_entry_never_posted_fails_the_device(void **state)
{
	uint8_t buf[16];

	device_used(queues[PORT_RX], FAKE_QUEUE_MAX + 3, 1); /* an id out of the ring */
	assert_int_equal(byte_channel_read(channel, buf, sizeof(buf)), -EIO);
	assert_true(device_failed_flag);
	assert_int_equal(byte_channel_write(channel, "x", 1), -EIO);
	assert_false(byte_channel_peer_connected(channel));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_names_the_port),
	    cmocka_unit_test(test_data_both_ways),
	    cmocka_unit_test(test_write_back_pressure),
	    cmocka_unit_test(test_receive_stops_when_not_read),
	    cmocka_unit_test(test_host_leaves_and_returns),
	    cmocka_unit_test(test_nonsense_control_is_counted_and_ignored),
	    cmocka_unit_test(test_used_entry_never_posted_fails_the_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
