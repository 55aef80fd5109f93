/*
 * Map-in-map's user side against Linux's bpf(2): the same outer maps
 * created in Linux (BPF_MAP_CREATE with inner_map_fd naming a template
 * map) and in ukbpf (ebpf_map_create_outer with the template's
 * definition), then the same inner maps put into their slots (Linux's
 * update with a map fd, ukbpf's ebpf_map_set_inner) with every flag, at
 * indexes inside and past the end, and deleted; every errno compared.
 * The candidates differ from the template in one field each (those both
 * refuse to create are skipped), which shows
 * Linux's bpf_map_meta_equal: which fields must match, and that
 * max_entries matters only for arrays without BPF_F_INNER_MAP.
 *
 * Linux's kernel-internal ENOTSUPP (524) is ukbpf's EOPNOTSUPP (ebpf.h).
 * Needs root; without BPF it prints "skipped" and exits 77. Exits 1 on
 * any difference, naming it. tests/ebpf/test_map_in_map.py runs it.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ebpf.h"

#define LINUX_ENOTSUPP 524
#define EXIT_SKIPPED   77
#define COUNT_OF(a)    (sizeof(a) / sizeof((a)[0]))

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int linux_result(long ret)
{
	if (ret >= 0)
		return 0;
	return errno == LINUX_ENOTSUPP ? -EOPNOTSUPP : -errno;
}

/* A map fd, or -errno. */
static int linux_create(const struct ebpf_map_def *def, int inner_fd)
{
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = def->type;
	attr.key_size = def->key_size;
	attr.value_size = def->value_size;
	attr.max_entries = def->max_entries;
	attr.map_flags = def->flags;
	attr.inner_map_fd = (uint32_t)inner_fd;
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	return fd < 0 ? linux_result(fd) : (int)fd;
}

static int linux_elem(int cmd, int fd, uint32_t key, int value_fd, uint64_t flags)
{
	union bpf_attr attr;
	uint32_t value = (uint32_t)value_fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uintptr_t)&key;
	/* Linux refuses attributes a command does not read: delete takes only the key. */
	if (cmd == BPF_MAP_UPDATE_ELEM) {
		attr.value = (uintptr_t)&value;
		attr.flags = flags;
	}
	return linux_result(sys_bpf(cmd, &attr));
}

static int failures;

static void compare(const char *what, const char *detail, int theirs, int ours)
{
	if (theirs == ours)
		return;
	printf("%s %s: Linux %d, ukbpf %d\n", what, detail, theirs, ours);
	failures++;
}

struct template_case {
	const char *name;
	struct ebpf_map_def inner;
};

/* Templates; each candidate below differs from its template in one field. */
static const struct template_case templates[] = {
    {"array", {BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0}},
    {"array_inner_map", {BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_INNER_MAP, 0}},
    {"hash", {BPF_MAP_TYPE_HASH, 4, 8, 16, 0, 0}},
    {"percpu_array", {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, 0}},
    {"lru_hash", {BPF_MAP_TYPE_LRU_HASH, 8, 4, 16, 0, 0}},
    {"queue", {BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, 0}},
    {"devmap", {BPF_MAP_TYPE_DEVMAP, 4, 4, 4, 0, 0}},
    {"devmap_hash", {BPF_MAP_TYPE_DEVMAP_HASH, 4, 4, 4, 0, 0}},
};

static struct ebpf_map_def candidate(const struct ebpf_map_def *t, int variant)
{
	struct ebpf_map_def d = *t;

	switch (variant) {
	case 1:
		d.max_entries *= 2;
		break;
	case 2:
		d.value_size += 4;
		break;
	case 3:
		d.flags ^= BPF_F_RDONLY_PROG;
		break;
	case 4:
		d.type = d.type == BPF_MAP_TYPE_HASH ? BPF_MAP_TYPE_LRU_HASH : BPF_MAP_TYPE_HASH;
		d.key_size = d.key_size ? d.key_size : 4;
		d.flags = 0;
		break;
	default:
		break;
	}
	return d;
}
#define VARIANTS 5

