"""Runs every tests/ebpf/insn/*.data program with the interpreter and the JIT
and compares r0 with the expected result.

`ukbpf run` verifies first. ISA programs that read r1's memory (the `--mem`
convention: a size known only at run time) cannot verify and run with
--no-verify; so do the few below that exercise what the verifier refuses on
purpose. Every other one must pass the verifier too."""

import glob
import os

import pytest

from conftest import parse_data_file

DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "insn")
DATA_FILES = sorted(glob.glob(os.path.join(DATA_DIR, "*.data")))


# Not meant to be verifiable: name -> the verifier's reason for refusing it.
TOO_DEEP = "the call stack of 9 frames is too deep"  # recursion
UNVERIFIABLE = {
    "call_local_depth_exceeded": TOO_DEEP,
    "call_local_depth_max": TOO_DEEP,
    "call_local_recursive_stack": TOO_DEEP,
    "call_local_own_stack": "unreachable insn 5",
    "call_local_preserves_r6_r9": "unreachable insn 10",
    "exit_early": "unreachable insn 2",
    "gotol_forward": "unreachable insn 2",
    "ja_forward": "unreachable insn 2",
    "lddw_jump_over": "unreachable insn 2",
}


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
    if "mem" in sections or data_id(path) in UNVERIFIABLE:
        args.append("--no-verify")
    proc = run_tool(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == sections["result"].strip()



@pytest.mark.parametrize("name", sorted(UNVERIFIABLE))
def test_unverifiable_programs_are_refused(name, raw_program, run_tool):
    """Keeps UNVERIFIABLE honest: each listed program is refused, for its reason."""
    sections = parse_data_file(os.path.join(DATA_DIR, name + ".data"))
    proc = run_tool("verify", "--raw", raw_program(sections["asm"]))
    assert proc.returncode == 1
    assert UNVERIFIABLE[name] in proc.stdout
