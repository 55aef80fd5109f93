/*
 * eBPF maps with Linux's types, numbering and bpf(2) error codes, so that
 * objects built for Linux behave the same here.
 *
 * Everything a map needs is allocated at create time (like Linux's default
 * preallocation): nothing on the packet path calls malloc. Values are kept
 * 8-byte aligned because programs do 64-bit atomics on them.
 *
 * ukbpf runs programs on one CPU, so the per-CPU map types have exactly the
 * semantics of their plain counterparts, and no locking is needed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

/* Linux caps keys at MAX_BPF_STACK: a program builds them on its stack. */
#define MAP_MAX_KEY_SIZE EBPF_STACK_SIZE
/* Linux's limit is KMALLOC_MAX_SIZE; ours keeps one map under the guest's RAM. */
#define MAP_MAX_VALUE_SIZE    (1u << 20)
#define MAP_MAX_BYTES	      (256ull << 20)
#define ARRAY_KEY_SIZE	      sizeof(uint32_t)
#define PROG_ARRAY_VALUE_SIZE sizeof(uint32_t) /* a program fd in Linux */

/* ---- per-type layouts ---------------------------------------------------- */

#define HASH_NIL EBPF_HASH_NIL

/*
 * A hash element: bucket chain and LRU links are byte offsets into the
 * preallocated element pool (offsets, not indices: following a link on
 * the lookup path then costs no multiply; MAP_MAX_BYTES keeps them below
 * HASH_NIL), then the key (padded to 8) and the value.
 */
struct hash_elem {
	uint32_t next; /* bucket chain, or the free list */
	uint32_t hash;
	uint32_t lru_newer;
	uint32_t lru_older;
	uint8_t data[];
};

/*
 * A bucket: the offset of its chain's first element and, for keys of up to
 * EBPF_HASH_INLINE_KEY bytes, a copy of that element's key. A lookup that
 * hits the head (the usual case) then reads the bucket and computes the
 * value's address without loading the element: one dependent load, as in
 * an open-addressing table. The JIT emits that path inline
 * (ebpf_map_get_inline_hash), so the layout is fixed in ebpf_internal.h.
 */
struct hash_bucket {
	uint64_t head_key; /* the head's key, zero-padded */
	uint32_t head;	   /* element offset, HASH_NIL if empty */
};
_Static_assert(sizeof(struct hash_bucket) == EBPF_HASH_BUCKET_SIZE, "bucket layout");
_Static_assert(offsetof(struct hash_bucket, head_key) == EBPF_HASH_BUCKET_HEAD_KEY,
	       "bucket layout");
_Static_assert(offsetof(struct hash_bucket, head) == EBPF_HASH_BUCKET_HEAD, "bucket layout");

static const char *map_label(const struct ebpf_map *map)
{
	return map->name;
}

/* ---- array family: array, per-CPU array, prog array (devmaps: map_devmap.c) */

uint32_t map_array_index(const void *key)
{
	uint32_t index;

	memcpy(&index, key, sizeof(index));
	return index;
}

static int array_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	/* Linux's array_map_alloc_check: these two are for plain arrays. */
	if (map->def.type != EBPF_MAP_TYPE_ARRAY &&
	    (map->def.flags & (EBPF_F_MMAPABLE | EBPF_F_INNER_MAP))) {
		ebpf_log_printf(log,
				"map '%s': BPF_F_MMAPABLE and BPF_F_INNER_MAP are for arrays only",
				map_label(map));
		return -EINVAL;
	}
	if (map->def.key_size != ARRAY_KEY_SIZE) {
		ebpf_log_printf(log, "map '%s': array key_size must be 4, not %u", map_label(map),
				map->def.key_size);
		return -EINVAL;
	}
	return 0;
}

int map_array_alloc(struct ebpf_map *map)
{
	map->array.values = calloc(map->def.max_entries, map->value_stride);
	return map->array.values ? 0 : -ENOMEM;
}

void map_array_free(struct ebpf_map *map)
{
	free(map->array.values);
}

void *map_array_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	uint32_t index = map_array_index(key);

	if (index >= map->def.max_entries)
		return NULL;
	return map->array.values + (size_t)index * map->value_stride;
}

/* Linux: every slot of an array exists, so NOEXIST always fails. */
int map_array_check_update(const struct ebpf_map *map, uint32_t index, uint64_t flags)
{
	if (flags > EBPF_EXIST)
		return -EINVAL;
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (flags == EBPF_NOEXIST)
		return -EEXIST;
	return 0;
}

/*
 * Linux's copy_map_value: an update writes the value but for its struct
 * bpf_spin_lock, which only bpf_spin_lock/unlock change (a value written
 * from a program's stack would otherwise leave a lock held forever).
 */
static void copy_map_value(const struct ebpf_map *map, void *dst, const void *src)
{
	uint32_t lock = map->spin_lock_off, after = lock + EBPF_SPIN_LOCK_SIZE;

	if (!map->has_spin_lock) {
		memcpy(dst, src, map->def.value_size);
		return;
	}
	memcpy(dst, src, lock);
	memcpy((uint8_t *)dst + after, (const uint8_t *)src + after, map->def.value_size - after);
}

/*
 * A real lock, though the guest has one CPU and XDP does not preempt: the
 * verifier makes every program path release it before anything else
 * runs, so it never spins today, and stays correct if programs ever run
 * in parallel.
 */
