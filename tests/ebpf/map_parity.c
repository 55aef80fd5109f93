/*
 * The user-side map API against Linux's bpf(2), operation for operation.
 *
 * Each case creates the same map in Linux (BPF_MAP_CREATE) and in ukbpf
 * (ebpf_map_create) and compares the errno; then runs a seeded random
 * sequence of updates (every flag, valid or not), deletes, lookups,
 * lookup_and_deletes and get_next_keys over a small key space on both,
 * and compares every result and every value and key copied out. Types
 * whose observable order depends on a hash function (hash maps' walk
 * order, LRU eviction, bloom filter false positives) are kept to what
 * does not: the LPM trie, queue and stack are compared whole, bloom
 * filters only on members and errors, devmap_hash without walks.
 *
 * Linux's kernel-internal ENOTSUPP (524) is ukbpf's EOPNOTSUPP (ebpf.h).
 * Needs root and a kernel with these map types; without them it prints
 * "skipped" and exits 77. Exits 1 on any difference, naming the case,
 * the step and both results. tests/ebpf/test_map_types.py builds and
 * runs it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ebpf.h"

#define LINUX_ENOTSUPP	  524
#define EXIT_SKIPPED	  77
#define STEPS		  3000
#define MAX_BYTES	  64
#define LOOPBACK_IFINDEX  1	/* devmap values must name a device Linux has */
#define CPUMAP_QSIZE_OVER 16385 /* above Linux's limit on a cpumap entry's queue */
#define UNOPENED_FD	  1000	/* xskmap values: fds this process does not have */

enum op { OP_UPDATE, OP_DELETE, OP_LOOKUP, OP_LOOKUP_AND_DELETE, OP_NEXT_KEY, OP_FIRST_KEY };

static const char *const op_names[] = {
    "update", "delete", "lookup", "lookup_and_delete", "get_next_key", "get_next_key(NULL)"};

struct parity_case {
	const char *name;
	struct ebpf_map_def def;
	bool keyless;	    /* key_size 0: NULL keys */
	bool walks;	    /* get_next_key order is comparable */
	bool members_only;  /* bloom filter: look up only values pushed */
	bool devmap_values; /* values are {ifindex, prog fd} */
	bool cpumap_values; /* values are {qsize, prog fd} */
	bool xskmap_values; /* values are socket fds (none open) */
	uint32_t key_space; /* distinct keys (data bytes) drawn */
};

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int linux_errno(long ret)
{
	if (ret >= 0)
		return 0;
	return errno == LINUX_ENOTSUPP ? -EOPNOTSUPP : -errno;
}

static int linux_create(const struct ebpf_map_def *def)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = def->type;
	attr.key_size = def->key_size;
	attr.value_size = def->value_size;
	attr.max_entries = def->max_entries;
	attr.map_flags = def->flags;
	attr.map_extra = def->map_extra;
	return (int)sys_bpf(BPF_MAP_CREATE, &attr);
}

static int linux_op(int fd, enum op op, const void *key, void *value, void *next, uint64_t flags)
{
	union bpf_attr attr;
	int cmd;

	/* Linux refuses (-EINVAL) any field past those the command reads: set only those. */
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uintptr_t)key;
	switch (op) {
	case OP_UPDATE:
		cmd = BPF_MAP_UPDATE_ELEM;
		attr.value = (uintptr_t)value;
		attr.flags = flags;
		break;
	case OP_DELETE:
		cmd = BPF_MAP_DELETE_ELEM;
		break;
	case OP_LOOKUP:
		cmd = BPF_MAP_LOOKUP_ELEM;
		attr.value = (uintptr_t)value;
		break;
	case OP_LOOKUP_AND_DELETE:
		cmd = BPF_MAP_LOOKUP_AND_DELETE_ELEM;
		attr.value = (uintptr_t)value;
		break;
	default:
		cmd = BPF_MAP_GET_NEXT_KEY;
		attr.next_key = (uintptr_t)next;
		break;
	}
	return linux_errno(sys_bpf(cmd, &attr));
}

