/* Ring buffer: a reserved record filled from the packet and submitted
 * (or discarded), and bpf_ringbuf_output of a stack buffer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event {
	__u32 len;
	__u8 head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int ringbuf(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct event *e;
	__u64 stamp = ctx->rx_queue_index;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	e->len = data_end - data;
	if (data + sizeof(e->head) > data_end) {
		bpf_ringbuf_discard(e, 0);
		return XDP_PASS;
	}
	__builtin_memcpy(e->head, data, sizeof(e->head));
	bpf_ringbuf_submit(e, 0);
	bpf_ringbuf_output(&events, &stamp, sizeof(stamp), 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
