#!/usr/bin/env python3
"""Proves that a restructuring of ebpf/ changed no behaviour of the verifier
or the JIT: on every program below, the verifier's verdict (with the first
error line of a rejection), its processed-instruction count and its
stored-state count are the same before and after, and the JIT's x86-64
code is byte-identical but for the absolute addresses it embeds.

    scripts/ebpf-equivalence.py snapshot --tree DIR --out FILE.json
    scripts/ebpf-equivalence.py compare BEFORE.json AFTER.json

`snapshot` builds DIR's host tools (make -s -C DIR host), compiles and
assembles the programs into DIR/build/equivalence/ and records, per
program, what `ukbpf verify` and `ukbpf jit-dump` say. `compare` prints a
table of every difference (program, field, before, after) and exits 1,
or prints one summary line and exits 0.

The programs (taken from DIR):
  - every C program the tests compile (tests/ebpf/verifier/accept,
    reject_c with their "cflags:" line, every program of each
    tests/ebpf/progs object) and bench/ebpf, bench/net, apps/*/bpf, each
    built for clang -mcpu=v1, v2 and v3;
  - the raw assembly cases tests/ebpf/verifier/accept_raw and reject
    (tests/ebpf/asm.py, with their "# type:"), the classic filters of
    accept_cbpf, and the ISA programs tests/ebpf/insn/*.data (all verified,
    also those the ISA tests run unverified: a rejection is a verdict too);
  - FUZZ_INPUTS programs of the verifier fuzzer's generator
    (tests/fuzz/fuzz_verifier.c in FUZZ_VERIFIER_SNAPSHOT mode, built with
    -fsanitize=fuzzer) from a corpus of seeded pseudo-random inputs.

JIT code embeds addresses that move with unrelated changes: map and map
data pointers (heap), helper and runtime functions (inside the PIE tool).
Every tool runs under `setarch -R` (no ASLR), so the PIE loads at
PIE_BASE; each dump is disassembled with objdump and every 64-bit
immediate that is an address becomes a name: inside the binary
`<symbol+off>` (from nm), elsewhere `<HEAPn>`, numbered by first
appearance in that program (so which of its maps a program uses where
is still checked). Jump targets within the code are offsets from its
start (the dump is disassembled at address 0; x86 jumps are relative).
Every other byte stays: the normalised text lists each instruction's
bytes, and its byte count must add up to the code length, which is
compared too. The PIE base is checked on every helper call
("movabs $X,%rax; call *%rax"): X must land on a symbol's first byte. A
direct call or jump out of the code (possible only if the JIT memory
were within 2 GiB of the tool) stops the snapshot, since its target
could not be checked.

Limits: the JIT code is what `ukbpf jit-dump` makes, unblinded (blinding
is random by design) and, for raw programs, as type unspec (jit-dump has
no --type). A helper or runtime function that is renamed shows up as a
`jit` difference naming both symbols: confirm it by eye. Fuzz programs
record no error line. A program present in one snapshot only is a
difference.

About a minute on two idle cores: WORKERS tool runs at a time.
"""
import argparse
import bisect
import concurrent.futures
import glob
import hashlib
import importlib.util
import json
import os
import random
import re
import shutil
import subprocess
import sys

# The case files are read as the tests read them (tests/ebpf/casefile.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ebpf"))
from casefile import header, parse_data_file  # noqa: E402

WORKERS = 2
CPUS = ("v1", "v2", "v3")
CLANG = ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
# The C programs: directories relative to the tree.
C_DIRS = ["tests/ebpf/verifier/accept", "tests/ebpf/verifier/reject_c", "tests/ebpf/progs",
          "bench/ebpf", "bench/net", "apps/*/bpf"]
RAW_DIRS = ["tests/ebpf/verifier/accept_raw", "tests/ebpf/verifier/reject"]
CBPF_DIR = "tests/ebpf/verifier/accept_cbpf"
INSN_DIR = "tests/ebpf/insn"

