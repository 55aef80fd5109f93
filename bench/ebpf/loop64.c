/*
 * Benchmark row 3: a real loop (bounded, not unrolled) over the first 64
 * bytes of the frame: a rotate-and-xor hash of each byte. r0 is the low
 * 16 bits of the hash rather than an XDP action, so that comparing r0
 * across engines compares the loop's whole result, not one bit of it;
 * frames shorter than 64 bytes get XDP_PASS.
 * Native twin: native/programs.c, native_loop64.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define LOOP_BYTES  64
#define HASH_ROTATE 5
#define HASH_BITS   32
#define RESULT_MASK 0xffff

SEC("xdp")
int loop64(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;
	unsigned char *data_end = (void *)(long)ctx->data_end;
	__u32 hash = 0;
	int i;

	if (data + LOOP_BYTES > data_end)
		return XDP_PASS;
#pragma clang loop unroll(disable)
	for (i = 0; i < LOOP_BYTES; i++)
		hash = ((hash << HASH_ROTATE) | (hash >> (HASH_BITS - HASH_ROTATE))) ^ data[i];
	return hash & RESULT_MASK;
}

char LICENSE[] SEC("license") = "GPL";
