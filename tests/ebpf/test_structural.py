"""ebpf_prog_create's structural checks: every rejection exits non-zero with
one line naming the instruction and the reason."""

import struct

import pytest

from asm import insn

LDDW = 0x18
EXIT = insn(0x95)
MOV_R0_0 = insn(0xB7)

CASES = [
    # (id, program: asm text or bytes, expected message after "ukbpf: PATH: ")
    ("unknown_opcode", MOV_R0_0 + insn(0xFF) + EXIT, "insn 1: unknown opcode 0xff"),
    ("unknown_alu_op", insn(0xE7) + EXIT, "insn 0: unknown opcode 0xe7"),
    ("neg_with_register_source", insn(0x8F, 0, 1) + EXIT, "insn 0: unknown opcode 0x8f"),
    ("ja_with_register_source", insn(0x0D) + EXIT, "insn 0: unknown opcode 0x0d"),
    ("exit_in_jmp32", MOV_R0_0 + insn(0x96), "insn 1: unknown opcode 0x96"),
    ("callx", insn(0x8D) + EXIT, "insn 0: unknown opcode 0x8d"),
    ("bswap_register_form", insn(0xDF, imm=16) + EXIT, "insn 0: unknown opcode 0xdf"),
    ("ld_mem_mode", insn(0x61 & ~1) + EXIT, "insn 0: unknown opcode 0x60"),
    ("st_atomic_mode", insn(0xC2 | 0x18) + EXIT, "insn 0: unknown opcode 0xda"),
    ("invalid_dst_register", "r11 = 1\nexit", "insn 0: invalid register r11"),
    ("invalid_src_register", "r0 = 0\nr1 = r12\nexit", "insn 1: invalid register r12"),
    ("invalid_jump_register", "if r13 == 0 goto +0\nexit", "insn 0: invalid register r13"),
    ("invalid_store_base", "*(u64 *)(r15 + 0) = 1\nexit", "insn 0: invalid register r15"),
    ("write_r10_alu", "r10 = 1\nexit", "insn 0: r10 is read-only"),
    ("write_r10_load", "r10 = *(u64 *)(r1 + 0)\nexit", "insn 0: r10 is read-only"),
    ("write_r10_lddw", "r10 = 1 ll\nexit", "insn 0: r10 is read-only"),
    ("write_r10_fetch", "r10 = atomic_fetch_add((u64 *)(r1 + 0), r10)\nexit",
     "insn 0: r10 is read-only"),
    ("lddw_missing_second_half", MOV_R0_0 + EXIT + insn(LDDW, 1),
     "insn 2: lddw is missing its second half"),
    ("lddw_second_half_opcode", insn(LDDW, 1) + insn(0x07) + EXIT,
     "insn 1: invalid second half of lddw"),
    ("lddw_second_half_register", insn(LDDW, 1) + insn(0, 2) + EXIT,
     "insn 1: invalid second half of lddw"),
    ("lddw_unknown_src", insn(LDDW, 1, 3) + insn(0) + EXIT,
     "insn 0: unsupported lddw src_reg 3"),
    ("unknown_map_index", "r1 = map[0] ll\nexit", "insn 0: unknown map index 0 (0 maps)"),
    ("unknown_map_value_index", "r1 = map_value[4] + 8 ll\nexit",
     "insn 0: unknown map index 4 (0 maps)"),
    ("jump_out_of_range", "if r1 == 0 goto +5\nexit",
     "insn 0: jump out of range (target 6, program has 2 insns)"),
    ("jump_before_start", "r0 = 0\ngoto -3\nexit",
     "insn 1: jump out of range (target -1, program has 3 insns)"),
    ("gotol_out_of_range", "gotol +2\nexit",
     "insn 0: jump out of range (target 3, program has 2 insns)"),
    ("jump_into_lddw", "goto +1\nr0 = 1 ll\nexit",
     "insn 0: jump into the middle of lddw at insn 1"),
    ("call_out_of_range", "call pc+7\nexit",
     "insn 0: call out of range (target 8, program has 2 insns)"),
    ("call_into_lddw", "call pc+1\nr0 = 1 ll\nexit",
     "insn 0: call into the middle of lddw at insn 1"),
    ("unknown_helper", "r0 = 0\ncall 999\nexit", "insn 1: unknown helper 999"),
    ("call_kind", insn(0x85, src=2, imm=1) + EXIT, "insn 0: unsupported call kind (src_reg 2)"),
    ("sdiv_bad_offset", insn(0x3F, 0, 1, 2) + EXIT, "insn 0: invalid offset 2 for opcode 0x3f"),
    ("add_with_offset", insn(0x07, 0, 0, 1, 1) + EXIT, "insn 0: invalid offset 1 for opcode 0x07"),
    ("movsx32_from_32", insn(0xBC, 0, 1, 32) + EXIT, "insn 0: invalid offset 32 for opcode 0xbc"),
    ("movsx_immediate", insn(0xB7, 0, 0, 8, 1) + EXIT, "insn 0: invalid offset 8 for opcode 0xb7"),
    ("byte_swap_width", insn(0xDC, 0, 0, 0, 8) + EXIT, "insn 0: invalid byte swap width 8"),
    ("ld_abs_dw", insn(0x38, imm=0) + EXIT,
     "insn 0: legacy packet load cannot be 8 bytes (opcode 0x38)"),
    ("ld_ind_dw", insn(0x58, src=1) + EXIT,
     "insn 0: legacy packet load cannot be 8 bytes (opcode 0x58)"),
    ("ldx_memsx_dw", insn(0x99, 0, 1) + EXIT,
     "insn 0: sign-extending load cannot be 8 bytes (opcode 0x99)"),
    ("atomic_byte", insn(0xD3, 1, 2) + EXIT,
     "insn 0: atomic operation must be 4 or 8 bytes (opcode 0xd3)"),
    ("atomic_half", insn(0xCB, 1, 2) + EXIT,
     "insn 0: atomic operation must be 4 or 8 bytes (opcode 0xcb)"),
    ("atomic_unknown_op", insn(0xDB, 1, 2, 0, 0x10) + EXIT,
     "insn 0: unknown atomic operation 0x10"),
    ("atomic_sub", insn(0xC3, 1, 2, 0, 0x11) + EXIT, "insn 0: unknown atomic operation 0x11"),
    ("empty_program", b"", "program has no instructions"),
    ("falls_off_end", "r0 = 0", "insn 0: last instruction is not exit or goto (falls off the end)"),
    ("ends_in_call", "r0 = 0\ncall 5",
     "insn 1: last instruction is not exit or goto (falls off the end)"),
    ("ends_in_lddw", "r0 = 1 ll",
     "insn 1: last instruction is not exit or goto (falls off the end)"),
    ("ends_in_conditional", "exit\nif r0 == 0 goto -2",
     "insn 1: last instruction is not exit or goto (falls off the end)"),
    ("size_not_multiple_of_8", EXIT + b"\x00\x00\x00\x00", "size 12 is not a multiple of 8 bytes"),
]


