/*
 * The ELF loader: turns a relocatable object written by
 * `clang -O2 -g -target bpf -c` into maps and programs, following the
 * conventions of libbpf so that objects built against <bpf/bpf_helpers.h>
 * load unchanged:
 *
 *   - every function in an executable section other than .text is a
 *     program named by its symbol; the section name gives the program
 *     type (section_prog_types[]); functions in .text are subprograms,
 *     copied behind each program that calls them (bpf-to-bpf calls);
 *   - maps come from ".maps" (BTF-defined: the definition is read from
 *     the object's BTF), "maps" (legacy struct bpf_map_def) and the
 *     global-data sections .rodata*, .data*, .bss* (one-entry arrays whose
 *     value is the section);
 *   - lddw instructions relocated against a map get src_reg
 *     EBPF_PSEUDO_MAP_FD and imm = map index; against global data,
 *     EBPF_PSEUDO_MAP_VALUE with the offset in the second imm.
 *
 * Decisions where libbpf has no answer for us:
 *   - a section whose name has no known prefix loads as
 *     EBPF_PROG_TYPE_UNSPEC (the r1 = mem, r2 = len convention), so test
 *     programs may use any SEC() name;
 *   - an object with code only in .text (no SEC() at all) loads the global
 *     functions of .text as UNSPEC programs instead of failing;
 *   - an executable section without function symbols (hand-written
 *     assembly) is one program named after its section.
 *
 * The input is untrusted: every offset and size is checked against the
 * buffer before use, structures are read with memcpy (no alignment is
 * assumed), the buffer is never written, and a failure frees everything
 * created so far.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"

#define LDDW_SIZE	    (2 * INSN_SIZE)
#define TEXT_SECTION	    ".text"
#define LICENSE_SECTION	    "license"
#define LEGACY_MAPS_SECTION "maps"
/*
 * Each program carries its own copy of the subprograms it calls, so a
 * small hostile object could expand into many large programs: bound the
 * sum, generously for real objects.
 */
#define OBJECT_MAX_INSNS (4 * (size_t)EBPF_MAX_INSNS)

/* One function copied into the program being linked. */
struct linked_func {
	struct elf_section *section;
	struct elf_func *func;
	size_t pos;
};

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

bool elf_is_prefix_family(const char *name, const char *prefix, const char *separators)
{
	size_t len = strlen(prefix);

	return strncmp(name, prefix, len) == 0 &&
	       (name[len] == '\0' || strchr(separators, name[len]) != NULL);
}

static void *grow_array(void *array, size_t *cap, size_t need, size_t elem_size)
{
	size_t new_cap = *cap ? *cap : 16;
	void *bigger;

	if (need <= *cap)
		return array;
	while (new_cap < need)
		new_cap *= 2;
	if (new_cap > SIZE_MAX / elem_size)
		return NULL;
	bigger = realloc(array, new_cap * elem_size);
	if (bigger)
		*cap = new_cap;
	return bigger;
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

static int compare_funcs(const void *a, const void *b)
{
	const struct elf_func *fa = a, *fb = b;

	return fa->first < fb->first ? -1 : fa->first > fb->first;
}

/* A function symbol of a code section, checked; false for other symbols. */
static int code_function_symbol(struct elf_loader *ld, size_t index, struct elf64_sym *sym,
				bool *is_func)
{
	const struct elf_section *sec;

	elf_read_symbol(ld, index, sym);
	*is_func = false;
	if (ELF_ST_TYPE(sym->st_info) != ELF_STT_FUNC || sym->st_shndx >= ld->section_count)
		return 0;
	sec = &ld->sections[sym->st_shndx];
	if (sec->role != SECTION_CODE)
		return 0;
	if (sym->st_name >= ld->strtab_size)
		return elf_load_error(ld, -EINVAL, "symbol %zu: name offset 0x%x out of range",
				      index, sym->st_name);
	if (sym->st_value % INSN_SIZE || sym->st_size % INSN_SIZE || sym->st_size == 0 ||
	    !range_inside(sym->st_value, sym->st_size, sec->hdr.sh_size))
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): function '%s' at offset 0x%llx size 0x%llx is "
		    "not whole instructions inside the section (size 0x%llx)",
		    sym->st_shndx, sec->name, ld->strtab + sym->st_name,
		    (unsigned long long)sym->st_value, (unsigned long long)sym->st_size,
		    (unsigned long long)sec->hdr.sh_size);
	*is_func = true;
	return 0;
}

