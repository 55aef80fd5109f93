/* A tail call that succeeds in a subprogram returns the target's r0, a
 * scalar, to the subprogram's caller: here the caller takes it for the
 * map value pointer the subprogram returns otherwise. (Linux refuses the
 * tail call itself: the subprogram does not return int.)
 * expect: invalid mem access 'scalar' */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

static __attribute__((noinline)) __u64 *value_or_tail_call(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *value = bpf_map_lookup_elem(&values, &key);

	if (!value)
		return 0;
	bpf_tail_call(ctx, &progs, 0);
	return value;
}

SEC("xdp")
int tail_call_subprog_result(struct xdp_md *ctx)
{
	__u64 *value = value_or_tail_call(ctx);

	if (!value)
		return XDP_PASS;
	return *value & 3;
}

char LICENSE[] SEC("license") = "GPL";
