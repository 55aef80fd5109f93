/* A socket read after bpf_sk_release: every copy is invalid then.
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_use_after_release(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int state;

	sk = bpf_sk_lookup_udp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	bpf_sk_release(sk);
	asm volatile("" : "+r"(sk));
	state = sk->state;
	return state == 1 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
