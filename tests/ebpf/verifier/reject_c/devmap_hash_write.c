/* Linux makes every devmap BPF_F_RDONLY_PROG: only user space changes where frames go.
 * expect: write into map forbidden */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} ports SEC(".maps");

SEC("xdp")
int devmap_hash_write(struct xdp_md *ctx)
{
	__u32 key = 1, *ifindex = bpf_map_lookup_elem(&ports, &key);

	if (ifindex)
		*ifindex = 2;
	return bpf_redirect_map(&ports, key, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
