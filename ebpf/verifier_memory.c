/*
 * The verifier's memory-access rules (Linux: check_mem_access and
 * check_helper_mem_access): every load, store, atomic operation and
 * helper memory argument is checked here against the type of the
 * pointer it goes through, so a checked interpreter can later replay the
 * same rules at run time.
 */
#include <stddef.h>
#include <stdio.h>

#include "verifier_internal.h"

#define BITS_PER_BYTE 8

/* ---- memory ---------------------------------------------------------------- */

/* What a context field's load gives the program (prog_type.h). */
static enum reg_type ctx_field_reg_type(enum ebpf_ctx_field_kind kind)
{
	switch (kind) {
	case EBPF_CTX_PACKET:
		return REG_PTR_TO_PACKET;
	case EBPF_CTX_PACKET_END:
		return REG_PTR_TO_PACKET_END;
	case EBPF_CTX_PACKET_META:
		return REG_PTR_TO_PACKET_META;
	default:
		return REG_SCALAR;
	}
}

/*
 * Context fields are the program type's (prog_type.c): an access names
 * one field exactly, at its size, writes only writable ones, and only
 * fields the program's expected attach type may see. UNSPEC's r1 memory
 * has no size the verifier knows, so it has no fields.
 */
static int check_ctx_access(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			    int32_t off, unsigned int size, enum access access,
			    struct reg_state *loaded)
{
	const struct ebpf_ctx_field *field;

	if (reg->off != 0)
		return verifier_reject(v, "dereference of modified ctx ptr R%u off=%d disallowed",
				       regno, reg->off);
	field =
	    ebpf_prog_type_ctx_field(v->prog->type_info, v->prog->expected_attach_type, off, size);
	if (!field || (access != ACCESS_READ && !field->writable))
		return verifier_reject(v, "invalid bpf_context access off=%d size=%u", off, size);
	if (loaded) {
		if (field->kind == EBPF_CTX_SCALAR)
			set_scalar(loaded, scalar_urange(0, UINT32_MAX));
		else
			set_pointer(loaded, ctx_field_reg_type(field->kind));
	}
	return 0;
}

static bool sock_field_has(int32_t off, size_t field_off, size_t field_size)
{
	return off >= (int32_t)field_off && off < (int32_t)(field_off + field_size);
}

#define SOCK_FIELD_HAS(off, field)                                                                 \
	sock_field_has(off, offsetof(struct ebpf_sock, field),                                     \
		       sizeof(((struct ebpf_sock *)0)->field))
#define SOCK_FIELD_AT(off, field) ((off) == (int32_t)offsetof(struct ebpf_sock, field))

/*
 * Linux's bpf_sock_is_valid_access, with bpf_sock_common_is_valid_access
 * hiding type .. priority from a sock_common: aligned reads; most fields
 * also in narrow pieces of 1 or 2 bytes (the address fields anywhere
 * inside, the others at their start), dst_port as its 2 bytes or as 4
 * with its zero padding, and the rest only whole.
 */
static bool sock_read_ok(bool sock_common, int32_t off, unsigned int size)
{
	if (off < 0 || off >= (int32_t)sizeof(struct ebpf_sock) || off % (int32_t)size)
		return false;
	if (sock_common && off >= (int32_t)offsetof(struct ebpf_sock, type) &&
	    off < (int32_t)offsetof(struct ebpf_sock, src_ip4))
		return false;
	if (SOCK_FIELD_AT(off, state) || SOCK_FIELD_AT(off, family) || SOCK_FIELD_AT(off, type) ||
	    SOCK_FIELD_AT(off, protocol) || SOCK_FIELD_AT(off, src_port) ||
	    SOCK_FIELD_AT(off, rx_queue_mapping) || SOCK_FIELD_HAS(off, src_ip4) ||
	    SOCK_FIELD_HAS(off, src_ip6) || SOCK_FIELD_HAS(off, dst_ip4) ||
	    SOCK_FIELD_HAS(off, dst_ip6))
		return size <= sizeof(uint32_t);
	if (SOCK_FIELD_HAS(off, dst_port))
		return size <= sizeof(uint16_t) || size == sizeof(uint32_t);
	if (SOCK_FIELD_HAS(off, zero_padding))
		return false;
	return size == sizeof(uint32_t);
}

