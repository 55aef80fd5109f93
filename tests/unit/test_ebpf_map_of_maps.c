/*
 * Map-in-map (ARRAY_OF_MAPS, HASH_OF_MAPS): the template check at create
 * (Linux's bpf_map_meta_alloc), inner maps matched against it on update
 * with Linux's errno (bpf_map_meta_equal, array_map_meta_equal and
 * BPF_F_INNER_MAP), the fd-array and fd-htab update, delete and walk
 * rules, and a program's lookup returning the inner map itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ebpf_internal.h"
#include "uapi.h"

static char log_text[256];

static struct ebpf_log fresh_log(void)
{
	log_text[0] = '\0';
	return (struct ebpf_log){.buf = log_text, .size = sizeof(log_text)};
}

static const struct ebpf_map_def counters = {EBPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0};

static struct ebpf_map *make(const struct ebpf_map_def *def)
{
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create(def, "inner", &map, NULL), 0);
	return map;
}

static struct ebpf_map *make_outer(uint32_t type, uint32_t max_entries,
				   const struct ebpf_map_def *inner)
{
	struct ebpf_map_def def = {type, 4, 4, max_entries, 0, 0};
	struct ebpf_log log = fresh_log();
	struct ebpf_map *map = NULL;

	assert_int_equal(ebpf_map_create_outer(&def, inner, "outer", &map, &log), 0);
	return map;
}

static int outer_err(const struct ebpf_map_def *def, const struct ebpf_map_def *inner)
{
	struct ebpf_log log = fresh_log();
	struct ebpf_map *map = (struct ebpf_map *)def; /* must be reset to NULL */
	int err = inner ? ebpf_map_create_outer(def, inner, "outer", &map, &log)
			: ebpf_map_create(def, "outer", &map, &log);

	assert_null(map);
	assert_true(log.len > 0);
	return err;
}

static void test_create_needs_a_valid_template(void **state)
{
	const struct ebpf_map_def array_of_maps = {EBPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0};
	const struct ebpf_map_def nested = {EBPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, 0, 0};
	const struct ebpf_map_def prog_array = {EBPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2, 0, 0};
	struct ebpf_map_def bad_inner = {EBPF_MAP_TYPE_ARRAY, 8, 8, 2, 0, 0};
	struct ebpf_map_def def = array_of_maps;

	assert_int_equal(outer_err(&array_of_maps, NULL), -EINVAL);
	assert_string_equal(log_text, "map 'outer': array_of_maps needs an inner map definition");
	assert_int_equal(outer_err(&array_of_maps, &nested), -EINVAL);
	assert_string_equal(log_text,
			    "map 'outer': inner map 'outer.inner' is itself a hash_of_maps: one "
			    "level only");
	assert_int_equal(outer_err(&array_of_maps, &prog_array), -EOPNOTSUPP);
	assert_int_equal(outer_err(&array_of_maps, &bad_inner), -EINVAL);
	assert_string_equal(log_text, "map 'outer.inner': array key_size must be 4, not 8");
	def.value_size = 8; /* Linux: a map fd, 4 bytes */
	assert_int_equal(outer_err(&def, &counters), -EINVAL);
	def = array_of_maps;
	def.flags = EBPF_F_RDONLY_PROG; /* fd arrays refuse program access flags */
	assert_int_equal(outer_err(&def, &counters), -EINVAL);
	def.flags = EBPF_F_INNER_MAP; /* for the inner array, not the outer one */
	assert_int_equal(outer_err(&def, &counters), -EINVAL);
	def = array_of_maps;
	bad_inner = (struct ebpf_map_def){EBPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 2, EBPF_F_INNER_MAP, 0};
	assert_int_equal(outer_err(&def, &bad_inner), -EINVAL);
	def = (struct ebpf_map_def){EBPF_MAP_TYPE_HASH, 4, 8, 2, 0, 0};
	assert_int_equal(outer_err(&def, &counters), -EINVAL);
	assert_string_equal(log_text, "map 'outer': an inner map is for map-in-map types only");
}

static void test_array_of_maps(void **state)
{
	struct ebpf_map *outer = make_outer(EBPF_MAP_TYPE_ARRAY_OF_MAPS, 2, &counters);
	struct ebpf_map *a = make(&counters), *b = make(&counters);
	uint32_t key = 0, next, fd = 3;
	uint64_t seven = 7;

	assert_memory_equal(ebpf_map_get_inner_def(outer), &counters, sizeof(counters));
	assert_null(ebpf_map_get_inner(outer, &key));
	assert_null(ebpf_map_lookup_ptr(outer, &key));
	assert_int_equal(ebpf_map_set_inner(outer, &key, a, EBPF_ANY), 0);
	assert_ptr_equal(ebpf_map_get_inner(outer, &key), a);
	/* A program's lookup gives the inner map, and through it the inner value. */
	assert_ptr_equal(ebpf_map_lookup_ptr(outer, &key), a);
	assert_int_equal(ebpf_map_update(ebpf_map_lookup_ptr(outer, &key), &key, &seven, 0), 0);
	assert_int_equal(*(uint64_t *)ebpf_map_lookup_ptr(a, &key), 7);
	/* Linux's fd array: BPF_ANY only, -E2BIG past the end. */
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_EXIST), -EINVAL);
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_NOEXIST), -EINVAL);
	key = 2;
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_ANY), -E2BIG);
	assert_null(ebpf_map_lookup_ptr(outer, &key));
	key = 1;
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_ANY), 0);
	/* User space gives map fds, which ukbpf has not: set_inner instead. */
	assert_int_equal(ebpf_map_update(outer, &key, &fd, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_map_lookup(outer, &key, &fd), -EOPNOTSUPP);
	assert_int_equal(ebpf_map_get_next_key(outer, NULL, &next), 0);
	assert_int_equal(next, 0);
	assert_int_equal(ebpf_map_delete(outer, &key), 0);
	assert_null(ebpf_map_get_inner(outer, &key));
	assert_int_equal(ebpf_map_delete(outer, &key), -ENOENT);
	key = 2;
	assert_int_equal(ebpf_map_delete(outer, &key), -E2BIG);
	ebpf_map_free(outer);
	ebpf_map_free(a);
	ebpf_map_free(b);
}

