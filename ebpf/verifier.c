/*
 * The verifier: proves a program safe before it runs (see ebpf_verify in
 * ebpf.h and docs/verifier.md).
 *
 * Two passes. The first looks at the control-flow graph only: subprogram
 * boundaries, jumps that stay inside their subprogram, no fall-through
 * into the next one, no unreachable instruction. The second is an
 * abstract interpretation that walks every path depth-first with an
 * abstract state per path (per register and per stack byte: a type, and
 * for scalars and variable pointer offsets the ranges of
 * verifier_bounds.h), checking each instruction against the rules of its
 * class. Branches whose outcome follows from the ranges are not explored;
 * loops therefore unroll until their exit condition is decided, bounded
 * by a total work budget. At jump targets, explored states are kept: a
 * path whose state is contained in a completely explored one is safe and
 * stops there (pruning); a path that comes back to an identical state of
 * one of its own ancestors loops forever.
 *
 * This file holds the walk over paths and the instructions that only
 * compute: arithmetic and conditional jumps. The other rules live beside
 * it, one job a file (verifier_internal.h lists them).
 */
#include <errno.h>
#include <stdlib.h>

#include "verifier_internal.h"

/* Linux's BPF_COMPLEXITY_LIMIT_INSNS. */
#define VERIFIER_INSN_BUDGET 1000000u
/*
 * Linux's BPF_COMPLEXITY_LIMIT_JMP_SEQ: branches waiting to be explored,
 * each a copy of the state. The guest verifies in 128 MiB.
 */
#define MAX_PENDING_BRANCHES 8192u
/* Linux's MAX_PACKET_OFF: packet offsets fit in 16 bits. */
#define MAX_PACKET_OFF 0xffff
/* Linux rounds each frame of a call chain to 32 bytes when summing. */
#define STACK_FRAME_ROUND 32u

struct pending_branch {
	struct vstate *state;
	uint32_t insn;
};

/* ---- arithmetic ------------------------------------------------------------ */

static const char *alu_op_name(uint8_t op)
{
	static const char *const names[] = {"+=",  "-=",  "*=", "/=", "|=", "&=",   "<<=",
					    ">>=", "neg", "%=", "^=", "=",  "s>>=", "endian"};

	return names[op >> 4];
}

/*
 * The low half of a packet, packet-metadata or packet-end pointer may be
 * read as a scalar (docs/verifier.md: clang's cpu v3 code computes
 * data_end - data in 32 bits). Other pointers' low halves stay hidden.
 */
static bool low_half_readable(const struct reg_state *reg)
{
	return !is_pointer(reg) || is_packet_family(reg->type);
}

