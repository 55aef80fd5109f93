/*
 * Maps: Linux's bpf(2) semantics and error codes for every type ukbpf
 * offers, LRU eviction order, iteration, the ring buffer, longest-prefix
 * match and Linux's get_next_key order in the LPM trie, queue and stack,
 * the bloom filter, the devmaps' values, and the perf event array's records.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebpf_internal.h"
#include "maps.h"

static char log_text[256];

static struct ebpf_log fresh_log(void)
{
	log_text[0] = '\0';
	return (struct ebpf_log){.buf = log_text, .size = sizeof(log_text)};
}

static struct ebpf_map *make_map(uint32_t type, uint32_t key_size, uint32_t value_size,
				 uint32_t max_entries)
{
	struct ebpf_map_def def = {type, key_size, value_size, max_entries, 0, 0};
	struct ebpf_log log = fresh_log();
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(&def, "test", &map, &log), 0);
	assert_non_null(map);
	return map;
}

static int create_err(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t max_entries,
		      uint32_t flags)
{
	struct ebpf_map_def def = {type, key_size, value_size, max_entries, flags, 0};
	struct ebpf_log log = fresh_log();
	struct ebpf_map *map = (struct ebpf_map *)&def; /* must be reset to NULL */
	int err = ebpf_map_create(&def, "counts", &map, &log);

	assert_null(map);
	assert_true(log.len > 0);
	return err;
}

/* ---- create ---------------------------------------------------------------- */

static void test_create_rejects_bad_defs(void **state)
{
	assert_int_equal(create_err(99, 4, 8, 1, 0), -EINVAL);
	assert_string_equal(log_text, "map 'counts': unsupported map type 99");
	assert_int_equal(create_err(EBPF_MAP_TYPE_HASH, 0, 8, 1, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_HASH, 4, 0, 1, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_HASH, 4, 8, 0, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_ARRAY, 8, 8, 1, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_ARRAY, 4, 8, 1, 1u << 20), -EINVAL);
	assert_non_null(strstr(log_text, "flags"));
	assert_int_equal(create_err(EBPF_MAP_TYPE_HASH, 513, 8, 1, 0), -E2BIG);
	assert_int_equal(create_err(EBPF_MAP_TYPE_ARRAY, 4, 1u << 21, 1, 0), -E2BIG);
	assert_int_equal(create_err(EBPF_MAP_TYPE_ARRAY, 4, 8, UINT32_MAX, 0), -E2BIG);
	assert_int_equal(create_err(EBPF_MAP_TYPE_DEVMAP, 4, 2, 1, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_PROG_ARRAY, 4, 8, 1, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_RINGBUF, 0, 0, 4096 * 3, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_RINGBUF, 0, 0, 2048, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_RINGBUF, 4, 0, 4096, 0), -EINVAL);
}

static void test_create_keeps_name_and_def(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_HASH, 4, 8, 16, 1 /* NO_PREALLOC */, 0};
	struct ebpf_map *map;

	assert_int_equal(ebpf_map_create(&def, "flows", &map, NULL), 0);
	assert_string_equal(ebpf_map_get_name(map), "flows");
	assert_memory_equal(ebpf_map_get_def(map), &def, sizeof(def));
	ebpf_map_free(map);
	assert_int_equal(ebpf_map_create(&def, NULL, &map, NULL), 0);
	assert_string_equal(ebpf_map_get_name(map), "");
	ebpf_map_free(map);
	ebpf_map_free(NULL);
}

/* ---- arrays ------------------------------------------------------------------ */

