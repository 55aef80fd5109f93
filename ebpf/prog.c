/*
 * Programs: creation with the structural checks every later stage relies
 * on (the interpreter and the JIT switch over a pre-validated program and
 * never re-check encodings), map relocation of lddw, accessors and run
 * dispatch. Semantic safety (memory bounds, termination) is the
 * verifier's job, not this file's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ebpf_internal.h"
#include "insn.h"

#define LDDW_SLOTS    2
#define SWAP_WIDTH_16 16
#define SWAP_WIDTH_32 32
#define SWAP_WIDTH_64 64
/* RFC 9669 §4.1: offset 1 selects SDIV/SMOD; 8/16/32 select MOVSX widths. */
#define ALU_OFFSET_SIGNED 1
#define MOVSX_8		  8
#define MOVSX_16	  16
#define MOVSX_32	  32

/* What the checker knows about the program while scanning it. */
struct prog_check {
	const struct ebpf_insn *insns;
	size_t count;
	/* lddw_tail[i]: insn i is the second slot of an lddw. */
	const bool *lddw_tail;
	const struct ebpf_prog_opts *opts;
	struct ebpf_log *log;
};

static int check_reg(const struct prog_check *pc, size_t i, uint8_t reg, bool written)
{
	if (reg >= EBPF_NUM_REGS) {
		ebpf_log_printf(pc->log, "insn %zu: invalid register r%u", i, reg);
		return -EINVAL;
	}
	if (written && reg == EBPF_REG_FP) {
		ebpf_log_printf(pc->log, "insn %zu: r10 is read-only", i);
		return -EINVAL;
	}
	return 0;
}

static int unknown_opcode(const struct prog_check *pc, size_t i)
{
	ebpf_log_printf(pc->log, "insn %zu: unknown opcode 0x%02x", i, pc->insns[i].opcode);
	return -EINVAL;
}

/* Jump and local-call targets must be real instructions (RFC 9669 §4.3). */
static int check_target(const struct prog_check *pc, size_t i, int64_t rel, const char *what)
{
	int64_t target = (int64_t)i + 1 + rel;

	if (target < 0 || target >= (int64_t)pc->count) {
		ebpf_log_printf(pc->log,
				"insn %zu: %s out of range (target %lld, program has %zu insns)", i,
				what, (long long)target, pc->count);
		return -EINVAL;
	}
	if (pc->lddw_tail[target]) {
		ebpf_log_printf(pc->log, "insn %zu: %s into the middle of lddw at insn %lld", i,
				what, (long long)target - 1);
		return -EINVAL;
	}
	return 0;
}

static int check_alu(const struct prog_check *pc, size_t i)
{
	const struct ebpf_insn *insn = &pc->insns[i];
	bool alu64 = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_ALU64;
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	bool offset_ok = insn->offset == 0;
	int err;

	switch (op) {
	case EBPF_ALU_ADD:
	case EBPF_ALU_SUB:
	case EBPF_ALU_MUL:
	case EBPF_ALU_OR:
	case EBPF_ALU_AND:
	case EBPF_ALU_LSH:
	case EBPF_ALU_RSH:
	case EBPF_ALU_XOR:
	case EBPF_ALU_ARSH:
		break;
	case EBPF_ALU_DIV:
	case EBPF_ALU_MOD:
		offset_ok = insn->offset == 0 || insn->offset == ALU_OFFSET_SIGNED;
		break;
	case EBPF_ALU_MOV:
		/* MOVSX has a register source; 32-bit moves cannot widen from 32. */
		if (uses_src)
			offset_ok = insn->offset == 0 || insn->offset == MOVSX_8 ||
				    insn->offset == MOVSX_16 || (alu64 && insn->offset == MOVSX_32);
		break;
	case EBPF_ALU_NEG:
		if (uses_src)
			return unknown_opcode(pc, i);
		break;
	case EBPF_ALU_END:
		/* §4.2: ALU64 has only the unconditional swap, encoded with K. */
		if (alu64 && uses_src)
			return unknown_opcode(pc, i);
		if (insn->imm != SWAP_WIDTH_16 && insn->imm != SWAP_WIDTH_32 &&
		    insn->imm != SWAP_WIDTH_64) {
			ebpf_log_printf(pc->log, "insn %zu: invalid byte swap width %d", i,
					insn->imm);
			return -EINVAL;
		}
		uses_src = false;
		break;
	default:
		return unknown_opcode(pc, i);
	}
	if (!offset_ok) {
		ebpf_log_printf(pc->log, "insn %zu: invalid offset %d for opcode 0x%02x", i,
				insn->offset, insn->opcode);
		return -EINVAL;
	}
	err = check_reg(pc, i, insn->dst_reg, true);
	if (!err && uses_src)
		err = check_reg(pc, i, insn->src_reg, false);
	return err;
}