void ebpf_spin_lock(uint32_t *lock)
{
	while (__atomic_exchange_n(lock, 1, __ATOMIC_ACQUIRE))
		;
}

void ebpf_spin_unlock(uint32_t *lock)
{
	__atomic_store_n(lock, 0, __ATOMIC_RELEASE);
}

/* Linux's copy_map_value_locked: BPF_F_LOCK's copy, under the destination's lock. */
static void copy_map_value_locked(const struct ebpf_map *map, void *dst, const void *src)
{
	uint32_t *lock = (uint32_t *)((uint8_t *)dst + map->spin_lock_off);

	ebpf_spin_lock(lock);
	copy_map_value(map, dst, src);
	ebpf_spin_unlock(lock);
}

static int array_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	uint32_t index = map_array_index(key);
	int err = map_array_check_update(map, index, flags & ~(uint64_t)EBPF_F_LOCK);

	if (err)
		return err;
	if (flags & EBPF_F_LOCK) {
		if (!map->has_spin_lock)
			return -EINVAL;
		copy_map_value_locked(map, map_array_lookup(map, key, false), value);
		return 0;
	}
	copy_map_value(map, map_array_lookup(map, key, false), value);
	return 0;
}

static int array_delete(struct ebpf_map *map, const void *key)
{
	return -EINVAL;
}

/* Linux: a missing or out-of-range key restarts at 0; the last has no next. */
int map_array_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	uint32_t index = key ? map_array_index(key) : UINT32_MAX;
	uint32_t next;

	if (index >= map->def.max_entries)
		next = 0;
	else if (index == map->def.max_entries - 1)
		return -ENOENT;
	else
		next = index + 1;
	memcpy(next_key, &next, sizeof(next));
	return 0;
}

static int prog_array_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.value_size != PROG_ARRAY_VALUE_SIZE) {
		ebpf_log_printf(log, "map '%s': prog array value_size must be 4, not %u",
				map_label(map), map->def.value_size);
		return -EINVAL;
	}
	return array_check_def(map, log);
}

static int prog_array_alloc(struct ebpf_map *map)
{
	map->prog_array.progs = calloc(map->def.max_entries, sizeof(*map->prog_array.progs));
	return map->prog_array.progs ? 0 : -ENOMEM;
}

static void prog_array_free(struct ebpf_map *map)
{
	free(map->prog_array.progs);
}

static int prog_array_update(struct ebpf_map *map, const void *key, const void *value,
			     uint64_t flags)
{
	return -EINVAL;
}

static int prog_array_delete(struct ebpf_map *map, const void *key)
{
	uint32_t index = map_array_index(key);

	if (index >= map->def.max_entries)
		return -E2BIG;
	if (!map->prog_array.progs[index])
		return -ENOENT;
	map->prog_array.progs[index] = NULL;
	return 0;
}

int ebpf_prog_array_set(struct ebpf_map *map, uint32_t index, struct ebpf_prog *prog)
{
	struct map_prog_array *pa = &map->prog_array;

	if (map->def.type != EBPF_MAP_TYPE_PROG_ARRAY)
		return -EINVAL;
	if (index >= map->def.max_entries)
		return -E2BIG;
	if (prog) {
		if (pa->owned && prog->type != pa->owner_type)
			return -EINVAL;
		pa->owner_type = prog->type;
		pa->owned = true;
	}
	pa->progs[index] = prog;
	return 0;
}

const struct ebpf_prog *ebpf_prog_array_get(const struct ebpf_map *prog_array, uint32_t index)
{
	if (prog_array->def.type != EBPF_MAP_TYPE_PROG_ARRAY ||
	    index >= prog_array->def.max_entries)
		return NULL;
	return prog_array->prog_array.progs[index];
}

/* ---- hash family: hash, per-CPU hash, LRU hash ---------------------------- */

/*
 * Multiplicative hashing a word at a time: a 4- or 8-byte key (an address,
 * a port pair) costs one multiply, where a byte-wise hash such as FNV-1a
 * costs one per byte in a dependent chain. The high half of the product
 * depends on every key bit; the bucket is taken from its low bits.
 */
#define HASH_WORD 8u

static inline __attribute__((always_inline)) uint32_t hash_key(const void *key, uint32_t size)
{
	const uint8_t *bytes = key;
	uint64_t hash = size, word;
	uint32_t i;

	for (i = 0; i + HASH_WORD <= size; i += HASH_WORD) {
		memcpy(&word, bytes + i, HASH_WORD);
		hash = ebpf_hash_mix(hash, word);
		/* fold the high half down: later words then mix with all of it */
		hash ^= hash >> EBPF_HASH_SHIFT;
	}
	if (i < size) {
		word = 0;
		memcpy(&word, bytes + i, size - i);
		hash = ebpf_hash_mix(hash, word);
	}
	return ebpf_hash_of_state(hash);
}

