/* Values without keys: the frame's length and source address queued for
 * user space (pushing over the oldest when full), a stack of recent
 * lengths peeked and popped, and a bloom filter of source addresses seen
 * before, tested and then added. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

struct sample {
	__u32 saddr;
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 128);
	__type(value, struct sample);
} samples SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 16);
	__type(value, __u64);
} lengths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 4096);
	__type(value, __u32);
	__uint(map_extra, 4);
} sources SEC(".maps");

SEC("xdp")
int queue_stack_bloom(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct sample s = {.len = data_end - data};
	__u64 len = s.len, previous;
	struct iphdr *ip;

	bpf_map_push_elem(&lengths, &len, BPF_EXIST);
	if (bpf_map_peek_elem(&lengths, &previous) == 0 && previous > 1500)
		bpf_map_pop_elem(&lengths, &previous);
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	s.saddr = ip->saddr;
	bpf_map_push_elem(&samples, &s, BPF_EXIST);
	if (bpf_map_peek_elem(&sources, &s.saddr) != 0)
		bpf_map_push_elem(&sources, &s.saddr, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