static int check_call(const struct prog_check *pc, size_t i)
{
	const struct ebpf_insn *insn = &pc->insns[i];
	const struct ebpf_helper *helper;

	if (insn->src_reg == EBPF_PSEUDO_CALL)
		return check_target(pc, i, insn->imm, "call");
	if (insn->src_reg != EBPF_CALL_HELPER) {
		ebpf_log_printf(pc->log, "insn %zu: unsupported call kind (src_reg %u)", i,
				insn->src_reg);
		return -EINVAL;
	}
	helper = ebpf_helper_find(insn->imm);
	if (!helper) {
		ebpf_log_printf(pc->log, "insn %zu: unknown helper %d", i, insn->imm);
		return -EINVAL;
	}
	if (!helper->fn && insn->imm != EBPF_FUNC_TAIL_CALL) {
		ebpf_log_printf(pc->log, "insn %zu: helper %d (%s) has no implementation", i,
				insn->imm, helper->name);
		return -EINVAL;
	}
	return 0;
}

static int check_jmp(const struct prog_check *pc, size_t i)
{
	const struct ebpf_insn *insn = &pc->insns[i];
	bool jmp32 = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_JMP32;
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	int err;

	switch (insn->opcode & EBPF_OP_MASK) {
	case EBPF_JMP_JA:
		if (uses_src)
			return unknown_opcode(pc, i);
		/* §4.3: JMP32 JA ("gotol") carries its offset in imm. */
		return check_target(pc, i, jmp32 ? insn->imm : insn->offset, "jump");
	case EBPF_JMP_CALL:
		if (jmp32 || uses_src)
			return unknown_opcode(pc, i);
		return check_call(pc, i);
	case EBPF_JMP_EXIT:
		if (jmp32 || uses_src)
			return unknown_opcode(pc, i);
		return 0;
	case EBPF_JMP_JEQ:
	case EBPF_JMP_JGT:
	case EBPF_JMP_JGE:
	case EBPF_JMP_JSET:
	case EBPF_JMP_JNE:
	case EBPF_JMP_JSGT:
	case EBPF_JMP_JSGE:
	case EBPF_JMP_JLT:
	case EBPF_JMP_JLE:
	case EBPF_JMP_JSLT:
	case EBPF_JMP_JSLE:
		break;
	default:
		return unknown_opcode(pc, i);
	}
	err = check_reg(pc, i, insn->dst_reg, false);
	if (!err && uses_src)
		err = check_reg(pc, i, insn->src_reg, false);
	if (!err)
		err = check_target(pc, i, insn->offset, "jump");
	return err;
}

