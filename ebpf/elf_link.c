/*
 * Programs of an ELF object (elf_loader.h). Every function symbol of a
 * code section becomes an elf_func; every relocation of a code section
 * is read and checked up front. A program is then its entry function
 * followed by a copy of each subprogram it reaches through bpf-to-bpf
 * calls, each copied once per program; lddw relocations become map
 * references and calls are re-aimed at the copies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"
#include "insn.h"

#define LDDW_SIZE    (2 * INSN_SIZE)
#define TEXT_SECTION ".text"
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

/* ---- functions of code sections ----------------------------------------- */

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
		if (!ebpf_insn_is_local_call(&insn))
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
	for (i = 0; sym->st_value <= UINT32_MAX && i < ld->failed_map_count; i++) {
		const struct map_origin *o = &ld->failed_maps[i].origin;

		if (o->shndx == sym->st_shndx &&
		    (target->role == SECTION_DATA ? off >= 0 && (uint64_t)off < o->size
						  : (uint64_t)off == o->offset))
			return elf_prog_error(
			    ld, -ENOTSUP,
			    "%s+0x%llx: lddw refers to a map that was not created (%s)", sec->name,
			    (unsigned long long)r->offset,
			    ld->obj->map_errors[ld->failed_maps[i].error]);
	}
	return elf_load_error(
	    ld, -EINVAL, "%s+0x%llx: lddw refers to '%s'+%lld in section %s, which is not a map",
	    sec->name, (unsigned long long)r->offset, elf_symbol_name(ld, sym), (long long)addend,
	    target->name);
}

static int link_function(struct elf_loader *ld, struct elf_section *sec, struct elf_func *func);

/*
 * lddw of a function (a callback for bpf_loop or bpf_for_each_map_elem),
 * as libbpf links it: the function at symbol + imm bytes of its section
 * is linked into the program, and the lddw becomes EBPF_PSEUDO_FUNC with
 * imm its start relative to the next instruction.
 */
static int apply_func_reloc(struct elf_loader *ld, const struct elf_section *sec,
			    const struct linked_func *lf, uint64_t j, const struct elf_reloc *r,
			    const struct elf64_sym *sym)
{
	struct elf_section *callee_sec = &ld->sections[sym->st_shndx];
	int64_t addend = ld->insns[lf->pos + j].imm;
	int64_t target = ((int64_t)sym->st_value + addend) / INSN_SIZE;
	struct elf_func *callee;
	struct ebpf_insn *insn;
	size_t callee_pos;
	int err;

	callee = (sym->st_value + (uint64_t)addend) % INSN_SIZE == 0 && target >= 0
		     ? elf_find_function(callee_sec, (uint64_t)target)
		     : NULL;
	if (!callee || callee->first != (uint64_t)target)
		return elf_load_error(ld, -EINVAL,
				      "%s+0x%llx: lddw of '%s'%+lld in section %s is not the start "
				      "of a function",
				      sec->name, (unsigned long long)r->offset,
				      elf_symbol_name(ld, sym), (long long)addend,
				      callee_sec->name);
	if (callee->linked_pos == NO_POSITION) {
		err = link_function(ld, callee_sec, callee);
		if (err)
			return err;
	}
	insn = &ld->insns[lf->pos + j]; /* linking may have moved the array */
	callee_pos = callee->linked_pos;
	insn[0].src_reg = EBPF_PSEUDO_FUNC;
	insn[0].imm = (int32_t)((int64_t)callee_pos - (int64_t)(lf->pos + j) - 1);
	insn[1].imm = 0;
	return 0;
}

/* Both slots of the lddw at j must belong to the function's copy. */
static int check_lddw_inside(struct elf_loader *ld, const struct linked_func *lf, uint64_t j,
			     const struct elf_reloc *r)
{
	if (j + 1 >= lf->func->count)
		return elf_load_error(
		    ld, -EINVAL, "%s+0x%llx: lddw crosses the end of function '%s'",
		    lf->section->name, (unsigned long long)r->offset, lf->func->name);
	return 0;
}

