/*
 * BPF_MAP_TYPE_QUEUE and BPF_MAP_TYPE_STACK, Linux's
 * kernel/bpf/queue_stack_maps.c: values without keys in a ring of
 * max_entries + 1 slots (one stays free to tell full from empty). Both
 * push at head; a queue pops the oldest value (at tail), a stack the
 * newest (below head). Pushing with BPF_EXIST into a full map overwrites
 * the oldest value for both, as Linux does.
 *
 * Programs use bpf_map_push_elem/pop_elem/peek_elem; users update (push),
 * lookup (peek) and lookup_and_delete (pop). Programs cannot look values
 * up in place, so nothing hands out a pointer into the ring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

struct map_queue {
	uint32_t head; /* the next slot to push into */
	uint32_t tail; /* the oldest value */
	uint32_t size; /* max_entries + 1 slots */
	uint8_t values[] __attribute__((aligned(MAP_VALUE_ALIGN)));
};

static int queue_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	return 0; /* the shape (no key, a value) and the flags say it all */
}

static int queue_alloc(struct ebpf_map *map)
{
	uint32_t size = map->def.max_entries + 1;
	struct map_queue *q = calloc(1, sizeof(*q) + (size_t)size * map->def.value_size);

	if (!q)
		return -ENOMEM;
	q->size = size;
	map->queue = q;
	return 0;
}

static void queue_free(struct ebpf_map *map)
{
	free(map->queue);
}

static uint8_t *queue_slot(const struct ebpf_map *map, uint32_t index)
{
	return map->queue->values + (size_t)index * map->def.value_size;
}

static uint32_t queue_next(const struct map_queue *q, uint32_t index)
{
	return index + 1 == q->size ? 0 : index + 1;
}

static bool queue_empty(const struct map_queue *q)
{
	return q->head == q->tail;
}

/* Linux's queue_stack_map_push_elem: flags ANY or EXIST (overwrite the oldest). */
static int queue_push(struct ebpf_map *map, const void *value, uint64_t flags)
{
	struct map_queue *q = map->queue;

	if ((flags & EBPF_NOEXIST) || flags > EBPF_EXIST)
		return -EINVAL;
	if (queue_next(q, q->head) == q->tail) {
		if (flags != EBPF_EXIST)
			return -E2BIG;
		q->tail = queue_next(q, q->tail);
	}
	memcpy(queue_slot(map, q->head), value, map->def.value_size);
	q->head = queue_next(q, q->head);
	return 0;
}

static int queue_pop(struct ebpf_map *map, void *value, bool remove)
{
	struct map_queue *q = map->queue;

	if (queue_empty(q))
		return -ENOENT;
	memcpy(value, queue_slot(map, q->tail), map->def.value_size);
	if (remove)
		q->tail = queue_next(q, q->tail);
	return 0;
}

static int stack_pop(struct ebpf_map *map, void *value, bool remove)
{
	struct map_queue *q = map->queue;
	uint32_t top = q->head == 0 ? q->size - 1 : q->head - 1;

	if (queue_empty(q))
		return -ENOENT;
	memcpy(value, queue_slot(map, top), map->def.value_size);
	if (remove)
		q->head = top;
	return 0;
}

/* Linux: update, delete and get_next_key by key are -EINVAL on these types. */
static int queue_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	return -EINVAL;
}

static int queue_delete(struct ebpf_map *map, const void *key)
{
	return -EINVAL;
}

static int queue_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	return -EINVAL;
}

const struct map_ops map_queue_ops = {
    .check_def = queue_check_def,
    .alloc = queue_alloc,
    .free = queue_free,
    .update = queue_update,
    .delete = queue_delete,
    .get_next_key = queue_get_next_key,
    .push = queue_push,
    .pop = queue_pop,
    .clears_when_empty = true,
};

const struct map_ops map_stack_ops = {
    .check_def = queue_check_def,
    .alloc = queue_alloc,
    .free = queue_free,
    .update = queue_update,
    .delete = queue_delete,
    .get_next_key = queue_get_next_key,
    .push = queue_push,
    .pop = stack_pop,
    .clears_when_empty = true,
};