/* RFC 9669 §5.4: the 64-bit immediate load and its map-referring forms. */
static int check_lddw(const struct prog_check *pc, size_t i)
{
	const struct ebpf_insn *insn = &pc->insns[i];
	const struct ebpf_insn *next;
	int err;

	if (i + 1 >= pc->count) {
		ebpf_log_printf(pc->log, "insn %zu: lddw is missing its second half", i);
		return -EINVAL;
	}
	next = &pc->insns[i + 1];
	if (next->opcode != 0 || next->dst_reg != 0 || next->src_reg != 0 || next->offset != 0) {
		ebpf_log_printf(pc->log, "insn %zu: invalid second half of lddw", i + 1);
		return -EINVAL;
	}
	err = check_reg(pc, i, insn->dst_reg, true);
	if (err)
		return err;
	switch (insn->src_reg) {
	case 0:
		return 0;
	case EBPF_PSEUDO_MAP_FD:
	case EBPF_PSEUDO_MAP_VALUE:
		if ((uint32_t)insn->imm >= pc->opts->map_count) {
			ebpf_log_printf(pc->log, "insn %zu: unknown map index %u (%zu maps)", i,
					(uint32_t)insn->imm, pc->opts->map_count);
			return -EINVAL;
		}
		if (insn->src_reg == EBPF_PSEUDO_MAP_FD && next->imm != 0) {
			ebpf_log_printf(pc->log, "insn %zu: map reference with nonzero upper imm",
					i);
			return -EINVAL;
		}
		return 0;
	case EBPF_PSEUDO_FUNC:
		if (next->imm != 0) {
			ebpf_log_printf(pc->log,
					"insn %zu: function reference with nonzero upper imm", i);
			return -EINVAL;
		}
		return check_target(pc, i, insn->imm, "lddw of function");
	default:
		ebpf_log_printf(pc->log, "insn %zu: unsupported lddw src_reg %u", i, insn->src_reg);
		return -EINVAL;
	}
}

static int check_load_store(const struct prog_check *pc, size_t i)
{
	const struct ebpf_insn *insn = &pc->insns[i];
	uint8_t cls = insn->opcode & EBPF_CLS_MASK;
	uint8_t mode = insn->opcode & EBPF_MODE_MASK;
	uint8_t size = insn->opcode & EBPF_SIZE_MASK;
	int err;

	if (cls == EBPF_CLS_LD) {
		if (insn->opcode == EBPF_OP_LDDW)
			return check_lddw(pc, i);
		if (mode != EBPF_MODE_ABS && mode != EBPF_MODE_IND)
			return unknown_opcode(pc, i);
		if (size == EBPF_SIZE_DW) {
			ebpf_log_printf(
			    pc->log,
			    "insn %zu: legacy packet load cannot be 8 bytes (opcode 0x%02x)", i,
			    insn->opcode);
			return -EINVAL;
		}
		return mode == EBPF_MODE_IND ? check_reg(pc, i, insn->src_reg, false) : 0;
	}
	if (cls == EBPF_CLS_LDX) {
		if (mode != EBPF_MODE_MEM && mode != EBPF_MODE_MEMSX)
			return unknown_opcode(pc, i);
		if (mode == EBPF_MODE_MEMSX && size == EBPF_SIZE_DW) {
			ebpf_log_printf(
			    pc->log,
			    "insn %zu: sign-extending load cannot be 8 bytes (opcode 0x%02x)", i,
			    insn->opcode);
			return -EINVAL;
		}
		err = check_reg(pc, i, insn->dst_reg, true);
		return err ? err : check_reg(pc, i, insn->src_reg, false);
	}
	if (cls == EBPF_CLS_ST) {
		if (mode != EBPF_MODE_MEM)
			return unknown_opcode(pc, i);
		return check_reg(pc, i, insn->dst_reg, false);
	}
	/* EBPF_CLS_STX */
	if (mode == EBPF_MODE_ATOMIC) {
		bool writes_src;

		if (size != EBPF_SIZE_W && size != EBPF_SIZE_DW) {
			ebpf_log_printf(
			    pc->log,
			    "insn %zu: atomic operation must be 4 or 8 bytes (opcode 0x%02x)", i,
			    insn->opcode);
			return -EINVAL;
		}
		switch (insn->imm) {
		case EBPF_ATOMIC_ADD:
		case EBPF_ATOMIC_OR:
		case EBPF_ATOMIC_AND:
		case EBPF_ATOMIC_XOR:
		case EBPF_ATOMIC_CMPXCHG:
			writes_src = false;
			break;
		case EBPF_ATOMIC_ADD | EBPF_ATOMIC_FETCH:
		case EBPF_ATOMIC_OR | EBPF_ATOMIC_FETCH:
		case EBPF_ATOMIC_AND | EBPF_ATOMIC_FETCH:
		case EBPF_ATOMIC_XOR | EBPF_ATOMIC_FETCH:
		case EBPF_ATOMIC_XCHG:
			writes_src = true;
			break;
		default:
			ebpf_log_printf(pc->log, "insn %zu: unknown atomic operation 0x%x", i,
					(uint32_t)insn->imm);
			return -EINVAL;
		}
		err = check_reg(pc, i, insn->dst_reg, false);
		return err ? err : check_reg(pc, i, insn->src_reg, writes_src);
	}
	if (mode != EBPF_MODE_MEM)
		return unknown_opcode(pc, i);
	err = check_reg(pc, i, insn->dst_reg, false);
	return err ? err : check_reg(pc, i, insn->src_reg, false);
}

