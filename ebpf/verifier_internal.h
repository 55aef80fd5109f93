/*
 * The verifier's private interface, shared by its files only (ebpf_verify
 * in ebpf.h is the public one; verifier.c describes the algorithm):
 *   verifier.c         the driver: the walk over paths, one instruction
 *                      step, arithmetic and conditional jumps
 *   verifier_state.c   the rejection log and the abstract state: copies,
 *                      frames, walks over every register
 *   verifier_cfg.c     pass 1, the control-flow graph and subprograms,
 *                      and pass 1b, register liveness
 *   verifier_memory.c  memory-access rules (ctx, stack, packet, map value,
 *                      ringbuf record) and the loads and stores
 *   verifier_calls.c   helper calls, bpf-to-bpf calls and exits
 *   verifier_prune.c   stored states and pruning
 *   verifier_bounds.c  scalar ranges (verifier_bounds.h)
 *
 * Every function here that checks an instruction returns STEP_CONTINUE,
 * STEP_PATH_END or a negative errno; a rejection (-EACCES) has already
 * been logged by verifier_reject.
 */
#ifndef UKBPF_EBPF_VERIFIER_INTERNAL_H
#define UKBPF_EBPF_VERIFIER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ebpf_internal.h"
#include "insn.h"
#include "verifier_bounds.h"

#define MAX_REFS    EBPF_MAX_REFS
#define REG_SIZE    8
#define STACK_SLOTS (EBPF_STACK_SIZE / REG_SIZE)
/* Linux: pointer offsets stay within +-2^29 so that sums cannot overflow. */
#define MAX_VAR_OFF   (1 << 29)
#define REG_VAR_BYTES 128
/* r0-r5: what a call leaves undefined (r0 then holds the result). */
#define CALLER_SAVED_REGS ((uint16_t)((1u << (EBPF_NUM_ARG_REGS + 1)) - 1))

enum reg_type {
	REG_NOT_INIT = 0,
	REG_SCALAR,
	REG_PTR_TO_CTX,
	REG_PTR_TO_PACKET,
	REG_PTR_TO_PACKET_META,
	REG_PTR_TO_PACKET_END,
	REG_PTR_TO_MAP_VALUE,
	REG_PTR_TO_MAP_VALUE_OR_NULL,
	REG_PTR_TO_STACK,
	REG_CONST_PTR_TO_MAP,
	REG_PTR_TO_MEM,
	REG_PTR_TO_MEM_OR_NULL,
	REG_PTR_TO_XDP_SOCK,	      /* an xskmap lookup's hit: Linux's struct bpf_xdp_sock */
	REG_CONST_PTR_TO_MAP_OR_NULL, /* a map-in-map lookup's inner map */
	/* A socket lookup's result (struct ebpf_sock), read-only, never moved. */
	REG_PTR_TO_SOCK_COMMON,
	REG_PTR_TO_SOCK_COMMON_OR_NULL,
	REG_PTR_TO_SOCKET,
	REG_PTR_TO_SOCKET_OR_NULL,
	REG_PTR_TO_FUNC,    /* a callback: lddw of a function */
	REG_PTR_TO_MAP_KEY, /* bpf_for_each_map_elem's key: read only */
	REG_TYPE_COUNT,
};

/* The name of each reg_type in the log ("scalar", "pkt", "fp", ...). */
extern const char *const verifier_reg_type_names[];

/*
 * What a register (or a spilled stack slot) holds. For pointers, the
 * address is base + off + var: off is the constant part, var the
 * variable part (a constant 0 unless a scalar was added).
 */
struct reg_state {
	enum reg_type type;
	int32_t off;
	struct scalar_range var;
	/*
	 * pkt: pointers with the same id share var and hence range;
	 * *_OR_NULL: copies of one helper result, resolved by one NULL test;
	 * scalar: copies of one value, refined together by comparisons.
	 */
	uint32_t id;
	/* mem, sock: the reference (ringbuf reservation, socket) to release */
	uint32_t ref_id;
	uint32_t range;	   /* pkt: bytes [base+var, +range) proven readable */
	uint32_t frame;	   /* stack: whose frame */
	uint32_t mem_size; /* map value / key / mem: region size */
	uint32_t subprog;  /* func: the callback's subprogram */
	const struct ebpf_map *map;
};

