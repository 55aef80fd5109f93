"""The compatibility corpus against the host kernel (scripts/compat.py, docs/compat.md).

Builds the corpus (scripts/corpus.sh: xdp-tools' objects, Linux 6.1's XDP
selftests and samples, from Debian; cached) and checks, for every XDP program:
  - where Linux and ukbpf both load it, the same verdict, output bytes and
    maps after every frame of scripts/compat_frames.py, generated ones and
    real ones from tcpdump's test captures (ukbpf's JIT against
    BPF_PROG_TEST_RUN);
  - ukbpf accepts every program the host kernel accepts;
  - ukbpf accepts no program the host kernel refuses (a safety check).
Known exceptions are listed below, one entry per program with the reason; each
is also its own xfail test, which passes once the cause is fixed (then delete
the entry). Skipped without root, bpftool or kernel BTF, and when a cold
cache cannot fetch Debian's packages.
"""
import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT

COMPAT_PY = ROOT / "scripts" / "compat.py"

# Where both load but the runs differ: "object:program" -> why. (None today.)
KNOWN_DIFFERENCES = {}

# ukbpf accepts, the host kernel refuses, and ukbpf is wrong: "object:program" -> why.
KNOWN_UNSAFE = {}

# Linux loads, ukbpf refuses, and no ukbpf change could remove the cause
# (a kfunc into a Linux subsystem, say): "object:program" -> why. (None today.)
UNREMOVABLE_REFUSALS = {}

# libbpf creates every map of an object before it loads any program, so when
# the kernel refuses one map (a max_entries of 0 that the sample's own loader
# sets at run time, an invalid inner map) Linux never judges the programs;
# ukbpf loads each program that does not use that map. Such a refusal says
# nothing about the program's safety.
LINUX_MAP_REFUSAL = re.compile(r"^map: failed to create")

# ukbpf accepts, the host kernel refuses, and the host kernel is the odd one:
# this machine's kernel refuses bpf_xdp_adjust_meta in every XDP program (a
# one-line program calling it is refused too), which upstream Linux allows.
HOST_KERNEL_REFUSES = {
    "test_xdp_context_test_run:xdp_context": "bpf_xdp_adjust_meta refused by the host kernel",
    "test_xdp_do_redirect:xdp_redirect": "bpf_xdp_adjust_meta refused by the host kernel",
    "xdp2skb_meta_kern:_xdp_mark": "bpf_xdp_adjust_meta refused by the host kernel",
}

# One program for the check that tools/kernel-run runs programs as bpftool
# does: the only program of its object (bpftool loads them all) and it
# changes the frame (it trims 20 bytes off the tail and returns XDP_TX).
BPFTOOL_CHECK = "test_xdp_adjust_tail_shrink:_xdp_adjust_tail_shrink"
BPFFS = Path("/sys/fs/bpf")

# What the corpus holds today (scripts/corpus.sh): a smaller corpus means
# the fetch or the build lost something.
MIN_OBJECTS = {"xdp-tools": 15, "linux-selftests": 27, "linux-samples": 13}
# Frames of tcpdump 4.99.3's captures that compat_frames picks: its limit, met
# with thousands to spare.
MIN_CAPTURED_FRAMES = 300


