/*
 * Program types: everything a type means, in one table that the loader,
 * the verifier, the interpreter and the JIT consult (private to ebpf/).
 *
 * A program type fixes what r1 points at (the context) and which of its
 * fields a program may touch at which sizes, which helpers it may call,
 * and where the legacy packet loads (LD_ABS/LD_IND, RFC 9669 §5.5) read.
 * Adding a type ukbpf runs is one entry in prog_type.c plus the code of
 * its context; nothing else switches on enum ebpf_prog_type. Which
 * section names give which type is libbpf's table, in
 * prog_type_section.c; Linux's names of every type and attach type are
 * in prog_type.c.
 */
#ifndef UKBPF_EBPF_PROG_TYPE_H
#define UKBPF_EBPF_PROG_TYPE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"

/* What a load of a context field gives the program (Linux: the reg type). */
enum ebpf_ctx_field_kind {
	EBPF_CTX_SCALAR,      /* a plain value of the field's size */
	EBPF_CTX_PACKET,      /* the first packet byte (xdp_md.data) */
	EBPF_CTX_PACKET_END,  /* one past the last (xdp_md.data_end) */
	EBPF_CTX_PACKET_META, /* the metadata before the packet (xdp_md.data_meta) */
};

/* One field of a context struct a program may access, and how. */
struct ebpf_ctx_field {
	uint16_t offset;
	uint8_t size; /* the one access size allowed, in bytes */
	bool writable;
	enum ebpf_ctx_field_kind kind;
	/*
	 * With attach_only, only programs whose expected attach type is
	 * attach_type may access the field (Linux's xdp_is_valid_access:
	 * xdp_md.egress_ifindex is for BPF_XDP_DEVMAP programs).
	 */
	bool attach_only;
	enum ebpf_attach_type attach_type;
};

/*
 * Helper families (struct ebpf_helper.family): a type lists the families
 * it may call, as Linux's per-type get_func_proto does on top of the base
 * set every type has.
 */
enum ebpf_helper_family {
	EBPF_HELPERS_BASE = 1u << 0, /* maps, time, random, printk, tail calls */
	EBPF_HELPERS_XDP = 1u << 1,  /* redirects and the xdp_buff adjusters */
};

/*
 * The packet the legacy loads of a run read: len bytes at data, or none
 * (len 0) when the run's context carries no packet.
 */
struct ebpf_legacy_packet {
	const uint8_t *data;
	uint64_t len;
};

/* Who may use the legacy loads of a type. */
enum ebpf_legacy_loads {
	EBPF_LEGACY_NONE,     /* refused by the verifier, empty at run time */
	EBPF_LEGACY_VERIFIED, /* allowed by the verifier, r6 = ctx as in Linux */
	/*
	 * Run, never verified: the ISA test convention's packet is r1's
	 * memory of r2 bytes, a length the verifier cannot know.
	 */
	EBPF_LEGACY_UNVERIFIED,
};

/* A program type ukbpf runs. */
struct ebpf_prog_type_info {
	enum ebpf_prog_type type;
	const struct ebpf_ctx_field *ctx_fields; /* what r1's memory allows */
	size_t ctx_field_count;
	/* r2 = the context's length at entry (the ISA tests' r1 = mem, r2 = len). */
	bool ctx_len_in_r2;
	uint32_t helper_families; /* enum ebpf_helper_family bits */
	enum ebpf_legacy_loads legacy_loads;
	/* Where the legacy loads read, from the run's (ctx, ctx_len). */
	struct ebpf_legacy_packet (*legacy_packet)(const void *ctx, size_t ctx_len);
};

/* The entry of type, or NULL when ukbpf does not run the type. */
const struct ebpf_prog_type_info *ebpf_prog_type_info(enum ebpf_prog_type type);

/* Whether type is one of Linux's program types, run by ukbpf or not. */
bool ebpf_prog_type_known(enum ebpf_prog_type type);

/*
 * The field of info's context that an access of size bytes at off names
 * exactly and that a program of expected attach type attach may access,
 * or NULL (Linux: "invalid bpf_context access").
 */
const struct ebpf_ctx_field *ebpf_prog_type_ctx_field(const struct ebpf_prog_type_info *info,
						      enum ebpf_attach_type attach, int32_t off,
						      unsigned int size);

/*
 * Whether info's context leads to packet memory (a field of kind
 * EBPF_CTX_PACKET): direct packet access, Linux's may_access_direct_pkt_data.
 */
bool ebpf_prog_type_has_packet(const struct ebpf_prog_type_info *info);

/*
 * The one definition of a legacy load (RFC 9669 §5.5), for the interpreter
 * and the JIT: the size bytes at offset in network byte order into *value,
 * 0; or -1 when out of bounds, which ends the program with r0 = 0.
 * Linux computes the offset of LD_IND as a 32-bit sum and treats a
 * negative one as out of bounds.
 */
static inline int ebpf_legacy_load(const struct ebpf_legacy_packet *packet, int32_t offset,
				   unsigned int size, uint64_t *value)
{
	uint64_t result = 0;
	unsigned int k;

	if (offset < 0 || (uint64_t)offset + size > packet->len)
		return -1;
	for (k = 0; k < size; k++)
		result = result << CHAR_BIT | packet->data[offset + k];
	*value = result;
	return 0;
}

#endif /* UKBPF_EBPF_PROG_TYPE_H */
