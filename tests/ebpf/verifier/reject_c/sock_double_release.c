/* A socket released twice: the first release invalidated every copy.
 * expect: type=scalar expected=sock_common */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_double_release(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk, *copy;

	sk = bpf_skc_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	copy = sk;
	asm volatile("" : "+r"(copy));
	bpf_sk_release(sk);
	bpf_sk_release(copy);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
