/*
 * The x86-64 JIT's private header: what its two files share. jit_x86_64.c
 * decides the entry, lays out the code and runs the passes (its opening
 * comment describes the design); jit_x86_64_insn.c writes the code of
 * each instruction. Register mapping, the run state and the frame sizes
 * are the conventions both follow.
 */
#ifndef UKBPF_EBPF_JIT_X86_64_H
#define UKBPF_EBPF_JIT_X86_64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ebpf_internal.h"
#include "jit_analysis.h"
#include "x86_64_emit.h"

/* BPF register → x86 register (the table in jit_x86_64.c's opening comment). */
extern const uint8_t jit_reg[EBPF_NUM_REGS];

#define JIT_TMP	  X86_R11 /* immediates, divisors */
#define JIT_TMP2  X86_R10 /* saved rax/rcx; address copy */
#define JIT_TMP3  X86_R9  /* saved rdx */
#define JIT_STATE X86_R12 /* struct jit_run_state * */

/* Per-run state, on the native stack below the trampoline's saves. */
struct jit_run_state {
	uint64_t tail_calls;
	void *ctx; /* r1 at entry: describes the packet for LD_ABS/LD_IND */
	uint64_t ctx_len;
};

#define JIT_SLOT 8
/* The SysV callee-saved registers rbp, rbx, r12-r15 (jit_saved_regs). */
#define JIT_SAVED_REGS 6

/*
 * rsp must be 16-byte aligned at every call out of JIT code (SysV ABI).
 * A C call leaves rsp ≡ 8 (mod 16) at the trampoline; its saves plus the
 * run state bring it back to 0; the call into function 0 makes it 8, and
 * the frame (stack + one pad slot) makes it 0 again inside functions.
 * A local call pushes an even number of registers, so the same holds in
 * every frame.
 */
#define JIT_FRAME_SIZE (EBPF_STACK_SIZE + JIT_SLOT)
_Static_assert((JIT_SLOT + JIT_SAVED_REGS * JIT_SLOT + sizeof(struct jit_run_state)) % 16 == 0,
	       "trampoline must leave rsp 16-byte aligned");
_Static_assert((JIT_SLOT + JIT_FRAME_SIZE) % 16 == 0, "frame must keep rsp aligned");

struct jit_ctx {
	const struct ebpf_prog *prog;
	struct x86_buf buf;
	/* off[i]: code offset of insn i (after a function prologue); off[n]: abort. */
	uint32_t *off;
	uint32_t *prev_off;  /* the previous pass's off[], used for branch targets */
	bool *long_branch;   /* sticky: insn i's branch needs rel32 */
	bool layout_known;   /* prev_off holds a previous pass's offsets */
	uint64_t *blind_key; /* per insn, when blinding constants; else NULL */
	uint32_t prologue_size;
	uint32_t entry_off;
	struct ebpf_log *log;
	/* direct entry (see jit_plan_direct_entry); all unused otherwise */
	bool direct_entry;
	uint8_t direct_saves[JIT_SAVED_REGS];
	size_t direct_save_count;
	uint32_t direct_frame;		/* bytes below the saves: stack and alignment pad */
	bool direct_uses_fp;		/* rbp = r10 is set up */
	uint16_t zero_at_entry;		/* BPF registers that may be read before written */
	struct jit_peepholes peepholes; /* direct entry only (jit_find_peepholes) */
	/*
	 * Per subprogram: the callback an lddw of it loads (prog->jit_callbacks
	 * once compiled) and the code offset of its callback stub, 0 for a
	 * subprogram no lddw names.
	 */
	struct ebpf_callback *callbacks;
	uint32_t *callback_stub_off;
};

/*
 * Each function below appends code to ctx->buf (only counting bytes while
 * ctx->buf.code is NULL) and, for a branch, reads the previous pass's
 * offsets ctx->prev_off.
 */

/*
 * The code of insn i (of both slots of an lddw). Returns 0, or -EINVAL
 * with a log line for what it cannot translate (an unknown opcode, a
 * helper without an implementation).
 */
int jit_emit_insn(struct jit_ctx *ctx, size_t i);

/*
 * The rotate idiom at insn i (ctx->peepholes.rotate_at[i]) as one rol;
 * sets ctx->off[] of the idiom's other instructions, returns its last.
 */
size_t jit_emit_rotate(struct jit_ctx *ctx, size_t i);

/* A function's prologue in the general layout (ctx->prologue_size bytes). */
void jit_emit_prologue(struct jit_ctx *ctx);

/* What exit does under the direct entry: undo its prologue, return to C. */
void jit_emit_direct_epilogue(struct jit_ctx *ctx);

#endif /* UKBPF_EBPF_JIT_X86_64_H */
