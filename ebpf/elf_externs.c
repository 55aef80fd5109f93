/*
 * Extern symbols of an ELF object (elf_loader.h), resolved by libbpf's
 * rules (libbpf.c: bpf_object__collect_externs, bpf_object__resolve_externs,
 * bpf_object__relocate_data). An extern is an undefined global or weak
 * symbol that BTF declares in one of two DATASECs:
 *
 *   - `extern T NAME __kconfig` (.kconfig): every such variable gets a
 *     slot of one read-only array map ".kconfig", laid out as libbpf lays
 *     it out, and lddw of it reads that slot. Its value comes from the
 *     caller (opts->kconfig, libbpf's `kconfig` open option) or else from
 *     ukbpf_kconfig below, in a kernel .config line's syntax. The map is
 *     frozen when filled, so the verifier reads the values as constants
 *     and prunes on them. One nobody defines reads 0 when __weak; a strong
 *     one, an unsupported type or a value its type cannot hold fails the
 *     programs that use it, with libbpf's reason.
 *   - `extern ... __ksym` (.ksyms): kfuncs and kernel variables. ukbpf has
 *     no kernel symbols, so none resolves: an lddw of a __weak one reads
 *     address 0, as libbpf makes it (`if (&sym)`, bpf_ksym_exists, then
 *     prunes its use); any other use fails the program, naming the symbol.
 *     libbpf would also load a call to an unresolved __weak kfunc that the
 *     verifier proves dead; ukbpf refuses it.
 *
 * libbpf refuses a whole object for one bad extern; ukbpf, loading what
 * it can (elf.c), fails only the programs whose code refers to it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_loader.h"
#include "insn.h"

#define KCONFIG_MAP_NAME	".kconfig"
#define KCONFIG_SECTION		".kconfig"
#define KSYMS_SECTION		".ksyms"
#define KCONFIG_CONFIG_PREFIX	"CONFIG_"
#define KCONFIG_VIRTUAL_PREFIX	"LINUX_"
#define KCONFIG_TRISTATE_TYPE	"libbpf_tristate"
#define KCONFIG_TRISTATE_SIZE	4
#define KCONFIG_MAX_SCALAR_SIZE 8
#define BITS_PER_BYTE		8
/*
 * Each extern is looked up in the whole BTF: bound their number so that a
 * hostile object cannot make that quadratic work long (real objects use a
 * few dozen).
 */
#define MAX_EXTERNS	   4096u
#define STRINGIFY(x)	   #x
#define STRINGIFY_VALUE(x) STRINGIFY(x)

/*
 * What ukbpf reports, in .config syntax. ukbpf is not Linux: the kernel
 * version is the API level whose helpers, maps and verifier it follows
 * (KERNEL_VERSION(6, 1, 0), Linux 6.1); the CONFIG_* options are those
 * that describe what ukbpf really does. Anything else is undefined
 * (a __weak extern reads 0). docs/architecture.md lists the table for users.
 */
static const struct ebpf_kconfig_value ukbpf_kconfig[] = {
    {"LINUX_KERNEL_VERSION", "0x060100"},
    /* No bpf_get_attach_cookie; no syscalls to attach wrappers to. */
    {"LINUX_HAS_BPF_COOKIE", "0"},
    {"LINUX_HAS_SYSCALL_WRAPPER", "0"},
    {"CONFIG_BPF", "y"},
    {"CONFIG_BPF_SYSCALL", "y"},
    {"CONFIG_BPF_JIT", "y"},
    {"CONFIG_HAVE_EBPF_JIT", "y"},
    {"CONFIG_NET", "y"},
    {"CONFIG_INET", "y"},
    {"CONFIG_IPV6", "y"},
    {"CONFIG_XDP_SOCKETS", "y"},
    {"CONFIG_64BIT", "y"},
    {"CONFIG_X86_64", "y"},
    {"CONFIG_NR_CPUS", "1"},
    /* bpf_jiffies64 ticks at this rate. */
    {"CONFIG_HZ", STRINGIFY_VALUE(EBPF_JIFFIES_HZ)},
};

/* libbpf's enum kcfg_type: what a .kconfig variable's type can hold. */
enum kconfig_type {
	KCONFIG_UNSUPPORTED = 0,
	KCONFIG_BOOL,
	KCONFIG_CHAR,
	KCONFIG_TRISTATE,
	KCONFIG_INT,
	KCONFIG_CHARS,
};