static int check_insn(const struct prog_check *pc, size_t i)
{
	switch (pc->insns[i].opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		return check_alu(pc, i);
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		return check_jmp(pc, i);
	default:
		return check_load_store(pc, i);
	}
}

static int check_program(const struct ebpf_insn *insns, size_t count,
			 const struct ebpf_prog_opts *opts, struct ebpf_log *log)
{
	struct prog_check pc = {.insns = insns, .count = count, .opts = opts, .log = log};
	bool *lddw_tail;
	size_t i;
	int err = 0;

	lddw_tail = calloc(count, sizeof(*lddw_tail));
	if (!lddw_tail)
		return -ENOMEM;
	for (i = 0; i + 1 < count; i++) {
		if (insns[i].opcode == EBPF_OP_LDDW)
			lddw_tail[++i] = true;
	}
	pc.lddw_tail = lddw_tail;
	for (i = 0; i < count && !err; i++) {
		if (!lddw_tail[i])
			err = check_insn(&pc, i);
	}
	/* RFC 9669 §4.3: execution must never run past the last instruction. */
	if (!err && (lddw_tail[count - 1] || !ebpf_insn_is_unconditional_end(&insns[count - 1]))) {
		ebpf_log_printf(
		    log, "insn %zu: last instruction is not exit or goto (falls off the end)",
		    count - 1);
		err = -EINVAL;
	}
	free(lddw_tail);
	return err;
}

/* Replaces map indices in pseudo lddw with the addresses they stand for. */
static void resolve_map_references(struct ebpf_prog *prog)
{
	size_t i;

	for (i = 0; i + 1 < prog->insn_count; i++) {
		struct ebpf_insn *insn = &prog->insns[i];
		uintptr_t addr;

		if (insn->opcode != EBPF_OP_LDDW)
			continue;
		if (insn->src_reg == EBPF_PSEUDO_MAP_FD)
			addr = (uintptr_t)prog->maps[(uint32_t)insn->imm];
		else if (insn->src_reg == EBPF_PSEUDO_MAP_VALUE)
			addr = (uintptr_t)ebpf_map_value_addr(prog->maps[(uint32_t)insn->imm],
							      (uint32_t)insn[1].imm);
		else
			addr = 0;
		/* A function reference keeps its relative target (the engines make the callback).
		 */
		if (insn->src_reg == EBPF_PSEUDO_MAP_FD || insn->src_reg == EBPF_PSEUDO_MAP_VALUE) {
			insn[0].imm = (int32_t)(uint32_t)((uint64_t)addr);
			insn[1].imm = (int32_t)(uint32_t)((uint64_t)addr >> 32);
		}
		i++;
	}
}

static int compare_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The interpreter's callbacks, one per subprogram (only those some lddw
 * names are ever used): what its lddw of a function loads.
 */
