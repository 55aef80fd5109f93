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
 *   kernel-run run OBJ.o NAME [--pcap FILE] [--set NAME=VALUE]...
 *                  [--map-max NAME=N]... [--kconfig NAME=VALUE]...
 *                  [--dump-maps FILE]
 *       loads program NAME alone (the object's other programs are not
 *       loaded; its maps are created as libbpf always does, but fresh even
 *       where the object pins them, so no run sees another's state) and, with
 *       --pcap, runs it once per frame and prints
 *         "INDEX 0xRETVAL HEX"   HEX: data_out, the frame from data_meta to
 *                                data_end as the program left it
 *         "INDEX error ERRNO"    when the kernel refuses the test run (e.g.
 *                                a frame shorter than an Ethernet header)
 *       --set and --map-max are ukbpf's (ukbpf --help): a variable of
 *       .rodata/.data/.bss found by BTF name gets an integer before load
 *       (the skeleton's way, through bpf_map__initial_value), a map gets
 *       bpf_map__set_max_entries; --kconfig lines become libbpf's `kconfig`
 *       open option (CONFIG_* only: libbpf fills LINUX_* itself), a later
 *       one for the same name winning as in ukbpf. --dump-maps writes after
 *       each frame the
 *       JSON line `ukbpf run --dump-maps` writes (tools/ukbpf/map_dump.c
 *       has the format), from the kernel's maps: a global-data map under
 *       its section's name (".rodata", not libbpf's "obj.rodata"), a
 *       percpu map's value as CPU 0's (the process runs on CPU 0, so the
 *       test runs do too, dump or not), ring buffer and perf event records
 *       consumed.
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
#define _GNU_SOURCE /* strerrorname_np, sched_setaffinity */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define STATUS_REFUSED 1
#define STATUS_USAGE   2
/* Room for whatever bpf_xdp_adjust_head/meta/tail can add to a frame:
 * Linux's test run limits a frame to one page. */
#define DATA_OUT_SIZE 65536
#define XDP_SECTION   "xdp"
/* perf_buffer__new's ring size per CPU, in pages. */
#define PERF_BUFFER_PAGES 8
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
			"       kernel-run run OBJ.o NAME [--pcap FILE] [--set NAME=VALUE]...\n"
			"                      [--map-max NAME=N]... [--kconfig NAME=VALUE]...\n"
			"                      [--dump-maps FILE]\n");
	return STATUS_USAGE;
}

/* What `run` does besides loading NAME. */
struct run_options {
	const char *pcap_path;
	const char *dump_path;
	char **sets; /* "NAME=VALUE" */
	size_t set_count;
	char **map_maxes; /* "NAME=N" */
	size_t map_max_count;
	char *kconfig; /* libbpf's kconfig option: "NAME=VALUE" lines, or NULL */
};

/* kconfig: NULL, or the lines of libbpf's kconfig open option. */
static struct bpf_object *open_object(const char *path, const char *kconfig)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .kconfig = kconfig);
	struct bpf_object *obj = bpf_object__open_file(path, &open_opts);

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
	struct bpf_object *obj = open_object(path, NULL);
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

/* After each frame: the maps, when --dump-maps asked for them. */
struct map_dumper {
	FILE *out;
	struct dumped_map *maps;
	size_t count;
};

static void dump_maps(FILE *out, size_t input, struct dumped_map *maps, size_t count);

/* One BPF_PROG_TEST_RUN per frame of the capture, in order. */
static int run_pcap(int prog_fd, const char *pcap_path, struct map_dumper *dumper)
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
		if (dumper->out)
			dump_maps(dumper->out, index, dumper->maps, dumper->count);
	}
	status = feof(file) ? 0 : STATUS_USAGE;
out:
	free(frame);
	if (file)
		fclose(file);
	return status;
}

/* ---- --set and --map-max ------------------------------------------------- */

