"""The ukbpf command line: help, errors, run, dis, --repeat and jit-dump."""

import re
import subprocess

import pytest

# Reads r1's memory (the --mem convention), so it runs with --no-verify.
PROGRAM = "r0 = *(u8 *)(r1 + 1)\nr0 += r2\nexit"


def test_help_documents_everything(run_tool):
    proc = run_tool("--help")
    assert proc.returncode == 0
    for word in ("run", "dis", "jit-dump", "--interp", "--jit", "--blind", "--repeat", "--no-verify",
                 "--raw FILE", "--mem HEX", "objdump -D -b binary -mi386:x86-64"):
        assert word in proc.stdout


@pytest.mark.parametrize("args,message", [
    ((), "ukbpf: no command given (see ukbpf --help)"),
    (("frobnicate",), "ukbpf: unknown command 'frobnicate' (see ukbpf --help)"),
    (("run", "--bogus"), "ukbpf: unknown option '--bogus' (see ukbpf --help)"),
    (("run",), "ukbpf: run: no PROGRAM given (see ukbpf --help)"),
    (("run", "--raw"), "ukbpf: --raw needs an argument (see ukbpf --help)"),
    (("run", "prog.xyz"), "ukbpf: prog.xyz: unknown program kind (see ukbpf --help)"),
    (("run", "--repeat", "0", "--raw", "p"),
     "ukbpf: --repeat: '0' is not a positive count (see ukbpf --help)"),
    (("run", "--repeat", "x1", "--raw", "p"),
     "ukbpf: --repeat: 'x1' is not a positive count (see ukbpf --help)"),
    (("run", "--interp", "--jit", "--raw", "p"),
     "ukbpf: --jit: --interp and --jit exclude each other (see ukbpf --help)"),
    (("run", "--raw", "a", "--raw", "b"), "ukbpf: --raw: only one PROGRAM allowed (see ukbpf --help)"),
    (("run", "--raw", "p", "--mem", "00", "--mem", "01"),
     "ukbpf: --mem: only one CONTEXT allowed (see ukbpf --help)"),
    (("dis", "--raw", "p", "--mem", "00"),
     "ukbpf: --mem: a CONTEXT only makes sense with run (see ukbpf --help)"),
    (("dis", "--no-verify", "--raw", "p"),
     "ukbpf: dis: --no-verify only makes sense with run (see ukbpf --help)"),
    (("jit-dump", "--raw", "p", "--no-verify"),
     "ukbpf: jit-dump: --no-verify only makes sense with run (see ukbpf --help)"),
    (("verify", "--no-verify", "--raw", "p"),
     "ukbpf: verify: --no-verify only makes sense with run (see ukbpf --help)"),
    (("run", "--verify", "--raw", "p"), "ukbpf: unknown option '--verify' (see ukbpf --help)"),
])
def test_usage_errors(args, message, run_tool):
    proc = run_tool(*args)
    assert proc.returncode == 2
    assert proc.stderr == message + "\n"
    assert proc.stdout == ""


def test_missing_file(run_tool, tmp_path):
    path = str(tmp_path / "missing.bin")
    proc = run_tool("run", "--raw", path)
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: %s: No such file or directory\n" % path


@pytest.mark.parametrize("mem,message", [
    ("00 0g", "invalid hex digit 'g' at position 4"),
    ("zz", "invalid hex digit 'z' at position 0"),
    ("001", "odd number of hex digits"),
    ("0 01", "lone hex digit before position 1"),
])
def test_mem_errors(mem, message, raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", mem)
    assert proc.returncode == 1
    assert proc.stderr == "ukbpf: --mem: %s\n" % message


@pytest.mark.parametrize("mem", ["00 7f 01", "007f01", "00 7F\t01", " 007f 01 "])
def test_mem_formats(mem, raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", mem)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0x82\n", "")


def test_run_verifies_by_default(raw_program, run_tool):
    """An unverifiable program does not run: the log goes to stderr, exit 1."""
    proc = run_tool("run", "--raw", raw_program(PROGRAM), "--mem", "01 02")
    assert (proc.returncode, proc.stdout) == (1, "")
    lines = proc.stderr.splitlines()
    assert lines[0] == "ukbpf: program rejected by the verifier:"
    assert lines[1:3] == ["0: (71) r0 = *(u8 *)(r1 + 1)",
                          "invalid bpf_context access off=1 size=1"]


def test_no_verify_runs_an_unverifiable_program(raw_program, run_tool):
    proc = run_tool("run", "--no-verify", "--raw", raw_program(PROGRAM), "--mem", "01 02")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "0x4\n", "")


def test_run_without_context_has_empty_memory(raw_program, run_tool):
    proc = run_tool("run", "--raw", raw_program("r0 = r2\nr0 += 7\nexit"))
    assert proc.stdout == "0x7\n"


def test_typed_program_without_context_runs_on_an_empty_frame(run_tool, tmp_path):
    """An XDP program that reads its ctx, run with no CONTEXT, sees an empty
    frame on ingress_ifindex 1 instead of crashing the tool on r1 = NULL."""
    src = tmp_path / "ctx.c"
    src.write_text(
        "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"
        "SEC(\"xdp\") int ctx_reader(struct xdp_md *ctx)\n"
        "{ return (ctx->data_end - ctx->data) * 16 + ctx->ingress_ifindex; }\n"
        "char LICENSE[] SEC(\"license\") = \"GPL\";\n")
    obj = tmp_path / "ctx.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", str(src), "-o", str(obj)], check=True)
    for engine in ("--interp", "--jit"):
        proc = run_tool("run", engine, str(obj))
        assert (proc.returncode, proc.stdout) == (0, "0x1\n"), proc.stderr


def test_run_prints_lowercase_hex(raw_program, run_tool):
    proc = run_tool("run", "--raw", raw_program("r0 = -1\nexit"))
    assert proc.stdout == "0xffffffffffffffff\n"


@pytest.mark.parametrize("engine", ["--interp", "--jit"])
def test_repeat_prints_median(engine, raw_program, run_tool):
    proc = run_tool("run", engine, "--repeat", "2100", "--no-verify", "--raw",
                    raw_program(PROGRAM), "--mem", "01 02")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "0x4"
    m = re.fullmatch(r"(\d+\.\d) ns/run \(median of 21 batches of 100 runs\)", lines[1])
    assert m and 0 < float(m.group(1)) < 100000


def test_dis(raw_program, run_tool):
    proc = run_tool("dis", "--raw", raw_program(PROGRAM))
    assert proc.returncode == 0
    assert proc.stdout == "0: r0 = *(u8 *)(r1 + 1)\n1: r0 += r2\n2: exit\n"


def test_jit_dump_is_hex_bytes(raw_program, run_tool):
    proc = run_tool("jit-dump", "--raw", raw_program(PROGRAM))
    assert proc.returncode == 0, proc.stderr
    code = bytes.fromhex(proc.stdout)
    assert len(code) > 3
    assert b"\xc3" in code  # an x86-64 ret somewhere
    assert all(len(line.split()) <= 16 for line in proc.stdout.splitlines())
