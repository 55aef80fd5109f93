/*
 * Map-in-map: BPF_MAP_TYPE_ARRAY_OF_MAPS and BPF_MAP_TYPE_HASH_OF_MAPS,
 * Linux's kernel/bpf/map_in_map.c with the fd-array and fd-htab parts of
 * arraymap.c and hashtab.c. A slot holds an inner map; every inner map
 * matches the outer map's template (map->inner_meta, made by maps.c from
 * the definition given at create), so a program that looked one up is
 * verified against the template and runs against the map it found.
 *
 * A program's lookup returns the inner map itself, struct ebpf_map *, as
 * Linux's returns struct bpf_map *: the helpers then take it like a map
 * loaded by lddw. The verifier lets programs only look up (Linux's
 * check_map_func_compatibility); users fill slots through
 * ebpf_map_set_inner, since ukbpf has no map fds for ebpf_map_update.
 *
 * The outer map borrows its inner maps (ebpf.h): no reference counts,
 * as for a prog array's programs. In ukbpf maps are freed by their
 * object or their creator, never behind a running program's back, so
 * counting would only move that rule, not remove it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

/* Linux: the value a user passes is a map fd, a u32. */
#define OF_MAPS_VALUE_SIZE sizeof(uint32_t)
#define OF_MAPS_ARRAY_KEY  sizeof(uint32_t)

struct map_of_maps {
	/* ARRAY_OF_MAPS: max_entries slots, NULL when empty. */
	struct ebpf_map **slots;
	/* HASH_OF_MAPS: a hash map from the key to a struct ebpf_map *. */
	struct ebpf_map *by_key;
};

static bool is_array_type(uint32_t type)
{
	return type == EBPF_MAP_TYPE_ARRAY || type == EBPF_MAP_TYPE_PERCPU_ARRAY;
}

/*
 * Linux's bpf_map_meta_equal, and array_map_meta_equal for the array
 * types, whose lookups the verifier bounds by max_entries unless the
 * template says BPF_F_INNER_MAP; other types may differ in max_entries.
 */
static bool matches_template(const struct ebpf_map *meta, const struct ebpf_map *map)
{
	const struct ebpf_map_def *t = &meta->def, *d = &map->def;

	if (t->type != d->type || t->key_size != d->key_size || t->value_size != d->value_size ||
	    t->flags != d->flags)
		return false;
	return !is_array_type(t->type) || (t->flags & EBPF_F_INNER_MAP) ||
	       t->max_entries == d->max_entries;
}

/* Linux's fd_array/fd_htab alloc checks, then bpf_map_meta_alloc's. */
static int of_maps_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	const struct ebpf_map *meta = map->inner_meta;

	if (map->def.value_size != OF_MAPS_VALUE_SIZE) {
		ebpf_log_printf(log, "map '%s': %s value_size must be 4 (a map), not %u", map->name,
				ebpf_map_type_name(map->def.type), map->def.value_size);
		return -EINVAL;
	}
	if (!meta) {
		ebpf_log_printf(log, "map '%s': %s needs an inner map definition", map->name,
				ebpf_map_type_name(map->def.type));
		return -EINVAL;
	}
	/* Linux's prog array has no map_meta_equal: its programs bind to one owner type. */
	if (meta->def.type == EBPF_MAP_TYPE_PROG_ARRAY) {
		ebpf_log_printf(log, "map '%s': a prog array cannot be an inner map", map->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int array_of_maps_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.key_size != OF_MAPS_ARRAY_KEY) {
		ebpf_log_printf(log, "map '%s': array key_size must be 4, not %u", map->name,
				map->def.key_size);
		return -EINVAL;
	}
	return of_maps_check_def(map, log);
}

static int hash_of_maps_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.key_size > EBPF_STACK_SIZE) {
		ebpf_log_printf(log, "map '%s': key_size %u exceeds %u", map->name,
				map->def.key_size, EBPF_STACK_SIZE);
		return -E2BIG;
	}
	return of_maps_check_def(map, log);
}

static int array_of_maps_alloc(struct ebpf_map *map)
{
	map->of_maps = calloc(1, sizeof(*map->of_maps));
	if (!map->of_maps)
		return -ENOMEM;
	map->of_maps->slots = calloc(map->def.max_entries, sizeof(*map->of_maps->slots));
	if (!map->of_maps->slots) {
		free(map->of_maps);
		return -ENOMEM;
	}
	return 0;
}