/* "NAME=NUMBER": NAME cut at '=' (in place), the number as 64 bits. */
static bool split_number(char *arg, char **name, uint64_t *value)
{
	char *equals = strchr(arg, '='), *end;

	if (!equals || equals == arg || !equals[1])
		return false;
	*equals = '\0';
	*name = arg;
	errno = 0;
	*value = equals[1] == '-' ? (uint64_t)strtoll(equals + 1, &end, 0)
				  : strtoull(equals + 1, &end, 0);
	return !errno && !*end;
}

/* libbpf names global-data maps "OBJ.rodata"; the section's name is from the '.'. */
static const char *map_section_name(const struct bpf_map *map)
{
	const char *name = bpf_map__name(map), *dot = strchr(name, '.');

	return bpf_map__is_internal(map) && dot ? dot : name;
}

static struct bpf_map *data_map(struct bpf_object *obj, const char *section)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		if (bpf_map__is_internal(map) && strcmp(map_section_name(map), section) == 0)
			return map;
	}
	return NULL;
}

static bool value_fits(const struct btf *btf, uint32_t type_id, uint32_t size, uint64_t value)
{
	const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, type_id));
	bool is_signed = false;

	if (t && btf_is_int(t)) {
		if (btf_int_encoding(t) & BTF_INT_BOOL)
			return value <= 1;
		is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	} else if (t && (btf_is_enum(t) || btf_is_enum64(t))) {
		is_signed = btf_kflag(t);
	} else {
		return false;
	}
	if (size >= sizeof(value))
		return size == sizeof(value);
	if (!is_signed)
		return value < (UINT64_C(1) << (size * 8));
	return (int64_t)value >= -(INT64_C(1) << (size * 8 - 1)) &&
	       (int64_t)value < (INT64_C(1) << (size * 8 - 1));
}

/* Writes value into the variable name of a global-data map, before load. */
static int set_global(struct bpf_object *obj, const char *name, uint64_t value)
{
	const struct btf *btf = bpf_object__btf(obj);
	uint32_t id, count = btf ? btf__type_cnt(btf) : 0;

	for (id = 1; id < count; id++) {
		const struct btf_type *sec = btf__type_by_id(btf, id);
		const struct btf_var_secinfo *vsi;
		int i;

		if (!btf_is_datasec(sec))
			continue;
		for (i = 0, vsi = btf_var_secinfos(sec); i < btf_vlen(sec); i++, vsi++) {
			const struct btf_type *var = btf__type_by_id(btf, vsi->type);
			struct bpf_map *map;
			const uint8_t *initial;
			uint8_t *data;
			size_t size;
			int err;

			if (!btf_is_var(var) ||
			    strcmp(btf__name_by_offset(btf, var->name_off), name))
				continue;
			map = data_map(obj, btf__name_by_offset(btf, sec->name_off));
			initial = map ? bpf_map__initial_value(map, &size) : NULL;
			if (!initial || vsi->offset + vsi->size > size) {
				fprintf(stderr, "kernel-run: variable '%s' is not in a data map\n",
					name);
				return -EINVAL;
			}
			if (!value_fits(btf, var->type, vsi->size, value)) {
				fprintf(stderr, "kernel-run: variable '%s': value does not fit\n",
					name);
				return -ERANGE;
			}
			/* The skeleton's way: the section's bytes with the variable changed. */
			data = malloc(size);
			if (!data)
				return -ENOMEM;
			memcpy(data, initial, size);
			memcpy(data + vsi->offset, &value, vsi->size); /* little-endian */
			err = bpf_map__set_initial_value(map, data, size);
			free(data);
			return err;
		}
	}
	fprintf(stderr, "kernel-run: no variable '%s' in the object's BTF\n", name);
	return -ENOENT;
}

