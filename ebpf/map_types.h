/*
 * Private to the map files: the layout of struct ebpf_map and the table
 * of functions each map type fills in (struct map_ops). maps.c holds the
 * type table, the generic API of ebpf.h and the array and hash
 * families; a type with a structure or rules of its own has its own file
 * (map_lpm_trie.c, map_queue_stack.c, map_bloom_filter.c, map_devmap.c
 * for devmaps over the array and hash storage, map_cpumap.c,
 * map_xskmap.c, map_of_maps.c for map-in-map, and map_ringbuf.c for the
 * ring buffer and the perf event array) that offers maps.c its map_ops
 * and keeps its layout to itself.
 */
#ifndef UKBPF_EBPF_MAP_TYPES_H
#define UKBPF_EBPF_MAP_TYPES_H

#include "maps.h"

#define MAP_NAME_SIZE	64
#define MAP_VALUE_ALIGN 8

/* Array, per-CPU array and devmap values: max_entries slots of value_stride. */
struct map_array {
	uint8_t *values;
};

struct map_prog_array {
	const struct ebpf_prog **progs;
	enum ebpf_prog_type owner_type; /* type of the first program stored */
	bool owned;
};

struct hash_bucket;

/* The hash family (maps.c): elements and buckets are maps.c's business. */
struct map_hash {
	uint8_t *elems;		     /* max_entries elements of elem_size */
	struct hash_bucket *buckets; /* bucket_mask + 1 of them */
	uint32_t bucket_mask;	     /* bucket count - 1 (a power of two) */
	uint32_t elem_size;
	uint32_t key_stride; /* key_size rounded up to 8 */
	uint32_t free_head;
	uint32_t count;
	uint32_t lru_newest; /* LRU types only */
	uint32_t lru_oldest;
};

/* Layouts private to each type's own file. */
struct map_ringbuf;
struct map_trie;
struct map_queue;
struct map_bloom;
struct map_xsk_slot;
struct map_of_maps;

struct map_ops;

struct ebpf_map {
	struct ebpf_map_def def;
	char name[MAP_NAME_SIZE];
	const struct map_ops *ops;
	ebpf_map_lookup_fn prog_lookup; /* see map_prog_lookup_for in maps.c */
	uint32_t value_stride;		/* value_size rounded up to 8 */
	bool frozen;			/* ebpf_map_freeze: user space may not write it */
	/*
	 * Map-in-map: the template its inner maps match (Linux's
	 * inner_map_meta), a map with a definition and ops but no storage,
	 * which the verifier types a looked-up inner map by. NULL otherwise.
	 */
	struct ebpf_map *inner_meta;
	/* Where a value holds its struct bpf_spin_lock (from BTF), if has_spin_lock. */
	bool has_spin_lock;
	uint32_t spin_lock_off;
	union {
		struct map_array array;
		struct map_prog_array prog_array;
		struct map_hash hash;
		struct map_ringbuf *ringbuf;
		struct map_trie *trie;
		struct map_queue *queue;
		struct map_bloom *bloom;
		struct map_xsk_slot *xsk_slots;
		struct map_of_maps *of_maps;
	};
};

/*
 * What differs between map types. check_def runs after maps.c's generic
 * checks (flags against the type's mask, sizes against its shape) and
 * refuses what Linux's map_alloc_check would, with Linux's errno. lookup
 * returns the value's address (NULL: programs cannot look the type up
 * and users get -EOPNOTSUPP); touch says a program looked it up (LRU
 * order: like Linux, user-space lookups do not refresh an element).
 *
 * push/pop are the value-only types' operations (queue, stack, bloom
 * filter), NULL elsewhere: push adds a value (bpf_map_push_elem, and the
 * user's update); pop copies the next value out and, with remove, takes
 * it away (bpf_map_pop_elem, lookup_and_delete) or leaves it
 * (bpf_map_peek_elem, the user's lookup). A bloom filter's "pop" without
 * remove reads value as the element to test. pop never writes value when
 * it fails; clears_when_empty says that a program's pop or peek of an
 * empty map zeroes the program's buffer, as Linux's queue and stack do.
 *
 * holds_maps: the values are maps (map_of_maps.c): a program's lookup
 * returns the inner map itself, and the map needs an inner_meta.
 */
struct map_ops {
	int (*check_def)(const struct ebpf_map *map, struct ebpf_log *log);
	int (*alloc)(struct ebpf_map *map);
	void (*free)(struct ebpf_map *map);
	void *(*lookup)(struct ebpf_map *map, const void *key, bool touch);
	int (*update)(struct ebpf_map *map, const void *key, const void *value, uint64_t flags);
	int (*delete)(struct ebpf_map *map, const void *key);
	int (*get_next_key)(struct ebpf_map *map, const void *key, void *next_key);
	int (*push)(struct ebpf_map *map, const void *value, uint64_t flags);
	int (*pop)(struct ebpf_map *map, void *value, bool remove);
	bool clears_when_empty;
	bool holds_maps;
	/* BPF_MAP_LOOKUP_AND_DELETE_ELEM of a keyed type; NULL: -EOPNOTSUPP. */
	int (*lookup_and_delete)(struct ebpf_map *map, const void *key, void *value);
	/* A program's lookup where it is not lookup's (xskmap: users may not look up). */
	void *(*prog_lookup)(struct ebpf_map *map, const void *key);
	/* bpf_redirect_map's target for key (ebpf_map_redirect_target); NULL: not a target. */
	bool (*redirect)(struct ebpf_map *map, uint32_t key, struct ebpf_xdp_target *target);
};

static inline uint32_t map_round_up8(uint32_t n)
{
	return (n + MAP_VALUE_ALIGN - 1) & ~(uint32_t)(MAP_VALUE_ALIGN - 1);
}

/* The operations of the types that have a file of their own. */
extern const struct map_ops map_lpm_trie_ops;
extern const struct map_ops map_queue_ops;
extern const struct map_ops map_stack_ops;
extern const struct map_ops map_bloom_filter_ops;
extern const struct map_ops map_ringbuf_ops;
extern const struct map_ops map_perf_event_array_ops;
extern const struct map_ops map_devmap_ops;
extern const struct map_ops map_devmap_hash_ops;
extern const struct map_ops map_cpumap_ops;
extern const struct map_ops map_xskmap_ops;
extern const struct map_ops map_array_of_maps_ops;
extern const struct map_ops map_hash_of_maps_ops;

/* Linux's array order (maps.c): a missing or out-of-range key restarts at 0. */
int map_array_get_next_key(struct ebpf_map *map, const void *key, void *next_key);
/* An array's key, its u32 index (maps.c). */
uint32_t map_array_index(const void *key);

/*
 * The array and hash families' storage (maps.c), for the types built on
 * it (map_devmap.c): their map_ops functions, and the array's update
 * checks (Linux's array_map_update_elem: flags, then the index).
 */
int map_array_alloc(struct ebpf_map *map);
void map_array_free(struct ebpf_map *map);
void *map_array_lookup(struct ebpf_map *map, const void *key, bool touch);
int map_array_check_update(const struct ebpf_map *map, uint32_t index, uint64_t flags);
int map_hash_alloc(struct ebpf_map *map);
void map_hash_free(struct ebpf_map *map);
void *map_hash_lookup(struct ebpf_map *map, const void *key, bool touch);
int map_hash_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags);
int map_hash_delete(struct ebpf_map *map, const void *key);
int map_hash_get_next_key(struct ebpf_map *map, const void *key, void *next_key);

#endif /* UKBPF_EBPF_MAP_TYPES_H */
