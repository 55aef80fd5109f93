/*
 * The ELF loader on objects assembled here, byte by byte, so that each
 * malformed case changes exactly one thing of a known-good object:
 * relocations (symbol, offset, type, target instruction), sections,
 * maps, calls. The good object exercises what clang objects are tested
 * for in tests/ebpf/test_elf.py, plus a tail call through a prog array
 * filled by the caller and a global-data access with a non-zero addend.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ebpf_internal.h"
#include "elf_format.h"

#define MAX_SECTIONS	 16
#define OBJECT_BYTES	 8192
#define SECTION_ALIGN	 8
#define HELPER_TAIL_CALL 12
#define HELPER_UNKNOWN	 9999
#define HELPER_RESULT	 40
#define TARGET_RESULT	 7
#define DATA_AT_ADDEND	 0x1122334455667788ull
#define DATA_ADDEND	 8

static char log_text[512];

static struct ebpf_log fresh_log(void)
{
	log_text[0] = '\0';
	return (struct ebpf_log){.buf = log_text, .size = sizeof(log_text)};
}

/* ---- instructions ------------------------------------------------------- */

#define INSN(op, dst, src, off, imm_)                                                              \
	((struct ebpf_insn){                                                                       \
	    .opcode = (op), .dst_reg = (dst), .src_reg = (src), .offset = (off), .imm = (imm_)})
#define MOV64_IMM(dst, imm)  INSN(EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K, dst, 0, 0, imm)
#define ADD64_IMM(dst, imm)  INSN(EBPF_CLS_ALU64 | EBPF_ALU_ADD | EBPF_SRC_K, dst, 0, 0, imm)
#define LDXDW(dst, src, off) INSN(EBPF_CLS_LDX | EBPF_MODE_MEM | EBPF_SIZE_DW, dst, src, off, 0)
#define LDDW_LO(dst, imm)    INSN(EBPF_OP_LDDW, dst, 0, 0, imm)
#define LDDW_HI		     INSN(0, 0, 0, 0, 0)
#define CALL_HELPER(id)	     INSN(EBPF_OP_CALL, 0, EBPF_CALL_HELPER, 0, id)
#define CALL_LOCAL(rel)	     INSN(EBPF_OP_CALL, 0, EBPF_PSEUDO_CALL, 0, rel)
#define EXIT		     INSN(EBPF_OP_EXIT, 0, 0, 0, 0)

/* ---- the good object ------------------------------------------------------ */

enum {
	SEC_NULL,
	SEC_STRTAB,
	SEC_XDP,
	SEC_XDP_TARGET,
	SEC_TEXT,
	SEC_REL_XDP,
	SEC_MAPS,
	SEC_DATA,
	SEC_LICENSE,
	SEC_SYMTAB,
	SEC_SHSTRTAB,
	SEC_COUNT
};

enum {
	SYM_NULL,
	SYM_DATA_SECTION,
	SYM_HELPER,
	SYM_JMP_TABLE,
	SYM_ENTRY,
	SYM_DATA_READER,
	SYM_TARGET,
	SYM_EXTERN,
	SYM_LICENSE,
	SYM_COUNT
};

/* Instruction indices in section xdp that relocations point at. */
enum {
	ENTRY_LDDW = 0,
	ENTRY_MOV_R3 = 2,
	ENTRY_TAIL_CALL = 3,
	ENTRY_LOCAL_CALL = 4,
	ENTRY_INSNS = 7,
	READER_LDDW = ENTRY_INSNS,
	READER_INSNS = 4,
};

static const char symbol_names[] = "\0jmp_table\0entry\0data_reader\0target\0helper\0ext\0lic";
#define NAME_JMP_TABLE	 1
#define NAME_ENTRY	 11
#define NAME_DATA_READER 17
#define NAME_TARGET	 29
#define NAME_HELPER	 36
#define NAME_EXTERN	 43
#define NAME_LICENSE	 47

/* Everything a test may change before the object is assembled. */
struct test_object {
	struct ebpf_insn xdp[ENTRY_INSNS + READER_INSNS];
	struct ebpf_insn xdp_target[2];
	struct ebpf_insn text[3];
	struct elf64_rel rel_xdp[3];
	size_t rel_count;
	uint32_t map_def[5];
	uint64_t data[2];
	char license[4];
	struct elf64_sym syms[SYM_COUNT];
	uint64_t xdp_flags;
	uint64_t xdp_target_flags;
	const char *target_section; /* "xdp/target" */
	uint16_t shstrndx;
	/* The assembled file. */
	uint8_t bytes[OBJECT_BYTES];
	size_t size;
};

