"""libFuzzer harnesses over the eBPF runtime, each run for a bounded time.

- tests/fuzz/fuzz_interp_jit.c: differential fuzzing of the x86-64 JIT
  against the interpreter. Any r0 or memory difference between the engines
  aborts the harness and fails the test, with the disassembled program in
  the output.
- tests/fuzz/fuzz_verifier.c: soundness of the verifier. Every accepted
  program runs in the checked interpreter (-DEBPF_INTERP_CHECKED); an
  access outside the regions the program may touch aborts with the
  instruction, the nearest region and the program.
- tests/fuzz/fuzz_ctl.c: the control plane's request decoder and executor
  (ebpf/ctl_wire.c, ebpf/ctl.c). Every message gets a well-formed reply and
  the registry stays within its limits, under ASan and UBSan.

Each is built with clang's libFuzzer (plus ASan and UBSan, which also check
the runtime) into a temporary directory and run for FUZZ_SECONDS from a
fixed seed. See each harness's header comment for running it longer by hand.
"""

import concurrent.futures
import os
import re
import shutil
import struct
import subprocess

import pytest

from libebpf_build import sources_and_flags

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLANG = shutil.which("clang") or shutil.which("clang-14")
FUZZ_SECONDS = 20
SEED = 1
FLAGS = ["-O1", "-g", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined",
         "-I" + os.path.join(ROOT, "tools", "ukbpf")]


def fuzzer_runtime_available():
    if CLANG is None:
        return False
    probe = subprocess.run([CLANG, "-print-file-name=libclang_rt.fuzzer-x86_64.a"],
                           capture_output=True, text=True)
    return os.path.isabs(probe.stdout.strip())


def build_fuzzer(out_dir, harness="fuzz_interp_jit", defines=()):
    sources, lib_flags = sources_and_flags(ROOT)
    sources.append(os.path.join(ROOT, "tools", "ukbpf", "host_platform.c"))
    sources.append(os.path.join(ROOT, "tests", "fuzz", harness + ".c"))
    flags = FLAGS + lib_flags + ["-D" + d for d in defines]

    def compile_one(src):
        obj = os.path.join(out_dir, os.path.basename(src) + ".o")
        run = subprocess.run([CLANG, *flags, "-c", src, "-o", obj], capture_output=True, text=True)
        assert run.returncode == 0, "%s:\n%s" % (src, run.stderr[-4000:])
        return obj

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        objects = list(pool.map(compile_one, sources))
    exe = os.path.join(out_dir, harness)
    subprocess.run([CLANG, *flags, "-o", exe, *objects], check=True)
    return exe


def run_fuzzer(exe, work_dir, seconds, env=None):
    corpus = os.path.join(work_dir, "corpus")
    os.makedirs(corpus, exist_ok=True)
    return subprocess.run([exe, "-max_total_time=%d" % seconds, "-seed=%d" % SEED,
                           "-timeout=30", "-rss_limit_mb=2048", "-max_len=4096",
                           "-artifact_prefix=%s/" % work_dir, corpus],
                          capture_output=True, text=True, errors="replace",
                          timeout=seconds + 120, env=env)


@pytest.mark.skipif(not fuzzer_runtime_available(), reason="no libFuzzer runtime")
def test_jit_matches_interpreter_on_random_programs(tmp_path):
    exe = build_fuzzer(str(tmp_path))
    run = run_fuzzer(exe, str(tmp_path), FUZZ_SECONDS)
    assert run.returncode == 0, run.stderr[-6000:]
    # the harness really ran programs, not just started
    assert "Done" in run.stderr, run.stderr[-2000:]


VERIFIER_STATS = re.compile(r"fuzz_verifier: (\d+) programs, (\d+) accepted, (\d+) runs")


@pytest.fixture(scope="module")
def verifier_fuzzer(tmp_path_factory):
    if not fuzzer_runtime_available():
        pytest.skip("no libFuzzer runtime")
    out_dir = str(tmp_path_factory.mktemp("fuzz_verifier"))
    return build_fuzzer(out_dir, "fuzz_verifier", defines=["EBPF_INTERP_CHECKED"])


