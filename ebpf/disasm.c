/*
 * Disassembly in the syntax llvm-objdump -d prints for BPF (LLVM ≥ 17 for
 * the cpu v4 forms). Where LLVM's text loses information or has no form,
 * ours differs, so that tests/ebpf/asm.py can assemble every line back to
 * the same instruction:
 *   - local calls print "call pc+N" (Linux verifier style; LLVM: "call N"),
 *   - LD_IND prints its immediate: "r0 = *(u8 *)skb[r2 + 4]",
 *   - pseudo lddw prints "r1 = map[IDX] ll" and "r1 = map_value[IDX] + OFF ll",
 *     and a function reference (a callback) "r1 = func pc+N ll"
 *     (LLVM: "ld_pseudo r1, 1, IDX"); after ebpf_prog_create resolved the
 *     map, map[...] shows the address,
 *   - jumps print no "<label>".
 */
#include <stdio.h>

#include "ebpf_internal.h"
#include "insn.h"

static const char *const alu_op_text[] = {
    [EBPF_ALU_ADD >> 4] = "+=",	 [EBPF_ALU_SUB >> 4] = "-=",  [EBPF_ALU_MUL >> 4] = "*=",
    [EBPF_ALU_DIV >> 4] = "/=",	 [EBPF_ALU_OR >> 4] = "|=",   [EBPF_ALU_AND >> 4] = "&=",
    [EBPF_ALU_LSH >> 4] = "<<=", [EBPF_ALU_RSH >> 4] = ">>=", [EBPF_ALU_MOD >> 4] = "%=",
    [EBPF_ALU_XOR >> 4] = "^=",	 [EBPF_ALU_MOV >> 4] = "=",   [EBPF_ALU_ARSH >> 4] = "s>>=",
};

static const char *const jmp_op_text[] = {
    [EBPF_JMP_JEQ >> 4] = "==",	  [EBPF_JMP_JGT >> 4] = ">",	[EBPF_JMP_JGE >> 4] = ">=",
    [EBPF_JMP_JSET >> 4] = "&",	  [EBPF_JMP_JNE >> 4] = "!=",	[EBPF_JMP_JSGT >> 4] = "s>",
    [EBPF_JMP_JSGE >> 4] = "s>=", [EBPF_JMP_JLT >> 4] = "<",	[EBPF_JMP_JLE >> 4] = "<=",
    [EBPF_JMP_JSLT >> 4] = "s<",  [EBPF_JMP_JSLE >> 4] = "s<=",
};

static const char *const size_bits[] = {
    [EBPF_SIZE_W >> 3] = "32",
    [EBPF_SIZE_H >> 3] = "16",
    [EBPF_SIZE_B >> 3] = "8",
    [EBPF_SIZE_DW >> 3] = "64",
};

#define ALU_SIGNED_OFFSET  1
#define SWAP_WIDTH_16	   16
#define SWAP_WIDTH_32	   32
#define SWAP_WIDTH_64	   64
#define OP_INDEX(opcode)   (((opcode)&EBPF_OP_MASK) >> 4)
#define SIZE_INDEX(opcode) (((opcode)&EBPF_SIZE_MASK) >> 3)

static void print_invalid(const struct ebpf_insn *insn, char *buf, size_t size)
{
	snprintf(buf, size, "<invalid opcode 0x%02x>", insn->opcode);
}

/* "r1 + 4" / "r1 - 4": the address of a memory operand. */
static void format_address(char *out, size_t size, uint8_t reg, int16_t offset)
{
	snprintf(out, size, "r%u %c %d", reg, offset < 0 ? '-' : '+',
		 offset < 0 ? -(int)offset : (int)offset);
}

static bool valid_swap_width(int32_t width)
{
	return width == SWAP_WIDTH_16 || width == SWAP_WIDTH_32 || width == SWAP_WIDTH_64;
}

