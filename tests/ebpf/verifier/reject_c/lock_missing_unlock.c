/* A path that exits with the lock held.
 * expect: bpf_spin_unlock is missing */
#include "locked_counters.h"

SEC("xdp")
int lock_missing_unlock(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&stats, &key);

	if (!c)
		return XDP_PASS;
	bpf_spin_lock(&c->lock);
	c->packets++;
	if (c->packets > 10)
		return XDP_DROP;
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