static bool map_is_lru(const struct ebpf_map *map)
{
	return map->def.type == EBPF_MAP_TYPE_LRU_HASH ||
	       map->def.type == EBPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static struct hash_elem *hash_elem_at(const struct map_hash *h, uint32_t off)
{
	return (struct hash_elem *)(h->elems + off);
}

static uint32_t hash_elem_offset(const struct map_hash *h, const struct hash_elem *elem)
{
	return (uint32_t)((const uint8_t *)elem - h->elems);
}

static void *hash_elem_value(const struct map_hash *h, struct hash_elem *elem)
{
	return elem->data + h->key_stride;
}

/* Linux's htab_map_alloc_check, in its order. */
static int hash_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (!map_is_lru(map) && (map->def.flags & EBPF_F_NO_COMMON_LRU)) {
		ebpf_log_printf(log, "map '%s': BPF_F_NO_COMMON_LRU needs an LRU map",
				map_label(map));
		return -EINVAL;
	}
	/* Linux's -ENOTSUPP, which only the kernel defines: ours is -EOPNOTSUPP. */
	if (map_is_lru(map) && (map->def.flags & EBPF_F_NO_PREALLOC)) {
		ebpf_log_printf(log, "map '%s': an LRU map is always preallocated", map_label(map));
		return -EOPNOTSUPP;
	}
	if (map->def.key_size > MAP_MAX_KEY_SIZE) {
		ebpf_log_printf(log, "map '%s': key_size %u exceeds %u", map_label(map),
				map->def.key_size, MAP_MAX_KEY_SIZE);
		return -E2BIG;
	}
	return 0;
}

static uint32_t bucket_count_for(uint32_t entries)
{
	uint32_t count = 1;

	while (count < entries)
		count <<= 1;
	return count;
}

int map_hash_alloc(struct ebpf_map *map)
{
	struct map_hash *h = &map->hash;
	uint32_t buckets = bucket_count_for(map->def.max_entries);

	h->key_stride = map_round_up8(map->def.key_size);
	h->elem_size = sizeof(struct hash_elem) + h->key_stride + map->value_stride;
	h->bucket_mask = buckets - 1;
	h->elems = calloc(map->def.max_entries, h->elem_size);
	h->buckets = malloc((size_t)buckets * sizeof(*h->buckets));
	if (!h->elems || !h->buckets) {
		free(h->elems);
		free(h->buckets);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < buckets; i++)
		h->buckets[i] = (struct hash_bucket){.head_key = 0, .head = HASH_NIL};
	for (uint32_t i = 0; i < map->def.max_entries; i++)
		hash_elem_at(h, i * h->elem_size)->next =
		    i + 1 < map->def.max_entries ? (i + 1) * h->elem_size : HASH_NIL;
	h->free_head = 0;
	h->count = 0;
	h->lru_newest = HASH_NIL;
	h->lru_oldest = HASH_NIL;
	return 0;
}

void map_hash_free(struct ebpf_map *map)
{
	free(map->hash.elems);
	free(map->hash.buckets);
}

/*
 * Key comparison on the packet path: 4- and 8-byte keys (addresses, ports,
 * flow ids) compare as one integer instead of through a libc call, which
 * was a fifth of a hash-map counter program's time.
 */
static inline __attribute__((always_inline)) bool keys_equal(const void *a, const void *b,
							     uint32_t size)
{
	if (size == sizeof(uint32_t)) {
		uint32_t x, y;
		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return x == y;
	}
	if (size == sizeof(uint64_t)) {
		uint64_t x, y;
		memcpy(&x, a, sizeof(x));
		memcpy(&y, b, sizeof(y));
		return x == y;
	}
	return memcmp(a, b, size) == 0;
}

static inline __attribute__((always_inline)) uint64_t inline_key(const void *key, uint32_t key_size)
{
	uint64_t padded = 0;

	memcpy(&padded, key, key_size);
	return padded;
}

static void bucket_set_head(struct map_hash *h, struct hash_bucket *bucket, uint32_t head,
			    uint32_t key_size)
{
	bucket->head = head;
	if (head != HASH_NIL && key_size <= EBPF_HASH_INLINE_KEY)
		bucket->head_key = inline_key(hash_elem_at(h, head)->data, key_size);
}

/* key_size is map->def.key_size, passed so that callers can make it a constant. */
static inline __attribute__((always_inline)) struct hash_elem *
hash_find(const struct ebpf_map *map, const void *key, uint32_t hash, uint32_t key_size)
{
	const struct map_hash *h = &map->hash;
	const struct hash_bucket *bucket = &h->buckets[hash & h->bucket_mask];
	uint32_t i = bucket->head;

	if (key_size <= EBPF_HASH_INLINE_KEY && i != HASH_NIL &&
	    bucket->head_key == inline_key(key, key_size))
		return hash_elem_at(h, i);
	while (i != HASH_NIL) {
		struct hash_elem *elem = hash_elem_at(h, i);

		if (elem->hash == hash && keys_equal(elem->data, key, key_size))
			return elem;
		i = elem->next;
	}
	return NULL;
}

static void lru_unlink(struct map_hash *h, struct hash_elem *elem)
{
	if (elem->lru_newer != HASH_NIL)
		hash_elem_at(h, elem->lru_newer)->lru_older = elem->lru_older;
	else
		h->lru_newest = elem->lru_older;
	if (elem->lru_older != HASH_NIL)
		hash_elem_at(h, elem->lru_older)->lru_newer = elem->lru_newer;
	else
		h->lru_oldest = elem->lru_newer;
}

static void lru_push_newest(struct map_hash *h, struct hash_elem *elem)
{
	uint32_t off = hash_elem_offset(h, elem);

	elem->lru_newer = HASH_NIL;
	elem->lru_older = h->lru_newest;
	if (h->lru_newest != HASH_NIL)
		hash_elem_at(h, h->lru_newest)->lru_newer = off;
	else
		h->lru_oldest = off;
	h->lru_newest = off;
}

