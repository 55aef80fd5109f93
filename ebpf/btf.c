/*
 * The BTF reader of btf.h. Type ids index type_offsets, filled by one
 * walk over the type section; every later lookup is then a bounds check
 * and a memcpy. Chains of typedefs, modifiers and arrays are followed at
 * most BTF_MAX_CHAIN steps, so hostile BTF cannot loop.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf.h"
#include "ebpf_internal.h"
#include "elf_format.h"

/* Bounds the walk through typedef/const/array chains of hostile BTF. */
#define BTF_MAX_CHAIN		      32
#define BTF_MEMBER_BIT_OFFSET(offset) ((offset)&0xffffff) /* kind_flag: low 24 bits */
#define BITS_PER_BYTE		      8
/* libbpf names an inner map definition "OUTER.inner". */
#define BTF_INNER_NAME_SIZE 128

/* Logs a one-line reason and evaluates to err: `return BTF_ERROR(log, -EINVAL, ...)`. */
#define BTF_ERROR(log, err, ...) (ebpf_log_printf((log), __VA_ARGS__), (err))

/* ---- parsing ------------------------------------------------------------- */

static size_t btf_extra_size(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BTF_KIND_INT:
		return sizeof(uint32_t);
	case BTF_KIND_ARRAY:
		return sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return (size_t)vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return (size_t)vlen * sizeof(struct btf_enum);
	case BTF_KIND_FUNC_PROTO:
		return (size_t)vlen * sizeof(struct btf_param);
	case BTF_KIND_VAR:
		return sizeof(struct btf_var);
	case BTF_KIND_DATASEC:
		return (size_t)vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_DECL_TAG:
		return sizeof(struct btf_decl_tag);
	case BTF_KIND_ENUM64:
		return (size_t)vlen * sizeof(struct btf_enum64);
	default: /* PTR, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT, FUNC, FLOAT, TYPE_TAG */
		return 0;
	}
}

/*
 * Walks the type section; with offsets != NULL records where each type
 * starts. Returns the number of types or a negative errno.
 */
static int64_t btf_walk_types(const struct btf *btf, uint32_t *offsets, struct ebpf_log *log)
{
	uint64_t pos = 0;
	uint32_t count = 0;

	while (pos < btf->types_len) {
		struct btf_type t;
		uint32_t kind;
		uint64_t extra;

		if (!range_inside(pos, sizeof(t), btf->types_len))
			return BTF_ERROR(log, -EINVAL, "BTF: type %u at 0x%llx is truncated",
					 count + 1, (unsigned long long)pos);
		memcpy(&t, btf->types + pos, sizeof(t));
		kind = BTF_INFO_KIND(t.info);
		if (kind == BTF_KIND_VOID || kind >= BTF_KIND_COUNT)
			return BTF_ERROR(log, -EINVAL, "BTF: type %u has unknown kind %u",
					 count + 1, kind);
		extra = btf_extra_size(kind, BTF_INFO_VLEN(t.info));
		if (!range_inside(pos + sizeof(t), extra, btf->types_len))
			return BTF_ERROR(log, -EINVAL, "BTF: type %u at 0x%llx is truncated",
					 count + 1, (unsigned long long)pos);
		if (offsets)
			offsets[count + 1] = (uint32_t)pos;
		count++;
		pos += sizeof(t) + extra;
	}
	return count;
}

