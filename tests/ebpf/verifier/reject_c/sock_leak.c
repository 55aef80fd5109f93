/* A socket looked up and not released on one path.
 * expect: Unreleased reference */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_leak(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	if (sk->state == BPF_TCP_LISTEN)
		return XDP_DROP;
	bpf_sk_release(sk);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
