/*
 * Tail calls through a prog array initialized declaratively (libbpf's
 * `.values`): slot 1 holds tail_target, slot 0 stays empty.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int tail_target(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} jmp_table SEC(".maps") = {
    .values = {[1] = (void *)&tail_target},
};

SEC("xdp")
int tail_entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 1);
	return 1; /* not reached when slot 1 is set */
}

SEC("xdp")
int tail_empty(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jmp_table, 0);
	return 2; /* the empty slot falls through */
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
	return 7;
}

char LICENSE[] SEC("license") = "GPL";
