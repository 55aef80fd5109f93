/*
 * What the caller of ebpf_object_load_elf_opts decides before the load
 * (ebpf.h's struct ebpf_object_load_opts), as a libbpf user decides it
 * between bpf_object__open and bpf_object__load: map sizes
 * (bpf_map__set_max_entries) applied to definitions before their maps are
 * made, and global variables (a skeleton's rodata->name = value) written
 * into the global-data maps before any program exists. Then .rodata is
 * frozen, as libbpf's bpf_object__load freezes it, so the verifier may
 * read it as constants (ebpf_map_read_constant).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"

#define BITS_PER_BYTE 8
#define U64_BITS      64

void elf_apply_map_size(struct elf_loader *ld, const char *name, struct ebpf_map_def *def)
{
	const struct ebpf_object_load_opts *opts = ld->opts;
	size_t i;

	for (i = 0; opts && i < opts->map_size_count; i++) {
		if (strcmp(opts->map_sizes[i].name, name) != 0)
			continue;
		def->max_entries = opts->map_sizes[i].max_entries;
		ld->map_sizes_applied[i] = true;
	}
}

int elf_check_map_sizes(struct elf_loader *ld)
{
	const struct ebpf_object_load_opts *opts = ld->opts;
	size_t i;

	for (i = 0; opts && i < opts->map_size_count; i++)
		if (!ld->map_sizes_applied[i])
			return elf_load_error(
			    ld, -ENOENT, "map '%s': no such map in the object (sections %s, %s)",
			    opts->map_sizes[i].name, BTF_MAPS_SECTION, LEGACY_MAPS_SECTION);
	return 0;
}

/* The object's map of the global-data section called section, or NULL; *shndx its section. */
static struct ebpf_map *data_map(const struct elf_loader *ld, const char *section, uint32_t *shndx)
{
	size_t i;

	for (i = 0; i < ld->obj->map_count; i++) {
		const struct elf_section *sec = &ld->sections[ld->map_origins[i].shndx];

		if (sec->role == SECTION_DATA && strcmp(sec->name, section) == 0) {
			*shndx = ld->map_origins[i].shndx;
			return ld->obj->maps[i];
		}
	}
	return NULL;
}

/* Where the symbol name lies in section shndx, as libbpf's BTF fix-up finds it. */
static bool symbol_offset(const struct elf_loader *ld, const char *name, uint32_t shndx,
			  uint64_t *offset)
{
	struct elf64_sym sym;
	size_t i;

	for (i = 1; i < ld->sym_count; i++) {
		elf_read_symbol(ld, i, &sym);
		if (sym.st_shndx == shndx && ELF_ST_TYPE(sym.st_info) == ELF_STT_OBJECT &&
		    strcmp(elf_symbol_name(ld, &sym), name) == 0) {
			*offset = sym.st_value;
			return true;
		}
	}
	return false;
}

static bool value_fits(const struct btf_global *var, uint64_t value)
{
	unsigned int bits = (unsigned int)var->size * BITS_PER_BYTE;
	int64_t half;

	if (var->kind == BTF_GLOBAL_BOOL)
		return value <= 1;
	if (bits >= U64_BITS)
		return true;
	if (!var->is_signed)
		return value < (UINT64_C(1) << bits);
	half = (int64_t)(UINT64_C(1) << (bits - 1));
	return (int64_t)value >= -half && (int64_t)value < half;
}

static int set_global(struct elf_loader *ld, const struct ebpf_global_value *setting)
{
	struct btf_global var;
	struct ebpf_map *map;
	uint64_t offset;
	uint32_t shndx;
	int err = btf_find_global(&ld->btf, setting->name, &var, ld->log);

	if (err == -ENOENT)
		return elf_load_error(
		    ld, err, "variable '%s': no such variable in the object's BTF", setting->name);
	if (err)
		return err;
	map = data_map(ld, var.section, &shndx);
	if (!map)
		return elf_load_error(ld, -EINVAL,
				      "variable '%s': in section %s, not in .rodata, .data or .bss",
				      setting->name, var.section);
	if (var.kind == BTF_GLOBAL_OTHER || var.kind == BTF_GLOBAL_CHARS || var.size == 0 ||
	    var.size > sizeof(setting->value))
		return elf_load_error(ld, -EINVAL,
				      "variable '%s': not an integer, bool or enum (%llu bytes)",
				      setting->name, (unsigned long long)var.size);
	if (!value_fits(&var, setting->value))
		return elf_load_error(
		    ld, -ERANGE, "variable '%s': %lld does not fit its %llu-byte %s type",
		    setting->name, (long long)setting->value, (unsigned long long)var.size,
		    var.kind == BTF_GLOBAL_BOOL ? "bool"
		    : var.is_signed		? "signed"
						: "unsigned");
	if (!symbol_offset(ld, setting->name, shndx, &offset))
		return elf_load_error(ld, -EINVAL, "variable '%s': no symbol for it in section %s",
				      setting->name, var.section);
	if (!range_inside(offset, var.size, ebpf_map_get_def(map)->value_size))
		return elf_load_error(ld, -EINVAL,
				      "variable '%s': %s+0x%llx (%llu bytes) is past the section",
				      setting->name, var.section, (unsigned long long)offset,
				      (unsigned long long)var.size);
	/* Little-endian, the BPF target's byte order on x86-64. */
	memcpy(ebpf_map_value_addr(map, (uint32_t)offset), &setting->value, (size_t)var.size);
	return 0;
}

int elf_set_globals(struct elf_loader *ld)
{
	const struct ebpf_object_load_opts *opts = ld->opts;
	size_t i;
	int err = 0;

	if (opts && opts->global_count && ld->btf.type_count == 0)
		return elf_load_error(
		    ld, -EINVAL, "variable '%s': the object has no BTF (section %s) to find it by",
		    opts->globals[0].name, BTF_SECTION);
	for (i = 0; opts && i < opts->global_count && !err; i++)
		err = set_global(ld, &opts->globals[i]);
	return err;
}

void elf_freeze_rodata(struct elf_loader *ld)
{
	size_t i;

	for (i = 0; i < ld->obj->map_count; i++) {
		const struct elf_section *sec = &ld->sections[ld->map_origins[i].shndx];

		if (sec->role == SECTION_DATA &&
		    elf_is_prefix_family(sec->name, RODATA_PREFIX, "."))
			ebpf_map_freeze(ld->obj->maps[i]);
	}
}
