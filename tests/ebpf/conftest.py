"""Fixtures for the eBPF tests: the ukbpf tool and data-file helpers."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
# UKBPF in the environment selects another build of the tool (e.g. a mutant).
UKBPF = os.environ.get("UKBPF", os.path.join(ROOT, "build", "tools", "ukbpf"))

sys.path.insert(0, HERE)
import asm  # noqa: E402
from casefile import parse_data_file  # noqa: E402,F401 (tests import it from here)


@pytest.fixture(scope="session")
def ukbpf():
    """Path of build/tools/ukbpf, built if missing."""
    if not os.path.exists(UKBPF):
        subprocess.run(["make", "-s", "build/tools/ukbpf"], cwd=ROOT, check=True)
    return UKBPF


@pytest.fixture
def raw_program(tmp_path):
    """Assembles text (or takes bytes) into a --raw file; returns its path."""
    def make(program, name="prog.bin"):
        path = tmp_path / name
        path.write_bytes(program if isinstance(program, bytes) else asm.assemble(program))
        return str(path)
    return make


@pytest.fixture
def run_tool(ukbpf):
    """Runs ukbpf with args; returns the CompletedProcess (text mode)."""
    def run(*args, timeout=20):
        return subprocess.run([ukbpf, *args], capture_output=True, text=True, timeout=timeout)
    return run
