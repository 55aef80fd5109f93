/* Each program returns what one of the network and base helpers gave it,
 * so that ukbpf's answers can be compared with the host kernel's for the
 * device BPF_PROG_TEST_RUN gives a frame (the loopback device). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define AF_INET	      2
#define AF_INET6      10
#define NO_SUCH_IF    0xfffff
#define UNKNOWN_FLAG  (1u << 7)
#define FAMILY_NONE   3
#define SHORT_PARAMS  32
#define MUCH_LONGER   70000
#define LINK_LOCAL_HI 0x80fe /* fe80::/10, in network order */
#define NO_SUCH_CPU   100000 /* above any host's nr_cpu_ids, as every CPU but 0 is in ukbpf */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} per_cpu SEC(".maps");

SEC("xdp")
int mtu_of_device(struct xdp_md *ctx)
{
	__u32 mtu_len = 0;

	if (bpf_check_mtu(ctx, 0, &mtu_len, 0, 0))
		return XDP_ABORTED;
	return mtu_len;
}

SEC("xdp")
int mtu_by_ifindex(struct xdp_md *ctx)
{
	__u32 mtu_len = 0;

	return bpf_check_mtu(ctx, ctx->ingress_ifindex, &mtu_len, 0, 0) | mtu_len;
}

SEC("xdp")
int mtu_frag_needed(struct xdp_md *ctx)
{
	__u32 mtu_len = 0;

	return bpf_check_mtu(ctx, 0, &mtu_len, MUCH_LONGER, 0);
}

SEC("xdp")
int mtu_input_len(struct xdp_md *ctx)
{
	__u32 mtu_len = MUCH_LONGER;

	return bpf_check_mtu(ctx, 0, &mtu_len, -MUCH_LONGER + 1000, 0);
}

SEC("xdp")
int mtu_no_such_device(struct xdp_md *ctx)
{
	__u32 mtu_len = 0;

	return bpf_check_mtu(ctx, NO_SUCH_IF, &mtu_len, 0, 0);
}

SEC("xdp")
int mtu_segs_flag(struct xdp_md *ctx)
{
	__u32 mtu_len = 0;

	return bpf_check_mtu(ctx, 0, &mtu_len, 0, BPF_MTU_CHK_SEGS);
}

static long fib(struct xdp_md *ctx, __u8 family, __u32 ifindex, int plen, __u32 flags)
{
	struct bpf_fib_lookup params = {
	    .family = family,
	    .ifindex = ifindex,
	    .ipv4_dst = 0x0102000a,
	};

	if (family == AF_INET6)
		params.ipv6_dst[0] = LINK_LOCAL_HI;
	return bpf_fib_lookup(ctx, &params, plen, flags);
}

SEC("xdp")
int fib_forwarding_off(struct xdp_md *ctx)
{
	return fib(ctx, AF_INET, ctx->ingress_ifindex, sizeof(struct bpf_fib_lookup),
		   BPF_FIB_LOOKUP_DIRECT);
}

SEC("xdp")
int fib_no_such_device(struct xdp_md *ctx)
{
	return fib(ctx, AF_INET, NO_SUCH_IF, sizeof(struct bpf_fib_lookup), 0);
}

SEC("xdp")
int fib_unknown_family(struct xdp_md *ctx)
{
	return fib(ctx, FAMILY_NONE, ctx->ingress_ifindex, sizeof(struct bpf_fib_lookup), 0);
}

SEC("xdp")
int fib_unknown_flag(struct xdp_md *ctx)
{
	return fib(ctx, AF_INET, ctx->ingress_ifindex, sizeof(struct bpf_fib_lookup), UNKNOWN_FLAG);
}

SEC("xdp")
int fib_short_params(struct xdp_md *ctx)
{
	return fib(ctx, AF_INET, ctx->ingress_ifindex, SHORT_PARAMS, 0);
}

SEC("xdp")
int fib_ipv6_link_local(struct xdp_md *ctx)
{
	return fib(ctx, AF_INET6, NO_SUCH_IF, sizeof(struct bpf_fib_lookup), 0);
}

SEC("xdp")
int percpu_no_such_cpu(struct xdp_md *ctx)
{
	__u32 key = 0;

	return !bpf_map_lookup_percpu_elem(&per_cpu, &key, 0) |
	       !!bpf_map_lookup_percpu_elem(&per_cpu, &key, NO_SUCH_CPU) << 1;
}

SEC("xdp")
int vprintk_length(struct xdp_md *ctx)
{
	static const char fmt[] = "net_helpers %d %u %x %lld\n";
	__u64 args[] = {-1, 2, 0xab, -4};

	return bpf_trace_vprintk(fmt, sizeof(fmt), args, sizeof(args));
}

SEC("xdp")
int vprintk_odd_size(struct xdp_md *ctx)
{
	static const char fmt[] = "%d\n";
	__u64 args[] = {1, 2};

	return bpf_trace_vprintk(fmt, sizeof(fmt), args, 12);
}

char LICENSE[] SEC("license") = "GPL";
