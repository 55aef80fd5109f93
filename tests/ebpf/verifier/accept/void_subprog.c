/* A void subprogram: clang returns from it without setting r0, which
 * Linux allows; the caller never reads r0 after the call. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) void store_ifindex(struct xdp_md *ctx, __u32 *out)
{
	*out = ctx->ingress_ifindex;
}

SEC("xdp")
int void_subprog(struct xdp_md *ctx)
{
	__u32 ifindex = 0;

	store_ifindex(ctx, &ifindex);
	return ifindex & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
