#include "xsk.h"

#include <assert.h>
#include <errno.h>

/*
 * A ring of XSK_FRAMES entries: head counts what was taken out, tail
 * what was put in (both only grow; the index is modulo the size).
 */
_Static_assert((XSK_FRAMES & (XSK_FRAMES - 1)) == 0, "ring indexes wrap by masking");
#define XSK_RING_MASK (XSK_FRAMES - 1)

struct xsk_socket {
	struct netdev *nic;
	uint32_t queue_id;
	uint8_t *fill[XSK_FRAMES]; /* free buffers */
	uint32_t fill_head, fill_tail;
	struct xsk_frame rx[XSK_FRAMES];
	uint32_t rx_head, rx_tail;
	struct xsk_stats stats;
};

/*
 * Every socket's UMEM, in .bss and so below 4 GiB (xdp_md holds 32-bit
 * addresses): buffers change hands with the hook's, so each is one of
 * its size.
 */
static uint8_t umem[XSK_MAX_SOCKETS][XSK_FRAMES][XSK_FRAME_SIZE] __attribute__((aligned(4096)));
static struct xsk_socket sockets[XSK_MAX_SOCKETS];
static size_t socket_count;

static uint32_t ring_used(uint32_t head, uint32_t tail)
{
	return tail - head;
}

int xsk_socket_create(struct netdev *nic, uint32_t queue_id, struct xsk_socket **xsp)
{
	struct xsk_socket *xs;

	if (queue_id != XDP_HOOK_RX_QUEUE)
		return -EINVAL;
	if (socket_count == XSK_MAX_SOCKETS)
		return -ENOSPC;
	xs = &sockets[socket_count];
	*xs = (struct xsk_socket){.nic = nic, .queue_id = queue_id};
	for (uint32_t i = 0; i < XSK_FRAMES; i++)
		xs->fill[xs->fill_tail++ & XSK_RING_MASK] = umem[socket_count][i];
	socket_count++;
	*xsp = xs;
	return 0;
}

int xsk_socket_register(struct xsk_socket *xs, struct ebpf_map *xskmap, uint32_t key)
{
	return ebpf_xskmap_update(xskmap, key, xs, xs->queue_id, EBPF_ANY);
}

int xsk_deliver(struct xsk_socket *xs, const struct xsk_frame *frame, uint32_t ifindex,
		uint32_t queue_id, uint8_t **spare)
{
	if (xs->nic->ifindex != ifindex || xs->queue_id != queue_id)
		return -EINVAL;
	/* The frame comes in its own buffer, as in Linux's zero-copy mode: the ring is checked
	 * first. */
	if (ring_used(xs->rx_head, xs->rx_tail) == XSK_FRAMES) {
		xs->stats.rx_ring_full++;
		return -ENOBUFS;
	}
	if (ring_used(xs->fill_head, xs->fill_tail) == 0) {
		xs->stats.rx_dropped++;
		return -ENOBUFS;
	}
	xs->rx[xs->rx_tail++ & XSK_RING_MASK] = *frame;
	*spare = xs->fill[xs->fill_head++ & XSK_RING_MASK];
	xs->stats.rx++;
	return 0;
}

int xsk_receive(struct xsk_socket *xs, struct xsk_frame *frame)
{
	if (ring_used(xs->rx_head, xs->rx_tail) == 0)
		return -EAGAIN;
	*frame = xs->rx[xs->rx_head++ & XSK_RING_MASK];
	return 0;
}

void xsk_release(struct xsk_socket *xs, const struct xsk_frame *frame)
{
	/* The socket's buffers number XSK_FRAMES: one more than that was never received. */
	assert(ring_used(xs->fill_head, xs->fill_tail) < XSK_FRAMES);
	xs->fill[xs->fill_tail++ & XSK_RING_MASK] = frame->buf;
}

int xsk_transmit(struct xsk_socket *xs, const void *data, size_t len)
{
	int err = netdev_transmit(xs->nic, data, len);

	if (err)
		xs->stats.tx_failed++;
	else
		xs->stats.tx++;
	return err;
}

void xsk_get_stats(const struct xsk_socket *xs, struct xsk_stats *stats)
{
	*stats = xs->stats;
}