static void lru_touch(struct ebpf_map *map, struct hash_elem *elem)
{
	if (!map_is_lru(map) || map->hash.lru_newest == hash_elem_offset(&map->hash, elem))
		return;
	lru_unlink(&map->hash, elem);
	lru_push_newest(&map->hash, elem);
}

void *map_hash_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	uint32_t key_size = map->def.key_size;
	struct hash_elem *elem = hash_find(map, key, hash_key(key, key_size), key_size);

	if (!elem)
		return NULL;
	if (touch)
		lru_touch(map, elem);
	return hash_elem_value(&map->hash, elem);
}

/*
 * A program's lookup in a hash or per-CPU hash map (no LRU order to keep),
 * compiled once per common key size so that hashing and comparing the key
 * are a few inline instructions.
 */
static inline __attribute__((always_inline)) void *
hash_prog_lookup_sized(struct ebpf_map *map, const void *key, uint32_t key_size)
{
	struct hash_elem *elem = hash_find(map, key, hash_key(key, key_size), key_size);

	return elem ? hash_elem_value(&map->hash, elem) : NULL;
}

static void *hash_prog_lookup_key32(struct ebpf_map *map, const void *key)
{
	return hash_prog_lookup_sized(map, key, sizeof(uint32_t));
}

static void *hash_prog_lookup_key64(struct ebpf_map *map, const void *key)
{
	return hash_prog_lookup_sized(map, key, sizeof(uint64_t));
}

static void hash_unlink(struct ebpf_map *map, struct hash_elem *elem)
{
	struct map_hash *h = &map->hash;
	uint32_t off = hash_elem_offset(h, elem);
	struct hash_bucket *bucket = &h->buckets[elem->hash & h->bucket_mask];

	if (bucket->head == off) {
		bucket_set_head(h, bucket, elem->next, map->def.key_size);
	} else {
		uint32_t *link = &hash_elem_at(h, bucket->head)->next;

		while (*link != off)
			link = &hash_elem_at(h, *link)->next;
		*link = elem->next;
	}
	if (map_is_lru(map))
		lru_unlink(h, elem);
	elem->next = h->free_head;
	h->free_head = off;
	h->count--;
}

/* A free element for a new key; a full LRU map recycles its oldest. */
static struct hash_elem *hash_take_free(struct ebpf_map *map)
{
	struct map_hash *h = &map->hash;
	struct hash_elem *elem;

	if (h->free_head == HASH_NIL) {
		if (!map_is_lru(map) || h->lru_oldest == HASH_NIL)
			return NULL;
		hash_unlink(map, hash_elem_at(h, h->lru_oldest));
	}
	elem = hash_elem_at(h, h->free_head);
	h->free_head = elem->next;
	return elem;
}

int map_hash_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	struct map_hash *h = &map->hash;
	uint32_t hash = hash_key(key, map->def.key_size);
	struct hash_elem *elem;
	bool locked = flags & EBPF_F_LOCK;

	flags &= ~(uint64_t)EBPF_F_LOCK;
	/* Linux: BPF_F_LOCK on a plain hash whose value has a lock only */
	if (flags > EBPF_EXIST || (locked && (!map->has_spin_lock || map_is_lru(map))))
		return -EINVAL;
	elem = hash_find(map, key, hash, map->def.key_size);
	if (elem) {
		if (flags == EBPF_NOEXIST)
			return -EEXIST;
		if (locked) {
			copy_map_value_locked(map, hash_elem_value(h, elem), value);
			return 0;
		}
		lru_touch(map, elem);
	} else {
		if (flags == EBPF_EXIST)
			return -ENOENT;
		elem = hash_take_free(map);
		if (!elem)
			return -E2BIG;
		elem->hash = hash;
		memcpy(elem->data, key, map->def.key_size);
		struct hash_bucket *bucket = &h->buckets[hash & h->bucket_mask];

		elem->next = bucket->head;
		bucket_set_head(h, bucket, hash_elem_offset(h, elem), map->def.key_size);
		if (map_is_lru(map))
			lru_push_newest(h, elem);
		h->count++;
		/* a new element's lock is free, whatever a deleted one left */
		if (map->has_spin_lock)
			memset((uint8_t *)hash_elem_value(h, elem) + map->spin_lock_off, 0,
			       EBPF_SPIN_LOCK_SIZE);
	}
	copy_map_value(map, hash_elem_value(h, elem), value);
	return 0;
}

int map_hash_delete(struct ebpf_map *map, const void *key)
{
	struct hash_elem *elem =
	    hash_find(map, key, hash_key(key, map->def.key_size), map->def.key_size);

	if (!elem)
		return -ENOENT;
	hash_unlink(map, elem);
	return 0;
}

static int hash_lookup_and_delete(struct ebpf_map *map, const void *key, void *value)
{
	struct hash_elem *elem =
	    hash_find(map, key, hash_key(key, map->def.key_size), map->def.key_size);

	if (!elem)
		return -ENOENT;
	memcpy(value, hash_elem_value(&map->hash, elem), map->def.value_size);
	hash_unlink(map, elem);
	return 0;
}

/*
 * Linux's order: along the key's bucket chain, then the following buckets.
 * A key that is not in the map restarts the walk at the first bucket.
 */
