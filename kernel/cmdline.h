/*
 * The kernel command line: kernel options and the application's argv.
 *
 * The multiboot command line has the form
 *
 *   [KERNEL_PATH] key=value key2=value2 flag -- app_arg1 "app arg two"
 *
 * - KERNEL_PATH: QEMU's multiboot loader and GRUB put the kernel's own path
 *   first. A first word is taken to be that path, and skipped, when it has
 *   no unquoted '=' and starts with '/' or '(' (a GRUB device such as
 *   "(hd0,msdos1)/boot/ukbpf.elf").
 * - Before "--": kernel options. "key=value" splits at the first unquoted
 *   '='; a bare word ("quiet") is an option whose value is "".
 * - After the first unquoted "--": the application's arguments, verbatim.
 *
 * Words are separated by spaces, tabs, CR or LF. Double quotes group text
 * that contains separators and may appear anywhere in a word
 * (msg="hello world", "a b"c). Inside quotes, \" stands for a quote and \\
 * for a backslash; any other backslash is kept as is. Outside quotes a
 * backslash is an ordinary character.
 *
 * Nothing here allocates: the parsed words are copied into cl->buf, so a
 * struct cmdline does not depend on the text it was parsed from.
 */
#ifndef UKBPF_KERNEL_CMDLINE_H
#define UKBPF_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CMDLINE_MAX_OPTIONS 32
#define CMDLINE_MAX_ARGS    32	 /* application arguments, not counting argv[0] */
#define CMDLINE_MAX_LEN	    4096 /* bytes of buf: app name + words + their NULs */

struct cmdline_option {
	const char *key;   /* points into buf; never NULL */
	const char *value; /* points into buf; "" for a bare flag */
};

struct cmdline {
	char buf[CMDLINE_MAX_LEN];			    /* words live here, NUL-separated */
	struct cmdline_option options[CMDLINE_MAX_OPTIONS]; /* command-line order */
	size_t option_count;
	char *argv[CMDLINE_MAX_ARGS + 2]; /* argv[0] = app name, NULL-terminated */
	int argc;			  /* >= 1: argv[0] is always set */
};

/*
 * Parses text (may be NULL or "": no options, no arguments) into cl.
 * app_name becomes argv[0]; it is copied into cl->buf (NULL means "").
 *
 * Returns 0, or:
 *   -E2BIG   the decoded words do not fit in buf (CMDLINE_MAX_LEN), or
 *            more than CMDLINE_MAX_OPTIONS options or CMDLINE_MAX_ARGS
 *            application arguments
 *   -EINVAL  an unterminated quote, or an option with an empty key ("=x")
 * On error cl is all-or-nothing: it holds no options, argc is 1 and argv is
 * { app_name, NULL }, so the caller can report the error and still boot
 * with defaults.
 */
int cmdline_parse(struct cmdline *cl, const char *text, const char *app_name);

/*
 * Returns the value of option key, or NULL when it is absent. When a key is
 * given several times the last one wins, so a later option overrides an
 * earlier default. A bare flag's value is "".
 */
const char *cmdline_get(const struct cmdline *cl, const char *key);

/*
 * Reads option key as an unsigned 64-bit number: decimal ("4096", leading
 * zeros are still decimal) or hexadecimal ("0x1000"), optionally followed by
 * one binary-multiple suffix K, M or G (either case: x 2^10, 2^20, 2^30).
 * Signs, spaces and any other trailing text are rejected.
 *
 * Returns 0 and stores the number (or default_value when key is absent) in
 * *out; or -EINVAL (not a number, including a bare flag's "") or -ERANGE
 * (does not fit in 64 bits, suffix included), in which case *out is set to
 * default_value so that a caller may ignore the error after reporting it.
 */
int cmdline_get_u64(const struct cmdline *cl, const char *key, uint64_t default_value,
		    uint64_t *out);

/*
 * Reads option key as a boolean. True: "" (a bare flag), "1", "yes", "on",
 * "true"; false: "0", "no", "off", "false"; letters in any case.
 *
 * Returns 0 and stores the value (or default_value when key is absent) in
 * *out; or -EINVAL for any other value, with *out set to default_value.
 */
int cmdline_get_bool(const struct cmdline *cl, const char *key, bool default_value, bool *out);

/* The usage text of cmdline_args_port's one argument, for an app's error line. */
#define CMDLINE_PORT_USAGE "port N, 1..65535"

/*
 * Reads the application arguments (argv[1..argc-1]) of an app whose only
 * argument is "port N", a decimal TCP or UDP port from 1 to 65535, into
 * *port (left alone when absent; the last one wins). Returns 0, or
 * -EINVAL with *bad the index of the first argument that is not that (the
 * app prints it with CMDLINE_PORT_USAGE).
 */
int cmdline_args_port(int argc, char *const argv[], uint16_t *port, int *bad);

#endif /* UKBPF_KERNEL_CMDLINE_H */
