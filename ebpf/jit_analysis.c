/*
 * The JIT's dataflow analyses; their contracts are in jit_analysis.h.
 * They rely only on the structural checks done at load (ebpf_prog_create),
 * never on the verifier: the JIT also compiles unverified programs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "jit_analysis.h"

/* ---- register use ---------------------------------------------------- */

#define JIT_ALL_REGS ((uint16_t)((1u << EBPF_NUM_REGS) - 1))
/* r1-r5: what a call may read, and what a helper leaves undefined */
#define JIT_ARG_REGS ((uint16_t)(JIT_REG_BIT(6) - JIT_REG_BIT(1)))
/*
 * Round-robin sweeps of a dataflow converge in a few passes for real
 * control flow (one per loop nesting level); past this, an adversarial
 * program gets the conservative answer: every register it reads may be
 * read before written, no constants, no rotates.
 */
#define JIT_MAX_DATAFLOW_SWEEPS 32

/* Registers a helper call reads: one per argument the helper declares. */
static uint16_t jit_helper_reads(int32_t id)
{
	const struct ebpf_helper *helper = ebpf_helper_find(id);
	uint16_t read = 0;
	unsigned int k;

	if (!helper)
		return JIT_ARG_REGS;
	for (k = 0; k < EBPF_NUM_ARG_REGS; k++) {
		if (helper->args[k] != EBPF_ARG_NONE)
			read |= JIT_REG_BIT(EBPF_REG_R1 + k);
	}
	return read;
}

static void jit_jump_regs(const struct ebpf_insn *insn, uint16_t *read, uint16_t *written)
{
	bool src_x = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;

	switch (insn->opcode) {
	case EBPF_OP_JA:
	case EBPF_OP_JA32:
		break;
	case EBPF_OP_EXIT:
		*read = JIT_REG_BIT(EBPF_REG_R0);
		break;
	case EBPF_OP_CALL:
		*read =
		    insn->src_reg == EBPF_PSEUDO_CALL ? JIT_ARG_REGS : jit_helper_reads(insn->imm);
		*written = JIT_REG_BIT(EBPF_REG_R0) | JIT_ARG_REGS;
		break;
	default:
		*read = JIT_REG_BIT(insn->dst_reg) | (src_x ? JIT_REG_BIT(insn->src_reg) : 0);
		break;
	}
}

/* The BPF registers insn reads and writes (RFC 9669 §4, §5). */
static void jit_insn_regs(const struct ebpf_insn *insn, uint16_t *read, uint16_t *written)
{
	uint16_t dst = JIT_REG_BIT(insn->dst_reg), src = JIT_REG_BIT(insn->src_reg);
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	bool src_x = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;

	*read = 0;
	*written = 0;
	switch (insn->opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		*written = dst;
		*read = op == EBPF_ALU_MOV ? 0 : dst;
		/* for END the source bit selects the byte order, not a register */
		if (src_x && op != EBPF_ALU_END && op != EBPF_ALU_NEG)
			*read |= src;
		break;
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		jit_jump_regs(insn, read, written);
		break;
	case EBPF_CLS_LD:
		if (insn->opcode == EBPF_OP_LDDW) {
			*written = dst;
		} else {
			*read = (insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_IND ? src : 0;
			*written = JIT_REG_BIT(EBPF_REG_R0);
		}
		break;
	case EBPF_CLS_LDX:
		*read = src;
		*written = dst;
		break;
	case EBPF_CLS_ST:
		*read = dst;
		break;
	default: /* EBPF_CLS_STX */
		*read = dst | src;
		if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_ATOMIC &&
		    (insn->imm & EBPF_ATOMIC_FETCH))
			*written = src;
		if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_ATOMIC &&
		    insn->imm == EBPF_ATOMIC_CMPXCHG) {
			*read |= JIT_REG_BIT(EBPF_REG_R0);
			*written |= JIT_REG_BIT(EBPF_REG_R0);
		}
		break;
	}
}

/* ---- registers read before written ----------------------------------- */

/*
 * defined[i] is the set of registers written on every path from the
 * entry to insn i (unreached instructions keep the full set). A write
 * only adds to it, so entry_defined is part of every reached defined[i]:
 * neither answer ever names one of those registers.
 */