static int apply_settings(struct bpf_object *obj, const struct run_options *opts)
{
	size_t i;
	char *name;
	uint64_t value;

	for (i = 0; i < opts->map_max_count; i++) {
		struct bpf_map *map;

		if (!split_number(opts->map_maxes[i], &name, &value) || !value ||
		    value > UINT32_MAX) {
			fprintf(stderr, "kernel-run: --map-max: bad NAME=N\n");
			return -EINVAL;
		}
		map = bpf_object__find_map_by_name(obj, name);
		if (!map || bpf_map__set_max_entries(map, (uint32_t)value)) {
			fprintf(stderr, "kernel-run: --map-max: no map '%s'\n", name);
			return -ENOENT;
		}
	}
	for (i = 0; i < opts->set_count; i++) {
		int err;

		if (!split_number(opts->sets[i], &name, &value)) {
			fprintf(stderr, "kernel-run: --set: bad NAME=VALUE\n");
			return -EINVAL;
		}
		err = set_global(obj, name, value);
		if (err)
			return err;
	}
	return 0;
}

/* ---- --dump-maps ------------------------------------------------------------ */

enum dump_kind { DUMP_NONE, DUMP_ENTRIES, DUMP_ARRAY, DUMP_RECORDS };

/* Mirrors tools/ukbpf/map_dump.c's dump_kind(): the two must agree on what is dumped. */
static enum dump_kind dump_kind(enum bpf_map_type type)
{
	switch (type) {
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return DUMP_ENTRIES;
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_DEVMAP:
		return DUMP_ARRAY;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return DUMP_RECORDS;
	default:
		return DUMP_NONE;
	}
}

static bool is_percpu(enum bpf_map_type type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* The records a map's consumer has gathered since the last dump: "\"HEX\", ...". */
struct record_buffer {
	char *text;
	size_t len, cap;
};

/* One per map of the object, in libbpf's order. */
struct dumped_map {
	struct bpf_map *map;
	struct ring_buffer *ring;
	struct perf_buffer *perf;
	struct record_buffer records;
};

static void put_hex(FILE *out, const void *bytes, size_t len)
{
	const uint8_t *b = bytes;
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++)
		fprintf(out, "%02x", b[i]);
	fputc('"', out);
}

static void put_string(FILE *out, const char *text)
{
	fputc('"', out);
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < ' ')
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void add_record(struct record_buffer *records, const void *data, size_t len)
{
	const uint8_t *bytes = data;
	size_t need = records->len + 2 * len + sizeof(", \"\"");
	size_t i;

	if (need > records->cap) {
		char *text = realloc(records->text, 2 * need);

		if (!text)
			return;
		records->text = text;
		records->cap = 2 * need;
	}
	records->len += sprintf(records->text + records->len, "%s\"", records->len ? ", " : "");
	for (i = 0; i < len; i++)
		records->len += sprintf(records->text + records->len, "%02x", bytes[i]);
	records->len += sprintf(records->text + records->len, "\"");
}

static int ring_record(void *ctx, void *data, size_t len)
{
	add_record(ctx, data, len);
	return 0;
}

static void perf_record(void *ctx, int cpu, void *data, uint32_t len)
{
	(void)cpu;
	add_record(ctx, data, len);
}

static int open_consumers(struct bpf_object *obj, struct dumped_map **mapsp, size_t *countp)
{
	struct dumped_map *maps;
	struct bpf_map *map;
	size_t count = 0;

	bpf_object__for_each_map(map, obj) count++;
	/* Allocated once: the consumers keep pointers to their record buffers. */
	maps = calloc(count ? count : 1, sizeof(*maps));
	if (!maps)
		return -ENOMEM;
	count = 0;
	bpf_object__for_each_map(map, obj)
	{
		struct dumped_map *d = &maps[count++];

		d->map = map;
		if (bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
			d->ring =
			    ring_buffer__new(bpf_map__fd(map), ring_record, &d->records, NULL);
		else if (bpf_map__type(map) == BPF_MAP_TYPE_PERF_EVENT_ARRAY)
			d->perf = perf_buffer__new(bpf_map__fd(map), PERF_BUFFER_PAGES, perf_record,
						   NULL, &d->records, NULL);
	}
	*mapsp = maps;
	*countp = count;
	return 0;
}

static void close_consumers(struct dumped_map *maps, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		ring_buffer__free(maps[i].ring);
		perf_buffer__free(maps[i].perf);
		free(maps[i].records.text);
	}
	free(maps);
}

