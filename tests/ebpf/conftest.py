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


def parse_data_file(path):
    """Splits a '-- section' data file into {section: text}; '#' lines before
    the first section are the description."""
    sections, name, lines = {}, None, []
    with open(path) as f:
        for line in f:
            if line.startswith("-- "):
                if name:
                    sections[name] = "".join(lines)
                name, lines = line[3:].strip(), []
            elif name:
                lines.append(line)
            elif line.strip() and not line.startswith("#"):
                raise ValueError("%s: text before the first section" % path)
    if name:
        sections[name] = "".join(lines)
    return sections


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