int btf_parse(struct btf *btf, const uint8_t *data, uint64_t size, struct ebpf_log *log)
{
	struct btf_header hdr;
	uint64_t body_size;
	int64_t count;

	if (!data || size < sizeof(hdr))
		return BTF_ERROR(log, -EINVAL, "section %s: too small for a BTF header",
				 BTF_SECTION);
	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.magic != BTF_MAGIC)
		return BTF_ERROR(log, -EINVAL, "section %s: bad BTF magic 0x%04x", BTF_SECTION,
				 hdr.magic);
	if (hdr.version != BTF_VERSION || hdr.hdr_len < sizeof(hdr) || hdr.hdr_len > size)
		return BTF_ERROR(log, -EINVAL, "section %s: bad BTF header (version %u, length %u)",
				 BTF_SECTION, hdr.version, hdr.hdr_len);
	body_size = size - hdr.hdr_len;
	if (!range_inside(hdr.type_off, hdr.type_len, body_size) ||
	    !range_inside(hdr.str_off, hdr.str_len, body_size))
		return BTF_ERROR(log, -EINVAL,
				 "section %s: BTF types (0x%x + 0x%x) or strings (0x%x + 0x%x) "
				 "extend past the section body (0x%llx)",
				 BTF_SECTION, hdr.type_off, hdr.type_len, hdr.str_off, hdr.str_len,
				 (unsigned long long)body_size);
	btf->types = data + hdr.hdr_len + hdr.type_off;
	btf->types_len = hdr.type_len;
	btf->strs = (const char *)data + hdr.hdr_len + hdr.str_off;
	btf->strs_len = hdr.str_len;
	if (!string_table_ok((const uint8_t *)btf->strs, btf->strs_len))
		return BTF_ERROR(log, -EINVAL, "section %s: BTF string table not NUL-terminated",
				 BTF_SECTION);
	count = btf_walk_types(btf, NULL, log);
	if (count < 0)
		return (int)count;
	btf->type_offsets = calloc((size_t)count + 1, sizeof(uint32_t));
	if (!btf->type_offsets)
		return BTF_ERROR(log, -ENOMEM, "out of memory for %lld BTF types",
				 (long long)count);
	btf->type_count = (uint32_t)count + 1;
	count = btf_walk_types(btf, btf->type_offsets, log);
	return count < 0 ? (int)count : 0;
}

void btf_free(struct btf *btf)
{
	free(btf->type_offsets);
}

/* ---- types --------------------------------------------------------------- */

/* Reads type id; false for void or an id past the last type. */
static bool btf_type(const struct btf *btf, uint32_t id, struct btf_type *t)
{
	if (id == 0 || id >= btf->type_count)
		return false;
	memcpy(t, btf->types + btf->type_offsets[id], sizeof(*t));
	return true;
}

/* The kind-specific item i that follows type id (members, secinfos...). */
static void btf_type_item(const struct btf *btf, uint32_t id, size_t i, void *item,
			  size_t item_size)
{
	memcpy(item, btf->types + btf->type_offsets[id] + sizeof(struct btf_type) + i * item_size,
	       item_size);
}

static const char *btf_name(const struct btf *btf, uint32_t name_off)
{
	return name_off < btf->strs_len ? btf->strs + name_off : NULL;
}

