/*
 * The program-type table (prog_type.h): one entry per type ukbpf runs,
 * with Linux's numbering, section names and context rules.
 */
#include <string.h>

#include "prog_type.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CTX_READ(type, field, kind)                                                                \
	{                                                                                          \
		offsetof(type, field), sizeof(((type *)0)->field), false, kind                     \
	}

/* ---- unspec: the ISA tests' convention (r1 = memory, r2 = its length) ---- */

static struct ebpf_legacy_packet unspec_legacy_packet(const void *ctx, size_t ctx_len)
{
	return (struct ebpf_legacy_packet){ctx, ctx_len};
}

/* ---- socket filters: translated classic BPF (cbpf.c) ---------------------- */

/* Translated classic BPF reads the two lengths; data goes through LD_ABS. */
static const struct ebpf_ctx_field socket_ctx_fields[] = {
    CTX_READ(struct ebpf_cbpf_ctx, caplen, EBPF_CTX_SCALAR),
    CTX_READ(struct ebpf_cbpf_ctx, wirelen, EBPF_CTX_SCALAR),
};

static struct ebpf_legacy_packet socket_legacy_packet(const void *ctx, size_t ctx_len)
{
	const struct ebpf_cbpf_ctx *cbpf = ctx;

	if (!cbpf)
		return (struct ebpf_legacy_packet){NULL, 0};
	return (struct ebpf_legacy_packet){cbpf->data, cbpf->caplen};
}

static const char *const socket_sections[] = {"socket", NULL};

/* ---- XDP ------------------------------------------------------------------ */

/*
 * Linux's xdp_is_valid_access: 4-byte reads of struct xdp_md, none
 * writable; data, data_end and data_meta read as packet pointers.
 */
static const struct ebpf_ctx_field xdp_ctx_fields[] = {
    CTX_READ(struct ebpf_xdp_md, data, EBPF_CTX_PACKET),
    CTX_READ(struct ebpf_xdp_md, data_end, EBPF_CTX_PACKET_END),
    CTX_READ(struct ebpf_xdp_md, data_meta, EBPF_CTX_PACKET_META),
    CTX_READ(struct ebpf_xdp_md, ingress_ifindex, EBPF_CTX_SCALAR),
    CTX_READ(struct ebpf_xdp_md, rx_queue_index, EBPF_CTX_SCALAR),
    CTX_READ(struct ebpf_xdp_md, egress_ifindex, EBPF_CTX_SCALAR),
};

static const char *const xdp_sections[] = {"xdp", NULL};

/* ---- the table ------------------------------------------------------------ */

static const struct ebpf_prog_type_info prog_types[] = {
    {
	.type = EBPF_PROG_TYPE_UNSPEC,
	.name = "unspec",
	.ctx_len_in_r2 = true,
	.helper_families = EBPF_HELPERS_BASE,
	.legacy_loads = EBPF_LEGACY_UNVERIFIED,
	.legacy_packet = unspec_legacy_packet,
    },
    {
	.type = EBPF_PROG_TYPE_SOCKET_FILTER,
	.name = "socket_filter",
	.sections = socket_sections,
	.ctx_fields = socket_ctx_fields,
	.ctx_field_count = COUNT_OF(socket_ctx_fields),
	.helper_families = EBPF_HELPERS_BASE,
	.legacy_loads = EBPF_LEGACY_VERIFIED,
	.legacy_packet = socket_legacy_packet,
    },
    {
	.type = EBPF_PROG_TYPE_XDP,
	.name = "xdp",
	.sections = xdp_sections,
	.ctx_fields = xdp_ctx_fields,
	.ctx_field_count = COUNT_OF(xdp_ctx_fields),
	.helper_families = EBPF_HELPERS_BASE | EBPF_HELPERS_XDP,
	.legacy_loads = EBPF_LEGACY_NONE,
    },
};

const struct ebpf_prog_type_info *ebpf_prog_type_info(enum ebpf_prog_type type)
{
	size_t i;

	for (i = 0; i < COUNT_OF(prog_types); i++)
		if (prog_types[i].type == type)
			return &prog_types[i];
	return NULL;
}

const char *ebpf_prog_type_name(enum ebpf_prog_type type)
{
	const struct ebpf_prog_type_info *info = ebpf_prog_type_info(type);

	return info ? info->name : "?";
}

/* libbpf: "xdp", "xdp/anything", "xdp.frags"... */
static bool section_is_named(const char *section, const char *name)
{
	size_t len = strlen(name);

	return strncmp(section, name, len) == 0 &&
	       (section[len] == '\0' || section[len] == '/' || section[len] == '.');
}

enum ebpf_prog_type ebpf_prog_type_of_section(const char *section)
{
	const char *const *name;
	size_t i;

	for (i = 0; i < COUNT_OF(prog_types); i++)
		for (name = prog_types[i].sections; name && *name; name++)
			if (section_is_named(section, *name))
				return prog_types[i].type;
	return EBPF_PROG_TYPE_UNSPEC;
}

const struct ebpf_ctx_field *ebpf_prog_type_ctx_field(const struct ebpf_prog_type_info *info,
						      int32_t off, unsigned int size)
{
	size_t i;

	for (i = 0; i < info->ctx_field_count; i++)
		if (info->ctx_fields[i].offset == off && info->ctx_fields[i].size == size)
			return &info->ctx_fields[i];
	return NULL;
}

bool ebpf_prog_type_has_packet(const struct ebpf_prog_type_info *info)
{
	size_t i;

	for (i = 0; i < info->ctx_field_count; i++)
		if (info->ctx_fields[i].kind == EBPF_CTX_PACKET)
			return true;
	return false;
}