static struct elf64_sym symbol(uint32_t name, uint8_t bind, uint8_t type, uint16_t shndx,
			       uint64_t value, uint64_t size)
{
	return (struct elf64_sym){.st_name = name,
				  .st_info = (uint8_t)(bind << 4 | type),
				  .st_shndx = shndx,
				  .st_value = value,
				  .st_size = size};
}

static struct elf64_rel reloc(uint64_t insn_index, uint32_t type, uint32_t sym)
{
	return (struct elf64_rel){.r_offset = insn_index * sizeof(struct ebpf_insn),
				  .r_info = (uint64_t)sym << 32 | type};
}

/*
 * entry:       r2 = jmp_table; r3 = 0; tail_call(ctx, jmp_table, 0);
 *              r0 = helper() + 1; exit           -> 41, or 7 via the tail call
 * data_reader: r1 = &.data + 8; r0 = *(u64 *)r1  -> DATA_AT_ADDEND
 * target:      r0 = 7
 * helper:      r0 = 40 (in .text)
 */
static void good_object(struct test_object *t)
{
	memset(t, 0, sizeof(*t));
	t->xdp[0] = LDDW_LO(2, 0);
	t->xdp[1] = LDDW_HI;
	t->xdp[2] = MOV64_IMM(3, 0);
	t->xdp[3] = CALL_HELPER(HELPER_TAIL_CALL);
	t->xdp[4] = CALL_LOCAL(-1);
	t->xdp[5] = ADD64_IMM(0, 1);
	t->xdp[6] = EXIT;
	t->xdp[READER_LDDW] = LDDW_LO(1, DATA_ADDEND); /* section symbol + addend in imm */
	t->xdp[READER_LDDW + 1] = LDDW_HI;
	t->xdp[READER_LDDW + 2] = LDXDW(0, 1, 0);
	t->xdp[READER_LDDW + 3] = EXIT;
	t->xdp_target[0] = MOV64_IMM(0, TARGET_RESULT);
	t->xdp_target[1] = EXIT;
	t->text[0] = MOV64_IMM(0, HELPER_RESULT);
	t->text[1] = EXIT;
	t->text[2] = EXIT; /* padding after the function */
	t->rel_xdp[0] = reloc(ENTRY_LDDW, R_BPF_64_64, SYM_JMP_TABLE);
	t->rel_xdp[1] = reloc(ENTRY_LOCAL_CALL, R_BPF_64_32, SYM_HELPER);
	t->rel_xdp[2] = reloc(READER_LDDW, R_BPF_64_64, SYM_DATA_SECTION);
	t->rel_count = 3;
	t->map_def[0] = EBPF_MAP_TYPE_PROG_ARRAY;
	t->map_def[1] = sizeof(uint32_t);
	t->map_def[2] = sizeof(uint32_t);
	t->map_def[3] = 2;
	t->data[1] = DATA_AT_ADDEND;
	memcpy(t->license, "GPL", 4);
	t->syms[SYM_DATA_SECTION] = symbol(0, ELF_STB_LOCAL, ELF_STT_SECTION, SEC_DATA, 0, 0);
	t->syms[SYM_HELPER] = symbol(NAME_HELPER, ELF_STB_LOCAL, ELF_STT_FUNC, SEC_TEXT, 0, 16);
	t->syms[SYM_JMP_TABLE] =
	    symbol(NAME_JMP_TABLE, ELF_STB_GLOBAL, ELF_STT_OBJECT, SEC_MAPS, 0, sizeof(t->map_def));
	t->syms[SYM_ENTRY] = symbol(NAME_ENTRY, ELF_STB_GLOBAL, ELF_STT_FUNC, SEC_XDP, 0,
				    ENTRY_INSNS * sizeof(struct ebpf_insn));
	t->syms[SYM_DATA_READER] =
	    symbol(NAME_DATA_READER, ELF_STB_GLOBAL, ELF_STT_FUNC, SEC_XDP,
		   READER_LDDW * sizeof(struct ebpf_insn), READER_INSNS * sizeof(struct ebpf_insn));
	t->syms[SYM_TARGET] = symbol(NAME_TARGET, ELF_STB_GLOBAL, ELF_STT_FUNC, SEC_XDP_TARGET, 0,
				     sizeof(t->xdp_target));
	t->syms[SYM_EXTERN] =
	    symbol(NAME_EXTERN, ELF_STB_GLOBAL, ELF_STT_NOTYPE, ELF_SHN_UNDEF, 0, 0);
	t->syms[SYM_LICENSE] =
	    symbol(NAME_LICENSE, ELF_STB_GLOBAL, ELF_STT_OBJECT, SEC_LICENSE, 0, 4);
	t->xdp_flags = ELF_SHF_ALLOC | ELF_SHF_EXECINSTR;
	t->xdp_target_flags = ELF_SHF_ALLOC | ELF_SHF_EXECINSTR;
	t->target_section = "xdp/target";
	t->shstrndx = SEC_SHSTRTAB;
}

