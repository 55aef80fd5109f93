/*
 * The ELF loader: turns a relocatable object written by
 * `clang -O2 -g -target bpf -c` into maps and programs, following the
 * conventions of libbpf so that objects built against <bpf/bpf_helpers.h>
 * load unchanged:
 *
 *   - every function in an executable section other than .text is a
 *     program named by its symbol; the section name gives the program
 *     type and expected attach type (libbpf's SEC() names,
 *     prog_type_section.c); functions in .text are subprograms, copied
 *     behind each program that calls them (bpf-to-bpf calls);
 *   - maps come from ".maps" (BTF-defined: the definition is read from
 *     the object's BTF), "maps" (legacy struct bpf_map_def) and the
 *     global-data sections .rodata*, .data*, .bss* (one-entry arrays whose
 *     value is the section);
 *   - lddw instructions relocated against a map get src_reg
 *     EBPF_PSEUDO_MAP_FD and imm = map index; against global data,
 *     EBPF_PSEUDO_MAP_VALUE with the offset in the second imm;
 *   - extern symbols (elf_externs.c): `__kconfig` variables are read from
 *     a frozen map ".kconfig" holding the values ukbpf reports; `__ksym`
 *     ones (kfuncs, kernel variables) do not resolve in ukbpf.
 *
 * Decisions where libbpf has no answer for us:
 *   - a section whose name has no known prefix loads as
 *     EBPF_PROG_TYPE_UNSPEC (the r1 = mem, r2 = len convention), so test
 *     programs may use any SEC() name;
 *   - an object with code only in .text (no SEC() at all) loads the global
 *     functions of .text as UNSPEC programs instead of failing;
 *   - an executable section without function symbols (hand-written
 *     assembly) is one program named after its section;
 *   - libbpf loads all of an object or none of it; ukbpf, which runs
 *     fewer program and map types than Linux, loads what it can: a
 *     program it cannot create (its type, an unknown helper, an extern,
 *     a map that was not created) is recorded with why, and so is a map
 *     (its type or definition), and the others load. Only a malformed
 *     object is refused whole.
 *
 * The input is untrusted: every offset and size is checked against the
 * buffer before use, structures are read with memcpy (no alignment is
 * assumed), the buffer is never written, and a failure frees everything
 * created so far.
 *
 * This file reads the container and runs the load step by step; the
 * maps are made in elf_maps.c and the programs linked in elf_link.c,
 * over the state of elf_loader.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"

#define LICENSE_SECTION "license"

int elf_load_error(struct elf_loader *ld, int err, const char *fmt, ...)
{
	char msg[SUB_LOG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ebpf_log_printf(ld->log, "%s", msg);
	return err;
}

int elf_prog_error(struct elf_loader *ld, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ld->prog_msg, sizeof(ld->prog_msg), fmt, ap);
	va_end(ap);
	ld->prog_err = err;
	return ELF_PROG_REFUSED;
}

int elf_map_error(struct elf_loader *ld, size_t *index, const char *fmt, ...)
{
	struct ebpf_object *obj = ld->obj;
	char msg[SUB_LOG_SIZE];
	char **errors;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errors = realloc(obj->map_errors, (obj->map_error_count + 1) * sizeof(*errors));
	if (!errors)
		return elf_load_error(ld, -ENOMEM, "out of memory for map errors");
	obj->map_errors = errors;
	errors[obj->map_error_count] = strdup(msg);
	if (!errors[obj->map_error_count])
		return elf_load_error(ld, -ENOMEM, "out of memory for map errors");
	if (index)
		*index = obj->map_error_count;
	obj->map_error_count++;
	return 0;
}

bool elf_is_prefix_family(const char *name, const char *prefix, const char *separators)
{
	size_t len = strlen(prefix);

	return strncmp(name, prefix, len) == 0 &&
	       (name[len] == '\0' || strchr(separators, name[len]) != NULL);
}

/* ---- ELF header and sections ------------------------------------------- */