static void check_array_semantics(uint32_t type)
{
	struct ebpf_map *map = make_map(type, 4, 12, 4);
	uint8_t value[12], out[12], zero[12] = {0};
	uint32_t key = 2, next;

	memset(value, 0xab, sizeof(value));
	assert_int_equal(ebpf_map_lookup(map, &key, out), 0);
	assert_memory_equal(out, zero, sizeof(out));
	assert_int_equal(ebpf_map_update(map, &key, value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup(map, &key, out), 0);
	assert_memory_equal(out, value, sizeof(out));
	assert_int_equal(ebpf_map_update(map, &key, value, EBPF_EXIST), 0);
	assert_int_equal(ebpf_map_update(map, &key, value, EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_map_update(map, &key, value, 3), -EINVAL);
	assert_int_equal(ebpf_map_delete(map, &key), -EINVAL);
	key = 4;
	assert_int_equal(ebpf_map_update(map, &key, value, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_map_lookup(map, &key, out), -ENOENT);
	assert_null(ebpf_map_lookup_ptr(map, &key));

	assert_int_equal(ebpf_map_get_next_key(map, NULL, &next), 0);
	assert_int_equal(next, 0);
	key = 1;
	assert_int_equal(ebpf_map_get_next_key(map, &key, &next), 0);
	assert_int_equal(next, 2);
	key = 3;
	assert_int_equal(ebpf_map_get_next_key(map, &key, &next), -ENOENT);
	key = 77;
	assert_int_equal(ebpf_map_get_next_key(map, &key, &next), 0);
	assert_int_equal(next, 0);
	ebpf_map_free(map);
}

/*
 * Linux's BPF_MAP_FREEZE as the loader does it to .rodata: user writes are
 * -EPERM, and a frozen array programs cannot write gives the verifier its
 * bytes as constants (bpf_map_direct_read); nothing else does.
 */
static void test_frozen_read_only_array(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_ARRAY, 4, 12, 1, EBPF_F_RDONLY_PROG, 0};
	const uint8_t bytes[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	struct ebpf_map *rodata = NULL, *data;
	uint8_t value[12];
	uint32_t key = 0;
	uint64_t constant;

	assert_int_equal(ebpf_map_create(&def, ".rodata", &rodata, NULL), 0);
	data = make_map(EBPF_MAP_TYPE_ARRAY, 4, 12, 1);
	assert_int_equal(ebpf_map_update(rodata, &key, bytes, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_update(data, &key, bytes, EBPF_ANY), 0);
	assert_false(ebpf_map_read_constant(rodata, 0, 4, &constant)); /* not frozen yet */

	ebpf_map_freeze(rodata);
	ebpf_map_freeze(data);
	assert_int_equal(ebpf_map_update(rodata, &key, bytes, EBPF_ANY), -EPERM);
	assert_int_equal(ebpf_map_delete(rodata, &key), -EPERM);
	assert_int_equal(ebpf_map_lookup(rodata, &key, value), 0);
	assert_memory_equal(value, bytes, sizeof(bytes));
	assert_true(ebpf_map_read_constant(rodata, 0, 1, &constant));
	assert_int_equal(constant, 1);
	assert_true(ebpf_map_read_constant(rodata, 2, 2, &constant));
	assert_int_equal(constant, 0x0403);
	assert_true(ebpf_map_read_constant(rodata, 4, 8, &constant));
	assert_int_equal(constant, 0x0c0b0a0908070605ull);
	assert_false(ebpf_map_read_constant(rodata, 5, 8, &constant));		/* past the value */
	assert_false(ebpf_map_read_constant(rodata, UINT64_MAX, 1, &constant)); /* negative */
	assert_false(ebpf_map_read_constant(data, 0, 4, &constant)); /* programs may write it */
	ebpf_map_free(rodata);
	ebpf_map_free(data);
}

static void test_array(void **state)
{
	check_array_semantics(EBPF_MAP_TYPE_ARRAY);
}

static void test_percpu_array(void **state)
{
	check_array_semantics(EBPF_MAP_TYPE_PERCPU_ARRAY);
}

static void test_array_values_aligned_and_addressable(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_ARRAY, 4, 5, 3);
	uint32_t key = 1;
	uint8_t *slot0, *slot1;

	key = 0;
	slot0 = ebpf_map_lookup_ptr(map, &key);
	key = 1;
	slot1 = ebpf_map_lookup_ptr(map, &key);
	assert_int_equal((uintptr_t)slot0 % 8, 0);
	assert_int_equal((uintptr_t)slot1 % 8, 0);
	assert_ptr_equal(ebpf_map_value_addr(map, 0), slot0);
	assert_ptr_equal(ebpf_map_value_addr(map, 4), slot0 + 4);
	assert_null(ebpf_map_value_addr(map, 5));
	/* A program's store through the pointer is what the user reads. */
	slot1[0] = 0x5a;
	uint8_t out[5];
	assert_int_equal(ebpf_map_lookup(map, &key, out), 0);
	assert_int_equal(out[0], 0x5a);
	ebpf_map_free(map);

	map = make_map(EBPF_MAP_TYPE_HASH, 4, 8, 1);
	assert_null(ebpf_map_value_addr(map, 0));
	ebpf_map_free(map);
}

/* ---- hashes ------------------------------------------------------------------- */

/* Up to 16 key bytes: n in the first four, a marker in the rest. */
#define MAX_TEST_KEY 16

struct test_key {
	uint8_t bytes[MAX_TEST_KEY];
};

static struct test_key test_key(uint32_t n, uint32_t key_size)
{
	struct test_key key;

	memset(key.bytes, 0x77, sizeof(key.bytes));
	memcpy(key.bytes, &n, key_size < sizeof(n) ? key_size : sizeof(n));
	return key;
}

/*
 * Lookups by programs go through a function chosen for the key size (4
 * and 8 bytes have their own), so every size class is checked, and with
 * more keys than buckets' worth of luck: chains must be walked.
 */
static const uint32_t hash_key_sizes[] = {4, 6, 8, 13};

static void check_hash_semantics_sized(uint32_t type, uint32_t key_size)
{
	enum { KEYS = 64 };
	struct ebpf_map *map = make_map(type, key_size, 8, KEYS);
	struct test_key key = test_key(1, key_size);
	uint64_t value = 10, out;
	uint64_t *ptr;
	uint32_t n;

	assert_int_equal(ebpf_map_lookup(map, key.bytes, &out), -ENOENT);
	assert_null(ebpf_map_lookup_ptr(map, key.bytes));
	assert_int_equal(ebpf_map_update(map, key.bytes, &value, EBPF_EXIST), -ENOENT);
	assert_int_equal(ebpf_map_update(map, key.bytes, &value, EBPF_NOEXIST), 0);
	assert_int_equal(ebpf_map_update(map, key.bytes, &value, EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_map_update(map, key.bytes, &value, 7), -EINVAL);
	value = 11;
	assert_int_equal(ebpf_map_update(map, key.bytes, &value, EBPF_EXIST), 0);
	assert_int_equal(ebpf_map_lookup(map, key.bytes, &out), 0);
	assert_int_equal(out, 11);

	ptr = ebpf_map_lookup_ptr(map, key.bytes);
	assert_non_null(ptr);
	assert_int_equal((uintptr_t)ptr % 8, 0);
	__atomic_fetch_add(ptr, 5, __ATOMIC_RELAXED);
	assert_int_equal(ebpf_map_lookup(map, key.bytes, &out), 0);
	assert_int_equal(out, 16);

	/* fill the map: every key finds its own value through the program path */
	for (n = 2; n <= KEYS; n++) {
		struct test_key other = test_key(n, key_size);

		value = n * 100;
		assert_int_equal(ebpf_map_update(map, other.bytes, &value, EBPF_NOEXIST), 0);
	}
	for (n = 2; n <= KEYS; n++) {
		struct test_key other = test_key(n, key_size);

		ptr = ebpf_map_lookup_ptr(map, other.bytes);
		assert_non_null(ptr);
		assert_int_equal(*ptr, n * 100);
	}
	key = test_key(KEYS + 1, key_size);
	assert_null(ebpf_map_lookup_ptr(map, key.bytes));

	key = test_key(1, key_size);
	assert_int_equal(ebpf_map_delete(map, key.bytes), 0);
	assert_int_equal(ebpf_map_delete(map, key.bytes), -ENOENT);
	assert_null(ebpf_map_lookup_ptr(map, key.bytes));
	ebpf_map_free(map);
}

static void check_hash_semantics(uint32_t type)
{
	for (size_t i = 0; i < sizeof(hash_key_sizes) / sizeof(hash_key_sizes[0]); i++)
		check_hash_semantics_sized(type, hash_key_sizes[i]);
}

static void test_hash(void **state)
{
	check_hash_semantics(EBPF_MAP_TYPE_HASH);
}

static void test_percpu_hash(void **state)
{
	check_hash_semantics(EBPF_MAP_TYPE_PERCPU_HASH);
}

static void test_lru_hash(void **state)
{
	check_hash_semantics(EBPF_MAP_TYPE_LRU_HASH);
}

static void test_full_hash_is_e2big_and_recovers(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_HASH, 4, 4, 4);
	uint32_t value = 0;

	for (uint32_t key = 0; key < 4; key++)
		assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	uint32_t extra = 100;
	assert_int_equal(ebpf_map_update(map, &extra, &value, EBPF_ANY), -E2BIG);
	/* Updating an existing key needs no new element. */
	uint32_t key = 3;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_int_equal(ebpf_map_update(map, &extra, &value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup(map, &extra, &value), 0);
	ebpf_map_free(map);
}

static bool lru_has(struct ebpf_map *map, uint32_t key)
{
	uint32_t value;

	return ebpf_map_lookup(map, &key, &value) == 0;
}

static void check_lru_eviction(uint32_t type)
{
	struct ebpf_map *map = make_map(type, 4, 4, 3);
	uint32_t value = 0;

	for (uint32_t key = 1; key <= 3; key++)
		assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	/* A program's lookup refreshes 1; updating 2 refreshes it: 3 is oldest. */
	uint32_t key = 1;
	assert_non_null(ebpf_map_lookup_ptr(map, &key));
	key = 2;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_EXIST), 0);
	key = 4;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_NOEXIST), 0);
	assert_false(lru_has(map, 3));
	assert_true(lru_has(map, 1) && lru_has(map, 2) && lru_has(map, 4));

	/* User-space lookups do not refresh (Linux): 1 is now the oldest. */
	key = 1;
	assert_int_equal(ebpf_map_lookup(map, &key, &value), 0);
	key = 5;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	assert_false(lru_has(map, 1));
	assert_true(lru_has(map, 2) && lru_has(map, 4) && lru_has(map, 5));

	/* A deleted element frees its slot instead of evicting. */
	key = 2;
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	key = 6;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	assert_true(lru_has(map, 4) && lru_has(map, 5) && lru_has(map, 6));
	ebpf_map_free(map);
}

static void test_lru_evicts_least_recently_used(void **state)
{
	check_lru_eviction(EBPF_MAP_TYPE_LRU_HASH);
}

