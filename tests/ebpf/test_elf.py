"""The ELF loader on real clang objects and on broken ones.

tests/ebpf/progs/*.c are compiled with `clang -O2 -g -target bpf` against
libbpf's <bpf/bpf_helpers.h> at test time. Each program computes a value
that depends on what the loader did (which maps it created with which
sizes, where global data lives, which subprograms it linked), so
`ukbpf run OBJ.o:SECTION` printing the expected r0, with the interpreter
and with the JIT, checks the loader end to end. elf_info.c (linked with libebpf) lists an object's programs and
maps for the checks the tool cannot show.

Broken objects come from mkbadelf.py: one-field corruptions must fail
with a one-line message naming the problem; truncations and random byte
flips must load or fail cleanly. The same corpus is replayed, then
fuzzed for a bounded time, under AddressSanitizer (tests/fuzz/fuzz_elf.c,
libFuzzer).
"""

import concurrent.futures
import glob
import os
import re
import shutil
import struct
import subprocess
import sys

import pytest

from libebpf_build import sources_and_flags

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mkbadelf  # noqa: E402
from test_verifier import PROGS_NOT_VERIFIABLE  # noqa: E402

# UKBPF selects another build of the tool (tests/ebpf/conftest.py's convention).
UKBPF = os.environ.get("UKBPF", os.path.join(ROOT, "build", "tools", "ukbpf"))
LIBEBPF = os.path.join(ROOT, "build", "host", "libebpf.a")
CLANG = shutil.which("clang")
FUZZ_SECONDS = 15
FLIPS_PER_OBJECT = 150
SEED = 9669

# enum ebpf_prog_type / ebpf_map_type (Linux numbering, ebpf/ebpf.h)
UNSPEC, SOCKET_FILTER, XDP = 0, 1, 6
HASH, ARRAY, PROG_ARRAY, PERCPU_HASH, PERCPU_ARRAY, LRU_HASH, RINGBUF = 1, 2, 3, 5, 6, 9, 27

pytestmark = pytest.mark.skipif(CLANG is None, reason="clang not installed")


def multiarch_include():
    """<linux/bpf.h> needs <asm/types.h>, which Debian keeps per architecture."""
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True, text=True).stdout.strip()
    return "-I/usr/include/" + (triple or "x86_64-linux-gnu")


@pytest.fixture(scope="module")
def objs(tmp_path_factory):
    out = tmp_path_factory.mktemp("bpfobj")
    # extern_progs (test_externs.py) join the corruption corpus and its fuzzing.
    sources = sorted(glob.glob(os.path.join(HERE, "progs", "*.c")) +
                     glob.glob(os.path.join(HERE, "extern_progs", "*.c")))
    include = multiarch_include()

    def compile_one(src):
        obj = str(out / (os.path.basename(src)[:-2] + ".o"))
        subprocess.run([CLANG, "-O2", "-g", "-target", "bpf", include, "-c", src, "-o", obj],
                       check=True, capture_output=True)
        return os.path.basename(obj)[:-2], obj

    with concurrent.futures.ThreadPoolExecutor() as pool:
        return dict(pool.map(compile_one, sources))


@pytest.fixture(scope="module")
def elf_info(tmp_path_factory):
    exe = str(tmp_path_factory.mktemp("elfinfo") / "elf_info")
    subprocess.run(["gcc", "-O1", "-g", "-I" + os.path.join(ROOT, "ebpf"), "-o", exe,
                    os.path.join(HERE, "elf_info.c"), LIBEBPF], check=True)
    return exe


def info(elf_info, path):
    """elf_info's lines for one object, without the 'PATH: ' prefix."""
    run = subprocess.run([elf_info, path], capture_output=True, text=True, errors="replace")
    assert run.returncode in (0, 1), run.stdout + run.stderr
    return [line[len(path) + 2:] for line in run.stdout.splitlines()]


def ukbpf(*args):
    return subprocess.run([UKBPF, *args], capture_output=True, text=True, errors="replace", timeout=30)


