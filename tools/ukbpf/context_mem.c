/*
 * --mem HEX: the conformance-suite convention; r1 points to a copy of the
 * bytes and r2 holds their length. Whitespace between bytes is allowed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "source.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_hex(const char *text, uint8_t *out, size_t *len, char *err, size_t errlen)
{
	size_t pos, digits = 0;
	int high = 0;

	for (pos = 0; text[pos]; pos++) {
		int value;

		if (isspace((unsigned char)text[pos])) {
			if (digits % 2) {
				snprintf(err, errlen, "lone hex digit before position %zu", pos);
				return -EINVAL;
			}
			continue;
		}
		value = hex_value(text[pos]);
		if (value < 0) {
			snprintf(err, errlen, "invalid hex digit '%c' at position %zu", text[pos],
				 pos);
			return -EINVAL;
		}
		if (digits++ % 2 == 0)
			high = value;
		else
			out[digits / 2 - 1] = (uint8_t)(high << 4 | value);
	}
	if (digits % 2) {
		snprintf(err, errlen, "odd number of hex digits");
		return -EINVAL;
	}
	*len = digits / 2;
	return 0;
}

static int load_mem(const char *arg, enum ebpf_prog_type prog_type, struct run_input **inputs,
		    size_t *count, char *err, size_t errlen)
{
	struct run_input *input;
	uint8_t *bytes;
	int ret;

	input = calloc(1, sizeof(*input));
	/* At most one byte per two characters; never zero-sized. */
	bytes = malloc(strlen(arg) / 2 + 1);
	if (!input || !bytes) {
		free(input);
		free(bytes);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	ret = parse_hex(arg, bytes, &input->ctx_len, err, errlen);
	if (ret) {
		free(input);
		free(bytes);
		return ret;
	}
	input->ctx = bytes;
	*inputs = input;
	*count = 1;
	return 0;
}

static void free_mem(struct run_input *inputs, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		free(inputs[i].ctx);
	free(inputs);
}

const struct context_source context_source_mem = {
    .flag = "--mem",
    .usage = "--mem HEX",
    .help = "r1 = a copy of these bytes, r2 = their length (e.g. \"00 01 ff\")",
    .load = load_mem,
    .free = free_mem,
};
