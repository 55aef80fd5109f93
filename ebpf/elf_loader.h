/*
 * Private to the ELF loader: the state of one ebpf_object_load_elf call,
 * which its three files share.
 *
 *   elf.c       the container (header, sections, symbols, what each
 *               section is for), the object and its license, and the
 *               load itself, one step after another;
 *   elf_maps.c  the object's maps (BTF-defined, legacy, global data) and
 *               the programs that prog arrays start with (.rel.maps);
 *   elf_link.c  the functions of code sections and their relocations,
 *               and each program linked with the subprograms it calls;
 *   elf_externs.c  extern symbols: .kconfig variables (their map) and
 *               __ksym ones, as libbpf resolves them;
 *   elf_globals.c  what the caller decides before the load.
 *
 * Two kinds of failure. The object is malformed (or memory ran out): the
 * step logs one line with elf_load_error and returns its negative errno
 * at once; ebpf_object_load_elf then frees the loader state and the
 * half-built object, so no step cleans up after itself beyond its own
 * temporaries. Or one thing of a sound object cannot be made: a map is
 * recorded with elf_map_error and left out; a program's linking returns
 * ELF_PROG_REFUSED after elf_prog_error, and the program is recorded
 * with that reason instead of created. Either way the load goes on.
 */
#ifndef UKBPF_EBPF_ELF_LOADER_H
#define UKBPF_EBPF_ELF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf.h"
#include "ebpf_internal.h"
#include "elf_format.h"

#define INSN_SIZE	    sizeof(struct ebpf_insn)
#define SUB_LOG_SIZE	    512 /* a message of the loader or of what it calls */
#define RODATA_PREFIX	    ".rodata"
#define LEGACY_MAPS_SECTION "maps"
#define AUTOLOAD_OFF_MARK   '?' /* libbpf's SEC("?name") */
#define NO_POSITION	    SIZE_MAX

/* ---- the loaded object ------------------------------------------------- */

/* A program of the object, loaded (prog) or not (error, error_msg). */
struct object_prog {
	struct ebpf_prog *prog;
	char *name;
	char *section;
	struct ebpf_section_type section_type;
	bool autoload; /* false for SEC("?...") */
	int error;
	char *error_msg;
};

struct ebpf_object {
	struct object_prog *progs;
	size_t prog_count;
	struct ebpf_map **maps;
	size_t map_count;
	char **map_errors; /* ebpf_object_map_error's lines */
	size_t map_error_count;
	char *license;
};

/* ---- loader state (lives for one ebpf_object_load_elf call) ------------ */

enum section_role {
	SECTION_IGNORED = 0,
	SECTION_CODE,
	SECTION_LEGACY_MAPS,
	SECTION_BTF_MAPS,
	SECTION_DATA,
};

/* A function (program or subprogram) inside a code section. */
struct elf_func {
	const char *name;
	uint64_t first; /* instruction index in the section */
	uint64_t count;
	bool global; /* STB_GLOBAL or STB_WEAK */
	/* Where the current program holds a copy, or NO_POSITION. */
	size_t linked_pos;
};

struct elf_reloc {
	uint64_t offset;
	uint32_t type;
	uint32_t sym;
	size_t index; /* in its relocation section, for messages */
};

struct elf_section {
	struct elf64_shdr hdr;
	const char *name;
	const uint8_t *data; /* NULL for SHT_NOBITS */
	enum section_role role;
	/* SECTION_CODE: functions sorted by first, relocations by offset. */
	struct elf_func *funcs;
	size_t func_count;
	bool whole_section; /* no function symbols: funcs[0] is the section */
	struct elf_reloc *relocs;
	size_t reloc_count;
	uint32_t rel_shndx; /* the .rel section that filled relocs, or 0 */
};

/* Where a map of the object came from: relocations find maps by this. */
struct map_origin {
	uint32_t shndx;
	uint64_t offset;
	uint64_t size;
	/* Prog arrays and maps of maps with libbpf's `.values = { [i] = &x }`:
	 * where the slots start inside the map's definition, or BTF_NO_VALUES. */
	uint64_t values_offset;
};

/* A map the object declares but that was not created: relocations to it fail. */
struct failed_map {
	struct map_origin origin;
	size_t error; /* its line in obj->map_errors */
};

struct linked_func; /* elf_link.c */

enum elf_extern_kind {
	ELF_EXTERN_UNDECLARED = 0, /* BTF does not say (error says why) */
	ELF_EXTERN_KCONFIG,	   /* extern T NAME __kconfig */
	ELF_EXTERN_KSYM_VAR,	   /* extern T NAME __ksym */
	ELF_EXTERN_KFUNC,	   /* extern T NAME(...) __ksym */
};

/* An undefined global or weak symbol of the object (elf_externs.c). */
struct elf_extern {
	uint32_t sym; /* its index in the symbol table */
	const char *name;
	bool weak;
	enum elf_extern_kind kind;
	struct btf_global type; /* ELF_EXTERN_KCONFIG: its BTF type */
	uint32_t align;		/* ELF_EXTERN_KCONFIG: libbpf's btf__align_of */
	uint32_t offset;	/* ELF_EXTERN_KCONFIG: its slot in the .kconfig map */
	char *error;		/* why the programs using it fail, or NULL */
};

/* What a program's linking returns when the program, not the object, is refused. */
#define ELF_PROG_REFUSED 1

