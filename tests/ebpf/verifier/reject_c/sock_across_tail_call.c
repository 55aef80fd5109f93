/* A socket held across a tail call, which would never release it.
 * expect: tail_call would lead to reference leak */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} next SEC(".maps");

SEC("xdp")
int sock_across_tail_call(struct xdp_md *ctx)
{
	struct bpf_sock_tuple tuple = {};
	struct bpf_sock *sk;

	sk = bpf_sk_lookup_tcp(ctx, &tuple, sizeof(tuple.ipv4), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return XDP_PASS;
	bpf_tail_call(ctx, &next, 0);
	bpf_sk_release(sk);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