static int make_interp_callbacks(struct ebpf_prog *prog)
{
	size_t k;

	prog->interp_callbacks = calloc(prog->subprog_count, sizeof(*prog->interp_callbacks));
	if (!prog->interp_callbacks)
		return -ENOMEM;
	for (k = 0; k < prog->subprog_count; k++)
		prog->interp_callbacks[k] =
		    (struct ebpf_callback){.call = ebpf_interp_call_callback,
					   .prog = prog,
					   .insn = prog->subprog_start[k]};
	return 0;
}

/*
 * prog's subprogram starts: 0 and every local call's or function
 * reference's target, ascending, once each.
 */
static int find_subprogs(struct ebpf_prog *prog)
{
	uint32_t *start = malloc((prog->insn_count + 1) * sizeof(*start));
	size_t i, n = 1, unique = 1;

	if (!start)
		return -ENOMEM;
	start[0] = 0;
	for (i = 0; i < prog->insn_count; i += ebpf_insn_slots(&prog->insns[i]))
		if (ebpf_insn_is_local_call(&prog->insns[i]) ||
		    ebpf_insn_is_func_ref(&prog->insns[i]))
			start[n++] = (uint32_t)ebpf_insn_call_target(&prog->insns[i], i);
	qsort(start, n, sizeof(*start), compare_u32);
	for (i = 1; i < n; i++)
		if (start[i] != start[unique - 1])
			start[unique++] = start[i];
	prog->subprog_start = start;
	prog->subprog_count = unique;
	return make_interp_callbacks(prog);
}