static int ukbpf_op(struct ebpf_map *map, enum op op, const void *key, void *value, void *next,
		    uint64_t flags)
{
	switch (op) {
	case OP_UPDATE:
		return ebpf_map_update(map, key, value, flags);
	case OP_DELETE:
		return ebpf_map_delete(map, key);
	case OP_LOOKUP:
		return ebpf_map_lookup(map, key, value);
	case OP_LOOKUP_AND_DELETE:
		return ebpf_map_lookup_and_delete(map, key, value);
	default:
		return ebpf_map_get_next_key(map, key, next);
	}
}

static uint64_t prng_state;

static uint32_t prng(void)
{
	prng_state ^= prng_state << 13;
	prng_state ^= prng_state >> 7;
	prng_state ^= prng_state << 17;
	return (uint32_t)(prng_state >> 16);
}

/* A key of c's space: an LPM key's prefix length (0..max+1) and a few data patterns. */
static void random_key(const struct parity_case *c, uint8_t *key)
{
	uint32_t size = c->def.key_size;

	memset(key, 0, MAX_BYTES);
	if (c->def.type == EBPF_MAP_TYPE_LPM_TRIE) {
		uint32_t prefixlen = prng() % ((size - 4) * 8 + 2);

		memcpy(key, &prefixlen, sizeof(prefixlen));
		for (uint32_t i = 4; i < size; i++)
			key[i] = (uint8_t)((prng() % c->key_space) << (i % 2 ? 4 : 0));
	} else if (size) {
		uint32_t k = prng() % c->key_space;

		memcpy(key, &k, size < sizeof(k) ? size : sizeof(k));
	}
}

static void random_value(const struct parity_case *c, uint8_t *value, uint8_t members[][MAX_BYTES],
			 uint32_t *member_count)
{
	memset(value, 0, MAX_BYTES);
	if (c->devmap_values) {
		uint32_t ifindex = prng() % 4 == 0 ? 0 : LOOPBACK_IFINDEX;
		int32_t fd = prng() % 4 == 0 ? 0 : -1;

		memcpy(value, &ifindex, sizeof(ifindex));
		memcpy(value + 4, &fd, sizeof(fd));
		return;
	}
	if (c->cpumap_values) {
		uint32_t qsize = prng() % 4 == 0   ? 0
				 : prng() % 8 == 0 ? CPUMAP_QSIZE_OVER
						   : prng() % 64;
		int32_t fd = prng() % 4 == 0 ? 0 : -1;

		memcpy(value, &qsize, sizeof(qsize));
		memcpy(value + 4, &fd, sizeof(fd));
		return;
	}
	if (c->xskmap_values) {
		uint32_t fd = UNOPENED_FD + prng() % 4;

		memcpy(value, &fd, sizeof(fd));
		return;
	}
	for (uint32_t i = 0; i < c->def.value_size; i++)
		value[i] = (uint8_t)prng();
	if (c->members_only && *member_count < STEPS)
		memcpy(members[(*member_count)++], value, MAX_BYTES);
}

static int differ(const struct parity_case *c, uint32_t step, enum op op, const char *what,
		  int linux_ret, int ukbpf_ret)
{
	fprintf(stderr, "%s: step %u %s: %s: Linux %d, ukbpf %d\n", c->name, step, op_names[op],
		what, linux_ret, ukbpf_ret);
	return 1;
}

