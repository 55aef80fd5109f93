/* A loop whose rounds differ in values only the result reads: each path
 * counts its marked bytes exactly, so no two rounds' states are alike.
 * Linux's precision tracking sees that those counts reach nothing but the
 * verdict's low bit and joins the paths (about 2,800 instructions);
 * ukbpf, without it, follows every path into the budget.
 * expect: BPF program is too large
 * linux: accepts (precision tracking joins the rounds) */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define MAX_BYTES 50

SEC("xdp")
int loop_rounds_kept_apart(struct xdp_md *ctx)
{
	unsigned char *bytes = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0, marks = 0;
	int i;

#pragma clang loop unroll(disable)
	for (i = 0; i < MAX_BYTES; i++) {
		if ((void *)(bytes + i + 1) > data_end)
			break;
		if (bytes[i] == 0x55)
			marks++;
		else
			sum += bytes[i];
	}
	return (sum ^ marks) & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