static bool btf_is_modifier(uint32_t kind)
{
	return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
	       kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

/* Follows typedef/const/volatile/restrict/type_tag to the underlying type. */
static int btf_resolve(const struct btf *btf, uint32_t id, uint32_t *resolved, struct btf_type *t,
		       struct ebpf_log *log)
{
	int depth;

	for (depth = 0; depth < BTF_MAX_CHAIN; depth++) {
		if (!btf_type(btf, id, t))
			return BTF_ERROR(log, -EINVAL, "BTF: bad type id %u", id);
		if (!btf_is_modifier(BTF_INFO_KIND(t->info))) {
			*resolved = id;
			return 0;
		}
		id = t->size_or_type;
	}
	return BTF_ERROR(log, -EINVAL, "BTF: type chain from id %u too long", id);
}

/* Size in bytes of type id (RFC-less: btf.rst §2.2 per kind). */
static int btf_type_size(const struct btf *btf, uint32_t id, uint64_t *size, struct ebpf_log *log)
{
	uint64_t multiplier = 1;
	struct btf_type t;
	struct btf_array arr;
	int depth, err;

	for (depth = 0; depth < BTF_MAX_CHAIN; depth++) {
		err = btf_resolve(btf, id, &id, &t, log);
		if (err)
			return err;
		switch (BTF_INFO_KIND(t.info)) {
		case BTF_KIND_INT:
		case BTF_KIND_STRUCT:
		case BTF_KIND_UNION:
		case BTF_KIND_ENUM:
		case BTF_KIND_ENUM64:
		case BTF_KIND_FLOAT:
			*size = multiplier * t.size_or_type;
			return 0;
		case BTF_KIND_PTR:
			*size = multiplier * BTF_PTR_SIZE;
			return 0;
		case BTF_KIND_ARRAY:
			btf_type_item(btf, id, 0, &arr, sizeof(arr));
			/* Sizes are u32 in the end; stop before u64 overflow. */
			if (arr.nelems && multiplier > UINT32_MAX / arr.nelems)
				return BTF_ERROR(log, -E2BIG, "BTF: array type %u too large", id);
			multiplier *= arr.nelems;
			id = arr.type;
			break;
		default:
			return BTF_ERROR(log, -EINVAL, "BTF: type %u (kind %u) has no size", id,
					 BTF_INFO_KIND(t.info));
		}
	}
	return BTF_ERROR(log, -EINVAL, "BTF: array nesting from type %u too deep", id);
}

/* ---- BTF-defined maps (DATASEC .maps) ------------------------------------ */

/* The type a pointer member points to (both __uint and __type are pointers). */
static int btf_pointee(const struct btf *btf, const char *map, const char *field, uint32_t id,
		       uint32_t *pointee, struct ebpf_log *log)
{
	struct btf_type t;
	int err = btf_resolve(btf, id, &id, &t, log);

	if (err)
		return err;
	if (BTF_INFO_KIND(t.info) != BTF_KIND_PTR)
		return BTF_ERROR(
		    log, -EINVAL,
		    "map '%s': field '%s' is not a pointer (kind %u) as __uint/__type make it", map,
		    field, BTF_INFO_KIND(t.info));
	*pointee = t.size_or_type;
	return 0;
}

/* libbpf's __uint(name, val) is `int (*name)[val]`: the value is nelems. */
static int btf_uint_field(const struct btf *btf, const char *map, const char *field, uint32_t id,
			  uint32_t *value, struct ebpf_log *log)
{
	struct btf_type t;
	struct btf_array arr;
	int err;

	err = btf_pointee(btf, map, field, id, &id, log);
	if (!err)
		err = btf_resolve(btf, id, &id, &t, log);
	if (err)
		return err;
	if (BTF_INFO_KIND(t.info) != BTF_KIND_ARRAY)
		return BTF_ERROR(log, -EINVAL,
				 "map '%s': field '%s' is not declared with __uint (kind %u)", map,
				 field, BTF_INFO_KIND(t.info));
	btf_type_item(btf, id, 0, &arr, sizeof(arr));
	*value = arr.nelems;
	return 0;
}

/* libbpf's __type(name, T) is `T *name`: the value is sizeof(T). */
static int btf_type_field(const struct btf *btf, const char *map, const char *field, uint32_t id,
			  uint32_t *size, struct ebpf_log *log)
{
	uint64_t bytes = 0;
	int err;

	err = btf_pointee(btf, map, field, id, &id, log);
	if (!err)
		err = btf_type_size(btf, id, &bytes, log);
	if (err)
		return err;
	if (bytes > UINT32_MAX)
		return BTF_ERROR(log, -E2BIG, "map '%s': %s type too large", map, field);
	*size = (uint32_t)bytes;
	return 0;
}

/* Finds the VAR named name in DATASEC ".maps"; its type is the definition. */
static int btf_find_map_var(const struct btf *btf, const char *name, uint32_t *def_type,
			    struct ebpf_log *log)
{
	uint32_t id;

	for (id = 1; id < btf->type_count; id++) {
		struct btf_type t;
		const char *sec_name;
		uint32_t i;

		btf_type(btf, id, &t);
		sec_name = btf_name(btf, t.name_off);
		if (BTF_INFO_KIND(t.info) != BTF_KIND_DATASEC || !sec_name ||
		    strcmp(sec_name, BTF_MAPS_SECTION) != 0)
			continue;
		for (i = 0; i < BTF_INFO_VLEN(t.info); i++) {
			struct btf_var_secinfo vsi;
			struct btf_type var;
			const char *var_name;

			btf_type_item(btf, id, i, &vsi, sizeof(vsi));
			if (!btf_type(btf, vsi.type, &var) ||
			    BTF_INFO_KIND(var.info) != BTF_KIND_VAR)
				return BTF_ERROR(log, -EINVAL,
						 "BTF: DATASEC %s entry %u is not a variable",
						 BTF_MAPS_SECTION, i);
			var_name = btf_name(btf, var.name_off);
			if (var_name && strcmp(var_name, name) == 0) {
				*def_type = var.size_or_type;
				return 0;
			}
		}
	}
	return BTF_ERROR(log, -EINVAL, "map '%s': no BTF definition in DATASEC %s", name,
			 BTF_MAPS_SECTION);
}

/*
 * libbpf's __array(values, T) is a zero-length array of pointers to T
 * whose initializers .rel.maps fills: a prog array's T is a function
 * type, a map-in-map's the struct defining its inner maps. Gets the
 * array's byte offset and T's id.
 */
static int btf_values_field(const struct btf *btf, const char *map, const struct btf_member *m,
			    uint64_t *values_offset, uint32_t *pointee, struct ebpf_log *log)
{
	uint32_t bits = BTF_MEMBER_BIT_OFFSET(m->offset);
	struct btf_type t;
	struct btf_array arr;
	uint32_t id;
	int err;

	err = btf_resolve(btf, m->type, &id, &t, log);
	if (err)
		return err;
	if (BTF_INFO_KIND(t.info) != BTF_KIND_ARRAY)
		return BTF_ERROR(log, -EINVAL, "map '%s': field 'values' is not an array", map);
	btf_type_item(btf, id, 0, &arr, sizeof(arr));
	if (arr.nelems)
		return BTF_ERROR(log, -EINVAL,
				 "map '%s': field 'values' is an array of %u, not of zero size",
				 map, arr.nelems);
	err = btf_resolve(btf, arr.type, &id, &t, log);
	if (err)
		return err;
	if (BTF_INFO_KIND(t.info) != BTF_KIND_PTR || bits % (BTF_PTR_SIZE * BITS_PER_BYTE))
		return BTF_ERROR(log, -EINVAL,
				 "map '%s': field 'values' is not an aligned array of pointers",
				 map);
	*values_offset = bits / BITS_PER_BYTE;
	return btf_resolve(btf, t.size_or_type, pointee, &t, log);
}

/*
 * The members of a BTF-defined map that set a field of struct
 * ebpf_map_def: __uint(name, N) gives N, __type(name, T) gives sizeof(T).
 */
enum btf_map_field_kind { BTF_FIELD_UINT, BTF_FIELD_TYPE_SIZE };

static const struct btf_map_field {
	const char *name;
	enum btf_map_field_kind kind;
	size_t def_offset; /* of a uint32_t in struct ebpf_map_def */
} btf_map_fields[] = {
    {"type", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, type)},
    {"max_entries", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, max_entries)},
    {"map_flags", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, flags)},
    {"key_size", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, key_size)},
    {"key", BTF_FIELD_TYPE_SIZE, offsetof(struct ebpf_map_def, key_size)},
    {"value_size", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, value_size)},
    {"value", BTF_FIELD_TYPE_SIZE, offsetof(struct ebpf_map_def, value_size)},
    {"map_extra", BTF_FIELD_UINT, offsetof(struct ebpf_map_def, map_extra)},
};

