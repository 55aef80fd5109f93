/* bpf_for_each_map_elem's key is the map's: read only.
 * expect: write to change key R2 not allowed */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

static long rename(void *map, __u32 *key, __u64 *value, void *ctx)
{
	*key = 7;
	return 0;
}

SEC("xdp")
int callback_key_write(struct xdp_md *ctx)
{
	bpf_for_each_map_elem(&flows, rename, NULL, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