enum stack_byte { STACK_INVALID = 0, STACK_MISC, STACK_SPILL };

struct frame {
	/* First: the pruning walk reads them before the registers. */
	uint32_t callsite; /* call insn in the caller */
	uint32_t subprog;
	/*
	 * A callback's frame (called by the helper at callsite, which the
	 * caller runs again when it returns; see verifier_calls.c), and the
	 * first id made in it: references of later ids are its own.
	 */
	bool is_callback;
	uint32_t callback_first_id;
	/*
	 * In a frame calling a callback helper (verifier_prune.c): the call's
	 * rounds, named when the call is first reached, and how many of its
	 * callbacks have returned.
	 */
	uint32_t callback_chain;
	uint32_t callback_rounds;
	/*
	 * Slots counted down from the frame pointer that may have been
	 * written: below them every byte is invalid. Copies of a state keep
	 * only these spills; the current state's frames have room for all.
	 */
	uint32_t used_slots;
	struct reg_state regs[EBPF_NUM_REGS];
	uint8_t stack[EBPF_STACK_SIZE]; /* enum stack_byte, index off + 512 */
	/* Valid where stack bytes are SPILL; spill_index() orders them. */
	struct reg_state spills[];
};

/* A frame with room for the spills of its top slots. */
static inline size_t frame_bytes(uint32_t slots)
{
	return offsetof(struct frame, spills) + slots * sizeof(struct reg_state);
}

/* Spills are kept from the frame pointer down (slot = (off + 512) / 8). */
static inline int spill_index(int slot)
{
	return STACK_SLOTS - 1 - slot;
}

struct vstate {
	uint32_t frame_count;
	struct frame *frames[EBPF_MAX_CALL_DEPTH];
	uint32_t ref_count;
	uint32_t refs[MAX_REFS];
	uint32_t ref_insns[MAX_REFS];
	/* Back at a callback helper's call from its callback (verifier_calls.c). */
	bool after_callback;
	/* The id of the map value whose bpf_spin_lock is held, 0 if none. */
	uint32_t active_lock;
};

enum insn_flag {
	INSN_PRUNE_POINT = 1,
	INSN_LDDW_TAIL = 2,
	INSN_REACHED = 4,
	INSN_CALL_RETURN = 8,	 /* follows a bpf-to-bpf call */
	INSN_CALLBACK_CALL = 16, /* a helper call that calls a callback */
};

/* Private to verifier.c (pending) and verifier_prune.c (the others). */
struct pending_branch;
struct stored_list;
struct in_progress;

struct verifier {
	struct ebpf_prog *prog;
	const struct ebpf_insn *insns;
	uint32_t count;
	struct ebpf_log *log;
	struct vstate *cur;
	uint32_t insn;
	uint8_t *flags;
	uint32_t *subprog_of;	 /* insn -> subprogram index (prog->subprog_start) */
	uint32_t *subprog_depth; /* deepest stack byte used */
	uint16_t *live_in;	 /* insn -> registers read before written */
	struct pending_branch *pending;
	size_t pending_len, pending_cap;
	struct stored_list *explored; /* per insn */
	struct in_progress *in_progress;
	size_t in_progress_len, in_progress_cap;
	uint64_t processed;
	uint64_t jumps_processed;
	uint64_t processed_at_store, jumps_at_store;
	uint32_t stored_total; /* ever stored */
	uint32_t stored_live;  /* stored and not yet dropped */
	size_t stored_bytes;   /* of the stored_live ones */
	uint32_t live_states, peak_states;
	uint32_t next_id;
};

/* The result of stepping one instruction. */
enum step { STEP_CONTINUE = 0, STEP_PATH_END = 1 };

enum access { ACCESS_READ, ACCESS_WRITE };

/* ---- logging (verifier_state.c) -------------------------------------------- */

/* Logs instruction index as "INDEX: (OPCODE) DISASSEMBLY". */
void verifier_log_insn(struct verifier *v, uint32_t index);
/* Logs the registers and stack slots of the current state's innermost frame. */
void verifier_log_state(struct verifier *v);
/*
 * Names the instruction being checked (v->insn, unless it is v->count),
 * then the broken rule, then the registers and stack it was checked
 * against. Returns -EACCES.
 */
