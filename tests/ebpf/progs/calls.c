/*
 * bpf-to-bpf calls: static noinline functions in .text called in a chain,
 * a global .text function, and a call to another program's function in
 * the same section. Each program gets its own copy of what it calls.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) __u64 triple(__u64 x)
{
	return x * 3;
}

static __attribute__((noinline)) __u64 triple_plus_one(__u64 x)
{
	return triple(x) + 1;
}

static __attribute__((noinline)) __u64 chain(__u64 x)
{
	return triple_plus_one(x) + triple(x + 1);
}

__attribute__((noinline)) int add_hundred(int x)
{
	return x + 100;
}

/* chain(5) = (15 + 1) + 18 = 34 */
SEC("xdp")
int call_chain(struct xdp_md *ctx)
{
	return chain(5);
}

/* add_hundred(2) + triple(1) = 102 + 3 = 105 */
SEC("xdp")
int call_global(struct xdp_md *ctx)
{
	return add_hundred(2) + triple(1);
}

/* A global function of this section, called as a subprogram too. */
SEC("prog")
__attribute__((noinline)) int leaf(void *ctx, __u64 n)
{
	return n + 7;
}

/* leaf(ctx, len) + leaf(ctx, 1) with r2 = len (UNSPEC) */
SEC("prog")
int same_section(void *ctx, __u64 len)
{
	return leaf(ctx, len) + leaf(ctx, 1);
}

char LICENSE[] SEC("license") = "GPL";
