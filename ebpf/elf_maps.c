/*
 * The maps of an ELF object (elf_loader.h): one per symbol of the map
 * sections, ".maps" (BTF-defined, read by btf.c) and "maps" (legacy
 * struct bpf_map_def, by libbpf 0.x's rule), and one per global-data
 * section (.rodata*, .data*, .bss*: a one-entry array whose value is the
 * section). After
 * the programs exist, .rel.maps fills the prog arrays and maps of maps
 * declared with libbpf's `values`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"

/* Legacy struct bpf_map_def: type, key_size, value_size, max_entries, flags. */
#define LEGACY_MAP_DEF_FIELDS	  5
#define LEGACY_MAP_DEF_MIN_FIELDS 4 /* map_flags is optional */

/* ---- maps ---------------------------------------------------------------- */

/* Keeps origin as that of a map that was not created, for error line index. */
static int add_failed_map(struct elf_loader *ld, const struct map_origin *origin, size_t index)
{
	struct failed_map *failed;

	failed = realloc(ld->failed_maps, (ld->failed_map_count + 1) * sizeof(*failed));
	if (!failed)
		return elf_load_error(ld, -ENOMEM, "out of memory for maps");
	ld->failed_maps = failed;
	failed[ld->failed_map_count++] = (struct failed_map){*origin, index};
	return 0;
}

/*
 * A map ukbpf cannot make (its type, its definition): recorded with why,
 * for the programs that use it to fail with; the object goes on loading.
 */
static int record_failed_map(struct elf_loader *ld, const struct map_origin *origin,
			     const char *why)
{
	size_t index;
	int err = elf_map_error(ld, &index, "%s", why);

	return err ? err : add_failed_map(ld, origin, index);
}

int elf_add_map(struct elf_loader *ld, const struct ebpf_map_def *def,
		const struct ebpf_map_def *inner, const char *name, const struct map_origin *origin,
		struct ebpf_map **created)
{
	struct ebpf_object *obj = ld->obj;
	char sub_msg[SUB_LOG_SIZE] = "";
	struct ebpf_log sub_log = {.buf = sub_msg, .size = sizeof(sub_msg)};
	struct ebpf_map **maps;
	struct map_origin *origins;
	int err;

	*created = NULL;
	uint64_t bytes = ebpf_map_def_bytes(def);
	if (ld->opts && ld->opts->max_map_bytes && bytes > ld->opts->max_map_bytes - ld->map_bytes)
		return elf_load_error(ld, -ENOMEM,
				      "map '%s': %llu bytes, %llu of the load's %llu are left",
				      name, (unsigned long long)bytes,
				      (unsigned long long)(ld->opts->max_map_bytes - ld->map_bytes),
				      (unsigned long long)ld->opts->max_map_bytes);
	maps = realloc(obj->maps, (obj->map_count + 1) * sizeof(*maps));
	if (!maps)
		return elf_load_error(ld, -ENOMEM, "out of memory for maps");
	obj->maps = maps;
	origins = realloc(ld->map_origins, (obj->map_count + 1) * sizeof(*origins));
	if (!origins)
		return elf_load_error(ld, -ENOMEM, "out of memory for maps");
	ld->map_origins = origins;
	err = inner ? ebpf_map_create_outer(def, inner, name, &maps[obj->map_count], &sub_log)
		    : ebpf_map_create(def, name, &maps[obj->map_count], &sub_log);
	if (err == -ENOMEM)
		return elf_load_error(ld, err, "section %s: %s", ld->sections[origin->shndx].name,
				      sub_msg[0] ? sub_msg : name);
	if (err) {
		/* maps.c names the map in its message. */
		if (!sub_msg[0])
			snprintf(sub_msg, sizeof(sub_msg), "map '%s': cannot be created (%d)", name,
				 err);
		return record_failed_map(ld, origin, sub_msg);
	}
	ld->map_bytes += bytes;
	origins[obj->map_count] = *origin;
	*created = maps[obj->map_count];
	obj->map_count++;
	return 0;
}

/* libbpf's map_set_def_max_entries: a perf event array without max_entries has a slot per CPU. */
static void set_default_max_entries(struct ebpf_map_def *def)
{
	if (def->type == EBPF_MAP_TYPE_PERF_EVENT_ARRAY && !def->max_entries)
		def->max_entries = 1; /* we run on one CPU */
}

struct map_symbol {
	size_t index;
	uint64_t offset;
};

static int compare_map_symbols(const void *a, const void *b)
{
	const struct map_symbol *ma = a, *mb = b;

	return ma->offset < mb->offset ? -1 : ma->offset > mb->offset;
}