static int read_header(struct elf_loader *ld, struct elf64_ehdr *eh)
{
	if (ld->size < ELF_MAGIC_SIZE || memcmp(ld->elf, ELF_MAGIC, ELF_MAGIC_SIZE) != 0)
		return elf_load_error(ld, -EINVAL, "not an ELF file (bad magic)");
	if (ld->size < sizeof(*eh))
		return elf_load_error(ld, -EINVAL, "truncated ELF header (%zu bytes < %zu)",
				      ld->size, sizeof(*eh));
	memcpy(eh, ld->elf, sizeof(*eh));
	if (eh->e_ident[ELF_IDENT_CLASS] != ELF_CLASS_64)
		return elf_load_error(ld, -EINVAL, "not a 64-bit ELF file (class %u)",
				      eh->e_ident[ELF_IDENT_CLASS]);
	if (eh->e_ident[ELF_IDENT_DATA] != ELF_DATA_2LSB)
		return elf_load_error(ld, -EINVAL,
				      "wrong endianness (data encoding %u, need little-endian)",
				      eh->e_ident[ELF_IDENT_DATA]);
	if (eh->e_machine != ELF_MACHINE_BPF)
		return elf_load_error(ld, -EINVAL, "not a BPF object (machine %u, need %u)",
				      eh->e_machine, ELF_MACHINE_BPF);
	if (eh->e_type != ELF_TYPE_REL)
		return elf_load_error(ld, -EINVAL, "not a relocatable object (ELF type %u)",
				      eh->e_type);
	if (eh->e_shnum == 0 || eh->e_shentsize != sizeof(struct elf64_shdr))
		return elf_load_error(ld, -EINVAL,
				      "bad section header table (%u entries of %u bytes)",
				      eh->e_shnum, eh->e_shentsize);
	if (!range_inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(struct elf64_shdr), ld->size))
		return elf_load_error(
		    ld, -EINVAL,
		    "section header table extends past end of file (offset 0x%llx + "
		    "%u entries > 0x%zx)",
		    (unsigned long long)eh->e_shoff, eh->e_shnum, ld->size);
	if (eh->e_shstrndx == ELF_SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum)
		return elf_load_error(ld, -EINVAL, "bad section name table index %u (%u sections)",
				      eh->e_shstrndx, eh->e_shnum);
	return 0;
}

static int check_section_bounds(struct elf_loader *ld, uint32_t index)
{
	struct elf_section *sec = &ld->sections[index];
	const char *name = sec->name ? sec->name : "?";

	if (sec->hdr.sh_type == ELF_SHT_NOBITS || sec->hdr.sh_type == ELF_SHT_NULL)
		return 0;
	if (!range_inside(sec->hdr.sh_offset, sec->hdr.sh_size, ld->size))
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): extends past end of file (offset 0x%llx + size "
		    "0x%llx > 0x%zx)",
		    index, name, (unsigned long long)sec->hdr.sh_offset,
		    (unsigned long long)sec->hdr.sh_size, ld->size);
	sec->data = ld->elf + sec->hdr.sh_offset;
	return 0;
}

static int read_sections(struct elf_loader *ld, const struct elf64_ehdr *eh)
{
	const struct elf_section *names;
	uint32_t i;
	int err;

	ld->section_count = eh->e_shnum;
	ld->sections = calloc(ld->section_count, sizeof(*ld->sections));
	if (!ld->sections)
		return elf_load_error(ld, -ENOMEM, "out of memory for %u sections", eh->e_shnum);
	for (i = 0; i < ld->section_count; i++)
		memcpy(&ld->sections[i].hdr,
		       ld->elf + eh->e_shoff + (uint64_t)i * sizeof(struct elf64_shdr),
		       sizeof(struct elf64_shdr));

	names = &ld->sections[eh->e_shstrndx];
	err = check_section_bounds(ld, eh->e_shstrndx);
	if (err)
		return err;
	if (names->hdr.sh_type != ELF_SHT_STRTAB ||
	    !string_table_ok(names->data, names->hdr.sh_size))
		return elf_load_error(ld, -EINVAL,
				      "section %u: bad section name table (type %u, not a "
				      "NUL-terminated string table)",
				      eh->e_shstrndx, names->hdr.sh_type);
	for (i = 0; i < ld->section_count; i++) {
		struct elf_section *sec = &ld->sections[i];

		if (sec->hdr.sh_name >= names->hdr.sh_size)
			return elf_load_error(
			    ld, -EINVAL,
			    "section %u: name offset 0x%x past the name table (0x%llx bytes)", i,
			    sec->hdr.sh_name, (unsigned long long)names->hdr.sh_size);
		sec->name = (const char *)names->data + sec->hdr.sh_name;
		err = check_section_bounds(ld, i);
		if (err)
			return err;
	}
	return 0;
}

