/*
 * The pluggable pieces of the ukbpf tool:
 *
 *   program sources  turn a command-line argument into a loaded program
 *                    (--raw FILE, --cbpf FILE, OBJ.o[:SECTION], ...);
 *   context sources  turn a command-line argument into what the program
 *                    runs on (--mem HEX, --packet FILE, --pcap FILE, ...).
 *
 * To add one, define a const struct in its own tools/ukbpf/source_*.c or
 * context_*.c, declare it below, and add it to the table in main.c.
 * Errors go into err (one line, without the argument: main prints
 * "ukbpf: ARG: ERR"); return a negative errno value.
 */
#ifndef UKBPF_TOOLS_SOURCE_H
#define UKBPF_TOOLS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ebpf.h"

/* A program and whatever owns it (an ELF object owns its programs). */
struct loaded_program {
	struct ebpf_prog *prog;
	void *owner;
	/* The ELF object prog came from, whose maps --dump-maps prints; or NULL. */
	const struct ebpf_object *object;
	/* Frees prog and owner. */
	void (*release)(struct loaded_program *loaded);
};

struct program_source {
	/* The flag that names this source ("--raw"), or NULL for a positional
	 * argument recognised by suffix. */
	const char *flag;
	/* For positional sources: the file suffix (".o"); "FILE:SECTION"
	 * is split at the last ':' and SECTION passed on. */
	const char *suffix;
	const char *usage; /* "--raw FILE" */
	const char *help;  /* one line for --help */
	/*
	 * section is NULL when none was given. object_opts (--set,
	 * --map-max) is NULL unless the source takes it (takes_object_opts).
	 */
	int (*load)(const char *arg, const char *section,
		    const struct ebpf_object_load_opts *object_opts, struct loaded_program *out,
		    char *err, size_t errlen);
	bool takes_object_opts;
};

/* One input a program runs on: r1 = ctx (r2 = ctx_len for UNSPEC). */
struct run_input {
	void *ctx;
	size_t ctx_len;
	void *state; /* the context source's own data */
};

/* A frame after a run: XDP metadata (data_meta to data), then the frame. */
struct frame_out {
	const uint8_t *meta;
	size_t meta_len;
	const uint8_t *data;
	size_t len;
};

struct context_source {
	const char *flag;  /* "--mem" */
	const char *usage; /* "--mem HEX" */
	const char *help;
	/*
	 * Builds the inputs from arg for a program of type prog_type: one
	 * for --mem, one per packet for a capture. The program runs once
	 * per input, in order.
	 */
	int (*load)(const char *arg, enum ebpf_prog_type prog_type, struct run_input **inputs,
		    size_t *count, char *err, size_t errlen);
	void (*free)(struct run_input *inputs, size_t count);
	/* Prints the outcome of one run; NULL prints r0 as "0x...". */
	void (*report)(const struct run_input *input, uint64_t r0, FILE *out);
	/* The frame as the program left it (--pcap-out); NULL: not a frame. */
	void (*frame_out)(const struct run_input *input, struct frame_out *out);
};

/* Program sources (main.c lists them in this order for --help). */
extern const struct program_source program_source_raw;
extern const struct program_source program_source_elf;
extern const struct program_source program_source_cbpf;

/* Context sources. */
extern const struct context_source context_source_mem;
extern const struct context_source context_source_packet;     /* context_xdp.c */
extern const struct context_source context_source_pcap;	      /* context_xdp.c */
extern const struct context_source context_source_pcap_bytes; /* context_xdp.c */
/* What a typed (not unspec) program runs on when no CONTEXT is given. */
extern const struct context_source context_source_empty_frame; /* context_xdp.c */

/* `ukbpf info OBJ.o`: an ELF object's programs and maps (source_elf.c). */
int elf_object_info(const char *path, FILE *out, char *err, size_t errlen);

/*
 * --pcap-out FILE (pcap_out.c): a pcapng file of the frames as the
 * program left them, each with its verdict as the packet's comment.
 */
struct pcap_out;
int pcap_out_open(const char *path, struct pcap_out **outp, char *err, size_t errlen);
int pcap_out_write(struct pcap_out *out, enum ebpf_prog_type type, const struct frame_out *frame,
		   uint64_t r0);
/* Flushes and closes; 0 or -errno (message in err). */
int pcap_out_close(struct pcap_out *out, char *err, size_t errlen);

/*
 * --dump-maps FILE (map_dump.c): one JSON line per run with every map of
 * obj after it, {"input": N, "maps": [...]}; tools/kernel-run writes the
 * same for Linux (its comment has the format).
 */
void map_dump_write(const struct ebpf_object *obj, size_t input, FILE *out);

/* Reads a whole file into malloc'd memory: 0 or -errno (message in err). */
int read_whole_file(const char *path, void **data, size_t *size, char *err, size_t errlen);

#endif /* UKBPF_TOOLS_SOURCE_H */