/* ---- assembling --------------------------------------------------------- */

struct section_spec {
	const char *name;
	uint32_t type;
	uint64_t flags;
	const void *data;
	size_t size;
	uint32_t link, info;
	uint64_t entsize;
};

static size_t append(struct test_object *t, const void *data, size_t size)
{
	size_t at = (t->size + SECTION_ALIGN - 1) & ~(size_t)(SECTION_ALIGN - 1);

	assert_true(at + size <= sizeof(t->bytes));
	memset(t->bytes + t->size, 0, at - t->size);
	if (size)
		memcpy(t->bytes + at, data, size);
	t->size = at + size;
	return at;
}

/* Lays out header, section bodies, names and section headers. */
static void assemble(struct test_object *t)
{
	const uint64_t code = ELF_SHF_ALLOC | ELF_SHF_EXECINSTR;
	const struct section_spec specs[SEC_COUNT] = {
	    [SEC_STRTAB] = {".strtab", ELF_SHT_STRTAB, 0, symbol_names, sizeof(symbol_names)},
	    [SEC_XDP] = {"xdp", ELF_SHT_PROGBITS, t->xdp_flags, t->xdp, sizeof(t->xdp)},
	    [SEC_XDP_TARGET] = {t->target_section, ELF_SHT_PROGBITS, t->xdp_target_flags,
				t->xdp_target, sizeof(t->xdp_target)},
	    [SEC_TEXT] = {".text", ELF_SHT_PROGBITS, code, t->text, sizeof(t->text)},
	    [SEC_REL_XDP] = {".relxdp", ELF_SHT_REL, 0, t->rel_xdp,
			     t->rel_count * sizeof(struct elf64_rel), SEC_SYMTAB, SEC_XDP,
			     sizeof(struct elf64_rel)},
	    [SEC_MAPS] = {"maps", ELF_SHT_PROGBITS, ELF_SHF_ALLOC | ELF_SHF_WRITE, t->map_def,
			  sizeof(t->map_def)},
	    [SEC_DATA] = {".data", ELF_SHT_PROGBITS, ELF_SHF_ALLOC | ELF_SHF_WRITE, t->data,
			  sizeof(t->data)},
	    [SEC_LICENSE] = {"license", ELF_SHT_PROGBITS, ELF_SHF_ALLOC, t->license,
			     sizeof(t->license)},
	    [SEC_SYMTAB] = {".symtab", ELF_SHT_SYMTAB, 0, t->syms, sizeof(t->syms), SEC_STRTAB,
			    SYM_JMP_TABLE, sizeof(struct elf64_sym)},
	    [SEC_SHSTRTAB] = {".shstrtab", ELF_SHT_STRTAB, 0, NULL, 0},
	};
	struct elf64_shdr shdrs[SEC_COUNT] = {{0}};
	char names[256] = "";
	size_t names_len = 1, i;
	struct elf64_ehdr eh = {
	    .e_ident = {0x7f, 'E', 'L', 'F', ELF_CLASS_64, ELF_DATA_2LSB, ELF_VERSION_CURRENT},
	    .e_type = ELF_TYPE_REL,
	    .e_machine = ELF_MACHINE_BPF,
	    .e_version = ELF_VERSION_CURRENT,
	    .e_ehsize = sizeof(struct elf64_ehdr),
	    .e_shentsize = sizeof(struct elf64_shdr),
	    .e_shnum = SEC_COUNT,
	    .e_shstrndx = t->shstrndx,
	};

	t->size = sizeof(eh);
	for (i = 1; i < SEC_COUNT; i++) {
		shdrs[i] = (struct elf64_shdr){.sh_name = (uint32_t)names_len,
					       .sh_type = specs[i].type,
					       .sh_flags = specs[i].flags,
					       .sh_size = specs[i].size,
					       .sh_link = specs[i].link,
					       .sh_info = specs[i].info,
					       .sh_addralign = SECTION_ALIGN,
					       .sh_entsize = specs[i].entsize};
		memcpy(names + names_len, specs[i].name, strlen(specs[i].name) + 1);
		names_len += strlen(specs[i].name) + 1;
		if (i != SEC_SHSTRTAB)
			shdrs[i].sh_offset = append(t, specs[i].data, specs[i].size);
	}
	shdrs[SEC_SHSTRTAB].sh_offset = append(t, names, names_len);
	shdrs[SEC_SHSTRTAB].sh_size = names_len;
	eh.e_shoff = append(t, shdrs, sizeof(shdrs));
	memcpy(t->bytes, &eh, sizeof(eh));
}