#define MAP_DEF_WORDS	    (sizeof(struct ebpf_map_def) / sizeof(uint32_t))
#define MAP_DEF_WORD(field) (offsetof(struct ebpf_map_def, field) / sizeof(uint32_t))

/* Members ukbpf has no use for: accepted and ignored. */
static bool btf_map_field_ignored(const char *name)
{
	return strcmp(name, "pinning") == 0 || strcmp(name, "numa_node") == 0;
}

/* Stores one member's value; key and key_size (value, value_size) must agree. */
static int btf_map_member(const struct btf *btf, const char *map, const struct btf_member *m,
			  const struct btf_map_field *field, uint32_t *words, bool *seen,
			  struct ebpf_log *log)
{
	size_t word = field->def_offset / sizeof(uint32_t);
	uint32_t value = 0;
	int err;

	if (field->kind == BTF_FIELD_UINT)
		err = btf_uint_field(btf, map, field->name, m->type, &value, log);
	else
		err = btf_type_field(btf, map, field->name, m->type, &value, log);
	if (err)
		return err;
	if (seen[word] && words[word] != value)
		return BTF_ERROR(log, -EINVAL, "map '%s': '%s' (%u) contradicts an earlier %u", map,
				 field->name, value, words[word]);
	words[word] = value;
	seen[word] = true;
	return 0;
}

