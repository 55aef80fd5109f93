/*
 * kernel-run: the host Linux kernel's side of the compatibility report
 * (scripts/compat.py, docs/compat.md). It loads one program of a
 * clang-built eBPF object into the running kernel through libbpf and runs
 * it on the frames of a pcap file through BPF_PROG_TEST_RUN, printing
 * what `ukbpf run --pcap-bytes` prints, so the two outputs compare line
 * for line:
 *
 *   kernel-run list OBJ.o
 *       one line per program: "NAME SECTION TYPE", TYPE as libbpf names it
 *       from the section ("xdp", "tc", ...; "unspec" for a section libbpf
 *       does not know).
 *   kernel-run run OBJ.o NAME [--pcap FILE]
 *       loads program NAME alone (the object's other programs are not
 *       loaded; its maps are created as libbpf always does) and, with
 *       --pcap, runs it once per frame and prints
 *         "INDEX 0xRETVAL HEX"   HEX: data_out, the frame from data_meta to
 *                                data_end as the program left it
 *         "INDEX error ERRNO"    when the kernel refuses the test run (e.g.
 *                                a frame shorter than an Ethernet header)
 *
 * bpftool cannot do this: `bpftool prog load` loads every program of an
 * object, so one program the kernel refuses hides all the others. A program
 * whose section libbpf does not know but which starts with "xdp" (the
 * pre-libbpf-1.0 names of samples/bpf: "xdp_fwd", "xdp_prog0") is loaded
 * as XDP, as those samples' own loaders set it.
 *
 * libbpf's messages, the kernel verifier's log among them, go to stderr.
 * Exit status: 0 loaded (and ran), 1 not loaded (the reason on stderr),
 * 2 bad usage. Needs root (CAP_BPF and CAP_SYS_ADMIN for test runs).
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define STATUS_REFUSED 1
#define STATUS_USAGE   2
/* Room for whatever bpf_xdp_adjust_head/meta/tail can add to a frame:
 * Linux's test run limits a frame to one page. */
#define DATA_OUT_SIZE 65536
#define XDP_SECTION   "xdp"
/* Inner map templates kernel-run makes for one load (see fix_inner_perf_event_array). */
#define MAX_INNER_FDS 64

/* libpcap's classic file format (pcap-savefile(5)); ukbpf reads the same. */
#define PCAP_MAGIC_USEC		0xa1b2c3d4u
#define PCAP_MAGIC_NSEC		0xa1b23c4du
#define PCAP_FILE_HEADER_SIZE	24
#define PCAP_RECORD_HEADER_SIZE 16
#define PCAP_CAPLEN_OFFSET	8

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int usage(void)
{
	fprintf(stderr, "usage: kernel-run list OBJ.o\n"
			"       kernel-run run OBJ.o NAME [--pcap FILE]\n");
	return STATUS_USAGE;
}

static struct bpf_object *open_object(const char *path)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);

	if (!obj)
		fprintf(stderr, "kernel-run: %s: cannot open: %s\n", path, strerror(errno));
	return obj;
}

static const char *type_name(const struct bpf_program *prog)
{
	const char *name = libbpf_bpf_prog_type_str(bpf_program__type(prog));

	return name ? name : "unspec";
}

static int command_list(const char *path)
{
	struct bpf_object *obj = open_object(path);
	struct bpf_program *prog;

	if (!obj)
		return STATUS_REFUSED;
	bpf_object__for_each_program(prog, obj)
	{
		printf("%s %s %s\n", bpf_program__name(prog), bpf_program__section_name(prog),
		       type_name(prog));
	}
	bpf_object__close(obj);
	return 0;
}

static void print_hex(const uint8_t *bytes, uint32_t size)
{
	uint32_t i;

	for (i = 0; i < size; i++)
		printf("%02x", bytes[i]);
}

static uint32_t pcap_u32(const uint8_t *bytes, bool swapped)
{
	uint32_t value;

	memcpy(&value, bytes, sizeof(value));
	return swapped ? __builtin_bswap32(value) : value;
}

static int run_frame(int prog_fd, size_t index, const uint8_t *frame, uint32_t size)
{
	static uint8_t data_out[DATA_OUT_SIZE];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = size,
		    .data_out = data_out, .data_size_out = sizeof(data_out), .repeat = 1);

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		printf("%zu error %s\n", index, strerrorname_np(errno));
		return 0;
	}
	printf("%zu 0x%x ", index, opts.retval);
	print_hex(data_out, opts.data_size_out);
	printf("\n");
	return 0;
}