/*
 * One map per symbol of a map section, in offset order: object symbols,
 * and for legacy maps untyped ones too (older clang emitted those).
 */
static int collect_map_symbols(struct elf_loader *ld, uint32_t shndx, bool untyped_too,
			       struct map_symbol **syms, size_t *count)
{
	struct map_symbol *found;
	size_t i, n = 0;

	found = calloc(ld->sym_count + 1, sizeof(*found));
	if (!found)
		return elf_load_error(ld, -ENOMEM, "out of memory for symbols");
	for (i = 1; i < ld->sym_count; i++) {
		struct elf64_sym sym;
		uint8_t type;

		elf_read_symbol(ld, i, &sym);
		type = ELF_ST_TYPE(sym.st_info);
		if (sym.st_shndx == shndx &&
		    (type == ELF_STT_OBJECT || (untyped_too && type == ELF_STT_NOTYPE)))
			found[n++] = (struct map_symbol){i, sym.st_value};
	}
	qsort(found, n, sizeof(*found), compare_map_symbols);
	*syms = found;
	*count = n;
	return 0;
}

/*
 * libbpf 0.x's rule for "maps" (bpf_object__init_user_maps), the loader
 * legacy maps were written for (libbpf 1.0 dropped them): every
 * definition has the same size, the section's size divided by the number
 * of its map symbols, whatever size the symbols give (older clang gave
 * none). Of a definition, the first bytes of struct bpf_map_def are read;
 * a definition larger than that struct (iproute2's) has the rest ignored.
 */
static int legacy_def_size(struct elf_loader *ld, uint32_t shndx, size_t count, uint64_t *size)
{
	const struct elf_section *sec = &ld->sections[shndx];

	*size = 0;
	if (count == 0)
		return 0;
	if (sec->hdr.sh_size % count)
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): 0x%llx bytes do not divide among its %zu map "
		    "symbols",
		    shndx, sec->name, (unsigned long long)sec->hdr.sh_size, count);
	*size = sec->hdr.sh_size / count;
	if (*size < LEGACY_MAP_DEF_MIN_FIELDS * sizeof(uint32_t))
		return elf_load_error(ld, -EINVAL,
				      "section %u (%s): %zu map symbols share 0x%llx bytes, %llu "
				      "each, less than a struct bpf_map_def (%zu)",
				      shndx, sec->name, count, (unsigned long long)sec->hdr.sh_size,
				      (unsigned long long)*size,
				      LEGACY_MAP_DEF_MIN_FIELDS * sizeof(uint32_t));
	return 0;
}

static int read_legacy_map_def(struct elf_loader *ld, uint32_t shndx, const struct elf64_sym *sym,
			       const char *name, uint64_t size, struct ebpf_map_def *def)
{
	const struct elf_section *sec = &ld->sections[shndx];
	uint32_t fields[LEGACY_MAP_DEF_FIELDS] = {0};

	if (!range_inside(sym->st_value, size, sec->hdr.sh_size))
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): map '%s' at offset 0x%llx: its 0x%llx-byte struct "
		    "bpf_map_def extends past the section (0x%llx bytes)",
		    shndx, sec->name, name, (unsigned long long)sym->st_value,
		    (unsigned long long)size, (unsigned long long)sec->hdr.sh_size);
	memcpy(fields, sec->data + sym->st_value, size < sizeof(fields) ? size : sizeof(fields));
	*def = (struct ebpf_map_def){
	    .type = fields[0],
	    .key_size = fields[1],
	    .value_size = fields[2],
	    .max_entries = fields[3],
	    .flags = fields[4],
	};
	return 0;
}

#define ELF_MAP_LEFT_OUT 1 /* read_btf_map_def recorded the map as not created */

/*
 * A BTF-defined map. A definition ukbpf does not support (btf.c's
 * -ENOTSUP: an unknown member) is recorded, not fatal, and
 * ELF_MAP_LEFT_OUT returned; malformed BTF refuses the object.
 */
static int read_btf_map_def(struct elf_loader *ld, const struct map_origin *origin,
			    const char *name, struct btf_map *def)
{
	char sub_msg[SUB_LOG_SIZE] = "";
	struct ebpf_log sub_log = {.buf = sub_msg, .size = sizeof(sub_msg)};
	int err = btf_map_def(&ld->btf, name, def, &sub_log);

	if (err == -ENOTSUP) {
		err = record_failed_map(ld, origin, sub_msg);
		return err ? err : ELF_MAP_LEFT_OUT;
	}
	if (err)
		return elf_load_error(ld, err, "%s", sub_msg);
	return 0;
}