/* Linux's rules for pointer arithmetic (adjust_ptr_min_max_vals). */
static int pointer_alu(struct verifier *v, const struct ebpf_insn *insn, struct reg_state *dst,
		       const struct reg_state *src, bool alu32)
{
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	const struct reg_state *ptr = is_pointer(dst) ? dst : src;
	const struct reg_state *scalar = is_pointer(dst) ? src : dst;
	struct reg_state result;
	uint8_t ptr_regno = is_pointer(dst) ? insn->dst_reg : insn->src_reg;

	if (alu32) {
		/* Like Linux (privileged): a 32-bit difference is a mere scalar. */
		if (op == EBPF_ALU_SUB && low_half_readable(dst) && low_half_readable(src)) {
			struct scalar_range unknown = scalar_unknown();

			set_scalar(dst, scalar_truncate(&unknown, sizeof(uint32_t)));
			return 0;
		}
		return verifier_reject(v, "R%u 32-bit pointer arithmetic prohibited",
				       insn->dst_reg);
	}
	if (is_pointer(dst) && is_pointer(src)) {
		/* A distance between packet pointers is a length, not an address. */
		if (op == EBPF_ALU_SUB && is_packet_family(dst->type) &&
		    is_packet_family(src->type)) {
			set_scalar(dst, scalar_unknown());
			return 0;
		}
		return verifier_reject(v, "R%u pointer %s pointer prohibited", insn->dst_reg,
				       alu_op_name(op));
	}
	if (op != EBPF_ALU_ADD && op != EBPF_ALU_SUB)
		return verifier_reject(v, "R%u pointer arithmetic with %s operator prohibited",
				       ptr_regno, alu_op_name(op));
	if (op == EBPF_ALU_SUB && ptr == src)
		return verifier_reject(v, "R%u tried to subtract pointer from scalar",
				       insn->dst_reg);
	switch (ptr->type) {
	case REG_PTR_TO_PACKET_END:
	case REG_CONST_PTR_TO_MAP:
	case REG_CONST_PTR_TO_MAP_OR_NULL:
	case REG_PTR_TO_MAP_VALUE_OR_NULL:
	case REG_PTR_TO_MEM_OR_NULL:
	case REG_PTR_TO_XDP_SOCK:
	case REG_PTR_TO_SOCK_COMMON:
	case REG_PTR_TO_SOCK_COMMON_OR_NULL:
	case REG_PTR_TO_SOCKET:
	case REG_PTR_TO_SOCKET_OR_NULL:
	case REG_PTR_TO_FUNC:
		return verifier_reject(v, "R%u pointer arithmetic on %s prohibited", ptr_regno,
				       verifier_reg_type_names[ptr->type]);
	case REG_PTR_TO_CTX:
		if (!scalar_is_const(&scalar->var))
			return verifier_reject(v, "R%u variable ctx access prohibited", ptr_regno);
		break;
	default:
		break;
	}
	result = *ptr;
	if (scalar_is_const(&scalar->var)) {
		int64_t delta = (int64_t)scalar->var.bits.value;
		/*
		 * Modulo 2^64 like the run-time addition (and without C's
		 * signed overflow): a wrapped sum of an offset below 2^29 and
		 * any delta is far outside the bounds checked below.
		 */
		uint64_t sum = op == EBPF_ALU_ADD ? (uint64_t)(int64_t)result.off + (uint64_t)delta
						  : (uint64_t)(int64_t)result.off - (uint64_t)delta;
		int64_t off = (int64_t)sum;

		if (off <= -MAX_VAR_OFF || off >= MAX_VAR_OFF)
			return verifier_reject(v, "value %lld makes %s pointer be out of bounds",
					       (long long)delta,
					       verifier_reg_type_names[ptr->type]);
		result.off = (int32_t)off;
	} else {
		result.var = scalar_alu(op, false, false, &ptr->var, &scalar->var);
		if (result.var.smin <= -MAX_VAR_OFF || result.var.smax >= MAX_VAR_OFF)
			return verifier_reject(
			    v,
			    "math between %s pointer and register with unbounded min "
			    "value is not allowed",
			    verifier_reg_type_names[ptr->type]);
		if (ptr->type == REG_PTR_TO_PACKET || ptr->type == REG_PTR_TO_PACKET_META) {
			/* A new variable part: no bytes are proven for it yet. */
			result.id = new_id(v);
			result.range = 0;
		}
	}
	*dst = result;
	return 0;
}

