/*
 * Calls in the verifier: helper calls against their prototypes
 * (struct ebpf_helper), bpf-to-bpf calls with a frame per callee,
 * callbacks, and exits, which return to the caller or end the path.
 *
 * Callbacks. bpf_loop and bpf_for_each_map_elem call their callback any
 * number of times, which the walk follows as Linux 6.7's verifier does
 * (6.1 walked a callback once, which missed what a second call sees): at
 * the helper call, one path returns from the helper (r0 unknown) and
 * another (explored later) enters the callback in a new frame, marked
 * is_callback. When the callback exits (r0 must be 0 or 1), the path
 * comes back to the helper call itself, with the caller's registers as
 * they were and what the callback wrote through its pointers, and forks
 * the same way again: each round of calls is one more iteration. The rounds of one call end
 * when a round comes back in a state contained in an earlier round's
 * (verifier_prune.c), whose paths cover it; between rounds, stack scalars
 * that changed are widened to unknown values, so that counters converge.
 * They also end when the helper can make no more calls (a known
 * nr_loops, the map's max_entries), counted in the caller's frame.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers_callback.h"
#include "verifier_internal.h"

#define SCALAR_TEXT_BYTES 128

/*
 * After a helper that moves packet data, a packet pointer derived before
 * it points at bytes that may be gone: it becomes an unknown scalar, in
 * registers and stack spills alike (Linux 6.1's __clear_all_pkt_pointers
 * does so for every loader; 6.18's mark_reg_invalid for a privileged
 * one, while an unprivileged one gets uninitialized registers). A number
 * it may be: a packet address says nothing (docs/verifier.md, "32-bit
 * views of pointers"), and a scalar never becomes a pointer again.
 */
static void forget_packet_pointer(struct reg_state *reg, void *arg)
{
	(void)arg;
	if (is_packet_family(reg->type))
		set_scalar(reg, scalar_unknown());
}

/*
 * Every copy of a released pointer is invalid: privileged Linux (6.1's
 * release_reference, 6.18's mark_reg_invalid) makes it an unknown
 * scalar, so a use after release is refused as a scalar's.
 */
static void release_reference(struct reg_state *reg, void *arg)
{
	uint32_t ref = *(const uint32_t *)arg;

	if (is_pointer(reg) && reg->ref_id == ref)
		set_scalar(reg, scalar_unknown());
}

/*
 * Linux's check_map_func_compatibility, for the maps and helpers we have:
 * each type names the helpers that may take it, and the helpers that
 * take only certain types (tail_call, redirect_map, push/pop/peek,
 * ringbuf, perf_event_output) are named by no other type.
 */
