"""Smoke test of `make bench-ebpf` (scripts/bench-ebpf.py --quick).

The figures of a quick run mean nothing; what is checked is that every
cell of every table is filled, that each program's r0 is the right one,
and that an engine disagreeing on r0 stops the benchmark.
"""
import os
import re
import stat
import subprocess

import pytest

from bootlib import markdown_table_rows
from conftest import ROOT, UKBPF

SCRIPT = os.path.join(ROOT, "scripts", "bench-ebpf.py")
OUT = os.path.join(ROOT, "build", "bench", "ebpf")
TIMEOUT_S = 40

PROGRAMS = [
    "empty program (fixed cost per run)",
    "drop if IPv4",
    "parse Eth/IPv4/UDP, drop UDP to port 53",
    "64-iteration loop over packet bytes",
    "hash-map counter per IPv4 source",
    "classic BPF 'tcp port 22'",
]
CLASSIC = "classic BPF 'tcp port 22'"
XDP_DROP, XDP_PASS = 1, 2
# The compiled 'tcp port 22' filter rejects (keeps 0 bytes of) a UDP frame.
CBPF_REJECT = 0


def run_bench(env=None):
    return subprocess.run(["/usr/bin/python3", SCRIPT, "--quick"], capture_output=True,
                          text=True, timeout=TIMEOUT_S, env=env)


def positive(cell):
    try:
        return float(cell) > 0
    except ValueError:
        return False


def loop64_expected(frame):
    """bench/ebpf/loop64.c in Python: rotate-left-5-and-xor over 64 bytes, low 16 bits."""
    value = 0
    for byte in frame[:64]:
        value = (((value << 5) | (value >> 27)) & 0xffffffff) ^ byte
    return value & 0xffff


def linux_refuses_bpf():
    """Whether the kernel refuses our programs: the only excuse for an n/a Linux column."""
    pin = f"/sys/fs/bpf/ukbpf_bench_test_{os.getpid()}"
    result = subprocess.run(["bpftool", "prog", "load", os.path.join(OUT, "drop_ipv4.o"), pin],
                            capture_output=True, text=True)
    if result.returncode == 0:
        os.unlink(pin)
    return result.returncode != 0


@pytest.fixture(scope="module")
def bench():
    result = run_bench()
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_machine_info(bench):
    assert re.search(r"^CPU: \S.* \(\d+ CPUs\)$", bench, re.M)
    assert re.search(r"^kernel: Linux \S+", bench, re.M)


def test_every_program_has_every_figure(bench):
    rows = markdown_table_rows(bench, "| program |")
    assert [row[0] for row in rows] == PROGRAMS
    refused = None
    for program, r0, interp, jit, native, linux, jit_native, jit_linux in rows:
        for figure in (interp, jit, native, jit_native):
            assert positive(figure), f"{program}: {figure!r}"
        if program == CLASSIC:
            assert linux == "n/a (classic BPF attaches to sockets)"
            assert jit_linux == "n/a"
        elif not positive(linux):
            if refused is None:
                refused = linux_refuses_bpf()
            assert refused and linux.startswith("n/a ("), f"{program}: Linux {linux!r}"
            assert jit_linux == "n/a"
        else:
            assert positive(jit_linux), f"{program}: {jit_linux!r}"


def test_verdicts_are_the_programs(bench):
    with open(os.path.join(OUT, "frame.bin"), "rb") as f:
        frame = f.read()
    r0 = {row[0]: int(row[1], 16) for row in markdown_table_rows(bench, "| program |")}
    assert r0 == {
        PROGRAMS[0]: XDP_PASS,
        PROGRAMS[1]: XDP_DROP,           # the frame is IPv4
        PROGRAMS[2]: XDP_DROP,           # UDP to port 53
        PROGRAMS[3]: loop64_expected(frame),
        PROGRAMS[4]: XDP_PASS,
        PROGRAMS[5]: CBPF_REJECT,
    }


def test_jit_compile_time(bench):
    rows = markdown_table_rows(bench, "| insns |")
    assert [row[0] for row in rows] == ["1000", "10000", "100000"]
    for row in rows:
        assert all(positive(cell) for cell in row), row


def test_targets_are_judged(bench):
    rows = markdown_table_rows(bench, "| target |")
    judged = PROGRAMS[1:]  # the empty program is the baseline, not judged
    assert [row[1] for row in rows] == judged + judged + [PROGRAMS[2]]
    assert all(row[3] in ("met", "NOT met", "n/a") for row in rows), rows
    assert re.search(r"^\d+ of \d+ targets met", bench, re.M)


def test_disagreeing_engine_stops_the_benchmark(tmp_path):
    """A JIT that returns another r0 than the other engines is a runtime bug."""
    wrong_jit = tmp_path / "ukbpf"
    wrong_jit.write_text(
        "#!/bin/sh\n"
        f"out=$('{UKBPF}' \"$@\") || exit $?\n"
        "case \" $* \" in\n"
        "*' --jit '*) printf '%s\\n' \"$out\" | sed '1s/.*/0x7/' ;;\n"
        "*) printf '%s\\n' \"$out\" ;;\n"
        "esac\n")
    wrong_jit.chmod(wrong_jit.stat().st_mode | stat.S_IXUSR)
    result = run_bench(dict(os.environ, UKBPF=str(wrong_jit)))
    assert result.returncode != 0
    assert "VERDICT MISMATCH on 'empty program (fixed cost per run)' (empty)" in result.stderr
    assert "jit r0=0x7" in result.stderr
