/*
 * OBJ.o[:SECTION]: a program from a clang -target bpf object, loaded by
 * ebpf_object_load_elf with its maps (prog arrays initialized from the
 * object's `.values`). SECTION is a section name ("xdp") or a function
 * name; without it the object's first program runs. Also `ukbpf info
 * OBJ.o`, which lists what the object holds.
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
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < ebpf_object_prog_count(obj) && used < outlen; i++) {
		int n = snprintf(out + used, outlen - used, "%s%s (%s)", i ? ", " : "",
				 ebpf_prog_get_name(ebpf_object_prog(obj, i)),
				 ebpf_object_prog_section(obj, i));

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Reads and loads the object at path; the loader's message goes to err. */
static int load_object_file(const char *path, struct ebpf_object **objp, char *err, size_t errlen)
{
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	void *data;
	size_t size;
	int ret;

	ret = read_whole_file(path, &data, &size, err, errlen);
	if (ret)
		return ret;
	ret = ebpf_object_load_elf(data, size, objp, &log);
	free(data);
	if (ret)
		snprintf(err, errlen, "%s", log_buf[0] ? log_buf : strerror(-ret));
	return ret;
}

static int load_elf(const char *path, const char *section, struct loaded_program *out, char *err,
		    size_t errlen)
{
	struct ebpf_object *obj;
	struct ebpf_prog *prog;
	int ret;

	ret = load_object_file(path, &obj, err, errlen);
	if (ret)
		return ret;
	prog = section ? ebpf_object_find_prog(obj, section) : ebpf_object_prog(obj, 0);
	if (!prog) {
		char names[LOG_BYTES];

		list_programs(obj, names, sizeof(names));
		snprintf(err, errlen, "no program or section '%s' (programs: %s)", section, names);
		ebpf_object_free(obj);
		return -ENOENT;
	}
	out->prog = prog;
	out->owner = obj;
	out->release = release_elf;
	return 0;
}

int elf_object_info(const char *path, FILE *out, char *err, size_t errlen)
{
	struct ebpf_object *obj;
	size_t i, count;
	int ret;

	ret = load_object_file(path, &obj, err, errlen);
	if (ret)
		return ret;
	fprintf(out, "license: %s\nprograms:\n", ebpf_object_license(obj));
	for (i = 0; i < ebpf_object_prog_count(obj); i++) {
		const struct ebpf_prog *prog = ebpf_object_prog(obj, i);

		ebpf_prog_get_insns(prog, &count);
		fprintf(out, "  %zu: %s  section %s  type %s  insns %zu\n", i,
			ebpf_prog_get_name(prog), ebpf_object_prog_section(obj, i),
			ebpf_prog_type_name(ebpf_prog_get_type(prog)), count);
	}
	fprintf(out, "maps:\n");
	for (i = 0; i < ebpf_object_map_count(obj); i++) {
		const struct ebpf_map *map = ebpf_object_map(obj, i);
		const struct ebpf_map_def *def = ebpf_map_get_def(map);

		fprintf(out, "  %zu: %s  type %s  key %u  value %u  max_entries %u  flags 0x%x", i,
			ebpf_map_get_name(map), ebpf_map_type_name(def->type), def->key_size,
			def->value_size, def->max_entries, def->flags);
		if (def->map_extra)
			fprintf(out, "  map_extra %u", def->map_extra);
		fputc('\n', out);
	}
	ebpf_object_free(obj);
	return 0;
}

const struct program_source program_source_elf = {
    .suffix = ".o",
    .usage = "OBJ.o[:SECTION]",
    .help = "clang -target bpf object; SECTION or function name (default: first program)",
    .load = load_elf,
};