static bool is_map_in_map(uint32_t type)
{
	return type == EBPF_MAP_TYPE_ARRAY_OF_MAPS || type == EBPF_MAP_TYPE_HASH_OF_MAPS;
}

static int btf_map_struct(const struct btf *btf, const char *name, uint32_t id, bool is_inner,
			  struct btf_map *out, struct ebpf_log *log);

/*
 * `values`, by libbpf's parse_btf_map_def: the last member, of a prog
 * array (functions) or a map-in-map (the inner maps' definition, read
 * like a map's own, one level deep); the value a user passes is then an
 * fd, 4 bytes.
 */
static int btf_map_values(const struct btf *btf, const char *name, const struct btf_member *m,
			  bool is_last, uint32_t *words, bool *seen, struct btf_map *out,
			  struct ebpf_log *log)
{
	uint32_t type = words[MAP_DEF_WORD(type)], pointee = 0;
	char inner_name[BTF_INNER_NAME_SIZE];
	struct btf_map inner;
	struct btf_type t;
	int err;

	if (!is_last)
		return BTF_ERROR(log, -EINVAL, "map '%s': 'values' must be the last member", name);
	if (type != EBPF_MAP_TYPE_PROG_ARRAY && !is_map_in_map(type))
		return BTF_ERROR(log, -ENOTSUP,
				 "map '%s': 'values' is for prog arrays and maps of maps only",
				 name);
	if (seen[MAP_DEF_WORD(value_size)] && words[MAP_DEF_WORD(value_size)] != sizeof(uint32_t))
		return BTF_ERROR(log, -EINVAL, "map '%s': value size %u with 'values', not 4", name,
				 words[MAP_DEF_WORD(value_size)]);
	words[MAP_DEF_WORD(value_size)] = sizeof(uint32_t);
	seen[MAP_DEF_WORD(value_size)] = true;
	err = btf_values_field(btf, name, m, &out->values_offset, &pointee, log);
	if (err)
		return err;
	btf_type(btf, pointee, &t);
	if (type == EBPF_MAP_TYPE_PROG_ARRAY) {
		if (BTF_INFO_KIND(t.info) != BTF_KIND_FUNC_PROTO)
			return BTF_ERROR(log, -EINVAL,
					 "map '%s': prog array 'values' point to kind %u, not "
					 "functions",
					 name, BTF_INFO_KIND(t.info));
		return 0;
	}
	if (BTF_INFO_KIND(t.info) != BTF_KIND_STRUCT)
		return BTF_ERROR(log, -EINVAL,
				 "map '%s': inner map definition is of kind %u, not a struct", name,
				 BTF_INFO_KIND(t.info));
	snprintf(inner_name, sizeof(inner_name), "%s.inner", name);
	err = btf_map_struct(btf, inner_name, pointee, true, &inner, log);
	if (err)
		return err;
	out->inner = inner.def;
	out->has_inner = true;
	return 0;
}

/*
 * Reads the struct id defining map name (libbpf's struct { __uint(type,
 * ...); ... }); an inner map's definition may not have `values` itself.
 * Members other than those of btf_map_fields[], `values` and the ignored
 * ones are refused rather than silently loaded wrong.
 */
static int btf_map_struct(const struct btf *btf, const char *name, uint32_t id, bool is_inner,
			  struct btf_map *out, struct ebpf_log *log)
{
	uint32_t words[MAP_DEF_WORDS] = {0};
	bool seen[MAP_DEF_WORDS] = {false};
	struct btf_type t;
	uint32_t i, vlen;
	size_t f;
	int err;

