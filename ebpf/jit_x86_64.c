/*
 * x86-64 JIT: translates a loaded program into native code with the same
 * results as the interpreter (RFC 9669 semantics, bit for bit).
 *
 * Register mapping. BPF registers live in x86 registers for the whole run,
 * chosen so that a helper call needs no shuffling (r1-r5 are the SysV
 * argument registers in order, r0 is the return register, r6-r9 and r10
 * are callee-saved):
 *   r0 rax   r1 rdi   r2 rsi   r3 rdx   r4 rcx   r5 r8
 *   r6 rbx   r7 r13   r8 r14   r9 r15   r10 rbp
 * r9-r11 are scratch (immediates, divisors, saved rax/rcx/rdx); r12 points
 * at the run state (struct jit_run_state) for the whole run.
 *
 * Two entries. Most programs (no local calls, tail calls or legacy
 * loads) are entered directly from C at offset 0: rdi (ctx) is already
 * r1 and rsi (ctx_len) r2, so the entry only pushes the callee-saved
 * registers the program touches, reserves the stack if r10 appears, and
 * zeroes the registers some path may read before writing (a forward
 * dataflow, jit_find_uninit_reads; the interpreter starts them at 0);
 * exit undoes that and returns to C (see "the direct entry" below).
 * "return 2" is just "mov eax, 2; ret". Every other program gets the
 * general layout:
 *
 * Code layout:
 *   [function 0 = main][function 1]...   one per bpf-to-bpf call target
 *   [entry trampoline][trampoline exit][abort]
 * Each function starts with the same prologue: sub rsp, frame; a call
 * depth check; rbp = top of its own 512-byte stack (RFC 9669 §2.3: each
 * bpf-to-bpf frame has its own stack). exit is "add rsp, frame; ret".
 * The trampoline is what C calls (prog->jit_entry): it saves the SysV
 * callee-saved registers, sets up the run state, and calls function 0.
 *
 * Local calls (call src=1) save r6-r9 around a native call, so the
 * callee may use them freely and the caller sees them preserved; r10 is
 * recomputed from rsp on return. Because every frame has the same size,
 * the call depth is a function of rsp: the prologue aborts the program
 * (r0 = 0) when a call would be the (EBPF_MAX_CALL_DEPTH + 1)th frame.
 * The verifier rejects such programs; the check keeps an unverified
 * runaway recursion from overflowing the native stack.
 *
 * Tail calls (helper 12): the current function's frame is dropped and
 * control jumps to offset 0 of the target's JIT code (its main function),
 * so the target returns to the current function's caller, as in Linux.
 * A target with the direct entry is entered as if from C, which it
 * allows: it saves what it uses and needs no run state.
 * The count lives in the run state and is shared along the chain; at
 * EBPF_MAX_TAIL_CALLS, or for an empty slot, execution continues at the
 * next instruction with every register unchanged. Rule for targets that
 * were not JIT-compiled: they run in the interpreter, from r1 = ctx (the
 * only register a tail-called program may read, as in Linux) and with a
 * fresh tail call budget, and their r0 becomes the result of the
 * tail-calling function. Results are then those of an all-interpreted
 * chain for verified programs whose chains stay under
 * EBPF_MAX_TAIL_CALLS; JIT every program of a prog array (as Linux
 * requires) for exact limits.
 *
 * Callbacks (bpf_loop, bpf_for_each_map_elem): an lddw of a function
 * loads a struct ebpf_callback (prog->jit_callbacks) whose call is a stub
 * after the trampoline, one per function some lddw names. The helper
 * calls the stub from C as call(cb, r1, r2, r3, r4); like the trampoline
 * it saves the SysV callee-saved registers and builds a run state (no
 * ctx: the verifier refuses legacy loads in callbacks; a fresh call depth
 * and tail call budget), moves its arguments into r1-r4, and calls the
 * function; its exit and aborts leave through the trampoline's exit.
 *
 * Helper calls clobber r1-r5, which the calling convention makes scratch
 * registers (the verifier forbids reading them after a call; the
 * interpreter happens to keep them). Legacy packet loads (§5.5) go
 * through a C function and preserve r1-r5.
 *
 * One peephole: clang's five-instruction 32-bit rotate becomes one rol
 * when a "demanded bits" dataflow shows nothing reads what differs (see
 * jit_analysis.h); it runs on direct-entry programs, never on blinded code.
 *
 * The analyses behind these choices (registers read before written,
 * constants, demanded bits) are in jit_analysis.c: they read only the
 * instructions. jit_x86_64_insn.c writes the code of each instruction
 * and of the functions' prologues; this file plans the direct entry,
 * writes the trampoline, lays out the functions and runs the passes
 * (jit_x86_64.h: what the two files share).
 *
 * Branches use rel8 where the target is near: layout passes repeat until
 * the instruction offsets stop changing (a branch made long stays long,
 * so lengths only grow and the passes converge). Then the code is written
 * once into memory from exec_alloc and sealed read+execute.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"
#include "insn.h"
#include "jit_analysis.h"
#include "jit_x86_64.h"
#include "x86_64_emit.h"

/* BPF register → x86 register (see the table above). */
const uint8_t jit_reg[EBPF_NUM_REGS] = {
    X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8,
    X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
};

