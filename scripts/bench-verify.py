#!/usr/bin/env python3
"""make bench-verify: how much work and time the verifier takes, beside Linux's.

Rows:
  - every program of the accept suite (tests/ebpf/verifier/accept/*.c),
    compiled as tests/ebpf/test_verifier.py compiles them;
  - synthetic packet parsers of about 1,000, 10,000 and 100,000
    instructions, generated here as BPF C (see synthetic_parser): N
    headers in sequence, each with a bounds check against data_end, a
    drop on one value, a diamond and a hash of its fields, so the number
    of branches and stored states grows with N;
  - worst cases for pruning (WORST_CASES, tests/ebpf/verifier/reject/):
    loops in subprograms called from 2 sites whose paths never join, so
    ukbpf works through its whole budget of 1,000,000 instructions.

For each: the instructions processed and the verification time (median of
--runs runs) as `ukbpf verify` prints them and, when the host lets root
load BPF, as Linux's verifier reports them (libbpf with log level 4,
BPF_LOG_STATS: "processed N insns", "verification time N usec"). The
ns/insn columns divide the time by the program's size: constant when the
time grows linearly. Below the table: the issue's target (a ~1,000
instruction parser verifies in under 5 ms), met or NOT met, and per worst
case the time per *processed* instruction (its program is small).

Build outputs go to build/bench/verify/.
"""
import argparse
import ctypes
import ctypes.util
import glob
import os
import re
import statistics
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench" / "verify"
# UKBPF in the environment selects another build of the tool, as in tests/ebpf.
UKBPF = Path(os.environ.get("UKBPF", ROOT / "build" / "tools" / "ukbpf"))
ACCEPT_DIR = ROOT / "tests" / "ebpf" / "verifier" / "accept"
REJECT_DIR = ROOT / "tests" / "ebpf" / "verifier" / "reject"
# Raw assembly cases (tests/ebpf/asm.py) that reach the verifier's budget.
WORST_CASES = ("budget_subprog_loop_guards", "budget_subprog_loop_stack",
               "budget_nested_loops")
WORST_PREFIX = "worst case: "

sys.path.insert(0, str(ROOT / "tests" / "ebpf"))
from test_verifier import CLANG, header  # noqa: E402  (the suite's own compile flags)
import asm  # noqa: E402

# An instruction (RFC 9669 §3): opcode, dst and src nibbles, offset, immediate.
INSN = struct.Struct("<BBhi")
OP_CALL = asm.CLS_JMP | 0x80
BPF_PSEUDO_CALL = 1  # src of a call to a local function (linux/bpf.h)

# Program sizes of the synthetic parsers, and of --quick's.
SYNTHETIC_SIZES = (1000, 10000, 100000)
QUICK_SIZES = (100, 1000)
# 16-bit fields per generated header, and the instructions clang makes of one.
HEADER_FIELDS = 12
INSNS_PER_HEADER = 46
# Headers per subprogram: about 5,000 instructions, jumps stay short.
CHUNK_HEADERS = 100
FNV_PRIME, FNV_OFFSET = 16777619, 2166136261
# The target: a 1,000-instruction parser verifies in under 5 ms.
TARGET_INSNS = 1000
TARGET_US = 5000.0

# Linux's BPF_LOG_STATS: only the closing statistics, so logging costs nothing.
BPF_LOG_STATS = 4
LINUX_LOG_BYTES = 1 << 16

VERDICT = re.compile(r"^(accepted|rejected)$", re.M)
PROCESSED = re.compile(r"processed (\d+) insns")
STATES = re.compile(r"stored (\d+) states")
TIME = re.compile(r"verification time (\d+) us")
LINUX_TIME = re.compile(r"verification time (\d+) usec")
PROG_INSNS = re.compile(r"^\s+0: \S+\s+section \S+\s+type \S+.*\s+insns (\d+)$", re.M)


def fail(message):
    sys.exit(f"bench-verify: {message}")


def run(cmd, check=True, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
             f"{result.stdout}{result.stderr}")
    return result


class Program:
    def __init__(self, name, obj):
        self.name = name
        self.obj = obj
        self.insns = None


# ---- building ----

