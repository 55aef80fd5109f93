/* One lock at a time: as in Linux, taking a second is a call made while
 * holding the first.
 * expect: function calls are not allowed while holding a lock */
#include "locked_counters.h"

SEC("xdp")
int lock_two(struct xdp_md *ctx)
{
	__u32 k1 = 1, k2 = 2;
	struct counter *a = bpf_map_lookup_elem(&stats, &k1);
	struct counter *b = bpf_map_lookup_elem(&stats, &k2);

	if (!a || !b)
		return XDP_PASS;
	bpf_spin_lock(&a->lock);
	bpf_spin_lock(&b->lock);
	a->packets += b->packets;
	bpf_spin_unlock(&b->lock);
	bpf_spin_unlock(&a->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
