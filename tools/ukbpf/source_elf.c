/*
 * OBJ.o[:SECTION]: a program from a clang -target bpf object, loaded by
 * ebpf_object_load_elf with its maps (prog arrays initialized from the
 * object's `.values`). SECTION is a function name or a section name
 * ("xdp"); without it the object's first program that loaded runs, not
 * counting SEC("?...") ones, which libbpf loads only when named. A
 * program that did not load is an error naming why. --set and --map-max
 * reach the loader as struct ebpf_object_load_opts. Also `ukbpf info
 * OBJ.o`, which lists what the object holds, loaded or not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define LOG_BYTES 512

static void release_elf(struct loaded_program *loaded)
{
	ebpf_object_free(loaded->owner);
}

/* "name (section), ..." so a wrong SECTION shows the right choices. */
static void list_programs(const struct ebpf_object *obj, char *out, size_t outlen)
{
	struct ebpf_object_prog_info info;
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; ebpf_object_prog_info(obj, i, &info) == 0 && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s%s (%s)", i ? ", " : "", info.name,
				 info.section);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Why the program at index did not load, as one line for err. */
static int program_not_loaded(const struct ebpf_object *obj, size_t index, char *err, size_t errlen)
{
	struct ebpf_object_prog_info info;

	ebpf_object_prog_info(obj, index, &info);
	snprintf(err, errlen, "program '%s' (section %s) did not load: %s", info.name, info.section,
		 info.error_msg);
	return info.error;
}

/* Reads and loads the object at path; the loader's message goes to err. */
static int load_object_file(const char *path, const struct ebpf_object_load_opts *object_opts,
			    struct ebpf_object **objp, char *err, size_t errlen)
{
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	void *data;
	size_t size;
	int ret;

	ret = read_whole_file(path, &data, &size, err, errlen);
	if (ret)
		return ret;
	ret = ebpf_object_load_elf_opts(data, size, object_opts, objp, &log);
	free(data);
	if (ret)
		snprintf(err, errlen, "%s", log_buf[0] ? log_buf : strerror(-ret));
	return ret;
}

/*
 * The object's first program that loaded and that libbpf would load
 * (not SEC("?...")), else index 0 (which says why not).
 */
static size_t default_program(const struct ebpf_object *obj)
{
	struct ebpf_object_prog_info info;
	size_t i;

	for (i = 0; ebpf_object_prog_info(obj, i, &info) == 0; i++)
		if (info.prog && info.autoload)
			return i;
	return 0;
}

static int load_elf(const char *path, const char *section,
		    const struct ebpf_object_load_opts *object_opts, struct loaded_program *out,
		    char *err, size_t errlen)
{
	struct ebpf_object *obj;
	size_t index;
	int ret;

	ret = load_object_file(path, object_opts, &obj, err, errlen);
	if (ret)
		return ret;
	if (!section)
		index = default_program(obj);
	else if (ebpf_object_find_prog_index(obj, section, &index) != 0) {
		char names[LOG_BYTES];

		list_programs(obj, names, sizeof(names));
		snprintf(err, errlen, "no program or section '%s' (programs: %s)", section, names);
		ebpf_object_free(obj);
		return -ENOENT;
	}
	if (!ebpf_object_prog(obj, index)) {
		ret = program_not_loaded(obj, index, err, errlen);
		ebpf_object_free(obj);
		return ret;
	}
	out->prog = ebpf_object_prog(obj, index);
	out->owner = obj;
	out->object = obj;
	out->release = release_elf;
	return 0;
}

/* The section rule that typed a program: "xdp", "kprobe/...", "xdp... (libbpf 0.x)", "none". */
static void print_rule(const struct ebpf_section_type *st, FILE *out)
{
	switch (st->match) {
	case EBPF_SECTION_EXACT:
		fprintf(out, "%s", st->rule);
		break;
	case EBPF_SECTION_EXTRAS:
		fprintf(out, "%s/...", st->rule);
		break;
	case EBPF_SECTION_LEGACY:
		fprintf(out, "%s... (libbpf 0.x)", st->rule);
		break;
	default:
		fprintf(out, "none");
	}
}

int elf_object_info(const char *path, FILE *out, char *err, size_t errlen)
{
	struct ebpf_object_prog_info info;
	struct ebpf_object *obj;
	size_t i, count;
	int ret;

	ret = load_object_file(path, NULL, &obj, err, errlen);
	if (ret)
		return ret;
	fprintf(out, "license: %s\nprograms:\n", ebpf_object_license(obj));
	for (i = 0; ebpf_object_prog_info(obj, i, &info) == 0; i++) {
		const struct ebpf_section_type *st = &info.section_type;

		fprintf(out, "  %zu: %s  section %s  type %s  attach %s  rule ", i, info.name,
			info.section, ebpf_prog_type_name(st->type),
			ebpf_attach_type_name(st->type, st->expected_attach_type));
		print_rule(st, out);
		if (!info.autoload)
			fprintf(out, "  autoload off");
		if (info.prog) {
			ebpf_prog_get_insns(info.prog, &count);
			fprintf(out, "  insns %zu\n", count);
		} else {
			fprintf(out, "  error: %s\n", info.error_msg);
		}
	}
	fprintf(out, "maps:\n");
	for (i = 0; i < ebpf_object_map_count(obj); i++) {
		const struct ebpf_map *map = ebpf_object_map(obj, i);
		const struct ebpf_map_def *def = ebpf_map_get_def(map);
		const struct ebpf_map_def *inner = ebpf_map_get_inner_def(map);

		fprintf(out, "  %zu: %s  type %s  key %u  value %u  max_entries %u  flags 0x%x", i,
			ebpf_map_get_name(map), ebpf_map_type_name(def->type), def->key_size,
			def->value_size, def->max_entries, def->flags);
		if (def->map_extra)
			fprintf(out, "  map_extra %u", def->map_extra);
		fputc('\n', out);
		if (inner)
			fprintf(
			    out,
			    "      inner: type %s  key %u  value %u  max_entries %u  flags 0x%x\n",
			    ebpf_map_type_name(inner->type), inner->key_size, inner->value_size,
			    inner->max_entries, inner->flags);
	}
	for (i = 0; i < ebpf_object_map_error_count(obj); i++)
		fprintf(out, "%s  %s\n", i ? "" : "map errors:\n", ebpf_object_map_error(obj, i));
	ebpf_object_free(obj);
	return 0;
}

const struct program_source program_source_elf = {
    .suffix = ".o",
    .usage = "OBJ.o[:SECTION]",
    .help = "clang -target bpf object; SECTION or function name (default: the first\n"
	    "                         program that loaded, not a SEC(\"?...\") one)",
    .load = load_elf,
    .takes_object_opts = true,
};
