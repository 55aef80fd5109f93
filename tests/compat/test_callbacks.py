"""Callbacks (bpf_loop, bpf_for_each_map_elem) and spin locks load, verify and run in the
interpreter and the JIT with the results Linux gives: progs/callbacks.c,
compiled here, run on a few frames through `ukbpf run --pcap-bytes` (a
fresh run, hence fresh maps, per program) and, as root, through the host
kernel's BPF_PROG_TEST_RUN (tools/kernel-run), whose output must be the
same line for line. The expected lines are also spelled out, so the test
means something on a host that refuses bpf()."""
import os
import struct
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT, compile_bpf, write_pcap

UKBPF = ROOT / "build" / "tools" / "ukbpf"
KERNEL_RUN = ROOT / "build" / "tools" / "kernel-run"
SOURCE = Path(__file__).parent / "progs" / "callbacks.c"
ENGINES = ["--interp", "--jit"]
XDP_DROP, XDP_PASS, XDP_TX = 1, 2, 3
EINVAL, E2BIG = 22, 7
FRAMES = [bytes(range(60)), struct.pack("<II", 0, 5) + bytes(52),
          bytes(range(100, 114)) + b"\xff" * 20]


def words(*values):
    return b"".join(struct.pack("<I", v & 0xffffffff) for v in values)


def loop_sum(frame):
    stop = frame[4]
    n = len(frame) if stop == 0 or stop > len(frame) else stop
    return XDP_TX, words(n * (n - 1) // 2, n, -EINVAL, -E2BIG) + frame[16:]


def walk_array(frame, state):
    """counters[k] += k + 1 on each visit, keys 0..7, stopping after stop_key."""
    stop = frame[0] & 0xf
    visited = total = 0
    for k in range(8):
        state[k] += k + 1
        total += state[k]
        visited += 1
        if k == stop:
            break
    return XDP_TX, words(visited, total, visited, -EINVAL) + frame[16:]


def walk_hash(frame, flows):
    flows[frame[0] & 0xf] = frame[4]
    total = sum(k * v for k, v in flows.items())
    return XDP_TX, words(len(flows), total, len(flows)) + frame[12:]


def loop_parse(frame):
    zeros = frame[:64].count(0)
    verdict = XDP_PASS + zeros % 2 if len(frame) >= 64 else XDP_DROP + 2 * (zeros % 2)
    return verdict, frame


def loop_nested(frame):
    n = len(frame)
    return n * (n - 1) // 2 % 5, frame


def lock_count(frame, counters):
    key = frame[0] & 3
    if struct.unpack_from("<I", frame, 4)[0] == 5:
        counters[key] = [100, 7]
    counters[key][0] += 1
    counters[key][1] += len(frame)
    return XDP_TX, words(*counters[key]) + frame[8:]


def expected(program):
    lines, state, flows = [], [0] * 8, {}
    counters = [[0, 0] for _ in range(4)]
    for i, frame in enumerate(FRAMES):
        if program == "lock_count":
            verdict, out = lock_count(frame, counters)
        elif program == "walk_array":
            verdict, out = walk_array(frame, state)
        elif program == "walk_hash":
            verdict, out = walk_hash(frame, flows)
        else:
            verdict, out = globals()[program](frame)
        lines.append(f"{i} 0x{verdict:x} {out.hex()}")
    return lines


PROGRAMS = ["loop_sum", "walk_array", "walk_hash", "loop_parse", "loop_nested", "lock_count"]


@pytest.fixture(scope="module")
def obj(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("progs") / "callbacks.o"
    return compile_bpf(SOURCE, out)


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pcap") / "frames.pcap"
    return write_pcap(path, FRAMES)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("program", PROGRAMS)
def test_ukbpf_runs_callbacks(engine, program, obj, capture):
    result = subprocess.run([str(UKBPF), "run", engine, f"{obj}:{program}", "--pcap-bytes",
                             capture], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected(program)


@pytest.mark.parametrize("program", PROGRAMS)
def test_linux_agrees(program, obj, capture):
    if os.geteuid() != 0 or not KERNEL_RUN.exists():
        pytest.skip("the host kernel oracle needs root and build/tools/kernel-run")
    result = subprocess.run([str(KERNEL_RUN), "run", obj, program, "--pcap", capture],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0 and "Operation not permitted" in result.stderr:
        pytest.skip("this host does not let us load BPF programs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == expected(program)