/* SysV callee-saved registers, pushed by the trampoline. */
static const uint8_t jit_saved_regs[] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};
_Static_assert(sizeof(jit_saved_regs) == JIT_SAVED_REGS, "JIT_SAVED_REGS counts them");

#define JIT_MAX_LAYOUT_PASSES 16

/* ---- the direct entry ------------------------------------------------ */

/*
 * Most programs (no local calls, no tail calls, no legacy loads) need
 * none of the run state, the call depth check or the fixed frames, so
 * their main function is entered directly from C: rdi (ctx) already is
 * r1 and rsi (ctx_len) r2. The entry saves only the callee-saved x86
 * registers the program touches, reserves the 512-byte stack only when
 * r10 appears, and zeroes only the registers that some path may read
 * before writing them (jit_find_uninit_reads; the interpreter starts
 * them at 0; a verified program never reads them, but an unverified one
 * gets the same result on both engines). exit undoes the entry and
 * returns to C.
 */

/*
 * Decides whether the program gets the direct entry and, if so, what it
 * saves, reserves and zeroes.
 */
static int jit_plan_direct_entry(struct jit_ctx *ctx)
{
	static const uint8_t saved_bpf_regs[] = {6, 7, 8, 9, EBPF_REG_FP};
	const struct ebpf_prog *prog = ctx->prog;
	uint16_t used, written, entry_defined;
	bool calls_out = false;
	size_t i, k;
	int err;

	for (i = 0; i < prog->insn_count; i += ebpf_insn_slots(&prog->insns[i])) {
		const struct ebpf_insn *insn = &prog->insns[i];
		uint8_t cls = insn->opcode & EBPF_CLS_MASK;

		if (ebpf_insn_is_local_call(insn) || ebpf_insn_is_func_ref(insn) ||
		    (insn->opcode == EBPF_OP_CALL && insn->imm == EBPF_FUNC_TAIL_CALL))
			return 0;
		if (cls == EBPF_CLS_LD && insn->opcode != EBPF_OP_LDDW)
			return 0;
		calls_out |= insn->opcode == EBPF_OP_CALL;
	}
	entry_defined = JIT_REG_BIT(EBPF_REG_R1) | JIT_REG_BIT(EBPF_REG_FP);
	if (prog->type_info->ctx_len_in_r2)
		entry_defined |= JIT_REG_BIT(EBPF_REG_R1 + 1);
	err = jit_find_uninit_reads(prog, entry_defined, &ctx->zero_at_entry, &used);
	if (err)
		return err;

	ctx->direct_entry = true;
	ctx->direct_save_count = 0;
	/* the C caller's registers: the body writes what it names, the entry what it zeroes */
	written = used | ctx->zero_at_entry;
	for (k = 0; k < sizeof(saved_bpf_regs); k++) {
		if (written & JIT_REG_BIT(saved_bpf_regs[k]))
			ctx->direct_saves[ctx->direct_save_count++] = jit_reg[saved_bpf_regs[k]];
	}
	ctx->direct_uses_fp = used & JIT_REG_BIT(EBPF_REG_FP);
	/* the same frame as a full function's: a store just above r10 hits the pad */
	ctx->direct_frame = ctx->direct_uses_fp ? JIT_FRAME_SIZE : 0;
	/* SysV: rsp ≡ 8 (mod 16) at entry, 0 at a call out of JIT code */
	if (calls_out && (ctx->direct_save_count * JIT_SLOT + ctx->direct_frame) % 16 == 0)
		ctx->direct_frame += JIT_SLOT;
	return 0;
}