static void disassemble_alu(const struct ebpf_insn *insn, char *buf, size_t size)
{
	char width = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_ALU64 ? 'r' : 'w';
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	uint8_t op = insn->opcode & EBPF_OP_MASK;
	const char *sign = "";

	if ((op == EBPF_ALU_NEG && uses_src) ||
	    (op == EBPF_ALU_END && (!valid_swap_width(insn->imm) || (width == 'r' && uses_src)))) {
		print_invalid(insn, buf, size);
		return;
	}
	if (op == EBPF_ALU_NEG) {
		snprintf(buf, size, "%c%u = -%c%u", width, insn->dst_reg, width, insn->dst_reg);
		return;
	}
	if (op == EBPF_ALU_END) {
		const char *kind = width == 'r' ? "bswap" : uses_src ? "be" : "le";

		snprintf(buf, size, "r%u = %s%d r%u", insn->dst_reg, kind, insn->imm,
			 insn->dst_reg);
		return;
	}
	if (!alu_op_text[OP_INDEX(insn->opcode)]) {
		print_invalid(insn, buf, size);
		return;
	}
	if (op == EBPF_ALU_MOV && uses_src && insn->offset != 0) {
		snprintf(buf, size, "%c%u = (s%d)%c%u", width, insn->dst_reg, insn->offset, width,
			 insn->src_reg);
		return;
	}
	if ((op == EBPF_ALU_DIV || op == EBPF_ALU_MOD) && insn->offset == ALU_SIGNED_OFFSET)
		sign = "s";
	if (uses_src)
		snprintf(buf, size, "%c%u %s%s %c%u", width, insn->dst_reg, sign,
			 alu_op_text[OP_INDEX(insn->opcode)], width, insn->src_reg);
	else
		snprintf(buf, size, "%c%u %s%s %d", width, insn->dst_reg, sign,
			 alu_op_text[OP_INDEX(insn->opcode)], insn->imm);
}

static void disassemble_jmp(const struct ebpf_insn *insn, char *buf, size_t size)
{
	char width = (insn->opcode & EBPF_CLS_MASK) == EBPF_CLS_JMP ? 'r' : 'w';
	bool uses_src = (insn->opcode & EBPF_SRC_MASK) == EBPF_SRC_X;
	const char *op_text = jmp_op_text[OP_INDEX(insn->opcode)];

	switch (insn->opcode) {
	case EBPF_OP_JA:
		snprintf(buf, size, "goto %+d", insn->offset);
		return;
	case EBPF_OP_JA32:
		snprintf(buf, size, "gotol %+d", insn->imm);
		return;
	case EBPF_OP_EXIT:
		snprintf(buf, size, "exit");
		return;
	case EBPF_OP_CALL:
		if (insn->src_reg == EBPF_PSEUDO_CALL)
			snprintf(buf, size, "call pc%+d", insn->imm);
		else
			snprintf(buf, size, "call %d", insn->imm);
		return;
	}
	if (!op_text || (insn->opcode & EBPF_OP_MASK) == EBPF_JMP_JA) {
		print_invalid(insn, buf, size);
		return;
	}
	if (uses_src)
		snprintf(buf, size, "if %c%u %s %c%u goto %+d", width, insn->dst_reg, op_text,
			 width, insn->src_reg, insn->offset);
	else
		snprintf(buf, size, "if %c%u %s %d goto %+d", width, insn->dst_reg, op_text,
			 insn->imm, insn->offset);
}

static void disassemble_lddw(const struct ebpf_insn *insn, char *buf, size_t size)
{
	uint64_t value = ebpf_insn_lddw_imm64(insn);

	switch (insn->src_reg) {
	case 0:
		snprintf(buf, size, "r%u = %lld ll", insn->dst_reg, (long long)value);
		break;
	case EBPF_PSEUDO_MAP_FD:
		snprintf(buf, size, value >> 32 ? "r%u = map[0x%llx] ll" : "r%u = map[%llu] ll",
			 insn->dst_reg, (unsigned long long)value);
		break;
	case EBPF_PSEUDO_MAP_VALUE:
		snprintf(buf, size, "r%u = map_value[%u] + %u ll", insn->dst_reg,
			 (uint32_t)insn[0].imm, (uint32_t)insn[1].imm);
		break;
	case EBPF_PSEUDO_FUNC:
		snprintf(buf, size, "r%u = func pc%+d ll", insn->dst_reg, insn->imm);
		break;
	default:
		snprintf(buf, size, "<invalid lddw src_reg %u>", insn->src_reg);
		break;
	}
}

