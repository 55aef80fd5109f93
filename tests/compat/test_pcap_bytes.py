"""ukbpf run --pcap-bytes: the frame a program leaves, as the compatibility
report (scripts/compat.py) compares it with Linux's BPF_PROG_TEST_RUN data_out:
the bytes from data_meta to data_end, after "INDEX 0xVERDICT". Runs without
root; the programs are progs/pcap_bytes.c, compiled here."""
import struct
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT, compile_bpf, write_pcap

UKBPF = ROOT / "build" / "tools" / "ukbpf"
SOURCE = Path(__file__).parent / "progs" / "pcap_bytes.c"
# <linux/bpf.h> needs <asm/types.h>, which Debian keeps under the multiarch dir.
ENGINES = ["--interp", "--jit"]
XDP_PASS, XDP_TX = 2, 3
ETH_HLEN = 14
META_TAG = struct.pack("<I", 0xa1b2c3d4)
FRAMES = [bytes(range(60)), bytes(range(100, 114)) + b"\xff" * 20]


@pytest.fixture(scope="module")
def obj(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("progs") / "pcap_bytes.o"
    return compile_bpf(SOURCE, out)


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pcap") / "frames.pcap"
    return write_pcap(path, FRAMES)


def run_bytes(engine: str, program: str, capture: str) -> list:
    result = subprocess.run([str(UKBPF), "run", engine, program, "--pcap-bytes", capture],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("engine", ENGINES)
def test_strip_ethernet_prints_the_rest(engine, obj, capture):
    lines = run_bytes(engine, f"{obj}:strip_ethernet", capture)
    assert lines == [f"{i} 0x{XDP_PASS:x} {frame[ETH_HLEN:].hex()}"
                     for i, frame in enumerate(FRAMES)]


@pytest.mark.parametrize("engine", ENGINES)
def test_metadata_comes_first(engine, obj, capture):
    lines = run_bytes(engine, f"{obj}:tag_metadata", capture)
    assert lines == [f"{i} 0x{XDP_PASS:x} {(META_TAG + frame).hex()}"
                     for i, frame in enumerate(FRAMES)]


@pytest.mark.parametrize("engine", ENGINES)
def test_trimmed_tail_is_gone(engine, obj, capture):
    lines = run_bytes(engine, f"{obj}:trim_tail", capture)
    assert lines == [f"{i} 0x{XDP_TX:x} {frame[:-1].hex()}" for i, frame in enumerate(FRAMES)]


def test_pcap_keeps_its_format(obj, capture):
    """--pcap, which other tests parse, still prints only the verdict."""
    result = subprocess.run([str(UKBPF), "run", f"{obj}:trim_tail", "--pcap", capture],
                            capture_output=True, text=True, timeout=20)
    assert result.stdout.splitlines() == [f"{i} 0x{XDP_TX:x}" for i in range(len(FRAMES))]
