/*
 * Native C twins of the benchmark's BPF programs (bench/ebpf/, one per .c): the
 * same logic, the same verdicts, compiled by gcc -O2 for the host.
 */
#ifndef UKBPF_BENCH_NATIVE_PROGRAMS_H
#define UKBPF_BENCH_NATIVE_PROGRAMS_H

#include <stdint.h>

#include <pcap/pcap.h>

/*
 * What a native program sees: the frame as [data, data_end) like an XDP
 * program's xdp_md, and wirelen plus the classic program for the libpcap
 * row, which runs bpf_filter() rather than code of ours.
 */
struct native_packet {
	const uint8_t *data;
	const uint8_t *data_end;
	uint32_t wirelen;
	const struct bpf_insn *cbpf;
};

typedef uint64_t (*native_program_fn)(const struct native_packet *pkt);

/* The program called name (the BPF object's function name, or "cbpf"); NULL if none. */
native_program_fn native_program_find(const char *name);

#endif /* UKBPF_BENCH_NATIVE_PROGRAMS_H */