/* A socket from a lookup: read-only, as Linux's check_sock_access. */
static int check_sock_access(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			     int32_t off, unsigned int size, enum access access,
			     struct reg_state *loaded)
{
	if (access != ACCESS_READ)
		return verifier_reject(v, "R%u cannot write into %s", regno,
				       verifier_reg_type_names[reg->type]);
	if (!sock_read_ok(reg->type == REG_PTR_TO_SOCK_COMMON, reg->off + off, size))
		return verifier_reject(v, "R%u invalid %s access off=%d size=%u", regno,
				       verifier_reg_type_names[reg->type], off, size);
	if (loaded) {
		set_scalar(loaded, scalar_unknown());
		loaded->var = scalar_truncate(&loaded->var, size);
	}
	return 0;
}

/*
 * A region of known size (map value, ringbuf record): the access
 * [off + var, off + var + size) must lie inside [0, mem_size) for every
 * value of var.
 */
static int check_sized_region(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			      int32_t off, uint64_t size, const char *what)
{
	int64_t lo = (int64_t)reg->off + off + reg->var.smin;
	int64_t hi;

	if (reg->var.smin < 0 && !scalar_is_const(&reg->var))
		return verifier_reject(
		    v,
		    "R%u min value is negative, either use unsigned index or do a if "
		    "(index >=0) check.",
		    regno);
	if (reg->var.umax >= MAX_VAR_OFF)
		return verifier_reject(
		    v, "R%u unbounded memory access, make sure to bounds check any such access",
		    regno);
	hi = (int64_t)reg->off + off + (int64_t)reg->var.umax + (int64_t)size;
	if (lo < 0 || hi > (int64_t)reg->mem_size)
		return verifier_reject(v, "invalid access to %s, %s_size=%u off=%lld size=%llu",
				       what,
				       reg->type == REG_PTR_TO_MAP_VALUE ? "value"
				       : reg->type == REG_PTR_TO_MAP_KEY ? "key"
									 : "mem",
				       reg->mem_size, (long long)lo, (unsigned long long)size);
	return 0;
}

/*
 * An xskmap lookup's hit is Linux's struct bpf_xdp_sock: a program may
 * read its one field, the u32 queue_id, and nothing else
 * (bpf_xdp_sock_is_valid_access). Arithmetic on it is refused, so its
 * offset is the instruction's.
 */
#define XDP_SOCK_QUEUE_ID_OFF  0
#define XDP_SOCK_QUEUE_ID_SIZE 4

static int check_xdp_sock_access(struct verifier *v, uint8_t regno, int32_t off, unsigned int size,
				 enum access access)
{
	if (access != ACCESS_READ)
		return verifier_reject(v, "R%u cannot write into xdp_sock", regno);
	if (off != XDP_SOCK_QUEUE_ID_OFF || size != XDP_SOCK_QUEUE_ID_SIZE)
		return verifier_reject(v, "R%u invalid xdp_sock access off=%d size=%u", regno, off,
				       size);
	return 0;
}

/*
 * A map value's struct bpf_spin_lock is for bpf_spin_lock/unlock only
 * (Linux's check_map_access): no access of [off + var, + size) may touch it.
 */
static int check_spin_lock_untouched(struct verifier *v, const struct reg_state *reg, int32_t off,
				     uint64_t size)
{
	int64_t lo = (int64_t)reg->off + off + reg->var.smin;
	int64_t hi = (int64_t)reg->off + off + (int64_t)reg->var.umax + (int64_t)size;
	uint32_t lock;

	if (ebpf_map_get_spin_lock(reg->map, &lock) && lo < (int64_t)lock + EBPF_SPIN_LOCK_SIZE &&
	    hi > (int64_t)lock)
		return verifier_reject(v,
				       "bpf_spin_lock cannot be accessed directly by load/store");
	return 0;
}

