#!/usr/bin/env python3
"""make bench-ebpf: ns/run of the same packet programs on four engines.

Each row is one program, written once in BPF C (bench/ebpf/NAME.c) and once
in plain C (bench/ebpf/native/programs.c), run on the same frame by:
  - ukbpf's interpreter and x86-64 JIT (build/tools/ukbpf run --repeat, which
    verifies each program first, outside the timed runs),
  - native C compiled with gcc -O2 (bench/ebpf/native/native_bench.c),
  - the Linux kernel's own JIT (bpftool prog run ... repeat), when the
    host lets us load programs.
The classic row is `tcpdump -dd 'tcp port 22'`, run by ukbpf after
translation to eBPF and natively by libpcap's bpf_filter().

A first row, a program that only returns, shows each engine's fixed
cost per run; it is not judged against the targets.

Every engine's r0 must agree on every row; a disagreement is a runtime bug
and stops the benchmark. Below the table: JIT compile time, and the
project's targets, each marked met or NOT met.

Build outputs go to build/bench/ebpf/.
"""
import argparse
import os
import platform
import re
import socket
import statistics
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_SRC = ROOT / "bench" / "ebpf"
OUT = ROOT / "build" / "bench" / "ebpf"
# UKBPF in the environment selects another build of the tool, as in tests/ebpf.
UKBPF = Path(os.environ.get("UKBPF", ROOT / "build" / "tools" / "ukbpf"))
LIBEBPF = ROOT / "build" / "host" / "libebpf.a"
HOST_PLATFORM_OBJ = ROOT / "build" / "host" / "tools" / "ukbpf" / "host_platform.o"
NATIVE_BENCH = OUT / "native_bench"
JIT_COMPILE_TIME = OUT / "jit_compile_time"
FRAME = OUT / "frame.bin"
CBPF_FILTER = "tcp port 22"
CBPF_PROGRAM = OUT / "tcp_port_22.cbpf"
BPFFS = Path("/sys/fs/bpf")

CLANG_BPF = ["clang", "-O2", "-g", "-Wall", "-target", "bpf",
             "-I/usr/include/x86_64-linux-gnu"]
# The host build's warning flags (HOST_CFLAGS in the Makefile).
GCC_NATIVE = ["gcc", "-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]

# How long one timed invocation should take once calibrated, and the
# repeat counts for calibration and --quick (21 batches, like ukbpf).
TARGET_INVOCATION_NS = 200e6
CALIBRATION_REPEAT = 21000
QUICK_REPEAT = 2100
MAX_REPEAT = 100_000_000
JIT_COMPILE_RUNS = 11

NS_PER_RUN = re.compile(r"^([0-9.]+) ns/run \(median of")
LINUX_RUN = re.compile(r"Return value: (\d+), duration \(average\): (\d+)ns")

# The targets.
JIT_VS_NATIVE_LIMIT = 1.5
INTERP_PARSE_LIMIT_NS = 100.0
PARSE_ROW = "parse_udp"

ENGINES = ("interp", "jit", "native", "linux")


class Row:
    def __init__(self, name, label, classic=False, baseline=False):
        self.name = name            # BPF object / native program name
        self.label = label
        self.classic = classic
        self.baseline = baseline    # measured to explain the others, not judged


ROWS = [
    Row("empty", "empty program (fixed cost per run)", baseline=True),
    Row("drop_ipv4", "drop if IPv4"),
    Row("parse_udp", "parse Eth/IPv4/UDP, drop UDP to port 53"),
    Row("loop64", "64-iteration loop over packet bytes"),
    Row("hash_counter", "hash-map counter per IPv4 source"),
    Row("cbpf", f"classic BPF '{CBPF_FILTER}'", classic=True),
]

LINUX_CLASSIC_NA = "n/a (classic BPF attaches to sockets)"


def fail(message):
    sys.exit(f"bench-ebpf: {message}")


def run(cmd, **kwargs):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
             f"{result.stdout}{result.stderr}")
    return result.stdout


# ---- building ----

def ipv4_checksum(header):
    """RFC 791 §3.1: ones' complement of the ones' complement sum of 16-bit words."""
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