# (object, SECTION or function, --mem bytes or None, expected r0)
RUNS = [
    ("multi", None, None, 2),  # the first program: xdp_pass
    ("multi", "xdp/drop", None, 1),
    ("multi", "pair_first", None, 11),
    ("multi", "pair_second", None, 22),
    ("multi", "xdp/pair", None, 11),  # a section name picks its first program
    ("multi", "socket", None, 0x40),
    ("multi", "prog", "00 01 02", 3),  # UNSPEC: r2 = length
    ("calls", "call_chain", None, 34),
    ("calls", "call_global", None, 105),
    ("calls", "same_section", "00 00 00", 18),
    ("calls", "leaf", "00", 8),
    ("globals", "read_rodata_bump_data", None, 48),
    ("globals", "bss", None, 3),
    ("globals", "statics", None, 21000),
    ("globals", "string_byte", "00 00 00", ord("p")),
    ("globals", "literal_byte", "00 00 00 00", ord("r")),
    ("maps_btf", "use_hash", None, 503),
    ("maps_btf", "use_array", None, 1001),
    ("maps_btf", "use_lru", None, 2),
    ("maps_btf", "use_percpu", None, 110),
    ("maps_btf", "use_ringbuf", None, 99),
    ("maps_btf", "use_prog_array", None, 55),
    ("maps_legacy", None, None, 42),
    ("tailcall", "tail_entry", None, 7),
    ("tailcall", "tail_empty", None, 2),
]


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
@pytest.mark.parametrize("name,section,mem,expected", RUNS,
                         ids=["%s:%s" % (r[0], r[1] or "") for r in RUNS])
def test_run_program(objs, name, section, mem, expected, engine):
    target = objs[name] + (":" + section if section else "")
    # run verifies first; the few test programs the verifier refuses on
    # purpose (test_verifier.py checks why) run unverified.
    unverified = ["--no-verify"] if "%s.o:%s" % (name, section) in PROGS_NOT_VERIFIABLE else []
    run = ukbpf("run", engine, *unverified, target, *(["--mem", mem] if mem else []))
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [hex(expected)]


