/*
 * net/xsk: the AF_XDP-style socket's rings on the host, with a NIC that
 * records what it is asked to send. The XDP hook's side (xsk_deliver)
 * and the app's (receive, release, transmit) meet as in the guest:
 * frames change hands in their buffers, a slow app makes drops that are
 * counted, and a socket receives only from its NIC and queue.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebpf_internal.h" /* ebpf_map_lookup_ptr: what a program's lookup sees */
#include "xsk.h"

static size_t sent_len;
static int transmit_result;

static int fake_transmit(struct netdev *dev, const void *frame, size_t len)
{
	if (!transmit_result)
		sent_len = len;
	return transmit_result;
}

static const struct netdev_ops fake_ops = {.transmit = fake_transmit};
static struct netdev nic = {.ops = &fake_ops, .ifindex = 1};
static struct netdev other_nic = {.ops = &fake_ops, .ifindex = 2};

/*
 * The hook's buffer, in the guest its .bss one: after a delivery the hook
 * goes on in the spare it got, so hook_buf says which one it holds.
 */
static uint8_t first_hook_buf[XSK_FRAME_SIZE];
static uint8_t *hook_buf = first_hook_buf;

/* Sockets cannot be closed: every test shares the one it made first. */
static struct xsk_socket *the_socket(void)
{
	static struct xsk_socket *xs;

	if (!xs)
		assert_int_equal(xsk_socket_create(&nic, XDP_HOOK_RX_QUEUE, &xs), 0);
	return xs;
}

/* What the hook does with a redirected frame: deliver, and use the spare buffer next. */
static int deliver(struct xsk_socket *xs, uint8_t tag)
{
	struct xsk_frame frame = {.buf = hook_buf, .data = hook_buf + XDP_HOOK_HEADROOM, .len = 60};
	uint8_t *spare;
	int err;

	frame.data[0] = tag;
	err = xsk_deliver(xs, &frame, nic.ifindex, XDP_HOOK_RX_QUEUE, &spare);
	if (!err)
		hook_buf = spare;
	return err;
}

static void test_create_checks_queue_and_count(void **state)
{
	struct xsk_socket *xs;

	assert_int_equal(xsk_socket_create(&nic, XDP_HOOK_RX_QUEUE + 1, &xs), -EINVAL);
	the_socket();
	assert_int_equal(xsk_socket_create(&other_nic, XDP_HOOK_RX_QUEUE, &xs), 0);
	assert_int_equal(xsk_socket_create(&nic, XDP_HOOK_RX_QUEUE, &xs), -ENOSPC);
}

/* The frame arrives in the hook's very buffer; the hook gets another in exchange. */
static void test_frames_change_hands_without_copy(void **state)
{
	struct xsk_socket *xs = the_socket();
	uint8_t *buf = hook_buf;
	struct xsk_frame frame;

	assert_int_equal(xsk_receive(xs, &frame), -EAGAIN);
	assert_int_equal(deliver(xs, 0xa1), 0);
	assert_ptr_not_equal(hook_buf, buf);
	assert_int_equal(xsk_receive(xs, &frame), 0);
	assert_ptr_equal(frame.buf, buf);
	assert_ptr_equal(frame.data, buf + XDP_HOOK_HEADROOM);
	assert_int_equal(frame.len, 60);
	assert_int_equal(frame.data[0], 0xa1);
	xsk_release(xs, &frame);
	assert_int_equal(xsk_receive(xs, &frame), -EAGAIN);
}

/*
 * An app that releases nothing: the ring fills, then frames are dropped
 * and counted while the hook keeps its buffer; released buffers make
 * room again, and frames come out in order.
 */