/* Linux's bpf_map_meta_equal: the shape must match, max_entries only for arrays. */
static void test_inner_must_match_the_template(void **state)
{
	const struct ebpf_map_def hashes = {EBPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0};
	const struct ebpf_map_def dyn = {EBPF_MAP_TYPE_ARRAY, 4, 8, 1, EBPF_F_INNER_MAP, 0};
	struct ebpf_map *outer = make_outer(EBPF_MAP_TYPE_ARRAY_OF_MAPS, 2, &counters);
	struct ebpf_map *outer_hashes = make_outer(EBPF_MAP_TYPE_ARRAY_OF_MAPS, 2, &hashes);
	struct ebpf_map *outer_dyn = make_outer(EBPF_MAP_TYPE_ARRAY_OF_MAPS, 2, &dyn);
	struct ebpf_map_def def;
	struct ebpf_map *m, *devmap;
	uint32_t key = 0;

	def = counters, def.max_entries = 5;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer, &key, m, EBPF_ANY), -EINVAL);
	ebpf_map_free(m);
	def = counters, def.value_size = 4;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer, &key, m, EBPF_ANY), -EINVAL);
	ebpf_map_free(m);
	def = counters, def.type = EBPF_MAP_TYPE_PERCPU_ARRAY;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer, &key, m, EBPF_ANY), -EINVAL);
	ebpf_map_free(m);
	def = counters, def.flags = EBPF_F_RDONLY_PROG;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer, &key, m, EBPF_ANY), -EINVAL);
	ebpf_map_free(m);
	assert_int_equal(ebpf_map_set_inner(outer, &key, NULL, EBPF_ANY), -EINVAL);
	assert_int_equal(ebpf_map_set_inner(outer, &key, outer_dyn, EBPF_ANY), -EINVAL);
	/* A hash of another size fits: its lookups do not depend on max_entries. */
	def = hashes, def.max_entries = 3;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer_hashes, &key, m, EBPF_ANY), 0);
	ebpf_map_free(outer_hashes);
	ebpf_map_free(m);
	/* Linux makes every devmap BPF_F_RDONLY_PROG, its template too: they match. */
	def = (struct ebpf_map_def){EBPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, 0};
	m = make_outer(EBPF_MAP_TYPE_ARRAY_OF_MAPS, 2, &def);
	assert_int_equal(ebpf_map_get_inner_def(m)->flags, EBPF_F_RDONLY_PROG);
	devmap = make(&def);
	assert_int_equal(ebpf_map_set_inner(m, &key, devmap, EBPF_ANY), 0);
	ebpf_map_free(m);
	ebpf_map_free(devmap);
	/* BPF_F_INNER_MAP: arrays of any size. */
	def = dyn, def.max_entries = 9;
	m = make(&def);
	assert_int_equal(ebpf_map_set_inner(outer_dyn, &key, m, EBPF_ANY), 0);
	ebpf_map_free(outer_dyn);
	ebpf_map_free(m);
	ebpf_map_free(outer);
}

static void test_hash_of_maps(void **state)
{
	const struct ebpf_map_def hash_of_maps = {EBPF_MAP_TYPE_HASH_OF_MAPS, 8, 4, 2, 0, 0};
	struct ebpf_map *outer = NULL, *a = make(&counters), *b = make(&counters);
	uint64_t key = 1ull << 40, other = 5, third = 6, next;

	assert_int_equal(ebpf_map_create_outer(&hash_of_maps, &counters, "outer", &outer, NULL), 0);
	assert_null(ebpf_map_lookup_ptr(outer, &key));
	assert_int_equal(ebpf_map_set_inner(outer, &key, a, EBPF_EXIST), -ENOENT);
	assert_int_equal(ebpf_map_set_inner(outer, &key, a, EBPF_NOEXIST), 0);
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_NOEXIST), -EEXIST);
	assert_int_equal(ebpf_map_set_inner(outer, &other, b, EBPF_ANY), 0);
	assert_int_equal(ebpf_map_set_inner(outer, &third, b, EBPF_ANY), -E2BIG);
	assert_ptr_equal(ebpf_map_lookup_ptr(outer, &key), a);
	assert_ptr_equal(ebpf_map_get_inner(outer, &other), b);
	assert_int_equal(ebpf_map_set_inner(outer, &key, b, EBPF_EXIST), 0);
	assert_ptr_equal(ebpf_map_lookup_ptr(outer, &key), b);
	assert_int_equal(ebpf_map_get_next_key(outer, NULL, &next), 0);
	assert_true(next == key || next == other);
	assert_int_equal(ebpf_map_delete(outer, &key), 0);
	assert_int_equal(ebpf_map_delete(outer, &key), -ENOENT);
	assert_null(ebpf_map_lookup_ptr(outer, &key));
	assert_int_equal(ebpf_map_lookup_and_delete(outer, &other, &next), -EOPNOTSUPP);
	ebpf_map_free(outer);
	ebpf_map_free(a);
	ebpf_map_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_needs_a_valid_template),
	    cmocka_unit_test(test_array_of_maps),
	    cmocka_unit_test(test_inner_must_match_the_template),
	    cmocka_unit_test(test_hash_of_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
