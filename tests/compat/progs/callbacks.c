/*
 * Callbacks (bpf_loop, bpf_for_each_map_elem) and spin locks, each
 * program leaving what it computed in the frame's first bytes (compared
 * with Linux's BPF_PROG_TEST_RUN by tests/compat/test_callbacks.py).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

/* Sums the indices; stops (returns 1) at stop_at. */
static int add_index(__u32 index, struct loop_ctx *c)
{
	c->sum += index;
	return index + 1 >= c->stop_at;
}

/* out: the sum, bpf_loop's count, then -EINVAL (flags) and -E2BIG (too many). */
SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct loop_ctx c = {.sum = 0, .stop_at = 1000};
	__u32 *out = data;
	long n;

	if ((void *)(out + 4) > data_end)
		return XDP_ABORTED;
	c.stop_at = out[1] & 0xff;
	n = bpf_loop(data_end - data, add_index, &c, 0);
	out[0] = c.sum;
	out[1] = n;
	out[2] = bpf_loop(1, add_index, &c, 1);
	out[3] = bpf_loop((1 << 23) + 1, add_index, &c, 0);
	return XDP_TX;
}

struct walk_ctx {
	__u64 sum;
	__u64 visits;
	__u32 stop_key;
};

static long add_value(void *map, __u32 *key, __u64 *value, struct walk_ctx *w)
{
	*value += *key + 1;
	w->sum += *value;
	w->visits++;
	return *key == w->stop_key;
}

/* out: elements visited (stopping at the frame's first byte & 15), sums, -EINVAL (flags). */
SEC("xdp")
int walk_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct walk_ctx w = {};
	__u32 *out = data;

	if ((void *)(out + 4) > data_end)
		return XDP_ABORTED;
	w.stop_key = out[0] & 0xf;
	out[0] = bpf_for_each_map_elem(&counters, add_value, &w, 0);
	out[1] = w.sum;
	out[2] = w.visits;
	out[3] = bpf_for_each_map_elem(&counters, add_value, &w, 2);
	return XDP_TX;
}

static long add_flow(void *map, __u32 *key, __u64 *value, struct walk_ctx *w)
{
	w->sum += *value * *key;
	w->visits++;
	return 0;
}

/* Adds a flow from the frame's bytes, then sums over all flows (any order). */
SEC("xdp")
int walk_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct walk_ctx w = {};
	__u32 *out = data, key;
	__u64 value;

	if ((void *)(out + 4) > data_end)
		return XDP_ABORTED;
	key = out[0] & 0xf;
	value = out[1] & 0xff;
	bpf_map_update_elem(&flows, &key, &value, BPF_ANY);
	out[0] = bpf_for_each_map_elem(&flows, add_flow, &w, 0);
	out[1] = w.sum;
	out[2] = w.visits;
	return XDP_TX;
}

/* A parser in a callback, through packet pointers kept in its context. */
struct parse_ctx {
	void *data;
	void *data_end;
	__u32 off;
	__u32 zeros;
};

static int count_zero(__u32 index, struct parse_ctx *p)
{
	__u8 *pos;

	if (p->off > 1500)
		return 1;
	pos = p->data + p->off;
	if ((void *)(pos + 1) > p->data_end)
		return 1;
	if (*pos == 0)
		p->zeros++;
	p->off++;
	return 0;
}

SEC("xdp")
int loop_parse(struct xdp_md *ctx)
{
	struct parse_ctx p = {.data = (void *)(long)ctx->data,
			      .data_end = (void *)(long)ctx->data_end};
	long n = bpf_loop(64, count_zero, &p, 0);

	return n == 64 ? XDP_PASS + (p.zeros & 1) : XDP_DROP + 2 * (p.zeros & 1);
}

/* bpf_loop inside a bpf_loop callback, and one without a context. */
static int inner(__u32 index, void *unused)
{
	return 0;
}

static int outer(__u32 index, __u64 *total)
{
	*total += bpf_loop(index, inner, NULL, 0);
	return 0;
}

SEC("xdp")
int loop_nested(struct xdp_md *ctx)
{
	__u64 total = 0;

	bpf_loop(ctx->data_end - ctx->data, outer, &total, 0);
	return total % 5;
}

struct counter {
	__u64 packets;
	struct bpf_spin_lock lock;
	__u32 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, struct counter);
} locked SEC(".maps");

/*
 * Counts under the value's lock; a frame whose second word is 5 first
 * rewrites the value from the stack under its lock (BPF_F_LOCK; the
 * update leaves the lock word alone).
 */
SEC("xdp")
int lock_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct counter *c, fresh = {.packets = 100, .bytes = 7};
	__u32 *out = data, key;

	if ((void *)(out + 3) > data_end)
		return XDP_ABORTED;
	key = out[0] & 3;
	/* a held lock in the new value: the update must not copy it */
	fresh.lock.val = 1;
	if (out[1] == 5)
		bpf_map_update_elem(&locked, &key, &fresh, BPF_F_LOCK);
	c = bpf_map_lookup_elem(&locked, &key);
	if (!c)
		return XDP_PASS;
	bpf_spin_lock(&c->lock);
	c->packets++;
	c->bytes += data_end - data;
	out[0] = c->packets;
	out[1] = c->bytes;
	bpf_spin_unlock(&c->lock);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
