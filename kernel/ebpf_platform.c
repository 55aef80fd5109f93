#include "ebpf_platform.h"

#include <stdbool.h>
#include <stdint.h>

#include "ebpf.h"
#include "memory.h"
#include "paging.h"
#include "serial.h"
#include "timekeeping.h"
#include "x86.h"

#define CPUID_FEATURES	 1
#define CPUID_ECX_RDRAND (1u << 30)
#define RDRAND_RETRIES	 10

static bool have_rdrand;
static uint64_t xorshift_state;

static size_t pages_for(size_t size)
{
	return (size + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void *guest_exec_alloc(size_t size)
{
	return memory_alloc_pages(pages_for(size));
}

static int guest_exec_seal(void *mem, size_t size)
{
	return paging_protect((uintptr_t)mem, pages_for(size) * PAGE_SIZE, PAGE_PROT_RX);
}

static void guest_exec_free(void *mem, size_t size)
{
	/* Writable again before the pages go back to the allocator. */
	paging_protect((uintptr_t)mem, pages_for(size) * PAGE_SIZE, PAGE_PROT_RW);
	memory_free_pages(mem, pages_for(size));
}

static void guest_trace_write(const char *text, size_t len)
{
	serial_write(text, len);
}

/*
 * RDRAND where the CPU has it; otherwise xorshift64* seeded from the TSC,
 * which is not cryptographic: constant blinding then only hides constants
 * from an attacker who cannot observe boot timing.
 */
static uint32_t guest_random_u32(void)
{
	if (have_rdrand) {
		for (int i = 0; i < RDRAND_RETRIES; i++) {
			uint32_t value;
			uint8_t ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(value), "=qm"(ok));
			if (ok)
				return value;
		}
	}
	xorshift_state ^= xorshift_state >> 12;
	xorshift_state ^= xorshift_state << 25;
	xorshift_state ^= xorshift_state >> 27;
	return (uint32_t)((xorshift_state * 0x2545F4914F6CDD1Dull) >> 32);
}

static struct ebpf_platform guest_platform = {
    .exec_alloc = guest_exec_alloc,
    .exec_seal = guest_exec_seal,
    .exec_free = guest_exec_free,
    .ktime_ns = time_monotonic_ns,
    .trace_write = guest_trace_write,
    .random_u32 = guest_random_u32,
};

void ebpf_platform_init(void)
{
	uint32_t a, b, c, d;

	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	have_rdrand = c & CPUID_ECX_RDRAND;
	xorshift_state = rdtsc() | 1;

	ebpf_set_platform(&guest_platform);
}

void ebpf_platform_set_sock_lookup(bool (*lookup)(const struct ebpf_sock_key *key,
						  struct ebpf_sock *sock))
{
	guest_platform.sock_lookup = lookup;
	ebpf_set_platform(&guest_platform);
}