static bool map_allows_helper(uint32_t map_type, int32_t helper)
{
	switch (map_type) {
	case EBPF_MAP_TYPE_PROG_ARRAY:
		return helper == EBPF_FUNC_TAIL_CALL;
	case EBPF_MAP_TYPE_RINGBUF:
		return helper == EBPF_FUNC_RINGBUF_OUTPUT || helper == EBPF_FUNC_RINGBUF_RESERVE;
	case EBPF_MAP_TYPE_DEVMAP:
	case EBPF_MAP_TYPE_DEVMAP_HASH:
	case EBPF_MAP_TYPE_XSKMAP:
		return helper == EBPF_FUNC_REDIRECT_MAP || helper == EBPF_FUNC_MAP_LOOKUP_ELEM;
	case EBPF_MAP_TYPE_CPUMAP:
		return helper == EBPF_FUNC_REDIRECT_MAP;
	case EBPF_MAP_TYPE_QUEUE:
	case EBPF_MAP_TYPE_STACK:
		return helper == EBPF_FUNC_MAP_PUSH_ELEM || helper == EBPF_FUNC_MAP_POP_ELEM ||
		       helper == EBPF_FUNC_MAP_PEEK_ELEM;
	case EBPF_MAP_TYPE_BLOOM_FILTER:
		return helper == EBPF_FUNC_MAP_PUSH_ELEM || helper == EBPF_FUNC_MAP_PEEK_ELEM;
	case EBPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return helper == EBPF_FUNC_PERF_EVENT_OUTPUT;
	case EBPF_MAP_TYPE_ARRAY_OF_MAPS:
	case EBPF_MAP_TYPE_HASH_OF_MAPS:
		return helper == EBPF_FUNC_MAP_LOOKUP_ELEM;
	case EBPF_MAP_TYPE_PERCPU_ARRAY:
	case EBPF_MAP_TYPE_PERCPU_HASH:
	case EBPF_MAP_TYPE_LRU_PERCPU_HASH:
		return helper == EBPF_FUNC_MAP_LOOKUP_ELEM || helper == EBPF_FUNC_MAP_UPDATE_ELEM ||
		       helper == EBPF_FUNC_MAP_DELETE_ELEM ||
		       helper == EBPF_FUNC_MAP_LOOKUP_PERCPU_ELEM;
	default:
		return helper == EBPF_FUNC_MAP_LOOKUP_ELEM || helper == EBPF_FUNC_MAP_UPDATE_ELEM ||
		       helper == EBPF_FUNC_MAP_DELETE_ELEM || helper == EBPF_FUNC_FOR_EACH_MAP_ELEM;
	}
}

/* Linux's record_func_map: a program may not change a BPF_F_RDONLY_PROG map through a helper. */
static bool helper_writes_map(int32_t helper)
{
	return helper == EBPF_FUNC_MAP_UPDATE_ELEM || helper == EBPF_FUNC_MAP_DELETE_ELEM ||
	       helper == EBPF_FUNC_MAP_PUSH_ELEM || helper == EBPF_FUNC_MAP_POP_ELEM;
}

struct call_args {
	const struct ebpf_map *map;
	uint32_t lock;	   /* bpf_spin_lock/unlock: the map value's id */
	uint32_t callback; /* the callback's subprogram, 0 if none */
	uint8_t callback_ctx_regno;
	uint8_t mem_regno; /* pending PTR_TO_MEM argument, 0 if none */
	enum access mem_access;
	bool mem_written_too; /* read, then written: EBPF_ARG_PTR_TO_MEM_RW */
	uint32_t release_ref;
};

/*
 * Memory a helper reads and then writes (bpf_fib_lookup's params,
 * bpf_check_mtu's mtu_len): initialized before the call, and after it
 * the verifier knows nothing of its bytes, so a constant it spilled
 * there is forgotten.
 */
static int check_helper_mem_rw(struct verifier *v, uint8_t regno, uint64_t size)
{
	int err = verifier_check_helper_mem(v, regno, size, ACCESS_READ);

	return err ? err : verifier_check_helper_mem(v, regno, size, ACCESS_WRITE);
}

/* Linux's ARG_PTR_TO_INT: the helper reads and writes a u32. */
#define HELPER_INT_SIZE 4

/*
 * Linux's process_spin_lock: the lock of a looked-up map value whose BTF
 * has one, at its constant offset, released by an unlock of the same
 * value (a second lock is a call made while holding the first, refused
 * before the arguments are looked at).
 */
