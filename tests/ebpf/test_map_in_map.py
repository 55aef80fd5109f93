"""Map-in-map (ARRAY_OF_MAPS, HASH_OF_MAPS) from real clang objects.

tests/ebpf/progs/map_in_map.c declares outer maps with libbpf's
`__array(values, struct inner)` and static initializers; each program
encodes what every call returned in r0, and count_by_frame picks an inner
array by the frame's first byte and counts into it, so a run over several
frames shows which table each frame reached. `ukbpf run` must give the
expected results with the interpreter and the JIT; where the host lets
root load BPF, Linux loads the same object and must return the same
(bpftool for single runs, tools/kernel-run for the frames in order).

Broken definitions, compiled here from BAD below, must be refused with
a message naming the map, and Linux (libbpf) refuses each of them too.
map_in_map_parity.c puts the same maps into the same slots through
Linux's bpf(2) and through ukbpf's API and compares every errno. The
map semantics in detail are in tests/unit/test_ebpf_map_of_maps.c,
the verifier's in tests/ebpf/verifier (inner_map_*, outer_map_*,
map_in_map_*).
"""

import os
import struct
import subprocess

import pytest

from linux_oracle import BPFFS, linux_can_load
from test_verifier import CLANG

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = os.path.join(HERE, "progs", "map_in_map.c")
KERNEL_RUN = os.path.join(ROOT, "build", "tools", "kernel-run")
XDP_DROP, XDP_PASS, XDP_TX = 1, 2, 3
PARITY_SKIPPED = 77  # map_in_map_parity.c's exit when the host creates no BPF maps

# program: r0 (see each program's comment in map_in_map.c)
EXPECTED = {
    "use_array_of_maps": 171111,
    "use_hash_of_maps": 143,
    "find_perf_event_array": XDP_PASS,
}

