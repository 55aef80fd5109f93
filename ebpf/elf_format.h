/*
 * On-disk formats read by the ELF loader (elf.c), written from the specs
 * because the guest's newlib has no <elf.h>:
 *   - ELF-64 object files (System V gABI, "ELF-64 Object File Format" 1.5),
 *     only what a relocatable clang -target bpf object uses;
 *   - BPF relocation types (LLVM's BPF backend, documented in the Linux
 *     tree's Documentation/bpf/llvm_reloc.rst);
 *   - BTF, the BPF Type Format (Documentation/bpf/btf.rst), from which the
 *     loader reads BTF-defined map definitions.
 * Every structure is little-endian and read with memcpy (the input buffer
 * need not be aligned). Private to the ELF loader (elf*.c) and the BTF
 * reader (btf.c), which share the two checks below.
 */
#ifndef UKBPF_EBPF_ELF_FORMAT_H
#define UKBPF_EBPF_ELF_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [offset, offset + len) lies inside [0, size), without overflow. */
static inline bool range_inside(uint64_t offset, uint64_t len, uint64_t size)
{
	return offset <= size && len <= size - offset;
}

/*
 * A string table whose last byte is NUL makes every offset inside it a
 * valid C string, so names are checked once per table, not per lookup.
 */
static inline bool string_table_ok(const uint8_t *data, uint64_t size)
{
	return data != NULL && size > 0 && data[size - 1] == '\0';
}

/* ---- ELF header (gABI "ELF Header") -------------------------------------- */

#define ELF_IDENT_SIZE	    16
#define ELF_IDENT_MAG0	    0 /* "\177ELF" in bytes 0..3 */
#define ELF_IDENT_CLASS	    4
#define ELF_IDENT_DATA	    5
#define ELF_IDENT_VERSION   6
#define ELF_MAGIC	    "\177ELF"
#define ELF_MAGIC_SIZE	    4
#define ELF_CLASS_64	    2
#define ELF_DATA_2LSB	    1 /* little-endian */
#define ELF_VERSION_CURRENT 1
#define ELF_TYPE_REL	    1 /* relocatable object: what clang -c writes */
#define ELF_MACHINE_BPF	    247

struct elf64_ehdr {
	uint8_t e_ident[ELF_IDENT_SIZE];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* ---- Section headers (gABI "Sections") ----------------------------------- */

#define ELF_SHN_UNDEF	  0
#define ELF_SHN_LORESERVE 0xff00 /* section indices from here are special */
#define ELF_SHN_ABS	  0xfff1
#define ELF_SHN_COMMON	  0xfff2
#define ELF_SHN_XINDEX	  0xffff

#define ELF_SHT_NULL	 0
#define ELF_SHT_PROGBITS 1
#define ELF_SHT_SYMTAB	 2
#define ELF_SHT_STRTAB	 3
#define ELF_SHT_RELA	 4
#define ELF_SHT_NOBITS	 8
#define ELF_SHT_REL	 9

#define ELF_SHF_WRITE	  0x1
#define ELF_SHF_ALLOC	  0x2
#define ELF_SHF_EXECINSTR 0x4

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

/* ---- Symbols (gABI "Symbol Table") --------------------------------------- */

#define ELF_STB_LOCAL	0
#define ELF_STB_GLOBAL	1
#define ELF_STB_WEAK	2
#define ELF_STT_NOTYPE	0
#define ELF_STT_OBJECT	1
#define ELF_STT_FUNC	2
#define ELF_STT_SECTION 3

#define ELF_ST_BIND(info) ((uint8_t)(info) >> 4)
#define ELF_ST_TYPE(info) ((uint8_t)(info)&0xf)

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

/* ---- Relocations (gABI "Relocation"; BPF types from llvm_reloc.rst) ----- */

struct elf64_rel {
	uint64_t r_offset;
	uint64_t r_info;
};

#define ELF_R_SYM(info)	 ((uint32_t)((info) >> 32))
#define ELF_R_TYPE(info) ((uint32_t)(info))

#define R_BPF_NONE	  0
#define R_BPF_64_64	  1  /* lddw: imm pair = symbol address */
#define R_BPF_64_ABS64	  2  /* data (debug info) */
#define R_BPF_64_ABS32	  3  /* data (debug info, BTF) */
#define R_BPF_64_NODYLD32 4  /* .BTF/.BTF.ext offsets */
#define R_BPF_64_32	  10 /* call: imm = (symbol - pc) / 8 - 1 */

/* ---- BTF (Documentation/bpf/btf.rst) ------------------------------------- */

#define BTF_MAGIC   0xeb9f
#define BTF_VERSION 1

struct btf_header {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	/* Offsets are relative to the end of the header. */
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

/* Every type starts with this; kind-specific data follows (btf.rst §2.2). */
struct btf_type {
	uint32_t name_off;
	uint32_t info; /* vlen: bits 0-15, kind: bits 24-28, kind_flag: 31 */
	uint32_t size_or_type;
};

#define BTF_INFO_KIND(info)  (((info) >> 24) & 0x1f)
#define BTF_INFO_VLEN(info)  ((info)&0xffff)
#define BTF_INFO_KFLAG(info) ((info) >> 31) /* ENUM, ENUM64: the values are signed */

/* BTF_KIND_INT's encoding word: bits 24-27 say how the bits are read. */
#define BTF_INT_ENCODING(word) (((word) >> 24) & 0x0f)
#define BTF_INT_SIGNED	       (1u << 0)
#define BTF_INT_BOOL	       (1u << 2)

enum btf_kind {
	BTF_KIND_VOID = 0,
	BTF_KIND_INT = 1, /* + uint32_t encoding */
	BTF_KIND_PTR = 2,
	BTF_KIND_ARRAY = 3,  /* + struct btf_array */
	BTF_KIND_STRUCT = 4, /* + vlen * struct btf_member */
	BTF_KIND_UNION = 5,  /* + vlen * struct btf_member */
	BTF_KIND_ENUM = 6,   /* + vlen * struct btf_enum */
	BTF_KIND_FWD = 7,
	BTF_KIND_TYPEDEF = 8,
	BTF_KIND_VOLATILE = 9,
	BTF_KIND_CONST = 10,
	BTF_KIND_RESTRICT = 11,
	BTF_KIND_FUNC = 12,
	BTF_KIND_FUNC_PROTO = 13, /* + vlen * struct btf_param */
	BTF_KIND_VAR = 14,	  /* + struct btf_var */
	BTF_KIND_DATASEC = 15,	  /* + vlen * struct btf_var_secinfo */
	BTF_KIND_FLOAT = 16,
	BTF_KIND_DECL_TAG = 17, /* + struct btf_decl_tag */
	BTF_KIND_TYPE_TAG = 18,
	BTF_KIND_ENUM64 = 19, /* + vlen * struct btf_enum64 */
	BTF_KIND_COUNT
};

struct btf_array {
	uint32_t type;
	uint32_t index_type;
	uint32_t nelems;
};

struct btf_member {
	uint32_t name_off;
	uint32_t type;
	uint32_t offset;
};

struct btf_enum {
	uint32_t name_off;
	int32_t val;
};

struct btf_param {
	uint32_t name_off;
	uint32_t type;
};

struct btf_var {
	uint32_t linkage;
};

struct btf_var_secinfo {
	uint32_t type;
	uint32_t offset;
	uint32_t size;
};

struct btf_decl_tag {
	int32_t component_idx;
};

struct btf_enum64 {
	uint32_t name_off;
	uint32_t val_lo32;
	uint32_t val_hi32;
};

#endif /* UKBPF_EBPF_ELF_FORMAT_H */
