/* Unit tests for kernel/cmdline.c: the multiboot command line parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cmdline.h"

#define APP_NAME "hello"

static struct cmdline cl;

/* The state every failed parse must leave behind. */
static void assert_only_app_name(void)
{
	assert_int_equal(cl.option_count, 0);
	assert_int_equal(cl.argc, 1);
	assert_string_equal(cl.argv[0], APP_NAME);
	assert_null(cl.argv[1]);
}

static void test_null_and_empty_lines(void **state)
{
	assert_int_equal(cmdline_parse(&cl, NULL, APP_NAME), 0);
	assert_only_app_name();
	assert_int_equal(cmdline_parse(&cl, "", APP_NAME), 0);
	assert_only_app_name();
	assert_int_equal(cmdline_parse(&cl, " \t\r\n ", APP_NAME), 0);
	assert_only_app_name();
}

static void test_null_app_name_is_empty_argv0(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "-- a", NULL), 0);
	assert_int_equal(cl.argc, 2);
	assert_string_equal(cl.argv[0], "");
	assert_string_equal(cl.argv[1], "a");
}

static void test_only_kernel_path(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "/boot/ukbpf.elf", APP_NAME), 0);
	assert_only_app_name();
}

static void test_grub_device_path_is_skipped(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "(hd0,msdos1)/boot/ukbpf.elf mem=1", APP_NAME), 0);
	assert_int_equal(cl.option_count, 1);
	assert_string_equal(cl.options[0].key, "mem");
	assert_string_equal(cl.options[0].value, "1");
}

static void test_path_is_only_skipped_in_first_position(void **state)
{
	/* A later path-looking word is a flag, and a first word with '=' or
	 * without a leading '/' or '(' is an option. */
	assert_int_equal(cmdline_parse(&cl, "quiet /boot/x", APP_NAME), 0);
	assert_int_equal(cl.option_count, 2);
	assert_string_equal(cl.options[0].key, "quiet");
	assert_string_equal(cl.options[1].key, "/boot/x");

	assert_int_equal(cmdline_parse(&cl, "/root=/dev/sda", APP_NAME), 0);
	assert_int_equal(cl.option_count, 1);
	assert_string_equal(cl.options[0].key, "/root");
	assert_string_equal(cl.options[0].value, "/dev/sda");
}

static void test_options_and_flags(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "/k  ip=10.0.0.2\tquiet  mask=a=b", APP_NAME), 0);
	assert_int_equal(cl.option_count, 3);
	assert_string_equal(cl.options[0].key, "ip");
	assert_string_equal(cl.options[0].value, "10.0.0.2");
	assert_string_equal(cl.options[1].key, "quiet");
	assert_string_equal(cl.options[1].value, "");
	/* Split at the first '=' only. */
	assert_string_equal(cl.options[2].key, "mask");
	assert_string_equal(cl.options[2].value, "a=b");
	assert_int_equal(cl.argc, 1);
	assert_null(cl.argv[1]);
}

static void test_empty_value_is_kept(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "name=", APP_NAME), 0);
	assert_string_equal(cmdline_get(&cl, "name"), "");
}

static void test_empty_key_is_rejected(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "a=1 =2", APP_NAME), -EINVAL);
	assert_only_app_name();
}

static void test_app_args(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "/k v=1 -- one two=2 -- x", APP_NAME), 0);
	assert_int_equal(cl.option_count, 1);
	assert_int_equal(cl.argc, 5);
	assert_string_equal(cl.argv[0], APP_NAME);
	assert_string_equal(cl.argv[1], "one");
	/* After the marker nothing is an option, a second "--" included. */
	assert_string_equal(cl.argv[2], "two=2");
	assert_string_equal(cl.argv[3], "--");
	assert_string_equal(cl.argv[4], "x");
	assert_null(cl.argv[5]);
	assert_null(cmdline_get(&cl, "two"));
}

static void test_marker_without_args(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "quiet --", APP_NAME), 0);
	assert_int_equal(cl.option_count, 1);
	assert_int_equal(cl.argc, 1);
	assert_null(cl.argv[1]);
}

static void test_marker_first_is_not_a_path(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "-- /etc/x", APP_NAME), 0);
	assert_int_equal(cl.option_count, 0);
	assert_int_equal(cl.argc, 2);
	assert_string_equal(cl.argv[1], "/etc/x");
}

