/*
 * The verifier's log and abstract state (verifier_internal.h): rejections
 * in the form of Linux's verifier log, and the copies of a state kept at
 * branches and prune points.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier_internal.h"

#define LOG_LINE_BYTES 160
#define REG_TEXT_BYTES 256

const char *const verifier_reg_type_names[] = {
    [REG_NOT_INIT] = "?",
    [REG_SCALAR] = "scalar",
    [REG_PTR_TO_CTX] = "ctx",
    [REG_PTR_TO_PACKET] = "pkt",
    [REG_PTR_TO_PACKET_META] = "pkt_meta",
    [REG_PTR_TO_PACKET_END] = "pkt_end",
    [REG_PTR_TO_MAP_VALUE] = "map_value",
    [REG_PTR_TO_MAP_VALUE_OR_NULL] = "map_value_or_null",
    [REG_PTR_TO_STACK] = "fp",
    [REG_CONST_PTR_TO_MAP] = "map_ptr",
    [REG_PTR_TO_MEM] = "mem",
    [REG_PTR_TO_MEM_OR_NULL] = "mem_or_null",
    [REG_PTR_TO_XDP_SOCK] = "xdp_sock",
    [REG_CONST_PTR_TO_MAP_OR_NULL] = "map_ptr_or_null",
    [REG_PTR_TO_SOCK_COMMON] = "sock_common",
    [REG_PTR_TO_SOCK_COMMON_OR_NULL] = "sock_common_or_null",
    [REG_PTR_TO_SOCKET] = "sock",
    [REG_PTR_TO_SOCKET_OR_NULL] = "sock_or_null",
    [REG_PTR_TO_FUNC] = "func",
    [REG_PTR_TO_MAP_KEY] = "map_key",
};

/* ---- logging --------------------------------------------------------------- */

static void format_reg(const struct reg_state *reg, char *buf, size_t size)
{
	char var[REG_VAR_BYTES];

	scalar_format(&reg->var, var, sizeof(var));
	switch (reg->type) {
	case REG_SCALAR:
		if (reg->id)
			snprintf(buf, size, "%s(id=%u)", var, reg->id);
		else
			snprintf(buf, size, "%s", var);
		break;
	case REG_PTR_TO_STACK:
		snprintf(buf, size, "fp%u%+d", reg->frame, reg->off);
		break;
	default:
		snprintf(buf, size, "%s(id=%u,off=%d,r=%u,var=%s)",
			 verifier_reg_type_names[reg->type], reg->id, reg->off, reg->range, var);
		break;
	}
}

void verifier_log_insn(struct verifier *v, uint32_t index)
{
	char text[LOG_LINE_BYTES];

	ebpf_disassemble(v->insns, v->count, index, text, sizeof(text));
	ebpf_log_printf(v->log, "%u: (%02x) %s\n", index, v->insns[index].opcode, text);
}

void verifier_log_state(struct verifier *v)
{
	const struct frame *f = v->cur->frames[v->cur->frame_count - 1];
	char text[REG_TEXT_BYTES];
	int r;

	ebpf_log_printf(v->log, "   frame%u:", v->cur->frame_count - 1);
	for (r = 0; r < EBPF_NUM_REGS; r++) {
		if (f->regs[r].type == REG_NOT_INIT)
			continue;
		format_reg(&f->regs[r], text, sizeof(text));
		ebpf_log_printf(v->log, " R%d=%s", r, text);
	}
	for (r = 0; r < STACK_SLOTS; r++) {
		int off = r * REG_SIZE - EBPF_STACK_SIZE;

		if (f->stack[r * REG_SIZE] == STACK_SPILL) {
			format_reg(&f->spills[spill_index(r)], text, sizeof(text));
			ebpf_log_printf(v->log, " fp%d=%s", off, text);
		} else if (f->stack[r * REG_SIZE] == STACK_MISC) {
			ebpf_log_printf(v->log, " fp%d=misc", off);
		}
	}
	ebpf_log_printf(v->log, "\n");
}

int verifier_reject(struct verifier *v, const char *fmt, ...)
{
	char reason[LOG_LINE_BYTES * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (v->insn < v->count)
		verifier_log_insn(v, v->insn);
	ebpf_log_printf(v->log, "%s\n", reason);
	if (v->cur)
		verifier_log_state(v);
	return -EACCES;
}

/* ---- state helpers --------------------------------------------------------- */

void verifier_free_state(struct vstate *st)
{
	uint32_t i;

	if (!st)
		return;
	for (i = 0; i < st->frame_count; i++)
		free(st->frames[i]);
	free(st);
}

struct vstate *verifier_copy_state(const struct vstate *src)
{
	struct vstate *st = malloc(sizeof(*st));
	uint32_t i;

	if (!st)
		return NULL;
	*st = *src;
	for (i = 0; i < src->frame_count; i++) {
		size_t bytes = frame_bytes(src->frames[i]->used_slots);

		st->frames[i] = malloc(bytes);
		if (!st->frames[i]) {
			st->frame_count = i;
			verifier_free_state(st);
			return NULL;
		}
		memcpy(st->frames[i], src->frames[i], bytes);
	}
	return st;
}

int verifier_make_writable(struct vstate *st)
{
	uint32_t i;

	for (i = 0; i < st->frame_count; i++) {
		struct frame *f = realloc(st->frames[i], frame_bytes(STACK_SLOTS));

		if (!f)
			return -ENOMEM;
		st->frames[i] = f;
	}
	return 0;
}

void verifier_init_frame(struct frame *f, uint32_t frame_index, uint32_t callsite, uint32_t subprog)
{
	int r;

	memset(f, 0, frame_bytes(STACK_SLOTS));
	for (r = 0; r < EBPF_NUM_REGS; r++)
		set_not_init(&f->regs[r]);
	set_pointer(&f->regs[EBPF_REG_FP], REG_PTR_TO_STACK);
	f->regs[EBPF_REG_FP].frame = frame_index;
	f->callsite = callsite;
	f->subprog = subprog;
}

void verifier_acquire_ref(struct verifier *v, struct reg_state *r0)
{
	struct vstate *st = v->cur;

	r0->id = new_id(v);
	r0->ref_id = r0->id;
	st->refs[st->ref_count] = r0->id;
	st->ref_insns[st->ref_count] = v->insn;
	st->ref_count++;
}

void verifier_release_ref_in_state(struct vstate *st, uint32_t ref)
{
	uint32_t i;

	for (i = 0; i < st->ref_count; i++) {
		if (st->refs[i] != ref)
			continue;
		st->ref_count--;
		st->refs[i] = st->refs[st->ref_count];
		st->ref_insns[i] = st->ref_insns[st->ref_count];
		return;
	}
}