# Where Linux loads a PIE when ASLR is off (ELF_ET_DYN_BASE, x86-64).
PIE_BASE = 0x555555554000
ELF_ET_DYN = 3  # e_type (offset 16) of a PIE
# Outside the binary, the addresses a no-ASLR process gets: brk heap just
# above the binary, mmap (and the stack) just below 128 TiB.
BRK_SPAN = 1 << 32
MMAP_RANGE = (0x7F0000000000, 0x800000000000)

FUZZ_INPUTS = 3000
FUZZ_SEED = 20240607
FUZZ_LENGTHS = (64, 4096)
FUZZ_FLAGS = ["-O1", "-g", "-fsanitize=fuzzer", "-DEBPF_INTERP_CHECKED"]
FNV1A64_OFFSET, FNV1A64_PRIME = 0xCBF29CE484222325, 0x100000001B3

TIMEOUT = 300
# Compared per program; prog_hash (fuzz only) shows both trees generated the same program.
FIELDS = ("prog_hash", "verdict", "error", "processed", "states", "jit_len", "jit")


# ---- running things --------------------------------------------------------


def run(args, **kwargs):
    """Runs args; returns the CompletedProcess (text, output captured)."""
    return subprocess.run(args, capture_output=True, text=True, errors="replace",
                          timeout=TIMEOUT, **kwargs)


def run_checked(args, **kwargs):
    result = run(args, **kwargs)
    if result.returncode != 0:
        sys.exit("%s failed (%d):\n%s%s" % (" ".join(args), result.returncode,
                                           result.stdout[-2000:], result.stderr[-4000:]))
    return result


def parallel(fn, items):
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(fn, items))


# ---- the programs ----------------------------------------------------------


class Program:
    """One program: its key in the snapshot and how ukbpf addresses it."""

    def __init__(self, key, kind, source, verify_opts=()):
        self.key = key          # tree-independent name, e.g. "bench/ebpf/empty.c[v2]:prog"
        self.kind = kind        # for the summary: c, raw, cbpf, insn
        self.source = source    # ukbpf PROGRAM arguments
        self.verify_opts = list(verify_opts)


def compile_c(tree, cache, src, cpu):
    """Compiles one C file for -mcpu=cpu into the cache; returns the object."""
    rel = os.path.relpath(src, tree)
    obj = os.path.join(cache, "obj", rel.replace("/", "__")[:-2] + "-" + cpu + ".o")
    os.makedirs(os.path.dirname(obj), exist_ok=True)
    # -mcpu last: it overrides a case's own cflags (as test_verifier.py does)
    cflags = header(src).get("cflags", "").split() + ["-mcpu=" + cpu]
    run_checked(CLANG + cflags + ["-c", src, "-o", obj])
    return obj


def object_programs(tree, cache, ukbpf, src, cpu):
    """Every program of src built for cpu, as `ukbpf info` lists them."""
    obj = compile_c(tree, cache, src, cpu)
    info = run_checked([ukbpf, "info", obj])
    names = re.findall(r"^\s+\d+: (\S+)\s+section", info.stdout, re.M)
    rel = os.path.relpath(src, tree)
    return [Program("%s[%s]:%s" % (rel, cpu, name), "c", [obj + ":" + name]) for name in names]


def c_programs(tree, cache, ukbpf):
    sources = sorted(src for d in C_DIRS for src in glob.glob(os.path.join(tree, d, "*.c")))
    builds = [(src, cpu) for src in sources for cpu in CPUS]
    per_object = parallel(lambda build: object_programs(tree, cache, ukbpf, *build), builds)
    return [program for programs in per_object for program in programs]


