/*
 * Benchmark baseline row: a program that does nothing but return
 * XDP_PASS. What it costs is each engine's fixed price per run (entry,
 * exit, the harness's loop), which the other rows pay as well.
 * Native twin: native/programs.c, native_empty.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