/*
 * The struct bpf_spin_lock of a BTF-defined map's value, for the
 * verifier's lock rules; Linux allows one only in hash and array values
 * (map_check_btf), so another type's map keeps none and a program
 * locking it is refused.
 */
static int find_spin_lock(struct elf_loader *ld, struct ebpf_map *map, const char *name)
{
	char sub_msg[SUB_LOG_SIZE] = "";
	struct ebpf_log sub_log = {.buf = sub_msg, .size = sizeof(sub_msg)};
	uint32_t type = ebpf_map_get_def(map)->type, offset;
	int err = btf_map_spin_lock(&ld->btf, name, &offset, &sub_log);

	if (err == -ENOENT)
		return 0;
	if (err)
		return elf_load_error(ld, err, "%s", sub_msg);
	if (type == EBPF_MAP_TYPE_HASH || type == EBPF_MAP_TYPE_ARRAY)
		ebpf_map_set_spin_lock(map, offset);
	return 0;
}

static int create_section_maps(struct elf_loader *ld, uint32_t shndx)
{
	const struct elf_section *sec = &ld->sections[shndx];
	bool legacy = sec->role == SECTION_LEGACY_MAPS;
	struct map_symbol *syms = NULL;
	uint64_t legacy_size = 0;
	size_t count = 0, i;
	int err;

	err = collect_map_symbols(ld, shndx, legacy, &syms, &count);
	if (!err && legacy)
		err = legacy_def_size(ld, shndx, count, &legacy_size);
	for (i = 0; i < count && !err; i++) {
		struct elf64_sym sym;
		struct btf_map def = {.values_offset = BTF_NO_VALUES};
		struct ebpf_map *map = NULL;
		const char *name;
		struct map_origin origin;

		elf_read_symbol(ld, syms[i].index, &sym);
		name = elf_symbol_name(ld, &sym);
		origin = (struct map_origin){shndx, sym.st_value,
					     legacy ? legacy_size : sym.st_size, BTF_NO_VALUES};
		if (legacy)
			err = read_legacy_map_def(ld, shndx, &sym, name, legacy_size, &def.def);
		else if (ld->btf.type_count == 0)
			err = elf_load_error(ld, -EINVAL,
					     "map '%s': section %s needs %s, which is missing",
					     name, BTF_MAPS_SECTION, BTF_SECTION);
		else
			err = read_btf_map_def(ld, &origin, name, &def);
		if (err == ELF_MAP_LEFT_OUT) {
			err = 0;
			continue;
		}
		origin.values_offset = def.values_offset;
		/* libbpf: a perf event array without max_entries has a slot per CPU; we run on one.
		 */
		set_default_max_entries(&def.def);
		if (def.has_inner)
			set_default_max_entries(&def.inner);
		if (!err)
			elf_apply_map_size(ld, name, &def.def);
		if (!err)
			err = elf_add_map(ld, &def.def, def.has_inner ? &def.inner : NULL, name,
					  &origin, &map);
		if (!err && map && !legacy)
			err = find_spin_lock(ld, map, name);
	}
	free(syms);
	return err;
}

/* libbpf's global data: the section is the value of a one-entry array. */
static int create_data_map(struct elf_loader *ld, uint32_t shndx)
{
	const struct elf_section *sec = &ld->sections[shndx];
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_TYPE_ARRAY,
	    .key_size = sizeof(uint32_t),
	    .value_size = (uint32_t)sec->hdr.sh_size,
	    .max_entries = 1,
	    .flags = elf_is_prefix_family(sec->name, RODATA_PREFIX, ".") ? EBPF_F_RDONLY_PROG : 0,
	};
	uint32_t key = 0;
	struct ebpf_map *map;
	int err;

	if (sec->hdr.sh_size > UINT32_MAX)
		return elf_load_error(ld, -E2BIG,
				      "section %u (%s): 0x%llx bytes is too large for a map", shndx,
				      sec->name, (unsigned long long)sec->hdr.sh_size);
	err = elf_add_map(ld, &def, NULL, sec->name,
			  &(struct map_origin){shndx, 0, sec->hdr.sh_size, BTF_NO_VALUES}, &map);
	if (err || !map || !sec->data)
		return err; /* .bss: array values start zeroed */
	err = ebpf_map_update(map, &key, sec->data, EBPF_ANY);
	if (err)
		return elf_load_error(ld, err, "section %u (%s): cannot initialize its map", shndx,
				      sec->name);
	return 0;
}