static int read_symtab(struct elf_loader *ld)
{
	const struct elf_section *symtab = NULL, *strtab;
	uint32_t i, symtab_index = 0;

	for (i = 0; i < ld->section_count; i++) {
		if (ld->sections[i].hdr.sh_type != ELF_SHT_SYMTAB)
			continue;
		if (symtab)
			return elf_load_error(ld, -EINVAL, "section %u (%s): second symbol table",
					      i, ld->sections[i].name);
		symtab = &ld->sections[i];
		symtab_index = i;
	}
	if (!symtab)
		return elf_load_error(ld, -EINVAL, "no symbol table");
	if (symtab->hdr.sh_entsize != sizeof(struct elf64_sym) ||
	    symtab->hdr.sh_size % sizeof(struct elf64_sym) != 0)
		return elf_load_error(
		    ld, -EINVAL, "section %u (%s): bad symbol table (entry size %llu, size 0x%llx)",
		    symtab_index, symtab->name, (unsigned long long)symtab->hdr.sh_entsize,
		    (unsigned long long)symtab->hdr.sh_size);
	if (symtab->hdr.sh_link == 0 || symtab->hdr.sh_link >= ld->section_count)
		return elf_load_error(ld, -EINVAL, "section %u (%s): bad string table index %u",
				      symtab_index, symtab->name, symtab->hdr.sh_link);
	strtab = &ld->sections[symtab->hdr.sh_link];
	if (strtab->hdr.sh_type != ELF_SHT_STRTAB ||
	    !string_table_ok(strtab->data, strtab->hdr.sh_size))
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): bad symbol string table (not a NUL-terminated string table)",
		    symtab->hdr.sh_link, strtab->name);
	ld->symtab = symtab->data;
	ld->symtab_index = symtab_index;
	ld->sym_count = symtab->hdr.sh_size / sizeof(struct elf64_sym);
	ld->strtab = (const char *)strtab->data;
	ld->strtab_size = strtab->hdr.sh_size;
	return 0;
}

void elf_read_symbol(const struct elf_loader *ld, size_t index, struct elf64_sym *sym)
{
	memcpy(sym, ld->symtab + index * sizeof(*sym), sizeof(*sym));
}

const char *elf_symbol_name(const struct elf_loader *ld, const struct elf64_sym *sym)
{
	if (ELF_ST_TYPE(sym->st_info) == ELF_STT_SECTION && sym->st_shndx < ld->section_count)
		return ld->sections[sym->st_shndx].name;
	return sym->st_name < ld->strtab_size ? ld->strtab + sym->st_name : "?";
}

/* ---- classifying sections ---------------------------------------------- */

static bool is_data_section(const char *name)
{
	return elf_is_prefix_family(name, RODATA_PREFIX, ".") ||
	       elf_is_prefix_family(name, ".data", ".") || elf_is_prefix_family(name, ".bss", ".");
}

static void classify_sections(struct elf_loader *ld)
{
	uint32_t i;

	for (i = 1; i < ld->section_count; i++) {
		struct elf_section *sec = &ld->sections[i];
		uint32_t type = sec->hdr.sh_type;

		if (type == ELF_SHT_PROGBITS && (sec->hdr.sh_flags & ELF_SHF_EXECINSTR))
			sec->role = SECTION_CODE;
		else if (type == ELF_SHT_PROGBITS && strcmp(sec->name, LEGACY_MAPS_SECTION) == 0)
			sec->role = SECTION_LEGACY_MAPS;
		else if (type == ELF_SHT_PROGBITS && strcmp(sec->name, BTF_MAPS_SECTION) == 0)
			sec->role = SECTION_BTF_MAPS;
		else if ((type == ELF_SHT_PROGBITS || type == ELF_SHT_NOBITS) &&
			 is_data_section(sec->name))
			sec->role = SECTION_DATA;
	}
}

