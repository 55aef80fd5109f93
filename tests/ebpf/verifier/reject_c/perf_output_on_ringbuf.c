/* bpf_perf_event_output takes a perf event array, not a ring buffer.
 * expect: cannot pass map_type 27 into func bpf_perf_event_output#25 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int perf_output_on_ringbuf(struct xdp_md *ctx)
{
	__u64 stamp = ctx->rx_queue_index;

	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &stamp, sizeof(stamp));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