int jit_find_uninit_reads(const struct ebpf_prog *prog, uint16_t entry_defined, uint16_t *uninit,
			  uint16_t *used)
{
	size_t n = prog->insn_count;
	/* per insn: its read and written registers (computed once), defined[i] */
	struct {
		uint16_t read, written, defined;
	} *at = malloc(n * sizeof(*at));
	size_t i, k, sweep, count, next[2];
	bool changed = true, backward = false;
	uint16_t read_anywhere = 0;

	if (!at)
		return -ENOMEM;
	*used = 0;
	for (i = 0; i < n; i += ebpf_insn_slots(&prog->insns[i])) {
		jit_insn_regs(&prog->insns[i], &at[i].read, &at[i].written);
		*used |= at[i].read | at[i].written;
		read_anywhere |= at[i].read;
	}
	for (i = 0; i < n; i++)
		at[i].defined = JIT_ALL_REGS;
	at[0].defined = entry_defined;
	for (sweep = 0; changed && sweep < JIT_MAX_DATAFLOW_SWEEPS; sweep++) {
		changed = false;
		for (i = 0; i < n; i += ebpf_insn_slots(&prog->insns[i])) {
			count = ebpf_insn_successors(prog->insns, i, next);
			for (k = 0; k < count; k++) {
				uint16_t meet;

				if (next[k] >= n)
					continue;
				meet = at[next[k]].defined & (at[i].defined | at[i].written);
				changed |= meet != at[next[k]].defined;
				at[next[k]].defined = meet;
				backward |= next[k] <= i;
			}
		}
		/* forward-only code: one sweep in order saw every predecessor first */
		changed &= backward;
	}
	*uninit = changed ? read_anywhere & ~entry_defined : 0;
	for (i = 0; i < n && !changed; i += ebpf_insn_slots(&prog->insns[i]))
		*uninit |= at[i].read & ~at[i].defined;
	free(at);
	return 0;
}

/* ---- constants, demanded bits and the rotate idiom ------------------- */

/*
 * The rotate idiom (jit_analysis.h) is one rol when nothing later reads t
 * or the upper half of h (which the five instructions leave non-zero): a
 * backward "demanded bits" dataflow proves that. The mask is in a register
 * that holds a known constant (jit_find_consts): an and-immediate
 * sign-extends, so its mask would also keep bits of the upper half, which
 * then reach the lower.
 */
#define JIT_ROTATE_BITS 32
#define JIT_LOW_HALF	0xffffffffull
/* Bounds the analysis' memory (88 bytes per instruction) and time. */
#define JIT_MAX_ROTATE_SCAN_INSNS 4096

/* Bits of each register some later instruction may still use. */
struct jit_demand {
	uint64_t bits[EBPF_NUM_REGS];
};

/* Every bit up to the highest one of d: what carries (add, mul) depend on. */
static uint64_t jit_bits_up_to_top(uint64_t d)
{
	return d ? UINT64_MAX >> __builtin_clzll(d) : 0;
}

/* Registers known to hold a constant before an instruction. */
struct jit_consts {
	bool reached;
	uint16_t known;
	uint64_t value[EBPF_NUM_REGS];
};

/* The program under analysis and what the constant propagation found. */
struct jit_dataflow {
	const struct ebpf_prog *prog;
	struct jit_consts *consts; /* per insn (jit_find_consts), or NULL */
};

/* What insn leaves in registers: constants from mov-immediate and lddw. */
static void jit_consts_after(const struct ebpf_insn *insn, const struct jit_consts *before,
			     struct jit_consts *after)
{
	uint16_t read, written;

	*after = *before;
	jit_insn_regs(insn, &read, &written);
	after->known &= ~written;
	if (insn->dst_reg >= EBPF_NUM_REGS)
		return;
	/* a function reference's value is its callback's address, not imm */
	if (insn->opcode == EBPF_OP_LDDW && !ebpf_insn_is_func_ref(insn)) {
		after->value[insn->dst_reg] = ebpf_insn_lddw_imm64(insn);
		after->known |= JIT_REG_BIT(insn->dst_reg);
	} else if (insn->opcode == (EBPF_CLS_ALU64 | EBPF_ALU_MOV | EBPF_SRC_K) &&
		   insn->offset == 0) {
		after->value[insn->dst_reg] = (uint64_t)(int64_t)insn->imm;
		after->known |= JIT_REG_BIT(insn->dst_reg);
	}
}

