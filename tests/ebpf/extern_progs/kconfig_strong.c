/* A strong __kconfig extern nobody defines: libbpf refuses to load it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern int CONFIG_UKBPF_UNDEFINED __kconfig;

SEC("xdp")
int strong_unknown(struct xdp_md *ctx)
{
	return CONFIG_UKBPF_UNDEFINED ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
