/*
 * Pass 1 of the verifier (verifier.c): the control-flow graph alone, with
 * no abstract state. Pass 1b: register liveness, for pruning.
 */
#include <errno.h>
#include <stdlib.h>

#include "verifier_internal.h"

/* r1-r5: a call's arguments. */
#define ARG_REGS ((uint16_t)(CALLER_SAVED_REGS & ~1u))

/* ---- pass 1: control flow -------------------------------------------------- */

/* v->subprog_of from the program's subprogram starts (ebpf_prog_create's). */
static int map_subprogs(struct verifier *v)
{
	const struct ebpf_prog *prog = v->prog;
	uint32_t i, s;

	v->subprog_depth = calloc(prog->subprog_count, sizeof(uint32_t));
	if (!v->subprog_depth)
		return -ENOMEM;
	for (i = 0, s = 0; i < v->count; i++) {
		if (s + 1 < prog->subprog_count && prog->subprog_start[s + 1] == i)
			s++;
		v->subprog_of[i] = s;
	}
	return 0;
}

/* Jumps stay in their subprogram; nothing falls into the next one. */
static int check_cfg_edges(struct verifier *v)
{
	uint32_t i;

	for (i = 0; i < v->count; i++) {
		const struct ebpf_insn *insn = &v->insns[i];
		bool last = i + 1 == v->count || v->subprog_of[i + 1] != v->subprog_of[i];
		int64_t target;

		if (v->flags[i] & INSN_LDDW_TAIL)
			continue;
		v->insn = i;
		if (insn->opcode == EBPF_OP_LDDW)
			last = i + 2 >= v->count || v->subprog_of[i + 2] != v->subprog_of[i];
		if (last && !ebpf_insn_is_unconditional_end(insn))
			return verifier_reject(v, "last insn is not an exit or jmp");
		if (!ebpf_insn_is_cond_jump(insn) && !ebpf_insn_is_goto(insn))
			continue;
		target = ebpf_insn_jump_target(insn, i);
		if (v->subprog_of[target] != v->subprog_of[i])
			return verifier_reject(v, "jump out of range from insn %u to %lld", i,
					       (long long)target);
		v->flags[target] |= INSN_PRUNE_POINT;
		if (ebpf_insn_is_cond_jump(insn))
			v->flags[i + 1] |= INSN_PRUNE_POINT;
	}
	return 0;
}

/* Every instruction must lie on some path from the entry (Linux too). */
static int check_reachable(struct verifier *v)
{
	uint32_t *work = malloc(v->count * sizeof(uint32_t));
	size_t top = 0;
	uint32_t i;

	if (!work)
		return -ENOMEM;
	work[top++] = 0;
	v->flags[0] |= INSN_REACHED;
	while (top > 0) {
		uint32_t at = work[--top];
		const struct ebpf_insn *insn = &v->insns[at];
		/* within the function, and into a callee */
		size_t next[3], n = ebpf_insn_successors(v->insns, at, next), k;

		if (ebpf_insn_is_local_call(insn)) {
			next[n++] = (size_t)ebpf_insn_call_target(insn, at);
			v->flags[at + 1] |= INSN_PRUNE_POINT | INSN_CALL_RETURN;
		}
		/* a callback is reached from the lddw that names it (Linux's check_cfg) */
		if (ebpf_insn_is_func_ref(insn))
			next[n++] = (size_t)ebpf_insn_call_target(insn, at);
		/* the callback's rounds meet at the call (verifier_calls.c) */
		if (insn->opcode == EBPF_OP_CALL && insn->src_reg == EBPF_CALL_HELPER &&
		    verifier_helper_calls_back(ebpf_helper_find(insn->imm)))
			v->flags[at] |= INSN_PRUNE_POINT | INSN_CALLBACK_CALL;
		for (k = 0; k < n; k++) {
			if (next[k] >= v->count || (v->flags[next[k]] & INSN_REACHED))
				continue;
			v->flags[next[k]] |= INSN_REACHED;
			work[top++] = (uint32_t)next[k];
		}
	}
	free(work);
	for (i = 0; i < v->count; i++) {
		if (!(v->flags[i] & (INSN_REACHED | INSN_LDDW_TAIL))) {
			v->insn = v->count;
			return verifier_reject(v, "unreachable insn %u", i);
		}
	}
	return 0;
}

