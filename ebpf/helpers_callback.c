/*
 * The helpers that call a function of the program: bpf_loop and
 * bpf_for_each_map_elem, with Linux 6.1's semantics (kernel/bpf/
 * bpf_iter.c, arraymap.c, hashtab.c). The callback argument is a
 * struct ebpf_callback made by the engine that runs the program
 * (ebpf_internal.h), so these are plain helpers for the interpreter and
 * the JIT alike. The verifier has checked that the callback returns 0
 * (go on) or 1 (stop).
 */
#include <errno.h>

#include "ebpf_internal.h"
#include "helpers_callback.h"
#include "maps.h"

static uint64_t errno_ret(int err)
{
	return (uint64_t)(int64_t)err;
}

/* Linux: nr_loops is a u32; the result counts the calls made. */
uint64_t ebpf_helper_loop(uint64_t nr_loops, uint64_t callback, uint64_t callback_ctx,
			  uint64_t flags, uint64_t r5)
{
	const struct ebpf_callback *cb = (const struct ebpf_callback *)(uintptr_t)callback;
	uint32_t count = (uint32_t)nr_loops, i;

	(void)r5;
	if (flags)
		return errno_ret(-EINVAL);
	if (count > EBPF_MAX_LOOPS)
		return errno_ret(-E2BIG);
	for (i = 0; i < count; i++) {
		if (cb->call(cb, i, callback_ctx, 0, 0))
			return (uint64_t)i + 1;
	}
	return i;
}

bool ebpf_map_type_has_for_each(uint32_t map_type)
{
	switch (map_type) {
	case EBPF_MAP_TYPE_HASH:
	case EBPF_MAP_TYPE_ARRAY:
	case EBPF_MAP_TYPE_PERCPU_HASH:
	case EBPF_MAP_TYPE_PERCPU_ARRAY:
	case EBPF_MAP_TYPE_LRU_HASH:
	case EBPF_MAP_TYPE_LRU_PERCPU_HASH:
		return true;
	default:
		return false;
	}
}

/*
 * Calls the callback on each element (the running CPU's value of a
 * per-CPU map) with a copy of its key, as Linux does, until it returns 1;
 * the result counts the elements visited. Elements are visited in key
 * order for arrays and in ebpf_map_get_next_key's order for hashes (Linux:
 * bucket order). The next key is found before the callback runs, so that
 * it may delete the element it is given; the walk makes at most
 * max_entries calls, whatever the callback adds or deletes.
 */
uint64_t ebpf_helper_for_each_map_elem(uint64_t map_arg, uint64_t callback, uint64_t callback_ctx,
				       uint64_t flags, uint64_t r5)
{
	struct ebpf_map *map = (struct ebpf_map *)(uintptr_t)map_arg;
	const struct ebpf_callback *cb = (const struct ebpf_callback *)(uintptr_t)callback;
	const struct ebpf_map_def *def = ebpf_map_get_def(map);
	uint8_t keys[2][EBPF_STACK_SIZE];
	uint8_t *key = keys[0], *next = keys[1];
	uint64_t visited = 0;
	uint32_t calls;
	bool more;

	(void)r5;
	if (flags)
		return errno_ret(-EINVAL);
	more = ebpf_map_get_next_key(map, NULL, key) == 0;
	for (calls = 0; more && calls < def->max_entries; calls++) {
		void *value = ebpf_map_walk_value(map, key);
		uint8_t *swap;

		more = ebpf_map_get_next_key(map, key, next) == 0;
		if (value) {
			visited++;
			/* the walk's own copy: the verifier lets the callback only read it */
			if (cb->call(cb, map_arg, (uintptr_t)key, (uintptr_t)value, callback_ctx))
				break;
		}
		swap = key;
		key = next;
		next = swap;
	}
	return visited;
}