static void test_quoted_marker_is_an_option(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "\"--\" a", APP_NAME), 0);
	assert_int_equal(cl.option_count, 2);
	assert_string_equal(cl.options[0].key, "--");
	assert_int_equal(cl.argc, 1);
}

static void test_quotes(void **state)
{
	assert_int_equal(
	    cmdline_parse(&cl, "msg=\"hello world\" \"a b\"c -- \"arg two\" \"\"", APP_NAME), 0);
	assert_int_equal(cl.option_count, 2);
	assert_string_equal(cmdline_get(&cl, "msg"), "hello world");
	assert_string_equal(cl.options[1].key, "a bc");
	assert_int_equal(cl.argc, 3);
	assert_string_equal(cl.argv[1], "arg two");
	/* An empty quoted argument is still an argument. */
	assert_string_equal(cl.argv[2], "");
}

static void test_quoted_equals_does_not_split(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "\"a=b\" k=\"x=y\"", APP_NAME), 0);
	assert_int_equal(cl.option_count, 2);
	assert_string_equal(cl.options[0].key, "a=b");
	assert_string_equal(cl.options[0].value, "");
	assert_string_equal(cmdline_get(&cl, "k"), "x=y");
}

static void test_escapes_inside_quotes(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "s=\"say \\\"hi\\\" \\\\ \\n\" t=a\\b", APP_NAME), 0);
	/* \" and \\ are escapes; other backslashes stay. */
	assert_string_equal(cmdline_get(&cl, "s"), "say \"hi\" \\ \\n");
	/* Outside quotes a backslash is ordinary. */
	assert_string_equal(cmdline_get(&cl, "t"), "a\\b");
}

static void test_unterminated_quote(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "a=1 msg=\"hello world", APP_NAME), -EINVAL);
	assert_only_app_name();
	/* An escaped quote does not close the string. */
	assert_int_equal(cmdline_parse(&cl, "-- \"x\\\"", APP_NAME), -EINVAL);
	assert_only_app_name();
}

static void test_too_many_options(void **state)
{
	char text[CMDLINE_MAX_OPTIONS * 8];
	size_t len = 0;
	int i;

	for (i = 0; i < CMDLINE_MAX_OPTIONS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "o%d=%d ", i, i);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	assert_int_equal(cl.option_count, CMDLINE_MAX_OPTIONS);
	assert_string_equal(cmdline_get(&cl, "o31"), "31");

	snprintf(text + len, sizeof(text) - len, "extra");
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), -E2BIG);
	assert_only_app_name();
}

static void test_too_many_args(void **state)
{
	char text[CMDLINE_MAX_ARGS * 8] = "--";
	size_t len = strlen(text);
	int i;

	for (i = 0; i < CMDLINE_MAX_ARGS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, " a%d", i);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	assert_int_equal(cl.argc, CMDLINE_MAX_ARGS + 1);
	assert_string_equal(cl.argv[CMDLINE_MAX_ARGS], "a31");
	assert_null(cl.argv[CMDLINE_MAX_ARGS + 1]);

	snprintf(text + len, sizeof(text) - len, " extra");
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), -E2BIG);
	assert_only_app_name();
}

/* A line whose words take exactly `used` bytes of buf with their NULs. */
static void fill_one_word(char *text, size_t used)
{
	memset(text, 'v', used - 1);
	text[0] = 'k';
	text[1] = '=';
	text[used - 1] = '\0';
}

static void test_very_long_line(void **state)
{
	static char text[CMDLINE_MAX_LEN * 2];
	/* buf holds "hello\0" and then the word and its NUL. */
	size_t room = CMDLINE_MAX_LEN - sizeof(APP_NAME);

	fill_one_word(text, room);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	assert_int_equal(strlen(cmdline_get(&cl, "k")), room - 1 - 2);

	fill_one_word(text, room + 1);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), -E2BIG);
	assert_only_app_name();

	/* Whitespace and the skipped kernel path cost nothing. */
	memset(text, ' ', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memcpy(text, "/boot/k", 7);
	memcpy(text + CMDLINE_MAX_LEN, "x=1", 3);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	assert_string_equal(cmdline_get(&cl, "x"), "1");
}