/* Loads the assembled t; on failure checks the promises of a failed load. */
static int load_assembled(struct test_object *t, struct ebpf_object **objp)
{
	struct ebpf_log log = fresh_log();
	uint8_t *copy;
	int err;

	copy = malloc(t->size);
	assert_non_null(copy);
	memcpy(copy, t->bytes, t->size);
	*objp = (struct ebpf_object *)copy; /* must be overwritten */
	err = ebpf_object_load_elf(t->bytes, t->size, objp, &log);
	assert_memory_equal(copy, t->bytes, t->size); /* input untouched */
	free(copy);
	if (err) {
		assert_true(err < 0);
		assert_null(*objp);
		assert_true(log_text[0] != '\0');
		assert_null(strchr(log_text, '\n'));
	}
	return err;
}

static int load(struct test_object *t, struct ebpf_object **objp)
{
	assemble(t);
	return load_assembled(t, objp);
}

/* Expects t to be rejected with err and a message containing what. */
static void expect_rejected(struct test_object *t, int err, const char *what)
{
	struct ebpf_object *obj;

	assert_int_equal(load(t, &obj), err);
	if (!strstr(log_text, what))
		fail_msg("message '%s' lacks '%s'", log_text, what);
}

/*
 * Expects t to load with program index refused (err, a reason containing
 * what) and every other program loaded: a program fails alone.
 */
static struct ebpf_object *expect_prog_refused(struct test_object *t, size_t index, int err,
					       const char *what)
{
	struct ebpf_object_prog_info info;
	struct ebpf_object *obj;
	size_t i;

	assert_int_equal(load(t, &obj), 0);
	for (i = 0; ebpf_object_prog_info(obj, i, &info) == 0; i++) {
		if (i != index) {
			assert_non_null(info.prog);
			assert_int_equal(info.error, 0);
			assert_string_equal(info.error_msg, "");
			continue;
		}
		assert_null(info.prog);
		assert_null(ebpf_object_prog(obj, i));
		assert_int_equal(info.error, err);
		assert_null(strchr(info.error_msg, '\n'));
		if (!strstr(info.error_msg, what))
			fail_msg("message '%s' lacks '%s'", info.error_msg, what);
	}
	assert_true(index < i);
	return obj;
}

/* ---- the good object loads and runs --------------------------------------- */

static void test_good_object_loads(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	assert_int_equal(load(&t, &obj), 0);
	assert_int_equal(ebpf_object_prog_count(obj), 3);
	assert_string_equal(ebpf_prog_get_name(ebpf_object_prog(obj, 0)), "entry");
	assert_string_equal(ebpf_prog_get_name(ebpf_object_prog(obj, 1)), "data_reader");
	assert_string_equal(ebpf_prog_get_name(ebpf_object_prog(obj, 2)), "target");
	assert_string_equal(ebpf_object_prog_section(obj, 1), "xdp");
	assert_string_equal(ebpf_object_prog_section(obj, 2), "xdp/target");
	assert_null(ebpf_object_prog(obj, 3));
	assert_null(ebpf_object_prog_section(obj, 3));
	assert_int_equal(ebpf_prog_get_type(ebpf_object_prog(obj, 2)), EBPF_PROG_TYPE_XDP);
	/* By function name first, then by section name. */
	assert_ptr_equal(ebpf_object_find_prog(obj, "target"), ebpf_object_prog(obj, 2));
	assert_ptr_equal(ebpf_object_find_prog(obj, "xdp/target"), ebpf_object_prog(obj, 2));
	assert_ptr_equal(ebpf_object_find_prog(obj, "xdp"), ebpf_object_prog(obj, 0));
	assert_null(ebpf_object_find_prog(obj, "helper")); /* .text: a subprogram */
	assert_int_equal(ebpf_object_map_count(obj), 2);
	assert_ptr_equal(ebpf_object_find_map(obj, "jmp_table"), ebpf_object_map(obj, 0));
	assert_ptr_equal(ebpf_object_find_map(obj, ".data"), ebpf_object_map(obj, 1));
	assert_null(ebpf_object_find_map(obj, "nope"));
	assert_null(ebpf_object_map(obj, 2));
	assert_string_equal(ebpf_object_license(obj), "GPL");
	ebpf_object_free(obj);
}