@pytest.mark.parametrize("program,message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected(program, message, raw_program, run_tool):
    path = raw_program(program)
    for command in ("run", "dis"):
        proc = run_tool(command, "--raw", path)
        assert proc.returncode == 1
        assert proc.stdout == ""
        assert proc.stderr == "ukbpf: %s: %s\n" % (path, message)


def test_largest_program_accepted_and_one_more_rejected(raw_program, run_tool):
    limit = 1 << 20
    body = insn(0x07, imm=1)  # r0 += 1
    # More than the verifier's budget of processed instructions: a size test only.
    proc = run_tool("run", "--no-verify", "--raw", raw_program(MOV_R0_0 + body * (limit - 2) + EXIT),
                    timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "0x%x\n" % (limit - 2)
    path = raw_program(body * limit + EXIT, "big.bin")
    proc = run_tool("run", "--raw", path, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: %s: program too large (%d insns, limit %d)\n" % (
        path, limit + 1, limit)


def test_last_insn_goto_accepted(raw_program, run_tool):
    proc = run_tool("run", "--raw", raw_program("r0 = 4\ngoto +1\nexit\ngoto -2"))
    assert (proc.returncode, proc.stdout) == (0, "0x4\n")


def test_insn_helper_matches_struct_layout():
    # The tests build invalid encodings with asm.insn; check its layout once.
    assert insn(0x18, 1, 2, -2, -3) == struct.pack("<BBhi", 0x18, 0x21, -2, -3)
