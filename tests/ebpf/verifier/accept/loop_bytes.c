/* A bounded loop over up to 64 packet bytes (not unrolled): the verifier
 * follows it iteration by iteration until the counter decides the exit. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 64

SEC("xdp")
int loop_bytes(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *bytes = data;
	__u32 sum = 0;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < MAX_BYTES; i++) {
		if ((void *)(bytes + i + 1) > data_end)
			break;
		sum += bytes[i];
	}
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
