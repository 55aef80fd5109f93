/* A ring buffer record submitted by a subprogram: the caller's copy of
 * its pointer is no pointer any more once the callee returns.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

static __noinline void submit(__u32 *record)
{
	bpf_ringbuf_submit(record, 0);
}

SEC("xdp")
int ringbuf_use_after_callee_submit(struct xdp_md *ctx)
{
	__u32 *record = bpf_ringbuf_reserve(&events, sizeof(*record), 0);

	if (!record)
		return XDP_PASS;
	*record = ctx->rx_queue_index;
	submit(record);
	*record = 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