static int apply_map_reloc(struct elf_loader *ld, const struct elf_section *sec,
			   const struct linked_func *lf, uint64_t j, const struct elf_reloc *r)
{
	struct ebpf_insn *insn = &ld->insns[lf->pos + j];
	const struct elf_section *target;
	struct elf64_sym sym;
	uint32_t map_index = 0, value_off = 0;
	int err = check_lddw_inside(ld, lf, j, r);

	if (err)
		return err;
	elf_read_symbol(ld, r->sym, &sym);
	target = &ld->sections[sym.st_shndx];
	if (target->role == SECTION_CODE)
		return apply_func_reloc(ld, sec, lf, j, r, &sym);
	if (target->role != SECTION_LEGACY_MAPS && target->role != SECTION_BTF_MAPS &&
	    target->role != SECTION_DATA)
		return elf_prog_error(
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

/* Copies func of sec behind the program being linked (once per program). */
static int link_function(struct elf_loader *ld, struct elf_section *sec, struct elf_func *func)
{
	struct ebpf_insn *insns;
	struct linked_func *linked;
	size_t need;

	if (func->count > EBPF_MAX_INSNS - ld->insn_count)
		return elf_prog_error(
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

static bool is_extern(const struct elf_loader *ld, const struct elf_reloc *r)
{
	struct elf64_sym sym;

	elf_read_symbol(ld, r->sym, &sym);
	return sym.st_shndx == ELF_SHN_UNDEF;
}

/* A call or lddw against an extern: elf_externs.c resolves it, or refuses the program. */
static int apply_extern_reloc(struct elf_loader *ld, const struct linked_func *lf, uint64_t j,
			      const struct elf_reloc *r)
{
	int err = r->type == R_BPF_64_64 ? check_lddw_inside(ld, lf, j, r) : 0;

	return err ? err
		   : elf_relocate_extern(ld, ld->linked[0].func->name, lf->section, r,
					 &ld->insns[lf->pos + j]);
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
		if (here && is_extern(ld, here))
			err = apply_extern_reloc(ld, &lf, j, here);
		else if (here && here->type == R_BPF_64_64)
			err = apply_map_reloc(ld, sec, &lf, j, here);
		else if (ebpf_insn_is_local_call(&insn))
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

/*
 * Links entry with the subprograms it calls into ld->insns: 0,
 * ELF_PROG_REFUSED (the reason in ld->prog_msg) or a negative errno for
 * a malformed object. Whatever it linked counts towards the object's bound.
 */
static int link_program(struct elf_loader *ld, struct elf_section *sec, struct elf_func *entry)
{
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
	if (err < 0)
		return err;
	if (ld->insn_count > OBJECT_MAX_INSNS - ld->object_insns)
		return elf_load_error(ld, -E2BIG,
				      "program '%s' (section %s): the object's programs total more "
				      "than %zu instructions",
				      entry->name, sec->name, OBJECT_MAX_INSNS);
	ld->object_insns += ld->insn_count;
	return err;
}

/* Keeps why program p did not load; 0, or -ENOMEM. */
static int refuse_program(struct elf_loader *ld, struct object_prog *p, int err, const char *msg)
{
	p->error = err;
	p->error_msg = strdup(msg);
	if (!p->error_msg)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	return 0;
}

/* Adds the program entry of sec to the object: created, or recorded with why not. */
static int add_program(struct elf_loader *ld, struct elf_section *sec, struct elf_func *entry)
{
	struct ebpf_object *obj = ld->obj;
	char sub_msg[SUB_LOG_SIZE] = "";
	struct ebpf_log sub_log = {.buf = sub_msg, .size = sizeof(sub_msg)};
	struct ebpf_prog_opts opts = {
	    .name = entry->name,
	    .maps = obj->maps,
	    .map_count = obj->map_count,
	};
	struct object_prog *progs, *p;
	const struct elf_func **entries;
	int err;

	entries = realloc(ld->prog_entries, (obj->prog_count + 1) * sizeof(*entries));
	if (!entries)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	ld->prog_entries = entries;
	progs = realloc(obj->progs, (obj->prog_count + 1) * sizeof(*progs));
	if (!progs)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	obj->progs = progs;
	p = &progs[obj->prog_count];
	*p = (struct object_prog){.name = strdup(entry->name), .section = strdup(sec->name)};
	entries[obj->prog_count++] = entry; /* the object frees what p holds */
	if (!p->name || !p->section)
		return elf_load_error(ld, -ENOMEM, "out of memory for programs");
	/* libbpf: SEC("?xdp") is an xdp program whose autoload is off. */
	p->autoload = sec->name[0] != AUTOLOAD_OFF_MARK;
	ebpf_section_type(p->autoload ? sec->name : sec->name + 1, &p->section_type);

	/* Linked even when refused: a malformed program refuses the object. */
	err = link_program(ld, sec, entry);
	if (err < 0)
		return err;
	if (!ebpf_prog_type_info(p->section_type.type)) {
		snprintf(sub_msg, sizeof(sub_msg), "program type %s is not supported by ukbpf",
			 ebpf_prog_type_name(p->section_type.type));
		return refuse_program(ld, p, -ENOTSUP, sub_msg);
	}
	if (err == ELF_PROG_REFUSED)
		return refuse_program(ld, p, ld->prog_err, ld->prog_msg);
	opts.type = p->section_type.type;
	opts.expected_attach_type = p->section_type.expected_attach_type;
	err = ebpf_prog_create(ld->insns, ld->insn_count, &opts, &p->prog, &sub_log);
	if (err == -ENOMEM)
		return elf_load_error(ld, err, "program '%s' (section %s): out of memory",
				      entry->name, sec->name);
	return err ? refuse_program(ld, p, err, sub_msg) : 0;
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