struct elf_loader {
	const uint8_t *elf;
	size_t size;
	struct ebpf_log *log;
	const struct ebpf_object_load_opts *opts; /* may be NULL */
	bool *map_sizes_applied;		  /* per opts->map_sizes[i] */
	uint64_t map_bytes;			  /* what the maps made so far charge */
	struct elf_section *sections;
	uint32_t section_count;
	const uint8_t *symtab;
	uint32_t symtab_index;
	size_t sym_count;
	const char *strtab;
	size_t strtab_size;
	struct btf btf;
	struct map_origin *map_origins; /* map_origins[i] for obj->maps[i] */
	struct failed_map *failed_maps;
	size_t failed_map_count;
	struct elf_extern *externs; /* in symbol order */
	size_t extern_count;
	struct ebpf_map *kconfig_map; /* NULL without kconfig externs */
	uint32_t kconfig_map_index;
	struct ebpf_object *obj;
	/* The entry function of each program of obj, in the same order. */
	const struct elf_func **prog_entries;
	/* Why the program being linked is refused (elf_prog_error). */
	int prog_err;
	char prog_msg[SUB_LOG_SIZE];
	/* Scratch for linking one program. */
	struct ebpf_insn *insns;
	size_t insn_count;
	size_t insn_cap;
	size_t object_insns; /* in the programs created so far */
	struct linked_func *linked;
	size_t linked_count;
	size_t linked_cap;
};

/* ---- elf.c --------------------------------------------------------------- */

/* The object is refused: logs one line (cut at SUB_LOG_SIZE) into ld->log; returns err. */
int elf_load_error(struct elf_loader *ld, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * The program being linked is refused with err: keeps the reason in
 * ld->prog_err and ld->prog_msg; returns ELF_PROG_REFUSED.
 */
int elf_prog_error(struct elf_loader *ld, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Adds a line to the object's map errors (obj->map_errors); sets *index to
 * it when index is not NULL. 0, or -ENOMEM (logged).
 */
int elf_map_error(struct elf_loader *ld, size_t *index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* name is prefix itself or prefix followed by one of separators. */
bool elf_is_prefix_family(const char *name, const char *prefix, const char *separators);

/* Symbol index must have been checked against ld->sym_count. */
void elf_read_symbol(const struct elf_loader *ld, size_t index, struct elf64_sym *sym);
/* For messages: a section symbol is named after its section; "?" if bad. */
const char *elf_symbol_name(const struct elf_loader *ld, const struct elf64_sym *sym);

/* ---- elf_link.c (once the sections have their roles) --------------------- */

/* Fills funcs of every code section from the symbol table. */
int elf_read_functions(struct elf_loader *ld);
/* Reads and checks every relocation of every code section. */
int elf_read_relocations(struct elf_loader *ld);
/*
 * The function of sec that starts at instruction target, or the one function
 * of a section without function symbols; NULL if none.
 */
struct elf_func *elf_find_function(struct elf_section *sec, uint64_t target);
/*
 * One program per entry function, linked and relocated, or recorded with
 * why it cannot load; needs the maps.
 */
int elf_create_programs(struct elf_loader *ld);

/* ---- elf_maps.c (once BTF is read) --------------------------------------- */

/*
 * The maps of the map sections and of the global-data sections; one
 * ukbpf cannot create is recorded in ld->failed_maps instead.
 */
int elf_create_maps(struct elf_loader *ld);
/* Fills prog arrays and maps of maps from .rel.maps; needs the programs. */
int elf_fill_map_values(struct elf_loader *ld);
/*
 * Creates a map (a map-in-map with the template inner) of the object from
 * origin; *created is NULL when maps.c refused the definition, which is
 * then recorded for the programs using it to fail with.
 */
int elf_add_map(struct elf_loader *ld, const struct ebpf_map_def *def,
		const struct ebpf_map_def *inner, const char *name, const struct map_origin *origin,
		struct ebpf_map **created);

/* ---- elf_externs.c --------------------------------------------------------- */

/* Lists the object's extern symbols (once the symbol table is read). */
int elf_collect_externs(struct elf_loader *ld);
/* Declares the externs by BTF and makes the frozen .kconfig map of their values. */
int elf_create_kconfig_map(struct elf_loader *ld);
/*
 * Relocation r of sec, against an extern, at insn (a call, or both slots
 * of an lddw) of program prog: 0, ELF_PROG_REFUSED or a negative errno.
 */
int elf_relocate_extern(struct elf_loader *ld, const char *prog, const struct elf_section *sec,
			const struct elf_reloc *r, struct ebpf_insn *insn);
void elf_free_externs(struct elf_loader *ld);

/* ---- elf_globals.c (the caller's opts) ------------------------------------ */

/* Gives def the caller's max_entries for the map called name, if any. */
void elf_apply_map_size(struct elf_loader *ld, const char *name, struct ebpf_map_def *def);
/* Once the maps are made: every map size the caller gave found its map. */
int elf_check_map_sizes(struct elf_loader *ld);
/* Writes the caller's global variables into the global-data maps. */
int elf_set_globals(struct elf_loader *ld);
/* Freezes the .rodata maps, as libbpf does at the end of a load. */
void elf_freeze_rodata(struct elf_loader *ld);

#endif /* UKBPF_EBPF_ELF_LOADER_H */
