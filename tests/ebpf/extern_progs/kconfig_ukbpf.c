/*
 * __kconfig externs checked on ukbpf only: some libbpf refuses whatever
 * their value, one's value is the host's own (LINUX_HAS_BPF_COOKIE).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

extern __u16 CONFIG_UKBPF_SHORTS[2] __kconfig __weak;
extern int UKBPF_NOT_A_CONFIG __kconfig __weak;
extern unsigned int LINUX_UKBPF_VIRTUAL __kconfig __weak;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;

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

/* 5 + 0: ukbpf has no bpf_get_attach_cookie. */
SEC("xdp")
int has_cookie(struct xdp_md *ctx)
{
	return 5 + LINUX_HAS_BPF_COOKIE;
}

char LICENSE[] SEC("license") = "GPL";
