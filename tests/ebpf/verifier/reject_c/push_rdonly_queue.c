/* A BPF_F_RDONLY_PROG queue: a program may not push into it (Linux's record_func_map).
 * expect: write into map forbidden */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 4);
	__type(value, __u32);
	__uint(map_flags, BPF_F_RDONLY_PROG);
} fifo SEC(".maps");

SEC("xdp")
int push_rdonly_queue(struct xdp_md *ctx)
{
	__u32 value = ctx->rx_queue_index;

	bpf_map_push_elem(&fifo, &value, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
