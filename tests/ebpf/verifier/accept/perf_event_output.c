/* A sampler: per frame, a small header and the frame's first bytes (up to
 * 64, through BPF_F_CTXLEN_MASK) to the perf event array's consumer. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SAMPLE_BYTES 64

struct sample_header {
	__u32 ifindex;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

SEC("xdp")
int perf_event_output(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct sample_header hdr = {.ifindex = ctx->ingress_ifindex, .len = data_end - data};
	__u64 bytes = hdr.len < SAMPLE_BYTES ? hdr.len : SAMPLE_BYTES;

	bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU | bytes << 32, &hdr, sizeof(hdr));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