/* Merges what one path brings into what insn `to` already had. */
static bool jit_consts_meet(struct jit_consts *to, const struct jit_consts *from)
{
	uint16_t known = from->known;
	uint8_t r;

	if (!to->reached) {
		*to = *from;
		to->reached = true;
		return true;
	}
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if ((known & JIT_REG_BIT(r)) && to->value[r] != from->value[r])
			known &= ~JIT_REG_BIT(r);
	}
	known &= to->known;
	if (known == to->known)
		return false;
	to->known = known;
	return true;
}

/*
 * Forward constant propagation (only mov-immediate and lddw make
 * constants); NULL when it does not converge in time.
 */
static struct jit_consts *jit_find_consts(const struct ebpf_prog *prog, const bool *is_start)
{
	size_t n = prog->insn_count, i, k, count, sweep, next[2];
	struct jit_consts *in = calloc(n, sizeof(*in));
	struct jit_consts out;
	bool changed = true;

	if (!in)
		return NULL;
	in[0].reached = true;
	for (sweep = 0; changed && sweep < JIT_MAX_DATAFLOW_SWEEPS; sweep++) {
		changed = false;
		for (i = 0; i < n; i++) {
			if (!is_start[i] || !in[i].reached)
				continue;
			jit_consts_after(&prog->insns[i], &in[i], &out);
			count = ebpf_insn_successors(prog->insns, i, next);
			for (k = 0; k < count; k++) {
				if (next[k] < n)
					changed |= jit_consts_meet(&in[next[k]], &out);
			}
		}
	}
	if (changed) {
		free(in);
		return NULL;
	}
	return in;
}

static bool jit_known_constant(const struct jit_dataflow *df, size_t i, uint8_t reg,
			       uint64_t *value)
{
	if (!df->consts || reg >= EBPF_NUM_REGS || !(df->consts[i].known & JIT_REG_BIT(reg)))
		return false;
	*value = df->consts[i].value[reg];
	return true;
}

/*
 * The map r1 names before insn i, when the constant analysis proves it is
 * one of the program's maps on every path (r1 then comes from lddw).
 */
static struct ebpf_map *jit_known_map(const struct jit_dataflow *df, size_t i)
{
	uint64_t addr;
	size_t k;

	if (!jit_known_constant(df, i, EBPF_REG_R1, &addr))
		return NULL;
	for (k = 0; k < df->prog->map_count; k++) {
		if ((uintptr_t)df->prog->maps[k] == addr)
			return df->prog->maps[k];
	}
	return NULL;
}

/* Demanded bits of an ALU64 operation's operands, given the result's (d). */
static void jit_alu64_demand(const struct jit_dataflow *df, size_t i, uint64_t d, uint64_t *dst_use,
			     uint64_t *src_use)
{
	const struct ebpf_insn *insn = &df->prog->insns[i];
	bool src_x = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	unsigned int shift = (unsigned int)insn->imm & EBPF_SHIFT_MASK_64;
	uint64_t mask;

	*dst_use = *src_use = d ? UINT64_MAX : 0;
	switch (insn->opcode & EBPF_OP_MASK) {
	case EBPF_ALU_ADD:
	case EBPF_ALU_SUB:
	case EBPF_ALU_MUL:
	case EBPF_ALU_NEG:
		*dst_use = *src_use = jit_bits_up_to_top(d);
		break;
	case EBPF_ALU_OR:
	case EBPF_ALU_XOR:
		*dst_use = *src_use = d;
		break;
	case EBPF_ALU_AND:
		if (!src_x)
			*dst_use = d & (uint64_t)(int64_t)insn->imm;
		else if (jit_known_constant(df, i, insn->src_reg, &mask))
			*dst_use = d & mask;
		else
			*dst_use = *src_use = d;
		break;
	case EBPF_ALU_LSH:
		if (!src_x)
			*dst_use = d >> shift;
		break;
	case EBPF_ALU_RSH:
		if (!src_x)
			*dst_use = d << shift;
		break;
	case EBPF_ALU_MOV:
		if (insn->offset == 0)
			*src_use = d;
		break;
	default:
		break;
	}
}

