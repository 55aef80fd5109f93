/* bpf_loop with a callback that counts into its context on the caller's
 * stack and reads the packet through pointers kept there: the counter
 * changes every round, so the rounds converge only by widening. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct scan {
	void *data;
	void *data_end;
	__u32 off;
	__u32 matches;
};

static int match_byte(__u32 index, struct scan *s)
{
	__u8 *pos;

	if (s->off > 1500)
		return 1;
	pos = s->data + s->off;
	if ((void *)(pos + 1) > s->data_end)
		return 1;
	s->matches += *pos == 0x45;
	s->off += 1;
	return 0;
}

SEC("xdp")
int loop_callback(struct xdp_md *ctx)
{
	struct scan s = {.data = (void *)(long)ctx->data, .data_end = (void *)(long)ctx->data_end};

	bpf_loop(128, match_byte, &s, 0);
	return s.matches > 3 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