int map_hash_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	const struct map_hash *h = &map->hash;
	struct hash_elem *elem = NULL;
	uint32_t bucket = 0;

	if (key) {
		uint32_t hash = hash_key(key, map->def.key_size);

		elem = hash_find(map, key, hash, map->def.key_size);
		if (elem)
			bucket = (hash & h->bucket_mask) + 1;
	}
	if (elem && elem->next != HASH_NIL) {
		elem = hash_elem_at(h, elem->next);
	} else {
		elem = NULL;
		for (; bucket <= h->bucket_mask && !elem; bucket++)
			if (h->buckets[bucket].head != HASH_NIL)
				elem = hash_elem_at(h, h->buckets[bucket].head);
		if (!elem)
			return -ENOENT;
	}
	memcpy(next_key, elem->data, map->def.key_size);
	return 0;
}

/* ---- type table and the generic API --------------------------------------- */

static const struct map_ops array_ops = {
    .check_def = array_check_def,
    .alloc = map_array_alloc,
    .free = map_array_free,
    .lookup = map_array_lookup,
    .update = array_update,
    .delete = array_delete,
    .get_next_key = map_array_get_next_key,
};

static const struct map_ops prog_array_ops = {
    .check_def = prog_array_check_def,
    .alloc = prog_array_alloc,
    .free = prog_array_free,
    .update = prog_array_update,
    .delete = prog_array_delete,
    .get_next_key = map_array_get_next_key,
};

static const struct map_ops hash_ops = {
    .check_def = hash_check_def,
    .alloc = map_hash_alloc,
    .free = map_hash_free,
    .lookup = map_hash_lookup,
    .update = map_hash_update,
    .delete = map_hash_delete,
    .get_next_key = map_hash_get_next_key,
    .lookup_and_delete = hash_lookup_and_delete,
};

/*
 * What a type's key and value are, checked before its own check_def:
 * keyed types need both sizes; value-only types (queue, stack, bloom
 * filter) have key_size 0; the ring buffer has neither and max_entries
 * is its size in bytes.
 */
enum map_shape { MAP_SHAPE_KEYED, MAP_SHAPE_VALUES, MAP_SHAPE_RECORDS };

/* Linux's BPF_F_ACCESS_MASK: who may read and write, user space and programs. */
#define MAP_F_ACCESS (EBPF_F_RDONLY | EBPF_F_WRONLY | EBPF_F_RDONLY_PROG | EBPF_F_WRONLY_PROG)
/*
 * The flags each type accepts, Linux's *_CREATE_FLAG_MASK. None changes
 * semantics here beyond what the type's code says: one CPU has one LRU
 * list and one memory node, and access flags limit programs (the
 * verifier's business) and users (their own business in one address
 * space).
 */
#define ARRAY_FLAGS (EBPF_F_NUMA_NODE | EBPF_F_MMAPABLE | MAP_F_ACCESS | EBPF_F_INNER_MAP)
/* Linux's fd arrays (prog array, perf event array) refuse the program access flags. */
#define FD_ARRAY_FLAGS	   (EBPF_F_NUMA_NODE | EBPF_F_RDONLY | EBPF_F_WRONLY)
#define HASH_OF_MAPS_FLAGS (EBPF_F_NO_PREALLOC | EBPF_F_NUMA_NODE | MAP_F_ACCESS | EBPF_F_ZERO_SEED)
#define HASH_FLAGS                                                                                 \
	(EBPF_F_NO_PREALLOC | EBPF_F_NO_COMMON_LRU | EBPF_F_NUMA_NODE | MAP_F_ACCESS |             \
	 EBPF_F_ZERO_SEED)
#define DEVMAP_FLAGS	   (EBPF_F_NUMA_NODE | EBPF_F_RDONLY | EBPF_F_WRONLY)
#define LPM_TRIE_FLAGS	   (EBPF_F_NO_PREALLOC | EBPF_F_NUMA_NODE | MAP_F_ACCESS)
#define QUEUE_STACK_FLAGS  (EBPF_F_NUMA_NODE | MAP_F_ACCESS)
#define RINGBUF_FLAGS	   EBPF_F_NUMA_NODE
#define BLOOM_FILTER_FLAGS (EBPF_F_NUMA_NODE | EBPF_F_ZERO_SEED | MAP_F_ACCESS)
#define CPUMAP_FLAGS	   EBPF_F_NUMA_NODE
#define XSKMAP_FLAGS	   (EBPF_F_NUMA_NODE | EBPF_F_RDONLY | EBPF_F_WRONLY)

struct map_type {
	const char *name; /* Linux's, as bpftool prints it */
	const struct map_ops *ops;
	enum map_shape shape;
	uint32_t flags; /* the flags create accepts */
	/*
	 * The flags Linux sets on every map of the type, in the definition
	 * users read back and inner maps are matched by: a devmap is
	 * BPF_F_RDONLY_PROG, only user space changes one.
	 */
	uint32_t forced_flags;
};

