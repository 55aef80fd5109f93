/*
 * __kconfig externs whose values ukbpf reports as Debian's kernels do
 * (docs/architecture.md), so that the host kernel, through libbpf, returns the
 * same: LINUX_KERNEL_VERSION is compared only with an older version.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern enum libbpf_tristate CONFIG_BPF_JIT __kconfig;
extern _Bool CONFIG_NET __kconfig;
extern char CONFIG_IPV6 __kconfig;
/* Defined by neither ukbpf nor Linux: a weak extern reads 0. */
extern int CONFIG_UKBPF_UNDEFINED __kconfig __weak;
extern char CONFIG_UKBPF_STRING[8] __kconfig __weak;

/* 250 + TRI_YES (1) + true (1) + 'y' (121) = 373, with ukbpf's values. */
SEC("xdp")
int values(struct xdp_md *ctx)
{
	return CONFIG_HZ + CONFIG_BPF_JIT + CONFIG_NET + CONFIG_IPV6 + CONFIG_UKBPF_UNDEFINED +
	       CONFIG_UKBPF_STRING[1];
}

/*
 * The old-kernel branch reads the frame without a bounds check: the
 * verifier accepts the program only if it knows LINUX_KERNEL_VERSION (a
 * frozen map's constant) and so never walks that branch.
 */
SEC("xdp")
int version_gate(struct xdp_md *ctx)
{
	if (LINUX_KERNEL_VERSION < KERNEL_VERSION(5, 0, 0))
		return *(__u32 *)(long)ctx->data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