	*out = (struct btf_map){.values_offset = BTF_NO_VALUES};
	btf_type(btf, id, &t);
	if (BTF_INFO_KIND(t.info) != BTF_KIND_STRUCT)
		return BTF_ERROR(log, -EINVAL, "map '%s': BTF definition is not a struct (kind %u)",
				 name, BTF_INFO_KIND(t.info));
	vlen = BTF_INFO_VLEN(t.info);
	for (i = 0; i < vlen; i++) {
		struct btf_member m;
		const char *member;

		btf_type_item(btf, id, i, &m, sizeof(m));
		member = btf_name(btf, m.name_off);
		if (!member)
			return BTF_ERROR(log, -EINVAL, "map '%s': member %u has a bad name", name,
					 i);
		for (f = 0; f < sizeof(btf_map_fields) / sizeof(btf_map_fields[0]); f++)
			if (strcmp(member, btf_map_fields[f].name) == 0)
				break;
		if (f < sizeof(btf_map_fields) / sizeof(btf_map_fields[0]))
			err = btf_map_member(btf, name, &m, &btf_map_fields[f], words, seen, log);
		else if (strcmp(member, "values") == 0 && is_inner)
			err = BTF_ERROR(log, -ENOTSUP,
					"map '%s': has 'values': maps nest one level only", name);
		else if (strcmp(member, "values") == 0)
			err = btf_map_values(btf, name, &m, i == vlen - 1, words, seen, out, log);
		else if (!btf_map_field_ignored(member))
			err = BTF_ERROR(log, -ENOTSUP, "map '%s': unsupported field '%s'", name,
					member);
		if (err)
			return err;
	}
	if (!seen[MAP_DEF_WORD(type)])
		return BTF_ERROR(log, -EINVAL, "map '%s': definition has no 'type' field", name);
	memcpy(&out->def, words, sizeof(out->def));
	return 0;
}

/* ---- global variables (DATASEC .rodata, .data, .bss) and externs --------- */

/* An array of one-byte integers: a string (libbpf's char array kconfig externs). */
static bool btf_is_char_array(const struct btf *btf, uint32_t id)
{
	struct btf_array array;
	struct btf_type elem;
	uint32_t elem_id;

	btf_type_item(btf, id, 0, &array, sizeof(array));
	return array.nelems > 0 && btf_resolve(btf, array.type, &elem_id, &elem, NULL) == 0 &&
	       BTF_INFO_KIND(elem.info) == BTF_KIND_INT && elem.size_or_type == 1;
}

static int btf_global_type(const struct btf *btf, uint32_t id, struct btf_global *out,
			   struct ebpf_log *log)
{
	struct btf_type t;
	uint32_t encoding;
	int err = btf_type_size(btf, id, &out->size, log);

	if (!err)
		err = btf_resolve(btf, id, &id, &t, log);
	if (err)
		return err;
	out->kind = BTF_GLOBAL_OTHER;
	out->is_signed = false;
	out->type_name = btf_name(btf, t.name_off);
	switch (BTF_INFO_KIND(t.info)) {
	case BTF_KIND_INT:
		btf_type_item(btf, id, 0, &encoding, sizeof(encoding));
		encoding = BTF_INT_ENCODING(encoding);
		out->kind = encoding & BTF_INT_BOOL ? BTF_GLOBAL_BOOL : BTF_GLOBAL_INT;
		out->is_signed = (encoding & BTF_INT_SIGNED) != 0;
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		out->kind = BTF_GLOBAL_ENUM;
		out->is_signed = BTF_INFO_KFLAG(t.info) != 0;
		break;
	case BTF_KIND_ARRAY:
		if (btf_is_char_array(btf, id))
			out->kind = BTF_GLOBAL_CHARS;
		break;
	default:
		break;
	}
	return 0;
}

/* The VAR or FUNC called name in a DATASEC: *kind, its type and its section. */
static bool btf_find_datasec_entry(const struct btf *btf, const char *name, uint32_t *kind,
				   uint32_t *type, const char **section)
{
	uint32_t id, i;

	for (id = 1; id < btf->type_count; id++) {
		struct btf_type t;
		const char *sec_name;

		btf_type(btf, id, &t);
		sec_name = btf_name(btf, t.name_off);
		if (BTF_INFO_KIND(t.info) != BTF_KIND_DATASEC || !sec_name)
			continue;
		for (i = 0; i < BTF_INFO_VLEN(t.info); i++) {
			struct btf_var_secinfo vsi;
			struct btf_type entry;
			const char *entry_name;

			btf_type_item(btf, id, i, &vsi, sizeof(vsi));
			if (!btf_type(btf, vsi.type, &entry) ||
			    (BTF_INFO_KIND(entry.info) != BTF_KIND_VAR &&
			     BTF_INFO_KIND(entry.info) != BTF_KIND_FUNC))
				continue;
			entry_name = btf_name(btf, entry.name_off);
			if (!entry_name || strcmp(entry_name, name) != 0)
				continue;
			*kind = BTF_INFO_KIND(entry.info);
			*type = entry.size_or_type;
			*section = sec_name;
			return true;
		}
	}
	return false;
}