# The benchmark's frame: a DNS-sized UDP datagram, which row 2 drops.
SRC_MAC, DST_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
SRC_IP, DST_IP = "10.0.0.1", "10.0.0.2"
SRC_PORT, DST_PORT = 40000, 53
UDP_PAYLOAD = bytes(range(32))
ETH_P_IP, IPPROTO_UDP = 0x0800, 17
IPV4_VERSION_IHL = 0x45         # version 4, 5 words of header (RFC 791 §3.1)
IPV4_ID, IPV4_TTL = 1, 64
FRAME_TEXT = f"Ethernet/IPv4/UDP, {SRC_IP}:{SRC_PORT} -> {DST_IP}:{DST_PORT}"


def udp_dns_frame():
    udp = struct.pack("!HHHH", SRC_PORT, DST_PORT, 8 + len(UDP_PAYLOAD), 0) + UDP_PAYLOAD
    ip = struct.pack("!BBHHHBBH4s4s", IPV4_VERSION_IHL, 0, 20 + len(udp), IPV4_ID, 0, IPV4_TTL,
                     IPPROTO_UDP, 0, socket.inet_aton(SRC_IP), socket.inet_aton(DST_IP))
    ip = ip[:10] + struct.pack("!H", ipv4_checksum(ip)) + ip[12:]
    eth = (bytes.fromhex(DST_MAC.replace(":", "")) + bytes.fromhex(SRC_MAC.replace(":", ""))
           + struct.pack("!H", ETH_P_IP))
    return eth + ip + udp


def build():
    # The runtime and the tool, as `make bench-ebpf` has them; a sub-make of
    # our own, so it must not see the parent make's jobserver flags.
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    run(["make", "-s", "-C", ROOT, "build/tools/ukbpf", "build/host/libebpf.a",
         "build/host/tools/ukbpf/host_platform.o"], env=env)
    OUT.mkdir(parents=True, exist_ok=True)
    FRAME.write_bytes(udp_dns_frame())
    for row in ROWS:
        if not row.classic:
            run(CLANG_BPF + ["-c", BENCH_SRC / f"{row.name}.c", "-o", OUT / f"{row.name}.o"])
    CBPF_PROGRAM.write_text(run(["tcpdump", "-dd", "-y", "EN10MB", CBPF_FILTER]))
    native = BENCH_SRC / "native"
    run(GCC_NATIVE + ["-o", NATIVE_BENCH, native / "native_bench.c", native / "programs.c",
                      "-lpcap"])
    run(GCC_NATIVE + ["-I", ROOT / "ebpf", "-I", ROOT / "tools" / "ukbpf", "-o",
                      JIT_COMPILE_TIME, native / "jit_compile_time.c", HOST_PLATFORM_OBJ,
                      LIBEBPF])


# ---- Linux: programs pinned in bpffs for the run ----

class LinuxPrograms:
    """Loads every eBPF row into the kernel; unpins them on exit."""

    def __init__(self):
        self.pins = {}
        self.unavailable = {}

    def __enter__(self):
        self.unpin_stale()
        for row in ROWS:
            if row.classic:
                self.unavailable[row.name] = LINUX_CLASSIC_NA
                continue
            pin = BPFFS / f"ukbpf_bench_{os.getpid()}_{row.name}"
            result = subprocess.run(["bpftool", "prog", "load", str(OUT / f"{row.name}.o"),
                                     str(pin)], capture_output=True, text=True)
            if result.returncode == 0:
                self.pins[row.name] = pin
            else:
                self.unavailable[row.name] = (
                    f"n/a (bpftool prog load failed: {last_line(result.stderr)})")
        return self

    @staticmethod
    def unpin_stale():
        """Pins left by a run that was killed (its process is gone)."""
        for pin in BPFFS.glob("ukbpf_bench_*_*"):
            pid = pin.name.split("_")[2]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                pin.unlink(missing_ok=True)

    def __exit__(self, *exc):
        for pin in self.pins.values():
            pin.unlink(missing_ok=True)


def last_line(text):
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no message"


# ---- one timed invocation per engine: (r0, ns/run) ----

def parse_tool_output(cmd, out):
    lines = out.splitlines()
    match = NS_PER_RUN.match(lines[-1]) if len(lines) >= 2 else None
    if not match:
        fail(f"{' '.join(map(str, cmd))}: unexpected output:\n{out}")
    return int(lines[0], 16), float(match.group(1))


