/*
 * The XDP context (struct ebpf_xdp_buff) and the redirect decision its
 * helpers record.
 */
#include <errno.h>
#include <string.h>

#include "ebpf_internal.h"
#include "maps.h"

/*
 * Linux's bpf_redirect(ifindex, flags) has no context argument: the kernel
 * keeps the target in per-CPU state that the driver reads after the run.
 * ukbpf runs one XDP program at a time on one CPU, so one slot suffices.
 */
static struct ebpf_xdp_target pending_redirect;

/*
 * What Linux keeps of a frame's buffer on x86-64: its start for the
 * struct xdp_frame that a redirect or XDP_TX writes there (adjust_head
 * and adjust_meta stop at data_hard_start + sizeof(struct xdp_frame)),
 * its end for the struct skb_shared_info of the skb it may become
 * (xdp_data_hard_end: SKB_DATA_ALIGN(sizeof(struct skb_shared_info))).
 */
#define XDP_FRAME_RESERVE	40
#define XDP_SHARED_INFO_RESERVE 320

static size_t buf_size(const struct ebpf_xdp_buff *xb)
{
	return (size_t)(xb->buf_end - xb->buf_start);
}

uint8_t *ebpf_xdp_room_start(const struct ebpf_xdp_buff *xb)
{
	size_t size = buf_size(xb);

	return xb->buf_start + (size < XDP_FRAME_RESERVE ? size : XDP_FRAME_RESERVE);
}

uint8_t *ebpf_xdp_room_end(const struct ebpf_xdp_buff *xb)
{
	size_t size = buf_size(xb);

	return xb->buf_end - (size < XDP_SHARED_INFO_RESERVE ? size : XDP_SHARED_INFO_RESERVE);
}

size_t ebpf_xdp_buf_size(size_t len)
{
	size_t needed = EBPF_XDP_HEADROOM + len + XDP_SHARED_INFO_RESERVE;

	return needed > EBPF_XDP_FRAME_SIZE ? needed : EBPF_XDP_FRAME_SIZE;
}

/* xdp_md holds 32-bit addresses (see struct ebpf_xdp_buff). */
static bool xdp_addr_fits(const uint8_t *ptr)
{
	return (uintptr_t)ptr <= UINT32_MAX;
}

int ebpf_xdp_init(struct ebpf_xdp_buff *xb, uint8_t *buf_start, uint8_t *buf_end, uint8_t *data,
		  size_t len, uint32_t ifindex, uint32_t rx_queue)
{
	if (!buf_start || buf_end < buf_start || data < buf_start || data > buf_end ||
	    len > (size_t)(buf_end - data))
		return -EINVAL;
	if (!xdp_addr_fits(buf_end))
		return -ERANGE;
	*xb = (struct ebpf_xdp_buff){
	    .md =
		{
		    .data = (uint32_t)(uintptr_t)data,
		    .data_end = (uint32_t)(uintptr_t)(data + len),
		    /* Metadata is supported and starts empty (data_meta == data). */
		    .data_meta = (uint32_t)(uintptr_t)data,
		    .ingress_ifindex = ifindex,
		    .rx_queue_index = rx_queue,
		},
	    .buf_start = buf_start,
	    .buf_end = buf_end,
	};
	ebpf_xdp_clear_redirect();
	return 0;
}

void ebpf_xdp_clear_redirect(void)
{
	memset(&pending_redirect, 0, sizeof(pending_redirect));
}

void ebpf_xdp_set_redirect(const struct ebpf_xdp_target *target)
{
	pending_redirect = *target;
}

int ebpf_xdp_redirect_target(struct ebpf_xdp_buff *xb)
{
	xb->redirect = pending_redirect;
	return pending_redirect.kind != EBPF_XDP_TARGET_NONE ? 0 : -ENOENT;
}

size_t ebpf_xdp_broadcast_targets(const struct ebpf_xdp_buff *xb, uint32_t *ifindexes, size_t max)
{
	const struct ebpf_xdp_target *target = &xb->redirect;
	uint32_t key, next;
	size_t count = 0;
	int err;

	if (target->kind != EBPF_XDP_TARGET_BROADCAST)
		return 0;
	for (err = ebpf_map_get_next_key(target->broadcast, NULL, &next); !err && count < max;
	     err = ebpf_map_get_next_key(target->broadcast, &key, &next)) {
		uint32_t ifindex = ebpf_devmap_ifindex(target->broadcast, next);

		key = next;
		if (ifindex && !(target->exclude_ingress && ifindex == xb->md.ingress_ifindex))
			ifindexes[count++] = ifindex;
	}
	return count;
}
