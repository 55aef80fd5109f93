/*
 * Private to ebpf/: what the helpers (helpers.c) need from maps.c beyond
 * the lookup/update/delete entry points of ebpf_internal.h - the maps
 * used by bpf_redirect_map, the push/pop/peek of the value-only types and
 * the producer sides of the ring buffer and the perf event array.
 */
#ifndef UKBPF_EBPF_MAPS_H
#define UKBPF_EBPF_MAPS_H

#include "ebpf_internal.h"

/*
 * The ifindex stored under key in a devmap or devmap_hash, or 0 when the
 * map is neither, the index is out of range or the entry is empty.
 */
uint32_t ebpf_devmap_ifindex(struct ebpf_map *map, uint32_t key);

/*
 * bpf_redirect_map's lookup (Linux's map_redirect of each type): fills
 * target with where key sends a frame in a devmap, devmap_hash (the
 * device), cpumap (the CPU) or xskmap (the socket). false when the slot
 * is empty or out of range, or map is of another type.
 */
bool ebpf_map_redirect_target(struct ebpf_map *map, uint32_t key, struct ebpf_xdp_target *target);

/*
 * bpf_map_push_elem, bpf_map_pop_elem (remove) and bpf_map_peek_elem on
 * a queue, stack or bloom filter: Linux's errors (push: -EINVAL for a bad
 * flag, -E2BIG when full; pop/peek: -ENOENT when empty, then a queue or
 * stack zeroes value as Linux does), -EOPNOTSUPP for another type.
 */
int ebpf_map_push(struct ebpf_map *map, const void *value, uint64_t flags);
int ebpf_map_pop(struct ebpf_map *map, void *value, bool remove);

/*
 * The value under key as a program sees it (the running CPU's of a
 * per-CPU map), or NULL, without the touch of a program's lookup (LRU
 * order): bpf_for_each_map_elem's walk, which Linux's does not count.
 */
void *ebpf_map_walk_value(struct ebpf_map *map, const void *key);

/*
 * Ring buffer producer side (bpf_ringbuf_reserve/submit/discard/output).
 * reserve returns size writable bytes, 8-byte aligned, or NULL when the
 * map is not a ring buffer or the ring has no room; the record stays
 * invisible to the consumer until it is committed. commit takes a pointer
 * returned by reserve and publishes it (discard == false) or drops it.
 */
void *ebpf_ringbuf_reserve(struct ebpf_map *map, uint64_t size);
void ebpf_ringbuf_commit(void *data, bool discard);
/* reserve + copy + commit: 0, -EAGAIN when full, -EINVAL if not a ring. */
int ebpf_ringbuf_output(struct ebpf_map *map, const void *data, uint64_t size);

/*
 * bpf_perf_event_output's map side: size bytes of data then frame_len
 * bytes of frame as one record for slot index (EBPF_F_CURRENT_CPU: the
 * running CPU's, 0). 0, -E2BIG for an index past max_entries, -ENOSPC
 * when the ring is full (the record is counted as lost), -EINVAL when map
 * is not a perf event array.
 */
int ebpf_perf_event_output(struct ebpf_map *map, uint64_t index, const void *data, uint64_t size,
			   const void *frame, uint64_t frame_len);

#endif /* UKBPF_EBPF_MAPS_H */