/* Indexed by Linux's enum bpf_map_type number. */
static const struct map_type map_types[] = {
    [EBPF_MAP_TYPE_HASH] = {"hash", &hash_ops, MAP_SHAPE_KEYED, HASH_FLAGS},
    [EBPF_MAP_TYPE_ARRAY] = {"array", &array_ops, MAP_SHAPE_KEYED, ARRAY_FLAGS},
    [EBPF_MAP_TYPE_PROG_ARRAY] = {"prog_array", &prog_array_ops, MAP_SHAPE_KEYED, FD_ARRAY_FLAGS},
    [EBPF_MAP_TYPE_PERF_EVENT_ARRAY] = {"perf_event_array", &map_perf_event_array_ops,
					MAP_SHAPE_KEYED, FD_ARRAY_FLAGS},
    [EBPF_MAP_TYPE_PERCPU_HASH] = {"percpu_hash", &hash_ops, MAP_SHAPE_KEYED, HASH_FLAGS},
    [EBPF_MAP_TYPE_PERCPU_ARRAY] = {"percpu_array", &array_ops, MAP_SHAPE_KEYED, ARRAY_FLAGS},
    [EBPF_MAP_TYPE_LRU_HASH] = {"lru_hash", &hash_ops, MAP_SHAPE_KEYED, HASH_FLAGS},
    [EBPF_MAP_TYPE_LRU_PERCPU_HASH] = {"lru_percpu_hash", &hash_ops, MAP_SHAPE_KEYED, HASH_FLAGS},
    [EBPF_MAP_TYPE_LPM_TRIE] = {"lpm_trie", &map_lpm_trie_ops, MAP_SHAPE_KEYED, LPM_TRIE_FLAGS},
    [EBPF_MAP_TYPE_ARRAY_OF_MAPS] = {"array_of_maps", &map_array_of_maps_ops, MAP_SHAPE_KEYED,
				     FD_ARRAY_FLAGS},
    [EBPF_MAP_TYPE_HASH_OF_MAPS] = {"hash_of_maps", &map_hash_of_maps_ops, MAP_SHAPE_KEYED,
				    HASH_OF_MAPS_FLAGS},
    [EBPF_MAP_TYPE_DEVMAP] = {"devmap", &map_devmap_ops, MAP_SHAPE_KEYED, DEVMAP_FLAGS,
			      EBPF_F_RDONLY_PROG},
    [EBPF_MAP_TYPE_CPUMAP] = {"cpumap", &map_cpumap_ops, MAP_SHAPE_KEYED, CPUMAP_FLAGS},
    [EBPF_MAP_TYPE_XSKMAP] = {"xskmap", &map_xskmap_ops, MAP_SHAPE_KEYED, XSKMAP_FLAGS},
    [EBPF_MAP_TYPE_QUEUE] = {"queue", &map_queue_ops, MAP_SHAPE_VALUES, QUEUE_STACK_FLAGS},
    [EBPF_MAP_TYPE_STACK] = {"stack", &map_stack_ops, MAP_SHAPE_VALUES, QUEUE_STACK_FLAGS},
    [EBPF_MAP_TYPE_DEVMAP_HASH] = {"devmap_hash", &map_devmap_hash_ops, MAP_SHAPE_KEYED,
				   DEVMAP_FLAGS, EBPF_F_RDONLY_PROG},
    [EBPF_MAP_TYPE_RINGBUF] = {"ringbuf", &map_ringbuf_ops, MAP_SHAPE_RECORDS, RINGBUF_FLAGS},
    [EBPF_MAP_TYPE_BLOOM_FILTER] = {"bloom_filter", &map_bloom_filter_ops, MAP_SHAPE_VALUES,
				    BLOOM_FILTER_FLAGS},
};

static const struct map_type *map_type_of(uint32_t type)
{
	if (type >= sizeof(map_types) / sizeof(map_types[0]) || !map_types[type].ops)
		return NULL;
	return &map_types[type];
}

const char *ebpf_map_type_name(uint32_t type)
{
	const struct map_type *t = map_type_of(type);

	return t ? t->name : "?";
}

