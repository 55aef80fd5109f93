/* r0 after a tail call that fell through is not a value: a failed tail
 * call leaves it as it was, so it must be written again.
 * expect: R0 !read_ok */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} progs SEC(".maps");

SEC("xdp")
int tail_call_r0(struct xdp_md *ctx)
{
	long r0;

	bpf_tail_call(ctx, &progs, 0);
	asm volatile("%0 = r0" : "=r"(r0));
	return r0 & 3;
}

char LICENSE[] SEC("license") = "GPL";