/* One BPF_PROG_TEST_RUN per frame of the capture, in order. */
static int run_pcap(int prog_fd, const char *pcap_path)
{
	FILE *file = fopen(pcap_path, "rb");
	uint8_t header[PCAP_FILE_HEADER_SIZE], *frame = NULL;
	uint32_t magic;
	bool swapped;
	size_t index;
	int status = STATUS_USAGE;

	if (!file || fread(header, sizeof(header), 1, file) != 1) {
		fprintf(stderr, "kernel-run: %s: cannot read a pcap header\n", pcap_path);
		goto out;
	}
	magic = pcap_u32(header, false);
	swapped = magic == __builtin_bswap32(PCAP_MAGIC_USEC) ||
		  magic == __builtin_bswap32(PCAP_MAGIC_NSEC);
	magic = pcap_u32(header, swapped);
	if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC) {
		fprintf(stderr, "kernel-run: %s: not a classic pcap file\n", pcap_path);
		goto out;
	}
	for (index = 0;; index++) {
		uint8_t record[PCAP_RECORD_HEADER_SIZE];
		uint32_t caplen;

		if (fread(record, sizeof(record), 1, file) != 1)
			break;
		caplen = pcap_u32(record + PCAP_CAPLEN_OFFSET, swapped);
		free(frame);
		frame = malloc(caplen ? caplen : 1);
		if (!frame || fread(frame, 1, caplen, file) != caplen) {
			fprintf(stderr, "kernel-run: %s: record %zu: truncated\n", pcap_path,
				index);
			goto out;
		}
		run_frame(prog_fd, index, frame, caplen);
	}
	status = feof(file) ? 0 : STATUS_USAGE;
out:
	free(frame);
	if (file)
		fclose(file);
	return status;
}

/*
 * libbpf gives a perf event array declared without max_entries one slot
 * per CPU, but libbpf 1.1 (Debian 12's) forgets to for a map-in-map's
 * inner definition, so the inner template is created with 0 entries and
 * refused (the selftest test_map_in_map's "failed to create inner map:
 * -22"); later libbpf sets it as for any map. Its setter cannot reach an
 * inner definition (it crashes), so this makes the template map itself,
 * sized per CPU, and hands it to libbpf as the inner map fd. Returns the
 * fd to close after the load, or -1.
 */
static int fix_inner_perf_event_array(struct bpf_map *map)
{
	struct bpf_map *inner = bpf_map__inner_map(map);
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	int fd;

	if (!inner || bpf_map__type(inner) != BPF_MAP_TYPE_PERF_EVENT_ARRAY ||
	    bpf_map__max_entries(inner) || libbpf_num_possible_cpus() <= 0)
		return -1;
	opts.map_flags = bpf_map__map_flags(inner);
	fd =
	    bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, NULL, bpf_map__key_size(inner),
			   bpf_map__value_size(inner), (uint32_t)libbpf_num_possible_cpus(), &opts);
	if (fd >= 0 && bpf_map__set_inner_map_fd(map, fd)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int command_run(const char *path, const char *name, const char *pcap_path)
{
	struct bpf_object *obj = open_object(path);
	struct bpf_program *prog, *chosen = NULL;
	int inner_fds[MAX_INNER_FDS], inner_fd_count = 0, status = 0, err;
	struct bpf_map *map;

	if (!obj)
		return STATUS_REFUSED;
	bpf_object__for_each_program(prog, obj)
	{
		bool is_chosen = strcmp(bpf_program__name(prog), name) == 0;

		bpf_program__set_autoload(prog, is_chosen);
		if (is_chosen)
			chosen = prog;
	}
	if (!chosen) {
		fprintf(stderr, "kernel-run: %s: no program named %s\n", path, name);
		bpf_object__close(obj);
		return STATUS_USAGE;
	}
	if (bpf_program__type(chosen) == BPF_PROG_TYPE_UNSPEC &&
	    strncmp(bpf_program__section_name(chosen), XDP_SECTION, strlen(XDP_SECTION)) == 0)
		bpf_program__set_type(chosen, BPF_PROG_TYPE_XDP);
	bpf_object__for_each_map(map, obj)
	{
		if (inner_fd_count < MAX_INNER_FDS &&
		    (inner_fds[inner_fd_count] = fix_inner_perf_event_array(map)) >= 0)
			inner_fd_count++;
	}
	err = bpf_object__load(obj);
	while (inner_fd_count > 0)
		close(inner_fds[--inner_fd_count]);
	if (err) {
		fprintf(stderr, "kernel-run: %s: %s: load failed: %s\n", path, name,
			strerror(errno));
		status = STATUS_REFUSED;
	} else if (pcap_path) {
		status = run_pcap(bpf_program__fd(chosen), pcap_path);
	}
	bpf_object__close(obj);
	return status;
}

int main(int argc, char **argv)
{
	libbpf_set_print(print_libbpf);
	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return command_list(argv[2]);
	if (argc == 4 && strcmp(argv[1], "run") == 0)
		return command_run(argv[2], argv[3], NULL);
	if (argc == 6 && strcmp(argv[1], "run") == 0 && strcmp(argv[4], "--pcap") == 0)
		return command_run(argv[2], argv[3], argv[5]);
	return usage();
}
