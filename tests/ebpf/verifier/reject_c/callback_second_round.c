/* The first call of the callback writes inside the map value; it leaves
 * an index that makes the second call write past it. A verifier that
 * walks the callback once (Linux 6.1) misses this; the index, changed by
 * the round, is widened to an unknown value.
 * expect: math between map_value pointer and register with unbounded min value */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u8[8]);
} bytes SEC(".maps");

struct cursor {
	__u8 *value;
	__u64 index;
};

static int write_next(__u32 i, struct cursor *c)
{
	c->value[c->index] = 1;
	c->index = 100;
	return 0;
}

SEC("xdp")
int callback_second_round(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct cursor c = {.index = 0};

	c.value = bpf_map_lookup_elem(&bytes, &zero);
	if (!c.value)
		return XDP_PASS;
	bpf_loop(2, write_next, &c, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
