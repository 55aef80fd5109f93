/* A callback returns 0 (go on) or 1 (stop), nothing else.
 * expect: At callback return the register R0 has value */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static int count(__u32 index, __u64 *n)
{
	*n += index;
	return 2;
}

SEC("xdp")
int callback_return_range(struct xdp_md *ctx)
{
	__u64 n = 0;

	bpf_loop(4, count, &n, 0);
	return n ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