def libebpf_build():
    """This checkout's tests/libebpf_build.py, which knows how to build any tree's libebpf."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location(
        "libebpf_build", os.path.join(here, "tests", "libebpf_build.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_assembler(tree):
    spec = importlib.util.spec_from_file_location("asm", os.path.join(tree, "tests/ebpf/asm.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_raw(cache, rel, code):
    path = os.path.join(cache, "raw", rel.replace("/", "__") + ".bin")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(code)
    return path


def raw_programs(tree, cache, asm):
    programs = []
    for d in RAW_DIRS:
        for case in sorted(glob.glob(os.path.join(tree, d, "*.s"))):
            rel = os.path.relpath(case, tree)
            with open(case) as f:
                path = write_raw(cache, rel, asm.assemble(f.read()))
            programs.append(Program(rel, "raw", ["--raw", path],
                                    ["--type", header(case)["type"]]))
    return programs


def insn_programs(tree, cache, asm):
    programs = []
    for data in sorted(glob.glob(os.path.join(tree, INSN_DIR, "*.data"))):
        rel = os.path.relpath(data, tree)
        path = write_raw(cache, rel, asm.assemble(parse_data_file(data)["asm"]))
        programs.append(Program(rel, "insn", ["--raw", path]))
    return programs


def cbpf_programs(tree):
    return [Program(os.path.relpath(txt, tree), "cbpf", ["--cbpf", txt])
            for txt in sorted(glob.glob(os.path.join(tree, CBPF_DIR, "*.txt")))]


# ---- the verifier's verdict ------------------------------------------------

STATS = re.compile(r"processed (\d+) insns \(limit \d+\), stored (\d+) states")


def first_error(log_lines):
    """'N: reason' when the log starts at an instruction line, else its first line."""
    if not log_lines:
        return ""
    m = re.match(r"(\d+): \(", log_lines[0])
    if m and len(log_lines) > 1:
        return "%s: %s" % (m[1], log_lines[1])
    return log_lines[0]


def verify(ukbpf, program, strip):
    result = run([ukbpf, "verify", *program.verify_opts, *program.source])
    lines = result.stdout.splitlines()
    if result.returncode not in (0, 1):
        return {"verdict": "crash (exit %d)" % result.returncode,
                "error": strip(result.stderr.strip())}
    if not lines:  # refused before the verifier: a structural check at load
        return {"verdict": "load-error", "error": strip(result.stderr.strip())}
    at = next((i for i, line in enumerate(lines) if STATS.match(line)), None)
    if at is None:
        return {"verdict": "no figures: " + lines[0], "error": strip(result.stdout.strip())}
    stats = STATS.match(lines[at])
    return {"verdict": lines[0],
            "error": strip(first_error(lines[1:at])) if lines[0] != "accepted" else "",
            "processed": int(stats[1]), "states": int(stats[2])}


# ---- JIT code, normalised --------------------------------------------------


class Binary:
    """The symbols of a PIE loaded at PIE_BASE, for naming addresses."""

    def __init__(self, path):
        with open(path, "rb") as f:
            elf = f.read(18)
        if elf[16] != ELF_ET_DYN:
            sys.exit("%s is not a PIE: its addresses would not be named" % path)
        self.base = PIE_BASE
        symbols = []
        nm = run_checked(["nm", "-n", "--defined-only", path])
        for line in nm.stdout.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] not in "aANU":
                symbols.append((int(parts[0], 16) + self.base, parts[2]))
        symbols.sort()
        self.addresses = [a for a, _ in symbols]
        self.names = [n for _, n in symbols]
        end = dict((n, a) for a, n in symbols).get("_end", self.addresses[-1])
        self.range = (self.base, end)
        self.brk_range = (end, end + BRK_SPAN)

    def symbol(self, address):
        """(name, offset) of the symbol at or below address."""
        i = bisect.bisect_right(self.addresses, address) - 1
        return self.names[i], address - self.addresses[i]

    def kind(self, value):
        """'binary', 'heap' or None (a constant) for a 64-bit immediate."""
        if self.range[0] <= value < self.range[1]:
            return "binary"
        for low, high in (self.brk_range, MMAP_RANGE):
            if low <= value < high:
                return "heap"
        return None


class JitError(Exception):
    """JIT code whose addresses cannot be named safely: the snapshot stops."""


OBJDUMP_LINE = re.compile(r"^\s*([0-9a-f]+):\t([0-9a-f ]+?)\s*(?:\t(.*))?$")
DIRECT_BRANCH = re.compile(r"^(call|j[a-z]+)\s+0x([0-9a-f]+)$")


def disassemble(code, work_path):
    """objdump's (offset, [byte hex], asm text) per instruction of code."""
    with open(work_path, "wb") as f:
        f.write(code)
    dump = run_checked(["objdump", "-D", "-z", "-w", "--insn-width=16", "-b", "binary",
                        "-mi386:x86-64", work_path])
    os.unlink(work_path)
    insns = []
    for line in dump.stdout.splitlines():
        m = OBJDUMP_LINE.match(line)
        if m:
            insns.append((int(m[1], 16), m[2].split(), " ".join((m[3] or "").split())))
    return insns