static void test_long_app_name_is_truncated(void **state)
{
	static char name[CMDLINE_MAX_LEN + 10];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(cmdline_parse(&cl, "", name), 0);
	assert_int_equal(strlen(cl.argv[0]), CMDLINE_MAX_LEN - 1);
	assert_int_equal(cmdline_parse(&cl, "a", name), -E2BIG);
	assert_int_equal(cl.argc, 1);
}

static void test_last_one_wins(void **state)
{
	assert_int_equal(cmdline_parse(&cl, "mem=1 x=2 mem=3", APP_NAME), 0);
	assert_string_equal(cmdline_get(&cl, "mem"), "3");
	assert_string_equal(cmdline_get(&cl, "x"), "2");
	assert_null(cmdline_get(&cl, "me"));
	assert_null(cmdline_get(&cl, "memx"));
}

static void test_parse_result_outlives_text(void **state)
{
	char text[] = "k=v -- arg";

	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	memset(text, 'z', sizeof(text) - 1);
	assert_string_equal(cmdline_get(&cl, "k"), "v");
	assert_string_equal(cl.argv[1], "arg");
}

/* Parses "key=<value>" and reads it with cmdline_get_u64 (default 7). */
static int read_u64(const char *value, uint64_t *out)
{
	char text[128];

	snprintf(text, sizeof(text), "key=%s", value);
	assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
	return cmdline_get_u64(&cl, "key", 7, out);
}

static void test_u64_values(void **state)
{
	static const struct {
		const char *text;
		uint64_t value;
	} cases[] = {
	    {"0", 0},
	    {"4096", 4096},
	    {"010", 10},
	    {"0x1000", 0x1000},
	    {"0XaBcD", 0xabcd},
	    {"1K", 1024},
	    {"2k", 2048},
	    {"64M", 64ull << 20},
	    {"3g", 3ull << 30},
	    {"0x10M", 16ull << 20},
	    {"18446744073709551615", UINT64_MAX},
	    {"0xffffffffffffffff", UINT64_MAX},
	    {"17179869183G", 17179869183ull << 30},
	};
	size_t i;
	uint64_t out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(read_u64(cases[i].text, &out), 0);
		assert_int_equal(out, cases[i].value);
	}
}

static void test_u64_errors(void **state)
{
	static const struct {
		const char *text;
		int error;
	} cases[] = {
	    {"", -EINVAL},
	    {"0x", -EINVAL},
	    {"K", -EINVAL},
	    {"-1", -EINVAL},
	    {"+1", -EINVAL},
	    {" 1", -EINVAL},
	    {"1KB", -EINVAL},
	    {"1T", -EINVAL},
	    {"12abc", -EINVAL},
	    {"0x1g0", -EINVAL},
	    {"18446744073709551616", -ERANGE},
	    {"0x10000000000000000", -ERANGE},
	    {"99999999999999999999G", -ERANGE},
	    {"17179869184G", -ERANGE},
	    {"16777216T", -EINVAL},
	    /* Bad syntax is reported even after an overflow. */
	    {"99999999999999999999x", -EINVAL},
	};
	size_t i;
	uint64_t out;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = 12345;
		assert_int_equal(read_u64(cases[i].text, &out), cases[i].error);
		/* The default, so a caller may carry on after reporting. */
		assert_int_equal(out, 7);
	}
}

static void test_u64_absent_and_flag(void **state)
{
	uint64_t out = 0;

	assert_int_equal(cmdline_parse(&cl, "flag", APP_NAME), 0);
	assert_int_equal(cmdline_get_u64(&cl, "missing", 99, &out), 0);
	assert_int_equal(out, 99);
	assert_int_equal(cmdline_get_u64(&cl, "flag", 99, &out), -EINVAL);
	assert_int_equal(out, 99);
}