int verifier_check_control_flow(struct verifier *v)
{
	int err = map_subprogs(v);

	if (!err)
		err = check_cfg_edges(v);
	if (!err)
		err = check_reachable(v);
	return err;
}

/* ---- pass 1b: register liveness -------------------------------------------- */

/* The registers insn reads (use) and writes (def). */
static void insn_use_def(const struct ebpf_insn *insn, uint16_t *use, uint16_t *def)
{
	uint8_t cls = insn->opcode & EBPF_CLS_MASK;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;

	*use = 0;
	*def = 0;
	switch (cls) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		*def = reg_bit(insn->dst_reg);
		if (op != EBPF_ALU_MOV)
			*use |= reg_bit(insn->dst_reg);
		if (uses_src && op != EBPF_ALU_END)
			*use |= reg_bit(insn->src_reg);
		break;
	case EBPF_CLS_LDX:
		*use = reg_bit(insn->src_reg);
		*def = reg_bit(insn->dst_reg);
		break;
	case EBPF_CLS_ST:
		*use = reg_bit(insn->dst_reg);
		break;
	case EBPF_CLS_STX:
		*use = reg_bit(insn->dst_reg) | reg_bit(insn->src_reg);
		if ((insn->opcode & EBPF_MODE_MASK) != EBPF_MODE_ATOMIC)
			break;
		if (insn->imm == EBPF_ATOMIC_CMPXCHG) {
			*use |= reg_bit(EBPF_REG_R0);
			*def = reg_bit(EBPF_REG_R0);
		} else if (insn->imm & EBPF_ATOMIC_FETCH) {
			*def = reg_bit(insn->src_reg);
		}
		break;
	case EBPF_CLS_LD:
		if (insn->opcode == EBPF_OP_LDDW) {
			*def = reg_bit(insn->dst_reg);
			break;
		}
		*use = reg_bit(EBPF_REG_R6);
		if ((insn->opcode & EBPF_MODE_MASK) == EBPF_MODE_IND)
			*use |= reg_bit(insn->src_reg);
		*def = CALLER_SAVED_REGS;
		break;
	default: /* jumps */
		if (op == EBPF_JMP_CALL) {
			*use = ARG_REGS;
			*def = CALLER_SAVED_REGS;
		} else if (op == EBPF_JMP_EXIT) {
			*use = reg_bit(EBPF_REG_R0);
		} else if (op != EBPF_JMP_JA) {
			*use = reg_bit(insn->dst_reg);
			if (uses_src)
				*use |= reg_bit(insn->src_reg);
		}
		break;
	}
}

/*
 * Backward dataflow to a fixed point: live_in[i] holds the registers some
 * path from i reads before writing. Pruning ignores the others (their
 * values cannot matter), as Linux's liveness marks do. A local call is a
 * use of r1-r5 and a definition of r0-r5 in the caller; the callee is
 * its own subprogram.
 */
int verifier_compute_liveness(struct verifier *v)
{
	bool changed = true;
	uint32_t i;

	v->live_in = calloc(v->count, sizeof(uint16_t));
	if (!v->live_in)
		return -ENOMEM;
	while (changed) {
		changed = false;
		for (i = v->count; i-- > 0;) {
			const struct ebpf_insn *insn = &v->insns[i];
			uint16_t use, def, out = 0, in;
			size_t next[2], n, k;

			if (v->flags[i] & INSN_LDDW_TAIL)
				continue;
			n = ebpf_insn_successors(v->insns, i, next);
			for (k = 0; k < n; k++)
				out |= v->live_in[next[k]];
			insn_use_def(insn, &use, &def);
			in = (uint16_t)(use | (out & ~def));
			if (in != v->live_in[i]) {
				v->live_in[i] = in;
				changed = true;
			}
		}
	}
	return 0;
}