/* One CPU: the per-CPU LRU hash is the LRU hash. */
static void test_lru_percpu_hash(void **state)
{
	check_hash_semantics(EBPF_MAP_TYPE_LRU_PERCPU_HASH);
	check_lru_eviction(EBPF_MAP_TYPE_LRU_PERCPU_HASH);
}

static void test_hash_lookup_and_delete(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_HASH, 4, 8, 4);
	struct ebpf_map *array = make_map(EBPF_MAP_TYPE_ARRAY, 4, 8, 4);
	uint64_t value = 0x1122334455667788ull, out = 0;
	uint32_t key = 9;

	assert_int_equal(ebpf_map_lookup_and_delete(map, &key, &out), -ENOENT);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup_and_delete(map, &key, &out), 0);
	assert_true(out == value);
	assert_int_equal(ebpf_map_lookup(map, &key, &out), -ENOENT);
	key = 0;
	assert_int_equal(ebpf_map_lookup_and_delete(array, &key, &out), -EOPNOTSUPP);
	ebpf_map_free(map);
	ebpf_map_free(array);
}

#define ITER_KEYS 300

static void test_hash_get_next_key_visits_each_key_once(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_HASH, 4, 4, ITER_KEYS);
	uint8_t seen[ITER_KEYS] = {0};
	uint32_t key, next, value = 0, visited = 0;
	int err;

	for (key = 0; key < ITER_KEYS; key++)
		assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	for (err = ebpf_map_get_next_key(map, NULL, &next); err == 0;
	     err = ebpf_map_get_next_key(map, &key, &next)) {
		assert_true(next < ITER_KEYS);
		seen[next]++;
		visited++;
		key = next;
	}
	assert_int_equal(err, -ENOENT);
	assert_int_equal(visited, ITER_KEYS);
	for (key = 0; key < ITER_KEYS; key++)
		assert_int_equal(seen[key], 1);

	/* A key not in the map restarts at the first key, as in Linux. */
	uint32_t first, missing = 99999;
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &first), 0);
	assert_int_equal(ebpf_map_get_next_key(map, &missing, &next), 0);
	assert_int_equal(next, first);

	/* Deleting the current key while walking (the usual drain loop). */
	for (err = ebpf_map_get_next_key(map, NULL, &next); err == 0;
	     err = ebpf_map_get_next_key(map, NULL, &next))
		assert_int_equal(ebpf_map_delete(map, &next), 0);
	assert_int_equal(err, -ENOENT);
	ebpf_map_free(map);
}

/* ---- prog array, devmap ----------------------------------------------------------- */

static void test_prog_array(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
	struct ebpf_map *array = make_map(EBPF_MAP_TYPE_ARRAY, 4, 4, 2);
	struct ebpf_prog xdp_a = {.type = EBPF_PROG_TYPE_XDP};
	struct ebpf_prog xdp_b = {.type = EBPF_PROG_TYPE_XDP};
	struct ebpf_prog filter = {.type = EBPF_PROG_TYPE_SOCKET_FILTER};
	uint32_t key = 1, value;

	assert_null(ebpf_prog_array_get(map, 0));
	assert_int_equal(ebpf_prog_array_set(map, 0, &xdp_a), 0);
	assert_int_equal(ebpf_prog_array_set(map, 1, &xdp_b), 0);
	assert_ptr_equal(ebpf_prog_array_get(map, 0), &xdp_a);
	assert_ptr_equal(ebpf_prog_array_get(map, 1), &xdp_b);
	assert_null(ebpf_prog_array_get(map, 2));
	assert_int_equal(ebpf_prog_array_set(map, 2, &xdp_a), -E2BIG);
	assert_int_equal(ebpf_prog_array_set(map, 0, &filter), -EINVAL);
	assert_int_equal(ebpf_prog_array_set(array, 0, &xdp_a), -EINVAL);
	assert_null(ebpf_prog_array_get(array, 0));

	assert_int_equal(ebpf_map_lookup(map, &key, &value), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_null(ebpf_prog_array_get(map, 1));
	assert_int_equal(ebpf_map_delete(map, &key), -ENOENT);
	key = 9;
	assert_int_equal(ebpf_map_delete(map, &key), -E2BIG);
	assert_int_equal(ebpf_prog_array_set(map, 0, NULL), 0);
	assert_null(ebpf_prog_array_get(map, 0));
	ebpf_map_free(map);
	ebpf_map_free(array);
}

static void test_devmap(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_DEVMAP, 4, 4, 4);
	uint32_t key = 1, ifindex = 7, out;

	assert_int_equal(ebpf_map_lookup(map, &key, &out), -ENOENT);
	assert_null(ebpf_map_lookup_ptr(map, &key));
	assert_int_equal(ebpf_devmap_ifindex(map, 1), 0);
	assert_int_equal(ebpf_map_update(map, &key, &ifindex, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup(map, &key, &out), 0);
	assert_int_equal(out, 7);
	assert_int_equal(ebpf_devmap_ifindex(map, 1), 7);
	assert_int_equal(ebpf_devmap_ifindex(map, 4), 0);
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_int_equal(ebpf_devmap_ifindex(map, 1), 0);
	assert_int_equal(ebpf_map_lookup(map, &key, &out), -ENOENT);
	key = 4;
	assert_int_equal(ebpf_map_update(map, &key, &ifindex, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_map_delete(map, &key), -EINVAL);
	ebpf_map_free(map);

	/* Only devmaps answer ebpf_devmap_ifindex. */
	map = make_map(EBPF_MAP_TYPE_ARRAY, 4, 4, 4);
	key = 0;
	assert_int_equal(ebpf_map_update(map, &key, &ifindex, EBPF_ANY), 0);
	assert_int_equal(ebpf_devmap_ifindex(map, 0), 0);
	ebpf_map_free(map);
}

/* ---- ring buffer --------------------------------------------------------------------- */

#define RING_SIZE 4096
#define MAX_SEEN  64

struct seen_records {
	size_t count;
	uint32_t first_word[MAX_SEEN];
	size_t len[MAX_SEEN];
	int stop_after; /* return 1 after this many records; 0: never */
};

static int record_seen(void *ctx, const void *data, size_t len)
{
	struct seen_records *seen = ctx;

	assert_true(seen->count < MAX_SEEN);
	assert_int_equal((uintptr_t)data % 8, 0);
	memcpy(&seen->first_word[seen->count], data, sizeof(uint32_t));
	seen->len[seen->count++] = len;
	return seen->stop_after && seen->count == (size_t)seen->stop_after;
}

static uint32_t *reserve_word(struct ebpf_map *ring, uint64_t size, uint32_t word)
{
	uint32_t *record = ebpf_ringbuf_reserve(ring, size);

	assert_non_null(record);
	*record = word;
	return record;
}

static void test_ringbuf_reserve_submit_discard_consume(void **state)
{
	struct ebpf_map *ring = make_map(EBPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE);
	struct seen_records seen = {0};
	uint32_t *a = reserve_word(ring, 4, 0xa);
	uint32_t *b = reserve_word(ring, 12, 0xb);
	uint32_t *c = reserve_word(ring, 4, 0xc);

	/* Nothing is visible before submit; a busy record blocks later ones. */
	ebpf_ringbuf_commit(b, false);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 0);
	ebpf_ringbuf_commit(a, false);
	ebpf_ringbuf_commit(c, true);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 2);
	assert_int_equal(seen.count, 2);
	assert_int_equal(seen.first_word[0], 0xa);
	assert_int_equal(seen.len[0], 4);
	assert_int_equal(seen.first_word[1], 0xb);
	assert_int_equal(seen.len[1], 12);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 0);

	uint64_t payload = 0x1122334455667788ull;
	assert_int_equal(ebpf_ringbuf_output(ring, &payload, sizeof(payload)), 0);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 1);
	assert_int_equal(seen.first_word[2], 0x55667788);
	assert_int_equal(seen.len[2], 8);
	ebpf_map_free(ring);
}