static void jit_emit_direct_prologue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;
	uint8_t r;
	size_t k;

	for (k = 0; k < ctx->direct_save_count; k++)
		x86_push(b, ctx->direct_saves[k]);
	if (ctx->direct_frame)
		x86_grp1_ri32(b, X86_W, X86_GRP1_SUB, X86_RSP, (int32_t)ctx->direct_frame);
	if (ctx->direct_uses_fp)
		x86_rm(b, X86_W, X86_OP_LEA, jit_reg[EBPF_REG_FP], X86_RSP, EBPF_STACK_SIZE);
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if (ctx->zero_at_entry & JIT_REG_BIT(r))
			x86_rr(b, 0, X86_OP_XOR_RM_R, jit_reg[r], jit_reg[r]);
	}
}

void jit_emit_direct_epilogue(struct jit_ctx *ctx)
{
	struct x86_buf *b = &ctx->buf;
	size_t k;

	if (ctx->direct_frame)
		x86_grp1_ri32(b, X86_W, X86_GRP1_ADD, X86_RSP, (int32_t)ctx->direct_frame);
	for (k = ctx->direct_save_count; k > 0; k--)
		x86_pop(b, ctx->direct_saves[k - 1]);
	x86_u8(b, X86_OP_RET);
}
/* ---- trampoline, functions, passes ----------------------------------- */

/*
 * call(cb, r1, r2, r3, r4) for each function an lddw names (see the
 * opening comment): the trampoline's work, with the callback's arguments
 * instead of ctx, then its exit at exit_off.
 */
static void jit_emit_callback_stubs(struct jit_ctx *ctx, size_t exit_off)
{
	static const uint8_t zeroed[] = {X86_RAX, X86_RBX, X86_R13, X86_R14, X86_R15};
	/* SysV's second to fifth argument registers hold r1-r4 */
	static const uint8_t args[] = {X86_RSI, X86_RDX, X86_RCX, X86_R8};
	const struct ebpf_prog *prog = ctx->prog;
	struct x86_buf *b = &ctx->buf;
	size_t func, k;

	for (func = 1; func < prog->subprog_count; func++) {
		uint32_t entry = ctx->prev_off[prog->subprog_start[func]] - ctx->prologue_size;

		if (!ctx->callback_stub_off[func])
			continue;
		ctx->callback_stub_off[func] = (uint32_t)b->len;
		for (k = 0; k < JIT_SAVED_REGS; k++)
			x86_push(b, jit_saved_regs[k]);
		x86_grp1_ri(b, X86_W, X86_GRP1_SUB, X86_RSP, sizeof(struct jit_run_state));
		x86_mov_rr(b, X86_W, JIT_STATE, X86_RSP);
		x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RAX, X86_RAX);
		x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RAX, JIT_STATE,
		       offsetof(struct jit_run_state, tail_calls));
		x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RAX, JIT_STATE,
		       offsetof(struct jit_run_state, ctx));
		x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RAX, JIT_STATE,
		       offsetof(struct jit_run_state, ctx_len));
		for (k = 0; k < sizeof(args); k++)
			x86_mov_rr(b, X86_W, jit_reg[EBPF_REG_R1 + k], args[k]);
		x86_rr(b, 0, X86_OP_XOR_RM_R, jit_reg[EBPF_NUM_ARG_REGS],
		       jit_reg[EBPF_NUM_ARG_REGS]);
		for (k = 0; k < sizeof(zeroed); k++)
			x86_rr(b, 0, X86_OP_XOR_RM_R, zeroed[k], zeroed[k]);
		x86_u8(b, X86_OP_CALL_REL32);
		x86_u32(b, (uint32_t)((int64_t)entry - (int64_t)(b->len + sizeof(uint32_t))));
		x86_u8(b, X86_OP_JMP_REL32);
		x86_u32(b, (uint32_t)((int64_t)exit_off - (int64_t)(b->len + sizeof(uint32_t))));
	}
}