static int check_packet_region(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			       int32_t off, uint64_t size)
{
	int64_t start = (int64_t)reg->off + off;

	if (!ebpf_prog_type_has_packet(v->prog->type_info))
		return verifier_reject(v, "cannot access packet data in this program type");
	if (reg->var.smin < 0)
		return verifier_reject(
		    v,
		    "R%u min value is negative, either use unsigned index or do a if "
		    "(index >=0) check.",
		    regno);
	if (start < 0 || start + (int64_t)size > (int64_t)reg->range)
		return verifier_reject(
		    v, "invalid access to packet, off=%lld size=%llu, R%u range=%u",
		    (long long)start, (unsigned long long)size, regno, reg->range);
	return 0;
}

static void note_stack_depth(struct verifier *v, uint32_t frame, int32_t off)
{
	uint32_t subprog = v->cur->frames[frame]->subprog;

	if ((uint32_t)-off > v->subprog_depth[subprog])
		v->subprog_depth[subprog] = (uint32_t)-off;
}

/* A write to the stack byte at off: the frame uses slots down to it. */
static void note_slot_used(struct frame *f, int32_t off)
{
	uint32_t slots = (uint32_t)(STACK_SLOTS - (off + EBPF_STACK_SIZE) / REG_SIZE);

	if (slots > f->used_slots)
		f->used_slots = slots;
}

/*
 * The lowest and highest stack offsets an access through reg may start
 * at (equal unless a variable offset was added), or an error when any of
 * them leaves [-512, 0).
 */
static int stack_range(struct verifier *v, uint8_t regno, const struct reg_state *reg, int32_t off,
		       uint64_t size, int32_t *lo, int32_t *hi)
{
	int64_t first = (int64_t)reg->off + off + reg->var.smin;
	int64_t last = (int64_t)reg->off + off + reg->var.smax;
	char var[REG_VAR_BYTES];

	if (first < -EBPF_STACK_SIZE || last + (int64_t)size > 0 || size > EBPF_STACK_SIZE) {
		if (scalar_is_const(&reg->var))
			return verifier_reject(v, "invalid stack off=%lld size=%llu (R%u)",
					       (long long)first, (unsigned long long)size, regno);
		scalar_format(&reg->var, var, sizeof(var));
		return verifier_reject(
		    v, "invalid variable-offset stack access R%u var_off=%s off=%d size=%llu",
		    regno, var, reg->off + off, (unsigned long long)size);
	}
	*lo = (int32_t)first;
	*hi = (int32_t)last;
	return 0;
}

/* No byte of [start, end) holds part of a spilled pointer. */
static int check_no_spilled_pointer(struct verifier *v, uint8_t regno, const struct frame *f,
				    int32_t start, int32_t end)
{
	int slot;

	for (slot = (start + EBPF_STACK_SIZE) / REG_SIZE; slot * REG_SIZE < end + EBPF_STACK_SIZE;
	     slot++) {
		if (f->stack[slot * REG_SIZE] == STACK_SPILL &&
		    is_pointer(&f->spills[spill_index(slot)]))
			return verifier_reject(
			    v, "R%u leaks addr: spilled pointer at fp%d read as bytes", regno,
			    slot * REG_SIZE - EBPF_STACK_SIZE);
	}
	return 0;
}

static bool stack_initialized(const struct frame *f, int32_t start, uint64_t size)
{
	uint64_t i;

	for (i = 0; i < size; i++) {
		if (f->stack[start + EBPF_STACK_SIZE + i] == STACK_INVALID)
			return false;
	}
	return true;
}

/*
 * A write somewhere in [start, start+size): each byte may or may not be
 * written, so unwritten bytes stay unreadable and spills lose their type.
 */
