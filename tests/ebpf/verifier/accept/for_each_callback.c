/* bpf_for_each_map_elem over a hash and an array: the callback reads the
 * key, updates the value and looks up another map with the key. The count
 * goes to a map, not into a branch: Linux walks the rounds of a counter it
 * must know precisely until its budget runs out. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} limits SEC(".maps");

struct total {
	__u64 over;
};

static long check_flow(void *map, __u32 *key, __u64 *value, struct total *t)
{
	__u64 *limit = bpf_map_lookup_elem(&limits, key);

	if (limit && *value > *limit) {
		t->over++;
		*value = 0;
	}
	return 0;
}

static long count_nonzero(void *map, __u32 *key, __u64 *value, struct total *t)
{
	t->over += *value != 0;
	return 0;
}

SEC("xdp")
int for_each_callback(struct xdp_md *ctx)
{
	struct total t = {};
	__u32 zero = 0;

	bpf_for_each_map_elem(&flows, check_flow, &t, 0);
	bpf_for_each_map_elem(&limits, count_nonzero, &t, 0);
	bpf_map_update_elem(&limits, &zero, &t.over, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