/*
 * Collects the function symbols of every code section, sorted by start;
 * two passes over the symbols (count, then fill) keep it linear.
 */
int elf_read_functions(struct elf_loader *ld)
{
	struct elf64_sym sym;
	bool is_func;
	size_t i;
	uint32_t s;
	int err;

	for (i = 1; i < ld->sym_count; i++) {
		err = code_function_symbol(ld, i, &sym, &is_func);
		if (err)
			return err;
		if (is_func)
			ld->sections[sym.st_shndx].func_count++;
	}
	for (s = 1; s < ld->section_count; s++) {
		struct elf_section *sec = &ld->sections[s];

		if (sec->role != SECTION_CODE)
			continue;
		if (sec->hdr.sh_size % INSN_SIZE)
			return elf_load_error(
			    ld, -EINVAL,
			    "section %u (%s): size 0x%llx is not a multiple of the "
			    "instruction size",
			    s, sec->name, (unsigned long long)sec->hdr.sh_size);
		/* Hand-written code without symbols is one function. */
		sec->whole_section = sec->func_count == 0 && sec->hdr.sh_size > 0;
		if (sec->whole_section)
			sec->func_count = 1;
		if (sec->func_count == 0)
			continue;
		sec->funcs = calloc(sec->func_count, sizeof(*sec->funcs));
		if (!sec->funcs)
			return elf_load_error(ld, -ENOMEM, "out of memory for functions");
		if (sec->whole_section)
			sec->funcs[0] = (struct elf_func){
			    .name = sec->name,
			    .count = sec->hdr.sh_size / INSN_SIZE,
			    .global = true,
			    .linked_pos = NO_POSITION,
			};
		else
			sec->func_count = 0; /* refilled below */
	}
	for (i = 1; i < ld->sym_count; i++) {
		struct elf_section *sec;

		code_function_symbol(ld, i, &sym, &is_func);
		if (!is_func)
			continue;
		sec = &ld->sections[sym.st_shndx];
		sec->funcs[sec->func_count++] = (struct elf_func){
		    .name = ld->strtab + sym.st_name,
		    .first = sym.st_value / INSN_SIZE,
		    .count = sym.st_size / INSN_SIZE,
		    .global = ELF_ST_BIND(sym.st_info) != ELF_STB_LOCAL,
		    .linked_pos = NO_POSITION,
		};
	}
	for (s = 1; s < ld->section_count; s++)
		if (ld->sections[s].func_count > 1)
			qsort(ld->sections[s].funcs, ld->sections[s].func_count,
			      sizeof(struct elf_func), compare_funcs);
	return 0;
}

/* ---- relocations --------------------------------------------------------- */

static int compare_relocs(const void *a, const void *b)
{
	const struct elf_reloc *ra = a, *rb = b;

	return ra->offset < rb->offset ? -1 : ra->offset > rb->offset;
}

static void read_insn(const struct elf_section *sec, uint64_t offset, struct ebpf_insn *insn)
{
	memcpy(insn, sec->data + offset, sizeof(*insn));
}

/*
 * Checks one relocation of a code section: only the kinds clang emits for
 * code (RFC 9669 §5.4 lddw, §4.3.1 local call) are meaningful there.
 */