int verifier_reject(struct verifier *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the abstract state ----------------------------------------------------- */

static inline struct frame *cur_frame(struct verifier *v)
{
	return v->cur->frames[v->cur->frame_count - 1];
}

static inline struct reg_state *cur_reg(struct verifier *v, uint8_t regno)
{
	return &cur_frame(v)->regs[regno];
}

static inline bool is_pointer(const struct reg_state *reg)
{
	return reg->type != REG_NOT_INIT && reg->type != REG_SCALAR;
}

static inline bool is_packet_family(enum reg_type type)
{
	return type == REG_PTR_TO_PACKET || type == REG_PTR_TO_PACKET_META ||
	       type == REG_PTR_TO_PACKET_END;
}

/* The type a NULL test proves, or REG_NOT_INIT when type is never NULL. */
static inline enum reg_type type_without_null(enum reg_type type)
{
	switch (type) {
	case REG_PTR_TO_MAP_VALUE_OR_NULL:
		return REG_PTR_TO_MAP_VALUE;
	case REG_PTR_TO_MEM_OR_NULL:
		return REG_PTR_TO_MEM;
	case REG_PTR_TO_SOCK_COMMON_OR_NULL:
		return REG_PTR_TO_SOCK_COMMON;
	case REG_PTR_TO_SOCKET_OR_NULL:
		return REG_PTR_TO_SOCKET;
	case REG_CONST_PTR_TO_MAP_OR_NULL:
		return REG_CONST_PTR_TO_MAP;
	default:
		return REG_NOT_INIT;
	}
}

static inline bool is_maybe_null(const struct reg_state *reg)
{
	return type_without_null(reg->type) != REG_NOT_INIT;
}

static inline bool is_const_zero(const struct reg_state *reg)
{
	return reg->type == REG_SCALAR && scalar_is_const(&reg->var) && reg->var.bits.value == 0;
}

static inline void set_scalar(struct reg_state *reg, struct scalar_range value)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = REG_SCALAR;
	reg->var = value;
}

static inline void set_not_init(struct reg_state *reg)
{
	memset(reg, 0, sizeof(*reg));
	reg->var = scalar_const(0);
}

static inline void set_pointer(struct reg_state *reg, enum reg_type type)
{
	memset(reg, 0, sizeof(*reg));
	reg->type = type;
	reg->var = scalar_const(0);
}

/* A fresh id for a value whose copies are to be tracked together. */
static inline uint32_t new_id(struct verifier *v)
{
	return ++v->next_id;
}

static inline int check_reg_read(struct verifier *v, uint8_t regno)
{
	if (cur_reg(v, regno)->type == REG_NOT_INIT)
		return verifier_reject(v, "R%u !read_ok", regno);
	return 0;
}

static inline int check_reg_write(struct verifier *v, uint8_t regno)
{
	if (regno == EBPF_REG_FP)
		return verifier_reject(v, "frame pointer is read only");
	return 0;
}

/*
 * Calls fn on every register and spilled slot of every frame. Inline so
 * that, with fn known at each call site, the compiler calls it directly:
 * most branches walk a whole state this way to refine copies of a value.
 */
static inline void for_each_reg(struct vstate *st, void (*fn)(struct reg_state *, void *),
				void *arg)
{
	uint32_t i;
	int r;

	for (i = 0; i < st->frame_count; i++) {
		struct frame *f = st->frames[i];

		for (r = 0; r < EBPF_NUM_REGS; r++)
			fn(&f->regs[r], arg);
		for (r = 0; r < STACK_SLOTS; r++) {
			if (f->stack[r * REG_SIZE] == STACK_SPILL)
				fn(&f->spills[spill_index(r)], arg);
		}
	}
}

/* verifier_state.c: */

void verifier_free_state(struct vstate *st);
/*
 * A copy to keep (stored or pending): each frame holds only its used
 * slots' spills. Before it becomes the current state again, it is made
 * whole by verifier_make_writable. NULL when out of memory.
 */
