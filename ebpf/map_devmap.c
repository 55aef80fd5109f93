/*
 * Devmaps, the redirect targets that name devices: DEVMAP, an array of
 * them, and DEVMAP_HASH, a hash. Their storage is the array's and the
 * hash's (maps.c's array and hash functions, map_types.h); this file
 * holds what a devmap adds: Linux's value layout and update rules, and
 * the device a redirect goes to.
 */
#include <errno.h>
#include <string.h>

#include "map_types.h"
#include "maps.h"

#define DEVMAP_VALUE_SIZE	    sizeof(uint32_t)	   /* u32 ifindex */
#define DEVMAP_VALUE_SIZE_WITH_PROG (2 * sizeof(uint32_t)) /* struct bpf_devmap_val */

/*
 * A devmap value is Linux's struct bpf_devmap_val: the u32 ifindex, then
 * (8-byte values) a program to run on the redirected frame, given as an
 * fd and read back as the program's id. ukbpf has no program fds, so a
 * positive fd names nothing (Linux's -EINVAL for a bad fd) and the stored
 * id is always 0, "no program".
 */
struct devmap_val {
	uint32_t ifindex;
	int32_t prog_fd; /* read back as the program's id */
};

static int devmap_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.key_size != sizeof(uint32_t)) {
		ebpf_log_printf(log, "map '%s': devmap key_size must be 4, not %u", map->name,
				map->def.key_size);
		return -EINVAL;
	}
	if (map->def.value_size != DEVMAP_VALUE_SIZE &&
	    map->def.value_size != DEVMAP_VALUE_SIZE_WITH_PROG) {
		ebpf_log_printf(log, "map '%s': devmap value_size must be 4 or 8, not %u",
				map->name, map->def.value_size);
		return -EINVAL;
	}
	return 0;
}

/*
 * The value to store for the user's value: {ifindex, 0}, or -EINVAL for a
 * program fd (Linux's __dev_map_alloc_node: fd > 0 must name an XDP
 * program; 0 and negative mean none). ukbpf does not know which devices
 * exist: any ifindex is taken, and a redirect to one that does not exist
 * fails at transmit.
 */
static int devmap_value(const struct ebpf_map *map, const void *value, struct devmap_val *out)
{
	struct devmap_val val = {.ifindex = 0, .prog_fd = 0};

	memcpy(&val, value, map->def.value_size);
	if (val.prog_fd > 0)
		return -EINVAL;
	*out = (struct devmap_val){.ifindex = val.ifindex, .prog_fd = 0};
	return 0;
}

static uint32_t devmap_slot_ifindex(const uint8_t *slot)
{
	uint32_t ifindex;

	memcpy(&ifindex, slot, sizeof(ifindex));
	return ifindex;
}

/* A devmap slot with ifindex 0 holds no device: lookups miss. */
static void *devmap_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	uint8_t *slot = map_array_lookup(map, key, touch);

	if (!slot || devmap_slot_ifindex(slot) == 0)
		return NULL;
	return slot;
}

/* Linux's dev_map_update_elem: the array's checks, then ifindex 0 empties the slot. */
static int devmap_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	int err = map_array_check_update(map, map_array_index(key), flags);
	struct devmap_val val;

	if (!err)
		err = devmap_value(map, value, &val);
	if (err)
		return err;
	memcpy(map_array_lookup(map, key, false), &val, map->def.value_size);
	return 0;
}

/* Linux: deleting clears the slot; only an out-of-range index fails. */
static int devmap_delete(struct ebpf_map *map, const void *key)
{
	uint8_t *slot = map_array_lookup(map, key, false);

	if (!slot)
		return -EINVAL;
	memset(slot, 0, map->value_stride);
	return 0;
}

/*
 * Linux's __dev_map_hash_update_elem, in its order: a bad flag or
 * ifindex 0 (no device) is -EINVAL, NOEXIST on a present key -EEXIST,
 * then the program fd is looked at; EXIST on an absent key inserts all
 * the same (Linux does not check it); a full map is -E2BIG.
 */
static int devmap_hash_update(struct ebpf_map *map, const void *key, const void *value,
			      uint64_t flags)
{
	struct devmap_val val;
	int err;

	if (flags > EBPF_EXIST || !devmap_slot_ifindex(value))
		return -EINVAL;
	if (flags == EBPF_NOEXIST && map_hash_lookup(map, key, false))
		return -EEXIST;
	err = devmap_value(map, value, &val);
	return err ? err : map_hash_update(map, key, &val, EBPF_ANY);
}

uint32_t ebpf_devmap_ifindex(struct ebpf_map *map, uint32_t key)
{
	const uint8_t *slot;

	if (map->def.type == EBPF_MAP_TYPE_DEVMAP)
		slot = map_array_lookup(map, &key, false);
	else if (map->def.type == EBPF_MAP_TYPE_DEVMAP_HASH)
		slot = map_hash_lookup(map, &key, false);
	else
		return 0;
	return slot ? devmap_slot_ifindex(slot) : 0;
}

/* bpf_redirect_map to a devmap or devmap_hash: the entry's device. */
static bool devmap_redirect(struct ebpf_map *map, uint32_t key, struct ebpf_xdp_target *target)
{
	uint32_t ifindex = ebpf_devmap_ifindex(map, key);

	*target = (struct ebpf_xdp_target){.kind = EBPF_XDP_TARGET_DEVICE, .index = ifindex};
	return ifindex != 0;
}

const struct map_ops map_devmap_ops = {
    .check_def = devmap_check_def,
    .alloc = map_array_alloc,
    .free = map_array_free,
    .lookup = devmap_lookup,
    .update = devmap_update,
    .delete = devmap_delete,
    .get_next_key = map_array_get_next_key,
    .redirect = devmap_redirect,
};

const struct map_ops map_devmap_hash_ops = {
    .check_def = devmap_check_def,
    .alloc = map_hash_alloc,
    .free = map_hash_free,
    .lookup = map_hash_lookup,
    .update = devmap_hash_update,
    .delete = map_hash_delete,
    .get_next_key = map_hash_get_next_key,
    .redirect = devmap_redirect,
};