def classic_pcap(frame_count):
    """A little-endian microsecond pcap of identical 64-byte Ethernet frames."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for index in range(frame_count):
        out += struct.pack("<IIII", index, 0, 64, 64) + bytes(64)
    return out


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_global_data_persists_across_runs(objs, tmp_path, engine):
    # One process, one run per packet: .data's counter keeps counting and
    # .bss keeps adding, because both live in the object's maps.
    capture = tmp_path / "three.pcap"
    capture.write_bytes(classic_pcap(3))
    for func, first, step in (("read_rodata_bump_data", 48, 1), ("bss", 3, 3)):
        run = ukbpf("run", engine, objs["globals"] + ":" + func, "--pcap", str(capture))
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines() == ["%d %s" % (i, hex(first + i * step)) for i in range(3)]


def test_programs_sections_and_types(objs, elf_info):
    lines = info(elf_info, objs["multi"])
    progs = [line.split()[1:6:2] for line in lines if line.startswith("prog ")]
    assert progs == [
        ["xdp_pass", "xdp", str(XDP)],
        ["xdp_drop", "xdp/drop", str(XDP)],
        ["pair_first", "xdp/pair", str(XDP)],
        ["pair_second", "xdp/pair", str(XDP)],
        ["sock_keep", "socket", str(SOCKET_FILTER)],
        ["mem_len", "prog", str(UNSPEC)],
    ]
    assert "license 'Dual BSD/GPL'" in lines


def map_table(lines):
    return {f[1]: tuple(int(v) for v in f[3::2]) for f in (line.split() for line in lines)
            if f[0] == "map"}


def test_btf_maps(objs, elf_info):
    maps = map_table(info(elf_info, objs["maps_btf"]))
    # name: (type, key size, value size, max entries)
    assert {k: v for k, v in maps.items() if not k.startswith(".")} == {
        "hash_map": (HASH, 4, 16, 16),
        "array_map": (ARRAY, 4, 8, 4),
        "lru_map": (LRU_HASH, 8, 4, 2),
        "percpu_array": (PERCPU_ARRAY, 4, 8, 1),
        "percpu_hash": (PERCPU_HASH, 4, 4, 8),
        "prog_array": (PROG_ARRAY, 4, 4, 4),
        "events": (RINGBUF, 0, 0, 4096),
    }


def test_legacy_maps(objs, elf_info):
    assert map_table(info(elf_info, objs["maps_legacy"])) == {
        "legacy_array": (ARRAY, 4, 8, 8),
        "legacy_hash": (HASH, 2, 4, 4),
    }


def test_legacy_maps_of_older_clang(objs, elf_info, tmp_path):
    # Untyped, unsized map symbols (older clang): libbpf 0.x divided the
    # section among them, and so does ukbpf; same maps, same result.
    path = str(tmp_path / "maps_legacy_untyped.o")
    with open(path, "wb") as f:
        f.write(mkbadelf.untyped_map_symbols(open(objs["maps_legacy"], "rb").read()))
    assert map_table(info(elf_info, path)) == map_table(info(elf_info, objs["maps_legacy"]))
    for engine in ("--interp", "--jit"):
        run = ukbpf("run", engine, path)
        assert (run.returncode, run.stdout.split()) == (0, [hex(42)]), run.stderr


def test_global_data_maps(objs, elf_info):
    # One-entry arrays whose value is the whole section.
    assert map_table(info(elf_info, objs["globals"])) == {
        ".rodata": (ARRAY, 4, 4, 1),
        ".data": (ARRAY, 4, 30, 1),
        ".bss": (ARRAY, 4, 8, 1),
        ".rodata.str1.1": (ARRAY, 4, 8, 1),
    }


def test_rodata_is_read_only_for_programs(objs):
    # libbpf's BPF_F_RDONLY_PROG (0x80) on .rodata*, not on .data/.bss.
    run = ukbpf("info", objs["globals"])
    flags = {f[1]: f[-1] for f in (line.split() for line in run.stdout.splitlines())
             if len(f) > 2 and f[2] == "type"}
    assert flags == {".rodata": "0x80", ".data": "0x0", ".bss": "0x0", ".rodata.str1.1": "0x80"}


def test_prog_array_values_need_value_size_4(objs, elf_info):
    # `.values` without value_size: libbpf's 4-byte default.
    assert map_table(info(elf_info, objs["tailcall"])) == {"jmp_table": (PROG_ARRAY, 4, 4, 4)}


def test_subprograms_linked_once_per_program(objs):
    # call_chain -> chain -> {triple_plus_one -> triple, triple}: four
    # functions, each copied once, every call aimed inside the program.
    run = ukbpf("dis", objs["calls"] + ":call_chain")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert sum(line.endswith(": exit") for line in lines) == 4
    calls = [line for line in lines if ": call pc" in line]
    assert len(calls) == 4
    count = int(lines[-1].split(":")[0]) + 1
    for line in calls:
        index, rel = re.match(r"(\d+): call pc([+-]\d+)", line).groups()
        assert 0 <= int(index) + 1 + int(rel) < count


def test_info_command_lists_programs_and_maps(objs):
    run = ukbpf("info", objs["tailcall"])
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        "license: GPL",
        "programs:",
        "  0: tail_target  section xdp  type xdp  attach xdp  rule xdp  insns 2",
        "  1: tail_entry  section xdp  type xdp  attach xdp  rule xdp  insns 6",
        "  2: tail_empty  section xdp  type xdp  attach xdp  rule xdp  insns 6",
        "maps:",
        "  0: jmp_table  type prog_array  key 4  value 4  max_entries 4  flags 0x0",
    ]
    bad = ukbpf("info", objs["tailcall"] + ".missing")
    assert bad.returncode == 1 and bad.stderr.startswith("ukbpf: ")


def test_unknown_section_lists_programs(objs):
    run = ukbpf("run", objs["multi"] + ":nope")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1
    assert "no program or section 'nope'" in run.stderr
    assert "xdp_drop (xdp/drop)" in run.stderr


def targeted_cases(objs):
    cases = mkbadelf.targeted(open(objs["maps_legacy"], "rb").read())
    return cases + mkbadelf.btf_corruptions(open(objs["maps_btf"], "rb").read())


def test_malformed_objects_rejected_with_reason(objs, elf_info, tmp_path):
    failures = []
    for name, data, expected in targeted_cases(objs):
        path = str(tmp_path / (name + ".o"))
        with open(path, "wb") as f:
            f.write(data)
        run = ukbpf("run", path)
        lines = run.stderr.splitlines()
        if run.returncode != 1 or len(lines) != 1 or expected not in lines[0]:
            failures.append("%s: rc %d, stderr %r (want %r)" % (name, run.returncode, run.stderr, expected))
        probe = subprocess.run([elf_info, path], capture_output=True, text=True, errors="replace")
        if probe.returncode != 1:
            failures.append("%s: elf_info rc %d: %s" % (name, probe.returncode, probe.stdout))
    assert not failures, "\n".join(failures)


def write_corpus(objs, directory):
    """Truncations, byte flips and targeted corruptions of every object."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    variants = [(n, d) for n, d, _ in targeted_cases(objs)]
    for k, (name, path) in enumerate(sorted(objs.items())):
        data = open(path, "rb").read()
        variants += [(name + "-" + v, d) for v, d in mkbadelf.truncations(data)]
        variants += [(name + "-" + v, d) for v, d in mkbadelf.byte_flips(data, FLIPS_PER_OBJECT, SEED + k)]
    for name, data in variants:
        path = os.path.join(directory, name + ".o")
        with open(path, "wb") as f:
            f.write(data)
        paths.append(path)
    return paths