static void test_ringbuf_full_wraps_and_stops(void **state)
{
	struct ebpf_map *ring = make_map(EBPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE);
	struct seen_records seen = {0};
	const uint64_t size = 1000; /* 1008 bytes with header: 4 fit, 64 left */
	uint32_t word;

	for (word = 0; word < 4; word++)
		ebpf_ringbuf_commit(reserve_word(ring, size, word), false);
	assert_null(ebpf_ringbuf_reserve(ring, size));
	assert_int_equal(ebpf_ringbuf_output(ring, &word, 100), -EAGAIN);

	/*
	 * Consume two: the next record cannot fit in the 64 bytes at the end,
	 * so it wraps to the start behind a padding record, and one more
	 * fills the ring exactly up to the consumer.
	 */
	seen.stop_after = 2;
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 2);
	ebpf_ringbuf_commit(reserve_word(ring, size, 4), false);
	ebpf_ringbuf_commit(reserve_word(ring, size, 5), false);
	assert_null(ebpf_ringbuf_reserve(ring, 0));
	seen.stop_after = 0;
	assert_int_equal(ebpf_ringbuf_consume(ring, record_seen, &seen), 4);
	assert_int_equal(seen.count, 6);
	for (word = 0; word < 6; word++)
		assert_int_equal(seen.first_word[word], word);
	ebpf_map_free(ring);

	/* The largest record fills a fresh ring: header + RING_SIZE - 8. */
	ring = make_map(EBPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE);
	assert_null(ebpf_ringbuf_reserve(ring, RING_SIZE));
	assert_null(ebpf_ringbuf_reserve(ring, UINT64_MAX));
	assert_non_null(ebpf_ringbuf_reserve(ring, RING_SIZE - 8));
	assert_null(ebpf_ringbuf_reserve(ring, 0));
	ebpf_map_free(ring);
}

static int record_fail(void *ctx, const void *data, size_t len)
{
	return -EIO;
}

static void test_ringbuf_user_api_and_errors(void **state)
{
	struct ebpf_map *ring = make_map(EBPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE);
	struct ebpf_map *array = make_map(EBPF_MAP_TYPE_ARRAY, 4, 4, 1);
	uint32_t key = 0, value = 0;

	assert_int_equal(ebpf_map_lookup(ring, &key, &value), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_update(ring, &key, &value, 0), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_delete(ring, &key), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_get_next_key(ring, NULL, &key), -EOPNOTSUPP);
	assert_null(ebpf_map_lookup_ptr(ring, &key));
	assert_null(ebpf_ringbuf_reserve(array, 8));
	assert_int_equal(ebpf_ringbuf_output(array, &value, 4), -EINVAL);
	assert_int_equal(ebpf_ringbuf_consume(array, record_fail, NULL), -EINVAL);
	assert_int_equal(ebpf_ringbuf_output(ring, &value, 4), 0);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_fail, NULL), -EIO);
	assert_int_equal(ebpf_ringbuf_consume(ring, record_fail, NULL), 0);
	ebpf_map_free(ring);
	ebpf_map_free(array);
}

/* ---- create: the new types' rules (Linux's map_alloc_check of each) ------------ */

#define F_NO_PREALLOC	0x1u
#define F_NO_COMMON_LRU 0x2u
#define F_ZERO_SEED	0x40u
#define F_RDONLY_PROG	0x80u
#define F_WRONLY_PROG	0x100u

static int create_extra_err(uint32_t type, uint32_t key_size, uint32_t value_size,
			    uint32_t max_entries, uint32_t flags, uint32_t map_extra)
{
	struct ebpf_map_def def = {type, key_size, value_size, max_entries, flags, map_extra};
	struct ebpf_log log = fresh_log();
	struct ebpf_map *map = NULL;
	int err = ebpf_map_create(&def, "counts", &map, &log);

	assert_null(map);
	assert_true(log.len > 0);
	return err;
}

static void test_create_rejects_bad_defs_of_new_types(void **state)
{
	/* LPM trie: BPF_F_NO_PREALLOC required, key 4 + 1..256 bytes, a value. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, 0), -EINVAL);
	assert_non_null(strstr(log_text, "BPF_F_NO_PREALLOC"));
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 4, 4, 4, F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 261, 4, 4, F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 8, 0, 4, F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 8, 4, 0, F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_LPM_TRIE, 8, 4, 4, F_NO_PREALLOC | F_ZERO_SEED),
			 -EINVAL);
	/* Queue and stack: no key, a value, no NO_PREALLOC. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_QUEUE, 4, 4, 4, 0), -EINVAL);
	assert_non_null(strstr(log_text, "key_size 4 must be 0"));
	assert_int_equal(create_err(EBPF_MAP_TYPE_STACK, 0, 0, 4, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_STACK, 0, 4, 4, F_NO_PREALLOC), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_QUEUE, 0, 1u << 21, 1, 0), -E2BIG);
	/* Bloom filter: no key, at most 15 hash functions; map_extra is its alone. */
	assert_int_equal(create_extra_err(EBPF_MAP_TYPE_BLOOM_FILTER, 0, 4, 4, 0, 16), -EINVAL);
	assert_int_equal(create_extra_err(EBPF_MAP_TYPE_BLOOM_FILTER, 4, 4, 4, 0, 0), -EINVAL);
	assert_int_equal(create_extra_err(EBPF_MAP_TYPE_HASH, 4, 4, 4, 0, 3), -EINVAL);
	assert_non_null(strstr(log_text, "map_extra"));
	/* Devmaps: 4-byte keys, 4- or 8-byte values, and Linux's few flags. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_DEVMAP_HASH, 8, 4, 4, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_DEVMAP_HASH, 4, 6, 4, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, F_RDONLY_PROG), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_DEVMAP, 4, 4, 4, F_NO_PREALLOC), -EINVAL);
	/* Hash family: Linux's -ENOTSUPP for an LRU map without preallocation. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 4, 4, F_NO_PREALLOC),
			 -EOPNOTSUPP);
	assert_int_equal(create_err(EBPF_MAP_TYPE_HASH, 4, 4, 4, F_NO_COMMON_LRU), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_ARRAY, 4, 4, 4, F_RDONLY_PROG | F_WRONLY_PROG),
			 -EINVAL);
}

static void test_map_type_names(void **state)
{
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_LPM_TRIE), "lpm_trie");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_DEVMAP_HASH), "devmap_hash");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_LRU_PERCPU_HASH), "lru_percpu_hash");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_BLOOM_FILTER), "bloom_filter");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_PERF_EVENT_ARRAY), "perf_event_array");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_CPUMAP), "cpumap");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_XSKMAP), "xskmap");
	assert_string_equal(ebpf_map_type_name(EBPF_MAP_TYPE_HASH_OF_MAPS), "hash_of_maps");
	assert_string_equal(ebpf_map_type_name(26), "?"); /* Linux's STRUCT_OPS: not ours */
	assert_string_equal(ebpf_map_type_name(UINT32_MAX), "?");
}

