/*
 * The programs of tests/ebpf/test_tool.py's run-output tests (not in progs/,
 * whose programs must all verify as they are: "sized" needs --map-max): what
 * `ukbpf run --pcap-out/--dump-maps`, `--set` and `--map-max` and
 * SEC("?xdp") act on.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define ETH_HLEN  14
#define ETH_ALEN  6
#define DROP_SIZE 20 /* frames shorter than this are dropped */

/* Config a loader sets before load (ukbpf --set). */
const volatile __u32 drop_all = 0;
const volatile __u8 read_past_end = 0;
const volatile __s8 small_signed = 0;
const volatile _Bool flag = 0;
const volatile __u32 config_array[2] = {0, 0};
__u32 data_counter = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} frames_by_length SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 4);
} verdicts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

/* Sized by its loader at run time (ukbpf --map-max), as samples/bpf's redirect maps. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 0);
} sized_at_load SEC(".maps");

/* First in the object, but libbpf does not load it unless asked to by name. */
SEC("?xdp")
int optional(struct xdp_md *ctx)
{
	return XDP_ABORTED;
}

/*
 * Swaps the MAC addresses and sends the frame back (XDP_TX); drops frames
 * shorter than DROP_SIZE; counts frames per length and verdicts; one
 * ring buffer record per frame: its length.
 */
SEC("xdp")
int rewrite(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u32 len = end - data, verdict = XDP_TX;
	__u64 one = 1, *count;
	__u32 *seen;
	int i;

	if (data + DROP_SIZE > end) {
		verdict = XDP_DROP;
	} else {
		for (i = 0; i < ETH_ALEN; i++) {
			unsigned char byte = data[i];

			data[i] = data[ETH_ALEN + i];
			data[ETH_ALEN + i] = byte;
		}
	}
	count = bpf_map_lookup_elem(&frames_by_length, &len);
	if (count)
		*count += 1;
	else
		bpf_map_update_elem(&frames_by_length, &len, &one, BPF_ANY);
	seen = bpf_map_lookup_elem(&verdicts, &verdict);
	if (seen)
		*seen += 1;
	bpf_ringbuf_output(&events, &len, sizeof(len), 0);
	data_counter++;
	return verdict;
}

/* --set drop_all=1 flips the verdict. */
SEC("xdp")
int configured(struct xdp_md *ctx)
{
	if (drop_all)
		return XDP_DROP;
	return XDP_PASS + small_signed + flag + config_array[1];
}

/*
 * Verifiable only while read_past_end is 0: the verifier reads frozen
 * .rodata as a constant and never walks the unchecked packet read.
 */
SEC("xdp")
int pruned(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	if (read_past_end)
		return data[100];
	return XDP_PASS;
}

/* Writes slot 3 of sized_at_load: 0 when it has 4 slots or more, -E2BIG otherwise. */
SEC("xdp")
int sized(struct xdp_md *ctx)
{
	__u32 key = 3, value = 7;

	return bpf_map_update_elem(&sized_at_load, &key, &value, BPF_ANY);
}