static void test_subprogram_appended_and_call_fixed(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;
	const struct ebpf_insn *insns;
	size_t count;

	good_object(&t);
	assert_int_equal(load(&t, &obj), 0);
	insns = ebpf_prog_get_insns(ebpf_object_prog(obj, 0), &count);
	/* entry (7) + helper (2): the padding after helper is not copied. */
	assert_int_equal(count, ENTRY_INSNS + 2);
	assert_int_equal(insns[ENTRY_LOCAL_CALL].src_reg, EBPF_PSEUDO_CALL);
	assert_int_equal(ENTRY_LOCAL_CALL + 1 + insns[ENTRY_LOCAL_CALL].imm, ENTRY_INSNS);
	assert_int_equal(insns[ENTRY_LDDW].src_reg, EBPF_PSEUDO_MAP_FD);
	ebpf_object_free(obj);
}

static void test_tail_call_through_prog_array(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;
	struct ebpf_prog *entry;

	good_object(&t);
	assert_int_equal(load(&t, &obj), 0);
	entry = ebpf_object_find_prog(obj, "entry");
	/* Empty slot: the tail call falls through to helper() + 1. */
	assert_int_equal(ebpf_prog_run_interp(entry, NULL, 0), HELPER_RESULT + 1);
	assert_int_equal(ebpf_prog_array_set(ebpf_object_find_map(obj, "jmp_table"), 0,
					     ebpf_object_find_prog(obj, "target")),
			 0);
	assert_int_equal(ebpf_prog_run_interp(entry, NULL, 0), TARGET_RESULT);
	ebpf_object_free(obj);
}

static void test_global_data_with_addend(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	assert_int_equal(load(&t, &obj), 0);
	assert_true(ebpf_prog_run_interp(ebpf_object_find_prog(obj, "data_reader"), NULL, 0) ==
		    DATA_AT_ADDEND);
	ebpf_object_free(obj);
}

static void test_recursive_call_linked_once(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;
	size_t count;

	good_object(&t);
	t.text[0] = CALL_LOCAL(-1); /* helper calls itself */
	assert_int_equal(load(&t, &obj), 0);
	ebpf_prog_get_insns(ebpf_object_prog(obj, 0), &count);
	assert_int_equal(count, ENTRY_INSNS + 2);
	ebpf_object_free(obj);
}

/* ---- malformed objects ------------------------------------------------------ */

static void test_every_truncation_rejected(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;
	size_t full, cut;

	good_object(&t);
	assemble(&t);
	full = t.size;
	for (cut = 0; cut < full; cut++) {
		struct ebpf_log log = fresh_log();

		obj = NULL;
		assert_true(ebpf_object_load_elf(t.bytes, cut, &obj, &log) < 0);
		assert_null(obj);
		assert_true(log_text[0] != '\0');
	}
}

static void test_bad_reloc_symbol(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0] = reloc(ENTRY_LDDW, R_BPF_64_64, SYM_COUNT + 90);
	expect_rejected(&t, -EINVAL, "bad symbol index 99");
}

static void test_reloc_offset_misaligned(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0].r_offset += 4;
	expect_rejected(&t, -EINVAL, "offset 0x4 is not an instruction of xdp");
}

static void test_reloc_offset_past_section(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0].r_offset = sizeof(t.xdp);
	expect_rejected(&t, -EINVAL, "is not an instruction of xdp");
}

static void test_map_reloc_on_non_lddw(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0] = reloc(ENTRY_MOV_R3, R_BPF_64_64, SYM_JMP_TABLE);
	expect_rejected(&t, -EINVAL, "xdp+0x10: R_BPF_64_64 relocation against opcode 0xb7");
}

static void test_call_reloc_on_helper_call(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[1] = reloc(ENTRY_TAIL_CALL, R_BPF_64_32, SYM_HELPER);
	expect_rejected(&t, -EINVAL, "not a bpf-to-bpf call");
}

static void test_unknown_reloc_type(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0] = reloc(ENTRY_LDDW, R_BPF_64_ABS64, SYM_JMP_TABLE);
	expect_rejected(&t, -EINVAL, "type 2 not supported in code");
}

static void test_two_relocs_same_offset(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[2] = t.rel_xdp[0];
	expect_rejected(&t, -EINVAL, "two relocations at offset 0x0");
}

