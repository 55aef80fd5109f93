/*
 * XSKMAP (Linux's net/xdp/xskmap.c): slots of AF_XDP sockets that
 * bpf_redirect_map hands frames to. The sockets live outside ebpf/
 * (net/xsk.h) and come in through ebpf_xskmap_update, Linux's update
 * with a socket fd; a slot keeps an opaque pointer to one and the queue
 * it is bound to, which is what a program's lookup sees (Linux's struct
 * bpf_xdp_sock: a u32 queue_id).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

#define XSKMAP_KEY_SIZE	  sizeof(uint32_t)
#define XSKMAP_VALUE_SIZE sizeof(uint32_t) /* a socket fd in Linux */

struct map_xsk_slot {
	uint32_t queue_id; /* first: a program's lookup points here */
	void *xsk;	   /* NULL: empty */
};

/* Linux's xsk_map_alloc: any other size is -EINVAL. */
static int xskmap_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.key_size != XSKMAP_KEY_SIZE || map->def.value_size != XSKMAP_VALUE_SIZE) {
		ebpf_log_printf(log,
				"map '%s': xskmap key_size and value_size must be 4, not %u and %u",
				map->name, map->def.key_size, map->def.value_size);
		return -EINVAL;
	}
	return 0;
}

static int xskmap_alloc(struct ebpf_map *map)
{
	map->xsk_slots = calloc(map->def.max_entries, sizeof(*map->xsk_slots));
	return map->xsk_slots ? 0 : -ENOMEM;
}

static void xskmap_free(struct ebpf_map *map)
{
	free(map->xsk_slots);
}

static struct map_xsk_slot *xskmap_slot(struct ebpf_map *map, uint32_t key)
{
	return key < map->def.max_entries && map->xsk_slots[key].xsk ? &map->xsk_slots[key] : NULL;
}

/* A program's lookup: the socket's bpf_xdp_sock view, or NULL. */
static void *xskmap_prog_lookup(struct ebpf_map *map, const void *key)
{
	return xskmap_slot(map, map_array_index(key));
}

/* Linux checks the flag, then the key, then the fd: which names nothing here. */
static int xskmap_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	if (flags > EBPF_EXIST)
		return -EINVAL;
	if (map_array_index(key) >= map->def.max_entries)
		return -E2BIG;
	return -EBADF;
}

int ebpf_xskmap_update(struct ebpf_map *map, uint32_t key, void *xsk, uint32_t queue_id,
		       uint64_t flags)
{
	struct map_xsk_slot *slot;

	if (map->def.type != EBPF_MAP_TYPE_XSKMAP || !xsk || flags > EBPF_EXIST)
		return -EINVAL;
	if (key >= map->def.max_entries)
		return -E2BIG;
	slot = &map->xsk_slots[key];
	if (slot->xsk == xsk)
		return 0;
	if (slot->xsk && flags == EBPF_NOEXIST)
		return -EEXIST;
	if (!slot->xsk && flags == EBPF_EXIST)
		return -ENOENT;
	*slot = (struct map_xsk_slot){.queue_id = queue_id, .xsk = xsk};
	return 0;
}

static int xskmap_delete(struct ebpf_map *map, const void *key)
{
	uint32_t index = map_array_index(key);

	if (index >= map->def.max_entries)
		return -EINVAL;
	map->xsk_slots[index] = (struct map_xsk_slot){.queue_id = 0, .xsk = NULL};
	return 0;
}

static bool xskmap_redirect(struct ebpf_map *map, uint32_t key, struct ebpf_xdp_target *target)
{
	struct map_xsk_slot *slot = xskmap_slot(map, key);

	*target = (struct ebpf_xdp_target){
	    .kind = EBPF_XDP_TARGET_XSK, .index = key, .xsk = slot ? slot->xsk : NULL};
	return slot != NULL;
}

/* No lookup: Linux's xsk_map_lookup_elem_sys_only refuses users (-EOPNOTSUPP). */
const struct map_ops map_xskmap_ops = {
    .check_def = xskmap_check_def,
    .alloc = xskmap_alloc,
    .free = xskmap_free,
    .update = xskmap_update,
    .delete = xskmap_delete,
    .get_next_key = map_array_get_next_key,
    .prog_lookup = xskmap_prog_lookup,
    .redirect = xskmap_redirect,
};
