/* The unlock must name the value that was locked.
 * expect: bpf_spin_unlock of different lock */
#include "locked_counters.h"

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