static uint64_t round_up8(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

uint64_t ebpf_map_def_bytes(const struct ebpf_map_def *def)
{
	if (def->type == EBPF_MAP_TYPE_RINGBUF)
		return def->max_entries;
	return (uint64_t)def->max_entries * (round_up8(def->key_size) + round_up8(def->value_size));
}

static void *map_prog_lookup_generic(struct ebpf_map *map, const void *key)
{
	return map->ops->lookup(map, key, true);
}

/* Types that programs cannot look up (the verifier refuses the call). */
static void *map_prog_lookup_none(struct ebpf_map *map, const void *key)
{
	return NULL;
}

/* A program's lookups go straight to a function made for the map's key size where there is one. */
static ebpf_map_lookup_fn map_prog_lookup_for(const struct ebpf_map *map)
{
	bool plain_hash =
	    map->def.type == EBPF_MAP_TYPE_HASH || map->def.type == EBPF_MAP_TYPE_PERCPU_HASH;

	if (plain_hash && map->def.key_size == sizeof(uint32_t))
		return hash_prog_lookup_key32;
	if (plain_hash && map->def.key_size == sizeof(uint64_t))
		return hash_prog_lookup_key64;
	if (map->ops->prog_lookup)
		return map->ops->prog_lookup;
	return map->ops->lookup ? map_prog_lookup_generic : map_prog_lookup_none;
}

/* Sizes by the type's shape, and the memory all entries would take. */
static int map_check_sizes(const struct ebpf_map *map, enum map_shape shape, struct ebpf_log *log)
{
	const struct ebpf_map_def *def = &map->def;
	uint64_t bytes;

	if (!def->max_entries) {
		ebpf_log_printf(log, "map '%s': max_entries is 0", map_label(map));
		return -EINVAL;
	}
	if (shape == MAP_SHAPE_RECORDS)
		bytes = def->max_entries;
	else if (shape == MAP_SHAPE_KEYED && (!def->key_size || !def->value_size)) {
		ebpf_log_printf(log, "map '%s': key_size %u and value_size %u must not be 0",
				map_label(map), def->key_size, def->value_size);
		return -EINVAL;
	} else if (shape == MAP_SHAPE_VALUES && (def->key_size || !def->value_size)) {
		ebpf_log_printf(log,
				"map '%s': %s has no keys: key_size %u must be 0, "
				"value_size %u must not",
				map_label(map), ebpf_map_type_name(def->type), def->key_size,
				def->value_size);
		return -EINVAL;
	} else if (def->value_size > MAP_MAX_VALUE_SIZE) {
		ebpf_log_printf(log, "map '%s': value_size %u exceeds %u", map_label(map),
				def->value_size, MAP_MAX_VALUE_SIZE);
		return -E2BIG;
	} else {
		bytes = (uint64_t)def->max_entries *
			(map_round_up8(def->key_size) + map_round_up8(def->value_size));
	}
	if (bytes > MAP_MAX_BYTES) {
		ebpf_log_printf(log, "map '%s': %u entries need %llu bytes, more than %llu",
				map_label(map), def->max_entries, (unsigned long long)bytes,
				(unsigned long long)MAP_MAX_BYTES);
		return -E2BIG;
	}
	return 0;
}

/* Linux's map_create, then the type's own checks (map_alloc_check). */
static int map_check_def(const struct ebpf_map *map, const struct map_type *type,
			 struct ebpf_log *log)
{
	uint32_t flags = map->def.flags;
	int err;

	if (!type) {
		ebpf_log_printf(log, "map '%s': unsupported map type %u", map_label(map),
				map->def.type);
		return -EINVAL;
	}
	/* Only the bloom filter reads map_extra; Linux refuses it elsewhere. */
	if (map->def.map_extra && map->def.type != EBPF_MAP_TYPE_BLOOM_FILTER) {
		ebpf_log_printf(log, "map '%s': map_extra %u is for bloom filters only",
				map_label(map), map->def.map_extra);
		return -EINVAL;
	}
	if (flags & ~type->flags) {
		ebpf_log_printf(log, "map '%s': unsupported map flags 0x%x for %s", map_label(map),
				flags & ~type->flags, type->name);
		return -EINVAL;
	}
	/* Linux's bpf_map_flags_access_ok: programs may not be barred both ways. */
	if ((flags & (EBPF_F_RDONLY_PROG | EBPF_F_WRONLY_PROG)) ==
	    (EBPF_F_RDONLY_PROG | EBPF_F_WRONLY_PROG)) {
		ebpf_log_printf(log, "map '%s': BPF_F_RDONLY_PROG and BPF_F_WRONLY_PROG together",
				map_label(map));
		return -EINVAL;
	}
	err = map_check_sizes(map, type->shape, log);
	return err ? err : type->ops->check_def(map, log);
}

/*
 * Linux's bpf_map_meta_alloc: the template of outer's inner maps, a map
 * checked as if created (Linux's template is a map that was) but without
 * storage. Maps nest one level deep; the outer type's check_def refuses
 * the other types that cannot be inside a map.
 */
static int map_make_inner_meta(struct ebpf_map *outer, const struct ebpf_map_def *inner,
			       struct ebpf_log *log)
{
	const struct map_type *type = map_type_of(inner->type);
	struct ebpf_map *meta = calloc(1, sizeof(*meta));
	int err;

	if (!meta)
		return -ENOMEM;
	meta->def = *inner;
	snprintf(meta->name, sizeof(meta->name), "%.*s.inner", MAP_NAME_SIZE - 7, outer->name);
	meta->value_stride = map_round_up8(inner->value_size);
	if (type && type->ops->holds_maps) {
		ebpf_log_printf(log, "map '%s': inner map '%s' is itself a %s: one level only",
				map_label(outer), map_label(meta), type->name);
		free(meta);
		return -EINVAL;
	}
	err = map_check_def(meta, type, log);
	if (err) {
		free(meta);
		return err;
	}
	meta->def.flags |= type->forced_flags;
	meta->ops = type->ops;
	outer->inner_meta = meta;
	return 0;
}

static int map_create(const struct ebpf_map_def *def, const struct ebpf_map_def *inner,
		      const char *name, struct ebpf_map **mapp, struct ebpf_log *log)
{
	const struct map_type *type = map_type_of(def->type);
	struct ebpf_map *map;
	int err = 0;

	*mapp = NULL;
	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	map->def = *def;
	if (name)
		snprintf(map->name, sizeof(map->name), "%s", name);
	map->value_stride = map_round_up8(def->value_size);
	if (inner && (!type || !type->ops->holds_maps)) {
		ebpf_log_printf(log, "map '%s': an inner map is for map-in-map types only",
				map_label(map));
		err = -EINVAL;
	} else if (inner) {
		err = map_make_inner_meta(map, inner, log);
	}
	if (!err)
		err = map_check_def(map, type, log);
	if (!err) {
		map->def.flags |= type->forced_flags;
		map->ops = type->ops;
		map->prog_lookup = map_prog_lookup_for(map);
		err = map->ops->alloc(map);
		if (err)
			ebpf_log_printf(log, "map '%s': out of memory for %u entries",
					map_label(map), def->max_entries);
	}
	if (err) {
		free(map->inner_meta);
		free(map);
		return err;
	}
	*mapp = map;
	return 0;
}

int ebpf_map_create(const struct ebpf_map_def *def, const char *name, struct ebpf_map **mapp,
		    struct ebpf_log *log)
{
	return map_create(def, NULL, name, mapp, log);
}

int ebpf_map_create_outer(const struct ebpf_map_def *def, const struct ebpf_map_def *inner,
			  const char *name, struct ebpf_map **mapp, struct ebpf_log *log)
{
	return map_create(def, inner, name, mapp, log);
}

void ebpf_map_free(struct ebpf_map *map)
{
	if (!map)
		return;
	map->ops->free(map);
	free(map->inner_meta); /* a template: no storage to free */
	free(map);
}

const struct ebpf_map_def *ebpf_map_get_def(const struct ebpf_map *map)
{
	return &map->def;
}

const char *ebpf_map_get_name(const struct ebpf_map *map)
{
	return map->name;
}

/*
 * Linux's bpf(2) BPF_MAP_LOOKUP_ELEM: a value-only type peeks (a bloom
 * filter reads value as the element to test); prog arrays and ring
 * buffers hold programs and records, not values to copy.
 */
int ebpf_map_lookup(struct ebpf_map *map, const void *key, void *value)
{
	const void *found;

	if (map->ops->pop)
		return map->ops->pop(map, value, false);
	/* Map-in-map: Linux returns the inner map's id; ukbpf has no ids. */
	if (!map->ops->lookup || map->ops->holds_maps)
		return -EOPNOTSUPP;
	found = map->ops->lookup(map, key, false);
	if (!found)
		return -ENOENT;
	memcpy(value, found, map->def.value_size);
	return 0;
}

/* BPF_MAP_UPDATE_ELEM: a value-only type pushes value, key unused. */
int ebpf_map_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	if (map->frozen)
		return -EPERM;
	if (map->ops->push)
		return map->ops->push(map, value, flags);
	return map->ops->update(map, key, value, flags);
}

