/*
 * BPF_MAP_TYPE_LPM_TRIE: longest-prefix match, Linux's
 * kernel/bpf/lpm_trie.c in behaviour, node for node: the same binary trie
 * (intermediate nodes where two prefixes part, each with exactly two
 * children), so the same keys come back in the same get_next_key order.
 *
 * A key is struct bpf_lpm_trie_key: a u32 prefix length in host order,
 * then data_size bytes (key_size - 4) read most significant bit first, as
 * addresses are written on the wire. Lookups, from programs and from
 * users alike, return the value of the longest stored prefix containing
 * the key's; update and delete name an exact prefix.
 *
 * Linux requires BPF_F_NO_PREALLOC and allocates nodes as they come; we
 * allocate a pool at create, so nothing on the packet path calls malloc:
 * max_entries prefixes need at most max_entries - 1 intermediate nodes
 * (each has two children, so the leaves, all real prefixes, outnumber
 * them), and an update rewrites a node in place where Linux swaps in a
 * copy (one CPU: no reader to keep the old one for).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "map_types.h"

/* struct bpf_lpm_trie_key: the prefix length, then the data. */
#define TRIE_KEY_HDR	   sizeof(uint32_t)
#define TRIE_DATA_SIZE_MIN 1
#define TRIE_DATA_SIZE_MAX 256 /* Linux's LPM_DATA_SIZE_MAX: up to a /2048 */
#define TRIE_NIL	   UINT32_MAX
#define BITS_PER_BYTE	   8u

struct trie_node {
	uint32_t child[2]; /* node indices, TRIE_NIL when absent */
	uint32_t prefixlen;
	bool intermediate; /* only parts two subtrees: holds no value */
	uint8_t data[];	   /* data_size bytes padded to 8, then the value */
};

struct map_trie {
	uint8_t *nodes; /* pool of node_count nodes of node_size bytes */
	uint32_t node_size;
	uint32_t node_count;
	uint32_t data_size;
	uint32_t data_stride; /* data_size rounded up to 8: the value's offset */
	uint32_t max_prefixlen;
	uint32_t root;
	uint32_t free_head; /* free nodes, chained through child[0] */
	uint32_t entries;   /* nodes that hold a value */
	uint32_t *path;	    /* get_next_key's walk: max_prefixlen + 1 nodes */
};

static struct trie_node *node_at(const struct map_trie *t, uint32_t index)
{
	return (struct trie_node *)(t->nodes + (size_t)index * t->node_size);
}

static void *node_value(const struct map_trie *t, struct trie_node *node)
{
	return node->data + t->data_stride;
}

static uint32_t key_prefixlen(const void *key)
{
	uint32_t prefixlen;

	memcpy(&prefixlen, key, sizeof(prefixlen));
	return prefixlen;
}

static const uint8_t *key_data(const void *key)
{
	return (const uint8_t *)key + TRIE_KEY_HDR;
}

/* Bit index of data, counting from the most significant bit of data[0]. */
static unsigned int extract_bit(const uint8_t *data, uint32_t index)
{
	return (data[index / BITS_PER_BYTE] >> (BITS_PER_BYTE - 1 - index % BITS_PER_BYTE)) & 1;
}

/* How many leading bits node and key share, at most the shorter of their prefixes. */
static uint32_t longest_prefix_match(const struct map_trie *t, const struct trie_node *node,
				     uint32_t prefixlen, const uint8_t *data)
{
	uint32_t limit = node->prefixlen < prefixlen ? node->prefixlen : prefixlen;
	uint32_t matched = 0, i;

	for (i = 0; i < t->data_size && matched < limit; i++) {
		uint8_t diff = node->data[i] ^ data[i];

		if (diff) {
			matched += (uint32_t)__builtin_clz(diff) - (32 - BITS_PER_BYTE);
			break;
		}
		matched += BITS_PER_BYTE;
	}
	return matched < limit ? matched : limit;
}