/* ---- cpumap and xskmap ------------------------------------------------------------ */

static void test_cpumap(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_CPUMAP, 4, 8, 4);
	uint32_t cpu = 0, other_cpu = 1, past = 4, next;
	struct {
		uint32_t qsize;
		int32_t prog;
	} val = {192, -1}, out;

	/* Linux's sizes, flags and NR_CPUS limit at create. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_CPUMAP, 4, 12, 4, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_CPUMAP, 8, 4, 4, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_CPUMAP, 4, 4, 4, F_RDONLY_PROG), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_CPUMAP, 4, 4, 8193, 0), -E2BIG);

	assert_int_equal(ebpf_map_lookup(map, &cpu, &out), -ENOENT);
	assert_int_equal(ebpf_map_update(map, &cpu, &val, EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_map_update(map, &cpu, &val, 3), -EINVAL);
	assert_int_equal(ebpf_map_update(map, &past, &val, EBPF_ANY), -E2BIG);
	/* One CPU: CPU 1 is in range but does not exist. */
	assert_int_equal(ebpf_map_update(map, &other_cpu, &val, EBPF_ANY), -ENODEV);
	assert_int_equal(ebpf_map_update(map, &cpu, &val, EBPF_EXIST), 0);
	assert_int_equal(ebpf_map_lookup(map, &cpu, &out), 0);
	assert_int_equal(out.qsize, 192);
	assert_int_equal(out.prog, 0); /* the program's id: none */
	val.qsize = 16385;
	assert_int_equal(ebpf_map_update(map, &cpu, &val, EBPF_ANY), -EOVERFLOW);
	val = (typeof(val)){64, 3}; /* a program fd: names nothing here */
	assert_int_equal(ebpf_map_update(map, &cpu, &val, EBPF_ANY), -ENOMEM);
	/* A queue size of 0 empties the slot, as delete does. */
	val = (typeof(val)){0, 0};
	assert_int_equal(ebpf_map_update(map, &cpu, &val, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup(map, &cpu, &out), -ENOENT);
	assert_int_equal(ebpf_map_delete(map, &cpu), 0);
	assert_int_equal(ebpf_map_delete(map, &past), -EINVAL);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(ebpf_map_get_next_key(map, &other_cpu, &next), 0);
	assert_int_equal(next, 2);
	assert_int_equal(ebpf_map_lookup_and_delete(map, &cpu, &out), -EOPNOTSUPP);
	ebpf_map_free(map);
}

static void test_xskmap(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_XSKMAP, 4, 4, 2);
	struct ebpf_map *array = make_map(EBPF_MAP_TYPE_ARRAY, 4, 4, 2);
	uint32_t key = 1, past = 2, fd = 5, value, next, *queue_id;
	int socket_a, socket_b;

	assert_int_equal(create_err(EBPF_MAP_TYPE_XSKMAP, 4, 8, 2, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_XSKMAP, 8, 4, 2, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_XSKMAP, 4, 4, 2, F_RDONLY_PROG), -EINVAL);

	/* Users: no lookup; no fds, so no update after Linux's own checks. */
	assert_int_equal(ebpf_map_lookup(map, &key, &value), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_update(map, &key, &fd, 3), -EINVAL);
	assert_int_equal(ebpf_map_update(map, &past, &fd, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_map_update(map, &key, &fd, EBPF_ANY), -EBADF);

	/* Sockets come in through ebpf_xskmap_update, with Linux's flags. */
	assert_int_equal(ebpf_xskmap_update(array, 0, &socket_a, 0, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_xskmap_update(map, 0, NULL, 0, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_xskmap_update(map, past, &socket_a, 0, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_xskmap_update(map, key, &socket_a, 3, EBPF_EXIST), -ENOENT);
	assert_int_equal(ebpf_xskmap_update(map, key, &socket_a, 3, EBPF_NOEXIST), 0);
	assert_int_equal(ebpf_xskmap_update(map, key, &socket_b, 4, EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_xskmap_update(map, key, &socket_a, 3, EBPF_NOEXIST), 0);
	queue_id = ebpf_map_lookup_ptr(map, &key);
	assert_non_null(queue_id);
	assert_int_equal(*queue_id, 3);
	assert_int_equal(ebpf_xskmap_update(map, key, &socket_b, 4, EBPF_EXIST), 0);
	assert_int_equal(*(uint32_t *)ebpf_map_lookup_ptr(map, &key), 4);
	assert_null(ebpf_map_lookup_ptr(map, &past));

	assert_int_equal(ebpf_map_delete(map, &past), -EINVAL);
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_null(ebpf_map_lookup_ptr(map, &key));
	assert_int_equal(ebpf_map_delete(map, &key), 0); /* Linux: an empty slot is no error */
	assert_int_equal(ebpf_map_get_next_key(map, &past, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(ebpf_map_get_next_key(map, &key, &next), -ENOENT);
	ebpf_map_free(map);
	ebpf_map_free(array);
}

/* ---- LPM trie ------------------------------------------------------------------- */

struct ipv4_lpm_key {
	uint32_t prefixlen;
	uint8_t addr[4];
};

static struct ipv4_lpm_key lpm4(uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint32_t prefixlen)
{
	return (struct ipv4_lpm_key){prefixlen, {a, b, c, d}};
}

static struct ebpf_map *make_lpm4(uint32_t max_entries)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_LPM_TRIE, 8, 4, max_entries, F_NO_PREALLOC, 0};
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(&def, "cidrs", &map, NULL), 0);
	return map;
}

static void lpm_put(struct ebpf_map *map, struct ipv4_lpm_key key, uint32_t value)
{
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
}

/* The value the longest prefix containing the address holds, or 0 when none does. */
static uint32_t lpm_get(struct ebpf_map *map, struct ipv4_lpm_key key)
{
	uint32_t value = 0, *ptr = ebpf_map_lookup_ptr(map, &key);
	int err = ebpf_map_lookup(map, &key, &value);

	assert_int_equal(err, ptr ? 0 : -ENOENT);
	assert_true(!ptr || *ptr == value);
	return value;
}

/* Linux's example from lpm_trie.c: 192.168.0.0/16, /24 below it, two more /24s. */
static void test_lpm_trie_longest_prefix(void **state)
{
	struct ebpf_map *map = make_lpm4(8);

	lpm_put(map, lpm4(192, 168, 0, 0, 16), 1);
	lpm_put(map, lpm4(192, 168, 0, 0, 24), 2);
	lpm_put(map, lpm4(192, 168, 128, 0, 24), 3);
	lpm_put(map, lpm4(192, 168, 1, 0, 24), 5);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 0, 9, 32)), 2);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 1, 9, 32)), 5);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 128, 200, 32)), 3);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 200, 1, 32)), 1);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 0, 0, 20)), 1); /* shorter than the /24s */
	assert_int_equal(lpm_get(map, lpm4(192, 168, 0, 0, 8)), 0);
	assert_int_equal(lpm_get(map, lpm4(10, 0, 0, 1, 32)), 0);
	assert_int_equal(lpm_get(map, lpm4(192, 168, 0, 9, 33)), 0);
	/* The intermediate 192.168.0.0/23 holds nothing; a /0 holds everything. */
	assert_int_equal(lpm_get(map, lpm4(192, 168, 0, 0, 23)), 1);
	lpm_put(map, lpm4(0, 0, 0, 0, 0), 7);
	assert_int_equal(lpm_get(map, lpm4(10, 0, 0, 1, 32)), 7);
	ebpf_map_free(map);
}

