/*
 * Times a native program of programs.c on one frame the way `ukbpf run
 * --repeat N` times a BPF program, so the two figures compare directly:
 * one untimed run whose r0 is printed as 0x..., then REPEAT runs split
 * into TIMING_BATCHES batches and the median per-run average printed as
 * "X ns/run (median of B batches of K runs)".
 *
 * usage: native_bench PROGRAM FRAME REPEAT [CBPF]
 *   PROGRAM  empty, drop_ipv4, parse_udp, loop64, hash_counter or cbpf
 *   FRAME    a file holding one raw Ethernet frame
 *   CBPF     for cbpf: the classic program as printed by tcpdump -dd
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timing.h"
#include "programs.h"

#define TIMING_BATCHES 21
/* Where the frame starts in its buffer: ukbpf gives XDP frames this headroom too. */
#define FRAME_HEADROOM 256
#define BUFFER_ALIGN   4096
#define MAX_FRAME      65536
#define MAX_CBPF_INSNS 4096

/*
 * Called through a volatile pointer, the program can be neither inlined
 * nor hoisted out of the timing loop: every run is a real indirect call
 * on memory the compiler knows nothing about. ukbpf pays an indirect call
 * per run as well (into the JIT code or the interpreter), so this is fair.
 */
static native_program_fn volatile program;

static void print_timing(const struct native_packet *pkt, unsigned long long repeat)
{
	double batch_ns[TIMING_BATCHES];
	unsigned int batches = repeat < TIMING_BATCHES ? (unsigned int)repeat : TIMING_BATCHES;
	unsigned long long per_batch = repeat / batches;
	unsigned int b;

	for (b = 0; b < batches; b++) {
		double start = now_ns();
		unsigned long long k;

		for (k = 0; k < per_batch; k++)
			program(pkt);
		batch_ns[b] = (now_ns() - start) / (double)per_batch;
	}
	qsort(batch_ns, batches, sizeof(batch_ns[0]), compare_doubles);
	printf("%.1f ns/run (median of %u batches of %llu runs)\n", batch_ns[batches / 2], batches,
	       per_batch);
}

/* Reads the frame to FRAME_HEADROOM bytes into a page-aligned buffer. */
static uint8_t *read_frame(const char *path, size_t *len)
{
	uint8_t *buf = aligned_alloc(BUFFER_ALIGN, FRAME_HEADROOM + MAX_FRAME);
	FILE *f = fopen(path, "rb");

	if (!buf || !f) {
		fprintf(stderr, "native_bench: %s: %s\n", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	*len = fread(buf + FRAME_HEADROOM, 1, MAX_FRAME, f);
	fclose(f);
	if (*len == 0) {
		fprintf(stderr, "native_bench: %s: empty frame\n", path);
		exit(EXIT_FAILURE);
	}
	return buf + FRAME_HEADROOM;
}

/* Parses tcpdump -dd text: one "{ code, jt, jf, k }," per line. */
static struct bpf_insn *read_cbpf(const char *path)
{
	static struct bpf_insn insns[MAX_CBPF_INSNS];
	FILE *f = fopen(path, "r");
	char line[256];
	size_t count = 0;

	if (!f) {
		fprintf(stderr, "native_bench: %s: %s\n", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int code, jt, jf, k;

		if (sscanf(line, " { %i , %i , %i , %i }", &code, &jt, &jf, &k) != 4)
			continue;
		if (count == MAX_CBPF_INSNS) {
			fprintf(stderr, "native_bench: %s: more than %d instructions\n", path,
				MAX_CBPF_INSNS);
			exit(EXIT_FAILURE);
		}
		insns[count++] = (struct bpf_insn){(unsigned short)code, (unsigned char)jt,
						   (unsigned char)jf, k};
	}
	fclose(f);
	if (count == 0 || !bpf_validate(insns, (int)count)) {
		fprintf(stderr, "native_bench: %s: not a valid classic program\n", path);
		exit(EXIT_FAILURE);
	}
	return insns;
}

int main(int argc, char **argv)
{
	struct native_packet pkt = {0};
	unsigned long long repeat;
	size_t len;
	char *end;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: native_bench PROGRAM FRAME REPEAT [CBPF]\n");
		return 2;
	}
	program = native_program_find(argv[1]);
	if (!program) {
		fprintf(stderr, "native_bench: no program '%s'\n", argv[1]);
		return 2;
	}
	repeat = strtoull(argv[3], &end, 10);
	if (*end || repeat == 0) {
		fprintf(stderr, "native_bench: REPEAT '%s' is not a positive count\n", argv[3]);
		return 2;
	}
	pkt.data = read_frame(argv[2], &len);
	pkt.data_end = pkt.data + len;
	pkt.wirelen = (uint32_t)len;
	if (strcmp(argv[1], "cbpf") == 0) {
		if (argc != 5) {
			fprintf(stderr, "native_bench: cbpf needs the tcpdump -dd file\n");
			return 2;
		}
		pkt.cbpf = read_cbpf(argv[4]);
	}
	printf("0x%llx\n", (unsigned long long)program(&pkt));
	print_timing(&pkt, repeat);
	return 0;
}
