/* XDP programs cannot write their context.
 * expect: invalid bpf_context access off=12 size=4 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int ctx_write(struct xdp_md *ctx)
{
	ctx->ingress_ifindex = 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