static bool all_zero(const uint8_t *bytes, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (bytes[i])
			return false;
	return true;
}

/* The layout of a map's values as the syscalls copy them out. */
struct value_layout {
	uint32_t key_size, value_size;
	size_t stride; /* a percpu value is one per possible CPU, each 8-aligned */
	int cpus;
};

static void put_entry(FILE *out, const struct value_layout *layout, const uint8_t *key,
		      const uint8_t *value, bool skip_zero, bool *first)
{
	/* A percpu value's CPU 0 part comes first. */
	if (skip_zero && all_zero(value, layout->value_size))
		return;
	fprintf(out, "%s{\"key\": ", *first ? "" : ", ");
	put_hex(out, key, layout->key_size);
	fprintf(out, ", \"value\": ");
	put_hex(out, value, layout->value_size);
	fputc('}', out);
	*first = false;
}

/*
 * Every entry by BPF_MAP_LOOKUP_BATCH: a few syscalls where the walk in
 * put_entries takes two an entry (xdp-tools' 65,536-entry percpu port arrays,
 * dumped after every frame, made that walk most of a compat run). -errno when
 * the map type has no batch operations (devmaps, LPM tries) and nothing was
 * written.
 */
static int put_entries_batched(FILE *out, const struct bpf_map *map,
			       const struct value_layout *layout, bool skip_zero, bool *first)
{
	uint32_t max = bpf_map__max_entries(map), count, i;
	/* The batch token: a key for arrays, a bucket index (u32) for hashes. */
	size_t token_size =
	    layout->key_size > sizeof(uint32_t) ? layout->key_size : sizeof(uint32_t);
	uint8_t *keys = calloc(max ? max : 1, layout->key_size);
	uint8_t *values = calloc(max ? max : 1, layout->stride * layout->cpus);
	uint8_t *in = calloc(1, token_size), *next = calloc(1, token_size);
	bool started = false, done = false;
	int err = -ENOMEM;

	while (keys && values && in && next && !done) {
		count = max;
		err = bpf_map_lookup_batch(bpf_map__fd(map), started ? in : NULL, next, keys,
					   values, &count, NULL);
		if (err == -ENOENT) { /* the last batch, maybe not empty */
			err = 0;
			done = true;
		} else if (err) {
			if (started)
				fprintf(stderr, "kernel-run: %s: lookup batch: %s\n",
					bpf_map__name(map), strerror(-err));
			break; /* before anything was written, the caller walks the map */
		}
		for (i = 0; i < count; i++)
			put_entry(out, layout, keys + (size_t)i * layout->key_size,
				  values + (size_t)i * layout->stride * layout->cpus, skip_zero,
				  first);
		memcpy(in, next, token_size);
		started = true;
	}
	free(keys);
	free(values);
	free(in);
	free(next);
	return started ? 0 : err;
}

