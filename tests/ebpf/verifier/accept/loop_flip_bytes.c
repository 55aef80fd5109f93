/* A bounded loop of 300 rounds (not unrolled) with a branch in its body:
 * each round's two paths rejoin in one state, so each round is pruned
 * once its state is stored; a loop's old rounds must make room for new
 * ones at that instruction (Linux's miss/hit eviction), or rounds beyond
 * the first few dozen explore every path. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 300

SEC("xdp")
int loop_flip_bytes(struct xdp_md *ctx)
{
	unsigned char *bytes = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < MAX_BYTES; i++) {
		if ((void *)(bytes + i + 1) > data_end)
			break;
		if (bytes[i] & 1)
			bytes[i] ^= 0xff;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