static int check_reloc(struct elf_loader *ld, uint32_t rel_index, const struct elf_section *target,
		       const struct elf_reloc *r)
{
	const struct elf_section *rel = &ld->sections[rel_index];
	struct elf64_sym sym;
	struct ebpf_insn insn;

	if (r->offset % INSN_SIZE || !range_inside(r->offset, INSN_SIZE, target->hdr.sh_size))
		return elf_load_error(ld, -EINVAL,
				      "section %u (%s): relocation %zu: offset 0x%llx is not an "
				      "instruction of %s (size 0x%llx)",
				      rel_index, rel->name, r->index, (unsigned long long)r->offset,
				      target->name, (unsigned long long)target->hdr.sh_size);
	if (r->sym == 0 || r->sym >= ld->sym_count)
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): relocation %zu at offset 0x%llx: bad symbol "
		    "index %u (%zu symbols)",
		    rel_index, rel->name, r->index, (unsigned long long)r->offset, r->sym,
		    ld->sym_count);
	elf_read_symbol(ld, r->sym, &sym);
	if (r->type == R_BPF_NONE)
		return 0;
	if (sym.st_shndx == ELF_SHN_UNDEF)
		return elf_load_error(ld, -ENOTSUP,
				      "%s+0x%llx: relocation against undefined symbol '%s' (extern "
				      "symbols are not supported)",
				      target->name, (unsigned long long)r->offset,
				      elf_symbol_name(ld, &sym));
	if (sym.st_shndx >= ld->section_count)
		return elf_load_error(ld, -EINVAL,
				      "%s+0x%llx: relocation against symbol '%s' in bad section %u",
				      target->name, (unsigned long long)r->offset,
				      elf_symbol_name(ld, &sym), sym.st_shndx);
	read_insn(target, r->offset, &insn);
	switch (r->type) {
	case R_BPF_64_64:
		if (insn.opcode != EBPF_OP_LDDW ||
		    !range_inside(r->offset, LDDW_SIZE, target->hdr.sh_size))
			return elf_load_error(ld, -EINVAL,
					      "%s+0x%llx: R_BPF_64_64 relocation against opcode "
					      "0x%02x, not a complete lddw",
					      target->name, (unsigned long long)r->offset,
					      insn.opcode);
		return 0;
	case R_BPF_64_32:
		if (insn.opcode != EBPF_OP_CALL || insn.src_reg != EBPF_PSEUDO_CALL)
			return elf_load_error(
			    ld, -EINVAL,
			    "%s+0x%llx: R_BPF_64_32 relocation against opcode 0x%02x "
			    "src %u, not a bpf-to-bpf call",
			    target->name, (unsigned long long)r->offset, insn.opcode, insn.src_reg);
		return 0;
	default:
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): relocation %zu at offset 0x%llx: type %u not "
		    "supported in code",
		    rel_index, rel->name, r->index, (unsigned long long)r->offset, r->type);
	}
}

/* Reads a .rel section that applies to a code section. */
static int read_code_relocs(struct elf_loader *ld, uint32_t rel_index)
{
	const struct elf_section *rel = &ld->sections[rel_index];
	struct elf_section *target = &ld->sections[rel->hdr.sh_info];
	size_t count = 0, i;
	int err;

	if (target->rel_shndx)
		return elf_load_error(ld, -EINVAL,
				      "section %u (%s): second relocation section for %s",
				      rel_index, rel->name, target->name);
	if (rel->hdr.sh_entsize != sizeof(struct elf64_rel) ||
	    rel->hdr.sh_size % sizeof(struct elf64_rel) != 0)
		return elf_load_error(
		    ld, -EINVAL,
		    "section %u (%s): bad relocation table (entry size %llu, size 0x%llx)",
		    rel_index, rel->name, (unsigned long long)rel->hdr.sh_entsize,
		    (unsigned long long)rel->hdr.sh_size);
	count = rel->hdr.sh_size / sizeof(struct elf64_rel);
	target->rel_shndx = rel_index;
	if (count == 0)
		return 0;
	target->relocs = calloc(count, sizeof(*target->relocs));
	if (!target->relocs)
		return elf_load_error(ld, -ENOMEM, "out of memory for %zu relocations", count);
	for (i = 0; i < count; i++) {
		struct elf64_rel entry;
		struct elf_reloc *r = &target->relocs[i];

		memcpy(&entry, rel->data + i * sizeof(entry), sizeof(entry));
		*r = (struct elf_reloc){
		    .offset = entry.r_offset,
		    .type = ELF_R_TYPE(entry.r_info),
		    .sym = ELF_R_SYM(entry.r_info),
		    .index = i,
		};
		err = check_reloc(ld, rel_index, target, r);
		if (err)
			return err;
	}
	target->reloc_count = count;
	qsort(target->relocs, count, sizeof(*target->relocs), compare_relocs);
	for (i = 1; i < count; i++)
		if (target->relocs[i].offset == target->relocs[i - 1].offset)
			return elf_load_error(
			    ld, -EINVAL, "section %u (%s): two relocations at offset 0x%llx",
			    rel_index, rel->name, (unsigned long long)target->relocs[i].offset);
	return 0;
}

