/*
 * --cbpf FILE: a classic BPF program as `tcpdump -dd EXPR` prints it, one
 * instruction per line:
 *
 *     { 0x28, 0, 0, 0x0000000c },
 *
 * (code, jt, jf, k; C integer syntax, so hex or decimal; the trailing comma
 * is optional; blank lines are ignored). The program is checked and
 * translated by ebpf_cbpf_translate() and runs as
 * EBPF_PROG_TYPE_SOCKET_FILTER on a struct ebpf_cbpf_ctx.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

#define LOG_BYTES 512
#define CODE_MAX  0xffffu
#define JUMP_MAX  0xffu
#define K_MAX	  0xffffffffu

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void release_cbpf(struct loaded_program *loaded)
{
	ebpf_prog_free(loaded->prog);
}

static const char *skip_spaces(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Expects the character c after optional spaces; returns what follows or NULL. */
static const char *expect_char(const char *p, char c)
{
	p = skip_spaces(p);
	return *p == c ? p + 1 : NULL;
}

/* Parses an unsigned C integer no larger than max; returns what follows or NULL. */
static const char *parse_field(const char *p, unsigned long long max, uint32_t *value)
{
	unsigned long long parsed;
	char *end;

	p = skip_spaces(p);
	/* strtoull would accept a sign. */
	if (!isdigit((unsigned char)*p))
		return NULL;
	errno = 0;
	parsed = strtoull(p, &end, 0);
	if (errno || parsed > max)
		return NULL;
	*value = (uint32_t)parsed;
	return end;
}

/* One "{ code, jt, jf, k }," line (NUL-terminated, without its newline). */
static int parse_insn(const char *line, size_t line_no, struct ebpf_cbpf_insn *insn, char *err,
		      size_t errlen)
{
	static const char *const field_names[] = {"code", "jt", "jf", "k"};
	static const unsigned long long field_max[] = {CODE_MAX, JUMP_MAX, JUMP_MAX, K_MAX};
	uint32_t fields[ARRAY_SIZE(field_names)];
	const char *p = expect_char(line, '{');
	size_t f;

	for (f = 0; p && f < ARRAY_SIZE(field_names); f++) {
		if (f > 0)
			p = expect_char(p, ',');
		if (!p)
			break;
		p = parse_field(p, field_max[f], &fields[f]);
		if (!p) {
			snprintf(err, errlen, "line %zu: %s is not an integer in 0..%#llx", line_no,
				 field_names[f], field_max[f]);
			return -EINVAL;
		}
	}
	if (p)
		p = expect_char(p, '}');
	if (p && *skip_spaces(p) == ',')
		p = skip_spaces(p) + 1;
	if (!p || *skip_spaces(p) != '\0') {
		snprintf(err, errlen, "line %zu: expected '{ code, jt, jf, k },'", line_no);
		return -EINVAL;
	}
	insn->code = (uint16_t)fields[0];
	insn->jt = (uint8_t)fields[1];
	insn->jf = (uint8_t)fields[2];
	insn->k = fields[3];
	return 0;
}

static bool is_blank(const char *line)
{
	return *skip_spaces(line) == '\0';
}

/*
 * Parses the text (NUL-terminated; its newlines are overwritten) into a
 * malloc'd array. Every line yields at most one instruction, so the line
 * count bounds the array.
 */
static int parse_program(char *text, struct ebpf_cbpf_insn **out, size_t *count, char *err,
			 size_t errlen)
{
	struct ebpf_cbpf_insn *insns;
	size_t lines = 1, line_no = 0, n = 0;
	char *line, *next;
	const char *p;

	for (p = text; *p; p++)
		lines += *p == '\n';
	insns = malloc(lines * sizeof(*insns));
	if (!insns) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (line = text; line; line = next) {
		int ret;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line_no++;
		if (is_blank(line))
			continue;
		ret = parse_insn(line, line_no, &insns[n], err, errlen);
		if (ret) {
			free(insns);
			return ret;
		}
		n++;
	}
	*out = insns;
	*count = n;
	return 0;
}

/* Reads FILE as a NUL-terminated string. */
static int read_text(const char *path, char **text, char *err, size_t errlen)
{
	void *data;
	size_t size;
	char *terminated;
	int ret = read_whole_file(path, &data, &size, err, errlen);

	if (ret)
		return ret;
	if (memchr(data, '\0', size)) {
		free(data);
		snprintf(err, errlen, "not a text file (contains a NUL byte)");
		return -EINVAL;
	}
	terminated = realloc(data, size + 1);
	if (!terminated) {
		free(data);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	terminated[size] = '\0';
	*text = terminated;
	return 0;
}

static int load_cbpf(const char *path, const char *section,
		     const struct ebpf_object_load_opts *object_opts, struct loaded_program *out,
		     char *err, size_t errlen)
{
	struct ebpf_prog_opts opts = {.type = EBPF_PROG_TYPE_SOCKET_FILTER};
	char log_buf[LOG_BYTES] = "";
	struct ebpf_log log = {.buf = log_buf, .size = sizeof(log_buf)};
	struct ebpf_cbpf_insn *cbpf;
	struct ebpf_insn *insns;
	size_t cbpf_count, insn_count;
	const char *name;
	char *text;
	int ret;

	ret = read_text(path, &text, err, errlen);
	if (ret)
		return ret;
	ret = parse_program(text, &cbpf, &cbpf_count, err, errlen);
	free(text);
	if (ret)
		return ret;
	ret = ebpf_cbpf_translate(cbpf, cbpf_count, &insns, &insn_count, &log);
	free(cbpf);
	if (ret) {
		snprintf(err, errlen, "%s", log_buf[0] ? log_buf : strerror(-ret));
		return ret;
	}
	name = strrchr(path, '/');
	opts.name = name ? name + 1 : path;
	ret = ebpf_prog_create(insns, insn_count, &opts, &out->prog, &log);
	free(insns);
	if (ret) {
		snprintf(err, errlen, "translated program: %s",
			 log_buf[0] ? log_buf : strerror(-ret));
		return ret;
	}
	out->owner = NULL;
	out->release = release_cbpf;
	return 0;
}

const struct program_source program_source_cbpf = {
    .flag = "--cbpf",
    .usage = "--cbpf FILE",
    .help = "classic BPF as printed by tcpdump -dd (type SOCKET_FILTER)",
    .load = load_cbpf,
};