static void test_slow_app_drops_are_counted(void **state)
{
	struct xsk_socket *xs = the_socket();
	struct xsk_stats before, after;
	struct xsk_frame frames[XSK_FRAMES], frame;
	uint8_t *kept;
	int i;

	xsk_get_stats(xs, &before);
	for (i = 0; i < XSK_FRAMES; i++)
		assert_int_equal(deliver(xs, (uint8_t)i), 0);
	kept = hook_buf;
	assert_int_equal(deliver(xs, 0xff), -ENOBUFS);
	assert_int_equal(deliver(xs, 0xff), -ENOBUFS);
	assert_ptr_equal(hook_buf, kept);
	xsk_get_stats(xs, &after);
	assert_int_equal(after.rx - before.rx, XSK_FRAMES);
	assert_int_equal(after.rx_ring_full - before.rx_ring_full, 2);
	assert_int_equal(after.rx_dropped - before.rx_dropped, 0);

	for (i = 0; i < XSK_FRAMES; i++) {
		assert_int_equal(xsk_receive(xs, &frames[i]), 0);
		assert_int_equal(frames[i].data[0], (uint8_t)i);
	}
	/* Every buffer is with the app: still no room, though the ring is empty. */
	assert_int_equal(deliver(xs, 0xff), -ENOBUFS);
	xsk_get_stats(xs, &after);
	assert_int_equal(after.rx_dropped - before.rx_dropped, 1);
	xsk_release(xs, &frames[0]);
	assert_int_equal(deliver(xs, 0x42), 0);
	assert_int_equal(xsk_receive(xs, &frame), 0);
	assert_int_equal(frame.data[0], 0x42);
	xsk_release(xs, &frame);
	for (i = 1; i < XSK_FRAMES; i++)
		xsk_release(xs, &frames[i]);
}

/* Linux's xsk_rcv: a frame from another NIC or queue is refused, not counted as a drop. */
static void test_socket_receives_only_its_queue(void **state)
{
	struct xsk_socket *xs = the_socket();
	struct xsk_frame frame = {.buf = hook_buf, .data = hook_buf, .len = 60};
	struct xsk_stats before, after;
	uint8_t *spare = NULL;

	xsk_get_stats(xs, &before);
	assert_int_equal(xsk_deliver(xs, &frame, other_nic.ifindex, XDP_HOOK_RX_QUEUE, &spare),
			 -EINVAL);
	assert_int_equal(xsk_deliver(xs, &frame, nic.ifindex, XDP_HOOK_RX_QUEUE + 1, &spare),
			 -EINVAL);
	assert_null(spare);
	xsk_get_stats(xs, &after);
	assert_memory_equal(&before, &after, sizeof(before));
}

static void test_transmit_is_counted(void **state)
{
	struct xsk_socket *xs = the_socket();
	uint8_t frame[64] = {0};
	struct xsk_stats before, after;

	xsk_get_stats(xs, &before);
	transmit_result = 0;
	assert_int_equal(xsk_transmit(xs, frame, sizeof(frame)), 0);
	assert_int_equal(sent_len, sizeof(frame));
	transmit_result = -EAGAIN;
	assert_int_equal(xsk_transmit(xs, frame, sizeof(frame)), -EAGAIN);
	xsk_get_stats(xs, &after);
	assert_int_equal(after.tx - before.tx, 1);
	assert_int_equal(after.tx_failed - before.tx_failed, 1);
}

/* Registered in an xskmap, the socket is what a program's redirect names. */
static void test_register_in_xskmap(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_XSKMAP, 4, 4, 4, 0, 0};
	struct ebpf_map *map;
	uint32_t key = 2;
	uint32_t *queue_id;

	assert_int_equal(ebpf_map_create(&def, "xsks_map", &map, NULL), 0);
	assert_int_equal(xsk_socket_register(the_socket(), map, 4), -E2BIG);
	assert_int_equal(xsk_socket_register(the_socket(), map, key), 0);
	queue_id = ebpf_map_lookup_ptr(map, &key);
	assert_non_null(queue_id);
	assert_int_equal(*queue_id, XDP_HOOK_RX_QUEUE);
	ebpf_map_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_checks_queue_and_count),
	    cmocka_unit_test(test_frames_change_hands_without_copy),
	    cmocka_unit_test(test_slow_app_drops_are_counted),
	    cmocka_unit_test(test_socket_receives_only_its_queue),
	    cmocka_unit_test(test_transmit_is_counted),
	    cmocka_unit_test(test_register_in_xskmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