def object_source(raw, name):
    """clang -target bpf assembly of an ELF object holding raw instructions.

    The entry is function `name` in section xdp; each target of a local
    call becomes a global function in .text, called through a symbol (the
    relocation libbpf and the ELF loader expect); every other instruction
    is emitted as its 8 bytes.
    """
    count = len(raw) // INSN.size
    insns = [INSN.unpack_from(raw, i * INSN.size) for i in range(count)]

    def local_call_target(i):
        opcode, regs, _, imm = insns[i]
        if opcode != OP_CALL or regs >> 4 != BPF_PSEUDO_CALL:
            return None
        return i + 1 + imm

    starts = sorted({0} | {t for t in map(local_call_target, range(count)) if t is not None})
    names = {start: name if start == 0 else f"{name}_{start}" for start in starts}
    lines = []
    for start, end in zip(starts, starts[1:] + [count]):
        lines += [f'\t.section {"xdp" if start == 0 else ".text"},"ax",@progbits',
                  f"\t.globl {names[start]}", f"\t.type {names[start]},@function",
                  f"{names[start]}:"]
        for i in range(start, end):
            target = local_call_target(i)
            word = int.from_bytes(raw[i * INSN.size:(i + 1) * INSN.size], "little")
            lines.append(f"\tcall {names[target]}" if target is not None
                         else f"\t.quad 0x{word:016x}")
        lines.append(f"\t.size {names[start]}, {(end - start) * INSN.size}")
    lines += ['\t.section license,"aw",@progbits', "_license:", '\t.asciz "GPL"']
    return "\n".join(lines) + "\n"


def synthetic_parser(headers):
    """BPF C of an XDP parser of `headers` consecutive headers.

    Each header is checked against data_end, dropped on one type value, and
    hashed (FNV-1a, as a load balancer hashes a flow) with a branch on two
    fields' difference (a diamond whose sides meet again). Subprograms of
    CHUNK_HEADERS headers each parse them in turn: clang 14 silently wraps
    jumps farther than 32767 instructions, which one big function needs.
    Every branch whose both sides are possible stays pending until the
    path ends; Linux allows 8192 (BPF_COMPLEXITY_LIMIT_JMP_SEQ), hence
    hashing enough fields per header to keep the branches that sparse.
    An empty asm per header keeps clang from interleaving the headers
    (which runs out of registers and stack at 100 headers).
    """
    lines = ["#include <linux/bpf.h>", "#include <bpf/bpf_helpers.h>", "",
             "#define CONTINUE (-1)", f"#define FNV_PRIME {FNV_PRIME}u",
             f"#define FNV_OFFSET {FNV_OFFSET}u",
             "/* Ends a header: clang may not sink its hashing below the next ones. */",
             '#define HEADER_DONE(hash) asm volatile("" : "+r"(hash))', ""]
    chunks = [range(first, min(first + CHUNK_HEADERS, headers))
              for first in range(0, headers, CHUNK_HEADERS)]
    for index, chunk in enumerate(chunks):
        lines += [f"static __attribute__((noinline)) int parse_{index}(void *data, void *data_end)",
                  "{", "\t__u32 hash = FNV_OFFSET, type, value, diff;", ""]
        for i in chunk:
            off = i * HEADER_FIELDS * 2
            # Values spread over 16 bits: no two tests alike.
            lines += [f"\tif (data + {off + HEADER_FIELDS * 2} > data_end)",
                      "\t\treturn XDP_PASS;",
                      f"\ttype = *(__u16 *)(data + {off});",
                      f"\tif (type == {(i * 7919) & 0xffff})",
                      "\t\treturn XDP_DROP;",
                      f"\tvalue = *(__u16 *)(data + {off + 2});",
                      "\tdiff = type > value ? type - value : value - type;",
                      "\thash = (hash ^ diff) * FNV_PRIME;"]
            lines += [f"\thash = (hash ^ *(__u16 *)(data + {off + 2 * field})) * FNV_PRIME;"
                      for field in range(2, HEADER_FIELDS)]
            lines += ["\tHEADER_DONE(hash);"]
        lines += [f"\treturn hash == {(index * 104729) & 0xffffffff}u ? XDP_DROP : CONTINUE;",
                  "}", ""]
    lines += ['SEC("xdp")', "int parser(struct xdp_md *ctx)", "{",
              "\tvoid *data = (void *)(long)ctx->data;",
              "\tvoid *data_end = (void *)(long)ctx->data_end;",
              "\tint verdict;", ""]
    for index in range(len(chunks)):
        lines += [f"\tverdict = parse_{index}(data, data_end);",
                  "\tif (verdict != CONTINUE)", "\t\treturn verdict;"]
    lines += ["\treturn XDP_PASS;", "}", "", 'char _license[] SEC("license") = "GPL";']
    return "\n".join(lines) + "\n"