/*
 * Relocations of debug info, BTF and BTF.ext only matter to a linker;
 * those of code sections are read and checked here, all of them, so that
 * a bad one fails the load even when no program reaches it.
 */
int elf_read_relocations(struct elf_loader *ld)
{
	uint32_t i;
	int err;

	for (i = 1; i < ld->section_count; i++) {
		const struct elf_section *sec = &ld->sections[i];
		const struct elf_section *target;

		if (sec->hdr.sh_type != ELF_SHT_REL && sec->hdr.sh_type != ELF_SHT_RELA)
			continue;
		if (sec->hdr.sh_info == 0 || sec->hdr.sh_info >= ld->section_count)
			continue;
		target = &ld->sections[sec->hdr.sh_info];
		if (target->role != SECTION_CODE)
			continue;
		if (sec->hdr.sh_type == ELF_SHT_RELA)
			return elf_load_error(
			    ld, -ENOTSUP, "section %u (%s): RELA relocations are not used for BPF",
			    i, sec->name);
		if (sec->hdr.sh_link != ld->symtab_index)
			return elf_load_error(ld, -EINVAL,
					      "section %u (%s): bad symbol table index %u", i,
					      sec->name, sec->hdr.sh_link);
		err = read_code_relocs(ld, i);
		if (err)
			return err;
	}
	return 0;
}

/* ---- linking programs ---------------------------------------------------- */

/* The map a relocation's symbol designates, and the offset into its value. */
static int find_reloc_map(struct elf_loader *ld, const struct elf_section *sec,
			  const struct elf_reloc *r, const struct elf64_sym *sym, int32_t addend,
			  uint32_t *map_index, uint32_t *value_off)
{
	const struct elf_section *target = &ld->sections[sym->st_shndx];
	/* The addend in imm selects a byte within a data section (libbpf). */
	int64_t off = (int64_t)(sym->st_value & UINT32_MAX) + addend;
	size_t i;

	/* Map sections and their values are smaller than 4 GiB. */
	for (i = 0; sym->st_value <= UINT32_MAX && i < ld->obj->map_count; i++) {
		const struct map_origin *o = &ld->map_origins[i];

		if (o->shndx != sym->st_shndx)
			continue;
		if (target->role == SECTION_DATA && off >= 0 && (uint64_t)off < o->size) {
			*map_index = (uint32_t)i;
			*value_off = (uint32_t)off;
			return 0;
		}
		if (target->role != SECTION_DATA && (uint64_t)off == o->offset) {
			*map_index = (uint32_t)i;
			*value_off = 0;
			return 0;
		}
	}
	return elf_load_error(
	    ld, -EINVAL, "%s+0x%llx: lddw refers to '%s'+%lld in section %s, which is not a map",
	    sec->name, (unsigned long long)r->offset, elf_symbol_name(ld, sym), (long long)addend,
	    target->name);
}

static int apply_map_reloc(struct elf_loader *ld, const struct elf_section *sec,
			   const struct linked_func *lf, uint64_t j, const struct elf_reloc *r)
{
	struct ebpf_insn *insn = &ld->insns[lf->pos + j];
	const struct elf_section *target;
	struct elf64_sym sym;
	uint32_t map_index = 0, value_off = 0;
	int err;

	/* Both slots of the lddw must belong to this function's copy. */
	if (j + 1 >= lf->func->count)
		return elf_load_error(ld, -EINVAL,
				      "%s+0x%llx: lddw crosses the end of function '%s'", sec->name,
				      (unsigned long long)r->offset, lf->func->name);
	elf_read_symbol(ld, r->sym, &sym);
	target = &ld->sections[sym.st_shndx];
	if (target->role == SECTION_CODE)
		return elf_load_error(
		    ld, -ENOTSUP, "%s+0x%llx: lddw of function '%s' (a callback) is not supported",
		    sec->name, (unsigned long long)r->offset, elf_symbol_name(ld, &sym));
	if (target->role != SECTION_LEGACY_MAPS && target->role != SECTION_BTF_MAPS &&
	    target->role != SECTION_DATA)
		return elf_load_error(
		    ld, -ENOTSUP,
		    "%s+0x%llx: lddw refers to '%s' in section %s (not maps or global data)",
		    sec->name, (unsigned long long)r->offset, elf_symbol_name(ld, &sym),
		    target->name);
	err = find_reloc_map(ld, sec, r, &sym, insn[0].imm, &map_index, &value_off);
	if (err)
		return err;
	insn[0].src_reg = target->role == SECTION_DATA ? EBPF_PSEUDO_MAP_VALUE : EBPF_PSEUDO_MAP_FD;
	insn[0].imm = (int32_t)map_index;
	insn[1].imm = (int32_t)value_off;
	return 0;
}