static int check_spin_lock_arg(struct verifier *v, const struct ebpf_helper *helper, uint8_t regno,
			       const struct reg_state *reg, struct call_args *args)
{
	bool lock = helper->id == EBPF_FUNC_SPIN_LOCK;
	uint32_t lock_off;

	if (reg->type != REG_PTR_TO_MAP_VALUE)
		return verifier_reject(v, "R%u type=%s expected=map_value", regno,
				       verifier_reg_type_names[reg->type]);
	if (!scalar_is_const(&reg->var))
		return verifier_reject(v,
				       "R%u doesn't have constant offset. bpf_spin_lock has to be "
				       "at the constant offset",
				       regno);
	if (!ebpf_map_get_spin_lock(reg->map, &lock_off))
		return verifier_reject(v, "map '%s' has no valid bpf_spin_lock",
				       ebpf_map_get_name(reg->map));
	if ((int64_t)reg->off + (int64_t)reg->var.bits.value != lock_off)
		return verifier_reject(
		    v, "off %lld doesn't point to 'struct bpf_spin_lock' that is at %u",
		    (long long)reg->off + (long long)reg->var.bits.value, lock_off);
	if (!reg->id)
		return verifier_reject(v, "R%u is not a map value from a lookup", regno);
	if (!lock && !v->cur->active_lock)
		return verifier_reject(v, "bpf_spin_unlock without taking a lock");
	if (!lock && v->cur->active_lock != reg->id)
		return verifier_reject(v, "bpf_spin_unlock of different lock");
	args->lock = reg->id;
	return 0;
}

static int check_helper_arg(struct verifier *v, const struct ebpf_helper *helper, uint8_t regno,
			    enum ebpf_helper_arg kind, struct call_args *args)
{
	struct reg_state *reg = cur_reg(v, regno);
	const struct ebpf_map_def *def;
	int err;