/* Demanded bits before insn i, from those after it (RFC 9669 §4 semantics). */
static void jit_demand_before(const struct jit_dataflow *df, size_t i,
			      const struct jit_demand *after, struct jit_demand *before)
{
	const struct ebpf_insn *insn = &df->prog->insns[i];
	uint8_t cls = insn->opcode & EBPF_CLS_MASK;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	uint16_t read, written;
	uint64_t d, dst_use, src_use;
	uint8_t r;

	*before = *after;
	jit_insn_regs(insn, &read, &written);
	if ((cls == EBPF_CLS_ALU || cls == EBPF_CLS_ALU64) && insn->dst_reg < EBPF_NUM_REGS &&
	    insn->src_reg < EBPF_NUM_REGS) {
		d = after->bits[insn->dst_reg];
		if (cls == EBPF_CLS_ALU64)
			jit_alu64_demand(df, i, d, &dst_use, &src_use);
		else if (op == EBPF_ALU_END)
			dst_use = src_use = d ? UINT64_MAX : 0; /* a 64-bit swap */
		else /* ALU32 reads only the low halves; the result's upper half is 0 */
			dst_use = src_use = (d & JIT_LOW_HALF) ? JIT_LOW_HALF : 0;
		before->bits[insn->dst_reg] = 0;
		if (read & JIT_REG_BIT(insn->dst_reg))
			before->bits[insn->dst_reg] |= dst_use;
		/* src_reg is meaningful only for a register source (not END, NEG) */
		if ((insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X && op != EBPF_ALU_END &&
		    op != EBPF_ALU_NEG)
			before->bits[insn->src_reg] |= src_use;
		return;
	}
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if (written & JIT_REG_BIT(r))
			before->bits[r] = 0;
	}
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if (read & JIT_REG_BIT(r))
			before->bits[r] = UINT64_MAX;
	}
}

/* Demanded bits after insn i: the union over its successors. */
static void jit_demand_after(const struct ebpf_prog *prog, const struct jit_demand *in, size_t i,
			     struct jit_demand *out)
{
	size_t next[2], count = ebpf_insn_successors(prog->insns, i, next), k;
	uint8_t r;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < count; k++) {
		if (next[k] >= prog->insn_count)
			continue;
		for (r = 0; r < EBPF_NUM_REGS; r++)
			out->bits[r] |= in[next[k]].bits[r];
	}
}

/*
 * Backward sweeps until nothing changes; in[i] = demanded bits before insn
 * i. Returns NULL (no rotates) when it does not converge in time.
 */
static struct jit_demand *jit_find_demand(const struct jit_dataflow *df, const bool *is_start)
{
	size_t n = df->prog->insn_count, i, sweep;
	struct jit_demand *in = calloc(n, sizeof(*in));
	struct jit_demand out, before;
	bool changed = true;

	if (!in)
		return NULL;
	for (sweep = 0; changed && sweep < JIT_MAX_DATAFLOW_SWEEPS; sweep++) {
		changed = false;
		for (i = n; i-- > 0;) {
			if (!is_start[i])
				continue; /* the second slot of an lddw */
			jit_demand_after(df->prog, in, i, &out);
			jit_demand_before(df, i, &out, &before);
			if (memcmp(&before, &in[i], sizeof(before)) != 0) {
				in[i] = before;
				changed = true;
			}
		}
	}
	if (changed) {
		free(in);
		return NULL;
	}
	return in;
}

static bool jit_is_alu64_op(const struct ebpf_insn *insn, uint8_t op, uint8_t src, uint8_t dst)
{
	return insn->opcode == (EBPF_CLS_ALU64 | op | src) && insn->dst_reg == dst;
}

/* The idiom's opcodes and registers at insn i, before any analysis. */
static bool jit_has_rotate_shape(const struct ebpf_prog *prog, size_t i)
{
	const struct ebpf_insn *insn = &prog->insns[i];
	uint8_t t = insn[0].dst_reg, h = insn[0].src_reg;
	unsigned int k;

	if (i + JIT_ROTATE_INSNS > prog->insn_count)
		return false;
	k = (unsigned int)insn[2].imm;
	return t != h && jit_is_alu64_op(&insn[0], EBPF_ALU_MOV, EBPF_SRC_X, t) &&
	       insn[0].offset == 0 && jit_is_alu64_op(&insn[1], EBPF_ALU_AND, EBPF_SRC_X, t) &&
	       jit_is_alu64_op(&insn[2], EBPF_ALU_RSH, EBPF_SRC_K, t) && k > 0 &&
	       k < JIT_ROTATE_BITS && jit_is_alu64_op(&insn[3], EBPF_ALU_LSH, EBPF_SRC_K, h) &&
	       insn[3].imm == (int32_t)(JIT_ROTATE_BITS - k) &&
	       jit_is_alu64_op(&insn[4], EBPF_ALU_OR, EBPF_SRC_X, h) && insn[4].src_reg == t;
}

