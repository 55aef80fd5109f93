"""The assembler and the disassembler agree: every test program assembles,
disassembles with `ukbpf dis`, and comes back as the same text."""

import os

import pytest

import asm
from conftest import parse_data_file
from test_insn import DATA_FILES, data_id


def canonical_lines(text):
    return [line for line in (asm.clean_line(raw) for raw in text.splitlines()) if line]


@pytest.mark.parametrize("path", DATA_FILES, ids=data_id)
def test_roundtrip(path, raw_program, run_tool):
    source = parse_data_file(path)["asm"]
    proc = run_tool("dis", "--raw", raw_program(source))
    assert proc.returncode == 0, proc.stderr
    dis_lines = [line.split(": ", 1)[1] for line in proc.stdout.splitlines()]
    assert dis_lines == canonical_lines(source)
    assert asm.assemble(proc.stdout) == asm.assemble(source)


def test_dis_indexes_count_lddw_as_two(raw_program, run_tool):
    proc = run_tool("dis", "--raw", raw_program("r0 = 1 ll\nr0 += 1\nexit"))
    assert proc.stdout == "0: r0 = 1 ll\n2: r0 += 1\n3: exit\n"