	if (kind == EBPF_ARG_ANYTHING_OR_UNSET && reg->type == REG_NOT_INIT)
		return 0;
	err = check_reg_read(v, regno);
	if (err)
		return err;
	switch (kind) {
	case EBPF_ARG_ANYTHING:
	case EBPF_ARG_ANYTHING_OR_UNSET:
		if (is_pointer(reg))
			return verifier_reject(v, "R%u leaks addr into helper function", regno);
		return 0;
	case EBPF_ARG_CONST_MAP_PTR:
		if (reg->type != REG_CONST_PTR_TO_MAP)
			return verifier_reject(v, "R%u type=%s expected=map_ptr", regno,
					       verifier_reg_type_names[reg->type]);
		args->map = reg->map;
		def = ebpf_map_get_def(reg->map);
		if (!map_allows_helper(def->type, helper->id))
			return verifier_reject(v, "cannot pass map_type %u into func %s#%d",
					       def->type, helper->name, helper->id);
		if ((def->flags & EBPF_F_RDONLY_PROG) && helper_writes_map(helper->id))
			return verifier_reject(v, "write into map forbidden");
		return 0;
	case EBPF_ARG_PTR_TO_MAP_KEY:
	case EBPF_ARG_PTR_TO_MAP_VALUE:
		def = ebpf_map_get_def(args->map);
		return verifier_check_helper_mem(
		    v, regno, kind == EBPF_ARG_PTR_TO_MAP_KEY ? def->key_size : def->value_size,
		    ACCESS_READ);
	case EBPF_ARG_PTR_TO_UNINIT_MAP_VALUE:
		return verifier_check_helper_mem(v, regno, ebpf_map_get_def(args->map)->value_size,
						 ACCESS_WRITE);
	case EBPF_ARG_PTR_TO_MEM:
	case EBPF_ARG_PTR_TO_UNINIT_MEM:
	case EBPF_ARG_PTR_TO_MEM_RW:
		args->mem_regno = regno;
		args->mem_access = kind == EBPF_ARG_PTR_TO_UNINIT_MEM ? ACCESS_WRITE : ACCESS_READ;
		args->mem_written_too = kind == EBPF_ARG_PTR_TO_MEM_RW;
		return 0;
	case EBPF_ARG_PTR_TO_INT:
		return check_helper_mem_rw(v, regno, HELPER_INT_SIZE);
	case EBPF_ARG_CONST_SIZE:
	case EBPF_ARG_CONST_SIZE_OR_ZERO:
		if (reg->type != REG_SCALAR)
			return verifier_reject(v, "R%u type=%s expected=scalar", regno,
					       verifier_reg_type_names[reg->type]);
		if (reg->var.umax >= MAX_VAR_OFF)
			return verifier_reject(
			    v,
			    "R%u unbounded memory access, use 'var &= const' or 'if (var < const)'",
			    regno);
		if (reg->var.umin == 0 && kind == EBPF_ARG_CONST_SIZE)
			return verifier_reject(v, "R%u invalid zero-sized read", regno);
		/* Size 0 lets the pointer be NULL (Linux: ARG_PTR_TO_MEM_OR_NULL). */
		if (reg->var.umax == 0 && is_const_zero(cur_reg(v, args->mem_regno)))
			return 0;
		if (args->mem_written_too)
			return check_helper_mem_rw(v, args->mem_regno, reg->var.umax);
		return verifier_check_helper_mem(v, args->mem_regno, reg->var.umax,
						 args->mem_access);
	case EBPF_ARG_PTR_TO_CTX:
		if (reg->type != REG_PTR_TO_CTX || reg->off != 0)
			return verifier_reject(v, "R%u type=%s expected=ctx", regno,
					       verifier_reg_type_names[reg->type]);
		return 0;
	case EBPF_ARG_PTR_TO_FIXED_SIZE_MEM:
		return verifier_check_helper_mem(v, regno, helper->arg_size[regno - EBPF_REG_R1],
						 ACCESS_READ);
	case EBPF_ARG_PTR_TO_SOCK_COMMON:
		/* A full socket is a sock_common too; arithmetic on either is refused. */
		if (reg->type != REG_PTR_TO_SOCK_COMMON && reg->type != REG_PTR_TO_SOCKET)
			return verifier_reject(v, "R%u type=%s expected=sock_common, sock", regno,
					       verifier_reg_type_names[reg->type]);
		if (helper->releases_ref) {
			if (!reg->ref_id)
				return verifier_reject(
				    v, "R%u must be referenced when passed to release function",
				    regno);
			args->release_ref = reg->ref_id;
		}
		return 0;
	case EBPF_ARG_PTR_TO_ALLOC_MEM:
		if (reg->type != REG_PTR_TO_MEM || !reg->ref_id || reg->off != 0 ||
		    !scalar_is_const(&reg->var) || reg->var.bits.value != 0)
			return verifier_reject(
			    v, "R%u type=%s expected=alloc_mem (unmodified ringbuf record)", regno,
			    verifier_reg_type_names[reg->type]);
		args->release_ref = reg->ref_id;
		return 0;
	case EBPF_ARG_PTR_TO_FUNC:
		if (reg->type != REG_PTR_TO_FUNC)
			return verifier_reject(v, "R%u type=%s expected=func", regno,
					       verifier_reg_type_names[reg->type]);
		if (reg->subprog == 0)
			return verifier_reject(v, "R%u the program's entry cannot be a callback",
					       regno);
		args->callback = reg->subprog;
		return 0;
	case EBPF_ARG_PTR_TO_STACK_OR_NULL:
		args->callback_ctx_regno = regno;
		if (is_const_zero(reg))
			return 0;
		if (reg->type != REG_PTR_TO_STACK)
			return verifier_reject(v, "R%u type=%s expected=fp", regno,
					       verifier_reg_type_names[reg->type]);
		if (!scalar_is_const(&reg->var))
			return verifier_reject(v, "R%u variable stack pointer passed to helper",
					       regno);
		return 0;
	case EBPF_ARG_PTR_TO_SPIN_LOCK:
		return check_spin_lock_arg(v, helper, regno, reg, args);
	default:
		return 0;
	}
}

/* Linux's is_acquire_function: the result is a reference to release. */
static bool returns_reference(const struct ebpf_helper *helper)
{
	return helper->ret == EBPF_RET_ALLOC_MEM_OR_NULL ||
	       helper->ret == EBPF_RET_SOCKET_OR_NULL ||
	       helper->ret == EBPF_RET_SOCK_COMMON_OR_NULL;
}

/*
 * After a return, pointers into the callee's frame (which the callee may
 * have stored in its callers' frames) point at a dead frame: drop them.
 */
