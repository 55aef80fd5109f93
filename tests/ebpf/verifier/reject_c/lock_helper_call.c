/* No helper but bpf_spin_unlock while the lock is held.
 * expect: function calls are not allowed while holding a lock */
#include "locked_counters.h"

SEC("xdp")
int lock_helper_call(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&stats, &key);

	if (!c)
		return XDP_PASS;
	bpf_spin_lock(&c->lock);
	c->packets = bpf_ktime_get_ns();
	bpf_spin_unlock(&c->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
