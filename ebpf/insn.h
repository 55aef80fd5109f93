/*
 * The shape of an instruction: where control goes after it (RFC 9669
 * §4.3), for every pass that walks a program's control flow — the
 * structural checks, the verifier's CFG and liveness, the JIT's analyses.
 * Private to ebpf/. Instructions are assumed to have passed
 * ebpf_prog_create's structural checks (targets are inside the program).
 */
#ifndef UKBPF_EBPF_INSN_H
#define UKBPF_EBPF_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf.h"
#include "isa.h"

/* Instruction slots insn takes: 2 for lddw (§5.4), else 1. */
static inline size_t ebpf_insn_slots(const struct ebpf_insn *insn)
{
	return insn->opcode == EBPF_OP_LDDW ? 2 : 1;
}

/* Bytes a load or store of insn's size field moves (§5.1). */
static inline unsigned int ebpf_insn_access_bytes(const struct ebpf_insn *insn)
{
	switch (insn->opcode & EBPF_SIZE_MASK) {
	case EBPF_SIZE_B:
		return 1;
	case EBPF_SIZE_H:
		return 2;
	case EBPF_SIZE_W:
		return 4;
	default:
		return 8;
	}
}

/* The 64-bit immediate of the lddw at insn: imm of its two slots, low first (§5.4). */
static inline uint64_t ebpf_insn_lddw_imm64(const struct ebpf_insn *insn)
{
	return (uint64_t)(uint32_t)insn[0].imm | (uint64_t)(uint32_t)insn[1].imm << 32;
}

/* JMP and JMP32 classes: jumps, calls and exit (what Linux counts as jumps). */
static inline bool ebpf_insn_is_jump_class(const struct ebpf_insn *insn)
{
	uint8_t cls = insn->opcode & EBPF_CLS_MASK;

	return cls == EBPF_CLS_JMP || cls == EBPF_CLS_JMP32;
}

/* An unconditional jump: ja (offset) or gotol (JMP32 ja, imm). */
static inline bool ebpf_insn_is_goto(const struct ebpf_insn *insn)
{
	return insn->opcode == EBPF_OP_JA || insn->opcode == EBPF_OP_JA32;
}

/* A conditional jump: falls through or goes to its target. */
static inline bool ebpf_insn_is_cond_jump(const struct ebpf_insn *insn)
{
	uint8_t op = insn->opcode & EBPF_OP_MASK;

	return ebpf_insn_is_jump_class(insn) && op != EBPF_JMP_JA && op != EBPF_JMP_CALL &&
	       op != EBPF_JMP_EXIT;
}

/* A bpf-to-bpf call (§4.3.1): imm is the callee's start, relative to the next insn. */
static inline bool ebpf_insn_is_local_call(const struct ebpf_insn *insn)
{
	return insn->opcode == EBPF_OP_CALL && insn->src_reg == EBPF_PSEUDO_CALL;
}

/*
 * lddw of a function (EBPF_PSEUDO_FUNC): loads a callback for bpf_loop and
 * bpf_for_each_map_elem; ebpf_insn_call_target gives the function's start.
 */
static inline bool ebpf_insn_is_func_ref(const struct ebpf_insn *insn)
{
	return insn->opcode == EBPF_OP_LDDW && insn->src_reg == EBPF_PSEUDO_FUNC;
}

/* Control never falls through exit or a goto: a function must end in one. */
static inline bool ebpf_insn_is_unconditional_end(const struct ebpf_insn *insn)
{
	return insn->opcode == EBPF_OP_EXIT || ebpf_insn_is_goto(insn);
}

/* Target of the goto or conditional jump at index (gotol's offset is in imm). */
static inline int64_t ebpf_insn_jump_target(const struct ebpf_insn *insn, size_t index)
{
	int64_t rel = insn->opcode == EBPF_OP_JA32 ? insn->imm : insn->offset;

	return (int64_t)index + 1 + rel;
}

/* First instruction of the function the local call at index calls. */
static inline int64_t ebpf_insn_call_target(const struct ebpf_insn *insn, size_t index)
{
	return (int64_t)index + 1 + insn->imm;
}

/*
 * Where control goes after insns[index] within its function (a call
 * returns to the next instruction), in next[]; returns how many (0-2).
 */
static inline size_t ebpf_insn_successors(const struct ebpf_insn *insns, size_t index,
					  size_t next[2])
{
	const struct ebpf_insn *insn = &insns[index];
	size_t count = 0;

	if (insn->opcode == EBPF_OP_EXIT)
		return 0;
	if (ebpf_insn_is_goto(insn) || ebpf_insn_is_cond_jump(insn))
		next[count++] = (size_t)ebpf_insn_jump_target(insn, index);
	if (!ebpf_insn_is_goto(insn))
		next[count++] = index + ebpf_insn_slots(insn);
	return count;
}

#endif /* UKBPF_EBPF_INSN_H */