static void drop_dangling_stack_pointers(struct vstate *st)
{
	uint32_t i;
	int r;

	for (i = 0; i < st->frame_count; i++) {
		struct frame *f = st->frames[i];

		for (r = 0; r < EBPF_NUM_REGS; r++) {
			if (f->regs[r].type == REG_PTR_TO_STACK &&
			    f->regs[r].frame >= st->frame_count)
				set_not_init(&f->regs[r]);
		}
		for (r = 0; r < STACK_SLOTS; r++) {
			if (f->stack[r * REG_SIZE] == STACK_SPILL &&
			    f->spills[spill_index(r)].type == REG_PTR_TO_STACK &&
			    f->spills[spill_index(r)].frame >= st->frame_count)
				memset(&f->stack[r * REG_SIZE], STACK_INVALID, REG_SIZE);
		}
	}
}

bool verifier_helper_calls_back(const struct ebpf_helper *helper)
{
	int i;

	for (i = 0; helper && i < EBPF_NUM_ARG_REGS; i++) {
		if (helper->args[i] == EBPF_ARG_PTR_TO_FUNC)
			return true;
	}
	return false;
}

bool verifier_in_callback(const struct vstate *st)
{
	uint32_t i;

	for (i = 0; i < st->frame_count; i++) {
		if (st->frames[i]->is_callback)
			return true;
	}
	return false;
}

/*
 * The callback's arguments (Linux's set_loop_callback_state and
 * map_set_for_each_callback_args): bpf_loop's are the index and ctx,
 * bpf_for_each_map_elem's the map, a key, its value and ctx.
 */
static void set_callback_args(const struct ebpf_helper *helper, const struct call_args *args,
			      const struct frame *caller, struct frame *callee)
{
	const struct reg_state *ctx = &caller->regs[args->callback_ctx_regno];
	struct reg_state *r = callee->regs;

	if (helper->id == EBPF_FUNC_LOOP) {
		set_scalar(&r[EBPF_REG_R1], scalar_unknown());
		r[EBPF_REG_R1 + 1] = *ctx;
		return;
	}
	r[EBPF_REG_R1] = caller->regs[EBPF_REG_R1];
	set_pointer(&r[EBPF_REG_R1 + 1], REG_PTR_TO_MAP_KEY);
	r[EBPF_REG_R1 + 1].map = args->map;
	r[EBPF_REG_R1 + 1].mem_size = ebpf_map_get_def(args->map)->key_size;
	set_pointer(&r[EBPF_REG_R1 + 2], REG_PTR_TO_MAP_VALUE);
	r[EBPF_REG_R1 + 2].map = args->map;
	r[EBPF_REG_R1 + 2].mem_size = ebpf_map_get_def(args->map)->value_size;
	r[EBPF_REG_R1 + 3] = *ctx;
}

/*
 * At most how many times the helper calls its callback, given its
 * arguments (Linux ≥ 6.8 bounds the rounds so): bpf_loop's nr_loops (a
 * u32; more than EBPF_MAX_LOOPS makes no call), bpf_for_each_map_elem's
 * max_entries.
 */
static uint64_t callback_round_limit(const struct ebpf_helper *helper, const struct frame *f,
				     const struct call_args *args)
{
	uint64_t nr_loops = f->regs[EBPF_REG_R1].var.umax;

	if (helper->id == EBPF_FUNC_FOR_EACH_MAP_ELEM)
		return ebpf_map_get_def(args->map)->max_entries;
	if (nr_loops > UINT32_MAX)
		nr_loops = UINT32_MAX;
	return nr_loops < EBPF_MAX_LOOPS ? nr_loops : EBPF_MAX_LOOPS;
}

/*
 * A helper call with a callback (the opening comment): the path entering
 * the callback waits as a branch, as in Linux (so that rounds do not pile
 * up pending paths), unless the helper has made all the calls it can;
 * this one returns from the helper.
 */