static int hash_of_maps_alloc(struct ebpf_map *map)
{
	const struct ebpf_map_def index_def = {
	    .type = EBPF_MAP_TYPE_HASH,
	    .key_size = map->def.key_size,
	    .value_size = sizeof(struct ebpf_map *),
	    .max_entries = map->def.max_entries,
	};
	int err;

	map->of_maps = calloc(1, sizeof(*map->of_maps));
	if (!map->of_maps)
		return -ENOMEM;
	/* The sizes were checked as the outer map's: only memory can fail. */
	err = ebpf_map_create(&index_def, map->name, &map->of_maps->by_key, NULL);
	if (err)
		free(map->of_maps);
	return err;
}

static void of_maps_free(struct ebpf_map *map)
{
	free(map->of_maps->slots);
	ebpf_map_free(map->of_maps->by_key);
	free(map->of_maps);
}

/* The inner map itself, not a slot: a program's lookup returns a map. */
static void *array_of_maps_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	uint32_t index = map_array_index(key);

	return index < map->def.max_entries ? map->of_maps->slots[index] : NULL;
}

static void *hash_of_maps_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	struct ebpf_map *const *slot = ebpf_map_lookup_ptr(map->of_maps->by_key, key);

	return slot ? *slot : NULL;
}

/* A value from user space would be a map fd: ebpf_map_set_inner instead. */
static int of_maps_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	return -EINVAL;
}

/* Linux's fd_array_map_delete_elem. */
static int array_of_maps_delete(struct ebpf_map *map, const void *key)
{
	uint32_t index = map_array_index(key);

	if (index >= map->def.max_entries)
		return -E2BIG;
	if (!map->of_maps->slots[index])
		return -ENOENT;
	map->of_maps->slots[index] = NULL;
	return 0;
}

static int hash_of_maps_delete(struct ebpf_map *map, const void *key)
{
	return ebpf_map_delete(map->of_maps->by_key, key);
}

static int hash_of_maps_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	return ebpf_map_get_next_key(map->of_maps->by_key, key, next_key);
}

const struct map_ops map_array_of_maps_ops = {
    .check_def = array_of_maps_check_def,
    .alloc = array_of_maps_alloc,
    .free = of_maps_free,
    .lookup = array_of_maps_lookup,
    .update = of_maps_update,
    .delete = array_of_maps_delete,
    .get_next_key = map_array_get_next_key,
    .holds_maps = true,
};

const struct map_ops map_hash_of_maps_ops = {
    .check_def = hash_of_maps_check_def,
    .alloc = hash_of_maps_alloc,
    .free = of_maps_free,
    .lookup = hash_of_maps_lookup,
    .update = of_maps_update,
    .delete = hash_of_maps_delete,
    .get_next_key = hash_of_maps_get_next_key,
    .holds_maps = true,
};

/* Linux's bpf_fd_array_map_update_elem and bpf_fd_htab_map_update_elem. */
int ebpf_map_set_inner(struct ebpf_map *outer, const void *key, struct ebpf_map *inner,
		       uint64_t flags)
{
	uint32_t index;

	if (!outer->ops->holds_maps)
		return -EINVAL;
	if (outer->def.type == EBPF_MAP_TYPE_HASH_OF_MAPS) {
		if (!inner || !matches_template(outer->inner_meta, inner))
			return -EINVAL;
		return ebpf_map_update(outer->of_maps->by_key, key, &inner, flags);
	}
	/* The fd array checks the flags and the index before the map. */
	index = map_array_index(key);
	if (flags != EBPF_ANY)
		return -EINVAL;
	if (index >= outer->def.max_entries)
		return -E2BIG;
	if (!inner || !matches_template(outer->inner_meta, inner))
		return -EINVAL;
	outer->of_maps->slots[index] = inner;
	return 0;
}

struct ebpf_map *ebpf_map_get_inner(struct ebpf_map *outer, const void *key)
{
	return outer->ops->holds_maps ? outer->ops->lookup(outer, key, false) : NULL;
}

const struct ebpf_map_def *ebpf_map_get_inner_def(const struct ebpf_map *outer)
{
	return outer->inner_meta ? &outer->inner_meta->def : NULL;
}

const struct ebpf_map *ebpf_map_inner_meta(const struct ebpf_map *map)
{
	return map->inner_meta;
}