def test_verifier_accepts_no_program_that_leaves_its_regions(verifier_fuzzer, tmp_path):
    run = run_fuzzer(verifier_fuzzer, str(tmp_path), FUZZ_SECONDS)
    assert run.returncode == 0, run.stderr[-8000:]
    stats = VERIFIER_STATS.search(run.stderr)
    assert stats, run.stderr[-2000:]
    programs, accepted, runs = (int(n) for n in stats.groups())
    # the generator makes mostly valid programs, and the accepted ones ran
    # (a loose floor: the machine may be shared)
    assert programs > 200 and accepted > programs // 10 and runs >= accepted, stats.group(0)


def test_checker_catches_what_the_verifier_would_reject(verifier_fuzzer, tmp_path):
    # Without the verifier, the generator's deliberate mistakes (accesses
    # one past a proven range, missing NULL checks...) must reach the
    # checker: this is what shows the checked interpreter can fail.
    env = dict(os.environ, FUZZ_VERIFIER_NO_VERIFY="1")
    run = run_fuzzer(verifier_fuzzer, str(tmp_path), FUZZ_SECONDS, env=env)
    assert run.returncode != 0, run.stderr[-2000:]
    assert "SOUNDNESS VIOLATION at insn" in run.stderr, run.stderr[-4000:]
    assert "nearest region:" in run.stderr or "is not" in run.stderr, run.stderr[-4000:]


CTL_STATS = re.compile(r"fuzz_ctl: (\d+) messages, (\d+) accepted")
CTL_REPAIR, CTL_PICK_TYPE = 0x01, 0x02


def ctl_record(cmd_index, payload):
    """One record of fuzz_ctl's input: a repaired message of the command table's cmd_index."""
    header = struct.pack("<IHHIIiI", 0, 0, 0, 7, 0, 0, 0)
    message = header + payload
    return struct.pack("<BH", CTL_REPAIR | CTL_PICK_TYPE | (cmd_index << 2), len(message)) + message


def test_ctl_requests_never_crash_the_executor(tmp_path):
    if not fuzzer_runtime_available():
        pytest.skip("no libFuzzer runtime")
    # <linux/bpf.h> needs <asm/types.h>, which Debian keeps per architecture
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                            text=True).stdout.strip() or "x86_64-linux-gnu"
    objects = []
    for name in ("ctl", "maps_btf"):
        objects.append(str(tmp_path / (name + ".o")))
        subprocess.run([CLANG, "-O2", "-g", "-target", "bpf", "-I/usr/include/" + triple, "-c",
                        os.path.join(ROOT, "tests", "ebpf", "progs", name + ".c"), "-o",
                        objects[-1]], check=True)
    exe = build_fuzzer(str(tmp_path), "fuzz_ctl")
    # seeds (indexes into fuzz_ctl.c's command table): ctl.o's maps are 1
    # (array) and 2 (hash), maps_btf.o's from 3 on, in its order
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rule = struct.pack("<I", 60)
    (corpus / "maps").write_bytes(
        ctl_record(1, struct.pack("<IIIIQ", 2, 4, 4, 0, 0) + rule + struct.pack("<I", 1))
        + ctl_record(0, struct.pack("<II", 2, 4) + rule)
        + ctl_record(3, struct.pack("<II", 3, 0))
        + ctl_record(10, struct.pack("<III", 4, 8, 0))
        + ctl_record(2, struct.pack("<II", 2, 4) + rule))
    (corpus / "progs").write_bytes(
        ctl_record(7, struct.pack("<I", 0)) + ctl_record(8, struct.pack("<I", 5))
        + ctl_record(9, struct.pack("<II", 1, 2)) + ctl_record(9, struct.pack("<II", 2, 9))
        + ctl_record(12, struct.pack("<II", 0, 1))
        + ctl_record(5, struct.pack("<IIII", 1, 1, 0, 0))
        + ctl_record(11, struct.pack("<IIII", 1, 2, 1, 0))
        + ctl_record(6, struct.pack("<IIII", 1, 0, 0, 0))
        + ctl_record(13, struct.pack("<I", 2)))
    run = run_fuzzer(exe, str(tmp_path), FUZZ_SECONDS,
                     env=dict(os.environ, FUZZ_CTL_OBJECTS=":".join(objects)))
    assert run.returncode == 0, run.stderr[-6000:]
    stats = CTL_STATS.search(run.stderr)
    assert stats, run.stderr[-2000:]
    messages, accepted = (int(n) for n in stats.groups())
    # the seeds' commands were carried out, not just decoded (a loose
    # floor: the machine may be shared)
    assert messages > 1000 and accepted > 10, stats.group(0)