static int trie_check_def(const struct ebpf_map *map, struct ebpf_log *log)
{
	const struct ebpf_map_def *def = &map->def;

	/* Linux's trie_alloc: every refusal is -EINVAL. */
	if (!(def->flags & EBPF_F_NO_PREALLOC)) {
		ebpf_log_printf(log, "map '%s': an LPM trie needs BPF_F_NO_PREALLOC", map->name);
		return -EINVAL;
	}
	if (def->key_size < TRIE_KEY_HDR + TRIE_DATA_SIZE_MIN ||
	    def->key_size > TRIE_KEY_HDR + TRIE_DATA_SIZE_MAX) {
		ebpf_log_printf(log, "map '%s': LPM trie key_size %u is not in [%zu, %zu]",
				map->name, def->key_size, TRIE_KEY_HDR + TRIE_DATA_SIZE_MIN,
				TRIE_KEY_HDR + TRIE_DATA_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static int trie_alloc(struct ebpf_map *map)
{
	struct map_trie *t = calloc(1, sizeof(*t));
	uint32_t i;

	if (!t)
		return -ENOMEM;
	t->data_size = map->def.key_size - TRIE_KEY_HDR;
	t->data_stride = map_round_up8(t->data_size);
	t->max_prefixlen = t->data_size * BITS_PER_BYTE;
	t->node_size = (uint32_t)sizeof(struct trie_node) + t->data_stride + map->value_stride;
	t->node_count = 2 * map->def.max_entries; /* map_check_sizes bounds max_entries */
	t->nodes = calloc(t->node_count, t->node_size);
	t->path = calloc(t->max_prefixlen + 1, sizeof(*t->path));
	if (!t->nodes || !t->path) {
		free(t->nodes);
		free(t->path);
		free(t);
		return -ENOMEM;
	}
	for (i = 0; i < t->node_count; i++)
		node_at(t, i)->child[0] = i + 1 < t->node_count ? i + 1 : TRIE_NIL;
	t->free_head = 0;
	t->root = TRIE_NIL;
	map->trie = t;
	return 0;
}

static void trie_free(struct ebpf_map *map)
{
	free(map->trie->nodes);
	free(map->trie->path);
	free(map->trie);
}

static uint32_t node_take(struct map_trie *t)
{
	uint32_t index = t->free_head;

	if (index != TRIE_NIL)
		t->free_head = node_at(t, index)->child[0];
	return index;
}

static void node_release(struct map_trie *t, uint32_t index)
{
	node_at(t, index)->child[0] = t->free_head;
	t->free_head = index;
}

/* Linux's trie_lookup_elem: the last node on the key's path that holds a value. */
static void *trie_lookup(struct ebpf_map *map, const void *key, bool touch)
{
	const struct map_trie *t = map->trie;
	uint32_t prefixlen = key_prefixlen(key), index = t->root;
	const uint8_t *data = key_data(key);
	struct trie_node *found = NULL;

	if (prefixlen > t->max_prefixlen)
		return NULL;
	while (index != TRIE_NIL) {
		struct trie_node *node = node_at(t, index);
		uint32_t matched = longest_prefix_match(t, node, prefixlen, data);

		if (matched == t->max_prefixlen) {
			found = node;
			break;
		}
		if (matched < node->prefixlen)
			break;
		if (!node->intermediate)
			found = node;
		index = node->child[extract_bit(data, node->prefixlen)];
	}
	return found ? node_value(t, found) : NULL;
}

/* Counts a new prefix: -ENOENT for EXIST, -ENOSPC when full (Linux's trie_check_add_elem). */
static int trie_check_add(struct ebpf_map *map, uint64_t flags)
{
	if (flags == EBPF_EXIST)
		return -ENOENT;
	if (map->trie->entries == map->def.max_entries)
		return -ENOSPC;
	map->trie->entries++;
	return 0;
}

/* The pool holds every node max_entries prefixes need: running out is a bug, not a full map. */
static int trie_undo_add(struct ebpf_map *map)
{
	map->trie->entries--;
	return -ENOMEM;
}

static void node_fill(struct ebpf_map *map, struct trie_node *node, uint32_t prefixlen,
		      const uint8_t *data, const void *value)
{
	struct map_trie *t = map->trie;

	node->child[0] = node->child[1] = TRIE_NIL;
	node->prefixlen = prefixlen;
	node->intermediate = value == NULL;
	memcpy(node->data, data, t->data_size);
	if (value)
		memcpy(node_value(t, node), value, map->def.value_size);
}

/*
 * A leaf for a new prefix, counted against max_entries (flags as for
 * update): its pool index in *index, or an error with nothing changed.
 */
static int trie_new_leaf(struct ebpf_map *map, uint64_t flags, uint32_t prefixlen,
			 const uint8_t *data, const void *value, uint32_t *index)
{
	int err = trie_check_add(map, flags);

	if (err)
		return err;
	*index = node_take(map->trie);
	if (*index == TRIE_NIL)
		return trie_undo_add(map);
	node_fill(map, node_at(map->trie, *index), prefixlen, data, value);
	return 0;
}

/*
 * Linux's trie_update_elem: walk while the node's whole prefix matches and
 * is shorter than the key's; then the key goes into an empty slot, onto
 * the node with its exact prefix, above the node (the key's prefix
 * contains it), or beside it under a new intermediate node.
 */
static int trie_update(struct ebpf_map *map, const void *key, const void *value, uint64_t flags)
{
	struct map_trie *t = map->trie;
	uint32_t prefixlen = key_prefixlen(key), matched = 0, index, im_index, *slot = &t->root;
	const uint8_t *data = key_data(key);
	struct trie_node *node = NULL, *im;
	int err;

	if (flags > EBPF_EXIST || prefixlen > t->max_prefixlen)
		return -EINVAL;
	while (*slot != TRIE_NIL) {
		node = node_at(t, *slot);
		matched = longest_prefix_match(t, node, prefixlen, data);
		if (node->prefixlen != matched || node->prefixlen == prefixlen)
			break;
		slot = &node->child[extract_bit(data, node->prefixlen)];
	}
	if (*slot == TRIE_NIL) {
		err = trie_new_leaf(map, flags, prefixlen, data, value, &index);
		if (!err)
			*slot = index;
		return err;
	}
	if (node->prefixlen == matched) { /* the key's own prefix: replace in place */
		if (!node->intermediate && flags == EBPF_NOEXIST)
			return -EEXIST;
		if (node->intermediate) {
			err = trie_check_add(map, flags);
			if (err)
				return err;
		}
		node->intermediate = false;
		memcpy(node->data, data, t->data_size);
		memcpy(node_value(t, node), value, map->def.value_size);
		return 0;
	}
	err = trie_new_leaf(map, flags, prefixlen, data, value, &index);
	if (err)
		return err;
	if (matched == prefixlen) { /* the key's prefix contains node's: insert above */
		node_at(t, index)->child[extract_bit(node->data, matched)] = *slot;
		*slot = index;
		return 0;
	}
	im_index = node_take(t);
	if (im_index == TRIE_NIL) {
		node_release(t, index);
		return trie_undo_add(map);
	}
	im = node_at(t, im_index);
	node_fill(map, im, matched, node->data, NULL);
	if (extract_bit(data, matched)) {
		im->child[0] = *slot;
		im->child[1] = index;
	} else {
		im->child[0] = index;
		im->child[1] = *slot;
	}
	*slot = im_index;
	return 0;
}

/*
 * Linux's trie_delete_elem: a node with two children becomes intermediate;
 * a leaf under an intermediate parent takes the parent with it (its
 * sibling moves up); otherwise the node's one child, if any, takes its
 * place. Every intermediate node keeps exactly two children.
 */
static int trie_delete(struct ebpf_map *map, const void *key)
{
	struct map_trie *t = map->trie;
	uint32_t prefixlen = key_prefixlen(key), matched = 0, index, parent_index = TRIE_NIL;
	uint32_t *trim = &t->root, *trim2 = trim;
	const uint8_t *data = key_data(key);
	struct trie_node *node = NULL, *parent = NULL;

	if (prefixlen > t->max_prefixlen)
		return -EINVAL;
	while (*trim != TRIE_NIL) {
		node = node_at(t, *trim);
		matched = longest_prefix_match(t, node, prefixlen, data);
		if (node->prefixlen != matched || node->prefixlen == prefixlen)
			break;
		parent = node;
		parent_index = *trim;
		trim2 = trim;
		trim = &node->child[extract_bit(data, node->prefixlen)];
	}
	if (*trim == TRIE_NIL || node->prefixlen != prefixlen || node->prefixlen != matched ||
	    node->intermediate)
		return -ENOENT;
	t->entries--;
	index = *trim;
	if (node->child[0] != TRIE_NIL && node->child[1] != TRIE_NIL) {
		node->intermediate = true;
		return 0;
	}
	if (parent && parent->intermediate && node->child[0] == TRIE_NIL &&
	    node->child[1] == TRIE_NIL) {
		*trim2 = parent->child[parent->child[0] == index ? 1 : 0];
		node_release(t, parent_index);
		node_release(t, index);
		return 0;
	}
	*trim = node->child[0] != TRIE_NIL ? node->child[0] : node->child[1];
	node_release(t, index);
	return 0;
}

static void copy_key_of(const struct map_trie *t, const struct trie_node *node, void *next_key)
{
	memcpy(next_key, &node->prefixlen, sizeof(node->prefixlen));
	memcpy((uint8_t *)next_key + TRIE_KEY_HDR, node->data, t->data_size);
}

/* The first node in postorder under root that holds a value (Linux's find_leftmost). */
static const struct trie_node *leftmost(const struct map_trie *t, uint32_t root)
{
	const struct trie_node *next = NULL;
	uint32_t index = root;

	while (index != TRIE_NIL) {
		const struct trie_node *node = node_at(t, index);

		if (node->intermediate) {
			index = node->child[0];
		} else {
			next = node;
			index = node->child[0] != TRIE_NIL ? node->child[0] : node->child[1];
		}
	}
	return next;
}

/*
 * Linux's trie_get_next_key: postorder, so more specific prefixes come
 * before those containing them. A key that is not in the trie (or NULL,
 * or a prefix length past the data) restarts at the first.
 */
static int trie_get_next_key(struct ebpf_map *map, const void *key, void *next_key)
{
	struct map_trie *t = map->trie;
	const struct trie_node *node = NULL;
	uint32_t depth = 0, index, prefixlen, matched = 0;
	const uint8_t *data;

	if (t->root == TRIE_NIL)
		return -ENOENT;
	if (!key || key_prefixlen(key) > t->max_prefixlen) {
		copy_key_of(t, leftmost(t, t->root), next_key);
		return 0;
	}
	prefixlen = key_prefixlen(key);
	data = key_data(key);
	for (index = t->root; index != TRIE_NIL;) {
		node = node_at(t, index);
		t->path[depth++] = index;
		matched = longest_prefix_match(t, node, prefixlen, data);
		if (node->prefixlen != matched || node->prefixlen == prefixlen)
			break;
		index = node->child[extract_bit(data, node->prefixlen)];
	}
	if (index == TRIE_NIL || node->prefixlen != matched || node->intermediate) {
		copy_key_of(t, leftmost(t, t->root), next_key);
		return 0;
	}
	/* After the found node: its right sibling's subtree, else the first real ancestor. */
	while (depth > 1) {
		const struct trie_node *parent = node_at(t, t->path[depth - 2]);

		if (parent->child[0] == t->path[depth - 1] && parent->child[1] != TRIE_NIL) {
			copy_key_of(t, leftmost(t, parent->child[1]), next_key);
			return 0;
		}
		if (!parent->intermediate) {
			copy_key_of(t, parent, next_key);
			return 0;
		}
		depth--;
	}
	return -ENOENT;
}

const struct map_ops map_lpm_trie_ops = {
    .check_def = trie_check_def,
    .alloc = trie_alloc,
    .free = trie_free,
    .lookup = trie_lookup,
    .update = trie_update,
    .delete = trie_delete,
    .get_next_key = trie_get_next_key,
};