int btf_find_global(const struct btf *btf, const char *name, struct btf_global *out,
		    struct ebpf_log *log)
{
	const char *section;
	uint32_t kind, type;

	/* Functions live in DATASECs too (externs' .ksyms): not variables. */
	if (!btf_find_datasec_entry(btf, name, &kind, &type, &section) || kind != BTF_KIND_VAR)
		return -ENOENT;
	*out = (struct btf_global){.section = section};
	return btf_global_type(btf, type, out, log);
}

int btf_find_extern(const struct btf *btf, const char *name, struct btf_extern *out,
		    struct ebpf_log *log)
{
	uint32_t kind, type;

	*out = (struct btf_extern){0};
	if (!btf_find_datasec_entry(btf, name, &kind, &type, &out->var.section))
		return -ENOENT;
	out->is_func = kind == BTF_KIND_FUNC;
	return out->is_func ? 0 : btf_global_type(btf, type, &out->var, log);
}

int btf_map_def(const struct btf *btf, const char *name, struct btf_map *out, struct ebpf_log *log)
{
	struct btf_type t;
	uint32_t id = 0;
	int err;

	err = btf_find_map_var(btf, name, &id, log);
	if (!err)
		err = btf_resolve(btf, id, &id, &t, log);
	return err ? err : btf_map_struct(btf, name, id, false, out, log);
}

/*
 * Linux's btf_find_spin_lock: a member of the value struct, at its top
 * level, whose type is `struct bpf_spin_lock` (4 bytes, 4-aligned); two
 * are refused as in Linux (-E2BIG).
 */
int btf_map_spin_lock(const struct btf *btf, const char *name, uint32_t *offset,
		      struct ebpf_log *log)
{
	struct btf_type t;
	uint32_t id = 0, value_id = 0, i;
	bool found = false;
	int err;

	err = btf_find_map_var(btf, name, &id, log);
	if (!err)
		err = btf_resolve(btf, id, &id, &t, log);
	if (err)
		return err;
	for (i = 0; BTF_INFO_KIND(t.info) == BTF_KIND_STRUCT && i < BTF_INFO_VLEN(t.info); i++) {
		struct btf_member m;
		const char *member;

		btf_type_item(btf, id, i, &m, sizeof(m));
		member = btf_name(btf, m.name_off);
		if (member && strcmp(member, "value") == 0)
			err = btf_pointee(btf, name, member, m.type, &value_id, log);
		if (err)
			return err;
	}
	if (!value_id || btf_resolve(btf, value_id, &value_id, &t, log) ||
	    BTF_INFO_KIND(t.info) != BTF_KIND_STRUCT)
		return -ENOENT;
	for (i = 0; i < BTF_INFO_VLEN(t.info); i++) {
		struct btf_member m;
		struct btf_type mt;
		uint32_t member_id;
		const char *type_name;

		btf_type_item(btf, value_id, i, &m, sizeof(m));
		if (btf_resolve(btf, m.type, &member_id, &mt, log))
			continue;
		type_name = btf_name(btf, mt.name_off);
		if (BTF_INFO_KIND(mt.info) != BTF_KIND_STRUCT || !type_name ||
		    strcmp(type_name, BTF_SPIN_LOCK_TYPE) != 0)
			continue;
		if (found)
			return BTF_ERROR(log, -E2BIG, "map '%s': more than one %s in the value",
					 name, BTF_SPIN_LOCK_TYPE);
		if (m.offset % (EBPF_SPIN_LOCK_SIZE * BITS_PER_BYTE))
			return BTF_ERROR(log, -EINVAL, "map '%s': misaligned %s", name,
					 BTF_SPIN_LOCK_TYPE);
		*offset = m.offset / BITS_PER_BYTE;
		found = true;
	}
	return found ? 0 : -ENOENT;
}
