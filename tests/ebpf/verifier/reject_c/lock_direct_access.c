/* The lock word is the helpers' alone.
 * expect: bpf_spin_lock cannot be accessed directly by load/store */
#include "locked_counters.h"

SEC("xdp")
int lock_direct_access(struct xdp_md *ctx)
{
	__u32 key = 0;
	struct counter *c = bpf_map_lookup_elem(&stats, &key);

	if (!c)
		return XDP_PASS;
	return *(volatile __u32 *)&c->lock ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