static void stack_write_maybe(struct frame *f, int32_t start, uint64_t size)
{
	uint64_t i;
	int pos;

	for (i = 0; i < size; i++) {
		int slot = (int)((start + EBPF_STACK_SIZE + (int64_t)i) / REG_SIZE);
		uint8_t *bytes = &f->stack[slot * REG_SIZE];

		if (bytes[0] == STACK_SPILL) {
			uint8_t rest =
			    is_pointer(&f->spills[spill_index(slot)]) ? STACK_INVALID : STACK_MISC;

			/* A narrow spill's other bytes keep what they were. */
			for (pos = 0; pos < REG_SIZE; pos++) {
				if (bytes[pos] == STACK_SPILL)
					bytes[pos] = rest;
			}
		}
	}
}

/*
 * Marks [start, start+size) written with unknown bytes. A spilled value
 * the write only partly covers loses its type; the uncovered bytes of a
 * spilled pointer become unreadable, so no pointer bits leak as scalar.
 */
static void stack_write_misc(struct frame *f, int32_t start, uint64_t size)
{
	stack_write_maybe(f, start, size);
	memset(&f->stack[start + EBPF_STACK_SIZE], STACK_MISC, size);
	note_slot_used(f, start);
}

/*
 * How many bytes of the spill at the start of slot: REG_SIZE for a
 * register spilled whole, fewer for a narrow spill (stack_spill_narrow).
 */
static unsigned int spill_size(const struct frame *f, int slot)
{
	const uint8_t *bytes = &f->stack[slot * REG_SIZE];
	unsigned int size = 0;

	while (size < REG_SIZE && bytes[size] == STACK_SPILL)
		size++;
	return size;
}

/*
 * A scalar stored with fewer than 8 bytes at the start of a slot, whose
 * value those bytes hold whole (it is below 2^(8 * size)), is kept as a
 * spill: a load of the same size there gives the register back, bounds
 * and all, as Linux's save_register_state for a narrow spill. A store
 * passes its value truncated to the size; one that still does not fit
 * (an atomic's unknown result) is only bytes. Clang spills 32-bit values
 * this way.
 */
static bool stack_spill_narrow(struct frame *f, int32_t start, unsigned int size,
			       const struct reg_state *value)
{
	int slot = (start + EBPF_STACK_SIZE) / REG_SIZE;

	if (start % REG_SIZE != 0 || value->type != REG_SCALAR ||
	    value->var.umax >> (size * BITS_PER_BYTE) != 0)
		return false;
	stack_write_misc(f, start, size);
	memset(&f->stack[start + EBPF_STACK_SIZE], STACK_SPILL, size);
	f->spills[spill_index(slot)] = *value;
	return true;
}

static int check_stack_read(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			    int32_t off, unsigned int size, struct reg_state *loaded)
{
	struct frame *f = v->cur->frames[reg->frame];
	int32_t start, last;
	int slot, err;

	err = stack_range(v, regno, reg, off, size, &start, &last);
	if (err)
		return err;
	if (!stack_initialized(f, start, (uint64_t)(last - start) + size)) {
		if (start == last)
			return verifier_reject(v, "invalid read from stack off=%d size=%u", start,
					       size);
		return verifier_reject(
		    v, "invalid variable-offset read from stack R%u off=%d..%d size=%u", regno,
		    start, last, size);
	}
	if (start != last) {
		err = check_no_spilled_pointer(v, regno, f, start, last + (int32_t)size);
		if (err)
			return err;
		set_scalar(loaded, scalar_unknown());
		loaded->var = scalar_truncate(&loaded->var, size);
		return 0;
	}
	slot = (start + EBPF_STACK_SIZE) / REG_SIZE;
	if (start % REG_SIZE == 0 && spill_size(f, slot) == size) {
		*loaded = f->spills[spill_index(slot)];
		return 0;
	}
	err = check_no_spilled_pointer(v, regno, f, start, start + (int32_t)size);
	if (err)
		return err;
	set_scalar(loaded, scalar_unknown());
	loaded->var = scalar_truncate(&loaded->var, size);
	return 0;
}