def normalise_insn(binary, names, code_len, offset, hexbytes, text, next_text):
    """One instruction as 'OFF: BYTES  ASM' with addresses named."""
    branch = DIRECT_BRANCH.match(text)
    if branch and int(branch[2], 16) >= code_len:
        raise JitError("%x: %s leaves the code: its target cannot be named" % (offset, text))
    for literal in re.findall(r"\$0x([0-9a-f]{9,16})\b", text):
        value = int(literal, 16)
        kind = binary.kind(value)
        if kind is None:
            continue
        if kind == "binary":
            symbol, off = binary.symbol(value)
            name = "<%s+%#x>" % (symbol, off)
            if next_text == "call *%rax" and text.endswith(",%rax"):
                if off != 0:
                    raise JitError("helper call to %s: not a function entry; is the PIE "
                                   "base %#x right?" % (name, binary.base))
        else:
            name = names.setdefault(value, "<HEAP%d>" % len(names))
        encoded = ["%02x" % b for b in value.to_bytes(8, "little")]
        at = next((i for i in range(len(hexbytes) - 7) if hexbytes[i:i + 8] == encoded), None)
        if at is None:
            raise JitError("%x: %s: address not found in the bytes" % (offset, text))
        hexbytes = hexbytes[:at] + [name] + hexbytes[at + 8:]
        text = text.replace("$0x" + literal, "$" + name)
    return "%x: %s  %s" % (offset, " ".join(hexbytes), text)


def normalise_jit(code, binary, work_path):
    """The disassembly of code with its addresses named (see the docstring)."""
    insns = disassemble(code, work_path)
    names = {}
    lines, counted = [], 0
    for i, (offset, hexbytes, text) in enumerate(insns):
        if offset != counted:
            raise JitError("objdump skipped bytes at %x" % counted)
        counted += len(hexbytes)
        next_text = insns[i + 1][2] if i + 1 < len(insns) else ""
        lines.append(normalise_insn(binary, names, len(code), offset, hexbytes, text, next_text))
    if counted != len(code):
        raise JitError("objdump listed %d of %d bytes" % (counted, len(code)))
    return "\n".join(lines)


def jit_record(key, code, binary, work_path):
    try:
        return {"jit_len": len(code), "jit": normalise_jit(code, binary, work_path)}
    except JitError as err:
        raise JitError("%s: %s" % (key, err)) from None


def jit_dump(ukbpf, binary, program, work_path, strip):
    """The program's JIT code as `ukbpf jit-dump` makes it (no ASLR), normalised."""
    result = run(["setarch", "-R", ukbpf, "jit-dump", *program.source])
    if result.returncode != 0:
        return {"jit_len": None, "jit": "error: " + strip(result.stderr.strip())}
    return jit_record(program.key, bytes.fromhex(result.stdout), binary, work_path)


# ---- the fuzzer's programs -------------------------------------------------


def fnv1a64(data):
    h = FNV1A64_OFFSET
    for b in data:
        h = ((h ^ b) * FNV1A64_PRIME) & 0xFFFFFFFFFFFFFFFF
    return h


def make_fuzz_corpus(cache):
    """FUZZ_INPUTS seeded pseudo-random files; returns {input hash: file name}."""
    corpus = os.path.join(cache, "fuzz-corpus")
    shutil.rmtree(corpus, ignore_errors=True)
    os.makedirs(corpus)
    rng = random.Random(FUZZ_SEED)
    names = {}
    for i in range(FUZZ_INPUTS):
        data = rng.randbytes(rng.randint(*FUZZ_LENGTHS))
        name = "input-%04d" % i
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(data)
        names["%016x" % fnv1a64(data)] = name
    return corpus, names