static void put_entries(FILE *out, const struct bpf_map *map, bool skip_zero)
{
	bool percpu = is_percpu(bpf_map__type(map));
	int cpus = percpu ? libbpf_num_possible_cpus() : 1;
	struct value_layout layout = {
	    .key_size = bpf_map__key_size(map),
	    .value_size = bpf_map__value_size(map),
	    .stride = percpu ? (bpf_map__value_size(map) + 7) / 8 * 8 : bpf_map__value_size(map),
	    .cpus = cpus > 0 ? cpus : 1,
	};
	uint8_t *key = calloc(1, layout.key_size + 1), *next = calloc(1, layout.key_size + 1);
	uint8_t *value = calloc(layout.cpus, layout.stride + 8);
	bool first = true, have_key = false;
	int fd = bpf_map__fd(map);

	fprintf(out, "\"entries\": [");
	if (put_entries_batched(out, map, &layout, skip_zero, &first) != 0) {
		while (key && next && value &&
		       bpf_map_get_next_key(fd, have_key ? key : NULL, next) == 0) {
			memcpy(key, next, layout.key_size);
			have_key = true;
			if (bpf_map_lookup_elem(fd, key, value) == 0)
				put_entry(out, &layout, key, value, skip_zero, &first);
		}
	}
	fputc(']', out);
	free(key);
	free(next);
	free(value);
}

static void dump_maps(FILE *out, size_t input, struct dumped_map *maps, size_t count)
{
	size_t i;

	fprintf(out, "{\"input\": %zu, \"maps\": [", input);
	for (i = 0; i < count; i++) {
		struct dumped_map *d = &maps[i];
		enum bpf_map_type type = bpf_map__type(d->map);
		const char *type_name = libbpf_bpf_map_type_str(type);

		fprintf(out, "%s{\"name\": ", i ? ", " : "");
		put_string(out, map_section_name(d->map));
		fprintf(out, ", \"type\": ");
		put_string(out, type_name ? type_name : "?");
		fprintf(out, ", ");
		switch (dump_kind(type)) {
		case DUMP_ENTRIES:
		case DUMP_ARRAY:
			put_entries(out, d->map, dump_kind(type) == DUMP_ARRAY);
			break;
		case DUMP_RECORDS:
			if (d->ring)
				ring_buffer__consume(d->ring);
			if (d->perf)
				perf_buffer__consume(d->perf);
			fprintf(out, "\"records\": [%.*s]", (int)d->records.len,
				d->records.text ? d->records.text : "");
			d->records.len = 0;
			break;
		default:
			fprintf(out, "\"entries\": null");
		}
		fputc('}', out);
	}
	fprintf(out, "]}\n");
}

/*
 * A map declared with pinning (xdp-tools' maps are pinned by name) would
 * be reused from /sys/fs/bpf with whatever earlier runs left in it, and
 * shared with runs going on at the same time: every run gets fresh maps,
 * as ukbpf's do, and pins nothing.
 */
static void unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) bpf_map__set_pin_path(map, NULL);
}

