/* The unlock must name the value that was locked.
 * expect: bpf_spin_unlock of different lock */
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
int lock_unlock_other(struct xdp_md *ctx)
{
	__u32 k1 = 1, k2 = 2;
	struct counter *a = bpf_map_lookup_elem(&stats, &k1);
	struct counter *b = bpf_map_lookup_elem(&stats, &k2);

	if (!a || !b)
		return XDP_PASS;
	bpf_spin_lock(&a->lock);
	a->packets++;
	bpf_spin_unlock(&b->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
