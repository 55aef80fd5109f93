/* A ring buffer record written through a copy after bpf_ringbuf_submit
 * released it: the copy in a callee-saved register is no pointer any more.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int ringbuf_use_after_submit(struct xdp_md *ctx)
{
	__u32 *record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);

	if (!record)
		return XDP_PASS;
	*record = ctx->rx_queue_index;
	bpf_ringbuf_submit(record, 0);
	*record = 0;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