/* ---- license, entry point, cleanup -------------------------------------- */

static int read_license(struct elf_loader *ld)
{
	const char *text = "";
	size_t len = 0;
	uint32_t i;

	for (i = 1; i < ld->section_count; i++) {
		const struct elf_section *sec = &ld->sections[i];

		if (strcmp(sec->name, LICENSE_SECTION) != 0 || !sec->data)
			continue;
		text = (const char *)sec->data;
		len = strnlen(text, sec->hdr.sh_size);
		break;
	}
	ld->obj->license = malloc(len + 1);
	if (!ld->obj->license)
		return elf_load_error(ld, -ENOMEM, "out of memory for the license");
	memcpy(ld->obj->license, text, len);
	ld->obj->license[len] = '\0';
	return 0;
}

static void free_loader(struct elf_loader *ld)
{
	uint32_t i;

	for (i = 0; ld->sections && i < ld->section_count; i++) {
		free(ld->sections[i].funcs);
		free(ld->sections[i].relocs);
	}
	free(ld->sections);
	btf_free(&ld->btf);
	free(ld->map_origins);
	free(ld->failed_maps);
	elf_free_externs(ld);
	free(ld->insns);
	free(ld->linked);
	free(ld->prog_entries);
	free(ld->map_sizes_applied);
}

static int find_btf(struct elf_loader *ld)
{
	bool wants_btf = false;
	uint32_t i;

	for (i = 1; i < ld->section_count; i++)
		wants_btf |= ld->sections[i].role == SECTION_BTF_MAPS;
	/* BTF is read only when BTF-defined maps, global variables or externs need it. */
	wants_btf |= ld->opts && ld->opts->global_count > 0;
	wants_btf |= ld->extern_count > 0;
	for (i = 1; wants_btf && i < ld->section_count; i++)
		if (strcmp(ld->sections[i].name, BTF_SECTION) == 0)
			return btf_parse(&ld->btf, ld->sections[i].data,
					 ld->sections[i].hdr.sh_size, ld->log);
	return 0;
}

int ebpf_object_load_elf(const void *elf, size_t size, struct ebpf_object **objp,
			 struct ebpf_log *log)
{
	return ebpf_object_load_elf_opts(elf, size, NULL, objp, log);
}

int ebpf_object_load_elf_opts(const void *elf, size_t size,
			      const struct ebpf_object_load_opts *opts, struct ebpf_object **objp,
			      struct ebpf_log *log)
{
	struct elf_loader ld = {.elf = elf, .size = size, .log = log, .opts = opts};
	struct elf64_ehdr eh;
	int err;

	*objp = NULL;
	if (!elf)
		return elf_load_error(&ld, -EINVAL, "no ELF data");
	ld.obj = calloc(1, sizeof(*ld.obj));
	if (!ld.obj)
		return elf_load_error(&ld, -ENOMEM, "out of memory for the object");
	if (opts && opts->map_size_count) {
		ld.map_sizes_applied = calloc(opts->map_size_count, sizeof(bool));
		if (!ld.map_sizes_applied) {
			free(ld.obj);
			return elf_load_error(&ld, -ENOMEM, "out of memory for the map sizes");
		}
	}
	err = read_header(&ld, &eh);
	if (!err)
		err = read_sections(&ld, &eh);
	if (!err)
		err = read_symtab(&ld);
	if (!err)
		err = elf_collect_externs(&ld);
	if (!err) {
		classify_sections(&ld);
		err = elf_read_functions(&ld);
	}
	if (!err)
		err = elf_read_relocations(&ld);
	if (!err)
		err = read_license(&ld);
	if (!err)
		err = find_btf(&ld);
	if (!err)
		err = elf_create_maps(&ld);
	if (!err)
		err = elf_create_kconfig_map(&ld);
	if (!err)
		err = elf_check_map_sizes(&ld);
	if (!err)
		err = elf_set_globals(&ld);
	if (!err) {
		elf_freeze_rodata(&ld);
		err = elf_create_programs(&ld);
	}
	if (!err)
		err = elf_fill_map_values(&ld);
	free_loader(&ld);
	if (err) {
		ebpf_object_free(ld.obj);
		return err;
	}
	*objp = ld.obj;
	return 0;
}

