/* Past a field's start a narrow read of state is refused (only the
 * address fields may be read in pieces anywhere).
 * expect: invalid sock access off=73 size=1 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int sock_bad_offset(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;
	int byte;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	byte = *((volatile __u8 *)&sk->state + 1);
	bpf_sk_release(sk);
	return byte ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
