/* bpf_for_each_map_elem walks arrays and hashes, not an LPM trie.
 * expect: callback function not allowed for map */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct prefix {
	__u32 len;
	__u32 addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct prefix);
	__type(value, __u32);
} routes SEC(".maps");

static long visit(void *map, struct prefix *key, __u32 *value, void *ctx)
{
	return 0;
}

SEC("xdp")
int callback_map_type(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&routes, visit, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