static void run_outer(uint32_t outer_type, const struct template_case *t)
{
	const struct ebpf_map_def outer_def = {outer_type, 4, 4, 2, 0, 0};
	static const uint64_t flags[] = {BPF_ANY, BPF_NOEXIST, BPF_EXIST, 4};
	struct ebpf_map *outer = NULL, *inner[VARIANTS] = {NULL};
	int template_fd = linux_create(&t->inner, 0), outer_fd, inner_fd[VARIANTS];
	char detail[160];
	int v, err;
	size_t f;
	uint32_t key;

	snprintf(detail, sizeof(detail), "%s of %s",
		 outer_type == BPF_MAP_TYPE_ARRAY_OF_MAPS ? "array_of_maps" : "hash_of_maps",
		 t->name);
	outer_fd = linux_create(&outer_def, template_fd);
	err = ebpf_map_create_outer(&outer_def, &t->inner, "outer", &outer, NULL);
	compare("create", detail, outer_fd < 0 ? outer_fd : 0, err);
	for (v = 0; v < VARIANTS; v++) {
		struct ebpf_map_def d = candidate(&t->inner, v);

		inner_fd[v] = linux_create(&d, 0);
		err = ebpf_map_create(&d, "inner", &inner[v], NULL);
		compare("create candidate", t->name, inner_fd[v] < 0 ? inner_fd[v] : 0, err);
	}
	for (v = 0; outer && outer_fd >= 0 && v < VARIANTS; v++) {
		if (!inner[v] || inner_fd[v] < 0)
			continue; /* a candidate neither side creates (compared above) */
		for (f = 0; f < COUNT_OF(flags); f++) {
			for (key = 0; key < 4; key++) {
				char step[200];

				snprintf(step, sizeof(step), "%s: candidate %d, key %u, flags %llu",
					 detail, v, key, (unsigned long long)flags[f]);
				compare("update", step,
					linux_elem(BPF_MAP_UPDATE_ELEM, outer_fd, key, inner_fd[v],
						   flags[f]),
					ebpf_map_set_inner(outer, &key, inner[v], flags[f]));
				if ((key + f) % 3 == 0)
					compare(
					    "delete", step,
					    linux_elem(BPF_MAP_DELETE_ELEM, outer_fd, key, 0, 0),
					    ebpf_map_delete(outer, &key));
			}
		}
	}
	for (v = 0; v < VARIANTS; v++) {
		if (inner_fd[v] >= 0)
			close(inner_fd[v]);
	}
	ebpf_map_free(outer);
	for (v = 0; v < VARIANTS; v++)
		ebpf_map_free(inner[v]);
	if (outer_fd >= 0)
		close(outer_fd);
	if (template_fd >= 0)
		close(template_fd);
}

/* Outer definitions both must refuse alike (the template is an array). */
static void run_bad_outers(void)
{
	static const struct ebpf_map_def array = {BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0};
	static const struct ebpf_map_def prog_array = {BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0};
	static const struct ebpf_map_def percpu_inner_map = {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4,
							     BPF_F_INNER_MAP,		0};
	static const struct ebpf_map_def hash_inner_map = {BPF_MAP_TYPE_HASH, 4, 8, 4,
							   BPF_F_INNER_MAP,   0};
	static const struct {
		const char *name;
		struct ebpf_map_def outer;
		const struct ebpf_map_def *inner;
	} bad[] = {
	    {"value_size 8", {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 8, 2, 0, 0}, &array},
	    {"rdonly_prog", {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_RDONLY_PROG, 0}, &array},
	    {"key 8", {BPF_MAP_TYPE_ARRAY_OF_MAPS, 8, 4, 2, 0, 0}, &array},
	    {"prog array inside", {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0}, &prog_array},
	    {"hash no_common_lru",
	     {BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, BPF_F_NO_COMMON_LRU, 0},
	     &array},
	    {"array inner_map flag",
	     {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_INNER_MAP, 0},
	     &array},
	    {"percpu_array template with inner_map",
	     {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, 0, 0},
	     &percpu_inner_map},
	    {"hash template with inner_map",
	     {BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, 0, 0},
	     &hash_inner_map},
	    {"hash of maps no_prealloc",
	     {BPF_MAP_TYPE_HASH_OF_MAPS, 4, 4, 2, BPF_F_NO_PREALLOC, 0},
	     &array},
	    {"array of maps mmapable",
	     {BPF_MAP_TYPE_ARRAY_OF_MAPS, 4, 4, 2, BPF_F_MMAPABLE, 0},
	     &array},
	};
	size_t i;

	for (i = 0; i < COUNT_OF(bad); i++) {
		int template_fd = linux_create(bad[i].inner, 0);
		/* A template Linux refuses to create is the refusal to compare. */
		int fd = template_fd < 0 ? template_fd : linux_create(&bad[i].outer, template_fd);
		struct ebpf_map *map = NULL;
		int err = ebpf_map_create_outer(&bad[i].outer, bad[i].inner, "outer", &map, NULL);

		compare("create", bad[i].name, fd < 0 ? fd : 0, err);
		ebpf_map_free(map);
		if (fd >= 0)
			close(fd);
		if (template_fd >= 0)
			close(template_fd);
	}
}

int main(void)
{
	static const struct ebpf_map_def probe = {BPF_MAP_TYPE_ARRAY, 4, 4, 4, 0, 0};
	int fd = linux_create(&probe, 0);
	size_t i;

	if (fd < 0) {
		printf("skipped: this host does not let us create BPF maps (%s)\n", strerror(-fd));
		return EXIT_SKIPPED;
	}
	close(fd);
	for (i = 0; i < COUNT_OF(templates); i++) {
		run_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS, &templates[i]);
		run_outer(BPF_MAP_TYPE_HASH_OF_MAPS, &templates[i]);
	}
	run_bad_outers();
	printf("%d differ from Linux\n", failures);
	return failures ? 1 : 0;
}