/* The helper returns: r0 unknown, the rounds of this call over. */
static int return_from_helper(struct verifier *v, struct frame *f)
{
	int r;

	for (r = EBPF_REG_R1; r <= EBPF_NUM_ARG_REGS; r++)
		set_not_init(&f->regs[r]);
	set_scalar(&f->regs[EBPF_REG_R0], scalar_unknown());
	f->callback_chain = 0;
	f->callback_rounds = 0;
	v->insn++;
	return STEP_CONTINUE;
}

static int call_callback(struct verifier *v, const struct ebpf_helper *helper,
			 const struct call_args *args)
{
	struct vstate *entered;
	struct frame *f = cur_frame(v), *callee;
	int err;

	if (args->map && !ebpf_map_type_has_for_each(ebpf_map_get_def(args->map)->type))
		return verifier_reject(v, "callback function not allowed for map");
	if (v->cur->frame_count == EBPF_MAX_CALL_DEPTH)
		return verifier_reject(v, "the call stack of %u frames is too deep",
				       EBPF_MAX_CALL_DEPTH + 1);
	v->cur->after_callback = false;
	if (f->callback_rounds >= callback_round_limit(helper, f, args))
		return return_from_helper(v, f);
	callee = malloc(frame_bytes(STACK_SLOTS));
	entered = verifier_copy_state(v->cur);
	if (!callee || !entered) {
		free(callee);
		verifier_free_state(entered);
		return -ENOMEM;
	}
	verifier_init_frame(callee, v->cur->frame_count, v->insn, args->callback);
	callee->is_callback = true;
	callee->callback_first_id = v->next_id + 1;
	set_callback_args(helper, args, f, callee);
	entered->frames[entered->frame_count++] = callee;
	err = verifier_push_branch(v, entered, v->prog->subprog_start[args->callback]);
	if (err) {
		verifier_free_state(entered);
		return err;
	}
	return return_from_helper(v, f);
}

/*
 * A callback's exit (the opening comment): back to the helper call, to
 * be made again, with nothing of the callback's own left behind.
 */
static int return_from_callback(struct verifier *v)
{
	struct vstate *st = v->cur;
	struct frame *f = cur_frame(v);
	const struct reg_state *r0 = &f->regs[EBPF_REG_R0];
	char text[SCALAR_TEXT_BYTES];
	uint32_t i;
	int err = check_reg_read(v, EBPF_REG_R0);

	if (err)
		return err;
	if (r0->type != REG_SCALAR)
		return verifier_reject(v, "R0 not a scalar value");
	if (r0->var.umax > 1) {
		scalar_format(&r0->var, text, sizeof(text));
		return verifier_reject(v,
				       "At callback return the register R0 has value %s should "
				       "have been in (0x0; 0x1)",
				       text);
	}
	for (i = 0; i < st->ref_count; i++) {
		if (st->refs[i] >= f->callback_first_id)
			return verifier_reject(v, "Unreleased reference id=%u alloc_insn=%u",
					       st->refs[i], st->ref_insns[i]);
	}
	v->insn = f->callsite;
	free(f);
	st->frame_count--;
	cur_frame(v)->callback_rounds++;
	drop_dangling_stack_pointers(st);
	st->after_callback = true;
	return STEP_CONTINUE;
}

/*
 * In a subprogram, a tail call that succeeds returns to the subprogram's
 * caller with the target's r0, a scalar, after the target may have moved
 * the packet data (Linux 6.18's check_helper_call does the same): that
 * is this path, while the failed call's fall-through waits as a branch.
 */
static int tail_call_from_subprogram(struct verifier *v)
{
	struct vstate *failed = verifier_copy_state(v->cur);
	int err;

	if (!failed)
		return -ENOMEM;
	err = verifier_push_branch(v, failed, v->insn + 1);
	if (err) {
		verifier_free_state(failed);
		return err;
	}
	for_each_reg(v->cur, forget_packet_pointer, NULL);
	set_scalar(&cur_frame(v)->regs[EBPF_REG_R0], scalar_unknown());
	return verifier_do_exit(v);
}