int elf_create_maps(struct elf_loader *ld)
{
	uint32_t i;
	int err = 0;

	for (i = 1; i < ld->section_count && !err; i++) {
		const struct elf_section *sec = &ld->sections[i];

		if (sec->role == SECTION_LEGACY_MAPS || sec->role == SECTION_BTF_MAPS)
			err = create_section_maps(ld, i);
		else if (sec->role == SECTION_DATA && sec->hdr.sh_size > 0)
			err = create_data_map(ld, i);
	}
	return err;
}

/* ---- `values` initializers (.rel.maps): prog arrays and maps of maps ----- */

/* The index of the program whose entry is function symbol sym, or -1. */
static long program_at_symbol(struct elf_loader *ld, const struct elf64_sym *sym)
{
	struct elf_section *sec = &ld->sections[sym->st_shndx];
	const struct elf_func *func;
	size_t i;

	if (sec->role != SECTION_CODE || sym->st_value % INSN_SIZE)
		return -1;
	func = elf_find_function(sec, sym->st_value / INSN_SIZE);
	for (i = 0; func && i < ld->obj->prog_count; i++)
		if (ld->prog_entries[i] == func)
			return (long)i;
	return -1;
}

/* The map with `values` whose definition holds byte offset. */
static struct ebpf_map *values_map_at(struct elf_loader *ld, uint32_t shndx, uint64_t offset,
				      const struct map_origin **origin)
{
	size_t i;

	for (i = 0; i < ld->obj->map_count; i++) {
		const struct map_origin *o = &ld->map_origins[i];

		if (o->shndx == shndx && o->values_offset != BTF_NO_VALUES && offset >= o->offset &&
		    offset - o->offset < o->size) {
			*origin = o;
			return ld->obj->maps[i];
		}
	}
	return NULL;
}

/* Whether byte offset of section shndx lies in the definition of a map not created. */
static bool in_failed_map(const struct elf_loader *ld, uint32_t shndx, uint64_t offset)
{
	size_t i;

	for (i = 0; i < ld->failed_map_count; i++) {
		const struct map_origin *o = &ld->failed_maps[i].origin;

		if (o->shndx == shndx && offset >= o->offset && offset - o->offset < o->size)
			return true;
	}
	return false;
}

/* Prog array slot = the program at sym; left empty (and recorded) if it did not load. */
static int set_prog_slot(struct elf_loader *ld, struct ebpf_map *map, uint32_t slot,
			 const struct elf64_sym *sym)
{
	long prog_index = sym->st_shndx < ld->section_count ? program_at_symbol(ld, sym) : -1;
	struct ebpf_prog *prog;
	int err;

	if (prog_index < 0)
		return elf_load_error(ld, -EINVAL,
				      "map '%s': initializer '%s' is not a program of this object",
				      ebpf_map_get_name(map), elf_symbol_name(ld, sym));
	prog = ld->obj->progs[prog_index].prog;
	if (!prog)
		return elf_map_error(ld, NULL,
				     "map '%s': slot %u left empty: program '%s' did not load",
				     ebpf_map_get_name(map), slot, ld->obj->progs[prog_index].name);
	err = ebpf_prog_array_set(map, slot, prog);
	if (err)
		return elf_map_error(
		    ld, NULL, "map '%s': slot %u left empty: it cannot hold program '%s' (%d)",
		    ebpf_map_get_name(map), slot, ebpf_prog_get_name(prog), err);
	return 0;
}

/*
 * Map-in-map slot = the map defined at sym, as libbpf's
 * init_map_in_map_slots: an inner map that does not fit the outer's
 * definition, or a slot past max_entries, refuses the object as libbpf
 * does. A slot whose inner map was not created stays empty (recorded).
 */
