/*
 * A reader of BTF, the BPF Type Format (Linux Documentation/bpf/btf.rst),
 * as clang writes it into an object's .BTF section. It reads what libbpf
 * reads there: BTF-defined maps (the DATASEC ".maps" and the struct each
 * of its variables points to), the types of global variables, and the
 * declarations of extern symbols (DATASECs ".kconfig" and ".ksyms").
 *
 * The reader knows nothing of ELF: btf_parse takes the section's bytes.
 * The bytes are untrusted: every offset and size is checked before use,
 * the buffer is only read (with memcpy: no alignment is assumed) and must
 * outlive the struct btf. Errors return a negative errno and put a
 * one-line reason in the caller's log, like the rest of ebpf/.
 * Private to ebpf/.
 */
#ifndef UKBPF_EBPF_BTF_H
#define UKBPF_EBPF_BTF_H

#include <stdbool.h>
#include <stdint.h>

#include "ebpf.h"

#define BTF_SECTION	 ".BTF"
#define BTF_MAPS_SECTION ".maps" /* ELF section and DATASEC of BTF-defined maps */
/* Pointers of the BPF target, e.g. the slots of a prog array's `values`. */
#define BTF_PTR_SIZE 8
/* btf_map_def's values_offset for a map without `values`. */
#define BTF_NO_VALUES UINT64_MAX

/* Parsed BTF; zero-initialized it holds no types. */
struct btf {
	const uint8_t *types;
	uint32_t types_len;
	const char *strs;
	uint32_t strs_len;
	uint32_t *type_offsets; /* type_offsets[id]; id 0 is void */
	uint32_t type_count;	/* ids, void included; 0 before btf_parse */
};

/*
 * Parses the BTF in data[0, size) (data may be NULL: an empty section)
 * into btf, which must be zero-initialized. Whether it succeeds or not,
 * btf_free releases what it allocated.
 */
int btf_parse(struct btf *btf, const uint8_t *data, uint64_t size, struct ebpf_log *log);
void btf_free(struct btf *btf);

/* What a BTF-defined map declares. */
struct btf_map {
	struct ebpf_map_def def;
	/* Map-in-map: the definition of its inner maps, from `values`' struct. */
	bool has_inner;
	struct ebpf_map_def inner;
	/*
	 * Where the slots of libbpf's `values` (a prog array's programs, a
	 * map-in-map's inner maps) start inside the definition, or
	 * BTF_NO_VALUES.
	 */
	uint64_t values_offset;
};

/*
 * Reads the BTF-defined map `name` (libbpf's struct { __uint(type, ...);
 * __type(key, ...); ... } in DATASEC .maps) of a parsed btf, with
 * libbpf's rules. Members it cannot load faithfully are refused (-ENOTSUP),
 * never skipped; malformed definitions are -EINVAL.
 */
int btf_map_def(const struct btf *btf, const char *name, struct btf_map *out, struct ebpf_log *log);

/* What a global variable's type lets a caller write into it. */
enum btf_global_kind {
	BTF_GLOBAL_OTHER = 0, /* a struct, array, pointer, float... */
	BTF_GLOBAL_INT,
	BTF_GLOBAL_BOOL,
	BTF_GLOBAL_ENUM,
	BTF_GLOBAL_CHARS, /* an array of one-byte integers: a string */
};

/*
 * A variable of a global-data section as BTF describes it. Not where it
 * is: clang leaves the DATASEC's offsets 0 for the linker (libbpf) to
 * fill from the symbol table, which the caller reads instead.
 */
struct btf_global {
	const char *section; /* the DATASEC's name: ".rodata", ".data", ".bss"... */
	uint64_t size;	     /* of the variable's type */
	enum btf_global_kind kind;
	bool is_signed;	       /* BTF_GLOBAL_INT or _ENUM of a signed type */
	const char *type_name; /* of the type, typedefs and qualifiers resolved; NULL if none */
};

/*
 * Finds the variable name in the DATASECs of btf (".maps" too: the caller
 * decides which sections it takes). -ENOENT, without a log line, when no
 * DATASEC holds it; -EINVAL for malformed BTF.
 */
int btf_find_global(const struct btf *btf, const char *name, struct btf_global *out,
		    struct ebpf_log *log);

#define BTF_SPIN_LOCK_TYPE "bpf_spin_lock"

/*
 * Where the value of the BTF-defined map `name` holds its struct
 * bpf_spin_lock: 0 and *offset, -ENOENT when it has none, another
 * negative errno (logged) for a value with two or a misaligned one.
 */
int btf_map_spin_lock(const struct btf *btf, const char *name, uint32_t *offset,
		      struct ebpf_log *log);

/*
 * An extern symbol as BTF declares it: a variable or a function in a
 * DATASEC (libbpf's extern sections: .kconfig for __kconfig variables,
 * .ksyms for __ksym variables and kfuncs).
 */
struct btf_extern {
	bool is_func;
	struct btf_global var; /* var.section for both; the rest for variables */
};

/*
 * Finds the variable or function name in the DATASECs of btf. -ENOENT,
 * without a log line, when no DATASEC holds it; -EINVAL for malformed BTF.
 */
int btf_find_extern(const struct btf *btf, const char *name, struct btf_extern *out,
		    struct ebpf_log *log);

#endif /* UKBPF_EBPF_BTF_H */