static int check_stack_write(struct verifier *v, uint8_t regno, const struct reg_state *reg,
			     int32_t off, unsigned int size, const struct reg_state *value)
{
	struct frame *f = v->cur->frames[reg->frame];
	int32_t start, last;
	int err;

	err = stack_range(v, regno, reg, off, size, &start, &last);
	if (err)
		return err;
	note_stack_depth(v, reg->frame, start);
	if (start != last) {
		if (is_pointer(value))
			return verifier_reject(v, "R%u spill of pointer at a variable offset",
					       regno);
		stack_write_maybe(f, start, (uint64_t)(last - start) + size);
		return 0;
	}
	if (size == REG_SIZE && start % REG_SIZE == 0) {
		int slot = (start + EBPF_STACK_SIZE) / REG_SIZE;

		/* A full, aligned slot keeps the register's type (a spill). */
		memset(&f->stack[start + EBPF_STACK_SIZE], STACK_SPILL, REG_SIZE);
		f->spills[spill_index(slot)] = *value;
		note_slot_used(f, start);
		return 0;
	}
	if (is_pointer(value))
		return verifier_reject(
		    v, "invalid size of register spill (pointer, %u bytes at fp%+d)", size, start);
	if (!stack_spill_narrow(f, start, size, value))
		stack_write_misc(f, start, size);
	return 0;
}

/*
 * One load or store through regno at insn offset off. On a read, loaded
 * receives the value; on a write, value is what is stored (a scalar for
 * ST's immediate).
 */
static int check_mem_access(struct verifier *v, uint8_t regno, int32_t off, unsigned int size,
			    enum access access, const struct reg_state *value,
			    struct reg_state *loaded)
{
	const struct reg_state *reg = cur_reg(v, regno);
	int err;

	if (reg->type == REG_PTR_TO_SOCK_COMMON || reg->type == REG_PTR_TO_SOCKET)
		return check_sock_access(v, regno, reg, off, size, access, loaded);
	if (access == ACCESS_WRITE && reg->type != REG_PTR_TO_STACK && is_pointer(value))
		return verifier_reject(v, "R%u leaks addr into %s", regno,
				       reg->type == REG_PTR_TO_MAP_VALUE ? "map" : "mem");
	switch (reg->type) {
	case REG_PTR_TO_CTX:
		return check_ctx_access(v, regno, reg, off, size, access, loaded);
	case REG_PTR_TO_STACK:
		if (reg->frame >= v->cur->frame_count) /* cannot happen: dropped at return */
			return verifier_reject(v, "R%u points into a returned frame", regno);
		if (access == ACCESS_READ)
			return check_stack_read(v, regno, reg, off, size, loaded);
		return check_stack_write(v, regno, reg, off, size, value);
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		err = check_packet_region(v, regno, reg, off, size);
		break;
	case REG_PTR_TO_MAP_VALUE:
		if (access == ACCESS_WRITE &&
		    (ebpf_map_get_def(reg->map)->flags & EBPF_F_RDONLY_PROG))
			return verifier_reject(
			    v, "write into map forbidden, value_size=%u off=%d size=%u",
			    reg->mem_size, reg->off + off, size);
		err = check_sized_region(v, regno, reg, off, size, "map value");
		if (!err)
			err = check_spin_lock_untouched(v, reg, off, size);
		break;
	case REG_PTR_TO_MEM:
		err = check_sized_region(v, regno, reg, off, size, "memory");
		break;
	case REG_PTR_TO_XDP_SOCK:
		err = check_xdp_sock_access(v, regno, off, size, access);
		break;
	case REG_PTR_TO_MAP_KEY:
		if (access == ACCESS_WRITE)
			return verifier_reject(v, "write to change key R%u not allowed", regno);
		err = check_sized_region(v, regno, reg, off, size, "map key");
		break;
	default:
		return verifier_reject(v, "R%u invalid mem access '%s'", regno,
				       verifier_reg_type_names[reg->type]);
	}
	if (!err && loaded) {
		uint64_t constant;

		set_scalar(loaded, scalar_unknown());
		loaded->var = scalar_truncate(&loaded->var, size);
		/* Linux's bpf_map_direct_read: frozen .rodata is known, so dead branches go. */
		if (reg->type == REG_PTR_TO_MAP_VALUE && scalar_is_const(&reg->var) &&
		    ebpf_map_read_constant(reg->map,
					   (uint64_t)((int64_t)reg->off + off + reg->var.smin),
					   size, &constant))
			set_scalar(loaded, scalar_const(constant));
	}
	return err;
}