def ukbpf_program_args(row):
    if row.classic:
        return ["--cbpf", CBPF_PROGRAM]
    return [f"{OUT / row.name}.o:{row.name}"]


def measure(engine, row, repeat, linux):
    if engine in ("interp", "jit"):
        cmd = [UKBPF, "run", f"--{engine}", *ukbpf_program_args(row), "--packet", FRAME,
               "--repeat", repeat]
        return parse_tool_output(cmd, run(cmd))
    if engine == "native":
        cmd = [NATIVE_BENCH, row.name, FRAME, repeat]
        if row.classic:
            cmd.append(CBPF_PROGRAM)
        return parse_tool_output(cmd, run(cmd))
    cmd = ["bpftool", "prog", "run", "pinned", linux.pins[row.name], "data_in", FRAME,
           "repeat", repeat]
    out = run(cmd)
    match = LINUX_RUN.search(out)
    if not match:
        fail(f"{' '.join(map(str, cmd))}: unexpected output:\n{out}")
    return int(match.group(1)), float(match.group(2))


def calibrated_repeat(engine, row, linux):
    """A repeat count that makes one invocation take about TARGET_INVOCATION_NS."""
    _, ns = measure(engine, row, CALIBRATION_REPEAT, linux)
    # Linux reports whole nanoseconds: a 0 means "under 1 ns".
    repeat = int(TARGET_INVOCATION_NS / max(ns, 1.0))
    return max(CALIBRATION_REPEAT, min(repeat, MAX_REPEAT))


def measure_row(row, args, linux):
    """{engine: median ns/run or an 'n/a (reason)' string}, after checking r0."""
    engines = [e for e in ENGINES if e != "linux" or row.name in linux.pins]
    repeats = {e: QUICK_REPEAT if args.quick else calibrated_repeat(e, row, linux)
               for e in engines}
    # Round-robin over the engines, so that a burst of load from elsewhere
    # on the machine hits all of them alike rather than one engine's runs.
    results = {e: [] for e in engines}
    for _ in range(args.runs):
        for engine in engines:
            results[engine].append(measure(engine, row, repeats[engine], linux))
    verdicts = {e: sorted({r0 for r0, _ in results[e]}) for e in engines}
    figures = {e: statistics.median(ns for _, ns in results[e]) for e in engines}
    if "linux" not in figures:
        figures["linux"] = linux.unavailable[row.name]
    if len({tuple(v) for v in verdicts.values()}) != 1:
        detail = ", ".join(f"{engine} r0={' '.join(hex(v) for v in values)}"
                           for engine, values in verdicts.items())
        fail(f"VERDICT MISMATCH on '{row.label}' ({row.name}): {detail}; "
             f"frame ({FRAME.stat().st_size} bytes): {FRAME.read_bytes().hex()}")
    return verdicts["interp"][0], figures


# ---- reporting ----

def machine_info():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    cpus = len(re.findall(r"^processor\s*:", cpuinfo, re.M))
    jit = Path("/proc/sys/net/core/bpf_jit_enable")
    jit_state = jit.read_text().strip() if jit.exists() else "unknown"
    gcc = run(["gcc", "-dumpfullversion"]).strip()
    clang = re.search(r"version (\S+)", run(["clang", "--version"]))
    return [
        f"CPU: {model.group(1) if model else 'unknown'} ({cpus} CPUs)",
        f"kernel: Linux {platform.release()} (net.core.bpf_jit_enable={jit_state})",
        f"compilers: gcc {gcc} -O2 (native), clang {clang.group(1) if clang else '?'} "
        f"-O2 -target bpf (BPF)",
    ]


def cell(value):
    return f"{value:.1f}" if isinstance(value, float) else value


def ratio(a, b):
    if isinstance(a, float) and isinstance(b, float) and b > 0:
        return a / b
    return None


def ratio_cell(value):
    return "n/a" if value is None else f"{value:.2f}"


def print_table(results, args):
    print(f"ns/run, median of {args.runs} invocation(s), each the median of 21 batches; "
          f"frame: {FRAME.stat().st_size}-byte {FRAME_TEXT}\n")
    print("| program | r0 | ukbpf interpreter | ukbpf JIT | native C (gcc -O2) "
          "| Linux (bpftool prog run) | JIT/native | JIT/Linux |")
    print("|---|---|---|---|---|---|---|---|")
    for row in ROWS:
        r0, figures = results[row.name]
        jit = figures["jit"]
        print(f"| {row.label} | {hex(r0)} | {cell(figures['interp'])} | {cell(jit)} "
              f"| {cell(figures['native'])} | {cell(figures['linux'])} "
              f"| {ratio_cell(ratio(jit, figures['native']))} "
              f"| {ratio_cell(ratio(jit, figures['linux']))} |")