def build_fuzzer(tree, cache):
    """tests/fuzz/fuzz_verifier.c as test_fuzz.py builds it, without ASan/UBSan."""
    out = os.path.join(cache, "fuzz-build")
    os.makedirs(out, exist_ok=True)
    lib_sources, lib_flags = libebpf_build().sources_and_flags(tree)
    flags = FUZZ_FLAGS + lib_flags + ["-I" + os.path.join(tree, "tools", "ukbpf")]
    sources = lib_sources + [
        os.path.join(tree, "tools", "ukbpf", "host_platform.c"),
        os.path.join(tree, "tests", "fuzz", "fuzz_verifier.c")]

    def compile_one(src):
        obj = os.path.join(out, os.path.basename(src) + ".o")
        run_checked(["clang", *flags, "-c", src, "-o", obj])
        return obj

    exe = os.path.join(out, "fuzz_verifier")
    run_checked(["clang", *flags, "-o", exe, *parallel(compile_one, sources)])
    return exe


def run_fuzzer(exe, corpus):
    """The harness's snapshot lines for every corpus file, WORKERS processes."""
    files = sorted(glob.glob(os.path.join(corpus, "*")))
    chunks = [files[k::WORKERS] for k in range(WORKERS)]
    env = dict(os.environ, FUZZ_VERIFIER_SNAPSHOT="1")
    env.pop("FUZZ_VERIFIER_NO_VERIFY", None)

    def run_chunk(chunk):
        result = run_checked(["setarch", "-R", exe, "-rss_limit_mb=2048", *chunk], env=env)
        lines = [l for l in result.stdout.splitlines() if l.startswith("snapshot ")]
        if len(lines) != len(chunk):
            sys.exit("fuzz_verifier: %d snapshot lines for %d inputs" % (len(lines), len(chunk)))
        return lines

    return [line for lines in parallel(run_chunk, chunks) for line in lines]


def fuzz_snapshot(tree, cache):
    corpus, names = make_fuzz_corpus(cache)
    exe = build_fuzzer(tree, cache)
    binary = Binary(exe)

    def record(line):
        _, input_hash, prog_hash, verdict, processed, states, jit = line.split()
        key = "fuzz/" + names[input_hash]
        entry = {"kind": "fuzz", "verdict": verdict, "error": "", "prog_hash": prog_hash,
                 "processed": int(processed), "states": int(states)}
        work = os.path.join(cache, "jit-fuzz-%s.bin" % input_hash)
        if jit == "-":
            entry.update({"jit_len": None, "jit": "error: JIT refused"})
        else:
            entry.update(jit_record(key, bytes.fromhex(jit), binary, work))
        return key, entry

    return dict(parallel(record, run_fuzzer(exe, corpus)))


# ---- snapshot and compare --------------------------------------------------


def collect_programs(tree, cache, ukbpf):
    asm = load_assembler(tree)
    return (c_programs(tree, cache, ukbpf) + raw_programs(tree, cache, asm) +
            cbpf_programs(tree) + insn_programs(tree, cache, asm))


def measure(ukbpf, binary, tree, cache, program):
    """The snapshot entry of one program: verifier's figures and JIT code."""
    def strip(text):  # messages name files, whose paths differ between trees
        return text.replace(cache + "/", "").replace(tree + "/", "")

    work = os.path.join(cache, "jit-%s.bin" % hashlib.sha1(program.key.encode()).hexdigest())
    entry = {"kind": program.kind}
    entry.update(verify(ukbpf, program, strip))
    entry.update(jit_dump(ukbpf, binary, program, work, strip))
    return program.key, entry


HELPER_CALL = re.compile(r"\+0x0>,%rax\n[0-9a-f]+: ff d0  call \*%rax$", re.M)


def helper_calls(programs):
    """How many helper calls checked the PIE base (normalise_insn)."""
    return sum(len(HELPER_CALL.findall(e["jit"])) for e in programs.values())


