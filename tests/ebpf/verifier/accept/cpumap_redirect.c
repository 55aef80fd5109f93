/* Spreading frames over CPUs by a hash of the IPv4 addresses, as
 * xdp-tools' xdp-redirect-cpu does: a cpumap only takes
 * bpf_redirect_map, with the fallback verdict in its flags. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define CPUS 4

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, CPUS);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
} cpus SEC(".maps");

SEC("xdp")
int cpumap_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	return bpf_redirect_map(&cpus, (ip->saddr ^ ip->daddr) % CPUS, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