def print_jit_compile_time(args):
    runs = 1 if args.quick else JIT_COMPILE_RUNS
    out = run([JIT_COMPILE_TIME, runs])
    print(f"\nJIT compile time, straight-line ALU programs (median of {runs} compilations)\n")
    print("| insns | ebpf_prog_create (us) | ebpf_prog_jit (us) | JIT us per 1000 insns "
          "| code bytes |")
    print("|---|---|---|---|---|")
    line = re.compile(r"^(\d+) insns: create ([0-9.]+) us, jit ([0-9.]+) us "
                      r"\(([0-9.]+) us per 1000 insns\), (\d+) bytes of code$")
    for text in out.splitlines():
        match = line.match(text)
        if not match:
            fail(f"jit_compile_time: unexpected output: {text}")
        print("| " + " | ".join(match.groups()) + " |")


def print_targets(results):
    """The issue's targets, row by row; returns (met, total)."""
    print("\ntargets\n")
    print("| target | program | measured | result |")
    print("|---|---|---|---|")
    verdicts = []

    def judge(target, label, measured, met):
        verdicts.append(met)
        result = "n/a" if met is None else ("met" if met else "NOT met")
        print(f"| {target} | {label} | {measured} | {result} |")

    judged_rows = [row for row in ROWS if not row.baseline]
    for row in judged_rows:
        figures = results[row.name][1]
        vs_native = ratio(figures["jit"], figures["native"])
        judge(f"JIT within {JIT_VS_NATIVE_LIMIT}x of native C", row.label,
              f"JIT/native = {ratio_cell(vs_native)}",
              None if vs_native is None else vs_native <= JIT_VS_NATIVE_LIMIT)
    for row in judged_rows:
        figures = results[row.name][1]
        vs_linux = ratio(figures["jit"], figures["linux"])
        judge("JIT faster than Linux", row.label,
              f"JIT/Linux = {ratio_cell(vs_linux)}"
              if vs_linux is not None else f"Linux: {figures['linux']}",
              None if vs_linux is None else vs_linux < 1.0)
    interp = results[PARSE_ROW][1]["interp"]
    judge(f"interpreter under {INTERP_PARSE_LIMIT_NS:.0f} ns/run", results_label(PARSE_ROW),
          f"{interp:.1f} ns/run", interp < INTERP_PARSE_LIMIT_NS)
    judged = [v for v in verdicts if v is not None]
    print(f"\n{sum(judged)} of {len(judged)} targets met"
          + (f" ({len(verdicts) - len(judged)} not applicable)" if len(judged) < len(verdicts)
             else ""))


def results_label(name):
    return next(row.label for row in ROWS if row.name == name)


def print_notes():
    print("""
notes: every engine runs each program on the same frame, after one untimed
warm-up run, and reports the median of per-batch averages. ukbpf's figures
include ebpf_prog_run()'s dispatch into the JIT code or the interpreter;
native C is called through a volatile function pointer (so neither inlined
nor hoisted), which costs the same indirect call. Linux's figure is
bpf_prog_test_run's average in whole nanoseconds (rounded down) and
includes its test loop: see the empty program's row. The native hash
counter is a minimal open-addressing table (no deletion, no locking); the
kernel's and ukbpf's are general hash maps. On the classic row the native
column is libpcap's bpf_filter(), an interpreter, not compiled C.""")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5,
                        help="timed invocations per figure (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 1 invocation of a small repeat count per figure")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
    if args.runs < 1:
        fail("--runs must be at least 1")

    build()
    print("ukbpf eBPF benchmark" + (" (--quick: figures are not meaningful)" if args.quick
                                     else ""))
    for line in machine_info():
        print(line)
    print()
    with LinuxPrograms() as linux:
        results = {row.name: measure_row(row, args, linux) for row in ROWS}
    print_table(results, args)
    print_jit_compile_time(args)
    print_targets(results)
    print_notes()


if __name__ == "__main__":
    main()
