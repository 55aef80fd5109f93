/*
 * The map types real XDP programs use beyond maps_btf.c's - LPM trie,
 * devmap_hash, LRU per-CPU hash, queue, stack, bloom filter and perf
 * event array - used
 * through their helpers, each program's result encoding what every call
 * returned, so that one wrong answer shows in r0.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define E2BIG  7
#define ENOENT 2
#define EINVAL 22
#define EFAULT 14

struct ipv4_lpm_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 8);
	__type(key, struct ipv4_lpm_key);
	__type(value, __u32);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} cidrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 3);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 3);
	__type(value, __u64);
} lifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 16);
	__type(value, __u32);
	__uint(map_extra, 3);
	__uint(map_flags, BPF_F_ZERO_SEED);
} seen SEC(".maps");

/* max_entries left out: libbpf (and ukbpf's loader) give one slot per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

static __u32 lpm_value(__u8 a, __u8 b, __u8 c, __u8 d)
{
	struct ipv4_lpm_key key = {32, {a, b, c, d}};
	__u32 *value = bpf_map_lookup_elem(&cidrs, &key);

	return value ? *value : 0;
}

/* 10/8 -> 1 and 10.1/16 -> 2: 10.1.2.3 is 2, 10.9.9.9 is 1, 11.0.0.1 none;
 * without 10.1/16, 10.1.2.3 is 1: 2 * 100 + 1 * 10 + 0 + 1 * 1000 = 1210. */
SEC("xdp")
int use_lpm_trie(struct xdp_md *ctx)
{
	struct ipv4_lpm_key wide = {8, {10, 0, 0, 0}}, narrow = {16, {10, 1, 0, 0}};
	__u32 one = 1, two = 2, r;

	bpf_map_update_elem(&cidrs, &wide, &one, BPF_ANY);
	bpf_map_update_elem(&cidrs, &narrow, &two, BPF_NOEXIST);
	r = lpm_value(10, 1, 2, 3) * 100 + lpm_value(10, 9, 9, 9) * 10 + lpm_value(11, 0, 0, 1);
	bpf_map_delete_elem(&cidrs, &narrow);
	return r + lpm_value(10, 1, 2, 3) * 1000;
}

/* Programs only read devmaps: an empty one misses, and redirect_map falls back to PASS. */
SEC("xdp")
int use_devmap_hash(struct xdp_md *ctx)
{
	__u32 key = 0x0a000001;

	if (bpf_map_lookup_elem(&ports, &key))
		return 0;
	return 10 + bpf_redirect_map(&ports, key, XDP_PASS);
}

static __u64 recent_value(__u32 key)
{
	__u64 *value = bpf_map_lookup_elem(&recent, &key);

	return value ? *value : 0;
}

static void recent_put(__u32 key)
{
	__u64 value = key;

	bpf_map_update_elem(&recent, &key, &value, BPF_ANY);
}

/* Two entries, three keys: key 1, least recently used, went: 0 + 2 + 3 = 5 */
SEC("xdp")
int use_lru_percpu_hash(struct xdp_md *ctx)
{
	recent_put(1);
	recent_put(2);
	recent_put(3);
	return recent_value(1) + recent_value(2) + recent_value(3);
}

static int fifo_push(__u32 value, __u64 flags)
{
	return bpf_map_push_elem(&fifo, &value, flags);
}

static __u32 fifo_take(int remove)
{
	__u32 value = 99;

	if (remove)
		bpf_map_pop_elem(&fifo, &value);
	else
		bpf_map_peek_elem(&fifo, &value);
	return value;
}

/* push 1 2 3, a fourth is -E2BIG, with BPF_EXIST it overwrites 1; then
 * pop 2, peek 3, pop 3, pop 4, and an empty pop is -ENOENT with 0 out. */
SEC("xdp")
int use_queue(struct xdp_md *ctx)
{
	__u32 out = 99, r;

	fifo_push(1, BPF_ANY);
	fifo_push(2, BPF_ANY);
	fifo_push(3, BPF_ANY);
	if (fifo_push(4, BPF_ANY) != -E2BIG)
		return 1;
	if (fifo_push(4, BPF_EXIST))
		return 2;
	r = fifo_take(1) * 1000;
	r += fifo_take(0) * 100;
	r += fifo_take(1) * 10;
	r += fifo_take(1);
	if (bpf_map_pop_elem(&fifo, &out) != -ENOENT || out != 0)
		return 3;
	return r; /* 2334 */
}

static __u64 lifo_take(int remove)
{
	__u64 value = 99;

	if (remove)
		bpf_map_pop_elem(&lifo, &value);
	else
		bpf_map_peek_elem(&lifo, &value);
	return value;
}

/* push 1 2 3, BPF_EXIST pushes 4 over the oldest (1): peek 4, pops 4 3 2 */
SEC("xdp")
int use_stack(struct xdp_md *ctx)
{
	__u64 one = 1, two = 2, three = 3, four = 4, r;

	bpf_map_push_elem(&lifo, &one, BPF_ANY);
	bpf_map_push_elem(&lifo, &two, BPF_ANY);
	bpf_map_push_elem(&lifo, &three, BPF_ANY);
	bpf_map_push_elem(&lifo, &four, BPF_EXIST);
	r = lifo_take(0) * 1000;
	r += lifo_take(1) * 100;
	r += lifo_take(1) * 10;
	return r + lifo_take(1); /* 4432 */
}

/* 5 and 7 added: both may be present (0), 6 certainly not (-ENOENT): 111 */
SEC("xdp")
int use_bloom_filter(struct xdp_md *ctx)
{
	__u32 five = 5, six = 6, seven = 7;
	int r = 0;

	bpf_map_push_elem(&seen, &five, BPF_ANY);
	bpf_map_push_elem(&seen, &seven, BPF_ANY);
	r += bpf_map_peek_elem(&seen, &five) == 0;
	r += (bpf_map_peek_elem(&seen, &seven) == 0) * 10;
	r += (bpf_map_peek_elem(&seen, &six) == -ENOENT) * 100;
	return r;
}

/*
 * bpf_perf_event_output's errors, the same in Linux: an unknown flag
 * (-EINVAL), more frame than the frame has (-EFAULT), a slot past the
 * array (-E2BIG): 111. The slot of the current CPU holds no perf event in
 * Linux here (-ENOENT) and delivers to the map's consumer in ukbpf (0).
 */
SEC("xdp")
int use_perf_event_array(struct xdp_md *ctx)
{
	__u64 stamp = 42, frame = (__u64)(ctx->data_end - ctx->data) << 32;
	int r = 0, ok;

	r += bpf_perf_event_output(ctx, &events, 1ull << 60, &stamp, sizeof(stamp)) == -EINVAL;
	r += (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | frame + (1ull << 32), &stamp,
				    sizeof(stamp)) == -EFAULT) *
	     10;
	r += (bpf_perf_event_output(ctx, &events, 1000, &stamp, sizeof(stamp)) == -E2BIG) * 100;
	ok = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU | frame, &stamp, sizeof(stamp));
	return r + (ok == 0 || ok == -ENOENT) * 1000;
}

char LICENSE[] SEC("license") = "GPL";