def test_corrupted_objects_never_crash(objs, elf_info, tmp_path):
    paths = write_corpus(objs, str(tmp_path / "corpus"))
    run = subprocess.run([elf_info, *paths], capture_output=True, text=True, errors="replace",
                         timeout=60)
    # 0: all loaded, 1: some rejected; 3 or a signal: a broken promise.
    assert run.returncode in (0, 1), run.stdout[-2000:] + run.stderr
    lines = run.stdout.splitlines()
    errors = [line for line in lines if ": error: " in line]
    corpus = str(tmp_path / "corpus")
    # Section names in flipped objects may hold newlines: match by path.
    assert set(paths) <= {line.split(": ")[0] for line in lines if line.startswith(corpus)}
    assert len(errors) > len(paths) // 2  # most corruptions must be caught


def fuzzer_runtime_available():
    probe = subprocess.run([CLANG, "-print-file-name=libclang_rt.fuzzer-x86_64.a"],
                           capture_output=True, text=True)
    return CLANG is not None and os.path.isabs(probe.stdout.strip())


@pytest.mark.skipif(not fuzzer_runtime_available(), reason="no libFuzzer runtime")
def test_fuzz_loader_under_asan(objs, tmp_path):
    """Replays the corpus under ASan/UBSan, then fuzzes for FUZZ_SECONDS."""
    # -O0: the JIT sources take several times longer to compile at -O1.
    sources, lib_flags = sources_and_flags(ROOT)
    flags = ["-O0", "-g", "-fsanitize=fuzzer,address,undefined",
             "-fno-sanitize-recover=undefined"] + lib_flags
    sources.append(os.path.join(ROOT, "tests", "fuzz", "fuzz_elf.c"))

    def compile_one(src):
        obj = str(tmp_path / (os.path.basename(src) + ".o"))
        subprocess.run([CLANG, *flags, "-c", src, "-o", obj], check=True, capture_output=True)
        return obj

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        objects = list(pool.map(compile_one, sources))
    exe = str(tmp_path / "fuzz_elf")
    subprocess.run([CLANG, *flags, "-o", exe, *objects], check=True)

    corpus = str(tmp_path / "corpus")
    write_corpus(objs, corpus)
    for path in objs.values():
        shutil.copy(path, corpus)
    run = subprocess.run([exe, "-max_total_time=%d" % FUZZ_SECONDS, "-seed=%d" % SEED,
                          "-timeout=10", "-rss_limit_mb=2048", "-max_len=65536",
                          "-artifact_prefix=%s/" % tmp_path, corpus],
                         capture_output=True, text=True, errors="replace", timeout=FUZZ_SECONDS + 120)
    assert run.returncode == 0, run.stderr[-4000:]