/* libbpf's enum libbpf_tristate (bpf_helpers.h). */
enum kconfig_tristate {
	KCONFIG_TRI_NO = 0,
	KCONFIG_TRI_YES = 1,
	KCONFIG_TRI_MODULE = 2,
};

/* ---- collecting and declaring externs ------------------------------------ */

/* libbpf's sym_is_extern, whatever the symbol's type. */
static bool is_extern_symbol(const struct elf64_sym *sym)
{
	uint8_t bind = ELF_ST_BIND(sym->st_info);

	return sym->st_shndx == ELF_SHN_UNDEF && (bind == ELF_STB_GLOBAL || bind == ELF_STB_WEAK);
}

int elf_collect_externs(struct elf_loader *ld)
{
	struct elf64_sym sym;
	size_t i, n = 0;

	for (i = 1; i < ld->sym_count; i++) {
		elf_read_symbol(ld, i, &sym);
		n += is_extern_symbol(&sym);
	}
	if (n > MAX_EXTERNS)
		return elf_load_error(ld, -E2BIG, "%zu extern symbols (more than %u)", n,
				      MAX_EXTERNS);
	if (n == 0)
		return 0;
	ld->externs = calloc(n, sizeof(*ld->externs));
	if (!ld->externs)
		return elf_load_error(ld, -ENOMEM, "out of memory for %zu externs", n);
	/* In symbol order: elf_relocate_extern searches them by symbol. */
	for (i = 1; i < ld->sym_count; i++) {
		elf_read_symbol(ld, i, &sym);
		if (!is_extern_symbol(&sym))
			continue;
		ld->externs[ld->extern_count++] = (struct elf_extern){
		    .sym = (uint32_t)i,
		    .name = elf_symbol_name(ld, &sym),
		    .weak = ELF_ST_BIND(sym.st_info) == ELF_STB_WEAK,
		};
	}
	return 0;
}