/* An extern BTF does not declare (libbpf's rule) fails the program that uses it, not the object. */
static void test_reloc_against_extern(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0] = reloc(ENTRY_LDDW, R_BPF_64_64, SYM_EXTERN);
	ebpf_object_free(expect_prog_refused(&t, 0, -ENOTSUP,
					     "(xdp+0x0): extern 'ext': not declared in the "
					     "object's BTF (libbpf needs it in DATASEC .kconfig "
					     "or .ksyms)"));
	t.rel_xdp[1] = reloc(ENTRY_LOCAL_CALL, R_BPF_64_32, SYM_EXTERN); /* a kfunc call */
	ebpf_object_free(expect_prog_refused(&t, 0, -ENOTSUP, "extern 'ext': not declared"));
	/* Undefined and local: nothing could ever define it, the object is malformed. */
	t.syms[SYM_EXTERN].st_info = (uint8_t)((ELF_STB_LOCAL << 4) | ELF_STT_NOTYPE);
	expect_rejected(&t, -EINVAL,
			"xdp+0x0: relocation against undefined symbol 'ext', which is not global");
}

static void test_reloc_against_non_map(void **state)
{
	struct test_object t;

	good_object(&t);
	t.rel_xdp[0] = reloc(ENTRY_LDDW, R_BPF_64_64, SYM_LICENSE);
	ebpf_object_free(expect_prog_refused(&t, 0, -ENOTSUP, "'lic' in section license"));
}

static void test_reloc_inside_map_definition(void **state)
{
	struct test_object t;

	good_object(&t);
	t.xdp[ENTRY_LDDW].imm = 4; /* jmp_table + 4 is no map */
	expect_rejected(&t, -EINVAL, "lddw refers to 'jmp_table'+4");
}

static void test_global_data_offset_past_section(void **state)
{
	struct test_object t;

	good_object(&t);
	t.xdp[READER_LDDW].imm = sizeof(t.data);
	expect_rejected(&t, -EINVAL, "lddw refers to '.data'+16");
}

static void test_lddw_crossing_function_end(void **state)
{
	struct test_object t;

	good_object(&t);
	t.syms[SYM_ENTRY].st_size = sizeof(struct ebpf_insn); /* cuts the lddw */
	expect_rejected(&t, -EINVAL, "lddw crosses the end of function 'entry'");
}

static void test_local_call_out_of_section(void **state)
{
	struct test_object t;

	good_object(&t);
	t.xdp[ENTRY_LOCAL_CALL].imm = 1000;
	expect_rejected(&t, -EINVAL, "in section .text is not the start of a function");
}

static void test_function_symbol_outside_section(void **state)
{
	struct test_object t;

	good_object(&t);
	t.syms[SYM_TARGET].st_size = 3 * sizeof(struct ebpf_insn);
	expect_rejected(&t, -EINVAL, "function 'target' at offset 0x0 size 0x18");
}

/*
 * A map ukbpf cannot create is an object-level record; only the program
 * that refers to it fails, naming it.
 */
static void test_unknown_map_type(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	t.map_def[0] = 99;
	obj = expect_prog_refused(&t, 0, -ENOTSUP,
				  "xdp+0x0: lddw refers to a map that was not created (map "
				  "'jmp_table': unsupported map type 99)");
	assert_int_equal(ebpf_object_map_error_count(obj), 1);
	assert_string_equal(ebpf_object_map_error(obj, 0),
			    "map 'jmp_table': unsupported map type 99");
	assert_null(ebpf_object_map_error(obj, 1));
	assert_int_equal(ebpf_object_map_count(obj), 1);
	assert_null(ebpf_object_find_map(obj, "jmp_table"));
	assert_true(ebpf_prog_run_interp(ebpf_object_find_prog(obj, "data_reader"), NULL, 0) ==
		    DATA_AT_ADDEND);
	ebpf_object_free(obj);
}

/*
 * Legacy maps by libbpf 0.x's rule: the section divided among its
 * symbols, whatever their own type and size (older clang: NOTYPE, 0).
 */
static void test_legacy_map_of_untyped_symbol(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	t.syms[SYM_JMP_TABLE].st_info = ELF_STB_GLOBAL << 4 | ELF_STT_NOTYPE;
	t.syms[SYM_JMP_TABLE].st_size = 0;
	assert_int_equal(load(&t, &obj), 0);
	assert_int_equal(ebpf_map_get_def(ebpf_object_find_map(obj, "jmp_table"))->max_entries, 2);
	assert_non_null(ebpf_object_find_prog(obj, "entry"));
	ebpf_object_free(obj);
	/* The symbol's own size does not matter either. */
	good_object(&t);
	t.syms[SYM_JMP_TABLE].st_size = 8;
	assert_int_equal(load(&t, &obj), 0);
	ebpf_object_free(obj);
}

