/*
 * What tests/unit/test_ebpf_ctl.c loads through the control protocol: a
 * program that counts frames and looks up rules, one the verifier refuses
 * (a packet read with no bounds check), and two that may not be attached
 * to a device.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} rules SEC(".maps");

/* counters[0]++, then the verdict rules[frame length] says (PASS if none) */
SEC("xdp")
int count_frames(struct xdp_md *ctx)
{
	__u32 zero = 0, len = ctx->data_end - ctx->data;
	__u64 *count = bpf_map_lookup_elem(&counters, &zero);
	__u32 *verdict;

	if (count)
		__sync_fetch_and_add(count, 1);
	verdict = bpf_map_lookup_elem(&rules, &len);
	return verdict ? *verdict : XDP_PASS;
}

/* The first byte of the frame, unchecked against data_end. */
SEC("xdp")
int unchecked_read(struct xdp_md *ctx)
{
	return *(__u8 *)(long)ctx->data;
}

/* For a devmap entry: an XDP program that may not run at a device's hook. */
SEC("xdp/devmap")
int for_devmap(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* A program type ukbpf does not run: the object loads without it. */
SEC("tc")
int for_tc(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
