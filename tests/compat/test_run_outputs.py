"""Bytes, maps and config the same way on both sides: `ukbpf run --dump-maps`,
`--set` and `--map-max` against tools/kernel-run's, on the programs of
tests/ebpf/tool_progs/run_output.c, and scripts/compat.py's comparison of
map dumps. The comparison's own tests run anywhere; those that load into the
host kernel need root."""
import glob
import importlib.util
import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

from bootlib import ASM_INCLUDE, ROOT, compile_bpf, write_pcap

UKBPF = ROOT / "build" / "tools" / "ukbpf"
KERNEL_RUN = ROOT / "build" / "tools" / "kernel-run"
SOURCE = ROOT / "tests" / "ebpf" / "tool_progs" / "run_output.c"
SAMPLES = Path.home() / ".cache" / "ukbpf" / "corpus" / "build" / "linux-samples"
FRAMES = [bytes(range(60)), bytes(range(100, 116)), bytes(range(200, 230))]
SIZED = ["--map-max", "sized_at_load=4"]  # libbpf refuses the object without it

needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason="loading programs into the host kernel needs root")


def load_compat():
    spec = importlib.util.spec_from_file_location("compat", ROOT / "scripts" / "compat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compat():
    return load_compat()


@pytest.fixture(scope="module")
def obj(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("progs") / "run_output.o"
    return compile_bpf(SOURCE, out)


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pcap") / "frames.pcap"
    return write_pcap(path, FRAMES)


def linux_run(obj, name, capture, *options, dump=None):
    args = [str(KERNEL_RUN), "run", obj, name, "--pcap", capture, *options]
    return subprocess.run(args + (["--dump-maps", str(dump)] if dump else []),
                          capture_output=True, text=True, timeout=60)


def ukbpf_run(obj, name, capture, *options, dump=None):
    args = [str(UKBPF), "run", "--jit", *options, f"{obj}:{name}", "--pcap-bytes", capture]
    return subprocess.run(args + (["--dump-maps", str(dump)] if dump else []),
                          capture_output=True, text=True, timeout=60)


def retvals(stdout):
    """'INDEX 0xR HEX' lines with r0 cut to Linux's 32-bit retval."""
    out = []
    for line in stdout.splitlines():
        index, verdict, *rest = line.split(" ")
        out.append(" ".join([index, hex(int(verdict, 16) & 0xffffffff), *rest]))
    return out


# ---- the comparison (no root) ---------------------------------------------------------

def test_compare_maps_finds_values_keys_and_records(compat):
    linux = {"h": {"name": "h", "type": "hash", "entries": [{"key": "01", "value": "aa"},
                                                            {"key": "02", "value": "bb"}]},
             "r": {"name": "r", "type": "ringbuf", "records": ["0102"]},
             "p": {"name": "p", "type": "prog_array", "entries": None},
             "only_linux": {"name": "only_linux", "type": "hash", "entries": []}}
    ukbpf = {"h": {"name": "h", "type": "hash", "entries": [{"key": "02", "value": "bb"},
                                                            {"key": "03", "value": "cc"}]},
             "r": {"name": "r", "type": "ringbuf", "records": ["0103"]},
             "p": {"name": "p", "type": "prog_array", "entries": None}}
    diffs = compat.compare_maps(4, "frame-x", linux, ukbpf)
    assert [(d.map, d.key, d.linux, d.ukbpf) for d in diffs] == [
        ("h", "01", "aa", "absent"), ("h", "03", "absent", "cc"), ("r", "", "0102", "0103")]
    assert {(d.index, d.frame) for d in diffs} == {(4, "frame-x")}
    # Walk order does not matter, only contents.
    same = {"h": dict(linux["h"], entries=list(reversed(linux["h"]["entries"])))}
    assert compat.compare_maps(0, "f", {"h": linux["h"]}, same) == []


def test_a_map_difference_is_a_disagreement(compat):
    prog = compat.Program("c", "o-0123456789abcdef.o", "/o.o", "p", "xdp")
    assert prog.agrees
    prog.map_diffs.append(compat.MapDiff(0, "f", "m", "00", "01", "02"))
    assert not prog.agrees
    report = {"objects": [compat.CorpusObject("xdp-tools", "/o.o", "o.c", programs=[prog])],
              "frames": ["f"], "host": {"kernel": "k", "clang": "c", "packages": []},
              "frame_sources": {"generated": 1, "captured": 0, "captures": "",
                                "captures_missing": "none in this test"}}
    prog.linux_loads = prog.ukbpf_loads = True
    prog.frames_compared = 1
    text = compat.markdown(report)
    assert "| `o:p` | 0 | 1 |  | 1 | `m` 00 after f |" in text
    assert "Maps are compared after every frame" in text


def test_loader_settings_are_the_samples_loaders(compat):
    """The five samples whose loaders size maps at run time get sizes for every one."""
    for stem in ("xdp_redirect.bpf", "xdp_redirect_map.bpf", "xdp_redirect_map_multi.bpf",
                 "xdp_router_ipv4.bpf"):
        settings = compat.LOADER_SETTINGS[stem]
        assert settings[settings.index("--set") + 1] == "nr_cpus=1"
        sized = {settings[i + 1].split("=")[0] for i, a in enumerate(settings) if a == "--map-max"}
        assert sized == {"rx_cnt", "redir_err_cnt", "cpumap_enqueue_cnt", "cpumap_kthread_cnt",
                         "exception_cnt", "devmap_xmit_cnt"}
    prog = compat.Program("c", "xdp_redirect_cpu.bpf-0123456789abcdef.o", "/o.o", "p", "xdp")
    assert "cpu_map=1" in prog.settings and "cpus_available=1" in prog.settings


# ---- against the host kernel ---------------------------------------------------------------

@needs_root
def test_maps_after_each_frame_match_linux(compat, obj, capture, tmp_path):
    linux = linux_run(obj, "rewrite", capture, *SIZED, dump=tmp_path / "linux.jsonl")
    ukbpf = ukbpf_run(obj, "rewrite", capture, *SIZED, dump=tmp_path / "ukbpf.jsonl")
    assert linux.returncode == 0, linux.stderr
    assert ukbpf.returncode == 0, ukbpf.stderr
    assert retvals(linux.stdout) == retvals(ukbpf.stdout)
    linux_states = compat._map_states(tmp_path / "linux.jsonl")
    ukbpf_states = compat._map_states(tmp_path / "ukbpf.jsonl")
    assert sorted(linux_states) == sorted(ukbpf_states) == [0, 1, 2]
    for index in range(len(FRAMES)):
        # The same maps by name (libbpf's "obj.rodata" is ".rodata" in the dump).
        assert sorted(linux_states[index]) == sorted(ukbpf_states[index])
        assert compat.compare_maps(index, "", linux_states[index], ukbpf_states[index]) == []
    # Both dumped what the program wrote: the counts, the .bss counter, the records.
    last = linux_states[2]
    assert len(last["frames_by_length"]["entries"]) == 3
    assert last[".bss"]["entries"] == [{"key": "00000000", "value": "03000000"}]
    assert [s["events"]["records"] for _, s in sorted(linux_states.items())] == [
        [struct.pack("<I", len(f)).hex()] for f in FRAMES]


@needs_root
@pytest.mark.parametrize("name,settings", [
    ("configured", []),
    ("configured", ["--set", "drop_all=1"]),
    ("configured", ["--set", "small_signed=-2", "--set", "flag=1"]),
    ("sized", ["--map-max", "sized_at_load=2"]),  # -E2BIG: slot 3 of 2
])
def test_set_and_map_max_act_as_on_linux(name, settings, obj, capture):
    linux = linux_run(obj, name, capture, *SIZED, *settings)
    ukbpf = ukbpf_run(obj, name, capture, *SIZED, *settings)
    assert linux.returncode == ukbpf.returncode == 0, linux.stderr + ukbpf.stderr
    assert retvals(linux.stdout) == retvals(ukbpf.stdout)


@needs_root
def test_rodata_prunes_as_on_linux(obj, capture):
    """Linux's verifier accepts `pruned` while read_past_end is 0 and refuses it
    once set; so does ukbpf's."""
    assert linux_run(obj, "pruned", capture, *SIZED).returncode == 0
    refused = linux_run(obj, "pruned", capture, *SIZED, "--set", "read_past_end=1")
    assert refused.returncode == 1
    assert "invalid access to packet" in refused.stderr
    verify = subprocess.run([str(UKBPF), "verify", *SIZED, "--set", "read_past_end=1",
                             f"{obj}:pruned"], capture_output=True, text=True, timeout=60)
    assert verify.returncode == 1 and "invalid access to packet" in verify.stdout


@needs_root
def test_kernel_run_refuses_unknown_names(obj, capture):
    proc = linux_run(obj, "configured", capture, *SIZED, "--set", "nosuch=1")
    assert proc.returncode == 2
    assert "no variable 'nosuch'" in proc.stderr
    proc = linux_run(obj, "configured", capture, "--map-max", "nosuch=1")
    assert proc.returncode == 2
    assert "no map 'nosuch'" in proc.stderr


@needs_root
@pytest.mark.skipif(not glob.glob(str(SAMPLES / "xdp_redirect.bpf-*.o")),
                    reason="the corpus is not built (scripts/corpus.sh)")
def test_a_sample_sized_by_its_loader_loads_on_both_sides(compat, tmp_path):
    """samples/bpf's xdp_redirect declares its statistics maps with max_entries 0:
    with its loader's settings both sides load it, run it and agree."""
    path = glob.glob(str(SAMPLES / "xdp_redirect.bpf-*.o"))[0]
    prog = compat.Program("linux-samples", Path(path).name, path, "xdp_redirect_prog", "xdp")
    frame_names = compat.ensure_frames()["names"]
    compat.check_program(prog, frame_names)
    assert prog.linux_loads and prog.ukbpf_loads, prog.linux_reason + prog.ukbpf_reason
    assert prog.maps_compared >= len(frame_names) - 1
    assert prog.agrees, prog.diffs[:2] + prog.map_diffs[:2]


PINNED_SOURCE = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} MAP_NAME SEC(".maps");
SEC("xdp") int count(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&MAP_NAME, &key);
	if (n)
		*n += 1;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "GPL";
"""


@needs_root
def test_kernel_run_maps_start_empty_even_when_pinned(capture, tmp_path):
    """xdp-tools pin their maps by name: libbpf would reuse a pinned map with what
    earlier runs counted. kernel-run gives every run fresh maps, as ukbpf's are."""
    name = f"ukbpf_pin_test_{os.getpid()}"
    src = tmp_path / "pinned.c"
    src.write_text(PINNED_SOURCE.replace("MAP_NAME", name))
    obj = tmp_path / "pinned.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I", ASM_INCLUDE, "-c", str(src),
                    "-o", str(obj)], check=True)
    pin = Path("/sys/fs/bpf") / name
    try:
        for _ in range(2):
            dump = tmp_path / "maps.jsonl"
            assert linux_run(str(obj), "count", capture, dump=dump).returncode == 0
            last = json.loads(dump.read_text().splitlines()[-1])
            assert last["maps"][0]["entries"] == [
                {"key": "00000000", "value": struct.pack("<Q", len(FRAMES)).hex()}]
        assert not pin.exists()
    finally:
        if pin.exists():
            pin.unlink()  # left by a kernel-run that pins


