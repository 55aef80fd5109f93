/* A cpumap is for bpf_redirect_map only (Linux's check_map_func_compatibility).
 * expect: cannot pass map_type 16 into func bpf_map_lookup_elem#1 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

SEC("xdp")
int cpumap_lookup(struct xdp_md *ctx)
{
	__u32 cpu = 0, *qsize = bpf_map_lookup_elem(&cpus, &cpu);

	return qsize && *qsize ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