struct vstate *verifier_copy_state(const struct vstate *src);
/* Gives every frame of a copy room for all its spills again; -ENOMEM. */
int verifier_make_writable(struct vstate *st);
/*
 * Fills f, of frame_bytes(STACK_SLOTS), as frame frame_index of a call
 * chain, running subprog called from callsite: every register but r10,
 * the frame pointer, is uninitialized, and so is every stack byte.
 */
void verifier_init_frame(struct frame *f, uint32_t frame_index, uint32_t callsite,
			 uint32_t subprog);
/* Forgets reference ref (a ringbuf record, a socket) among those st must release. */
void verifier_release_ref_in_state(struct vstate *st, uint32_t ref);
/*
 * Records that r0 (of its new type) holds a new reference, acquired by
 * the instruction being checked (Linux's acquire_reference_state); the
 * caller has checked that st has room (MAX_REFS).
 */
void verifier_acquire_ref(struct verifier *v, struct reg_state *r0);

/* ---- control flow (verifier_cfg.c) ------------------------------------------ */

static inline uint16_t reg_bit(uint8_t regno)
{
	return (uint16_t)(1u << regno);
}

/*
 * Pass 1: maps instructions to the program's subprograms (v->subprog_of,
 * v->subprog_depth), checks that jumps stay inside theirs and that every instruction is reachable,
 * and marks the prune points in v->flags. Needs v->flags' INSN_LDDW_TAIL marks.
 */
int verifier_check_control_flow(struct verifier *v);
/*
 * Pass 1b: fills v->live_in, per instruction the registers some path
 * from it reads before writing them.
 */
int verifier_compute_liveness(struct verifier *v);

/* ---- memory (verifier_memory.c) --------------------------------------------- */

/*
 * A helper's memory argument: size bytes readable (ACCESS_READ) or
 * writable at the pointer in regno; a write marks the stack bytes.
 */
int verifier_check_helper_mem(struct verifier *v, uint8_t regno, uint64_t size, enum access access);
/* The instruction classes that touch memory; each advances v->insn. */
int verifier_do_ldx(struct verifier *v, const struct ebpf_insn *insn);
int verifier_do_store(struct verifier *v, const struct ebpf_insn *insn);
int verifier_do_atomic(struct verifier *v, const struct ebpf_insn *insn);
int verifier_do_lddw(struct verifier *v, const struct ebpf_insn *insn);
int verifier_do_ld_abs_ind(struct verifier *v, const struct ebpf_insn *insn);

/*
 * verifier.c: keeps st (a verifier_copy_state copy, now the verifier's)
 * to be explored from insn once the current path ends; -E2BIG past
 * Linux's limit of pending branches (logged), -ENOMEM. On an error st is
 * still the caller's.
 */
int verifier_push_branch(struct verifier *v, struct vstate *st, uint32_t insn);

/* ---- calls (verifier_calls.c) ----------------------------------------------- */

/*
 * Checks r1-r5 against the helper's prototype (struct ebpf_helper), then
 * leaves them uninitialized and r0 of its return type.
 */
int verifier_do_helper_call(struct verifier *v, const struct ebpf_insn *insn);
/* Enters the callee with a new frame; v->insn becomes its first. */
int verifier_do_local_call(struct verifier *v, const struct ebpf_insn *insn);
/* Whether helper takes a callback (bpf_loop, bpf_for_each_map_elem). */
bool verifier_helper_calls_back(const struct ebpf_helper *helper);
/* Whether the current state runs inside a callback (some frame is one). */
bool verifier_in_callback(const struct vstate *st);
/* Returns to the caller, or ends the path in the outermost frame. */
int verifier_do_exit(struct verifier *v);

/* ---- pruning (verifier_prune.c) --------------------------------------------- */

/* count empty lists of stored states, one per instruction; NULL if no memory. */
struct stored_list *verifier_explored_new(uint32_t count);
/* Frees v->explored (one list per instruction of v) and every stored state. */
void verifier_explored_free(struct verifier *v);
/*
 * At a prune point (v->insn): 1 when the current path can stop here,
 * 0 to go on (the state may have been stored), < 0 when rejected.
 */
int verifier_visit_prune_point(struct verifier *v);
/* After a path ends: stored states whose every descendant path has ended are complete. */
void verifier_complete_finished_states(struct verifier *v);

#endif /* UKBPF_EBPF_VERIFIER_INTERNAL_H */