static void test_lpm_trie_update_delete_errors(void **state)
{
	struct ebpf_map *map = make_lpm4(3);
	struct ipv4_lpm_key key = lpm4(10, 1, 0, 0, 16), bad = lpm4(10, 1, 0, 0, 33);
	uint32_t value = 4;

	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_EXIST), -ENOENT);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_NOEXIST), 0);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_NOEXIST), -EEXIST);
	value = 5;
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_EXIST), 0);
	assert_int_equal(lpm_get(map, lpm4(10, 1, 2, 3, 32)), 5);
	assert_int_equal(ebpf_map_update(map, &key, &value, 3), -EINVAL);
	assert_int_equal(ebpf_map_update(map, &bad, &value, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_map_delete(map, &bad), -EINVAL);
	/* Full: a new prefix is -ENOSPC (Linux), replacing one still works. */
	lpm_put(map, lpm4(10, 2, 0, 0, 16), 6);
	lpm_put(map, lpm4(10, 0, 0, 0, 8), 7);
	key = lpm4(10, 3, 0, 0, 16);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), -ENOSPC);
	lpm_put(map, lpm4(10, 2, 0, 0, 16), 8);
	/* Delete is exact: a containing or contained prefix, or an intermediate node, is -ENOENT.
	 */
	key = lpm4(10, 1, 0, 0, 24);
	assert_int_equal(ebpf_map_delete(map, &key), -ENOENT);
	key = lpm4(10, 0, 0, 0, 14); /* the node parting 10.1/16 and 10.2/16 */
	assert_int_equal(ebpf_map_delete(map, &key), -ENOENT);
	key = lpm4(10, 0, 0, 0, 8);
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_int_equal(ebpf_map_delete(map, &key), -ENOENT);
	assert_int_equal(lpm_get(map, lpm4(10, 9, 0, 0, 32)), 0);
	assert_int_equal(lpm_get(map, lpm4(10, 2, 0, 1, 32)), 8);
	key = lpm4(10, 3, 0, 0, 16);
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), 0);
	ebpf_map_free(map);
}

/* Linux's order (lpm_trie.c's comment): more specific prefixes first, postorder. */
static void test_lpm_trie_get_next_key_postorder(void **state)
{
	static const struct ipv4_lpm_key expected[] = {{24, {192, 168, 0, 0}},
						       {24, {192, 168, 1, 0}},
						       {24, {192, 168, 128, 0}},
						       {16, {192, 168, 0, 0}}};
	struct ebpf_map *map = make_lpm4(8);
	struct ipv4_lpm_key key, next, missing = lpm4(1, 2, 3, 4, 32);
	size_t i;

	assert_int_equal(ebpf_map_get_next_key(map, NULL, &next), -ENOENT);
	lpm_put(map, lpm4(192, 168, 0, 0, 16), 1);
	lpm_put(map, lpm4(192, 168, 0, 0, 24), 2);
	lpm_put(map, lpm4(192, 168, 128, 0, 24), 3);
	lpm_put(map, lpm4(192, 168, 1, 0, 24), 5);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &key), 0);
	for (i = 0; i < 4; i++) {
		assert_memory_equal(&key, &expected[i], sizeof(key));
		if (i < 3) {
			assert_int_equal(ebpf_map_get_next_key(map, &key, &next), 0);
			key = next;
		}
	}
	assert_int_equal(ebpf_map_get_next_key(map, &key, &next), -ENOENT);
	/* A key that is not stored restarts at the first. */
	assert_int_equal(ebpf_map_get_next_key(map, &missing, &next), 0);
	assert_memory_equal(&next, &expected[0], sizeof(next));
	ebpf_map_free(map);
}

/*
 * Random inserts and deletes of prefixes of a 16-bit space against a
 * plain list: every lookup agrees with the longest stored prefix, and
 * get_next_key visits each stored prefix once (the node pool is reused).
 */
#define LPM_RANDOM_MAX	 24
#define LPM_RANDOM_STEPS 4000

struct lpm16_key {
	uint32_t prefixlen;
	uint8_t data[2];
};

static uint32_t lpm_random_next(uint32_t *state)
{
	*state = *state * 1103515245u + 12345u;
	return *state >> 8;
}

static bool lpm16_contains(const struct lpm16_key *prefix, uint16_t addr)
{
	uint16_t bits = (uint16_t)(prefix->data[0] << 8 | prefix->data[1]);
	uint16_t mask = prefix->prefixlen ? (uint16_t)(0xffffu << (16 - prefix->prefixlen)) : 0;

	return (bits & mask) == (addr & mask);
}

static void lpm_check_against_list(struct ebpf_map *map, const struct lpm16_key *stored,
				   const uint32_t *values, size_t count)
{
	struct lpm16_key key, next;
	size_t seen = 0, i;
	uint32_t addr;

	for (addr = 0; addr < 0x10000; addr += 97) {
		struct lpm16_key probe = {16, {(uint8_t)(addr >> 8), (uint8_t)addr}};
		uint32_t want = 0, best = 0, *got = ebpf_map_lookup_ptr(map, &probe);

		for (i = 0; i < count; i++)
			if (lpm16_contains(&stored[i], (uint16_t)addr) &&
			    (!want || stored[i].prefixlen >= best)) {
				want = values[i];
				best = stored[i].prefixlen;
			}
		assert_int_equal(got ? *got : 0, want);
	}
	for (int err = ebpf_map_get_next_key(map, NULL, &key); !err;
	     err = ebpf_map_get_next_key(map, &key, &next), key = next) {
		for (i = 0; i < count && memcmp(&stored[i], &key, sizeof(key)); i++)
			;
		assert_true(i < count);
		assert_true(++seen <= count);
	}
	assert_int_equal(seen, count);
}

static void test_lpm_trie_random_against_a_list(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_LPM_TRIE, 6, 4, LPM_RANDOM_MAX, F_NO_PREALLOC, 0};
	struct lpm16_key stored[LPM_RANDOM_MAX];
	uint32_t values[LPM_RANDOM_MAX], seed = 1, step;
	struct ebpf_map *map;
	size_t count = 0, i;

	assert_int_equal(ebpf_map_create(&def, "random", &map, NULL), 0);
	for (step = 1; step <= LPM_RANDOM_STEPS; step++) {
		uint32_t r = lpm_random_next(&seed), prefixlen = r % 17;
		uint16_t bits = (uint16_t)lpm_random_next(&seed);
		struct lpm16_key key = {prefixlen, {0, 0}};
		int err;

		/* Few distinct prefixes, so that deletes and replacements hit. */
		bits &= prefixlen ? (uint16_t)(0xffffu << (16 - prefixlen)) : 0;
		bits &= 0xf0f0;
		key.data[0] = (uint8_t)(bits >> 8);
		key.data[1] = (uint8_t)bits;
		for (i = 0; i < count && memcmp(&stored[i], &key, sizeof(key)); i++)
			;
		if (r & 0x100) {
			err = ebpf_map_delete(map, &key);
			assert_int_equal(err, i < count ? 0 : -ENOENT);
			if (i < count) {
				stored[i] = stored[--count];
				values[i] = values[count];
			}
		} else {
			err = ebpf_map_update(map, &key, &step, EBPF_ANY);
			assert_int_equal(err, i < count || count < LPM_RANDOM_MAX ? 0 : -ENOSPC);
			if (!err) {
				if (i == count)
					stored[count++] = key;
				values[i] = step;
			}
		}
		if (step % 50 == 0)
			lpm_check_against_list(map, stored, values, count);
	}
	ebpf_map_free(map);
}

