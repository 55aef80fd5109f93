/* A ring buffer record's pointer spilled to the stack, then read back and
 * written through after bpf_ringbuf_discard released the record.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int ringbuf_spill_after_discard(struct xdp_md *ctx)
{
	__u32 *volatile spilled;
	__u32 *record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);

	if (!record)
		return XDP_PASS;
	spilled = record;
	bpf_ringbuf_discard(record, 0);
	*spilled = ctx->rx_queue_index;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
