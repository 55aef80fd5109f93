/* bpf-to-bpf calls: a packet pointer and a stack buffer passed to
 * noinline functions, results returned in r0. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

static __attribute__((noinline)) int ethertype_is(struct ethhdr *eth, void *data_end, __u16 type)
{
	if ((void *)(eth + 1) > data_end)
		return 0;
	return eth->h_proto == __builtin_bswap16(type);
}

static __attribute__((noinline)) __u32 sum_words(__u32 *words, int n)
{
	__u32 sum = 0;
	int i;

	for (i = 0; i < 4; i++)
		sum += words[i];
	return sum + n;
}

SEC("xdp")
int local_calls(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 words[4] = {1, 2, 3, ctx->ingress_ifindex};

	if (ethertype_is(data, data_end, ETH_P_ARP))
		return XDP_PASS;
	return sum_words(words, 4) > 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