/* ---- queue and stack ---------------------------------------------------------- */

static void test_queue(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_QUEUE, 0, 4, 3);
	uint32_t value, out = 0xdead, round;

	assert_int_equal(ebpf_map_lookup(map, NULL, &out), -ENOENT);
	assert_int_equal(ebpf_map_lookup_and_delete(map, NULL, &out), -ENOENT);
	assert_int_equal(out, 0xdead); /* users' buffers stay as they were */
	for (value = 1; value <= 3; value++)
		assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_NOEXIST), -EINVAL);
	assert_int_equal(ebpf_map_update(map, NULL, &value, 3), -EINVAL);
	/* EXIST overwrites the oldest: 1 goes. */
	assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_EXIST), 0);
	assert_int_equal(ebpf_map_lookup(map, NULL, &out), 0);
	assert_int_equal(out, 2);
	for (value = 2; value <= 4; value++) {
		assert_int_equal(ebpf_map_lookup_and_delete(map, NULL, &out), 0);
		assert_int_equal(out, value);
	}
	/* Around the ring many times. */
	for (round = 0; round < 10; round++) {
		value = round;
		assert_int_equal(ebpf_map_push(map, &value, EBPF_ANY), 0);
		assert_int_equal(ebpf_map_pop(map, &out, false), 0);
		assert_int_equal(out, round);
		assert_int_equal(ebpf_map_pop(map, &out, true), 0);
	}
	/* A program's pop of an empty queue zeroes its buffer (Linux). */
	out = 0xdead;
	assert_int_equal(ebpf_map_pop(map, &out, true), -ENOENT);
	assert_int_equal(out, 0);
	/* No keys: delete and get_next_key are -EINVAL; programs cannot look up. */
	assert_int_equal(ebpf_map_delete(map, NULL), -EINVAL);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &out), -EINVAL);
	assert_null(ebpf_map_lookup_ptr(map, NULL));
	ebpf_map_free(map);
}

static void test_stack(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_STACK, 0, 8, 3);
	uint64_t value, out = 0;

	for (value = 1; value <= 3; value++)
		assert_int_equal(ebpf_map_push(map, &value, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_push(map, &value, EBPF_ANY), -E2BIG);
	/* EXIST overwrites the oldest, at the bottom: 1 goes. */
	value = 4;
	assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_EXIST), 0);
	assert_int_equal(ebpf_map_lookup(map, NULL, &out), 0);
	assert_true(out == 4);
	for (value = 4; value >= 2; value--) {
		assert_int_equal(ebpf_map_lookup_and_delete(map, NULL, &out), 0);
		assert_true(out == value);
	}
	out = 9;
	assert_int_equal(ebpf_map_pop(map, &out, false), -ENOENT);
	assert_true(out == 0);
	ebpf_map_free(map);
}

/* ---- bloom filter ------------------------------------------------------------------ */

#define BLOOM_ENTRIES 100

static void test_bloom_filter(void **state)
{
	struct ebpf_map_def def = {EBPF_MAP_TYPE_BLOOM_FILTER, 0, 4, BLOOM_ENTRIES, 0, 3};
	struct ebpf_map *map;
	uint32_t value, false_positives = 0;

	assert_int_equal(ebpf_map_create(&def, "seen", &map, NULL), 0);
	value = 7;
	assert_int_equal(ebpf_map_lookup(map, NULL, &value), -ENOENT);
	for (value = 0; value < BLOOM_ENTRIES; value++)
		assert_int_equal(ebpf_map_update(map, NULL, &value, EBPF_ANY), 0);
	/* No false negatives, from users and from programs. */
	for (value = 0; value < BLOOM_ENTRIES; value++) {
		assert_int_equal(ebpf_map_lookup(map, NULL, &value), 0);
		assert_int_equal(ebpf_map_pop(map, &value, false), 0);
	}
	/* ~3.6% false positives at 3 functions and 7/5 bits per entry and function: allow 10%. */
	for (value = 1000; value < 2000; value++)
		false_positives += ebpf_map_lookup(map, NULL, &value) == 0;
	assert_true(false_positives < 100);
	value = 1;
	assert_int_equal(ebpf_map_push(map, &value, EBPF_EXIST), -EINVAL);
	assert_int_equal(ebpf_map_pop(map, &value, true), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_lookup_and_delete(map, NULL, &value), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_delete(map, NULL), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &value), -EOPNOTSUPP);
	assert_null(ebpf_map_lookup_ptr(map, NULL));
	ebpf_map_free(map);
	/* map_extra 0: Linux's default of 5 functions; values of any size. */
	map = make_map(EBPF_MAP_TYPE_BLOOM_FILTER, 0, 13, 10);
	{
		uint8_t bytes[13] = "twelve bytes";
		assert_int_equal(ebpf_map_lookup(map, NULL, bytes), -ENOENT);
		assert_int_equal(ebpf_map_push(map, bytes, EBPF_ANY), 0);
		assert_int_equal(ebpf_map_lookup(map, NULL, bytes), 0);
	}
	ebpf_map_free(map);
}

/* ---- devmap_hash ----------------------------------------------------------------- */

struct devmap_val {
	uint32_t ifindex;
	int32_t prog_fd;
};

static void test_devmap_hash(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_DEVMAP_HASH, 4, 8, 2);
	struct devmap_val val = {3, -1}, out;
	uint32_t key = 1000, next;

	/* Linux makes every devmap read-only to programs. */
	assert_true(ebpf_map_get_def(map)->flags & F_RDONLY_PROG);
	assert_int_equal(ebpf_devmap_ifindex(map, key), 0);
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_EXIST), 0); /* Linux inserts */
	assert_int_equal(ebpf_devmap_ifindex(map, key), 3);
	assert_int_equal(ebpf_map_lookup(map, &key, &out), 0);
	assert_int_equal(out.ifindex, 3);
	assert_int_equal(out.prog_fd, 0); /* read back as program id 0: none */
	assert_non_null(ebpf_map_lookup_ptr(map, &key));
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_NOEXIST), -EEXIST);
	val = (struct devmap_val){0, 0};
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), -EINVAL);
	val = (struct devmap_val){4, 5}; /* a program fd: ukbpf has none */
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), -EINVAL);
	val = (struct devmap_val){4, 0};
	assert_int_equal(ebpf_map_update(map, &key, &val, 3), -EINVAL);
	key = 7;
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), 0);
	key = 8;
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), -E2BIG);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &next), 0);
	assert_true(next == 7 || next == 1000);
	key = 1000;
	assert_int_equal(ebpf_map_delete(map, &key), 0);
	assert_int_equal(ebpf_map_delete(map, &key), -ENOENT);
	assert_int_equal(ebpf_devmap_ifindex(map, key), 0);
	assert_int_equal(ebpf_map_lookup_and_delete(map, &key, &out), -EOPNOTSUPP);
	ebpf_map_free(map);
}

