/*
 * Host implementation of struct ebpf_platform. JIT memory is mapped
 * writable, then sealed read+execute, so it is never writable and
 * executable at once. sock_lookup stays NULL: a host process has no
 * sockets of the guest's to show a program (host_platform.h).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "ebpf.h"
#include "host_platform.h"

#define NSEC_PER_SEC 1000000000ull

static void *host_exec_alloc(size_t size)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return mem == MAP_FAILED ? NULL : mem;
}

static int host_exec_seal(void *mem, size_t size)
{
	return mprotect(mem, size, PROT_READ | PROT_EXEC) == 0 ? 0 : -errno;
}

static void host_exec_free(void *mem, size_t size)
{
	munmap(mem, size);
}

static uint64_t host_ktime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
}

static void host_trace_write(const char *text, size_t len)
{
	fwrite(text, 1, len, stderr);
}

static uint32_t host_random_u32(void)
{
	uint32_t value = 0;

	/* Only a kernel without getrandom(2) fails here; a clock value still varies. */
	if (getrandom(&value, sizeof(value), 0) != sizeof(value))
		value = (uint32_t)host_ktime_ns();
	return value;
}

void host_platform_install(void)
{
	static const struct ebpf_platform host_platform = {
	    .exec_alloc = host_exec_alloc,
	    .exec_seal = host_exec_seal,
	    .exec_free = host_exec_free,
	    .ktime_ns = host_ktime_ns,
	    .trace_write = host_trace_write,
	    .random_u32 = host_random_u32,
	};

	ebpf_set_platform(&host_platform);
}