int verifier_do_helper_call(struct verifier *v, const struct ebpf_insn *insn)
{
	const struct ebpf_helper *helper = ebpf_helper_find(insn->imm);
	struct call_args args = {0};
	struct frame *f;
	struct reg_state *r0;
	uint64_t record_size = 0;
	int i, err;

	if (!helper)
		return verifier_reject(v, "invalid func unknown#%d", insn->imm);
	if (!(v->prog->type_info->helper_families & helper->family))
		return verifier_reject(v, "program of this type cannot use helper %s#%d",
				       helper->name, helper->id);
	if (v->cur->active_lock && helper->id != EBPF_FUNC_SPIN_UNLOCK)
		return verifier_reject(v, "function calls are not allowed while holding a lock");
	for (i = 0; i < EBPF_NUM_ARG_REGS && helper->args[i] != EBPF_ARG_NONE; i++) {
		err =
		    check_helper_arg(v, helper, (uint8_t)(EBPF_REG_R1 + i), helper->args[i], &args);
		if (err)
			return err;
	}
	/* A successful tail call never returns to release what it holds. */
	if (helper->id == EBPF_FUNC_TAIL_CALL && v->cur->ref_count > 0)
		return verifier_reject(v, "tail_call would lead to reference leak");
	/* A callback's run has a fresh tail call budget: refused, not miscounted. */
	if (helper->id == EBPF_FUNC_TAIL_CALL && verifier_in_callback(v->cur))
		return verifier_reject(v, "tail_call inside a callback is not supported");
	if (args.callback)
		return call_callback(v, helper, &args);
	if (args.lock)
		v->cur->active_lock = helper->id == EBPF_FUNC_SPIN_LOCK ? args.lock : 0;
	if (helper->ret == EBPF_RET_ALLOC_MEM_OR_NULL) {
		const struct reg_state *size = cur_reg(v, EBPF_REG_R1 + 1);

		if (size->type != REG_SCALAR || !scalar_is_const(&size->var) ||
		    size->var.bits.value == 0 || size->var.bits.value >= MAX_VAR_OFF)
			return verifier_reject(v, "R2 is not a known constant'");
		record_size = size->var.bits.value;
	}
	if (returns_reference(helper) && v->cur->ref_count == MAX_REFS)
		return verifier_reject(v, "too many unreleased references (limit %u)", MAX_REFS);
	if (args.release_ref) {
		verifier_release_ref_in_state(v->cur, args.release_ref);
		for_each_reg(v->cur, release_reference, &args.release_ref);
	}
	if (helper->changes_packet_data)
		for_each_reg(v->cur, forget_packet_pointer, NULL);
	f = cur_frame(v);
	for (i = EBPF_REG_R1; i <= EBPF_NUM_ARG_REGS; i++)
		set_not_init(&f->regs[i]);
	r0 = &f->regs[EBPF_REG_R0];
	/*
	 * A tail call that fails falls through with r0 unchanged (the JIT
	 * and interpreter do not write it), so r0 must be set again, as in
	 * Linux where bpf_tail_call returns void.
	 */
	if (helper->id == EBPF_FUNC_TAIL_CALL) {
		set_not_init(r0);
		if (v->cur->frame_count > 1)
			return tail_call_from_subprogram(v);
		v->insn++;
		return STEP_CONTINUE;
	}
	switch (helper->ret) {
	case EBPF_RET_VOID:
		set_not_init(r0);
		break;
	case EBPF_RET_MAP_VALUE_OR_NULL:
		/*
		 * A map-in-map holds maps: what its lookup finds is a map
		 * shaped like its template (Linux's inner_map_meta), whatever
		 * map of that shape the slot holds at run time.
		 */
		if (ebpf_map_inner_meta(args.map)) {
			set_pointer(r0, REG_CONST_PTR_TO_MAP_OR_NULL);
			r0->map = ebpf_map_inner_meta(args.map);
			r0->id = new_id(v);
			break;
		}
		set_pointer(r0, REG_PTR_TO_MAP_VALUE_OR_NULL);
		r0->map = args.map;
		r0->mem_size = ebpf_map_get_def(args.map)->value_size;
		r0->id = new_id(v);
		break;
	case EBPF_RET_ALLOC_MEM_OR_NULL:
		set_pointer(r0, REG_PTR_TO_MEM_OR_NULL);
		r0->mem_size = (uint32_t)record_size;
		verifier_acquire_ref(v, r0);
		break;
	case EBPF_RET_SOCKET_OR_NULL:
		set_pointer(r0, REG_PTR_TO_SOCKET_OR_NULL);
		verifier_acquire_ref(v, r0);
		break;
	case EBPF_RET_SOCK_COMMON_OR_NULL:
		set_pointer(r0, REG_PTR_TO_SOCK_COMMON_OR_NULL);
		verifier_acquire_ref(v, r0);
		break;
	default:
		set_scalar(r0, scalar_unknown());
		break;
	}
	v->insn++;
	return STEP_CONTINUE;
}

