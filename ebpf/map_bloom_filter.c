/*
 * BPF_MAP_TYPE_BLOOM_FILTER, Linux's kernel/bpf/bloom_filter.c: a set of
 * values without keys that answers "maybe present" or "certainly absent".
 * push (bpf_map_push_elem, the user's update) sets k bits of a bitset for
 * the value; peek (bpf_map_peek_elem, the user's lookup, which reads the
 * value to test) answers 0 when all k are set and -ENOENT otherwise. No
 * false negatives; elements cannot be removed.
 *
 * k is map_extra (1-15, 0 for Linux's default of 5). The bitset is sized
 * as Linux sizes it, max_entries * k / ln 2 bits rounded up to a power of
 * two (at least 64), so the false-positive rate is Linux's; the bit
 * positions are ours: one 64-bit hash of the value split into two halves
 * h1, h2 gives bit i as h1 + i * h2 (Kirsch and Mitzenmacher, "Less
 * Hashing, Same Performance", ESA 2006), where Linux runs jhash k times.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

#define BLOOM_HASH_FUNCS_MASK	 0xfu /* map_extra's low 4 bits; the rest must be 0 */
#define BLOOM_DEFAULT_HASH_FUNCS 5u
#define BLOOM_MIN_BITS		 64u
#define BLOOM_MAX_BITS		 (1ull << 32) /* Linux's cap: a u32 bit index */
#define BLOOM_WORD_BITS		 64u

struct map_bloom {
	uint64_t bit_mask; /* bit count - 1 */
	uint64_t seed;
	uint32_t hash_funcs;
	uint64_t bits[];
};

static int bloom_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	if (map->def.map_extra & ~BLOOM_HASH_FUNCS_MASK) {
		ebpf_log_printf(log,
				"map '%s': bloom filter map_extra %u: at most 15 hash functions",
				map->name, map->def.map_extra);
		return -EINVAL;
	}
	return 0;
}

/*
 * Linux's sizing: max_entries * k * 7 / 5 bits (7/5 for 1/ln 2), in u32
 * arithmetic, a power of two of at least 64; past 2^31, 2^32 bits.
 * ukbpf's limit on a map's memory (maps.c) refuses those long before.
 */
static uint64_t bloom_bit_count(uint32_t max_entries, uint32_t hash_funcs)
{
	uint64_t bits = (uint64_t)max_entries * hash_funcs;
	uint64_t count = BLOOM_MIN_BITS;

	if (bits > UINT32_MAX)
		return BLOOM_MAX_BITS;
	bits = bits / 5 * 7;
	if (bits > (1ull << 31))
		return BLOOM_MAX_BITS;
	while (count < bits)
		count <<= 1;
	return count;
}

static int bloom_alloc(struct ebpf_map *map)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	uint32_t funcs = map->def.map_extra ? map->def.map_extra : BLOOM_DEFAULT_HASH_FUNCS;
	uint64_t bits = bloom_bit_count(map->def.max_entries, funcs);
	struct map_bloom *b = calloc(1, sizeof(*b) + bits / BLOOM_WORD_BITS * sizeof(uint64_t));

	if (!b)
		return -ENOMEM;
	b->bit_mask = bits - 1;
	b->hash_funcs = funcs;
	/* Linux seeds its hash at random unless BPF_F_ZERO_SEED asks for reproducible bits. */
	if (!(map->def.flags & EBPF_F_ZERO_SEED) && platform->random_u32)
		b->seed = (uint64_t)platform->random_u32() << 32 | platform->random_u32();
	map->bloom = b;
	return 0;
}

static void bloom_free(struct ebpf_map *map)
{
	free(map->bloom);
}

/* SplitMix64's finalizer (Steele, Lea and Flood, OOPSLA 2014): every output bit depends on every
 * input bit. */
static uint64_t bloom_finalize(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static uint64_t bloom_hash(const struct map_bloom *b, const void *value, uint32_t size)
{
	const uint8_t *bytes = value;
	uint64_t state = b->seed ^ size, word;
	uint32_t i;

	for (i = 0; i < size; i += sizeof(word)) {
		uint32_t n = size - i < sizeof(word) ? size - i : (uint32_t)sizeof(word);

		word = 0;
		memcpy(&word, bytes + i, n);
		state = bloom_finalize(ebpf_hash_mix(state, word));
	}
	return bloom_finalize(state);
}

/* Bit i of the value's k: h1 + i * h2, h2 odd so that the k differ. */
static uint64_t bloom_bit(const struct map_bloom *b, uint64_t hash, uint32_t i)
{
	uint64_t h1 = hash >> 32, h2 = (hash & UINT32_MAX) | 1;

	return (h1 + i * h2) & b->bit_mask;
}

static int bloom_push(struct ebpf_map *map, const void *value, uint64_t flags)
{
	struct map_bloom *b = map->bloom;
	uint64_t hash;
	uint32_t i;

	if (flags != EBPF_ANY)
		return -EINVAL;
	hash = bloom_hash(b, value, map->def.value_size);
	for (i = 0; i < b->hash_funcs; i++) {
		uint64_t bit = bloom_bit(b, hash, i);

		b->bits[bit / BLOOM_WORD_BITS] |= 1ull << (bit % BLOOM_WORD_BITS);
	}
	return 0;
}

/* Peek: 0 when value may be in the set. A bloom filter cannot pop (Linux: -EOPNOTSUPP). */
static int bloom_pop(struct ebpf_map *map, void *value, bool remove)
{
	const struct map_bloom *b = map->bloom;
	uint64_t hash;
	uint32_t i;

	if (remove)
		return -EOPNOTSUPP;
	hash = bloom_hash(b, value, map->def.value_size);
	for (i = 0; i < b->hash_funcs; i++) {
		uint64_t bit = bloom_bit(b, hash, i);

		if (!(b->bits[bit / BLOOM_WORD_BITS] & (1ull << (bit % BLOOM_WORD_BITS))))
			return -ENOENT;
	}
	return 0;
}

/* Linux: no keys to update by (-EINVAL), nothing to delete or walk (-EOPNOTSUPP). */
static int bloom_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	return -EINVAL;
}

static int bloom_delete(struct ebpf_map *map, const void *key)
{
	return -EOPNOTSUPP;
}

static int bloom_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	return -EOPNOTSUPP;
}

const struct map_ops map_bloom_filter_ops = {
    .check_def = bloom_check_def,
    .alloc = bloom_alloc,
    .free = bloom_free,
    .update = bloom_update,
    .delete = bloom_delete,
    .get_next_key = bloom_get_next_key,
    .push = bloom_push,
    .pop = bloom_pop,
};
