"""Differential fuzzing of the x86-64 JIT against the interpreter.

Builds tests/fuzz/fuzz_interp_jit.c with clang's libFuzzer (plus ASan and
UBSan, which also check the interpreter) into a temporary directory and
runs it for FUZZ_SECONDS from a fixed seed. Any r0 or memory difference
between the engines aborts the harness and fails the test, with the
disassembled program in the output. See the harness's header comment for
running it longer by hand.
"""

import concurrent.futures
import glob
import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLANG = shutil.which("clang") or shutil.which("clang-14")
FUZZ_SECONDS = 20
SEED = 1
FLAGS = ["-O1", "-g", "-fsanitize=fuzzer,address,undefined", "-fno-sanitize-recover=undefined",
         "-I" + os.path.join(ROOT, "ebpf"), "-I" + os.path.join(ROOT, "tools", "ukbpf")]


def fuzzer_runtime_available():
    if CLANG is None:
        return False
    probe = subprocess.run([CLANG, "-print-file-name=libclang_rt.fuzzer-x86_64.a"],
                           capture_output=True, text=True)
    return os.path.isabs(probe.stdout.strip())


def build_fuzzer(out_dir):
    sources = sorted(glob.glob(os.path.join(ROOT, "ebpf", "*.c")))
    sources.append(os.path.join(ROOT, "tools", "ukbpf", "host_platform.c"))
    sources.append(os.path.join(ROOT, "tests", "fuzz", "fuzz_interp_jit.c"))

    def compile_one(src):
        obj = os.path.join(out_dir, os.path.basename(src) + ".o")
        run = subprocess.run([CLANG, *FLAGS, "-c", src, "-o", obj], capture_output=True, text=True)
        assert run.returncode == 0, "%s:\n%s" % (src, run.stderr[-4000:])
        return obj

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        objects = list(pool.map(compile_one, sources))
    exe = os.path.join(out_dir, "fuzz_interp_jit")
    subprocess.run([CLANG, *FLAGS, "-o", exe, *objects], check=True)
    return exe


@pytest.mark.skipif(not fuzzer_runtime_available(), reason="no libFuzzer runtime")
def test_jit_matches_interpreter_on_random_programs(tmp_path):
    exe = build_fuzzer(str(tmp_path))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    run = subprocess.run([exe, "-max_total_time=%d" % FUZZ_SECONDS, "-seed=%d" % SEED,
                          "-timeout=10", "-rss_limit_mb=2048", "-max_len=4096",
                          "-artifact_prefix=%s/" % tmp_path, str(corpus)],
                         capture_output=True, text=True, errors="replace",
                         timeout=FUZZ_SECONDS + 120)
    assert run.returncode == 0, run.stderr[-6000:]
    # the harness really ran programs, not just started
    assert "Done" in run.stderr, run.stderr[-2000:]