static void disassemble_atomic(const struct ebpf_insn *insn, char *buf, size_t size)
{
	static const char *const fetch_names[] = {
	    [EBPF_ATOMIC_ADD >> 4] = "add",
	    [EBPF_ATOMIC_OR >> 4] = "or",
	    [EBPF_ATOMIC_AND >> 4] = "and",
	    [EBPF_ATOMIC_XOR >> 4] = "xor",
	};
	bool is64 = (insn->opcode & EBPF_SIZE_MASK) == EBPF_SIZE_DW;
	char width = is64 ? 'r' : 'w';
	const char *bits = is64 ? "64" : "32";
	const char *xchg_suffix = is64 ? "" : "32";
	int32_t op = insn->imm & ~EBPF_ATOMIC_FETCH;
	char addr[32];

	format_address(addr, sizeof(addr), insn->dst_reg, insn->offset);
	if (insn->imm == EBPF_ATOMIC_XCHG) {
		snprintf(buf, size, "%c%u = xchg%s_%s(%s, %c%u)", width, insn->src_reg, xchg_suffix,
			 bits, addr, width, insn->src_reg);
	} else if (insn->imm == EBPF_ATOMIC_CMPXCHG) {
		snprintf(buf, size, "%c0 = cmpxchg%s_%s(%s, %c0, %c%u)", width, xchg_suffix, bits,
			 addr, width, width, insn->src_reg);
	} else if (op < 0 || (size_t)(op >> 4) >= sizeof(fetch_names) / sizeof(fetch_names[0]) ||
		   !fetch_names[op >> 4] || (op & 0xf) != 0) {
		snprintf(buf, size, "<invalid atomic operation 0x%x>", (uint32_t)insn->imm);
	} else if (insn->imm & EBPF_ATOMIC_FETCH) {
		snprintf(buf, size, "%c%u = atomic_fetch_%s((u%s *)(%s), %c%u)", width,
			 insn->src_reg, fetch_names[op >> 4], bits, addr, width, insn->src_reg);
	} else {
		snprintf(buf, size, "lock *(u%s *)(%s) %s %c%u", bits, addr, alu_op_text[op >> 4],
			 width, insn->src_reg);
	}
}

static void disassemble_load_store(const struct ebpf_insn *insn, char *buf, size_t size)
{
	const char *bits = size_bits[SIZE_INDEX(insn->opcode)];
	uint8_t mode = insn->opcode & EBPF_MODE_MASK;
	bool is64 = (insn->opcode & EBPF_SIZE_MASK) == EBPF_SIZE_DW;
	char addr[32];

	/* Legacy packet loads and sign-extending loads have no 8-byte form. */
	if (is64 && (mode == EBPF_MODE_ABS || mode == EBPF_MODE_IND || mode == EBPF_MODE_MEMSX)) {
		print_invalid(insn, buf, size);
		return;
	}
	switch (insn->opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_LD:
		if (mode == EBPF_MODE_ABS)
			snprintf(buf, size, "r0 = *(u%s *)skb[%d]", bits, insn->imm);
		else if (mode == EBPF_MODE_IND && insn->imm == 0)
			snprintf(buf, size, "r0 = *(u%s *)skb[r%u]", bits, insn->src_reg);
		else if (mode == EBPF_MODE_IND)
			snprintf(buf, size, "r0 = *(u%s *)skb[r%u %c %lld]", bits, insn->src_reg,
				 insn->imm < 0 ? '-' : '+',
				 insn->imm < 0 ? -(long long)insn->imm : (long long)insn->imm);
		else
			print_invalid(insn, buf, size);
		return;
	case EBPF_CLS_LDX:
		format_address(addr, sizeof(addr), insn->src_reg, insn->offset);
		if (mode == EBPF_MODE_MEM || mode == EBPF_MODE_MEMSX)
			snprintf(buf, size, "r%u = *(%c%s *)(%s)", insn->dst_reg,
				 mode == EBPF_MODE_MEM ? 'u' : 's', bits, addr);
		else
			print_invalid(insn, buf, size);
		return;
	case EBPF_CLS_ST:
		format_address(addr, sizeof(addr), insn->dst_reg, insn->offset);
		if (mode == EBPF_MODE_MEM)
			snprintf(buf, size, "*(u%s *)(%s) = %d", bits, addr, insn->imm);
		else
			print_invalid(insn, buf, size);
		return;
	default: /* EBPF_CLS_STX */
		format_address(addr, sizeof(addr), insn->dst_reg, insn->offset);
		if (mode == EBPF_MODE_MEM)
			snprintf(buf, size, "*(u%s *)(%s) = r%u", bits, addr, insn->src_reg);
		else if (mode == EBPF_MODE_ATOMIC)
			disassemble_atomic(insn, buf, size);
		else
			print_invalid(insn, buf, size);
		return;
	}
}

size_t ebpf_disassemble(const struct ebpf_insn *insns, size_t count, size_t index, char *buf,
			size_t size)
{
	const struct ebpf_insn *insn;

	if (index >= count)
		return 0;
	insn = &insns[index];
	if (insn->opcode == EBPF_OP_LDDW) {
		if (index + 1 >= count) {
			snprintf(buf, size, "<lddw without second half>");
			return 1;
		}
		disassemble_lddw(insn, buf, size);
		return 2;
	}
	switch (insn->opcode & EBPF_CLS_MASK) {
	case EBPF_CLS_ALU:
	case EBPF_CLS_ALU64:
		disassemble_alu(insn, buf, size);
		break;
	case EBPF_CLS_JMP:
	case EBPF_CLS_JMP32:
		disassemble_jmp(insn, buf, size);
		break;
	default:
		disassemble_load_store(insn, buf, size);
		break;
	}
	return 1;
}