/* Copies func of sec behind the program being linked (once per program). */
static int link_function(struct elf_loader *ld, struct elf_section *sec, struct elf_func *func)
{
	struct ebpf_insn *insns;
	struct linked_func *linked;
	size_t need;

	if (func->count > EBPF_MAX_INSNS - ld->insn_count)
		return elf_load_error(
		    ld, -E2BIG,
		    "program '%s': too large with function '%s' (more than %u instructions)",
		    ld->linked[0].func->name, func->name, EBPF_MAX_INSNS);
	need = ld->insn_count + func->count;
	insns = grow_array(ld->insns, &ld->insn_cap, need, sizeof(*insns));
	if (!insns)
		return elf_load_error(ld, -ENOMEM, "out of memory for %zu instructions", need);
	ld->insns = insns;
	linked = grow_array(ld->linked, &ld->linked_cap, ld->linked_count + 1, sizeof(*linked));
	if (!linked)
		return elf_load_error(ld, -ENOMEM, "out of memory for functions");
	ld->linked = linked;
	memcpy(&insns[ld->insn_count], sec->data + func->first * INSN_SIZE,
	       func->count * INSN_SIZE);
	func->linked_pos = ld->insn_count;
	linked[ld->linked_count++] = (struct linked_func){sec, func, ld->insn_count};
	ld->insn_count = need;
	return 0;
}

struct elf_func *elf_find_function(struct elf_section *sec, uint64_t target)
{
	size_t lo = 0, hi = sec->func_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->funcs[mid].first == target)
			return &sec->funcs[mid];
		if (sec->funcs[mid].first < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* A section without symbols is one function reaching everywhere. */
	if (sec->whole_section && target < sec->funcs[0].count)
		return &sec->funcs[0];
	return NULL;
}

/*
 * A bpf-to-bpf call (RFC 9669 §4.3.1: imm is the target relative to the
 * next instruction): links the callee and re-aims imm at its copy. With a
 * relocation the callee lives at symbol + (imm + 1) instructions of the
 * symbol's section; without one, in the caller's own section.
 */
static int apply_call(struct elf_loader *ld, const struct linked_func *lf, uint64_t j,
		      const struct elf_reloc *r)
{
	struct elf_section *sec = lf->section, *callee_sec = sec;
	struct ebpf_insn *insn = &ld->insns[lf->pos + j];
	uint64_t site = (lf->func->first + j) * INSN_SIZE;
	int64_t target = (int64_t)(lf->func->first + j) + insn->imm + 1;
	struct elf_func *callee;
	size_t callee_pos;
	int err;

	if (r) {
		struct elf64_sym sym;

		elf_read_symbol(ld, r->sym, &sym);
		callee_sec = &ld->sections[sym.st_shndx];
		if (callee_sec->role != SECTION_CODE)
			return elf_load_error(
			    ld, -EINVAL,
			    "%s+0x%llx: call relocated against '%s' in non-code section %s",
			    sec->name, (unsigned long long)site, elf_symbol_name(ld, &sym),
			    callee_sec->name);
		if (sym.st_value % INSN_SIZE)
			return elf_load_error(
			    ld, -EINVAL,
			    "%s+0x%llx: call relocated against '%s' at unaligned offset 0x%llx",
			    sec->name, (unsigned long long)site, elf_symbol_name(ld, &sym),
			    (unsigned long long)sym.st_value);
		target = (int64_t)(sym.st_value / INSN_SIZE) + insn->imm + 1;
	}
	callee = target >= 0 ? elf_find_function(callee_sec, (uint64_t)target) : NULL;
	if (!callee)
		return elf_load_error(
		    ld, -EINVAL,
		    "%s+0x%llx: call target %lld in section %s is not the start of a function",
		    sec->name, (unsigned long long)site, (long long)target, callee_sec->name);
	if (callee->linked_pos == NO_POSITION) {
		err = link_function(ld, callee_sec, callee);
		if (err)
			return err;
		insn = &ld->insns[lf->pos + j]; /* the array may have moved */
	}
	callee_pos = callee->linked_pos + ((uint64_t)target - callee->first);
	insn->imm = (int32_t)((int64_t)callee_pos - (int64_t)(lf->pos + j) - 1);
	return 0;
}