static void test_bool_values(void **state)
{
	static const char *const true_forms[] = {"1", "yes", "on", "true", "TRUE", "Yes", "oN"};
	static const char *const false_forms[] = {"0", "no", "off", "false", "FALSE", "Off"};
	static const char *const bad_forms[] = {"2", "y", "enable", "truee", "tru", "00", " on"};
	char text[64];
	size_t i;
	bool out;

	for (i = 0; i < sizeof(true_forms) / sizeof(true_forms[0]); i++) {
		snprintf(text, sizeof(text), "b=\"%s\"", true_forms[i]);
		assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
		out = false;
		assert_int_equal(cmdline_get_bool(&cl, "b", false, &out), 0);
		assert_true(out);
	}
	for (i = 0; i < sizeof(false_forms) / sizeof(false_forms[0]); i++) {
		snprintf(text, sizeof(text), "b=%s", false_forms[i]);
		assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
		out = true;
		assert_int_equal(cmdline_get_bool(&cl, "b", true, &out), 0);
		assert_false(out);
	}
	for (i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++) {
		snprintf(text, sizeof(text), "b=\"%s\"", bad_forms[i]);
		assert_int_equal(cmdline_parse(&cl, text, APP_NAME), 0);
		out = false;
		assert_int_equal(cmdline_get_bool(&cl, "b", true, &out), -EINVAL);
		assert_true(out);
	}
}

static void test_bool_flag_and_absent(void **state)
{
	bool out = false;

	assert_int_equal(cmdline_parse(&cl, "quiet empty=", APP_NAME), 0);
	assert_int_equal(cmdline_get_bool(&cl, "quiet", false, &out), 0);
	assert_true(out);
	out = false;
	assert_int_equal(cmdline_get_bool(&cl, "empty", false, &out), 0);
	assert_true(out);
	assert_int_equal(cmdline_get_bool(&cl, "missing", true, &out), 0);
	assert_true(out);
	assert_int_equal(cmdline_get_bool(&cl, "missing", false, &out), 0);
	assert_false(out);
}

/* Apps' "port N": the port or the index of the first bad word. */
static int args_port(const char *args, uint16_t *port, int *bad)
{
	assert_int_equal(cmdline_parse(&cl, args, APP_NAME), 0);
	return cmdline_args_port(cl.argc, cl.argv, port, bad);
}

static void test_args_port(void **state)
{
	uint16_t port = 7;
	int bad = -1;

	assert_int_equal(args_port("--", &port, &bad), 0);
	assert_int_equal(port, 7);
	assert_int_equal(args_port("-- port 8080", &port, &bad), 0);
	assert_int_equal(port, 8080);
	assert_int_equal(args_port("-- port 1 port 65535", &port, &bad), 0);
	assert_int_equal(port, 65535);
	static const struct {
		const char *args;
		int bad;
	} refused[] = {
	    {"-- port 0", 1},	{"-- port 65536", 1},	{"-- port -1", 1},
	    {"-- port +80", 1}, {"-- port \" 80\"", 1}, {"-- port 80x", 1},
	    {"-- port", 1},	{"-- port 80 tls", 3},	{"-- verbose", 1},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		port = 7;
		assert_int_equal(args_port(refused[i].args, &port, &bad), -EINVAL);
		assert_int_equal(bad, refused[i].bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_null_and_empty_lines),
	    cmocka_unit_test(test_null_app_name_is_empty_argv0),
	    cmocka_unit_test(test_only_kernel_path),
	    cmocka_unit_test(test_grub_device_path_is_skipped),
	    cmocka_unit_test(test_path_is_only_skipped_in_first_position),
	    cmocka_unit_test(test_options_and_flags),
	    cmocka_unit_test(test_empty_value_is_kept),
	    cmocka_unit_test(test_empty_key_is_rejected),
	    cmocka_unit_test(test_app_args),
	    cmocka_unit_test(test_marker_without_args),
	    cmocka_unit_test(test_marker_first_is_not_a_path),
	    cmocka_unit_test(test_quoted_marker_is_an_option),
	    cmocka_unit_test(test_quotes),
	    cmocka_unit_test(test_quoted_equals_does_not_split),
	    cmocka_unit_test(test_escapes_inside_quotes),
	    cmocka_unit_test(test_unterminated_quote),
	    cmocka_unit_test(test_too_many_options),
	    cmocka_unit_test(test_too_many_args),
	    cmocka_unit_test(test_very_long_line),
	    cmocka_unit_test(test_long_app_name_is_truncated),
	    cmocka_unit_test(test_last_one_wins),
	    cmocka_unit_test(test_parse_result_outlives_text),
	    cmocka_unit_test(test_u64_values),
	    cmocka_unit_test(test_u64_errors),
	    cmocka_unit_test(test_u64_absent_and_flag),
	    cmocka_unit_test(test_bool_values),
	    cmocka_unit_test(test_bool_flag_and_absent),
	    cmocka_unit_test(test_args_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