static int do_end(struct verifier *v, const struct ebpf_insn *insn, struct reg_state *dst)
{
	unsigned int bytes = (unsigned int)insn->imm / 8;
	bool swaps = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_ALU64 ||
		     (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;

	if (is_pointer(dst))
		return verifier_reject(v, "R%u byte swap on pointer prohibited", insn->dst_reg);
	/* To little-endian on a little-endian machine only truncates. */
	if (swaps && scalar_is_const(&dst->var)) {
		uint64_t value = dst->var.bits.value, swapped = 0;
		unsigned int i;

		for (i = 0; i < bytes; i++)
			swapped |= ((value >> (8 * i)) & 0xff) << (8 * (bytes - 1 - i));
		set_scalar(dst, scalar_const(swapped));
	} else if (swaps) {
		set_scalar(dst, scalar_unknown());
		dst->var = scalar_truncate(&dst->var, bytes);
	} else {
		set_scalar(dst, scalar_truncate(&dst->var, bytes));
	}
	return 0;
}

/* Copies a scalar so later comparisons refine both (shared id). */
static void copy_reg(struct verifier *v, struct reg_state *dst, struct reg_state *src)
{
	if (src->type == REG_SCALAR && !scalar_is_const(&src->var) && src->id == 0)
		src->id = new_id(v);
	*dst = *src;
}

static int do_alu(struct verifier *v, const struct ebpf_insn *insn)
{
	bool alu32 = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_ALU;
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	struct reg_state *dst = cur_reg(v, insn->dst_reg);
	struct reg_state src;
	int err;

	err = check_reg_write(v, insn->dst_reg);
	if (!err && uses_src && op != EBPF_ALU_END)
		err = check_reg_read(v, insn->src_reg);
	if (!err && op != EBPF_ALU_MOV)
		err = check_reg_read(v, insn->dst_reg);
	if (err)
		return err;
	if (uses_src && op != EBPF_ALU_END)
		src = *cur_reg(v, insn->src_reg);
	else
		set_scalar(
		    &src, scalar_const(alu32 ? (uint32_t)insn->imm : (uint64_t)(int64_t)insn->imm));
	switch (op) {
	case EBPF_ALU_END:
		err = do_end(v, insn, dst);
		break;
	case EBPF_ALU_NEG:
		if (is_pointer(dst))
			return verifier_reject(v, "R%u pointer arithmetic with neg prohibited",
					       insn->dst_reg);
		set_scalar(&src, scalar_const(0));
		set_scalar(dst, scalar_alu(EBPF_ALU_SUB, false, alu32, &src.var, &dst->var));
		break;
	case EBPF_ALU_MOV:
		if (uses_src && insn->offset != 0) {
			/* MOVSX (RFC 9669 §4.1): sign-extend the low bytes. */
			if (is_pointer(&src))
				return verifier_reject(
				    v, "R%u sign extension of pointer prohibited", insn->src_reg);
			set_scalar(dst,
				   scalar_sign_extend(&src.var, (unsigned int)insn->offset / 8));
			if (alu32)
				dst->var = scalar_truncate(&dst->var, sizeof(uint32_t));
		} else if (alu32) {
			if (!low_half_readable(&src))
				return verifier_reject(v, "R%u partial copy of pointer",
						       insn->src_reg);
			/* A pointer's low half is an unknown 32-bit scalar. */
			if (is_pointer(&src))
				src.var = scalar_unknown();
			set_scalar(dst, scalar_truncate(&src.var, sizeof(uint32_t)));
		} else if (uses_src) {
			copy_reg(v, dst, cur_reg(v, insn->src_reg));
		} else {
			*dst = src;
		}
		break;
	default:
		if (is_pointer(dst) || is_pointer(&src)) {
			err = pointer_alu(v, insn, dst, &src, alu32);
		} else {
			set_scalar(dst,
				   scalar_alu(op, insn->offset != 0, alu32, &dst->var, &src.var));
		}
		break;
	}
	if (err)
		return err;
	v->insn++;
	return STEP_CONTINUE;
}

/* ---- branches -------------------------------------------------------------- */

struct id_rewrite {
	uint32_t id;
	enum reg_type type;
	const struct scalar_range *value;
	uint32_t range;
	bool is_null;
};

/* After a NULL test: copies of the result become NULL or a valid pointer. */
static void mark_null_result(struct reg_state *reg, void *arg)
{
	const struct id_rewrite *rw = arg;
	uint32_t lock;

	if (reg->id != rw->id || !is_maybe_null(reg))
		return;
	if (rw->is_null) {
		set_scalar(reg, scalar_const(0));
		return;
	}
	reg->type = type_without_null(reg->type);
	/* Linux's mark_ptr_or_null_reg: an xskmap hit is a struct bpf_xdp_sock */
	if (reg->type == REG_PTR_TO_MAP_VALUE &&
	    ebpf_map_get_def(reg->map)->type == EBPF_MAP_TYPE_XSKMAP)
		reg->type = REG_PTR_TO_XDP_SOCK;
	/* A value with a lock keeps its id: bpf_spin_unlock must name the locked one. */
	if (reg->type != REG_PTR_TO_MAP_VALUE || !ebpf_map_get_spin_lock(reg->map, &lock))
		reg->id = 0;
}

static void set_packet_range(struct reg_state *reg, void *arg)
{
	const struct id_rewrite *rw = arg;

	if (reg->type == rw->type && reg->id == rw->id && reg->range < rw->range)
		reg->range = rw->range;
}

static void copy_scalar_value(struct reg_state *reg, void *arg)
{
	const struct id_rewrite *rw = arg;

	if (reg->type == REG_SCALAR && reg->id == rw->id)
		reg->var = *rw->value;
}

static void mark_null_branches(struct vstate *null_state, struct vstate *valid_state,
			       const struct reg_state *ptr)
{
	struct id_rewrite rw = {.id = ptr->id, .is_null = true};

	/* NULL holds nothing to release (Linux's mark_ptr_or_null_regs). */
	if (ptr->ref_id)
		verifier_release_ref_in_state(null_state, ptr->ref_id);
	for_each_reg(null_state, mark_null_result, &rw);
	rw.is_null = false;
	for_each_reg(valid_state, mark_null_result, &rw);
}

/*
 * "pkt + off OP pkt_end": the branch where pkt + off <= pkt_end proves
 * [base + var, base + var + off) in the packet for every pointer sharing
 * pkt's variable part (its id).
 */
static void refine_packet_compare(struct vstate *taken, struct vstate *fallthrough, uint8_t op,
				  const struct reg_state *pkt, bool pkt_is_dst)
{
	struct id_rewrite rw = {.id = pkt->id, .type = pkt->type};
	struct vstate *proven;
	bool le_when_taken;

	if (pkt->off <= 0 || pkt->var.smin < 0 ||
	    pkt->var.umax + (uint64_t)pkt->off > MAX_PACKET_OFF)
		return;
	/* Normalize to "pkt OP end". */
	if (!pkt_is_dst) {
		switch (op) {
		case EBPF_JMP_JGT:
			op = EBPF_JMP_JLT;
			break;
		case EBPF_JMP_JLT:
			op = EBPF_JMP_JGT;
			break;
		case EBPF_JMP_JGE:
			op = EBPF_JMP_JLE;
			break;
		case EBPF_JMP_JLE:
			op = EBPF_JMP_JGE;
			break;
		default:
			return;
		}
	}
	switch (op) {
	case EBPF_JMP_JGT: /* pkt > end: not taken means pkt <= end */
	case EBPF_JMP_JGE:
		le_when_taken = false;
		break;
	case EBPF_JMP_JLT:
	case EBPF_JMP_JLE:
		le_when_taken = true;
		break;
	default:
		return;
	}
	proven = le_when_taken ? taken : fallthrough;
	rw.range = (uint32_t)pkt->off;
	for_each_reg(proven, set_packet_range, &rw);
}

/*
 * data bounds data_meta as data_end bounds data (XDP metadata precedes
 * data), but only data itself: data_meta + N <= data + K says nothing of
 * the metadata's length (Linux: reg_is_init_pkt_pointer).
 */
static bool bounds_packet(const struct reg_state *ptr, const struct reg_state *end)
{
	if (ptr->type == REG_PTR_TO_PACKET)
		return end->type == REG_PTR_TO_PACKET_END;
	return ptr->type == REG_PTR_TO_PACKET_META && end->type == REG_PTR_TO_PACKET &&
	       end->off == 0 && scalar_is_const(&end->var) && end->var.bits.value == 0;
}

static bool is_jmp32(const struct ebpf_insn *insn)
{
	return (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_JMP32;
}

/* Whether some values of the operands take (or do not take) the branch. */
static bool branch_possible(const struct ebpf_insn *insn, const struct scalar_range *dst,
			    const struct scalar_range *src, bool taken)
{
	struct scalar_range d = *dst, s = *src;

	return scalar_refine(insn->opcode & EBPF_OP_MASK, taken, is_jmp32(insn), &d, &s);
}

static void set_copies(struct vstate *st, const struct reg_state *reg)
{
	struct id_rewrite rw = {.id = reg->id, .value = &reg->var};

	if (reg->id)
		for_each_reg(st, copy_scalar_value, &rw);
}

/*
 * Narrows the operands (and their copies) in st to the values that take
 * the branch (taken) or not; the branch must be possible.
 */
static void refine_scalar_branch(const struct ebpf_insn *insn, struct vstate *st,
				 const struct reg_state *src_value, bool taken)
{
	struct frame *f = st->frames[st->frame_count - 1];
	struct reg_state *dst = &f->regs[insn->dst_reg];
	struct scalar_range d = dst->var, s = src_value->var;

	/* A JMP32 test narrows the low words (verifier_bounds.h). */
	if (!scalar_refine(insn->opcode & EBPF_OP_MASK, taken, is_jmp32(insn), &d, &s))
		return;
	dst->var = d;
	set_copies(st, dst);
	if ((insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X) {
		struct reg_state *src = &f->regs[insn->src_reg];

		src->var = s;
		set_copies(st, src);
	}
}

int verifier_push_branch(struct verifier *v, struct vstate *st, uint32_t insn)
{
	if (v->pending_len >= MAX_PENDING_BRANCHES) {
		verifier_reject(v, "The sequence of %zu jumps is too complex.", v->pending_len + 1);
		return -E2BIG;
	}
	if (v->pending_len == v->pending_cap) {
		size_t cap = v->pending_cap ? v->pending_cap * 2 : 64;
		struct pending_branch *grown = realloc(v->pending, cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		v->pending = grown;
		v->pending_cap = cap;
	}
	v->pending[v->pending_len].state = st;
	v->pending[v->pending_len].insn = insn;
	v->pending_len++;
	v->live_states++;
	if (v->stored_live + v->live_states > v->peak_states)
		v->peak_states = v->stored_live + v->live_states;
	return 0;
}

/*
 * A comparison involving pointers that leaks nothing of an address, as
 * scalars in *dv and *sv: two stack pointers of one frame compare as
 * their offsets (samples' `if (&a[i] > &b[j])`), and a JMP32 test sees a
 * packet-family pointer's low word as unknown, as "32-bit views of
 * pointers" has it (privileged Linux compares any pointers). False for
 * any other pair, which is refused.
 */
static bool pointers_compare_as_scalars(const struct reg_state *dst, const struct reg_state *src,
					bool jmp32, struct scalar_range *dv,
					struct scalar_range *sv)
{
	const struct reg_state *regs[2] = {dst, src};
	struct scalar_range *out[2] = {dv, sv};
	int k;

	if (!jmp32) {
		if (dst->type != REG_PTR_TO_STACK || src->type != REG_PTR_TO_STACK ||
		    dst->frame != src->frame)
			return false;
		for (k = 0; k < 2; k++) {
			struct scalar_range off = scalar_const((uint64_t)(int64_t)regs[k]->off);

			*out[k] = scalar_alu(EBPF_ALU_ADD, false, false, &regs[k]->var, &off);
		}
		return true;
	}
	for (k = 0; k < 2; k++) {
		if (regs[k]->type == REG_SCALAR)
			*out[k] = regs[k]->var;
		else if (is_packet_family(regs[k]->type) && !is_maybe_null(regs[k]))
			*out[k] = scalar_unknown();
		else
			return false;
	}
	return true;
}

static int do_cond_jump(struct verifier *v, const struct ebpf_insn *insn)
{
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	bool jmp32 = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_JMP32;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	uint32_t target = (uint32_t)ebpf_insn_jump_target(insn, v->insn);
	struct reg_state dst, src;
	struct vstate *taken;
	bool taken_ok = true, fall_ok = true;
	int err;

	err = check_reg_read(v, insn->dst_reg);
	if (!err && uses_src)
		err = check_reg_read(v, insn->src_reg);
	if (err)
		return err;
	dst = *cur_reg(v, insn->dst_reg);
	if (uses_src)
		src = *cur_reg(v, insn->src_reg);
	else
		set_scalar(
		    &src, scalar_const(jmp32 ? (uint32_t)insn->imm : (uint64_t)(int64_t)insn->imm));
	if (!is_pointer(&dst) && !is_pointer(&src)) {
		taken_ok = branch_possible(insn, &dst.var, &src.var, true);
		fall_ok = branch_possible(insn, &dst.var, &src.var, false);
		if (!taken_ok && !fall_ok)
			return STEP_PATH_END; /* no value gets here */
		if (!taken_ok || !fall_ok) {
			/* Decided by the ranges: one path, no copy. */
			refine_scalar_branch(insn, v->cur, &src, taken_ok);
			v->insn = taken_ok ? target : v->insn + 1;
			return STEP_CONTINUE;
		}
	}
	taken = verifier_copy_state(v->cur);
	if (!taken)
		return -ENOMEM;
	if (is_pointer(&dst) || is_pointer(&src)) {
		const struct reg_state *ptr = is_pointer(&dst) ? &dst : &src;
		const struct reg_state *other = is_pointer(&dst) ? &src : &dst;
		struct scalar_range dv, sv;

		if (pointers_compare_as_scalars(&dst, &src, jmp32, &dv, &sv)) {
			taken_ok = branch_possible(insn, &dv, &sv, true);
			fall_ok = branch_possible(insn, &dv, &sv, false);
			if (!taken_ok && !fall_ok) {
				verifier_free_state(taken);
				return STEP_PATH_END;
			}
		} else if (jmp32) {
			verifier_free_state(taken);
			return verifier_reject(v, "R%u pointer comparison prohibited (32-bit)",
					       insn->dst_reg);
		} else if ((op == EBPF_JMP_JEQ || op == EBPF_JMP_JNE) && is_const_zero(other)) {
			struct vstate *eq = op == EBPF_JMP_JEQ ? taken : v->cur;
			struct vstate *ne = op == EBPF_JMP_JEQ ? v->cur : taken;

			if (is_maybe_null(ptr)) {
				mark_null_branches(eq, ne, ptr);
			} else if (op == EBPF_JMP_JEQ) {
				taken_ok = false; /* a valid pointer is never NULL */
			} else {
				fall_ok = false;
			}
		} else if (is_packet_family(dst.type) && is_packet_family(src.type) &&
			   !is_maybe_null(ptr)) {
			if (bounds_packet(&dst, &src))
				refine_packet_compare(taken, v->cur, op, &dst, true);
			else if (bounds_packet(&src, &dst))
				refine_packet_compare(taken, v->cur, op, &src, false);
		} else {
			verifier_free_state(taken);
			return verifier_reject(v, "R%u pointer comparison prohibited",
					       is_pointer(&dst) ? insn->dst_reg : insn->src_reg);
		}
	} else {
		refine_scalar_branch(insn, taken, &src, true);
		refine_scalar_branch(insn, v->cur, &src, false);
	}
	if (!taken_ok) {
		verifier_free_state(taken);
		v->insn++;
		return STEP_CONTINUE;
	}
	if (!fall_ok) {
		err = verifier_make_writable(taken);
		if (err) {
			verifier_free_state(taken);
			return err;
		}
		verifier_free_state(v->cur);
		v->cur = taken;
		v->insn = target;
		return STEP_CONTINUE;
	}
	err = verifier_push_branch(v, taken, target);
	if (err) {
		verifier_free_state(taken);
		return err;
	}
	v->insn++;
	return STEP_CONTINUE;
}

/* ---- one instruction ------------------------------------------------------- */

static int do_jump_class(struct verifier *v, const struct ebpf_insn *insn)
{
	switch (insn->opcode & EBPF_OP_MASK) {
	case EBPF_JMP_JA:
		v->insn = (uint32_t)ebpf_insn_jump_target(insn, v->insn);
		return STEP_CONTINUE;
	case EBPF_JMP_EXIT:
		return verifier_do_exit(v);
	case EBPF_JMP_CALL:
		return insn->src_reg == EBPF_PSEUDO_CALL ? verifier_do_local_call(v, insn)
							 : verifier_do_helper_call(v, insn);
	default:
		return do_cond_jump(v, insn);
	}
}

static int step(struct verifier *v)
{
	const struct ebpf_insn *insn = &v->insns[v->insn];

	switch (insn->opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		return do_alu(v, insn);
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		return do_jump_class(v, insn);
	case EBPF_CLS_LDX:
		return verifier_do_ldx(v, insn);
	case EBPF_CLS_ST:
		return verifier_do_store(v, insn);
	case EBPF_CLS_STX:
		if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_ATOMIC)
			return verifier_do_atomic(v, insn);
		return verifier_do_store(v, insn);
	default: /* EBPF_CLS_LD */
		if (insn->opcode == EBPF_OP_LDDW)
			return verifier_do_lddw(v, insn);
		return verifier_do_ld_abs_ind(v, insn);
	}
}

/* ---- driver ---------------------------------------------------------------- */

static int init_state(struct verifier *v)
{
	struct vstate *st = calloc(1, sizeof(*st));
	struct frame *f = malloc(frame_bytes(STACK_SLOTS));

	if (!st || !f) {
		free(st);
		free(f);
		return -ENOMEM;
	}
	verifier_init_frame(f, 0, 0, 0);
	/* r1 = ctx; UNSPEC's r2 = the length of r1's memory. */
	set_pointer(&f->regs[EBPF_REG_R1], REG_PTR_TO_CTX);
	if (v->prog->type_info->ctx_len_in_r2)
		set_scalar(&f->regs[EBPF_REG_R1 + 1], scalar_unknown());
	st->frames[0] = f;
	st->frame_count = 1;
	v->cur = st;
	v->insn = 0;
	v->live_states = v->peak_states = 1;
	return 0;
}

static int explore(struct verifier *v)
{
	for (;;) {
		int ret = 0;

		if (v->flags[v->insn] & INSN_PRUNE_POINT)
			ret = verifier_visit_prune_point(v);
		if (ret == 0) {
			if (++v->processed > VERIFIER_INSN_BUDGET) {
				ebpf_log_printf(v->log,
						"BPF program is too large. Processed %llu insn\n",
						(unsigned long long)v->processed);
				return -E2BIG;
			}
			if (v->log && v->log->level >= 1) {
				verifier_log_insn(v, v->insn);
				verifier_log_state(v);
			}
			if (ebpf_insn_is_jump_class(&v->insns[v->insn]))
				v->jumps_processed++;
			ret = step(v);
		}
		if (ret < 0)
			return ret;
		if (ret == STEP_CONTINUE)
			continue;
		/* This path is done: resume the most recent pending branch. */
		verifier_complete_finished_states(v);
		verifier_free_state(v->cur);
		v->cur = NULL;
		v->live_states--;
		if (v->pending_len == 0)
			return 0;
		v->pending_len--;
		v->cur = v->pending[v->pending_len].state;
		v->insn = v->pending[v->pending_len].insn;
		ret = verifier_make_writable(v->cur);
		if (ret < 0)
			return ret;
		if (v->log && v->log->level >= 1)
			ebpf_log_printf(v->log, "from branch: continue at insn %u\n", v->insn);
	}
}

/*
 * Linux's check_max_stack_depth: the frames of one call chain share 512.
 * A callback counts as called where an lddw names it (it runs below the
 * helper its caller calls).
 */
static int check_combined_stack(struct verifier *v, uint32_t subprog, uint32_t depth,
				uint32_t frames, uint32_t *deepest)
{
	uint32_t used = v->subprog_depth[subprog] ? v->subprog_depth[subprog] : 1;
	uint32_t i;
	int err;

	used = (used + STACK_FRAME_ROUND - 1) / STACK_FRAME_ROUND * STACK_FRAME_ROUND;
	depth += used;
	if (frames > EBPF_MAX_CALL_DEPTH) {
		v->insn = v->count;
		return verifier_reject(v, "the call stack of %u frames is too deep", frames);
	}
	if (depth > EBPF_STACK_SIZE) {
		v->insn = v->count;
		return verifier_reject(v, "combined stack size of %u calls is %u. Too large",
				       frames, depth);
	}
	if (depth > *deepest)
		*deepest = depth;
	for (i = v->prog->subprog_start[subprog]; i < v->count && v->subprog_of[i] == subprog;
	     i++) {
		if (v->flags[i] & INSN_LDDW_TAIL || (!ebpf_insn_is_local_call(&v->insns[i]) &&
						     !ebpf_insn_is_func_ref(&v->insns[i])))
			continue;
		err = check_combined_stack(v, v->subprog_of[ebpf_insn_call_target(&v->insns[i], i)],
					   depth, frames + 1, deepest);
		if (err)
			return err;
	}
	return 0;
}

static void free_verifier(struct verifier *v)
{
	verifier_explored_free(v);
	while (v->pending_len > 0)
		verifier_free_state(v->pending[--v->pending_len].state);
	verifier_free_state(v->cur);
	free(v->pending);
	free(v->in_progress);
	free(v->flags);
	free(v->subprog_of);
	free(v->subprog_depth);
	free(v->live_in);
}

int ebpf_verify(struct ebpf_prog *prog, struct ebpf_log *log, struct ebpf_verify_stats *stats)
{
	struct verifier v = {
	    .prog = prog, .insns = prog->insns, .count = (uint32_t)prog->insn_count, .log = log};
	uint32_t i, deepest = 0;
	int err;

	prog->verified = false;
	v.flags = calloc(v.count, 1);
	v.subprog_of = calloc(v.count, sizeof(uint32_t));
	v.explored = verifier_explored_new(v.count);
	if (!v.flags || !v.subprog_of || !v.explored) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i + 1 < v.count; i++) {
		if (prog->insns[i].opcode == EBPF_OP_LDDW)
			v.flags[++i] |= INSN_LDDW_TAIL;
	}
	err = verifier_check_control_flow(&v);
	if (!err)
		err = verifier_compute_liveness(&v);
	if (!err)
		err = init_state(&v);
	if (!err)
		err = explore(&v);
	if (!err)
		err = check_combined_stack(&v, 0, 0, 1, &deepest);
	if (!err) {
		prog->verified = true;
		prog->stack_depth = deepest;
	}
out:
	if (stats) {
		stats->insns_processed = v.processed;
		stats->states_stored = v.stored_total;
		stats->peak_states = v.peak_states;
	}
	free_verifier(&v);
	return err;
}