int verifier_check_helper_mem(struct verifier *v, uint8_t regno, uint64_t size, enum access access)
{
	struct reg_state *reg = cur_reg(v, regno);
	int32_t start;
	int err;

	switch (reg->type) {
	case REG_PTR_TO_STACK: {
		struct frame *f;

		if (reg->frame >= v->cur->frame_count) /* cannot happen: dropped at return */
			return verifier_reject(v, "R%u points into a returned frame", regno);
		f = v->cur->frames[reg->frame];
		int32_t last;
		uint64_t span;

		err = stack_range(v, regno, reg, 0, size, &start, &last);
		if (err)
			return err;
		span = (uint64_t)(last - start) + size;
		if (access == ACCESS_READ && !stack_initialized(f, start, span))
			return verifier_reject(
			    v, "invalid indirect read from stack R%u off %d+%d size %llu", regno,
			    reg->off, 0, (unsigned long long)size);
		/* Pointer bits never reach a helper as plain bytes. */
		if (access == ACCESS_READ) {
			err = check_no_spilled_pointer(v, regno, f, start, start + (int32_t)span);
			if (err)
				return err;
		}
		note_stack_depth(v, reg->frame, start);
		if (access == ACCESS_WRITE && start == last)
			stack_write_misc(f, start, size);
		else if (access == ACCESS_WRITE)
			stack_write_maybe(f, start, span);
		return 0;
	}
	case REG_PTR_TO_PACKET:
	case REG_PTR_TO_PACKET_META:
		return check_packet_region(v, regno, reg, 0, size);
	case REG_PTR_TO_MAP_VALUE:
		if (access == ACCESS_WRITE &&
		    (ebpf_map_get_def(reg->map)->flags & EBPF_F_RDONLY_PROG))
			return verifier_reject(v, "write into map forbidden");
		err = check_sized_region(v, regno, reg, 0, size, "map value");
		return err ? err : check_spin_lock_untouched(v, reg, 0, size);
	case REG_PTR_TO_MEM:
		return check_sized_region(v, regno, reg, 0, size, "memory");
	case REG_PTR_TO_MAP_KEY:
		if (access == ACCESS_WRITE)
			return verifier_reject(v, "write to change key R%u not allowed", regno);
		return check_sized_region(v, regno, reg, 0, size, "map key");
	default:
		return verifier_reject(v, "R%u type=%s expected=fp, pkt, map_value, mem", regno,
				       verifier_reg_type_names[reg->type]);
	}
}

/* ---- loads and stores ------------------------------------------------------ */

int verifier_do_ldx(struct verifier *v, const struct ebpf_insn *insn)
{
	unsigned int size = ebpf_insn_access_bytes(insn);
	struct reg_state loaded;
	int err;

	err = check_reg_read(v, insn->src_reg);
	if (!err)
		err = check_reg_write(v, insn->dst_reg);
	if (!err)
		err = check_mem_access(v, insn->src_reg, insn->offset, size, ACCESS_READ, NULL,
				       &loaded);
	if (err)
		return err;
	if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_MEMSX) {
		if (is_pointer(&loaded))
			return verifier_reject(v, "sign-extending load of a pointer");
		loaded.var = scalar_sign_extend(&loaded.var, size);
	}
	*cur_reg(v, insn->dst_reg) = loaded;
	v->insn++;
	return STEP_CONTINUE;
}

