/*
 * A __weak __ksym variable the kernel lacks: libbpf makes its address 0,
 * so the guarded read is dead code the verifier never walks.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern const int bpf_ukbpf_no_such_symbol __ksym __weak;

SEC("xdp")
int weak_ksym(struct xdp_md *ctx)
{
	if (!&bpf_ukbpf_no_such_symbol)
		return XDP_TX;
	return bpf_ukbpf_no_such_symbol;
}

char LICENSE[] SEC("license") = "GPL";
