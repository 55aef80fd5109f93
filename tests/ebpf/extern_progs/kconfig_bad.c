/* __kconfig externs libbpf refuses whatever their value (ukbpf only). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u16 CONFIG_UKBPF_SHORTS[2] __kconfig __weak;
extern int UKBPF_NOT_A_CONFIG __kconfig __weak;
extern unsigned int LINUX_UKBPF_VIRTUAL __kconfig __weak;

SEC("xdp")
int bad_type(struct xdp_md *ctx)
{
	return CONFIG_UKBPF_SHORTS[1];
}

SEC("xdp")
int bad_name(struct xdp_md *ctx)
{
	return UKBPF_NOT_A_CONFIG;
}

SEC("xdp")
int bad_virtual(struct xdp_md *ctx)
{
	return LINUX_UKBPF_VIRTUAL;
}

char LICENSE[] SEC("license") = "GPL";