int verifier_do_store(struct verifier *v, const struct ebpf_insn *insn)
{
	unsigned int size = ebpf_insn_access_bytes(insn);
	struct reg_state value;
	int err;

	err = check_reg_read(v, insn->dst_reg);
	if (err)
		return err;
	if ((insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_STX) {
		err = check_reg_read(v, insn->src_reg);
		if (err)
			return err;
		value = *cur_reg(v, insn->src_reg);
		if (!is_pointer(&value) && size < REG_SIZE)
			value.var = scalar_truncate(&value.var, size);
	} else {
		set_scalar(&value, scalar_const((uint64_t)(int64_t)insn->imm));
		if (size < REG_SIZE)
			value.var = scalar_truncate(&value.var, size);
	}
	/* A stored copy is a new value: refinements of the register stay out. */
	if (!is_pointer(&value))
		value.id = 0;
	err = check_mem_access(v, insn->dst_reg, insn->offset, size, ACCESS_WRITE, &value, NULL);
	if (err)
		return err;
	v->insn++;
	return STEP_CONTINUE;
}

/* RFC 9669 §5.3: atomic read-modify-write on stack or map values. */
int verifier_do_atomic(struct verifier *v, const struct ebpf_insn *insn)
{
	unsigned int size = ebpf_insn_access_bytes(insn);
	const struct reg_state *dst;
	struct reg_state old, unknown;
	int err;

	err = check_reg_read(v, insn->dst_reg);
	if (!err)
		err = check_reg_read(v, insn->src_reg);
	if (err)
		return err;
	dst = cur_reg(v, insn->dst_reg);
	if (dst->type != REG_PTR_TO_STACK && dst->type != REG_PTR_TO_MAP_VALUE)
		return verifier_reject(v, "BPF_ATOMIC stores into R%u %s is not allowed",
				       insn->dst_reg, verifier_reg_type_names[dst->type]);
	if (is_pointer(cur_reg(v, insn->src_reg)))
		return verifier_reject(v, "R%u leaks addr into mem", insn->src_reg);
	if (insn->imm == EBPF_ATOMIC_CMPXCHG) {
		err = check_reg_read(v, EBPF_REG_R0);
		if (err)
			return err;
		if (is_pointer(cur_reg(v, EBPF_REG_R0)))
			return verifier_reject(v, "R0 leaks addr into mem");
	}
	if (dst->type == REG_PTR_TO_STACK && scalar_is_const(&dst->var) &&
	    (dst->off + insn->offset + (int64_t)dst->var.bits.value) % (int64_t)size != 0)
		return verifier_reject(
		    v, "misaligned stack access off=%lld size=%u for an atomic operation",
		    (long long)(dst->off + insn->offset + (int64_t)dst->var.bits.value), size);
	set_scalar(&unknown, scalar_unknown());
	unknown.var = scalar_truncate(&unknown.var, size);
	err = check_mem_access(v, insn->dst_reg, insn->offset, size, ACCESS_READ, NULL, &old);
	if (!err)
		err = check_mem_access(v, insn->dst_reg, insn->offset, size, ACCESS_WRITE, &unknown,
				       NULL);
	if (err)
		return err;
	if (is_pointer(&old))
		return verifier_reject(v, "atomic operation on a spilled pointer");
	if (insn->imm == EBPF_ATOMIC_CMPXCHG)
		*cur_reg(v, EBPF_REG_R0) = unknown;
	else if (insn->imm & EBPF_ATOMIC_FETCH)
		*cur_reg(v, insn->src_reg) = unknown;
	v->insn++;
	return STEP_CONTINUE;
}

static const struct ebpf_map *find_map_by_address(struct verifier *v, uintptr_t addr, bool value,
						  int32_t *off)
{
	size_t i;

	for (i = 0; i < v->prog->map_count; i++) {
		struct ebpf_map *map = v->prog->maps[i];
		const struct ebpf_map_def *def = ebpf_map_get_def(map);
		uintptr_t base;

		if (!value) {
			if ((uintptr_t)map == addr)
				return map;
			continue;
		}
		base = (uintptr_t)ebpf_map_value_addr(map, 0);
		if (base && addr >= base && addr - base < def->value_size) {
			*off = (int32_t)(addr - base);
			return map;
		}
	}
	return NULL;
}

/* RFC 9669 §5.4: lddw, plain or referring to a map (resolved by prog.c). */
int verifier_do_lddw(struct verifier *v, const struct ebpf_insn *insn)
{
	uint64_t imm = ebpf_insn_lddw_imm64(insn);
	struct reg_state *dst = cur_reg(v, insn->dst_reg);
	const struct ebpf_map *map;
	int32_t off = 0;
	int err = check_reg_write(v, insn->dst_reg);

	if (err)
		return err;
	if (insn->src_reg == 0) {
		set_scalar(dst, scalar_const(imm));
	} else if (insn->src_reg == EBPF_PSEUDO_FUNC) {
		set_pointer(dst, REG_PTR_TO_FUNC);
		dst->subprog = v->subprog_of[ebpf_insn_call_target(insn, v->insn)];
	} else {
		map = find_map_by_address(v, (uintptr_t)imm, insn->src_reg == EBPF_PSEUDO_MAP_VALUE,
					  &off);
		if (!map)
			return verifier_reject(v, "lddw refers to no map of this program");
		if (insn->src_reg == EBPF_PSEUDO_MAP_FD) {
			set_pointer(dst, REG_CONST_PTR_TO_MAP);
		} else {
			set_pointer(dst, REG_PTR_TO_MAP_VALUE);
			dst->off = off;
			dst->mem_size = ebpf_map_get_def(map)->value_size;
		}
		dst->map = map;
	}
	v->insn += 2;
	return STEP_CONTINUE;
}

/* Legacy packet loads (RFC 9669 §5.5) for translated classic BPF. */
int verifier_do_ld_abs_ind(struct verifier *v, const struct ebpf_insn *insn)
{
	struct frame *f = cur_frame(v);
	int r, err;

	if (v->prog->type_info->legacy_loads != EBPF_LEGACY_VERIFIED)
		return verifier_reject(
		    v, "BPF_LD_[ABS|IND] instructions not allowed for this program type");
	if (v->cur->active_lock)
		return verifier_reject(
		    v, "BPF_LD_[ABS|IND] cannot be used inside bpf_spin_lock-ed region");
	/* A callback's run has no packet (ebpf_internal.h's struct ebpf_callback). */
	if (verifier_in_callback(v->cur))
		return verifier_reject(v, "BPF_LD_[ABS|IND] inside a callback is not supported");
	/* A failing legacy load ends the program: nothing may be held then. */
	if (v->cur->ref_count > 0)
		return verifier_reject(v,
				       "BPF_LD_[ABS|IND] cannot be mixed with socket references");
	err = check_reg_read(v, EBPF_REG_R6);
	if (err)
		return err;
	if (f->regs[EBPF_REG_R6].type != REG_PTR_TO_CTX || f->regs[EBPF_REG_R6].off != 0)
		return verifier_reject(v, "at the time of BPF_LD_ABS|IND R6 != pointer to skb");
	if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_IND) {
		err = check_reg_read(v, insn->src_reg);
		if (err)
			return err;
		if (is_pointer(&f->regs[insn->src_reg]))
			return verifier_reject(v, "R%u leaks addr into packet offset",
					       insn->src_reg);
	}
	for (r = EBPF_REG_R1; r <= EBPF_NUM_ARG_REGS; r++)
		set_not_init(&f->regs[r]);
	set_scalar(&f->regs[EBPF_REG_R0], scalar_unknown());
	f->regs[EBPF_REG_R0].var =
	    scalar_truncate(&f->regs[EBPF_REG_R0].var, ebpf_insn_access_bytes(insn));
	v->insn++;
	return STEP_CONTINUE;
}
