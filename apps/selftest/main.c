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
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel.h"

#define CRC32_POLY_REFLECTED 0xEDB88320u
#define MIB		     (1024u * 1024u)

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
	if (strcmp(cmd, "malloc") == 0 && argc > 2)
		return touch_memory((unsigned)atoi(argv[2]));
	fprintf(stderr, "selftest: unknown command '%s' (see apps/selftest/main.c)\n", cmd);
	return 2;
}
