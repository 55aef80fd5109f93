/*
 * The JIT's analyses (jit_analysis.c): dataflow over a loaded program's
 * instructions whose results decide what code jit_x86_64.c writes. They
 * emit nothing and know nothing of x86: each takes the program and
 * returns plain data (register sets, per-instruction arrays). Private to
 * the JIT.
 */
#ifndef UKBPF_EBPF_JIT_ANALYSIS_H
#define UKBPF_EBPF_JIT_ANALYSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "ebpf_internal.h"

/* A set of BPF registers is a uint16_t: bit r stands for register r. */
#define JIT_REG_BIT(r) ((uint16_t)(1u << (r)))

/* RFC 9669 §4.1: shift counts are masked to 63 (64-bit) or 31 (32-bit). */

/*
 * Registers read before written, for entering the main function with
 * only the registers in entry_defined set (the interpreter starts the
 * others at 0). A forward "definitely written" dataflow from insn 0: a
 * local call counts as reading r1-r5 and writing r0-r5, and the callee's
 * instructions, unreached, ask for nothing. *uninit receives the
 * registers some path may read before writing them (when the dataflow
 * does not settle within its bound: every register some instruction
 * reads), never one of entry_defined and always a subset of *used, which
 * receives every register any instruction names. Returns 0 or -ENOMEM.
 */
int jit_find_uninit_reads(const struct ebpf_prog *prog, uint16_t entry_defined, uint16_t *uninit,
			  uint16_t *used);

/*
 * BPF has no rotate, so clang writes a 32-bit rotate of a value kept in a
 * 64-bit register h as JIT_ROTATE_INSNS instructions
 *     t = h; t &= m; t >>= k; h <<= 32 - k; h |= t
 * with m a register that holds bits [k, 32). Their dependency chain (and,
 * shr, or) is three times that of "rol h32, 32 - k", which leaves the
 * same low half in h.
 */
#define JIT_ROTATE_INSNS 5

/*
 * Where the emitter may write better code than instruction by
 * instruction. Each array has one entry per instruction, or is NULL when
 * no instruction qualifies.
 */
struct jit_peepholes {
	/*
	 * rotate_at[i]: insns i .. i + JIT_ROTATE_INSNS - 1 are the rotate
	 * idiom, no branch lands inside it and nothing after it reads t or
	 * the upper half of h, so "rol h32, 32 - k" (h: insn i's src_reg;
	 * 32 - k: insn i + 3's imm) may replace all of it.
	 */
	bool *rotate_at;
	/*
	 * lookup_map[i]: for a bpf_map_lookup_elem call at insn i, the map
	 * r1 names on every path to it (an lddw of one of prog->maps), whose
	 * own lookup the emitter may call or inline; else NULL.
	 */
	struct ebpf_map **lookup_map;
};

/*
 * Finds them in a program entered only at insn 0 (the dataflow does not
 * follow local calls). Rotates only with find_rotates: blinded code keeps
 * the plain sequence, whose shift counts are blinded where rol's would
 * not be. Programs past a size bound, or whose dataflow does not settle
 * within a bound of sweeps, get fewer or none. Returns 0 or -ENOMEM; the
 * arrays are freed by jit_peepholes_free.
 */
int jit_find_peepholes(const struct ebpf_prog *prog, bool find_rotates, struct jit_peepholes *out);
void jit_peepholes_free(struct jit_peepholes *peepholes);

#endif /* UKBPF_EBPF_JIT_ANALYSIS_H */
