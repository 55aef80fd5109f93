/*
 * Unit tests for kernel/byte_channel.c: the registry, open by name, and
 * the link-time table of driver probes (a fake driver registers here the
 * way drivers/virtio_console.c does). The registry is global, so the
 * tests run in order, each building on the last.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "byte_channel.h"

static int probe_calls;
static int open_calls;
static int open_result;

static int fake_open(struct byte_channel *ch)
{
	open_calls++;
	return open_result;
}

static ssize_t fake_read(struct byte_channel *ch, void *buf, size_t len)
{
	return 0;
}

static ssize_t fake_write(struct byte_channel *ch, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static bool fake_peer_connected(struct byte_channel *ch)
{
	return true;
}

static void fake_get_stats(struct byte_channel *ch, struct byte_channel_stats *stats)
{
	*stats = (struct byte_channel_stats){0};
}

static const struct byte_channel_ops fake_ops = {
    .open = fake_open,
    .read = fake_read,
    .write = fake_write,
    .peer_connected = fake_peer_connected,
    .get_stats = fake_get_stats,
};

static struct byte_channel fake_channels[] = {
    {.ops = &fake_ops, .name = "org.ukbpf.control.0"},
    {.ops = &fake_ops, .name = "org.example.other"},
};

static size_t fake_probe(char *why, size_t why_len)
{
	probe_calls++;
	for (size_t i = 0; i < sizeof(fake_channels) / sizeof(fake_channels[0]); i++)
		assert_int_equal(byte_channel_register(&fake_channels[i]), 0);
	snprintf(why, why_len, "PCI 00:05.0: a device that would not start");
	return 2;
}

BYTE_CHANNEL_DRIVER(fake_probe);

static void test_open_by_name_probes_once(void **state)
{
	struct byte_channel *ch = NULL;
	char why[160];

	assert_int_equal(byte_channel_open("org.ukbpf.control.0", &ch, why, sizeof(why)), 0);
	assert_ptr_equal(ch, &fake_channels[0]);
	assert_string_equal(why, "");
	assert_int_equal(probe_calls, 1);
	assert_int_equal(open_calls, 1);
	assert_true(ch->opened);
}

static void test_second_open_is_busy(void **state)
{
	struct byte_channel *ch = NULL;
	char why[160];

	assert_int_equal(byte_channel_open("org.ukbpf.control.0", &ch, why, sizeof(why)), -EBUSY);
	assert_null(ch);
	assert_string_equal(why, "org.ukbpf.control.0 is already open");
	assert_int_equal(open_calls, 1);
	assert_int_equal(probe_calls, 1);
}

static void test_missing_name_says_what_there_is(void **state)
{
	struct byte_channel *ch = NULL;
	char why[160];

	assert_int_equal(byte_channel_open("org.ukbpf.control.1", &ch, why, sizeof(why)), -ENODEV);
	assert_null(ch);
	assert_string_equal(why, "no channel named org.ukbpf.control.1 (have: org.ukbpf.control.0, "
				 "org.example.other); skipped PCI 00:05.0: a device that would "
				 "not start");
	/* A short buffer gets a truncated message, never an overrun. */
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	assert_int_equal(byte_channel_open("nope", &ch, tiny, sizeof(tiny)), -ENODEV);
	assert_string_equal(tiny, "no chan");
	assert_int_equal(byte_channel_open("nope", &ch, NULL, 0), -ENODEV);
	assert_int_equal(probe_calls, 1);
}

static void test_refused_open_leaves_it_closed(void **state)
{
	struct byte_channel *ch = NULL;
	char why[160];

	open_result = -EIO;
	assert_int_equal(byte_channel_open("org.example.other", &ch, why, sizeof(why)), -EIO);
	assert_null(ch);
	assert_false(fake_channels[1].opened);
	open_result = 0;
	assert_int_equal(byte_channel_open("org.example.other", &ch, why, sizeof(why)), 0);
	assert_ptr_equal(ch, &fake_channels[1]);
}

static void test_register_refuses_duplicates_and_overflow(void **state)
{
	static struct byte_channel extra[BYTE_CHANNEL_MAX];
	struct byte_channel twin = {.ops = &fake_ops, .name = "org.example.other"};
	size_t room = BYTE_CHANNEL_MAX - 2;

	assert_int_equal(byte_channel_register(&twin), -EEXIST);
	for (size_t i = 0; i < room + 1; i++) {
		extra[i].ops = &fake_ops;
		snprintf(extra[i].name, sizeof(extra[i].name), "extra.%zu", i);
		assert_int_equal(byte_channel_register(&extra[i]), i < room ? 0 : -ENOSPC);
	}
	struct byte_channel *ch = NULL;
	assert_int_equal(byte_channel_open("extra.0", &ch, NULL, 0), 0);
	assert_ptr_equal(ch, &extra[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_by_name_probes_once),
	    cmocka_unit_test(test_second_open_is_busy),
	    cmocka_unit_test(test_missing_name_says_what_there_is),
	    cmocka_unit_test(test_refused_open_leaves_it_closed),
	    cmocka_unit_test(test_register_refuses_duplicates_and_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