/*
 * Whether insns i.. are the rotate idiom (see above) on registers that
 * the demand in[] lets it drop: t and the upper half of h unused after.
 */
static bool jit_is_rotate(const struct jit_dataflow *df, const struct jit_demand *in,
			  const bool *is_target, size_t i)
{
	const struct ebpf_insn *insn = &df->prog->insns[i];
	uint8_t t = insn[0].dst_reg, h = insn[0].src_reg;
	unsigned int k = (unsigned int)insn[2].imm, j;
	struct jit_demand after;
	uint64_t mask;

	if (!jit_known_constant(df, i + 1, insn[1].src_reg, &mask))
		return false;
	if (mask != ((JIT_LOW_HALF >> k) << k))
		return false;
	for (j = 1; j < JIT_ROTATE_INSNS; j++) {
		if (is_target[i + j])
			return false; /* a branch into the middle sees partial results */
	}
	jit_demand_after(df->prog, in, i + JIT_ROTATE_INSNS - 1, &after);
	return after.bits[t] == 0 && (after.bits[h] & ~JIT_LOW_HALF) == 0;
}

/* Marks instruction starts and branch targets (for jit_find_peepholes). */
static void jit_mark_starts_and_targets(const struct ebpf_prog *prog, bool *is_start,
					bool *is_target)
{
	size_t i, next[2], count, k;

	for (i = 0; i < prog->insn_count; i += ebpf_insn_slots(&prog->insns[i])) {
		is_start[i] = true;
		count = ebpf_insn_successors(prog->insns, i, next);
		for (k = 0; k < count; k++) {
			bool falls_through = next[k] == i + 1;

			if (next[k] < prog->insn_count && !falls_through)
				is_target[next[k]] = true;
		}
	}
}

static bool jit_is_map_lookup(const struct ebpf_prog *prog, size_t i)
{
	const struct ebpf_insn *insn = &prog->insns[i];

	return insn->opcode == EBPF_OP_CALL && insn->src_reg == 0 &&
	       insn->imm == EBPF_FUNC_MAP_LOOKUP_ELEM;
}

void jit_peepholes_free(struct jit_peepholes *peepholes)
{
	free(peepholes->rotate_at);
	free(peepholes->lookup_map);
	*peepholes = (struct jit_peepholes){0};
}

int jit_find_peepholes(const struct ebpf_prog *prog, bool find_rotates, struct jit_peepholes *out)
{
	size_t n = prog->insn_count, i;
	bool has_rotates = false, has_lookups = false;
	struct jit_dataflow df = {.prog = prog};
	bool *is_start, *is_target;
	struct jit_demand *in;

	*out = (struct jit_peepholes){0};
	if (n > JIT_MAX_ROTATE_SCAN_INSNS)
		return 0;
	/* the analyses cost far more than the layout: only run them if needed */
	for (i = 0; i < n; i++) {
		has_rotates |= find_rotates && jit_has_rotate_shape(prog, i);
		has_lookups |= jit_is_map_lookup(prog, i);
	}
	if (!has_rotates && !has_lookups)
		return 0;
	is_start = calloc(n, sizeof(*is_start));
	is_target = calloc(n, sizeof(*is_target));
	out->rotate_at = calloc(n, sizeof(*out->rotate_at));
	out->lookup_map = calloc(n, sizeof(*out->lookup_map));
	if (!is_start || !is_target || !out->rotate_at || !out->lookup_map) {
		free(is_start);
		free(is_target);
		jit_peepholes_free(out);
		return -ENOMEM;
	}
	jit_mark_starts_and_targets(prog, is_start, is_target);
	df.consts = jit_find_consts(prog, is_start);
	in = has_rotates ? jit_find_demand(&df, is_start) : NULL;
	for (i = 0; i < n; i++) {
		if (!is_start[i])
			continue;
		if (jit_is_map_lookup(prog, i))
			out->lookup_map[i] = jit_known_map(&df, i);
		out->rotate_at[i] =
		    in && jit_has_rotate_shape(prog, i) && jit_is_rotate(&df, in, is_target, i);
	}
	free(in);
	free(df.consts);
	free(is_start);
	free(is_target);
	return 0;
}