size_t ebpf_prog_subprog_index(const struct ebpf_prog *prog, uint32_t insn)
{
	size_t lo = 0, hi = prog->subprog_count;

	/* the last start not above insn; subprog_start[0] is 0 */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (prog->subprog_start[mid] <= insn)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The table entry of a type ukbpf runs; else the log says why not. */
static int runnable_type(enum ebpf_prog_type type, const struct ebpf_prog_type_info **info,
			 struct ebpf_log *log)
{
	*info = ebpf_prog_type_info(type);
	if (*info)
		return 0;
	if (ebpf_prog_type_known(type)) {
		ebpf_log_printf(log, "program type %s (%d) is not supported by ukbpf",
				ebpf_prog_type_name(type), (int)type);
		return -ENOTSUP;
	}
	ebpf_log_printf(log, "unknown program type %d", (int)type);
	return -EINVAL;
}

int ebpf_prog_create(const struct ebpf_insn *insns, size_t count, const struct ebpf_prog_opts *opts,
		     struct ebpf_prog **progp, struct ebpf_log *log)
{
	static const struct ebpf_prog_opts default_opts = {.type = EBPF_PROG_TYPE_UNSPEC};
	const struct ebpf_prog_type_info *type_info;
	struct ebpf_prog *prog;
	int err;

	*progp = NULL;
	if (!opts)
		opts = &default_opts;
	err = runnable_type(opts->type, &type_info, log);
	if (err)
		return err;
	if (count == 0) {
		ebpf_log_printf(log, "program has no instructions");
		return -EINVAL;
	}
	if (count > EBPF_MAX_INSNS) {
		ebpf_log_printf(log, "program too large (%zu insns, limit %u)", count,
				EBPF_MAX_INSNS);
		return -E2BIG;
	}
	if (opts->map_count > 0 && !opts->maps) {
		ebpf_log_printf(log, "map_count is %zu but maps is NULL", opts->map_count);
		return -EINVAL;
	}
	err = check_program(insns, count, opts, log);
	if (err)
		return err;

	prog = calloc(1, sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	prog->insns = malloc(count * sizeof(*insns));
	if (opts->map_count > 0)
		prog->maps = malloc(opts->map_count * sizeof(*prog->maps));
	if (!prog->insns || (opts->map_count > 0 && !prog->maps)) {
		ebpf_prog_free(prog);
		return -ENOMEM;
	}
	memcpy(prog->insns, insns, count * sizeof(*insns));
	prog->insn_count = count;
	if (opts->map_count > 0)
		memcpy(prog->maps, opts->maps, opts->map_count * sizeof(*prog->maps));
	prog->map_count = opts->map_count;
	prog->type = opts->type;
	prog->expected_attach_type = opts->expected_attach_type;
	prog->type_info = type_info;
	snprintf(prog->name, sizeof(prog->name), "%s", opts->name ? opts->name : "");
	resolve_map_references(prog);
	err = find_subprogs(prog);
	if (err) {
		ebpf_prog_free(prog);
		return err;
	}
	*progp = prog;
	return 0;
}

/*
 * The structural checks do not depend on the type, so the copy keeps
 * prog's checked instructions (their map references already resolved to
 * the same borrowed maps) and its function starts.
 */
int ebpf_prog_copy_as(const struct ebpf_prog *prog, enum ebpf_prog_type type,
		      enum ebpf_attach_type expected_attach_type, struct ebpf_prog **progp,
		      struct ebpf_log *log)
{
	const struct ebpf_prog_type_info *type_info;
	struct ebpf_prog *copy;
	int err;

	*progp = NULL;
	err = runnable_type(type, &type_info, log);
	if (err)
		return err;
	copy = calloc(1, sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy->name, prog->name, sizeof(copy->name));
	copy->type = type;
	copy->expected_attach_type = expected_attach_type;
	copy->type_info = type_info;
	copy->insns = malloc(prog->insn_count * sizeof(*copy->insns));
	copy->subprog_start = malloc(prog->subprog_count * sizeof(*copy->subprog_start));
	if (prog->map_count > 0)
		copy->maps = malloc(prog->map_count * sizeof(*copy->maps));
	if (!copy->insns || !copy->subprog_start || (prog->map_count > 0 && !copy->maps)) {
		ebpf_prog_free(copy);
		return -ENOMEM;
	}
	memcpy(copy->insns, prog->insns, prog->insn_count * sizeof(*copy->insns));
	copy->insn_count = prog->insn_count;
	memcpy(copy->subprog_start, prog->subprog_start,
	       prog->subprog_count * sizeof(*copy->subprog_start));
	copy->subprog_count = prog->subprog_count;
	if (prog->map_count > 0)
		memcpy(copy->maps, prog->maps, prog->map_count * sizeof(*copy->maps));
	copy->map_count = prog->map_count;
	err = make_interp_callbacks(copy);
	if (err) {
		ebpf_prog_free(copy);
		return err;
	}
	*progp = copy;
	return 0;
}

void ebpf_prog_free(struct ebpf_prog *prog)
{
	const struct ebpf_platform *platform = ebpf_get_platform();

	if (!prog)
		return;
	if (prog->jit_code && platform->exec_free)
		platform->exec_free(prog->jit_code, prog->jit_size);
	free(prog->jit_callbacks);
	free(prog->interp_callbacks);
	free(prog->subprog_start);
	free(prog->maps);
	free(prog->insns);
	free(prog);
}

const char *ebpf_prog_get_name(const struct ebpf_prog *prog)
{
	return prog->name;
}

enum ebpf_prog_type ebpf_prog_get_type(const struct ebpf_prog *prog)
{
	return prog->type;
}

enum ebpf_attach_type ebpf_prog_get_expected_attach_type(const struct ebpf_prog *prog)
{
	return prog->expected_attach_type;
}

const struct ebpf_insn *ebpf_prog_get_insns(const struct ebpf_prog *prog, size_t *count)
{
	*count = prog->insn_count;
	return prog->insns;
}

uint64_t ebpf_prog_run(const struct ebpf_prog *prog, void *ctx, size_t ctx_len)
{
	if (prog->jit_entry)
		return prog->jit_entry(ctx, ctx_len);
	return ebpf_prog_run_interp(prog, ctx, ctx_len);
}

ebpf_jit_fn ebpf_prog_get_jit_fn(const struct ebpf_prog *prog)
{
	return prog->jit_entry;
}