static int run_case(const struct parity_case *c)
{
	static uint8_t members[STEPS][MAX_BYTES];
	uint32_t member_count = 0, step;
	struct ebpf_map *map = NULL;
	int fd = linux_create(&c->def), err = ebpf_map_create(&c->def, c->name, &map, NULL);
	int lfd_err = fd < 0 ? linux_errno(fd) : 0;

	if (lfd_err != err) {
		if (fd >= 0)
			close(fd);
		ebpf_map_free(map);
		return differ(c, 0, OP_UPDATE, "create", lfd_err, err);
	}
	if (fd < 0)
		return 0;
	for (step = 1; step <= STEPS; step++) {
		uint8_t key[MAX_BYTES], lval[MAX_BYTES], uval[MAX_BYTES], lnext[MAX_BYTES],
		    unext[MAX_BYTES];
		enum op op = (enum op)(prng() % (OP_FIRST_KEY + 1));
		/* Only update takes flags in ebpf.h's API: the others get Linux's 0. */
		uint64_t flags = op != OP_UPDATE ? 0 : prng() % 8 == 0 ? prng() % 5 : prng() % 3;
		const void *k = c->keyless ? NULL : key;
		int lret, uret;

		if ((op == OP_NEXT_KEY || op == OP_FIRST_KEY) && !c->walks && !c->keyless)
			op = OP_LOOKUP;
		random_key(c, key);
		memset(lnext, 0xee, sizeof(lnext));
		memset(unext, 0xee, sizeof(unext));
		if (op == OP_UPDATE) {
			random_value(c, lval, members, &member_count);
		} else if (c->members_only) {
			/* only members: a non-member's answer depends on the hash functions */
			memset(lval, 0, sizeof(lval));
			if (member_count)
				memcpy(lval, members[prng() % member_count], MAX_BYTES);
		} else {
			memset(lval, 0xcc, sizeof(lval));
		}
		memcpy(uval, lval, sizeof(uval));
		if (op == OP_FIRST_KEY)
			k = NULL;
		lret = linux_op(fd, op, k, lval, lnext, flags);
		uret = ukbpf_op(map, op, k, uval, unext, flags);
		if (lret != uret)
			return differ(c, step, op, "result", lret, uret);
		if (!lret && memcmp(lval, uval, c->def.value_size))
			return differ(c, step, op, "value copied out", lret, uret);
		if (!lret && (op == OP_NEXT_KEY || op == OP_FIRST_KEY) &&
		    memcmp(lnext, unext, c->def.key_size))
			return differ(c, step, op, "next key", lret, uret);
	}
	close(fd);
	ebpf_map_free(map);
	return 0;
}

#define NO_PREALLOC BPF_F_NO_PREALLOC