/* Index of the first relocation of sec at or after offset. */
static size_t first_reloc_from(const struct elf_section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->reloc_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->relocs[mid].offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Applies relocations and calls inside the k-th linked function. The
 * second slot of an lddw is data (RFC 9669 §5.4), never a call nor a
 * relocation site.
 */
static int relocate_function(struct elf_loader *ld, size_t k)
{
	const struct linked_func lf = ld->linked[k];
	const struct elf_section *sec = lf.section;
	uint64_t start = lf.func->first * INSN_SIZE;
	size_t r = first_reloc_from(sec, start);
	uint64_t j;
	int err;

	for (j = 0; j < lf.func->count; j++) {
		uint64_t offset = start + j * INSN_SIZE;
		const struct elf_reloc *here = NULL;
		/* Copied: linking a callee may move ld->insns. */
		const struct ebpf_insn insn = ld->insns[lf.pos + j];

		for (; r < sec->reloc_count && sec->relocs[r].offset <= offset; r++) {
			const struct elf_reloc *cur = &sec->relocs[r];

			if (cur->type == R_BPF_NONE)
				continue;
			if (cur->offset < offset)
				return elf_load_error(
				    ld, -EINVAL, "%s+0x%llx: relocation inside the lddw at 0x%llx",
				    sec->name, (unsigned long long)cur->offset,
				    (unsigned long long)(cur->offset - INSN_SIZE));
			here = cur;
		}
		if (here && here->type == R_BPF_64_64)
			err = apply_map_reloc(ld, sec, &lf, j, here);
		else if (insn.opcode == EBPF_OP_CALL && insn.src_reg == EBPF_PSEUDO_CALL)
			err = apply_call(ld, &lf, j, here);
		else
			err = 0;
		if (err)
			return err;
		if (insn.opcode == EBPF_OP_LDDW)
			j++;
	}
	return 0;
}

static enum ebpf_prog_type section_prog_type(const char *section)
{
	static const struct {
		const char *prefix;
		enum ebpf_prog_type type;
	} section_prog_types[] = {
	    {"xdp", EBPF_PROG_TYPE_XDP},
	    {"socket", EBPF_PROG_TYPE_SOCKET_FILTER},
	};
	size_t i;

	/* libbpf: "xdp", "xdp/anything", "xdp.frags"... */
	for (i = 0; i < sizeof(section_prog_types) / sizeof(section_prog_types[0]); i++)
		if (elf_is_prefix_family(section, section_prog_types[i].prefix, "/."))
			return section_prog_types[i].type;
	return EBPF_PROG_TYPE_UNSPEC;
}

static int add_program(struct elf_loader *ld, struct elf_section *sec, struct elf_func *entry)
{
	struct ebpf_object *obj = ld->obj;
	char sub_msg[SUB_LOG_SIZE] = "";
	struct ebpf_log sub_log = {.buf = sub_msg, .size = sizeof(sub_msg)};
	struct ebpf_prog_opts opts = {
	    .type = section_prog_type(sec->name),
	    .name = entry->name,
	    .maps = obj->maps,
	    .map_count = obj->map_count,
	};
	struct object_prog *progs;
	const struct elf_func **entries;
	size_t k;
	int err;

	ld->insn_count = 0;
	ld->linked_count = 0;
	err = link_function(ld, sec, entry);
	/* Linking appends callees to ld->linked while this loop walks it. */
	for (k = 0; !err && k < ld->linked_count; k++)
		err = relocate_function(ld, k);
	for (k = 0; k < ld->linked_count; k++)
		ld->linked[k].func->linked_pos = NO_POSITION;
	if (err)
		return err;
	if (ld->insn_count > OBJECT_MAX_INSNS - ld->object_insns)
		return elf_load_error(ld, -E2BIG,
				      "program '%s' (section %s): the object's programs total more "
				      "than %zu instructions",
				      entry->name, sec->name, OBJECT_MAX_INSNS);

	entries = realloc(ld->prog_entries, (obj->prog_count + 1) * sizeof(*entries));
	if (!entries)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	ld->prog_entries = entries;
	entries[obj->prog_count] = entry;
	progs = realloc(obj->progs, (obj->prog_count + 1) * sizeof(*progs));
	if (!progs)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	obj->progs = progs;
	progs[obj->prog_count].section = strdup(sec->name);
	if (!progs[obj->prog_count].section)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	err = ebpf_prog_create(ld->insns, ld->insn_count, &opts, &progs[obj->prog_count].prog,
			       &sub_log);
	if (err) {
		free(progs[obj->prog_count].section);
		return elf_load_error(ld, err, "program '%s' (section %s): %s", entry->name,
				      sec->name, sub_msg);
	}
	obj->prog_count++;
	ld->object_insns += ld->insn_count;
	return 0;
}

/*
 * Every function of every code section but .text is a program; an object
 * with code only in .text gets its global functions as programs.
 */
int elf_create_programs(struct elf_loader *ld)
{
	uint32_t i;
	size_t f;
	int err;

	for (i = 1; i < ld->section_count; i++) {
		struct elf_section *sec = &ld->sections[i];

		if (sec->role != SECTION_CODE || strcmp(sec->name, TEXT_SECTION) == 0)
			continue;
		for (f = 0; f < sec->func_count; f++) {
			err = add_program(ld, sec, &sec->funcs[f]);
			if (err)
				return err;
		}
	}
	if (ld->obj->prog_count > 0)
		return 0;
	for (i = 1; i < ld->section_count; i++) {
		struct elf_section *sec = &ld->sections[i];

		if (sec->role != SECTION_CODE || strcmp(sec->name, TEXT_SECTION) != 0)
			continue;
		for (f = 0; f < sec->func_count; f++) {
			if (!sec->funcs[f].global)
				continue;
			err = add_program(ld, sec, &sec->funcs[f]);
			if (err)
				return err;
		}
	}
	if (ld->obj->prog_count == 0)
		return elf_load_error(ld, -ENOENT,
				      "no programs (no functions in executable sections)");
	return 0;
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
	free(ld->insns);
	free(ld->linked);
	free(ld->prog_entries);
}

static int find_btf(struct elf_loader *ld)
{
	bool wants_btf = false;
	uint32_t i;

	for (i = 1; i < ld->section_count; i++)
		wants_btf |= ld->sections[i].role == SECTION_BTF_MAPS;
	/* BTF is read only when BTF-defined maps need it. */
	for (i = 1; wants_btf && i < ld->section_count; i++)
		if (strcmp(ld->sections[i].name, BTF_SECTION) == 0)
			return btf_parse(&ld->btf, ld->sections[i].data,
					 ld->sections[i].hdr.sh_size, ld->log);
	return 0;
}

int ebpf_object_load_elf(const void *elf, size_t size, struct ebpf_object **objp,
			 struct ebpf_log *log)
{
	struct elf_loader ld = {.elf = elf, .size = size, .log = log};
	struct elf64_ehdr eh;
	int err;

	*objp = NULL;
	if (!elf)
		return elf_load_error(&ld, -EINVAL, "no ELF data");
	ld.obj = calloc(1, sizeof(*ld.obj));
	if (!ld.obj)
		return elf_load_error(&ld, -ENOMEM, "out of memory for the object");
	err = read_header(&ld, &eh);
	if (!err)
		err = read_sections(&ld, &eh);
	if (!err)
		err = read_symtab(&ld);
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
		err = elf_create_programs(&ld);
	if (!err)
		err = elf_init_prog_arrays(&ld);
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
		free(obj->progs[i].section);
	}
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

struct ebpf_prog *ebpf_object_find_prog(const struct ebpf_object *obj, const char *name)
{
	size_t i;

	for (i = 0; i < obj->prog_count; i++)
		if (strcmp(ebpf_prog_get_name(obj->progs[i].prog), name) == 0)
			return obj->progs[i].prog;
	for (i = 0; i < obj->prog_count; i++)
		if (strcmp(obj->progs[i].section, name) == 0)
			return obj->progs[i].prog;
	return NULL;
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

const char *ebpf_object_license(const struct ebpf_object *obj)
{
	return obj->license;
}