/* Both devmaps keep Linux's struct bpf_devmap_val: a program fd is refused, the id reads 0. */
static void test_devmap_prog_value(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_DEVMAP, 4, 8, 2);
	struct devmap_val val = {2, -1}, out;
	uint32_t key = 1;

	assert_true(ebpf_map_get_def(map)->flags & F_RDONLY_PROG);
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_lookup(map, &key, &out), 0);
	assert_int_equal(out.prog_fd, 0);
	val.prog_fd = 3;
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), -EINVAL);
	val = (struct devmap_val){0, 0}; /* ifindex 0 empties the slot */
	assert_int_equal(ebpf_map_update(map, &key, &val, EBPF_ANY), 0);
	assert_int_equal(ebpf_devmap_ifindex(map, key), 0);
	ebpf_map_free(map);
}

/* ---- perf event array --------------------------------------------------------------- */

struct perf_seen {
	uint32_t cpu[4];
	size_t len[4];
	uint8_t data[4][32];
	int count;
	uint64_t lost;
};

static int perf_sample(void *ctx, uint32_t cpu, const void *data, size_t len)
{
	struct perf_seen *seen = ctx;

	assert_true(seen->count < 4 && len <= sizeof(seen->data[0]));
	seen->cpu[seen->count] = cpu;
	seen->len[seen->count] = len;
	memcpy(seen->data[seen->count], data, len);
	seen->count++;
	return 0;
}

static void perf_lost(void *ctx, uint32_t cpu, uint64_t count)
{
	((struct perf_seen *)ctx)->lost += count;
}

static int perf_stop_after_one(void *ctx, uint32_t cpu, const void *data, size_t len)
{
	return 1;
}

static int perf_sample_count(void *ctx, uint32_t cpu, const void *data, size_t len)
{
	((struct perf_seen *)ctx)->count++;
	return 0;
}

static void test_perf_event_array(void **state)
{
	struct ebpf_map *map = make_map(EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2);
	struct perf_seen seen = {.count = 0};
	static const uint8_t frame[6] = {1, 2, 3, 4, 5, 6};
	uint32_t key = 0, value = 3, next, sent = 0;
	uint64_t meta = 0x1122334455667788ull;
	int err;

	/* Linux: fd arrays take 4-byte values and no program access flags. */
	assert_int_equal(create_err(EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 8, 2, 0), -EINVAL);
	assert_int_equal(create_err(EBPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 2, F_RDONLY_PROG),
			 -EINVAL);
	/* No perf event fds: users neither fill nor read slots, but walk them as an array's. */
	assert_int_equal(ebpf_map_update(map, &key, &value, EBPF_ANY), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_lookup(map, &key, &value), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_delete(map, &key), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_get_next_key(map, NULL, &next), 0);
	assert_int_equal(next, 0);
	assert_null(ebpf_map_lookup_ptr(map, &key));

	/* 8 bytes of data and 6 of frame: Linux's raw size pads 4 + 14 to 24, so 20. */
	assert_int_equal(ebpf_perf_event_output(map, 1, &meta, sizeof(meta), frame, sizeof(frame)),
			 0);
	assert_int_equal(ebpf_perf_event_output(map, EBPF_F_CURRENT_CPU, frame, 4, NULL, 0), 0);
	assert_int_equal(ebpf_perf_event_output(map, 2, frame, 4, NULL, 0), -E2BIG);
	assert_int_equal(ebpf_perf_event_consume(map, perf_sample, perf_lost, &seen), 2);
	assert_int_equal(seen.cpu[0], 1);
	assert_int_equal(seen.len[0], 20);
	assert_memory_equal(seen.data[0], &meta, sizeof(meta));
	assert_memory_equal(seen.data[0] + 8, frame, sizeof(frame));
	assert_memory_equal(seen.data[0] + 14, "\0\0\0\0\0\0", 6);
	assert_int_equal(seen.cpu[1], 0); /* the current CPU: ours is 0 */
	assert_int_equal(seen.len[1], 4);
	assert_int_equal(ebpf_perf_event_consume(map, perf_sample, perf_lost, &seen), 0);

	/* A full ring loses records (-ENOSPC) and says how many before the next samples. */
	while ((err = ebpf_perf_event_output(map, 0, frame, 4, NULL, 0)) == 0)
		sent++;
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(ebpf_perf_event_output(map, 0, frame, 4, NULL, 0), -ENOSPC);
	seen = (struct perf_seen){.count = 0};
	assert_int_equal(ebpf_perf_event_consume(map, perf_stop_after_one, perf_lost, &seen), 1);
	assert_int_equal(ebpf_perf_event_consume(map, perf_sample_count, perf_lost, &seen),
			 (int)sent - 1);
	assert_int_equal(seen.lost, 2);
	{
		struct ebpf_map *ring = make_map(EBPF_MAP_TYPE_RINGBUF, 0, 0, 4096);

		assert_int_equal(ebpf_perf_event_consume(ring, perf_sample, NULL, &seen), -EINVAL);
		assert_int_equal(ebpf_perf_event_output(ring, 0, frame, 4, NULL, 0), -EINVAL);
		ebpf_map_free(ring);
	}
	ebpf_map_free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_rejects_bad_defs),
	    cmocka_unit_test(test_create_keeps_name_and_def),
	    cmocka_unit_test(test_array),
	    cmocka_unit_test(test_frozen_read_only_array),
	    cmocka_unit_test(test_percpu_array),
	    cmocka_unit_test(test_array_values_aligned_and_addressable),
	    cmocka_unit_test(test_hash),
	    cmocka_unit_test(test_percpu_hash),
	    cmocka_unit_test(test_lru_hash),
	    cmocka_unit_test(test_full_hash_is_e2big_and_recovers),
	    cmocka_unit_test(test_lru_evicts_least_recently_used),
	    cmocka_unit_test(test_hash_get_next_key_visits_each_key_once),
	    cmocka_unit_test(test_prog_array),
	    cmocka_unit_test(test_devmap),
	    cmocka_unit_test(test_ringbuf_reserve_submit_discard_consume),
	    cmocka_unit_test(test_ringbuf_full_wraps_and_stops),
	    cmocka_unit_test(test_ringbuf_user_api_and_errors),
	    cmocka_unit_test(test_lru_percpu_hash),
	    cmocka_unit_test(test_hash_lookup_and_delete),
	    cmocka_unit_test(test_create_rejects_bad_defs_of_new_types),
	    cmocka_unit_test(test_map_type_names),
	    cmocka_unit_test(test_lpm_trie_longest_prefix),
	    cmocka_unit_test(test_lpm_trie_update_delete_errors),
	    cmocka_unit_test(test_lpm_trie_get_next_key_postorder),
	    cmocka_unit_test(test_lpm_trie_random_against_a_list),
	    cmocka_unit_test(test_queue),
	    cmocka_unit_test(test_stack),
	    cmocka_unit_test(test_bloom_filter),
	    cmocka_unit_test(test_devmap_hash),
	    cmocka_unit_test(test_devmap_prog_value),
	    cmocka_unit_test(test_perf_event_array),
	    cmocka_unit_test(test_cpumap),
	    cmocka_unit_test(test_xskmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
