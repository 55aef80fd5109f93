/* bpf_loop whose callback advances a packet pointer kept in its context:
 * the rounds never repeat a state, and end because nr_loops is a known
 * constant (the helper calls the callback at most 64 times). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct cursor {
	__u8 *pos;
	__u8 *end;
	__u32 zeros;
};

static int count_zero(__u32 index, struct cursor *c)
{
	__u8 *pos = c->pos;

	if (pos + 1 > c->end)
		return 1;
	if (*pos == 0)
		c->zeros++;
	c->pos = pos + 1;
	return 0;
}

SEC("xdp")
int loop_packet_cursor(struct xdp_md *ctx)
{
	struct cursor c = {.pos = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end};
	long n = bpf_loop(64, count_zero, &c, 0);

	return n == 64 ? XDP_PASS + (c.zeros & 1) : XDP_DROP + 2 * (c.zeros & 1);
}

char LICENSE[] SEC("license") = "GPL";
