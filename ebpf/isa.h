/*
 * eBPF instruction encoding constants, named as in RFC 9669 §3-§5.
 * Private to ebpf/ and to host tools that build instructions (tests).
 */
#ifndef UKBPF_EBPF_ISA_H
#define UKBPF_EBPF_ISA_H

/* Instruction classes (RFC 9669 §3.3), the low 3 bits of the opcode. */
#define EBPF_CLS_MASK  0x07
#define EBPF_CLS_LD    0x00
#define EBPF_CLS_LDX   0x01
#define EBPF_CLS_ST    0x02
#define EBPF_CLS_STX   0x03
#define EBPF_CLS_ALU   0x04
#define EBPF_CLS_JMP   0x05
#define EBPF_CLS_JMP32 0x06
#define EBPF_CLS_ALU64 0x07

/* Arithmetic and jump instructions (§4): source bit and operation. */
#define EBPF_SRC_MASK 0x08
#define EBPF_SRC_K    0x00 /* use imm */
#define EBPF_SRC_X    0x08 /* use src_reg */
#define EBPF_OP_MASK  0xf0

#define EBPF_ALU_ADD  0x00
#define EBPF_ALU_SUB  0x10
#define EBPF_ALU_MUL  0x20
#define EBPF_ALU_DIV  0x30 /* offset 1: SDIV */
#define EBPF_ALU_OR   0x40
#define EBPF_ALU_AND  0x50
#define EBPF_ALU_LSH  0x60
#define EBPF_ALU_RSH  0x70
#define EBPF_ALU_NEG  0x80
#define EBPF_ALU_MOD  0x90 /* offset 1: SMOD */
#define EBPF_ALU_XOR  0xa0
#define EBPF_ALU_MOV  0xb0 /* offset 8/16/32: MOVSX */
#define EBPF_ALU_ARSH 0xc0
#define EBPF_ALU_END  0xd0 /* byte swap; source bit selects to-BE/to-LE */

#define EBPF_JMP_JA   0x00
#define EBPF_JMP_JEQ  0x10
#define EBPF_JMP_JGT  0x20
#define EBPF_JMP_JGE  0x30
#define EBPF_JMP_JSET 0x40
#define EBPF_JMP_JNE  0x50
#define EBPF_JMP_JSGT 0x60
#define EBPF_JMP_JSGE 0x70
#define EBPF_JMP_CALL 0x80
#define EBPF_JMP_EXIT 0x90
#define EBPF_JMP_JLT  0xa0
#define EBPF_JMP_JLE  0xb0
#define EBPF_JMP_JSLT 0xc0
#define EBPF_JMP_JSLE 0xd0

/* Load and store instructions (§5): size and mode. */
#define EBPF_SIZE_MASK	 0x18
#define EBPF_SIZE_W	 0x00 /* 4 bytes */
#define EBPF_SIZE_H	 0x08 /* 2 bytes */
#define EBPF_SIZE_B	 0x10 /* 1 byte */
#define EBPF_SIZE_DW	 0x18 /* 8 bytes */
#define EBPF_MODE_MASK	 0xe0
#define EBPF_MODE_IMM	 0x00 /* lddw */
#define EBPF_MODE_ABS	 0x20 /* legacy packet access */
#define EBPF_MODE_IND	 0x40 /* legacy packet access */
#define EBPF_MODE_MEM	 0x60
#define EBPF_MODE_MEMSX	 0x80 /* sign-extending load */
#define EBPF_MODE_ATOMIC 0xc0

/* Atomic operations (§5.3), in imm. */
#define EBPF_ATOMIC_ADD	    0x00
#define EBPF_ATOMIC_OR	    0x40
#define EBPF_ATOMIC_AND	    0x50
#define EBPF_ATOMIC_XOR	    0xa0
#define EBPF_ATOMIC_FETCH   0x01
#define EBPF_ATOMIC_XCHG    (0xe0 | EBPF_ATOMIC_FETCH)
#define EBPF_ATOMIC_CMPXCHG (0xf0 | EBPF_ATOMIC_FETCH)

/* lddw src_reg values (§5.4). */
#define EBPF_PSEUDO_MAP_FD	  1
#define EBPF_PSEUDO_MAP_IDX	  5
#define EBPF_PSEUDO_MAP_VALUE	  2
#define EBPF_PSEUDO_MAP_IDX_VALUE 6
/* Linux's BPF_PSEUDO_FUNC: a callback's address, imm = its first insn relative to the next. */
#define EBPF_PSEUDO_FUNC 4

/* call src_reg values (§4.3.1). */
#define EBPF_CALL_HELPER 0
#define EBPF_PSEUDO_CALL 1 /* bpf-to-bpf local call, imm = relative target */

/* Whole opcodes used often enough to name. */
#define EBPF_OP_LDDW (EBPF_CLS_LD | EBPF_MODE_IMM | EBPF_SIZE_DW) /* 0x18 */
#define EBPF_OP_CALL (EBPF_CLS_JMP | EBPF_JMP_CALL)		  /* 0x85 */
#define EBPF_OP_EXIT (EBPF_CLS_JMP | EBPF_JMP_EXIT)		  /* 0x95 */
#define EBPF_OP_JA   (EBPF_CLS_JMP | EBPF_JMP_JA)		  /* 0x05 */
#define EBPF_OP_JA32 (EBPF_CLS_JMP32 | EBPF_JMP_JA)		  /* 0x06: gotol */

/* §4.1: shift counts are masked to the operand width (as Linux and x86 do). */
#define EBPF_SHIFT_MASK_64 63
#define EBPF_SHIFT_MASK_32 31

/* Register roles (§2.1 calling convention): r1-r5 carry a call's arguments. */
#define EBPF_NUM_ARG_REGS 5
#define EBPF_REG_R0	  0
#define EBPF_REG_R1	  1
#define EBPF_REG_R2	  2
#define EBPF_REG_R3	  3
#define EBPF_REG_R4	  4
#define EBPF_REG_R6	  6
#define EBPF_REG_FP	  10

#endif /* UKBPF_EBPF_ISA_H */
