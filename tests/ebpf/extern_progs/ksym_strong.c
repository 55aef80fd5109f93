/* Kernel symbols ukbpf does not offer: a kfunc and a kernel variable. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int bpf_ukbpf_no_such_kfunc(struct xdp_md *ctx) __ksym;
extern int bpf_ukbpf_weak_kfunc(struct xdp_md *ctx) __ksym __weak;
extern const int bpf_ukbpf_no_such_var __ksym;

SEC("xdp")
int calls_kfunc(struct xdp_md *ctx)
{
	return bpf_ukbpf_no_such_kfunc(ctx);
}

/* libbpf would load this with the call poisoned, as dead code; ukbpf refuses it. */
SEC("xdp")
int calls_weak_kfunc(struct xdp_md *ctx)
{
	if (bpf_ukbpf_weak_kfunc) /* bpf_ksym_exists() in later libbpf */
		return bpf_ukbpf_weak_kfunc(ctx);
	return XDP_PASS;
}

SEC("xdp")
int reads_ksym(struct xdp_md *ctx)
{
	return bpf_ukbpf_no_such_var;
}

char LICENSE[] SEC("license") = "GPL";
