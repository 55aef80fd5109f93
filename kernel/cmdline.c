/*
 * Kernel command line parsing (see cmdline.h for the syntax).
 *
 * Runs before the heap exists, so everything is decoded in place into the
 * fixed buffer of struct cmdline.
 */
#include "cmdline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CMDLINE_QUOTE		    '"'
#define CMDLINE_ESCAPE		    '\\'
#define CMDLINE_KEY_VALUE_SEPARATOR '='
#define CMDLINE_ARGS_MARKER	    "--"

#define CMDLINE_HEX_PREFIX_LEN 2 /* "0x" */
#define CMDLINE_DECIMAL_BASE   10
#define CMDLINE_HEX_BASE       16
#define CMDLINE_KIB_SHIFT      10
#define CMDLINE_MIB_SHIFT      20
#define CMDLINE_GIB_SHIFT      30

#define CMDLINE_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One decoded word, as it sits in cl->buf. */
struct cmdline_word {
	char *text;
	char *equals; /* first unquoted '=' in text, or NULL */
	bool quoted;  /* had quotes, so it cannot be the "--" marker */
};

static bool cmdline_is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Empty state: no options, argv = { app_name, NULL }. */
static void cmdline_reset(struct cmdline *cl, const char *app_name)
{
	size_t name_len = app_name ? strlen(app_name) : 0;

	/* Only an absurd name is cut; argv[0] must always exist. */
	if (name_len >= CMDLINE_MAX_LEN)
		name_len = CMDLINE_MAX_LEN - 1;
	if (name_len > 0)
		memcpy(cl->buf, app_name, name_len);
	cl->buf[name_len] = '\0';
	cl->option_count = 0;
	cl->argv[0] = cl->buf;
	cl->argv[1] = NULL;
	cl->argc = 1;
}

/*
 * Decodes the next word of *in into [*out, out_end), NUL-terminated, and
 * advances both. Returns 1 for a word, 0 at the end of the text, -E2BIG when
 * the buffer is full, -EINVAL for an unterminated quote.
 */
static int cmdline_next_word(const char **in, char **out, char *out_end, struct cmdline_word *word)
{
	const char *p = *in;
	char *w = *out;
	bool in_quotes = false;

	while (cmdline_is_separator(*p))
		p++;
	if (*p == '\0')
		return 0;

	word->text = w;
	word->equals = NULL;
	word->quoted = false;
	while (*p != '\0' && (in_quotes || !cmdline_is_separator(*p))) {
		char c = *p++;

		if (c == CMDLINE_QUOTE) {
			in_quotes = !in_quotes;
			word->quoted = true;
			continue;
		}
		if (in_quotes && c == CMDLINE_ESCAPE &&
		    (*p == CMDLINE_QUOTE || *p == CMDLINE_ESCAPE))
			c = *p++;
		else if (!in_quotes && c == CMDLINE_KEY_VALUE_SEPARATOR && word->equals == NULL)
			word->equals = w;
		/* Keep room for the terminating NUL. */
		if (out_end - w < 2)
			return -E2BIG;
		*w++ = c;
	}
	if (in_quotes)
		return -EINVAL;
	if (w == out_end)
		return -E2BIG;
	*w++ = '\0';
	*in = p;
	*out = w;
	return 1;
}

static bool cmdline_is_args_marker(const struct cmdline_word *word)
{
	return !word->quoted && strcmp(word->text, CMDLINE_ARGS_MARKER) == 0;
}

/* QEMU and GRUB pass the kernel's path (or GRUB device path) first. */
static bool cmdline_is_kernel_path(const struct cmdline_word *word)
{
	return word->equals == NULL && (word->text[0] == '/' || word->text[0] == '(');
}

static int cmdline_add_option(struct cmdline *cl, struct cmdline_word *word)
{
	struct cmdline_option *option;

	if (word->equals == word->text)
		return -EINVAL;
	if (cl->option_count == CMDLINE_MAX_OPTIONS)
		return -E2BIG;
	option = &cl->options[cl->option_count++];
	option->key = word->text;
	if (word->equals) {
		*word->equals = '\0';
		option->value = word->equals + 1;
	} else {
		/* A bare flag: its value is the empty string at the key's end. */
		option->value = word->text + strlen(word->text);
	}
	return 0;
}

static int cmdline_add_arg(struct cmdline *cl, char *arg)
{
	if (cl->argc == CMDLINE_MAX_ARGS + 1)
		return -E2BIG;
	cl->argv[cl->argc++] = arg;
	cl->argv[cl->argc] = NULL;
	return 0;
}