static int set_map_slot(struct elf_loader *ld, struct ebpf_map *outer, uint32_t slot,
			const struct elf64_sym *sym)
{
	const char *outer_name = ebpf_map_get_name(outer), *inner_name = elf_symbol_name(ld, sym);
	bool in_maps = sym->st_shndx < ld->section_count &&
		       ld->sections[sym->st_shndx].role == SECTION_BTF_MAPS;
	size_t i;
	int err;

	for (i = 0; in_maps && i < ld->obj->map_count; i++) {
		const struct map_origin *o = &ld->map_origins[i];

		if (o->shndx == sym->st_shndx && o->offset == sym->st_value)
			break;
	}
	if (!in_maps ||
	    (i == ld->obj->map_count && !in_failed_map(ld, sym->st_shndx, sym->st_value)))
		return elf_load_error(
		    ld, -EINVAL,
		    "map '%s': initializer [%u] '%s' is not a BTF-defined map of this object",
		    outer_name, slot, inner_name);
	if (i == ld->obj->map_count)
		return elf_map_error(ld, NULL,
				     "map '%s': slot %u left empty: map '%s' was not created",
				     outer_name, slot, inner_name);
	/* libbpf's key is the slot index, an int. */
	if (ebpf_map_get_def(outer)->key_size != sizeof(slot))
		return elf_load_error(ld, -EINVAL,
				      "map '%s': initializers need a 4-byte key, not %u bytes",
				      outer_name, ebpf_map_get_def(outer)->key_size);
	err = ebpf_map_set_inner(outer, &slot, ld->obj->maps[i], EBPF_ANY);
	if (err == -E2BIG)
		return elf_load_error(ld, err, "map '%s': initializer [%u] is past max_entries %u",
				      outer_name, slot, ebpf_map_get_def(outer)->max_entries);
	if (err)
		return elf_load_error(
		    ld, err,
		    "map '%s': initializer [%u]: map '%s' does not match the inner map definition",
		    outer_name, slot, inner_name);
	return 0;
}

/*
 * One .rel.maps entry: slot (offset - values) / 8 of a prog array or a
 * map-in-map = a program or a map. A relocation inside a map that was
 * not created is skipped (the map's record says why).
 */
static int apply_values_reloc(struct elf_loader *ld, const struct elf_section *rel,
			      uint32_t maps_shndx, size_t index)
{
	const struct map_origin *origin = NULL;
	struct elf64_rel entry;
	struct elf64_sym sym;
	struct ebpf_map *map;
	uint32_t sym_index;
	uint64_t slot_off, slot;

	memcpy(&entry, rel->data + index * sizeof(entry), sizeof(entry));
	sym_index = ELF_R_SYM(entry.r_info);
	if (ELF_R_TYPE(entry.r_info) != R_BPF_64_ABS64 || sym_index == 0 ||
	    sym_index >= ld->sym_count)
		return elf_load_error(
		    ld, -EINVAL,
		    "section %s: relocation %zu at offset 0x%llx: type %u symbol %u "
		    "is not a program or map pointer",
		    rel->name, index, (unsigned long long)entry.r_offset, ELF_R_TYPE(entry.r_info),
		    sym_index);
	elf_read_symbol(ld, sym_index, &sym);
	map = values_map_at(ld, maps_shndx, entry.r_offset, &origin);
	if (!map && in_failed_map(ld, maps_shndx, entry.r_offset))
		return 0;
	slot_off = map ? entry.r_offset - origin->offset : 0;
	if (!map || slot_off < origin->values_offset ||
	    (slot_off - origin->values_offset) % BTF_PTR_SIZE)
		return elf_load_error(
		    ld, -EINVAL,
		    "section %s: relocation %zu at offset 0x%llx is not a slot of a "
		    "map's values",
		    rel->name, index, (unsigned long long)entry.r_offset);
	slot = (slot_off - origin->values_offset) / BTF_PTR_SIZE;
	if (slot > UINT32_MAX)
		return elf_load_error(ld, -E2BIG,
				      "map '%s': initializer [%llu] is past max_entries",
				      ebpf_map_get_name(map), (unsigned long long)slot);
	if (ebpf_map_get_inner_def(map))
		return set_map_slot(ld, map, (uint32_t)slot, &sym);
	return set_prog_slot(ld, map, (uint32_t)slot, &sym);
}

int elf_fill_map_values(struct elf_loader *ld)
{
	uint32_t i;
	size_t k;
	int err;

	for (i = 1; i < ld->section_count; i++) {
		const struct elf_section *rel = &ld->sections[i];

		if (rel->hdr.sh_type != ELF_SHT_REL || rel->hdr.sh_info == 0 ||
		    rel->hdr.sh_info >= ld->section_count ||
		    ld->sections[rel->hdr.sh_info].role != SECTION_BTF_MAPS)
			continue;
		if (rel->hdr.sh_link != ld->symtab_index ||
		    rel->hdr.sh_entsize != sizeof(struct elf64_rel) ||
		    rel->hdr.sh_size % sizeof(struct elf64_rel))
			return elf_load_error(ld, -EINVAL, "section %u (%s): bad relocation table",
					      i, rel->name);
		for (k = 0; k < rel->hdr.sh_size / sizeof(struct elf64_rel); k++) {
			err = apply_values_reloc(ld, rel, rel->hdr.sh_info, k);
			if (err)
				return err;
		}
	}
	return 0;
}
