/* bpf_printk with no, one and two format arguments: Linux declares only
 * bpf_trace_printk's format and its size; r3-r5 are read as the format
 * asks and are never checked, so a call with fewer than three arguments
 * leaves the others unset. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int trace_printk_args(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	bpf_printk("xdp\n");
	bpf_printk("len %ld\n", (long)(data_end - data));
	bpf_printk("ifindex %u rxq %u\n", ctx->ingress_ifindex, ctx->rx_queue_index);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
