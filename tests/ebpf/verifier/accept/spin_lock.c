/* bpf_spin_lock/unlock around the update of a hash value's counters,
 * on a path that looks the value up, and unlock on every path. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct counter {
	__u64 packets;
	struct bpf_spin_lock lock;
	__u32 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct counter);
} stats SEC(".maps");

SEC("xdp")
int spin_lock(struct xdp_md *ctx)
{
	__u32 key = ctx->rx_queue_index;
	struct counter *c = bpf_map_lookup_elem(&stats, &key);
	int big = ctx->data_end - ctx->data > 1000;

	if (!c)
		return XDP_PASS;
	bpf_spin_lock(&c->lock);
	c->packets++;
	if (big)
		c->bytes += 2;
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
