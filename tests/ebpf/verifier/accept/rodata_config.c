/* A libbpf-style config variable: const volatile in .rodata, which the
 * loader freezes. Linux's verifier reads frozen .rodata as constants, so
 * the unchecked packet read below, behind debug == 0, is dead code and
 * the program is accepted; with the variable set to 1 before load
 * (ukbpf --set debug=1) the same read is refused. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 debug = 0;

SEC("xdp")
int rodata_config(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	if (debug)
		return data[64];
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
