/*
 * Programs meant for devmap and cpumap entries, which Linux refuses to
 * attach to a device (dev_xdp_attach: -EINVAL), ahead of one for a device:
 * "bpf" alone must pass over them to "device", and naming one is refused.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp/devmap")
int devmap_entry(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp.frags/cpumap")
int cpumap_frags_entry(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int device(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
