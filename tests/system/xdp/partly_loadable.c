/*
 * An object only part of which ukbpf can load: a kprobe program (a type
 * ukbpf does not run) before an XDP program that loads. The loader keeps
 * the kprobe's reason; "bpf" alone attaches pass, "bpf=probe" is refused
 * with that reason (test_xdp.py).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_unlinkat")
int probe(void *ctx)
{
	return 0;
}

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
