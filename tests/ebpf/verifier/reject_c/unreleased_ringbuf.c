/* A reserved ring buffer record neither submitted nor discarded.
 * expect: Unreleased reference */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int unreleased_ringbuf(struct xdp_md *ctx)
{
	__u32 *record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);

	if (!record)
		return XDP_PASS;
	*record = ctx->rx_queue_index;
	if (*record == 3)
		return XDP_DROP;
	bpf_ringbuf_submit(record, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
