/*
 * Test driver for the ELF loader, built by test_elf.py (once against
 * build/host/libebpf.a, once from the ebpf/ sources with AddressSanitizer):
 * loads each FILE and prints what the object holds, or the load error.
 *
 *   FILE: license 'GPL'
 *   FILE: prog NAME section SECTION type N attach N insns N
 *   FILE: prog NAME section SECTION type N attach N failed: MESSAGE
 *   FILE: map NAME type N key N value N max N
 *   FILE: map-error MESSAGE
 *   FILE: error: MESSAGE
 *
 * It also checks what a caller cannot see from the tool: the input buffer
 * is left unchanged, a failed load leaves *objp NULL, and a program that
 * did not load has a negative error and a one-line reason. Exit status: 0
 * when every file and program loaded, 1 when some were rejected, 3 when
 * the loader broke one of those promises.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf.h"

#define LOG_BYTES	    1024
#define EXIT_REJECTED	    1
#define EXIT_BROKEN_PROMISE 3

static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *file = fopen(path, "rb");
	unsigned char *data = NULL;
	long len;

	if (!file)
		return NULL;
	if (fseek(file, 0, SEEK_END) == 0 && (len = ftell(file)) >= 0 &&
	    fseek(file, 0, SEEK_SET) == 0) {
		/* One spare byte: malloc(0) may return NULL for an empty file. */
		data = malloc((size_t)len + 1);
		if (data && fread(data, 1, (size_t)len, file) != (size_t)len) {
			free(data);
			data = NULL;
		}
		*size = (size_t)len;
	}
	fclose(file);
	return data;
}

/* Prints the object; returns 0, EXIT_REJECTED (a program failed) or EXIT_BROKEN_PROMISE. */
static int print_object(const char *path, const struct ebpf_object *obj)
{
	struct ebpf_object_prog_info info;
	size_t i, count;
	int status = 0;

	printf("%s: license '%s'\n", path, ebpf_object_license(obj));
	for (i = 0; ebpf_object_prog_info(obj, i, &info) == 0; i++) {
		printf("%s: prog %s section %s type %d attach %d ", path, info.name, info.section,
		       (int)info.section_type.type, (int)info.section_type.expected_attach_type);
		if (info.prog) {
			ebpf_prog_get_insns(info.prog, &count);
			printf("insns %zu\n", count);
			if (info.error || info.error_msg[0])
				status = EXIT_BROKEN_PROMISE;
			continue;
		}
		printf("failed: %s\n", info.error_msg);
		if (info.error >= 0 || !info.error_msg[0] || strchr(info.error_msg, '\n'))
			status = EXIT_BROKEN_PROMISE;
		else if (status == 0)
			status = EXIT_REJECTED;
	}
	for (i = 0; i < ebpf_object_map_count(obj); i++) {
		const struct ebpf_map *map = ebpf_object_map(obj, i);
		const struct ebpf_map_def *def = ebpf_map_get_def(map);

		printf("%s: map %s type %u key %u value %u max %u\n", path, ebpf_map_get_name(map),
		       def->type, def->key_size, def->value_size, def->max_entries);
	}
	for (i = 0; i < ebpf_object_map_error_count(obj); i++)
		printf("%s: map-error %s\n", path, ebpf_object_map_error(obj, i));
	return status;
}

/* Returns 0 (loaded), EXIT_REJECTED or EXIT_BROKEN_PROMISE. */
static int probe_file(const char *path)
{
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_object *obj = (struct ebpf_object *)&log; /* must become NULL on error */
	unsigned char *data, *copy;
	size_t size = 0;
	int ret, status;

	data = read_file(path, &size);
	copy = data ? malloc(size + 1) : NULL;
	if (!data || !copy) {
		printf("%s: error: cannot read\n", path);
		free(data);
		return EXIT_REJECTED;
	}
	memcpy(copy, data, size);
	ret = ebpf_object_load_elf(data, size, &obj, &log);
	if (memcmp(copy, data, size) != 0) {
		printf("%s: error: the loader modified its input\n", path);
		status = EXIT_BROKEN_PROMISE;
	} else if (ret == 0) {
		status = print_object(path, obj);
	} else if (obj != NULL || ret > 0 || log_buf[0] == '\0' || strchr(log_buf, '\n')) {
		printf("%s: error: failed load (%d) left obj %p or no one-line message: '%s'\n",
		       path, ret, (void *)obj, log_buf);
		status = EXIT_BROKEN_PROMISE;
	} else {
		printf("%s: error: %s\n", path, log_buf);
		status = EXIT_REJECTED;
	}
	ebpf_object_free(ret == 0 ? obj : NULL);
	free(copy);
	free(data);
	return status;
}

int main(int argc, char **argv)
{
	int i, status = 0;

	for (i = 1; i < argc; i++) {
		int file_status = probe_file(argv[i]);

		if (file_status > status)
			status = file_status;
	}
	return status;
}