/* bpf-to-bpf call: a new frame; r1-r5 pass, the callee's stack is its own. */
int verifier_do_local_call(struct verifier *v, const struct ebpf_insn *insn)
{
	uint32_t target = (uint32_t)ebpf_insn_call_target(insn, v->insn);
	struct vstate *st = v->cur;
	struct frame *caller = cur_frame(v), *callee;
	int r;

	if (st->active_lock)
		return verifier_reject(v, "function calls are not allowed while holding a lock");
	if (st->frame_count == EBPF_MAX_CALL_DEPTH)
		return verifier_reject(v, "the call stack of %u frames is too deep",
				       EBPF_MAX_CALL_DEPTH + 1);
	callee = malloc(frame_bytes(STACK_SLOTS));
	if (!callee)
		return -ENOMEM;
	verifier_init_frame(callee, st->frame_count, v->insn, v->subprog_of[target]);
	for (r = EBPF_REG_R1; r <= EBPF_NUM_ARG_REGS; r++)
		callee->regs[r] = caller->regs[r];
	st->frames[st->frame_count++] = callee;
	v->insn = target;
	return STEP_CONTINUE;
}

int verifier_do_exit(struct verifier *v)
{
	struct vstate *st = v->cur;
	struct frame *f = cur_frame(v);
	const struct reg_state *r0 = &f->regs[EBPF_REG_R0];
	struct frame *caller;
	int r, err;

	/*
	 * A subprogram may return nothing (a void function): its r0, read or
	 * not, goes back to the caller, which may not read it if unset
	 * (Linux's prepare_func_exit). Only the program's own exit needs r0.
	 */
	if (st->active_lock)
		return verifier_reject(v, "bpf_spin_unlock is missing");
	if (f->is_callback)
		return return_from_callback(v);
	if (st->frame_count > 1) {
		if (r0->type == REG_PTR_TO_STACK && r0->frame == st->frame_count - 1)
			return verifier_reject(v, "cannot return stack pointer to the caller");
		caller = st->frames[st->frame_count - 2];
		caller->regs[EBPF_REG_R0] = *r0;
		for (r = EBPF_REG_R1; r <= EBPF_NUM_ARG_REGS; r++)
			set_not_init(&caller->regs[r]);
		v->insn = f->callsite + 1;
		free(f);
		st->frame_count--;
		drop_dangling_stack_pointers(st);
		return STEP_CONTINUE;
	}
	err = check_reg_read(v, EBPF_REG_R0);
	if (err)
		return err;
	if (is_pointer(r0))
		return verifier_reject(v, "R0 leaks addr as return value");
	if (st->ref_count > 0)
		return verifier_reject(v, "Unreleased reference id=%u alloc_insn=%u", st->refs[0],
				       st->ref_insns[0]);
	return STEP_PATH_END;
}