def load_compat():
    spec = importlib.util.spec_from_file_location("compat", COMPAT_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def skip_reason():
    if os.geteuid() != 0:
        return "loading programs into the host kernel needs root"
    if shutil.which("bpftool") is None:
        return "no bpftool (Debian package bpftool)"
    if not Path("/sys/kernel/btf/vmlinux").exists():
        return "the host kernel has no BTF (/sys/kernel/btf/vmlinux)"
    return None


pytestmark = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


@pytest.fixture(scope="module")
def compat():
    return load_compat()


@pytest.fixture(scope="module")
def report(compat):
    for tool in (compat.UKBPF, compat.KERNEL_RUN):
        assert tool.exists(), f"{tool} missing: make builds it"
    try:
        return compat.check_corpus(os.cpu_count() or 1)
    except compat.CorpusError as error:
        message = str(error)
        fetching = ("step xdp-tools failed", "step linux failed", "step resolve failed")
        if any(step in message for step in fetching):
            pytest.skip(f"cannot fetch the corpus from Debian: {message}")
        raise


def programs(report):
    return [p for o in report["objects"] for p in o.programs]


def by_key(report):
    return {p.key: p for p in programs(report)}


def test_corpus_builds(report):
    objects = report["objects"]
    unbuilt = [f"{o.source}: {o.build_error}" for o in objects if o.build_error]
    unopened = [f"{o.source}: {o.open_error}" for o in objects if o.open_error]
    assert not unbuilt, "objects that did not build:\n" + "\n".join(unbuilt)
    assert not unopened, "objects libbpf cannot open:\n" + "\n".join(unopened)
    for corpus, least in MIN_OBJECTS.items():
        count = sum(1 for o in objects if o.corpus == corpus)
        assert count >= least, f"{corpus}: {count} objects, expected at least {least}"
    sources = report["frame_sources"]
    assert sources["generated"] > 40
    if not sources["captures"]:
        pytest.skip(f"tcpdump's captures could not be fetched: {sources['captures_missing']}")
    assert sources["captured"] >= MIN_CAPTURED_FRAMES
    assert len(set(report["frames"])) == len(report["frames"])
    captured = report["frames"][sources["generated"] - 1:-1]  # before the 13-byte frame
    assert all(re.fullmatch(r"[\w.+-]+\.pcap#\d+", name) for name in captured), captured[:5]


def refused_by_linux(compat) -> int:
    """Frames of the report's pcap that Linux's test run refuses (shorter
    than an Ethernet header)."""
    return sum(1 for data in compat.frames_module().read_pcap(compat.FRAMES_PCAP)[1]
               if len(data) < compat.frames_module().ETH_HLEN)


def test_the_oracle_runs_frames(report, compat):
    """Linux test-ran the frames of every program both load, except those of
    devmap/cpumap sections, which BPF_PROG_TEST_RUN refuses, and the frames
    shorter than an Ethernet header."""
    both = [p for p in programs(report) if p.both_load]
    assert len(both) >= 20
    refused = refused_by_linux(compat)
    assert refused == 1  # the generated 13-byte frame; the captures' are picked >= 14
    for prog in both:
        if "/devmap" in prog.section or "/cpumap" in prog.section:
            continue
        assert prog.frames_linux_refused == refused, prog.key
        assert prog.frames_compared == len(report["frames"]) - refused, prog.key
        # Maps after every frame up to the first Linux refuses: those go last.
        assert prog.maps_compared == len(report["frames"]) - refused, prog.key


def test_samples_sized_by_their_loaders_load(report, compat):
    """samples/bpf's redirect and router programs declare maps with max_entries 0
    that their loaders size: given those sizes (compat.LOADER_SETTINGS) Linux
    loads every XDP program of them."""
    sized = [p for p in programs(report) if p.stem in compat.LOADER_SETTINGS]
    assert len(sized) >= 12
    refused = [f"{p.key}: {p.linux_reason}" for p in sized if not p.linux_loads]
    assert not refused, "\n".join(refused)


def test_kernel_run_runs_as_bpftool_does(report, compat, tmp_path):
    """The oracle is BPF_PROG_TEST_RUN either way: tools/kernel-run's verdict
    and output bytes for a frame are `bpftool prog run`'s."""
    if not BPFFS.is_dir():
        pytest.skip(f"no bpffs at {BPFFS} to pin the program for bpftool")
    prog = by_key(report)[BPFTOOL_CHECK]
    frame = tmp_path / "frame.bin"
    frame.write_bytes(compat.frame_bytes(0))
    out = tmp_path / "out.bin"
    pin = BPFFS / f"ukbpf-compat-{os.getpid()}"
    subprocess.run(["bpftool", "prog", "load", prog.path, str(pin)], check=True,
                   capture_output=True)
    try:
        run = subprocess.run(["bpftool", "prog", "run", "pinned", str(pin), "data_in", str(frame),
                              "data_out", str(out)], check=True, capture_output=True, text=True)
    finally:
        pin.unlink()
    retval = int(re.search(r"Return value: (\d+)", run.stdout + run.stderr).group(1))
    linux = subprocess.run([str(compat.KERNEL_RUN), "run", prog.path, prog.name, "--pcap",
                            str(compat.FRAMES_PCAP)], capture_output=True, text=True, check=True)
    first = linux.stdout.splitlines()[0]
    assert first == f"0 0x{retval:x} {out.read_bytes().hex()}"
    assert len(out.read_bytes()) < len(frame.read_bytes()), "the check program trims frames"


def _describe(prog) -> str:
    lines = [f"{prog.key}: {len(prog.diffs)} of {prog.frames_compared} frames differ, "
             f"{len(prog.map_diffs)} map entries after {prog.maps_compared} frames"]
    for diff in prog.diffs[:3]:
        lines += [f"  frame {diff.index} ({diff.frame})",
                  f"    linux {diff.linux[:120]}", f"    ukbpf {diff.ukbpf[:120]}"]
    for diff in prog.map_diffs[:3]:
        lines += [f"  map {diff.map} key {diff.key or '(records)'} after frame {diff.index} "
                  f"({diff.frame})", f"    linux {diff.linux[:120]}", f"    ukbpf {diff.ukbpf[:120]}"]
    return "\n".join(lines)


def test_where_both_load_they_agree(report):
    """Verdicts, output bytes and maps after each frame."""
    differ = [p for p in programs(report) if not p.agrees and p.key not in KNOWN_DIFFERENCES]
    assert not differ, "\n".join(_describe(p) for p in differ)


def test_ukbpf_loads_what_linux_loads(report, compat):
    """Issue 11's bar: every XDP program the host kernel's verifier accepts,
    ukbpf's accepts too, unless listed above with a reason it cannot fix."""
    refused = [f"{p.key}: {compat.normalise(p.ukbpf_reason, p.name)}" for p in programs(report)
               if p.linux_loads and not p.ukbpf_loads and p.key not in UNREMOVABLE_REFUSALS]
    assert not refused, "Linux loads, ukbpf refuses:\n" + "\n".join(refused)


def test_ukbpf_accepts_nothing_linux_refuses(report, compat):
    known = set(KNOWN_UNSAFE) | set(HOST_KERNEL_REFUSES)
    unsafe = [f"{p.key}: Linux: {compat.normalise(p.linux_reason)}" for p in programs(report)
              if p.ukbpf_loads and not p.linux_loads and p.key not in known
              and not LINUX_MAP_REFUSAL.match(compat.normalise(p.linux_reason))]
    assert not unsafe, "ukbpf accepts what Linux refuses:\n" + "\n".join(unsafe)


@pytest.mark.parametrize("key", [
    pytest.param(key, marks=pytest.mark.xfail(reason=f"{key}: {why}"))
    for key, why in sorted({**KNOWN_DIFFERENCES, **KNOWN_UNSAFE}.items())
])
def test_known_gap(report, key):
    """Each known gap alone: passes once fixed (then remove its entry above)."""
    prog = by_key(report).get(key)
    assert prog is not None, f"{key} is no longer in the corpus"
    assert prog.agrees, _describe(prog)
    assert not (prog.ukbpf_loads and not prog.linux_loads), \
        f"ukbpf accepts {key}; Linux refuses it: {prog.linux_reason}"
