/* Reads a stack buffer nothing wrote (privileged Linux allows it).
 * expect: invalid variable-offset read from stack R2 off=-16..-4 size=4
 * linux: accepts (privileged Linux allows reading uninitialized stack) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int stack_uninit(struct xdp_md *ctx)
{
	volatile __u32 buf[4];

	return buf[ctx->rx_queue_index & 3] & 1;
}

char LICENSE[] SEC("license") = "GPL";
