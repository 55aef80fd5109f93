/*
 * selftest: the application the system tests boot. Its first argument
 * picks what to do, so one image covers every kernel behaviour the tests
 * check (tests/system/test_kernel.py):
 *   exit N      return N
 *   args ...    print each argument
 *   modules     print each module's name, size and CRC-32
 *   null        read through a NULL pointer        -> #PF
 *   div0        integer division by zero           -> #DE
 *   write-text  write into the kernel's code        -> #PF (protection)
 *   overflow    unbounded recursion                -> guard page #PF
 *   abort       abort()                            -> signal exit
 *   hang        spin forever (the test's run.sh --timeout must end it)
 *   sleep MS    sleep with the CPU halted, print how long it took
 *   malloc MB   allocate and touch MB MiB, print the sum
 *   console-echo N  echo every byte received on the control port
 *               (scripts/run.sh --control) back to it, for N host
 *               connections, then print the byte counts
 *               (tests/system/test_virtio_console.py)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "byte_channel.h"
#include "kernel.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u
#define MIB		     (1024u * 1024u)
#define CONTROL_PORT_NAME    "org.ukbpf.control.0"
#define ECHO_BUFFER_SIZE     4096
#define ECHO_IDLE_NS	     1000000 /* the channel is polled: nap when it is quiet */

static uint32_t crc32(const uint8_t *data, size_t len)
{
	uint32_t crc = UINT32_MAX;

	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (CRC32_POLY_REFLECTED & -(crc & 1));
	}
	return ~crc;
}

static int list_modules(void)
{
	size_t count = kernel_module_count();

	printf("modules: %zu\n", count);
	for (size_t i = 0; i < count; i++) {
		const struct kernel_module *m = kernel_module_get(i);
		printf("module %s size %zu crc32 %08" PRIx32 "\n", m->name, m->size,
		       crc32(m->data, m->size));
	}
	return 0;
}

/* Each frame keeps a buffer live so the compiler cannot make it a loop. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse_forever(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	return recurse_forever(depth + 1) + frame[0];
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int touch_memory(unsigned mib)
{
	uint8_t *p = malloc((size_t)mib * MIB);
	uint64_t sum = 0;

	if (!p) {
		printf("malloc: %u MiB failed\n", mib);
		return 1;
	}
	for (size_t i = 0; i < (size_t)mib * MIB; i += 4096)
		p[i] = (uint8_t)(i / 4096);
	for (size_t i = 0; i < (size_t)mib * MIB; i += 4096)
		sum += p[i];
	free(p);
	printf("malloc: %u MiB ok, sum %" PRIu64 "\n", mib, sum);
	return 0;
}

/*
 * Bytes waiting to go back: read only when the last read has all been
 * written, so a host that does not read its echo stalls this loop's
 * reads, and then its own writes (back-pressure end to end).
 */
struct echo_state {
	uint8_t buffer[ECHO_BUFFER_SIZE];
	size_t held, sent;
};

/* One step of echoing: true when it sent bytes; *failed once the device failed (-EIO). */
static bool echo_step(struct byte_channel *ch, struct echo_state *echo, bool *failed)
{
	ssize_t n;

	if (echo->sent == echo->held) {
		echo->held = echo->sent = 0;
		n = byte_channel_read(ch, echo->buffer, sizeof(echo->buffer));
		if (n <= 0) {
			*failed = n < 0;
			return false;
		}
		echo->held = (size_t)n;
	}
	n = byte_channel_write(ch, echo->buffer + echo->sent, echo->held - echo->sent);
	if (n == -ENOTCONN)
		echo->sent = echo->held; /* the peer left: its echo has nowhere to go */
	else if (n < 0 && n != -EAGAIN)
		*failed = true;
	else if (n > 0)
		echo->sent += (size_t)n;
	return n > 0;
}

static int console_echo(int sessions)
{
	static struct echo_state echo;
	struct byte_channel *ch;
	struct byte_channel_stats stats;
	char why[160];
	bool serving = false, failed = false;
	uint64_t session_opens = 0, session_rx = 0;
	int done = 0;

	if (byte_channel_open(CONTROL_PORT_NAME, &ch, why, sizeof(why)) < 0) {
		printf("console-echo: no control port: %s\n", why);
		return 1;
	}
	printf("console-echo: %s open, echoing %d sessions\n", CONTROL_PORT_NAME, sessions);
	while (done < sessions && !failed) {
		bool connected = byte_channel_peer_connected(ch);
		byte_channel_get_stats(ch, &stats);
		/* A reconnection between two polls shows as another open. */
		if (serving && (!connected || stats.peer_opens != session_opens)) {
			printf("console-echo: session %d closed, %" PRIu64 " bytes echoed\n",
			       done + 1, stats.rx_bytes - session_rx);
			done++;
			serving = false;
		}
		if (!serving && connected && done < sessions) {
			serving = true;
			session_opens = stats.peer_opens;
			session_rx = stats.rx_bytes;
			printf("console-echo: session %d connected\n", done + 1);
		}
		if (!echo_step(ch, &echo, &failed) && !failed) {
			struct timespec nap = {.tv_nsec = ECHO_IDLE_NS};
			nanosleep(&nap, NULL);
		}
	}
	byte_channel_get_stats(ch, &stats);
	printf("console-echo: %s%d sessions, %" PRIu64 " bytes in, %" PRIu64 " bytes out, %" PRIu64
	       " device errors\n",
	       failed ? "device failed after " : "", done, stats.rx_bytes, stats.tx_bytes,
	       stats.device_errors);
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	volatile int zero = 0;
	const char *cmd = argc > 1 ? argv[1] : "";

	if (strcmp(cmd, "exit") == 0 && argc > 2)
		return atoi(argv[2]);
	if (strcmp(cmd, "args") == 0) {
		for (int i = 0; i < argc; i++)
			printf("argv[%d]=<%s>\n", i, argv[i]);
		return 0;
	}
	if (strcmp(cmd, "modules") == 0)
		return list_modules();
	if (strcmp(cmd, "null") == 0)
		return *(volatile int *)(uintptr_t)zero;
	if (strcmp(cmd, "div0") == 0)
		return 100 / zero;
	if (strcmp(cmd, "write-text") == 0) {
		*(volatile uint8_t *)(uintptr_t)main = 0xcc;
		return 0;
	}
	if (strcmp(cmd, "overflow") == 0)
		return recurse_forever(0);
	if (strcmp(cmd, "abort") == 0)
		abort();
	if (strcmp(cmd, "hang") == 0)
		for (;;)
			;
	if (strcmp(cmd, "sleep") == 0 && argc > 2) {
		uint64_t start = now_ns();
		long ms = atol(argv[2]);
		struct timespec req = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
		nanosleep(&req, NULL);
		printf("slept %" PRIu64 " ms\n", (now_ns() - start) / 1000000u);
		return 0;
	}
	if (strcmp(cmd, "console-echo") == 0 && argc > 2)
		return console_echo(atoi(argv[2]));
	if (strcmp(cmd, "malloc") == 0 && argc > 2)
		return touch_memory((unsigned)atoi(argv[2]));
	fprintf(stderr, "selftest: unknown command '%s' (see apps/selftest/main.c)\n", cmd);
	return 2;
}
