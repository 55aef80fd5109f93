/* Programs may only look an outer map up: slots are filled by user space
 * (Linux's check_map_func_compatibility).
 * expect: cannot pass map_type 12 into func bpf_map_update_elem#2 */
#include "inner_map_table.h"

SEC("xdp")
int outer_map_update(struct xdp_md *ctx)
{
	__u32 key = 0, value = 0;

	bpf_map_update_elem(&outer, &key, &value, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
