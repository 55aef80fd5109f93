/* Two frames of 320 bytes in one call chain.
 * expect: combined stack size of 2 calls is 640. Too large */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define WORDS 80

static __attribute__((noinline)) int fill(int seed)
{
	__u32 buf[WORDS];

	__builtin_memset(buf, seed, sizeof(buf));
	return bpf_csum_diff(0, 0, buf, sizeof(buf), 0);
}

SEC("xdp")
int deep_stack(struct xdp_md *ctx)
{
	__u32 buf[WORDS];

	__builtin_memset(buf, ctx->rx_queue_index, sizeof(buf));
	return fill(bpf_csum_diff(0, 0, buf, sizeof(buf), 0)) & 1;
}

char LICENSE[] SEC("license") = "GPL";
