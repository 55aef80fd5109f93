/* Returning the packet pointer leaks an address.
 * expect: R0 leaks addr as return value
 * linux: accepts (privileged Linux allows pointer leaks (allow_ptr_leaks)) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int return_pointer(struct xdp_md *ctx)
{
	return ctx->data;
}

char LICENSE[] SEC("license") = "GPL";