static const struct parity_case cases[] = {
    /* Creation only: the step loop finds nothing to compare when both refuse. */
    {.name = "lpm_prealloc", .def = {EBPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0, 0}},
    {.name = "lpm_key_4", .def = {EBPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, NO_PREALLOC, 0}},
    {.name = "lpm_key_261", .def = {EBPF_MAP_TYPE_LPM_TRIE, 261, 4, 4, NO_PREALLOC, 0}},
    {.name = "lpm_value_0", .def = {EBPF_MAP_TYPE_LPM_TRIE, 8, 0, 4, NO_PREALLOC, 0}},
    {.name = "lpm_zero_seed",
     .def = {EBPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, NO_PREALLOC | BPF_F_ZERO_SEED, 0}},
    {.name = "queue_key", .def = {EBPF_MAP_TYPE_QUEUE, 4, 4, 4, 0, 0}},
    {.name = "queue_no_prealloc", .def = {EBPF_MAP_TYPE_QUEUE, 0, 4, 4, NO_PREALLOC, 0}},
    {.name = "stack_value_0", .def = {EBPF_MAP_TYPE_STACK, 0, 0, 4, 0, 0}},
    {.name = "bloom_extra_16", .def = {EBPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, 0, 16}},
    {.name = "bloom_key", .def = {EBPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 4, 0, 0}},
    {.name = "hash_extra", .def = {EBPF_MAP_TYPE_HASH, 4, 4, 4, 0, 1}},
    {.name = "devmap_hash_key_8", .def = {EBPF_MAP_TYPE_DEVMAP_HASH, 8, 4, 4, 0, 0}},
    {.name = "devmap_hash_value_6", .def = {EBPF_MAP_TYPE_DEVMAP_HASH, 4, 6, 4, 0, 0}},
    {.name = "devmap_hash_rdonly_prog",
     .def = {EBPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, BPF_F_RDONLY_PROG, 0}},
    {.name = "lru_percpu_no_prealloc",
     .def = {EBPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 4, NO_PREALLOC, 0}},
    {.name = "hash_no_common_lru", .def = {EBPF_MAP_TYPE_HASH, 4, 4, 4, BPF_F_NO_COMMON_LRU, 0}},
    {.name = "array_rdonly_wronly_prog",
     .def = {EBPF_MAP_TYPE_ARRAY, 4, 4, 4, BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, 0}},
    {.name = "perf_value_8", .def = {EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 4, 0, 0}},
    {.name = "cpumap_value_12", .def = {EBPF_MAP_TYPE_CPUMAP, 4, 12, 4, 0, 0}},
    {.name = "cpumap_key_8", .def = {EBPF_MAP_TYPE_CPUMAP, 8, 4, 4, 0, 0}},
    {.name = "cpumap_rdonly", .def = {EBPF_MAP_TYPE_CPUMAP, 4, 4, 4, BPF_F_RDONLY, 0}},
    {.name = "cpumap_beyond_nr_cpus", .def = {EBPF_MAP_TYPE_CPUMAP, 4, 4, 10000, 0, 0}},
    {.name = "xskmap_value_8", .def = {EBPF_MAP_TYPE_XSKMAP, 4, 8, 4, 0, 0}},
    {.name = "xskmap_key_8", .def = {EBPF_MAP_TYPE_XSKMAP, 8, 4, 4, 0, 0}},
    {.name = "xskmap_rdonly_prog", .def = {EBPF_MAP_TYPE_XSKMAP, 4, 4, 4, BPF_F_RDONLY_PROG, 0}},
    /* Whole sequences. */
    {.name = "lpm_ipv4",
     .def = {EBPF_MAP_TYPE_LPM_TRIE, 8, 8, 12, NO_PREALLOC, 0},
     .walks = true,
     .key_space = 4},
    {.name = "lpm_16bit",
     .def = {EBPF_MAP_TYPE_LPM_TRIE, 6, 3, 40, NO_PREALLOC, 0},
     .walks = true,
     .key_space = 16},
    {.name = "lpm_ipv6",
     .def = {EBPF_MAP_TYPE_LPM_TRIE, 20, 16, 16, NO_PREALLOC, 0},
     .walks = true,
     .key_space = 2},
    {.name = "queue", .def = {EBPF_MAP_TYPE_QUEUE, 0, 12, 5, 0, 0}, .keyless = true},
    {.name = "queue_bytes", .def = {EBPF_MAP_TYPE_QUEUE, 0, 1, 1, 0, 0}, .keyless = true},
    {.name = "stack", .def = {EBPF_MAP_TYPE_STACK, 0, 8, 3, 0, 0}, .keyless = true},
    {.name = "bloom",
     .def = {EBPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 20000, 0, 3},
     .keyless = true,
     .members_only = true},
    {.name = "devmap_hash",
     .def = {EBPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 3, 0, 0},
     .devmap_values = true,
     .key_space = 6},
    {.name = "devmap",
     .def = {EBPF_MAP_TYPE_DEVMAP, 4, 8, 3, 0, 0},
     .walks = true,
     .devmap_values = true,
     .key_space = 5},
    /* CPU 0 only: the host has more CPUs than ukbpf (-ENODEV there), so keys past it are past
       max_entries. */
    {.name = "cpumap",
     .def = {EBPF_MAP_TYPE_CPUMAP, 4, 8, 1, 0, 0},
     .walks = true,
     .cpumap_values = true,
     .key_space = 3},
    {.name = "cpumap_qsize_only",
     .def = {EBPF_MAP_TYPE_CPUMAP, 4, 4, 1, 0, 0},
     .walks = true,
     .cpumap_values = true,
     .key_space = 2},
    {.name = "xskmap",
     .def = {EBPF_MAP_TYPE_XSKMAP, 4, 4, 3, 0, 0},
     .walks = true,
     .xskmap_values = true,
     .key_space = 5},
    {.name = "lru_percpu_hash_roomy",
     .def = {EBPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 64, 0, 0},
     .key_space = 8},
    {.name = "hash_lookup_and_delete", .def = {EBPF_MAP_TYPE_HASH, 4, 4, 3, 0, 0}, .key_space = 6},
};

int main(void)
{
	union bpf_attr probe;
	int failures = 0;
	size_t i;

	memset(&probe, 0, sizeof(probe));
	probe.map_type = BPF_MAP_TYPE_ARRAY;
	probe.key_size = probe.value_size = probe.max_entries = 4;
	if (sys_bpf(BPF_MAP_CREATE, &probe) < 0) {
		printf("skipped: this host does not let us create BPF maps (%s)\n",
		       strerror(errno));
		return EXIT_SKIPPED;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		prng_state = 0x9e3779b97f4a7c15ull + i;
		failures += run_case(&cases[i]);
	}
	printf("%zu cases, %d differ from Linux\n", i, failures);
	return failures ? 1 : 0;
}