/* Runs the loaded program on the capture, dumping maps after each frame when asked. */
static int run_loaded(struct bpf_object *obj, const struct bpf_program *prog,
		      const struct run_options *opts)
{
	struct map_dumper dumper = {NULL, NULL, 0};
	cpu_set_t cpu0;
	int status;

	if (!opts->pcap_path)
		return 0;
	/*
	 * Test runs happen on the CPU we run on: CPU 0, ukbpf's one CPU, so that
	 * bpf_get_smp_processor_id (the samples' per-CPU map keys) and percpu
	 * values and perf records are the same on both sides, dump or not.
	 */
	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	if (sched_setaffinity(0, sizeof(cpu0), &cpu0)) {
		fprintf(stderr, "kernel-run: cannot run on CPU 0: %s\n", strerror(errno));
		return STATUS_USAGE;
	}
	if (opts->dump_path) {
		if (open_consumers(obj, &dumper.maps, &dumper.count)) {
			fprintf(stderr, "kernel-run: cannot set up the map dump: %s\n",
				strerror(errno));
			return STATUS_USAGE;
		}
		dumper.out = fopen(opts->dump_path, "w");
		if (!dumper.out) {
			fprintf(stderr, "kernel-run: %s: %s\n", opts->dump_path, strerror(errno));
			close_consumers(dumper.maps, dumper.count);
			return STATUS_USAGE;
		}
	}
	status = run_pcap(bpf_program__fd(prog), opts->pcap_path, &dumper);
	if (dumper.out && fclose(dumper.out))
		status = STATUS_USAGE;
	close_consumers(dumper.maps, dumper.count);
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

/*
 * bpf_object__load with the inner perf event array templates made first
 * (fix_inner_perf_event_array); 0 or -errno.
 */
static int load_object(struct bpf_object *obj)
{
	int inner_fds[MAX_INNER_FDS], inner_fd_count = 0, err;
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
	{
		if (inner_fd_count < MAX_INNER_FDS &&
		    (inner_fds[inner_fd_count] = fix_inner_perf_event_array(map)) >= 0)
			inner_fd_count++;
	}
	err = bpf_object__load(obj) ? -errno : 0;
	while (inner_fd_count > 0)
		close(inner_fds[--inner_fd_count]);
	return err;
}

static int command_run(const char *path, const char *name, const struct run_options *opts)
{
	struct bpf_object *obj = open_object(path, opts->kconfig);
	struct bpf_program *prog, *chosen = NULL;
	int status = 0, err;

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
	unpin_maps(obj);
	if (apply_settings(obj, opts)) {
		status = STATUS_USAGE;
	} else if ((err = load_object(obj)) != 0) {
		fprintf(stderr, "kernel-run: %s: %s: load failed: %s\n", path, name,
			strerror(-err));
		status = STATUS_REFUSED;
	} else {
		status = run_loaded(obj, chosen, opts);
	}
	bpf_object__close(obj);
	return status;
}

/* Appends arg to a list of "NAME=VALUE" options. */
static bool add_option(char ***list, size_t *count, char *arg)
{
	char **bigger = realloc(*list, (*count + 1) * sizeof(**list));

	if (!bigger)
		return false;
	*list = bigger;
	bigger[(*count)++] = arg;
	return true;
}

/*
 * Puts the line arg first in *kconfig: libbpf takes the first line of a
 * name, and on our command lines the later one wins.
 */
static bool add_kconfig_line(char **kconfig, const char *arg)
{
	size_t old = *kconfig ? strlen(*kconfig) : 0, len = strlen(arg);
	char *lines = malloc(len + 1 + old + 1);

	if (!lines)
		return false;
	memcpy(lines, arg, len);
	lines[len] = '\n';
	memcpy(lines + len + 1, *kconfig ? *kconfig : "", old + 1);
	free(*kconfig);
	*kconfig = lines;
	return true;
}

static int parse_run(int argc, char **argv)
{
	struct run_options opts = {0};
	int i, status;

	for (i = 4; i < argc; i++) {
		const char *flag = argv[i];
		bool ok = i + 1 < argc;

		if (ok && strcmp(flag, "--pcap") == 0)
			opts.pcap_path = argv[++i];
		else if (ok && strcmp(flag, "--dump-maps") == 0)
			opts.dump_path = argv[++i];
		else if (ok && strcmp(flag, "--set") == 0)
			ok = add_option(&opts.sets, &opts.set_count, argv[++i]);
		else if (ok && strcmp(flag, "--map-max") == 0)
			ok = add_option(&opts.map_maxes, &opts.map_max_count, argv[++i]);
		else if (ok && strcmp(flag, "--kconfig") == 0)
			ok = add_kconfig_line(&opts.kconfig, argv[++i]);
		else
			ok = false;
		if (!ok) {
			free(opts.sets);
			free(opts.map_maxes);
			free(opts.kconfig);
			return usage();
		}
	}
	status = command_run(argv[2], argv[3], &opts);
	free(opts.sets);
	free(opts.map_maxes);
	free(opts.kconfig);
	return status;
}

int main(int argc, char **argv)
{
	libbpf_set_print(print_libbpf);
	if (argc == 3 && strcmp(argv[1], "list") == 0)
		return command_list(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "run") == 0)
		return parse_run(argc, argv);
	return usage();
}