/* Decodes text into cl, which holds only argv[0] on entry. */
static int cmdline_parse_words(struct cmdline *cl, const char *text)
{
	char *out = cl->buf + strlen(cl->buf) + 1;
	char *out_end = cl->buf + CMDLINE_MAX_LEN;
	bool first_word = true;
	bool in_args = false;
	struct cmdline_word word;
	int ret;

	while ((ret = cmdline_next_word(&text, &out, out_end, &word)) > 0) {
		if (in_args) {
			ret = cmdline_add_arg(cl, word.text);
		} else if (cmdline_is_args_marker(&word) ||
			   (first_word && cmdline_is_kernel_path(&word))) {
			in_args = cmdline_is_args_marker(&word);
			/* Nothing keeps this word: give its space back. */
			out = word.text;
			ret = 0;
		} else {
			ret = cmdline_add_option(cl, &word);
		}
		if (ret < 0)
			return ret;
		first_word = false;
	}
	return ret;
}

int cmdline_parse(struct cmdline *cl, const char *text, const char *app_name)
{
	int ret;

	cmdline_reset(cl, app_name);
	if (text == NULL)
		return 0;
	ret = cmdline_parse_words(cl, text);
	if (ret < 0)
		cmdline_reset(cl, app_name);
	return ret;
}

const char *cmdline_get(const struct cmdline *cl, const char *key)
{
	size_t i;

	for (i = cl->option_count; i > 0; i--) {
		if (strcmp(cl->options[i - 1].key, key) == 0)
			return cl->options[i - 1].value;
	}
	return NULL;
}

/* Value of c as a digit in base, or -1. */
static int cmdline_digit_value(char c, unsigned int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == CMDLINE_HEX_BASE && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == CMDLINE_HEX_BASE && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Shift for a K/M/G suffix, 0 when c is not one. */
static unsigned int cmdline_suffix_shift(char c)
{
	switch (c) {
	case 'K':
	case 'k':
		return CMDLINE_KIB_SHIFT;
	case 'M':
	case 'm':
		return CMDLINE_MIB_SHIFT;
	case 'G':
	case 'g':
		return CMDLINE_GIB_SHIFT;
	default:
		return 0;
	}
}

static int cmdline_parse_u64(const char *text, uint64_t *out)
{
	unsigned int base = CMDLINE_DECIMAL_BASE;
	const char *p = text;
	const char *digits;
	uint64_t value = 0;
	bool overflow = false;
	unsigned int shift;
	int digit;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = CMDLINE_HEX_BASE;
		p += CMDLINE_HEX_PREFIX_LEN;
	}
	/* Keep scanning after an overflow: bad syntax wins over -ERANGE. */
	for (digits = p; (digit = cmdline_digit_value(*p, base)) >= 0; p++) {
		if (value > (UINT64_MAX - (uint64_t)digit) / base)
			overflow = true;
		else
			value = value * base + (uint64_t)digit;
	}
	if (p == digits)
		return -EINVAL;
	shift = cmdline_suffix_shift(*p);
	if (shift > 0)
		p++;
	if (*p != '\0')
		return -EINVAL;
	if (overflow || value > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = value << shift;
	return 0;
}

int cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t default_value,
		    uint64_t *out)
{
	const char *value = cmdline_get(cl, key);
	int ret;

	*out = default_value;
	if (value == NULL)
		return 0;
	ret = cmdline_parse_u64(value, out);
	if (ret < 0)
		*out = default_value;
	return ret;
}

/* ASCII case-insensitive comparison against a lower-case word. */
static bool cmdline_equals_lower(const char *text, const char *lower)
{
	for (; *text != '\0' && *lower != '\0'; text++, lower++) {
		char c = *text;

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != *lower)
			return false;
	}
	return *text == *lower;
}

static bool cmdline_is_one_of(const char *text, const char *const *words, size_t word_count)
{
	size_t i;

	for (i = 0; i < word_count; i++) {
		if (cmdline_equals_lower(text, words[i]))
			return true;
	}
	return false;
}

int cmdline_get_bool(const struct cmdline *cl, const char *key, bool default_value, bool *out)
{
	/* "" first: a bare flag ("quiet") means the option is on. */
	static const char *const true_words[] = {"", "1", "yes", "on", "true"};
	static const char *const false_words[] = {"0", "no", "off", "false"};
	const char *value = cmdline_get(cl, key);

	*out = default_value;
	if (value == NULL)
		return 0;
	if (cmdline_is_one_of(value, true_words, CMDLINE_ARRAY_SIZE(true_words)))
		*out = true;
	else if (cmdline_is_one_of(value, false_words, CMDLINE_ARRAY_SIZE(false_words)))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

int cmdline_args_port(int argc, char *const argv[], uint16_t *port, int *bad)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "port") == 0 && i + 1 < argc) {
			const char *text = argv[i + 1];
			char *end;
			unsigned long value = strtoul(text, &end, 10);
			/* strtoul takes a sign and spaces: a port is digits only. */
			if (*text >= '0' && *text <= '9' && *end == '\0' && value >= 1 &&
			    value <= UINT16_MAX) {
				*port = (uint16_t)value;
				i++;
				continue;
			}
		}
		*bad = i;
		return -EINVAL;
	}
	return 0;
}