/* Keeps why the programs using ext fail; 0, or -ENOMEM. */
static int extern_error(struct elf_loader *ld, struct elf_extern *ext, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int extern_error(struct elf_loader *ld, struct elf_extern *ext, const char *fmt, ...)
{
	char msg[SUB_LOG_SIZE];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ext->error = strdup(msg);
	if (!ext->error)
		return elf_load_error(ld, -ENOMEM, "out of memory for externs");
	return 0;
}

/* libbpf's find_kcfg_type. */
static enum kconfig_type kconfig_type(const struct btf_global *type)
{
	switch (type->kind) {
	case BTF_GLOBAL_BOOL:
		return type->size == 1 ? KCONFIG_BOOL : KCONFIG_UNSUPPORTED;
	case BTF_GLOBAL_INT:
		if (type->size == 1)
			return KCONFIG_CHAR;
		if (type->size == 0 || type->size > KCONFIG_MAX_SCALAR_SIZE ||
		    (type->size & (type->size - 1)))
			return KCONFIG_UNSUPPORTED;
		return KCONFIG_INT;
	case BTF_GLOBAL_ENUM:
		return type->size == KCONFIG_TRISTATE_SIZE && type->type_name &&
			       strcmp(type->type_name, KCONFIG_TRISTATE_TYPE) == 0
			   ? KCONFIG_TRISTATE
			   : KCONFIG_UNSUPPORTED;
	case BTF_GLOBAL_CHARS:
		return KCONFIG_CHARS;
	default:
		return KCONFIG_UNSUPPORTED;
	}
}

/* What BTF says ext is; an extern libbpf would refuse keeps why. */
static int declare_extern(struct elf_loader *ld, struct elf_extern *ext)
{
	struct btf_extern decl;
	int err = btf_find_extern(&ld->btf, ext->name, &decl, ld->log);

	if (err == -ENOENT)
		return extern_error(ld, ext,
				    "extern '%s': not declared in the object's BTF (libbpf needs "
				    "it in DATASEC %s or %s)",
				    ext->name, KCONFIG_SECTION, KSYMS_SECTION);
	if (err)
		return err;
	if (strcmp(decl.var.section, KSYMS_SECTION) == 0) {
		ext->kind = decl.is_func ? ELF_EXTERN_KFUNC : ELF_EXTERN_KSYM_VAR;
		return 0;
	}
	if (strcmp(decl.var.section, KCONFIG_SECTION) != 0 || decl.is_func)
		return extern_error(
		    ld, ext,
		    "extern '%s': in DATASEC %s, not %s or %s (libbpf: unrecognized "
		    "extern section)",
		    ext->name, decl.var.section, KCONFIG_SECTION, KSYMS_SECTION);
	ext->kind = ELF_EXTERN_KCONFIG;
	ext->type = decl.var;
	ext->align = decl.var.kind == BTF_GLOBAL_CHARS ? 1 : (uint32_t)decl.var.size;
	if (kconfig_type(&ext->type) == KCONFIG_UNSUPPORTED)
		return extern_error(
		    ld, ext,
		    "extern (kconfig) '%s': its type (%llu bytes) is not bool, char, "
		    "an integer, enum %s or a char array",
		    ext->name, (unsigned long long)ext->type.size, KCONFIG_TRISTATE_TYPE);
	return 0;
}

/* ---- kconfig values ------------------------------------------------------- */

/* The caller's value of name, else ukbpf's; NULL if neither defines it. */
static const char *kconfig_text(const struct elf_loader *ld, const char *name)
{
	const struct ebpf_object_load_opts *opts = ld->opts;
	size_t i;

	for (i = 0; opts && i < opts->kconfig_count; i++)
		if (strcmp(opts->kconfig[i].name, name) == 0)
			return opts->kconfig[i].value;
	for (i = 0; i < sizeof(ukbpf_kconfig) / sizeof(ukbpf_kconfig[0]); i++)
		if (strcmp(ukbpf_kconfig[i].name, name) == 0)
			return ukbpf_kconfig[i].value;
	return NULL;
}

/* libbpf's is_kcfg_value_in_range. */
static bool kconfig_value_fits(const struct elf_extern *ext, uint64_t value)
{
	unsigned int bits = (unsigned int)ext->type.size * BITS_PER_BYTE;

	if (ext->type.size == KCONFIG_MAX_SCALAR_SIZE)
		return true;
	if (ext->type.is_signed)
		return value + (UINT64_C(1) << (bits - 1)) < (UINT64_C(1) << bits);
	return (value >> bits) == 0;
}

/* libbpf's set_kcfg_value_tri: y, m or n. */
static int set_tristate(struct elf_loader *ld, struct elf_extern *ext, uint8_t *slot, char value)
{
	uint32_t tristate = value == 'y'   ? KCONFIG_TRI_YES
			    : value == 'm' ? KCONFIG_TRI_MODULE
					   : KCONFIG_TRI_NO;

	switch (kconfig_type(&ext->type)) {
	case KCONFIG_BOOL:
		if (value == 'm')
			return extern_error(ld, ext,
					    "extern (kconfig) '%s': value 'm' implies a tristate "
					    "or char type, not bool",
					    ext->name);
		*slot = value == 'y';
		return 0;
	case KCONFIG_TRISTATE:
		memcpy(slot, &tristate, sizeof(tristate));
		return 0;
	case KCONFIG_CHAR:
		*slot = (uint8_t)value;
		return 0;
	default:
		return extern_error(ld, ext,
				    "extern (kconfig) '%s': value '%c' implies a bool, tristate or "
				    "char type",
				    ext->name, value);
	}
}

/* libbpf's set_kcfg_value_str: "text", cut to the array (with its NUL). */
static int set_string(struct elf_loader *ld, struct elf_extern *ext, uint8_t *slot,
		      const char *text)
{
	size_t len = strlen(text);

	if (kconfig_type(&ext->type) != KCONFIG_CHARS)
		return extern_error(ld, ext,
				    "extern (kconfig) '%s': value %s implies a char array type",
				    ext->name, text);
	if (len < 2 || text[len - 1] != '"')
		return extern_error(ld, ext, "extern (kconfig) '%s': invalid string value %s",
				    ext->name, text);
	len -= 2;
	if (len >= ext->type.size)
		len = (size_t)ext->type.size - 1;
	memcpy(slot, text + 1, len);
	slot[len] = '\0';
	return 0;
}

static bool is_virtual(const struct elf_extern *ext)
{
	return strncmp(ext->name, KCONFIG_VIRTUAL_PREFIX, strlen(KCONFIG_VIRTUAL_PREFIX)) == 0;
}

/*
 * libbpf's set_kcfg_value_num. A number may set a bool only for the
 * LINUX_* externs, whose values libbpf computes: a .config line's number
 * (bpf_object__process_kconfig_line) must go to an integer or a char.
 */
static int set_number(struct elf_loader *ld, struct elf_extern *ext, uint8_t *slot,
		      const char *text)
{
	enum kconfig_type type = kconfig_type(&ext->type);
	char *end = NULL;
	uint64_t value;

	errno = 0;
	value = strtoull(text, &end, 0);
	if (errno || end == text || *end != '\0')
		return extern_error(ld, ext, "extern (kconfig) '%s': value '%s' is not an integer",
				    ext->name, text);
	if (type != KCONFIG_INT && type != KCONFIG_CHAR &&
	    (type != KCONFIG_BOOL || !is_virtual(ext)))
		return extern_error(ld, ext,
				    "extern (kconfig) '%s': value %s implies an integer or char "
				    "type",
				    ext->name, text);
	if (type == KCONFIG_BOOL ? value > 1 : !kconfig_value_fits(ext, value))
		return extern_error(
		    ld, ext, "extern (kconfig) '%s': value %s does not fit its %llu-byte type",
		    ext->name, text, (unsigned long long)ext->type.size);
	/* Little-endian, the BPF target's byte order on x86-64. */
	memcpy(slot, &value, (size_t)ext->type.size);
	return 0;
}

/* Writes ext's value into its slot, or keeps why it has none. */
static int resolve_kconfig(struct elf_loader *ld, struct elf_extern *ext, uint8_t *slot)
{
	const char *text = kconfig_text(ld, ext->name);

	if (strncmp(ext->name, KCONFIG_CONFIG_PREFIX, strlen(KCONFIG_CONFIG_PREFIX)) != 0 &&
	    !is_virtual(ext))
		return extern_error(ld, ext,
				    "extern (kconfig) '%s': unrecognized (neither %s* nor %s*)",
				    ext->name, KCONFIG_CONFIG_PREFIX, KCONFIG_VIRTUAL_PREFIX);
	if (!text && ext->weak)
		return 0; /* libbpf: a weak extern nobody defines is zero */
	if (!text)
		return extern_error(ld, ext,
				    "extern (kconfig) '%s' (strong): ukbpf does not define it "
				    "(its kconfig: docs/architecture.md)",
				    ext->name);
	switch (text[0]) {
	case 'y':
	case 'n':
	case 'm':
		if (text[1] == '\0')
			return set_tristate(ld, ext, slot, text[0]);
		break;
	case '"':
		return set_string(ld, ext, slot, text);
	default:
		break;
	}
	return set_number(ld, ext, slot, text);
}

/* libbpf's cmp_externs for kconfig: by alignment down, then size up, then name. */
static int compare_kconfig(const void *a, const void *b)
{
	const struct elf_extern *ea = *(const struct elf_extern *const *)a;
	const struct elf_extern *eb = *(const struct elf_extern *const *)b;

	if (ea->align != eb->align)
		return ea->align > eb->align ? -1 : 1;
	if (ea->type.size != eb->type.size)
		return ea->type.size < eb->type.size ? -1 : 1;
	return strcmp(ea->name, eb->name);
}

/* Places the kconfig externs in the map's value; *size is the value's size. */
static int lay_out_kconfig(struct elf_loader *ld, uint32_t *size)
{
	struct elf_extern **sorted;
	size_t i, n = 0;
	uint64_t off = 0;

	sorted = calloc(ld->extern_count, sizeof(*sorted));
	if (!sorted)
		return elf_load_error(ld, -ENOMEM, "out of memory for externs");
	for (i = 0; i < ld->extern_count; i++)
		if (ld->externs[i].kind == ELF_EXTERN_KCONFIG && !ld->externs[i].error)
			sorted[n++] = &ld->externs[i];
	qsort(sorted, n, sizeof(*sorted), compare_kconfig);
	for (i = 0; i < n && off <= UINT32_MAX; i++) {
		off = (off + sorted[i]->align - 1) / sorted[i]->align * sorted[i]->align;
		sorted[i]->offset = (uint32_t)off;
		off += sorted[i]->type.size;
	}
	free(sorted);
	if (off > UINT32_MAX)
		return elf_load_error(ld, -E2BIG, "the kconfig externs need more than 4 GiB");
	*size = (uint32_t)off;
	return 0;
}

int elf_create_kconfig_map(struct elf_loader *ld)
{
	struct ebpf_map_def def = {
	    .type = EBPF_MAP_TYPE_ARRAY,
	    .key_size = sizeof(uint32_t),
	    .max_entries = 1,
	    .flags = EBPF_F_RDONLY_PROG,
	};
	uint32_t key = 0;
	uint8_t *value;
	size_t i;
	int err = 0;

	for (i = 0; i < ld->extern_count && !err; i++)
		err = declare_extern(ld, &ld->externs[i]);
	if (!err)
		err = lay_out_kconfig(ld, &def.value_size);
	if (err || def.value_size == 0)
		return err;
	value = calloc(1, def.value_size);
	if (!value)
		return elf_load_error(ld, -ENOMEM, "out of memory for the kconfig values");
	for (i = 0; i < ld->extern_count && !err; i++) {
		struct elf_extern *ext = &ld->externs[i];

		if (ext->kind == ELF_EXTERN_KCONFIG && !ext->error)
			err = resolve_kconfig(ld, ext, value + ext->offset);
	}
	if (!err)
		err = elf_add_map(
		    ld, &def, NULL, KCONFIG_MAP_NAME,
		    &(struct map_origin){ELF_SHN_UNDEF, 0, def.value_size, BTF_NO_VALUES},
		    &ld->kconfig_map);
	if (!err && ld->kconfig_map) {
		ld->kconfig_map_index = (uint32_t)(ld->obj->map_count - 1);
		err = ebpf_map_update(ld->kconfig_map, &key, value, EBPF_ANY);
		if (err)
			err = elf_load_error(ld, err, "cannot initialize map %s", KCONFIG_MAP_NAME);
		else
			ebpf_map_freeze(ld->kconfig_map); /* as libbpf freezes it */
	}
	free(value);
	return err;
}

/* ---- relocations against externs ------------------------------------------ */

static int compare_extern_sym(const void *key, const void *elem)
{
	uint32_t sym = *(const uint32_t *)key;
	const struct elf_extern *ext = elem;

	return sym < ext->sym ? -1 : sym > ext->sym;
}

int elf_relocate_extern(struct elf_loader *ld, const char *prog, const struct elf_section *sec,
			const struct elf_reloc *r, struct ebpf_insn *insn)
{
	/* bsearch wants an array even when empty (an undefined local symbol). */
	struct elf_extern *ext = ld->externs ? bsearch(&r->sym, ld->externs, ld->extern_count,
						       sizeof(*ld->externs), compare_extern_sym)
					     : NULL;
	unsigned long long at = (unsigned long long)r->offset;

	struct elf64_sym sym;

	if (!ext) {
		elf_read_symbol(ld, r->sym, &sym);
		return elf_load_error(
		    ld, -EINVAL,
		    "%s+0x%llx: relocation against undefined symbol '%s', which is not global",
		    sec->name, at, elf_symbol_name(ld, &sym));
	}
	if (ext->error)
		return elf_prog_error(ld, -ENOTSUP, "program '%s' (%s+0x%llx): %s", prog, sec->name,
				      at, ext->error);
	if (ebpf_insn_is_local_call(insn))
		return elf_prog_error(
		    ld, -ENOTSUP,
		    ext->kind == ELF_EXTERN_KFUNC
			? "program '%s' calls kfunc '%s' (an extern __ksym%s) at %s+0x%llx: "
			  "ukbpf offers no kfuncs"
			: "program '%s' calls '%s' (an extern%s) at %s+0x%llx, which is not a "
			  "kfunc",
		    prog, ext->name, ext->weak ? " __weak" : "", sec->name, at);
	if (ext->kind == ELF_EXTERN_KCONFIG) {
		if (!ld->kconfig_map)
			return elf_prog_error(ld, -ENOTSUP,
					      "program '%s' (%s+0x%llx): extern '%s': map %s was "
					      "not created (see the object's map errors)",
					      prog, sec->name, at, ext->name, KCONFIG_MAP_NAME);
		/* libbpf ignores the addend: the slot's offset is the value's. */
		insn[0].src_reg = EBPF_PSEUDO_MAP_VALUE;
		insn[0].imm = (int32_t)ld->kconfig_map_index;
		insn[1].imm = (int32_t)ext->offset;
		return 0;
	}
	if (ext->weak) {
		/* libbpf: an unresolved weak ksym's address is 0. */
		insn[0].src_reg = 0;
		insn[0].imm = 0;
		insn[1].imm = 0;
		return 0;
	}
	return elf_prog_error(ld, -ENOTSUP,
			      ext->kind == ELF_EXTERN_KFUNC
				  ? "program '%s' takes the address of kfunc '%s' (an extern "
				    "__ksym) at %s+0x%llx: ukbpf offers no kfuncs"
				  : "program '%s' reads '%s' (an extern __ksym variable) at "
				    "%s+0x%llx: ukbpf offers no kernel symbols",
			      prog, ext->name, sec->name, at);
}

void elf_free_externs(struct elf_loader *ld)
{
	size_t i;

	for (i = 0; i < ld->extern_count; i++)
		free(ld->externs[i].error);
	free(ld->externs);
}
