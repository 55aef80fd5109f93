/*
 * Private to ebpf/interp.c and the soundness fuzzer: the hooks of the
 * checked interpreter.
 *
 * Built with -DEBPF_INTERP_CHECKED, interp.c reports every instruction,
 * memory access and helper call to the functions below, which the
 * embedding program defines (tests/fuzz/fuzz_verifier.c checks each
 * against the regions the verifier allowed and aborts on a violation).
 * In the normal build the hooks expand to nothing, so the library's
 * interpreter is unchanged.
 */
#ifndef UKBPF_EBPF_INTERP_CHECK_H
#define UKBPF_EBPF_INTERP_CHECK_H

#include "ebpf_internal.h"

enum ebpf_interp_access {
	EBPF_INTERP_READ = 1,
	EBPF_INTERP_WRITE = 2,
	EBPF_INTERP_READ_WRITE = EBPF_INTERP_READ | EBPF_INTERP_WRITE, /* atomics */
};

#ifdef EBPF_INTERP_CHECKED

/* Before insn executes. */
void ebpf_interp_check_step(const struct ebpf_insn *insn);

/*
 * Before insn touches [addr, addr + size). stored is the value a store or
 * an atomic writes (0 for a load). The frames of the current call chain
 * (callers and the running function) are [stack_lo, stack_hi).
 */
void ebpf_interp_check_access(const struct ebpf_insn *insn, uint64_t addr, uint32_t size,
			      enum ebpf_interp_access access, uint64_t stored, uint64_t stack_lo,
			      uint64_t stack_hi);

/*
 * Around the helper call insn: with returned false before it runs (reg
 * holds the arguments), with returned true after (reg[0] its result).
 * The stack is as for ebpf_interp_check_access.
 */
void ebpf_interp_check_helper(const struct ebpf_insn *insn, const uint64_t *reg, bool returned,
			      uint64_t stack_lo, uint64_t stack_hi);

#endif /* EBPF_INTERP_CHECKED */

#endif /* UKBPF_EBPF_INTERP_CHECK_H */