def summarise(programs):
    """Counts by kind and verdict, for the snapshot's own report."""
    counts = {}
    for entry in programs.values():
        kind = counts.setdefault(entry["kind"], {})
        kind[entry["verdict"]] = kind.get(entry["verdict"], 0) + 1
    for kind, verdicts in sorted(counts.items()):
        print("  %-5s %5d programs: %s" % (kind, sum(verdicts.values()), ", ".join(
            "%d %s" % (n, v) for v, n in sorted(verdicts.items()))))
    jitted = sum(1 for e in programs.values() if e["jit_len"] is not None)
    print("  %d JIT dumps; %d helper calls checked the PIE base" % (jitted,
                                                                   helper_calls(programs)))


def tree_commit(tree):
    """HEAD's hash, marked "+changes" when the working tree differs from it."""
    commit = run(["git", "-C", tree, "rev-parse", "HEAD"]).stdout.strip()
    changed = run(["git", "-C", tree, "status", "--porcelain", "--untracked-files=no"]).stdout
    return commit + ("+changes" if changed.strip() else "")


def snapshot(args):
    tree = os.path.abspath(args.tree)
    run_checked(["make", "-s", "-C", tree, "host"])
    ukbpf = os.path.join(tree, "build", "tools", "ukbpf")
    cache = os.path.join(tree, "build", "equivalence")
    os.makedirs(cache, exist_ok=True)
    binary = Binary(ukbpf)
    programs = dict(parallel(lambda p: measure(ukbpf, binary, tree, cache, p),
                             collect_programs(tree, cache, ukbpf)))
    if not args.no_fuzz:
        programs.update(fuzz_snapshot(tree, cache))
    if helper_calls(programs) == 0:
        sys.exit("no helper call in any JIT code: the PIE base was never checked")
    commit = tree_commit(tree)
    with open(args.out, "w") as f:
        json.dump({"tree": tree, "commit": commit, "programs": programs}, f, indent=0,
                  sort_keys=True)
    print("%s: %d programs of %s at %s" % (args.out, len(programs), tree, commit))
    summarise(programs)


def first_difference(before, after):
    """The first differing line of two JIT texts, shortened for the table."""
    a, b = (before or "").splitlines(), (after or "").splitlines()
    for x, y in zip(a, b):
        if x != y:
            return x, y
    return ("%d lines" % len(a)), ("%d lines" % len(b))


def differences(before, after):
    """(program, field, before, after) for everything that differs."""
    rows = []
    for key in sorted(set(before) | set(after)):
        if key not in after or key not in before:
            rows.append((key, "program", "present" if key in before else "absent",
                         "present" if key in after else "absent"))
            continue
        for field in FIELDS:
            x, y = before[key].get(field), after[key].get(field)
            if x == y:
                continue
            if field == "jit":
                x, y = first_difference(x, y)
            rows.append((key, field, x, y))
    return rows


def print_table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(3)]
    print("%-*s  %-*s  %-*s  %s" % (widths[0], "program", widths[1], "field", widths[2],
                                     "before", "after"))
    for row in rows:
        print("%-*s  %-*s  %-*s  %s" % (widths[0], row[0], widths[1], row[1], widths[2],
                                         row[2], row[3]))


def compare(args):
    with open(args.before) as f:
        before = json.load(f)["programs"]
    with open(args.after) as f:
        after = json.load(f)["programs"]
    rows = differences(before, after)
    if rows:
        print_table(rows)
        print("%d differences in %d programs" % (len(rows), len({r[0] for r in rows})))
        return 1
    print("%d programs, identical verdicts, processed, states and JIT code" % len(before))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    snap = commands.add_parser("snapshot", help="record a tree's verifier and JIT results")
    snap.add_argument("--tree", required=True, help="a worktree of the repository")
    snap.add_argument("--out", required=True, help="the JSON file to write")
    snap.add_argument("--no-fuzz", action="store_true", help="skip the fuzzer's programs")
    comp = commands.add_parser("compare", help="compare two snapshots; exit 1 on a difference")
    comp.add_argument("before")
    comp.add_argument("after")
    args = parser.parse_args()
    if args.command == "compare":
        return compare(args)
    try:
        snapshot(args)
    except JitError as err:
        sys.exit("ebpf-equivalence: %s" % err)
    return 0


if __name__ == "__main__":
    sys.exit(main())
