"""libFuzzer harnesses over the eBPF runtime, each run for a bounded time.

- tests/fuzz/fuzz_interp_jit.c: differential fuzzing of the x86-64 JIT
  against the interpreter. Any r0 or memory difference between the engines
  aborts the harness and fails the test, with the disassembled program in
  the output.
- tests/fuzz/fuzz_verifier.c: soundness of the verifier. Every accepted
  program runs in the checked interpreter (-DEBPF_INTERP_CHECKED); an
  access outside the regions the program may touch aborts with the
  instruction, the nearest region and the program.

Each is built with clang's libFuzzer (plus ASan and UBSan, which also check
the runtime) into a temporary directory and run for FUZZ_SECONDS from a
fixed seed. See each harness's header comment for running it longer by hand.
"""

import concurrent.futures
import os
import re
import shutil
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
