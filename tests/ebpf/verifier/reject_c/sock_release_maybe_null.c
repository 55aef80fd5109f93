/* bpf_sk_release of a result that may be NULL.
 * expect: type=sock_or_null expected=sock_common */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_release_maybe_null(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	bpf_sk_release(sk);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
