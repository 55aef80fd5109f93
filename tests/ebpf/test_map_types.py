"""The map types XDP programs use beyond the basic ones (LPM trie,
devmap_hash, LRU per-CPU hash, queue, stack, bloom filter, perf event
array), through their
helpers from a real clang object, tests/ebpf/progs/map_types.c.

Each program encodes what every helper call returned in r0. `ukbpf run`
must print the expected value with the interpreter and with the JIT; and
where the host lets root load BPF (bpftool, /sys/fs/bpf), Linux loads
the same object, runs each program once with BPF_PROG_TEST_RUN
(`bpftool prog run`) and must return the same value, and creates the
maps with the same type, sizes and flags as `ukbpf info` shows.

map_parity.c holds the user-side API to Linux's bpf(2) directly: the
same creates (Linux's errno for each refusal) and seeded random
sequences of updates, deletes, lookups and walks on both, every result
and every byte copied out compared. Semantics in detail are in
tests/unit/test_ebpf_maps.c.
"""

import json
import os
import re
import subprocess

import pytest

from linux_oracle import BPFFS, linux_can_load
from test_verifier import CLANG

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SOURCE = os.path.join(HERE, "progs", "map_types.c")
LIBEBPF = os.path.join(ROOT, "build", "host", "libebpf.a")
PARITY_SKIPPED = 77  # map_parity.c's exit when the host creates no BPF maps

PACKET_BYTES = 64

# program: r0 (see each program's comment in map_types.c)
EXPECTED = {
    "use_lpm_trie": 1210,
    "use_devmap_hash": 12,
    "use_lru_percpu_hash": 5,
    "use_queue": 2334,
    "use_stack": 4432,
    "use_bloom_filter": 111,
    "use_perf_event_array": 1111,
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("map_types") / "map_types.o")
    subprocess.run(CLANG + ["-c", SOURCE, "-o", out], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def packet(tmp_path_factory):
    """The frame both runtimes run on: 64 zero bytes."""
    path = tmp_path_factory.mktemp("map_types_packet") / "packet"
    path.write_bytes(bytes(PACKET_BYTES))
    return str(path)


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
@pytest.mark.parametrize("prog", sorted(EXPECTED))
def test_ukbpf_runs(obj, packet, prog, engine, run_tool):
    result = run_tool("run", engine, "%s:%s" % (obj, prog), "--packet", packet)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [hex(EXPECTED[prog])]


def ukbpf_maps(run_tool, obj):
    """name: (type, key, value, max_entries, flags) from `ukbpf info`."""
    info = run_tool("info", obj)
    assert info.returncode == 0, info.stderr
    maps = {}
    for m in re.finditer(r"^\s+\d+: (\S+)\s+type (\S+)\s+key (\d+)\s+value (\d+)\s+"
                         r"max_entries (\d+)\s+flags (0x[0-9a-f]+)(?:\s+map_extra (\d+))?$",
                         info.stdout, re.M):
        maps[m[1]] = (m[2], int(m[3]), int(m[4]), int(m[5]), int(m[6], 16), int(m[7] or 0))
    return maps


def test_ukbpf_creates_the_maps_as_declared(obj, run_tool):
    # devmap_hash: Linux adds BPF_F_RDONLY_PROG (0x80); seen: map_extra from BTF.
    assert ukbpf_maps(run_tool, obj) == {
        "cidrs": ("lpm_trie", 8, 4, 8, 0x1, 0),
        "ports": ("devmap_hash", 4, 8, 4, 0x80, 0),
        "recent": ("lru_percpu_hash", 4, 8, 2, 0, 0),
        "fifo": ("queue", 0, 4, 3, 0, 0),
        "lifo": ("stack", 0, 8, 3, 0, 0),
        "seen": ("bloom_filter", 0, 4, 16, 0x40, 3),
        "events": ("perf_event_array", 4, 4, 1, 0, 0),  # max_entries 0: one per CPU
    }


@pytest.fixture(scope="module")
def linux_loaded(obj):
    """Loads obj into Linux; yields (program dir, map dir) under bpffs."""
    if not linux_can_load():
        pytest.skip("needs root, bpftool and /sys/fs/bpf")
    progs = os.path.join(BPFFS, "ukbpf_map_types_progs")
    maps = os.path.join(BPFFS, "ukbpf_map_types_maps")
    subprocess.run(["rm", "-rf", progs, maps], check=True)
    load = subprocess.run(["bpftool", "prog", "loadall", obj, progs, "type", "xdp",
                           "pinmaps", maps], capture_output=True, text=True, timeout=60)
    if load.returncode != 0:
        subprocess.run(["rm", "-rf", progs, maps])
        if "Operation not permitted" in load.stderr:
            pytest.skip("this host does not let us load BPF programs")
        pytest.fail("Linux refused map_types.o:\n" + load.stderr[-4000:])
    yield progs, maps
    subprocess.run(["rm", "-rf", progs, maps])


@pytest.mark.parametrize("prog", sorted(EXPECTED))
def test_linux_returns_the_same(linux_loaded, packet, prog):
    run = subprocess.run(["bpftool", "prog", "run", "pinned", os.path.join(linux_loaded[0], prog),
                          "data_in", packet], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert re.search(r"Return value: (\d+)", run.stdout)[1] == str(EXPECTED[prog])


def test_linux_creates_the_same_maps(linux_loaded, obj, run_tool):
    ours = ukbpf_maps(run_tool, obj)
    for name, (kind, key, value, entries, flags, _) in ours.items():
        show = subprocess.run(["bpftool", "-j", "map", "show", "pinned",
                               os.path.join(linux_loaded[1], name)],
                              capture_output=True, text=True, timeout=30)
        assert show.returncode == 0, show.stderr
        linux = json.loads(show.stdout)
        if name == "events":  # one slot per CPU: this host may have more than ukbpf's one
            entries = linux["max_entries"]
        assert (linux["type"], linux["bytes_key"], linux["bytes_value"], linux["max_entries"],
                linux["flags"]) == (kind, key, value, entries, flags), name


def test_user_api_matches_linux_bpf_syscall(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to create BPF maps")
    exe = str(tmp_path / "map_parity")
    subprocess.run(["gcc", "-O1", "-g", "-I" + os.path.join(ROOT, "ebpf"), "-o", exe,
                    os.path.join(HERE, "map_parity.c"), LIBEBPF], check=True)
    run = subprocess.run([exe], capture_output=True, text=True, timeout=120)
    if run.returncode == PARITY_SKIPPED:
        pytest.skip(run.stdout.strip())
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^\d+ cases, 0 differ from Linux$", run.stdout, re.M), run.stdout
