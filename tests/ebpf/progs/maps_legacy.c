/*
 * Legacy map definitions: struct bpf_map_def in section "maps" (libbpf
 * 1.x dropped the struct from its headers, so it is spelled out here).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") legacy_array = {
    .type = BPF_MAP_TYPE_ARRAY,
    .key_size = sizeof(__u32),
    .value_size = sizeof(__u64),
    .max_entries = 8,
};

struct bpf_map_def SEC("maps") legacy_hash = {
    .type = BPF_MAP_TYPE_HASH,
    .key_size = sizeof(__u16),
    .value_size = sizeof(__u32),
    .max_entries = 4,
};

/* array slot 7 set to 40, hash key 2 set to 2: 40 + 2 = 42 */
SEC("xdp")
int legacy(struct xdp_md *ctx)
{
	__u32 slot = 7, hv = 2, *hp;
	__u16 hk = 2;
	__u64 *ap = bpf_map_lookup_elem(&legacy_array, &slot);

	if (!ap)
		return 0;
	*ap = 40;
	bpf_map_update_elem(&legacy_hash, &hk, &hv, BPF_ANY);
	hp = bpf_map_lookup_elem(&legacy_hash, &hk);
	return *ap + (hp ? *hp : 0);
}

char LICENSE[] SEC("license") = "GPL";