/*
 * entry(ctx, ctx_len): save the SysV callee-saved registers, build the
 * run state, set the registers as the interpreter does (r1 = ctx, r2 =
 * ctx_len for types with ctx_len_in_r2, every other one 0), call function 0.
 * The abort path returns 0 from any depth by resetting rsp to the state.
 */
static void jit_emit_trampoline(struct jit_ctx *ctx)
{
	static const uint8_t zeroed[] = {X86_RAX, X86_RDX, X86_RCX, X86_R8,
					 X86_RBX, X86_R13, X86_R14, X86_R15};
	struct x86_buf *b = &ctx->buf;
	size_t k, exit_off;

	ctx->entry_off = (uint32_t)b->len;
	for (k = 0; k < JIT_SAVED_REGS; k++)
		x86_push(b, jit_saved_regs[k]);
	x86_grp1_ri(b, X86_W, X86_GRP1_SUB, X86_RSP, sizeof(struct jit_run_state));
	x86_mov_rr(b, X86_W, JIT_STATE, X86_RSP);
	x86_rm(b, X86_W, X86_OP_MOV_RM_IMM32, 0, JIT_STATE,
	       offsetof(struct jit_run_state, tail_calls));
	x86_u32(b, 0);
	x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RDI, JIT_STATE, offsetof(struct jit_run_state, ctx));
	x86_rm(b, X86_W, X86_OP_MOV_RM_R, X86_RSI, JIT_STATE,
	       offsetof(struct jit_run_state, ctx_len));
	for (k = 0; k < sizeof(zeroed); k++)
		x86_rr(b, 0, X86_OP_XOR_RM_R, zeroed[k], zeroed[k]);
	if (!ctx->prog->type_info->ctx_len_in_r2)
		x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RSI, X86_RSI);
	x86_u8(b, X86_OP_CALL_REL32);
	x86_u32(b, (uint32_t)(0 - (int64_t)(b->len + sizeof(uint32_t))));

	exit_off = b->len;
	x86_grp1_ri(b, X86_W, X86_GRP1_ADD, X86_RSP, sizeof(struct jit_run_state));
	for (k = JIT_SAVED_REGS; k > 0; k--)
		x86_pop(b, jit_saved_regs[k - 1]);
	x86_u8(b, X86_OP_RET);

	ctx->off[ctx->prog->insn_count] = (uint32_t)b->len;
	x86_mov_rr(b, X86_W, X86_RSP, JIT_STATE);
	x86_rr(b, 0, X86_OP_XOR_RM_R, X86_RAX, X86_RAX);
	x86_patch_rel8(b, x86_jmp_rel8_fixup(b), exit_off);
	jit_emit_callback_stubs(ctx, exit_off);
}

/*
 * Whether insn i begins a function (prog->subprog_start), with *func the
 * index of the first start not before the previous i asked about.
 */
static bool jit_starts_function(const struct ebpf_prog *prog, size_t *func, size_t i)
{
	while (*func < prog->subprog_count && prog->subprog_start[*func] < i)
		(*func)++;
	return *func < prog->subprog_count && prog->subprog_start[*func] == i;
}

static int jit_emit_program(struct jit_ctx *ctx)
{
	size_t n = ctx->prog->insn_count;
	size_t i, func = 0;
	int err;

	ctx->buf.len = 0;
	for (i = 0; i < n; i++) {
		bool starts_function = jit_starts_function(ctx->prog, &func, i);

		if (ctx->direct_entry && i == 0) {
			jit_emit_direct_prologue(ctx);
		} else if (starts_function) {
			size_t start = ctx->buf.len;

			jit_emit_prologue(ctx);
			ctx->prologue_size = (uint32_t)(ctx->buf.len - start);
		}
		ctx->off[i] = (uint32_t)ctx->buf.len;
		if (ctx->peepholes.rotate_at && ctx->peepholes.rotate_at[i]) {
			i = jit_emit_rotate(ctx, i);
			continue;
		}
		err = jit_emit_insn(ctx, i);
		if (err)
			return err;
		if (ctx->prog->insns[i].opcode == EBPF_OP_LDDW)
			ctx->off[++i] = (uint32_t)ctx->buf.len;
	}
	if (ctx->direct_entry)
		ctx->off[n] = (uint32_t)ctx->buf.len; /* nothing aborts */
	else
		jit_emit_trampoline(ctx);
	return 0;
}