int ebpf_map_delete(struct ebpf_map *map, const void *key)
{
	if (map->frozen)
		return -EPERM;
	return map->ops->delete (map, key);
}

int ebpf_map_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	return map->ops->get_next_key(map, key, next_key);
}

/* BPF_MAP_LOOKUP_AND_DELETE_ELEM: queue and stack pop, the hash types (not devmap_hash) too. */
int ebpf_map_lookup_and_delete(struct ebpf_map *map, const void *key, void *value)
{
	if (map->ops->pop)
		return map->ops->pop(map, value, true);
	if (map->ops->lookup_and_delete)
		return map->ops->lookup_and_delete(map, key, value);
	return -EOPNOTSUPP;
}

int ebpf_map_push(struct ebpf_map *map, const void *value, uint64_t flags)
{
	return map->ops->push ? map->ops->push(map, value, flags) : -EOPNOTSUPP;
}

int ebpf_map_pop(struct ebpf_map *map, void *value, bool remove)
{
	int err = map->ops->pop ? map->ops->pop(map, value, remove) : -EOPNOTSUPP;

	if (err == -ENOENT && map->ops->clears_when_empty)
		memset(value, 0, map->def.value_size);
	return err;
}

bool ebpf_map_redirect_target(struct ebpf_map *map, uint32_t key, struct ebpf_xdp_target *target)
{
	return map->ops->redirect && map->ops->redirect(map, key, target);
}

void *ebpf_map_lookup_ptr(struct ebpf_map *map, const void *key)
{
	return map->prog_lookup(map, key);
}

void *ebpf_map_walk_value(struct ebpf_map *map, const void *key)
{
	return map->ops->lookup ? map->ops->lookup(map, key, false) : NULL;
}

ebpf_map_lookup_fn ebpf_map_get_prog_lookup(const struct ebpf_map *map)
{
	return map->prog_lookup;
}

bool ebpf_map_get_inline_hash(const struct ebpf_map *map, struct ebpf_map_inline_hash *out)
{
	if (map->prog_lookup != hash_prog_lookup_key32 &&
	    map->prog_lookup != hash_prog_lookup_key64)
		return false;
	*out = (struct ebpf_map_inline_hash){
	    .buckets = (const uint8_t *)map->hash.buckets,
	    .values = map->hash.elems + offsetof(struct hash_elem, data) + map->hash.key_stride,
	    .bucket_mask = map->hash.bucket_mask,
	    .key_size = map->def.key_size,
	};
	return true;
}

void *ebpf_map_value_addr(struct ebpf_map *map, uint32_t off)
{
	if ((map->def.type != EBPF_MAP_TYPE_ARRAY && map->def.type != EBPF_MAP_TYPE_PERCPU_ARRAY) ||
	    off >= map->def.value_size)
		return NULL;
	return map->array.values + off;
}

/* Only the loader freezes, and only .rodata maps, which programs cannot write either. */
void ebpf_map_freeze(struct ebpf_map *map)
{
	map->frozen = true;
}

bool ebpf_map_read_constant(const struct ebpf_map *map, uint64_t off, unsigned int size,
			    uint64_t *value)
{
	if (!map->frozen || !(map->def.flags & EBPF_F_RDONLY_PROG) ||
	    map->def.type != EBPF_MAP_TYPE_ARRAY || off > map->def.value_size ||
	    size > map->def.value_size - off || size > sizeof(*value))
		return false;
	*value = 0;
	/* Little-endian: the target's byte order is the host's (x86-64). */
	memcpy(value, map->array.values + off, size);
	return true;
}

void ebpf_map_set_spin_lock(struct ebpf_map *map, uint32_t offset)
{
	map->has_spin_lock = true;
	map->spin_lock_off = offset;
}

bool ebpf_map_get_spin_lock(const struct ebpf_map *map, uint32_t *offset)
{
	*offset = map->spin_lock_off;
	return map->has_spin_lock;
}
