/*
 * AF_XDP-style sockets inside the unikernel: an XDP program's
 * bpf_redirect_map to an XSKMAP hands the frame to an app's socket
 * instead of the IP stack, as AF_XDP does on Linux (Documentation/
 * networking/af_xdp.rst), with the same roles in a smaller shape:
 *
 *   UMEM        each socket owns XSK_FRAMES buffers of XSK_FRAME_SIZE
 *               bytes, laid out as the XDP hook's (headroom, frame,
 *               tailroom), below 4 GiB as xdp_md needs.
 *   fill ring   the socket's free buffers: the XDP hook takes one each
 *               time it hands a frame over; xsk_release gives one back.
 *   RX ring     frames handed over, read with xsk_receive, in order.
 *   TX          xsk_transmit sends a frame out of the socket's NIC.
 *
 * Copies: the hook copies each frame once from the driver's ring into its
 * XDP buffer (every frame does, when a program is attached); a frame
 * redirected to a socket then goes to the RX ring in that very buffer,
 * and the hook takes a free one from the fill ring in exchange. So an
 * app reads the bytes the program saw and left, with no further copy.
 * xsk_transmit copies once more, into the NIC's transmit ring.
 *
 * Never blocking: when the RX ring is full, or every buffer is with the
 * app (it is slow to release them), the frame is dropped and counted, as
 * Linux's XDP_STATISTICS count them (rx_ring_full, rx_dropped), and the
 * hook keeps its buffer.
 *
 * Binding: a socket is bound to one NIC and one receive queue (each NIC
 * has one: XDP_HOOK_RX_QUEUE) and receives only frames that arrived
 * there, as Linux's xsk_rcv checks; a redirect to a socket bound
 * elsewhere fails (the hook counts it in redirect_failed).
 *
 * One CPU, no threads, as the rest of net/: the app reads its socket
 * from its loop (for example net_run's done callback, called after each
 * round of received frames). Sockets live until the guest stops.
 */
#ifndef UKBPF_XSK_H
#define UKBPF_XSK_H

#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"
#include "netdev.h"
#include "xdp_hook.h"

#define XSK_MAX_SOCKETS 2
#define XSK_FRAMES	32		  /* buffers per socket, and each ring's size */
#define XSK_FRAME_SIZE	XDP_HOOK_BUF_SIZE /* the hook's buffers and the socket's swap */

struct xsk_socket;

/* A received frame: the bytes at data, len of them, inside the buffer buf. */
struct xsk_frame {
	uint8_t *buf; /* XSK_FRAME_SIZE bytes; give it back with xsk_release */
	uint8_t *data;
	size_t len;
};

struct xsk_stats {
	uint64_t rx;	       /* frames put in the RX ring */
	uint64_t rx_ring_full; /* frames dropped: the RX ring was full */
	uint64_t rx_dropped;   /* frames dropped: no free buffer (the fill ring was empty) */
	uint64_t tx;	       /* frames the NIC took */
	uint64_t tx_failed;    /* frames the NIC refused (netdev_transmit's error) */
};

/*
 * Creates a socket bound to nic's receive queue queue_id, its UMEM all
 * in the fill ring. Returns 0, -EINVAL for a queue the NIC does not have,
 * -ENOSPC when XSK_MAX_SOCKETS exist.
 */
int xsk_socket_create(struct netdev *nic, uint32_t queue_id, struct xsk_socket **xsp);

/*
 * Puts xs in slot key of xskmap (an EBPF_MAP_TYPE_XSKMAP), where
 * bpf_redirect_map(&xskmap, key, ...) finds it: ebpf_xskmap_update's
 * results, with EBPF_ANY.
 */
int xsk_socket_register(struct xsk_socket *xs, struct ebpf_map *xskmap, uint32_t key);

/* The next received frame into *frame: 0, or -EAGAIN when the RX ring is empty. */
int xsk_receive(struct xsk_socket *xs, struct xsk_frame *frame);

/* Gives a received frame's buffer back to the fill ring; frame must come from xsk_receive on xs. */
void xsk_release(struct xsk_socket *xs, const struct xsk_frame *frame);

/* Sends len bytes at data out of xs's NIC: netdev_transmit's result, counted. */
int xsk_transmit(struct xsk_socket *xs, const void *data, size_t len);

void xsk_get_stats(const struct xsk_socket *xs, struct xsk_stats *stats);

/*
 * For the XDP hook: hands frame (in a buffer of XSK_FRAME_SIZE bytes),
 * received on ifindex's queue, to xs's RX ring. Returns 0 and sets *spare
 * to the free buffer the hook uses from then on (frame->buf is xs's now);
 * -EINVAL when xs is bound to another NIC or queue; -ENOBUFS when the
 * frame is dropped (counted in rx_ring_full or rx_dropped). On error
 * frame->buf stays the hook's.
 */
int xsk_deliver(struct xsk_socket *xs, const struct xsk_frame *frame, uint32_t ifindex,
		uint32_t queue_id, uint8_t **spare);

#endif /* UKBPF_XSK_H */