/*
 * splitmix64 (Steele, Lea, Flood 2014): one 64-bit platform seed makes
 * every key of a compilation, which costs two random_u32 calls instead of
 * two per instruction (a host's random_u32 is a system call). The keys
 * are as unpredictable as the seed to whoever cannot read the code.
 */
static uint64_t jit_next_key(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int jit_make_blind_keys(struct jit_ctx *ctx, const struct ebpf_platform *platform)
{
	uint64_t state;
	size_t i;

	if (!platform->random_u32) {
		ebpf_log_printf(ctx->log, "JIT: constant blinding needs the platform's random_u32");
		return -ENOTSUP;
	}
	ctx->blind_key = malloc(ctx->prog->insn_count * sizeof(*ctx->blind_key));
	if (!ctx->blind_key)
		return -ENOMEM;
	state = ((uint64_t)platform->random_u32() << 32) | platform->random_u32();
	for (i = 0; i < ctx->prog->insn_count; i++) {
		/* a zero half would leave that half of the constant in clear */
		ctx->blind_key[i] = jit_next_key(&state) | (1ull << 32) | 1;
	}
	return 0;
}

/* Repeats layout passes until no offset moves; leaves the size in buf.len. */
static int jit_layout(struct jit_ctx *ctx)
{
	size_t n = ctx->prog->insn_count;
	size_t pass;
	int err;

	for (pass = 0;; pass++) {
		uint32_t *swap;

		err = jit_emit_program(ctx);
		if (err)
			return err;
		if (memcmp(ctx->off, ctx->prev_off, (n + 1) * sizeof(*ctx->off)) == 0)
			return 0;
		swap = ctx->prev_off;
		ctx->prev_off = ctx->off;
		ctx->off = swap;
		ctx->layout_known = true;
		/* a pathological chain of near/far branches: give up on rel8 */
		if (pass == JIT_MAX_LAYOUT_PASSES)
			memset(ctx->long_branch, true, n * sizeof(*ctx->long_branch));
	}
}

static void jit_ctx_free(struct jit_ctx *ctx)
{
	free(ctx->callbacks);
	free(ctx->callback_stub_off);
	free(ctx->off);
	free(ctx->prev_off);
	free(ctx->long_branch);
	free(ctx->blind_key);
	jit_peepholes_free(&ctx->peepholes);
}

/*
 * Code that runs off the end of one function into the next would run the
 * next one's prologue in the wrong frame. The verifier refuses such
 * programs ("last insn is not an exit or jmp"); the JIT refuses them too,
 * for programs run unverified (ukbpf run --no-verify), instead of emitting
 * code that crashes.
 */
static int jit_check_function_ends(const struct ebpf_prog *prog, struct ebpf_log *log)
{
	size_t i, prev = 0, func = 1;

	for (i = 0; i < prog->insn_count; prev = i, i += ebpf_insn_slots(&prog->insns[i])) {
		while (func < prog->subprog_count && prog->subprog_start[func] < i)
			func++;
		if (i > 0 && func < prog->subprog_count && prog->subprog_start[func] == i &&
		    !ebpf_insn_is_unconditional_end(&prog->insns[prev])) {
			ebpf_log_printf(
			    log, "insn %zu: JIT: falls through into the function at insn %zu", prev,
			    i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Marks (callback_stub_off nonzero until laid out) the functions an lddw names. */
static void jit_mark_callbacks(struct jit_ctx *ctx)
{
	const struct ebpf_prog *prog = ctx->prog;
	size_t i;

	for (i = 0; i < prog->insn_count; i += ebpf_insn_slots(&prog->insns[i])) {
		if (ebpf_insn_is_func_ref(&prog->insns[i]))
			ctx->callback_stub_off[ebpf_prog_subprog_index(
			    prog, (uint32_t)ebpf_insn_call_target(&prog->insns[i], i))] = 1;
	}
}

/* The callbacks the code's lddw load, now that their stubs have addresses. */
static void jit_finish_callbacks(struct jit_ctx *ctx, uint8_t *code)
{
	const struct ebpf_prog *prog = ctx->prog;
	size_t func;

	for (func = 0; func < prog->subprog_count; func++) {
		struct ebpf_callback *cb = &ctx->callbacks[func];

		cb->prog = prog;
		cb->insn = prog->subprog_start[func];
		if (!ctx->callback_stub_off[func])
			continue;
		/* ISO C has no object→function pointer conversion; POSIX guarantees it */
		memcpy(&cb->call, &(void *){code + ctx->callback_stub_off[func]}, sizeof(cb->call));
	}
}

static int jit_compile(struct jit_ctx *ctx, const struct ebpf_jit_opts *opts,
		       const struct ebpf_platform *platform, struct ebpf_prog *prog)
{
	size_t n = prog->insn_count;
	size_t size;
	uint8_t *mem;
	int err;

	ctx->off = calloc(n + 1, sizeof(*ctx->off));
	ctx->prev_off = calloc(n + 1, sizeof(*ctx->prev_off));
	ctx->long_branch = calloc(n, sizeof(*ctx->long_branch));
	ctx->callbacks = calloc(prog->subprog_count, sizeof(*ctx->callbacks));
	ctx->callback_stub_off = calloc(prog->subprog_count, sizeof(*ctx->callback_stub_off));
	if (!ctx->off || !ctx->prev_off || !ctx->long_branch || !ctx->callbacks ||
	    !ctx->callback_stub_off)
		return -ENOMEM;
	jit_mark_callbacks(ctx);
	if (opts && opts->blind_constants) {
		err = jit_make_blind_keys(ctx, platform);
		if (err)
			return err;
	}
	err = jit_check_function_ends(prog, ctx->log);
	if (!err)
		err = jit_plan_direct_entry(ctx);
	if (!err && ctx->direct_entry)
		err = jit_find_peepholes(prog, !ctx->blind_key, &ctx->peepholes);
	if (err)
		return err;
	err = jit_layout(ctx);
	if (err)
		return err;

	size = ctx->buf.len;
	mem = platform->exec_alloc(size);
	if (!mem) {
		ebpf_log_printf(ctx->log, "JIT: cannot allocate %zu bytes of code memory", size);
		return -ENOMEM;
	}
	ctx->buf.code = mem;
	err = jit_emit_program(ctx);
	if (!err && ctx->buf.len != size) {
		ebpf_log_printf(ctx->log, "JIT: internal error: code size changed (%zu, then %zu)",
				size, ctx->buf.len);
		err = -EFAULT;
	}
	if (!err)
		err = platform->exec_seal(mem, size);
	if (err) {
		platform->exec_free(mem, size);
		return err;
	}
	if (prog->jit_code)
		platform->exec_free(prog->jit_code, prog->jit_size);
	prog->jit_code = mem;
	prog->jit_size = size;
	jit_finish_callbacks(ctx, mem);
	free(prog->jit_callbacks);
	prog->jit_callbacks = ctx->callbacks;
	ctx->callbacks = NULL;
	/* ISO C has no object→function pointer conversion; POSIX guarantees it */
	memcpy(&prog->jit_entry, &(void *){mem + ctx->entry_off}, sizeof(prog->jit_entry));
	return 0;
}

int ebpf_prog_jit(struct ebpf_prog *prog, const struct ebpf_jit_opts *opts, struct ebpf_log *log)
{
	const struct ebpf_platform *platform = ebpf_get_platform();
	struct jit_ctx ctx = {.prog = prog, .log = log};
	int err;

	if (!platform->exec_alloc || !platform->exec_seal || !platform->exec_free) {
		ebpf_log_printf(log, "JIT: the platform provides no executable memory");
		return -ENOTSUP;
	}
	err = jit_compile(&ctx, opts, platform, prog);
	jit_ctx_free(&ctx);
	return err;
}

const void *ebpf_prog_get_jit_code(const struct ebpf_prog *prog, size_t *size)
{
	if (size)
		*size = prog->jit_code ? prog->jit_size : 0;
	return prog->jit_code;
}