static void test_legacy_maps_section_must_divide(void **state)
{
	struct test_object t;

	/* A second symbol in the 20-byte section: 10 bytes each. */
	good_object(&t);
	t.syms[SYM_LICENSE].st_shndx = SEC_MAPS;
	t.syms[SYM_LICENSE].st_value = 10;
	expect_rejected(&t, -EINVAL,
			"section 6 (maps): 2 map symbols share 0x14 bytes, 10 each, less than a "
			"struct bpf_map_def (16)");
	/* A third: 20 bytes do not divide by 3. */
	t.syms[SYM_EXTERN].st_shndx = SEC_MAPS;
	expect_rejected(&t, -EINVAL,
			"section 6 (maps): 0x14 bytes do not divide among its 3 map "
			"symbols");
	/* One symbol past the section's only definition. */
	good_object(&t);
	t.syms[SYM_JMP_TABLE].st_value = 4;
	expect_rejected(&t, -EINVAL,
			"map 'jmp_table' at offset 0x4: its 0x14-byte struct bpf_map_def extends "
			"past the section (0x14 bytes)");
}

static void test_unknown_helper(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;
	size_t index = 99;

	good_object(&t);
	t.xdp[ENTRY_TAIL_CALL].imm = HELPER_UNKNOWN;
	obj = expect_prog_refused(&t, 0, -EINVAL, "insn 3: unknown helper 9999");
	/* Found by name all the same: a caller can say why it did not load. */
	assert_int_equal(ebpf_object_find_prog_index(obj, "entry", &index), 0);
	assert_int_equal(index, 0);
	assert_null(ebpf_object_find_prog(obj, "entry"));
	assert_int_equal(ebpf_object_find_prog_index(obj, "nope", &index), -ENOENT);
	ebpf_object_free(obj);
}

/* libbpf's section names give type and expected attach type. */
static void test_section_gives_type_and_attach_type(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	t.target_section = "xdp/devmap";
	assert_int_equal(load(&t, &obj), 0);
	assert_int_equal(ebpf_prog_get_type(ebpf_object_prog(obj, 2)), EBPF_PROG_TYPE_XDP);
	assert_int_equal(ebpf_prog_get_expected_attach_type(ebpf_object_prog(obj, 2)),
			 EBPF_ATTACH_XDP_DEVMAP);
	assert_int_equal(ebpf_prog_get_expected_attach_type(ebpf_object_prog(obj, 0)),
			 EBPF_ATTACH_XDP);
	ebpf_object_free(obj);
}

/* A program of a type ukbpf does not run is refused by its type, alone. */
static void test_section_of_type_not_run(void **state)
{
	struct ebpf_object_prog_info info;
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	t.target_section = "kprobe/do_unlinkat";
	obj = expect_prog_refused(&t, 2, -ENOTSUP, "program type kprobe is not supported by ukbpf");
	assert_int_equal(ebpf_object_prog_info(obj, 2, &info), 0);
	assert_string_equal(info.name, "target");
	assert_string_equal(info.section, "kprobe/do_unlinkat");
	assert_int_equal(info.section_type.type, EBPF_PROG_TYPE_KPROBE);
	assert_int_equal(info.section_type.match, EBPF_SECTION_EXTRAS);
	assert_string_equal(info.section_type.rule, "kprobe");
	assert_int_equal(ebpf_object_prog_info(obj, 3, &info), -ENOENT);
	ebpf_object_free(obj);
	/* Its type does not excuse a malformed program: the object is refused. */
	t.syms[SYM_TARGET].st_size = 3 * sizeof(struct ebpf_insn);
	expect_rejected(&t, -EINVAL, "function 'target' at offset 0x0 size 0x18");
}

static void test_no_programs(void **state)
{
	struct test_object t;

	good_object(&t);
	t.xdp_flags = ELF_SHF_ALLOC;
	t.xdp_target_flags = ELF_SHF_ALLOC;
	expect_rejected(&t, -ENOENT, "no programs");
}

