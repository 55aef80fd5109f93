/*
 * Global data: .rodata (const volatile), .rodata.str1.1 (a string
 * literal), .data (an
 * initialized counter, statics addressed through the section symbol
 * plus an offset) and .bss (zero-initialized).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 answer = 42;
__u64 counter = 5;
__u64 zeroed;
static volatile __u64 second_static = 1000;
static volatile __u64 third_static = 20000;
static volatile char greeting[] = "ukbpf";

/* answer + ++counter = 42 + 6 = 48 */
SEC("xdp")
int read_rodata_bump_data(struct xdp_md *ctx)
{
	counter++;
	return answer + counter;
}

/* .bss starts at zero: zeroed += 3 leaves 3 */
SEC("xdp")
int bss(struct xdp_md *ctx)
{
	zeroed += 3;
	return zeroed;
}

/* Statics in .data: both at non-zero offsets of the section. */
SEC("xdp")
int statics(struct xdp_md *ctx)
{
	return second_static + third_static;
}

/* greeting[len % 5] with len = r2 (UNSPEC): 'u','k','b','p','f' */
SEC("prog")
int string_byte(void *mem, __u64 len)
{
	return greeting[len % 5];
}

/* A string literal: clang puts it in .rodata.str1.1. */
SEC("prog")
int literal_byte(void *mem, __u64 len)
{
	const char *text = "literal";

	return text[len % 7];
}

char LICENSE[] SEC("license") = "GPL";