# count_by_frame: the first byte picks by_index's slot (& 3); the count in
# that table's slot 2 decides: 1 PASS, more TX, no table DROP.
FRAMES = [b"\x00", b"\x00", b"\x01", b"\x02", b"\x06", b"\x04"]
FRAME_VERDICTS = [XDP_PASS, XDP_TX, XDP_DROP, XDP_PASS, XDP_TX, XDP_TX]


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("map_in_map") / "map_in_map.o")
    subprocess.run(CLANG + ["-c", SOURCE, "-o", out], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    path = tmp_path_factory.mktemp("map_in_map_packet") / "packet"
    path.write_bytes(bytes(64))
    return str(path)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    path = tmp_path_factory.mktemp("map_in_map_pcap") / "frames.pcap"
    data = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for first in FRAMES:
        frame = first + bytes(59)
        data += [struct.pack("<IIII", 0, 0, len(frame), len(frame)), frame]
    path.write_bytes(b"".join(data))
    return str(path)


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
@pytest.mark.parametrize("prog", sorted(EXPECTED))
def test_ukbpf_runs(obj, packet, prog, engine, run_tool):
    result = run_tool("run", engine, "%s:%s" % (obj, prog), "--packet", packet)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [hex(EXPECTED[prog])]


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_frames_count_into_the_table_they_pick(obj, capture, engine, run_tool):
    result = run_tool("run", engine, "%s:count_by_frame" % obj, "--pcap", capture)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["%d 0x%x" % (i, v) for i, v in enumerate(FRAME_VERDICTS)]


def test_info_shows_outer_maps(obj, run_tool):
    info = run_tool("info", obj)
    assert info.returncode == 0, info.stderr
    inner = "      inner: type array  key 4  value 8  max_entries 4  flags 0x0\n"
    assert "by_index  type array_of_maps  key 4  value 4  max_entries 4  flags 0x0\n" + inner \
        in info.stdout
    assert "by_hash  type hash_of_maps  key 4  value 4  max_entries 8  flags 0x0\n" + inner \
        in info.stdout


@pytest.fixture(scope="module")
def linux_loaded(obj):
    """Loads obj into Linux; yields the directory its programs are pinned in."""
    if not linux_can_load():
        pytest.skip("needs root, bpftool and /sys/fs/bpf")
    progs = os.path.join(BPFFS, "ukbpf_map_in_map_progs")
    subprocess.run(["rm", "-rf", progs], check=True)
    load = subprocess.run(["bpftool", "prog", "loadall", obj, progs, "type", "xdp"],
                          capture_output=True, text=True, timeout=60)
    if load.returncode != 0:
        subprocess.run(["rm", "-rf", progs])
        if "Operation not permitted" in load.stderr:
            pytest.skip("this host does not let us load BPF programs")
        pytest.fail("Linux refused map_in_map.o:\n" + load.stderr[-4000:])
    yield progs
    subprocess.run(["rm", "-rf", progs])


@pytest.mark.parametrize("prog", sorted(EXPECTED))
def test_linux_returns_the_same(linux_loaded, packet, prog):
    run = subprocess.run(["bpftool", "prog", "run", "pinned", os.path.join(linux_loaded, prog),
                          "data_in", packet], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert "Return value: %d," % EXPECTED[prog] in run.stdout


def test_kernel_run_sizes_an_inner_perf_event_array(obj, packet):
    """libbpf 1.1 leaves an inner perf event array at 0 entries, which Linux
    refuses; kernel-run sizes it per CPU as later libbpf does."""
    if not linux_can_load() or not os.path.exists(KERNEL_RUN):
        pytest.skip("needs root, /sys/fs/bpf and build/tools/kernel-run")
    linux = subprocess.run([KERNEL_RUN, "run", obj, "find_perf_event_array"],
                           capture_output=True, text=True, timeout=60)
    assert linux.returncode == 0, linux.stderr


def test_linux_counts_the_frames_the_same(obj, capture, run_tool):
    if not linux_can_load() or not os.path.exists(KERNEL_RUN):
        pytest.skip("needs root, /sys/fs/bpf and build/tools/kernel-run")
    linux = subprocess.run([KERNEL_RUN, "run", obj, "count_by_frame", "--pcap", capture],
                           capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in linux.stderr:
        pytest.skip("this host does not let us load BPF programs")
    assert linux.returncode == 0, linux.stderr
    ours = run_tool("run", "%s:count_by_frame" % obj, "--pcap", capture)
    assert [line.split()[:2] for line in linux.stdout.splitlines()] == \
        [line.split() for line in ours.stdout.splitlines()]


COMMON = """
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct one {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
};
struct two {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
};
#define OUTER(...) struct { __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS); __uint(max_entries, 1); \\
	__type(key, __u32); __VA_ARGS__ } outer SEC(".maps")
"""

# The program uses outer, so that a map left out fails it by name.
PROGRAM = """
SEC("xdp") int prog(struct xdp_md *ctx)
{
	__u32 k = 0;
	return bpf_map_lookup_elem(&outer, &k) ? 1 : 2;
}
char LICENSE[] SEC("license") = "GPL";
"""

# name: (source between COMMON and PROGRAM, ukbpf's message, libbpf's)
BAD = {
    "not_a_map": ("__u64 counter; OUTER(__array(values, struct one);) = {.values = {(void *)&counter}};",
                  "map 'outer': initializer [0] 'counter' is not a BTF-defined map of this object",
                  "isn't a BTF-defined map"),
    "past_end": ("struct one a SEC(\".maps\"); OUTER(__array(values, struct one);) = {.values = {[2] = &a}};",
                 "map 'outer': initializer [2] is past max_entries 1",
                 "failed to initialize slot [2]"),
    "mismatch": ("struct two b SEC(\".maps\"); OUTER(__array(values, struct one);) = {.values = {(void *)&b}};",
                 "map 'outer': initializer [0]: map 'b' does not match the inner map definition",
                 "failed to initialize slot [0]"),
    "no_template": ("OUTER(__type(value, __u32););",
                    "map 'outer': array_of_maps needs an inner map definition",
                    "failed to create"),
    "nested": ("struct mid { __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS); __uint(max_entries, 1); "
               "__type(key, __u32); __array(values, struct one); }; OUTER(__array(values, struct mid););",
               "map 'outer.inner': has 'values': maps nest one level only",
               "multi-level inner maps not supported"),
    "value_size_8": ("OUTER(__type(value, __u64); __array(values, struct one););",
                     "map 'outer': value size 8 with 'values', not 4",
                     "conflicting value size 8 != 4"),
}


def build_bad(tmp_path, name):
    source, _, _ = BAD[name]
    src = tmp_path / (name + ".c")
    src.write_text(COMMON + source + PROGRAM)
    out = str(tmp_path / (name + ".o"))
    subprocess.run(CLANG + ["-c", str(src), "-o", out], check=True, capture_output=True)
    return out


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_definitions_are_refused_by_name(name, tmp_path, packet, run_tool):
    obj = build_bad(tmp_path, name)
    result = run_tool("run", obj + ":prog", "--packet", packet)
    assert result.returncode != 0
    assert BAD[name][1] in result.stderr, result.stderr
    if linux_can_load():
        pin = os.path.join(BPFFS, "ukbpf_map_in_map_bad")
        linux = subprocess.run(["bpftool", "prog", "load", obj, pin, "type", "xdp"],
                               capture_output=True, text=True, timeout=30)
        if os.path.exists(pin):
            os.unlink(pin)
        assert linux.returncode != 0 and BAD[name][2] in linux.stderr, linux.stderr


def test_user_api_matches_linux_bpf_syscall(tmp_path):
    """map_in_map_parity.c: outer maps and their slots against bpf(2), errno for errno."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create BPF maps")
    exe = str(tmp_path / "map_in_map_parity")
    subprocess.run(["gcc", "-O1", "-g", "-I" + os.path.join(ROOT, "ebpf"), "-o", exe,
                    os.path.join(HERE, "map_in_map_parity.c"),
                    os.path.join(ROOT, "build", "host", "libebpf.a")], check=True)
    run = subprocess.run([exe], capture_output=True, text=True, timeout=120)
    if run.returncode == PARITY_SKIPPED:
        pytest.skip(run.stdout.strip())
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().endswith("0 differ from Linux"), run.stdout