void ebpf_object_free(struct ebpf_object *obj)
{
	size_t i;

	if (!obj)
		return;
	/* Prog arrays borrow programs: maps go first (ebpf.h). */
	for (i = 0; i < obj->map_count; i++)
		ebpf_map_free(obj->maps[i]);
	for (i = 0; i < obj->prog_count; i++) {
		ebpf_prog_free(obj->progs[i].prog);
		free(obj->progs[i].name);
		free(obj->progs[i].section);
		free(obj->progs[i].error_msg);
	}
	for (i = 0; i < obj->map_error_count; i++)
		free(obj->map_errors[i]);
	free(obj->map_errors);
	free(obj->maps);
	free(obj->progs);
	free(obj->license);
	free(obj);
}

/* ---- accessors ----------------------------------------------------------- */

size_t ebpf_object_prog_count(const struct ebpf_object *obj)
{
	return obj->prog_count;
}

struct ebpf_prog *ebpf_object_prog(const struct ebpf_object *obj, size_t index)
{
	return index < obj->prog_count ? obj->progs[index].prog : NULL;
}

int ebpf_object_prog_info(const struct ebpf_object *obj, size_t index,
			  struct ebpf_object_prog_info *info)
{
	const struct object_prog *p;

	if (index >= obj->prog_count)
		return -ENOENT;
	p = &obj->progs[index];
	*info = (struct ebpf_object_prog_info){
	    .name = p->name,
	    .section = p->section,
	    .section_type = p->section_type,
	    .autoload = p->autoload,
	    .prog = p->prog,
	    .error = p->error,
	    .error_msg = p->error_msg ? p->error_msg : "",
	};
	return 0;
}

int ebpf_object_find_prog_index(const struct ebpf_object *obj, const char *name, size_t *index)
{
	size_t i;

	for (i = 0; i < obj->prog_count; i++)
		if (strcmp(obj->progs[i].name, name) == 0) {
			*index = i;
			return 0;
		}
	for (i = 0; i < obj->prog_count; i++)
		if (strcmp(obj->progs[i].section, name) == 0) {
			*index = i;
			return 0;
		}
	return -ENOENT;
}

struct ebpf_prog *ebpf_object_find_prog(const struct ebpf_object *obj, const char *name)
{
	size_t index;

	return ebpf_object_find_prog_index(obj, name, &index) == 0 ? obj->progs[index].prog : NULL;
}

const char *ebpf_object_prog_section(const struct ebpf_object *obj, size_t index)
{
	return index < obj->prog_count ? obj->progs[index].section : NULL;
}

size_t ebpf_object_map_count(const struct ebpf_object *obj)
{
	return obj->map_count;
}

struct ebpf_map *ebpf_object_map(const struct ebpf_object *obj, size_t index)
{
	return index < obj->map_count ? obj->maps[index] : NULL;
}

struct ebpf_map *ebpf_object_find_map(const struct ebpf_object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->map_count; i++)
		if (strcmp(ebpf_map_get_name(obj->maps[i]), name) == 0)
			return obj->maps[i];
	return NULL;
}

size_t ebpf_object_map_error_count(const struct ebpf_object *obj)
{
	return obj->map_error_count;
}

const char *ebpf_object_map_error(const struct ebpf_object *obj, size_t index)
{
	return index < obj->map_error_count ? obj->map_errors[index] : NULL;
}

const char *ebpf_object_license(const struct ebpf_object *obj)
{
	return obj->license;
}