def build(sizes):
    # A sub-make of our own: it must not see the parent make's jobserver flags.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    run(["make", "-s", "-C", ROOT, "build/tools/ukbpf"], env=env)
    OUT.mkdir(parents=True, exist_ok=True)
    programs = []
    for src in sorted(glob.glob(str(ACCEPT_DIR / "*.c"))):
        name = Path(src).stem
        obj = OUT / f"accept_{name}.o"
        run(CLANG + header(src).get("cflags", "").split() + ["-c", src, "-o", obj])
        programs.append(Program(name, obj))
    for size in sizes:
        src = OUT / f"parser_{size}.c"
        src.write_text(synthetic_parser(max(1, size // INSNS_PER_HEADER)))
        obj = OUT / f"parser_{size}.o"
        # No -g: BTF line info for 100,000 instructions only slows clang down.
        run([arg for arg in CLANG if arg != "-g"] + ["-c", src, "-o", obj])
        programs.append(Program(f"synthetic parser ~{size} insns", obj))
    for name in WORST_CASES:
        src = OUT / f"{name}.s"
        src.write_text(object_source(asm.assemble((REJECT_DIR / f"{name}.s").read_text()), name))
        obj = OUT / f"{name}.o"
        run(["clang", "-target", "bpf", "-c", src, "-o", obj])
        programs.append(Program(WORST_PREFIX + name, obj))
    for prog in programs:
        info = PROG_INSNS.search(run([UKBPF, "info", prog.obj]).stdout)
        if not info:
            fail(f"ukbpf info {prog.obj}: no program found")
        prog.insns = int(info.group(1))
    return programs


# ---- ukbpf ----

def ukbpf_verify(prog, runs):
    """(verdict, processed, states, median us) from `ukbpf verify`."""
    times, last = [], None
    for _ in range(runs):
        result = run([UKBPF, "verify", prog.obj], check=False, timeout=600)
        fields = [VERDICT.search(result.stdout), PROCESSED.search(result.stdout),
                  STATES.search(result.stdout), TIME.search(result.stdout)]
        if not all(fields):
            fail(f"ukbpf verify {prog.obj}: unexpected output:\n{result.stdout}{result.stderr}")
        times.append(float(fields[3].group(1)))
        last = fields
    verdict = last[0].group(1)
    if verdict == "rejected" and "too large" in result.stdout:
        verdict = "rejected: too large"
    return verdict, int(last[1].group(1)), int(last[2].group(1)), statistics.median(times)


# ---- Linux: libbpf loads the object with a BPF_LOG_STATS log ----

class Libbpf:
    """The few libbpf calls we need, through ctypes (no struct layouts)."""

    def __init__(self):
        path = ctypes.util.find_library("bpf")
        if not path:
            raise OSError("libbpf not found")
        lib = ctypes.CDLL(path, use_errno=True)
        ptr = ctypes.c_void_p
        for name, restype, argtypes in [
                ("bpf_object__open", ptr, [ctypes.c_char_p]),
                ("bpf_object__next_program", ptr, [ptr, ptr]),
                ("bpf_program__set_log_level", ctypes.c_int, [ptr, ctypes.c_uint32]),
                ("bpf_program__set_log_buf", ctypes.c_int, [ptr, ctypes.c_char_p,
                                                             ctypes.c_size_t]),
                ("bpf_object__load", ctypes.c_int, [ptr]),
                ("bpf_object__close", None, [ptr]),
                ("libbpf_set_print", ptr, [ptr])]:
            func = getattr(lib, name)
            func.restype, func.argtypes = restype, argtypes
        lib.libbpf_set_print(None)  # its warnings would interleave with the table
        self.lib = lib

    def load(self, obj):
        """(0 or bpf_object__load's -errno, the first program's kernel log)."""
        lib = self.lib
        handle = lib.bpf_object__open(str(obj).encode())
        if not handle:
            return -ctypes.get_errno(), ""
        try:
            prog = lib.bpf_object__next_program(handle, None)
            log = ctypes.create_string_buffer(LINUX_LOG_BYTES)
            lib.bpf_program__set_log_level(prog, BPF_LOG_STATS)
            lib.bpf_program__set_log_buf(prog, log, len(log))
            ret = lib.bpf_object__load(handle)
            return ret, log.value.decode(errors="replace")
        finally:
            lib.bpf_object__close(handle)


def linux_verify(libbpf, prog, runs):
    """(verdict, processed, median us), or an 'n/a (reason)' string."""
    if libbpf is None:
        return "n/a (no libbpf)"
    times, processed = [], None
    for _ in range(runs):
        ret, log = libbpf.load(prog.obj)
        count, time = PROCESSED.search(log), LINUX_TIME.search(log)
        if not count or not time:
            return f"n/a (load: {os.strerror(-ret) if ret else 'no verifier statistics'})"
        processed = int(count.group(1))
        times.append(float(time.group(1)))
    verdict = "accepted" if ret == 0 else "rejected"
    if ret and "too large" in log:
        verdict = "rejected: too large"
    return verdict, processed, statistics.median(times)


# ---- reporting ----

def per_insn(us, insns):
    return f"{us * 1000.0 / insns:.0f}"


def print_table(programs, results, runs):
    print(f"verification time: median of {runs} run(s); ns/insn = time / program size\n")
    print("| program | insns | ukbpf verdict | ukbpf processed | ukbpf states | ukbpf us "
          "| ukbpf ns/insn | Linux verdict | Linux processed | Linux us | Linux ns/insn |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for prog in programs:
        verdict, processed, states, us = results[prog.name]["ukbpf"]
        linux = results[prog.name]["linux"]
        if isinstance(linux, str):
            linux_cells = [linux, "n/a", "n/a", "n/a"]
        else:
            linux_cells = [linux[0], str(linux[1]), f"{linux[2]:.0f}",
                           per_insn(linux[2], prog.insns)]
        print(f"| {prog.name} | {prog.insns} | {verdict} | {processed} | {states} | {us:.0f} "
              f"| {per_insn(us, prog.insns)} | " + " | ".join(linux_cells) + " |")


def print_target(programs, results):
    """The issue's target, judged on the synthetic parser nearest 1,000 insns."""
    synthetic = [p for p in programs if p.name.startswith("synthetic")]
    if not synthetic:
        return
    prog = min(synthetic, key=lambda p: abs(p.insns - TARGET_INSNS))
    verdict, _, _, us = results[prog.name]["ukbpf"]
    met = verdict == "accepted" and us < TARGET_US
    print(f"\ntarget: a {TARGET_INSNS}-instruction parser verifies in under "
          f"{TARGET_US / 1000:.0f} ms: {prog.name} ({prog.insns} insns) {verdict} in "
          f"{us:.0f} us: {'met' if met else 'NOT met'}")


def print_worst_cases(programs, results):
    """Time per processed instruction: what a program that exhausts the
    budget costs."""
    for prog in programs:
        if not prog.name.startswith(WORST_PREFIX):
            continue
        verdict, processed, _, us = results[prog.name]["ukbpf"]
        line = (f"{prog.name} ({prog.insns} insns): ukbpf {verdict}, {processed} insns "
                f"processed in {us:.0f} us, {us * 1000.0 / processed:.0f} ns per processed insn")
        linux = results[prog.name]["linux"]
        if not isinstance(linux, str):
            line += f"; Linux {linux[0]}, {linux[1]} processed in {linux[2]:.0f} us"
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="verifications per figure, the median is shown (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 run, small synthetic programs only")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        fail("--runs must be at least 1")

    programs = build(QUICK_SIZES if args.quick else SYNTHETIC_SIZES)
    try:
        libbpf = Libbpf()
    except OSError:
        libbpf = None
    print("ukbpf verifier benchmark" + (" (--quick: figures are not meaningful)"
                                         if args.quick else ""))
    print(f"kernel: Linux {os.uname().release}\n")
    results = {}
    for prog in programs:
        results[prog.name] = {"ukbpf": ukbpf_verify(prog, args.runs),
                              "linux": linux_verify(libbpf, prog, args.runs)}
    print_table(programs, results, args.runs)
    print_target(programs, results)
    print_worst_cases(programs, results)


if __name__ == "__main__":
    main()
