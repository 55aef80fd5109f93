/* skc_lookup gives a sock_common, whose type .. priority are hidden.
 * expect: invalid sock_common access off=16 size=4 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_common_hidden_field(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int mark;

	sk = bpf_skc_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	mark = sk->mark;
	bpf_sk_release(sk);
	return mark ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