static void test_text_only_object_loads_global_functions(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	t.xdp_flags = ELF_SHF_ALLOC;
	t.xdp_target_flags = ELF_SHF_ALLOC;
	t.syms[SYM_HELPER].st_info = ELF_STB_GLOBAL << 4 | ELF_STT_FUNC;
	assert_int_equal(load(&t, &obj), 0);
	assert_int_equal(ebpf_object_prog_count(obj), 1);
	assert_string_equal(ebpf_prog_get_name(ebpf_object_prog(obj, 0)), "helper");
	assert_string_equal(ebpf_object_prog_section(obj, 0), ".text");
	assert_int_equal(ebpf_prog_get_type(ebpf_object_prog(obj, 0)), EBPF_PROG_TYPE_UNSPEC);
	assert_int_equal(ebpf_prog_run_interp(ebpf_object_prog(obj, 0), NULL, 0), HELPER_RESULT);
	ebpf_object_free(obj);
}

static void test_bad_shstrndx(void **state)
{
	struct test_object t;

	good_object(&t);
	t.shstrndx = SEC_COUNT;
	expect_rejected(&t, -EINVAL, "bad section name table index 11");
	t.shstrndx = SEC_DATA;
	expect_rejected(&t, -EINVAL, "bad section name table");
}

/* Rewrites one field of an assembled section header. */
static void patch_section_header(struct test_object *t, unsigned int index, size_t field_offset,
				 uint64_t value, size_t width)
{
	struct elf64_ehdr eh;

	memcpy(&eh, t->bytes, sizeof(eh));
	memcpy(t->bytes + eh.e_shoff + index * sizeof(struct elf64_shdr) + field_offset, &value,
	       width);
}

static void test_bad_symtab_link(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	assemble(&t);
	patch_section_header(&t, SEC_SYMTAB, offsetof(struct elf64_shdr, sh_link), SEC_DATA,
			     sizeof(uint32_t));
	assert_int_equal(load_assembled(&t, &obj), -EINVAL);
	assert_non_null(strstr(log_text, "bad symbol string table"));
}

static void test_section_past_end(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	assemble(&t);
	patch_section_header(&t, SEC_DATA, offsetof(struct elf64_shdr, sh_size), t.size,
			     sizeof(uint64_t));
	assert_int_equal(load_assembled(&t, &obj), -EINVAL);
	assert_non_null(strstr(log_text, "section 7 (.data): extends past end of file (offset 0x"));
}

static void test_rel_section_wrong_symtab(void **state)
{
	struct test_object t;
	struct ebpf_object *obj;

	good_object(&t);
	assemble(&t);
	patch_section_header(&t, SEC_REL_XDP, offsetof(struct elf64_shdr, sh_link), SEC_STRTAB,
			     sizeof(uint32_t));
	assert_int_equal(load_assembled(&t, &obj), -EINVAL);
	assert_non_null(strstr(log_text, "section 5 (.relxdp): bad symbol table index 1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_object_loads),
	    cmocka_unit_test(test_subprogram_appended_and_call_fixed),
	    cmocka_unit_test(test_tail_call_through_prog_array),
	    cmocka_unit_test(test_global_data_with_addend),
	    cmocka_unit_test(test_recursive_call_linked_once),
	    cmocka_unit_test(test_every_truncation_rejected),
	    cmocka_unit_test(test_bad_reloc_symbol),
	    cmocka_unit_test(test_reloc_offset_misaligned),
	    cmocka_unit_test(test_reloc_offset_past_section),
	    cmocka_unit_test(test_map_reloc_on_non_lddw),
	    cmocka_unit_test(test_call_reloc_on_helper_call),
	    cmocka_unit_test(test_unknown_reloc_type),
	    cmocka_unit_test(test_two_relocs_same_offset),
	    cmocka_unit_test(test_reloc_against_extern),
	    cmocka_unit_test(test_reloc_against_non_map),
	    cmocka_unit_test(test_reloc_inside_map_definition),
	    cmocka_unit_test(test_global_data_offset_past_section),
	    cmocka_unit_test(test_lddw_crossing_function_end),
	    cmocka_unit_test(test_local_call_out_of_section),
	    cmocka_unit_test(test_function_symbol_outside_section),
	    cmocka_unit_test(test_unknown_map_type),
	    cmocka_unit_test(test_legacy_map_of_untyped_symbol),
	    cmocka_unit_test(test_legacy_maps_section_must_divide),
	    cmocka_unit_test(test_unknown_helper),
	    cmocka_unit_test(test_section_gives_type_and_attach_type),
	    cmocka_unit_test(test_section_of_type_not_run),
	    cmocka_unit_test(test_no_programs),
	    cmocka_unit_test(test_text_only_object_loads_global_functions),
	    cmocka_unit_test(test_bad_shstrndx),
	    cmocka_unit_test(test_bad_symtab_link),
	    cmocka_unit_test(test_section_past_end),
	    cmocka_unit_test(test_rel_section_wrong_symtab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