CPU_SOURCE = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp") int cpu(struct xdp_md *ctx)
{
	return bpf_get_smp_processor_id();
}
char LICENSE[] SEC("license") = "GPL";
"""


@needs_root
@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 or 1 not in os.sched_getaffinity(0),
                    reason="needs CPUs 0 and 1")
def test_kernel_run_runs_on_cpu_0_dump_or_not(capture, tmp_path):
    """ukbpf is one CPU, CPU 0: the samples key per-CPU maps by
    bpf_get_smp_processor_id, so kernel-run's test runs happen on CPU 0 too,
    even when started on another and without --dump-maps."""
    src = tmp_path / "cpu.c"
    src.write_text(CPU_SOURCE)
    obj = tmp_path / "cpu.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I", ASM_INCLUDE, "-c", str(src),
                    "-o", str(obj)], check=True)
    for dump in (None, tmp_path / "maps.jsonl"):
        args = [str(KERNEL_RUN), "run", str(obj), "cpu", "--pcap", capture]
        run = subprocess.run(args + (["--dump-maps", str(dump)] if dump else []),
                             capture_output=True, text=True, timeout=60,
                             preexec_fn=lambda: os.sched_setaffinity(0, {1}))
        assert run.returncode == 0, run.stderr
        assert [line.split()[1] for line in run.stdout.splitlines()] == ["0x0"] * len(FRAMES)
