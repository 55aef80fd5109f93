/*
 * CPUMAP (Linux's kernel/bpf/cpumap.c): slots by CPU number, each a queue
 * size (and a program to run there) that bpf_redirect_map sends frames
 * to. The semantics, sizes and errors are Linux's; where the frame then
 * goes is the caller's (net/xdp_hook.c: one CPU, so the stack takes it
 * at once, as XDP_PASS would).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

/*
 * Linux's CONFIG_NR_CPUS of Debian's x86-64 kernels: cpu_map_alloc's
 * limit on max_entries (-E2BIG above it), which is not how many CPUs
 * there are.
 */
#define CPUMAP_NR_CPUS 8192
/* Linux's sanity limit on an entry's queue (cpu_map_update_elem: -EOVERFLOW above). */
#define CPUMAP_MAX_QSIZE 16384
/* struct bpf_cpumap_val: u32 qsize, then the program's fd (update) or id (lookup). */
#define CPUMAP_VALUE_SIZE	    sizeof(uint32_t)
#define CPUMAP_VALUE_SIZE_WITH_PROG (2 * sizeof(uint32_t))

struct cpumap_val {
	uint32_t qsize; /* 0: no entry */
	int32_t prog_fd;
};

static int cpumap_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	const struct ebpf_map_def *def = &map->def;

	if (def->key_size != sizeof(uint32_t) || (def->value_size != CPUMAP_VALUE_SIZE &&
						  def->value_size != CPUMAP_VALUE_SIZE_WITH_PROG)) {
		ebpf_log_printf(log,
				"map '%s': cpumap key_size must be 4 and value_size 4 or 8, "
				"not %u and %u",
				map->name, def->key_size, def->value_size);
		return -EINVAL;
	}
	if (def->max_entries > CPUMAP_NR_CPUS) {
		ebpf_log_printf(log, "map '%s': cpumap max_entries %u exceeds NR_CPUS %u",
				map->name, def->max_entries, CPUMAP_NR_CPUS);
		return -E2BIG;
	}
	return 0;
}

static int cpumap_alloc(struct ebpf_map *map)
{
	map->array.values = calloc(map->def.max_entries, map->value_stride);
	return map->array.values ? 0 : -ENOMEM;
}

static void cpumap_free(struct ebpf_map *map)
{
	free(map->array.values);
}

static struct cpumap_val *cpumap_slot(struct ebpf_map *map, uint32_t cpu)
{
	if (cpu >= map->def.max_entries)
		return NULL;
	return (struct cpumap_val *)(map->array.values + (size_t)cpu * map->value_stride);
}

/* The stored {qsize, program id 0}; NULL for an empty slot. */
static void *cpumap_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	struct cpumap_val *slot = cpumap_slot(map, map_array_index(key));

	return slot && slot->qsize ? slot : NULL;
}

/*
 * Linux's cpu_map_update_elem, in its order. A program fd that is
 * positive names no program here: Linux fails the entry's allocation
 * then (-ENOMEM); zero or negative means none.
 */
static int cpumap_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	uint32_t cpu = map_array_index(key);
	struct cpumap_val val = {0, 0};

	memcpy(&val, value, map->def.value_size);
	if (flags > EBPF_EXIST)
		return -EINVAL;
	if (cpu >= map->def.max_entries)
		return -E2BIG;
	if (flags == EBPF_NOEXIST)
		return -EEXIST;
	if (val.qsize > CPUMAP_MAX_QSIZE)
		return -EOVERFLOW;
	if (cpu >= EBPF_NR_CPUS)
		return -ENODEV;
	if (val.qsize && val.prog_fd > 0)
		return -ENOMEM;
	*cpumap_slot(map, cpu) = (struct cpumap_val){.qsize = val.qsize, .prog_fd = 0};
	return 0;
}

static int cpumap_delete(struct ebpf_map *map, const void *key)
{
	struct cpumap_val *slot = cpumap_slot(map, map_array_index(key));

	if (!slot)
		return -EINVAL;
	slot->qsize = 0;
	return 0;
}

static bool cpumap_redirect(struct ebpf_map *map, uint32_t cpu, struct ebpf_xdp_target *target)
{
	struct cpumap_val *slot = cpumap_slot(map, cpu);

	*target = (struct ebpf_xdp_target){.kind = EBPF_XDP_TARGET_CPU, .index = cpu};
	return slot && slot->qsize;
}

const struct map_ops map_cpumap_ops = {
    .check_def = cpumap_check_def,
    .alloc = cpumap_alloc,
    .free = cpumap_free,
    .lookup = cpumap_lookup,
    .update = cpumap_update,
    .delete = cpumap_delete,
    .get_next_key = map_array_get_next_key,
    .redirect = cpumap_redirect,
};
