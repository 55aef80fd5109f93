/*
 * Several programs in one object: one per section, two functions in one
 * section, and section names that select the program type.
 * test_elf.py runs each by section or function name.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp/drop")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/* Two programs in one section: each is found by its function name. */
SEC("xdp/pair")
int pair_first(struct xdp_md *ctx)
{
	return 11;
}

SEC("xdp/pair")
int pair_second(struct xdp_md *ctx)
{
	return 22;
}

SEC("socket")
int sock_keep(void *skb)
{
	return 0x40;
}

/* An unknown prefix loads as UNSPEC: r1 = memory, r2 = its length. */
SEC("prog")
int mem_len(void *mem, __u64 len)
{
	return len;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
