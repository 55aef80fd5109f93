/*
 * BTF-defined maps of every type the runtime offers, used from programs
 * so that a wrong key/value size or map index shows up in the result.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pair {
	__u32 a;
	__u64 b;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, struct pair);
} hash_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} array_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2);
	__type(key, __u64);
	__type(value, __u32);
} lru_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
} percpu_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} percpu_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} prog_array SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* hash: store {3, 500} under key 9, read back b + a = 503 */
SEC("xdp")
int use_hash(struct xdp_md *ctx)
{
	__u32 key = 9;
	struct pair in = {.a = 3, .b = 500}, *out;

	bpf_map_update_elem(&hash_map, &key, &in, BPF_ANY);
	out = bpf_map_lookup_elem(&hash_map, &key);
	return out ? out->b + out->a : 0;
}

/* array: slot 3 exists and starts zeroed, slot 4 does not: 1000 + 1 */
SEC("xdp")
int use_array(struct xdp_md *ctx)
{
	__u32 last = 3, past = 4;
	__u64 *v = bpf_map_lookup_elem(&array_map, &last);

	if (!v || *v != 0)
		return 0;
	*v = 1000;
	v = bpf_map_lookup_elem(&array_map, &last);
	return (v ? *v : 0) + (bpf_map_lookup_elem(&array_map, &past) ? 0 : 1);
}

/* LRU with 2 entries: after 3 inserts one key was evicted: 2 found */
SEC("xdp")
int use_lru(struct xdp_md *ctx)
{
	__u64 k1 = 1, k2 = 2, k3 = 3;
	__u32 v = 1;
	int found = 0;

	bpf_map_update_elem(&lru_map, &k1, &v, BPF_ANY);
	bpf_map_update_elem(&lru_map, &k2, &v, BPF_ANY);
	bpf_map_update_elem(&lru_map, &k3, &v, BPF_ANY);
	found += bpf_map_lookup_elem(&lru_map, &k1) != 0;
	found += bpf_map_lookup_elem(&lru_map, &k2) != 0;
	found += bpf_map_lookup_elem(&lru_map, &k3) != 0;
	return found;
}

/* per-CPU array and hash: 77 + 33 = 110 */
SEC("xdp")
int use_percpu(struct xdp_md *ctx)
{
	__u32 zero = 0, key = 5, val = 33, *hv;
	__u64 *av = bpf_map_lookup_elem(&percpu_array, &zero);

	if (!av)
		return 0;
	*av += 77;
	bpf_map_update_elem(&percpu_hash, &key, &val, BPF_NOEXIST);
	hv = bpf_map_lookup_elem(&percpu_hash, &key);
	return *av + (hv ? *hv : 0);
}

/* ringbuf: output one record (0 on success) and reserve/submit another */
SEC("xdp")
int use_ringbuf(struct xdp_md *ctx)
{
	__u64 record = 0x1234;
	__u64 *slot;

	if (bpf_ringbuf_output(&events, &record, sizeof(record), 0) != 0)
		return 1;
	slot = bpf_ringbuf_reserve(&events, sizeof(*slot), 0);
	if (!slot)
		return 2;
	*slot = 0x5678;
	bpf_ringbuf_submit(slot, 0);
	return 99;
}

/* An empty prog array slot: the tail call falls through */
SEC("xdp")
int use_prog_array(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &prog_array, 0);
	return 55;
}

char LICENSE[] SEC("license") = "GPL";
