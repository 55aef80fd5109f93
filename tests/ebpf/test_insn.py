"""Runs every tests/ebpf/insn/*.data program with the interpreter and the JIT
and compares r0 with the expected result."""

import glob
import os

import pytest

from conftest import parse_data_file

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "insn")
DATA_FILES = sorted(glob.glob(os.path.join(DATA_DIR, "*.data")))


def data_id(path):
    return os.path.basename(path)[: -len(".data")]


def test_data_files_exist():
    assert len(DATA_FILES) >= 150


@pytest.mark.parametrize("engine", ["interp", "jit"])
@pytest.mark.parametrize("path", DATA_FILES, ids=data_id)
def test_insn(path, engine, raw_program, run_tool):
    sections = parse_data_file(path)
    args = ["run", "--" + engine, "--raw", raw_program(sections["asm"])]
    if "mem" in sections:
        args += ["--mem", " ".join(sections["mem"].split())]
    proc = run_tool(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == sections["result"].strip()
