#!/usr/bin/env python3
"""make bench-net: frames per second through the guest's receive path.

For each case (no program: frames go to lwIP, which drops what is not for
it; XDP_DROP of everything; a parse-and-filter program that drops UDP to
one port and passes the rest; XDP_TX bounce) boots httpd on a tap device in
a network namespace of its own (tests/system/nettap.py), with net.stats
on, and runs tools/pktgen on the tap's host side for a fixed time, RUNS
times. Each run's rates come from counters read before and after it: the
generator's (offered, and what came back), the tap's (what QEMU read) and
the guest's net-stats lines (frames received and the program's verdicts).
Prints a markdown table of medians with min and max (docs/benchmarks.md,
"Packet path", says what each column means). Needs root.

With --linux, the same cases, generator, frame size, duration and tap
setup run against the Linux guest too (scripts/run-linux.sh --net-tap;
tools/xdp-loader attaches the same .o in XDP native mode and prints the
same net-stats lines; with no program the Linux stack drops the frames),
and a last table sets the two side by side with the ratio ukbpf/Linux.
Importable: measure_side() and the table functions serve scripts/bench.py.
"""
import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "system"))
from nettap import (GUEST_IP, PREFIX_LEN, ConsoleGuest, TapNamespace, boot_ukbpf,  # noqa: E402
                    unavailable_reason)

IMAGE = ROOT / "build" / "ukbpf.elf"  # httpd, the default app
RUN_LINUX = ROOT / "scripts" / "run-linux.sh"
LINUX_GUEST = ROOT / "build" / "linux-guest"
LINUX_READY = r"xdp-loader: ready to process packets"
LINUX_MODE = re.compile(r"xdp-loader: (attached \S+ to \S+ in .* mode|no program attached)")
PKTGEN = ROOT / "build" / "tools" / "pktgen"
OBJ_DIR = ROOT / "build" / "bench" / "net"
READY = r"httpd: listening on TCP port 80"
READY_TIMEOUT_S = 180
STATS_PERIOD_MS = 250
STATS_LINE = re.compile(r"net-stats: (.*)$")
PKTGEN_LINE = re.compile(r"pktgen: (.*)$")
# Not the guest's address: lwIP (and a Linux guest's stack) drops these
# silently, with nothing sent back, when no program decides first.
TARGET_IP = "192.168.77.3"
FILTERED_PORT, PASSED_PORT = 53, 54  # bench/ebpf/parse_udp.c drops UDP to 53


class Case:
    def __init__(self, name, source, verdict, bounce=False):
        self.name, self.source, self.verdict, self.bounce = name, source, verdict, bounce


CASES = [
    Case("no program (the stack drops)", None, None),
    Case("XDP_DROP everything", "bench/net/drop_all.c", "xdp_drop"),
    Case("parse and filter (UDP :53 dropped, :54 passed)", "bench/ebpf/parse_udp.c", "xdp_drop"),
    Case("XDP_TX bounce", "bench/net/tx_bounce.c", "xdp_tx", bounce=True),
]


def fields(line_match) -> dict:
    return {k: float(v) for k, v in (kv.split("=", 1) for kv in line_match.group(1).split())}


def compile_program(source: str) -> Path:
    OBJ_DIR.mkdir(parents=True, exist_ok=True)
    obj = OBJ_DIR / (Path(source).stem + ".o")
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                            text=True).stdout.strip() or "x86_64-linux-gnu"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{triple}", "-c",
                    str(ROOT / source), "-o", str(obj)], check=True)
    return obj


def next_stats(guest) -> dict:
    """The guest's next net-stats line printed from now on."""
    return fields(guest.wait_for(STATS_LINE.pattern, 30, len(guest.lines)))


def one_run(ns, guest, case, args) -> dict:
    stats_before = next_stats(guest)
    tap_before = ns.tap_counters()
    command = [PKTGEN, "-i", ns.tap, "-t", args.seconds, "-s", args.size, "-b", TARGET_IP,
               "-p", f"{FILTERED_PORT},{PASSED_PORT}"]
    if args.rate:
        command += ["-r", args.rate]
    if case.bounce:
        command.append("-c")
    result = ns.run(*command, timeout=args.seconds + 60, check=True)
    gen = fields(PKTGEN_LINE.search(result.stdout))
    # Two lines later every frame in flight has been counted.
    next_stats(guest)
    stats_after = next_stats(guest)
    tap_after = ns.tap_counters()
    seconds = gen["seconds"]

    def guest_rate(name):
        return (stats_after[name] - stats_before[name]) / seconds

    return {
        "offered": gen["offered_pps"],
        "into_qemu": (tap_after["tx"] - tap_before["tx"]) / seconds,
        "guest_rx": guest_rate("rx"),
        "verdict": guest_rate(case.verdict) if case.verdict else None,
        "back": gen["replies"] / seconds if case.bounce else None,
    }


def boot_linux(ns, obj, run_args) -> ConsoleGuest:
    """The Linux guest on ns's tap, obj (or nothing) attached, net-stats every period."""
    files = ["--file", str(obj)] if obj else []
    loader = f"--attach eth0 --stats {STATS_PERIOD_MS}" + (f" {obj.name}" if obj else "")
    return ConsoleGuest(ns.command(RUN_LINUX, "--timeout", "600", "--net-tap", ns.tap,
                                   *run_args, *files, "--cmdline",
                                   f"ukbpf.ip={GUEST_IP}/{PREFIX_LEN} -- {loader}"))


def measure(case, args, side="ukbpf") -> list:
    """The runs of one case against side ("ukbpf" or "linux"); for Linux, the
    loader's attach mode goes into case.linux_mode."""
    run_args = ["--accel", args.accel, "--mem", args.mem] if args.accel else ["--mem", args.mem]
    obj = compile_program(case.source) if case.source else None
    runs = []
    with TapNamespace() as ns:
        if side == "ukbpf":
            guest = boot_ukbpf(ns, IMAGE, *run_args, *(["--bpf", str(obj)] if obj else []),
                               cmdline=f"net.stats={STATS_PERIOD_MS}")
        else:
            guest = boot_linux(ns, obj, run_args)
        try:
            guest.wait_for(READY if side == "ukbpf" else LINUX_READY, READY_TIMEOUT_S)
            if side == "linux":
                case.linux_mode = next((m.group(1) for m in map(LINUX_MODE.search, guest.lines)
                                        if m), "unknown")
            for i in range(args.runs):
                runs.append(one_run(ns, guest, case, args))
                print(f"bench-net: {side}: {case.name}, run {i + 1}: " +
                      ", ".join(f"{k} {v:.0f}" for k, v in runs[-1].items() if v is not None),
                      file=sys.stderr)
            if not guest.alive():
                sys.exit(f"bench-net: the guest ended during {case.name}:\n{guest.output()}")
        finally:
            guest.close()
    return runs


def cell(runs, key) -> str:
    values = [r[key] for r in runs]
    if values[0] is None:
        return "-"
    if len(values) == 1:
        return f"{values[0]:,.0f}"
    return f"{statistics.median(values):,.0f} ({min(values):,.0f}-{max(values):,.0f})"


def median(runs, key):
    values = [r[key] for r in runs]
    return None if values[0] is None else statistics.median(values)


def side_table(title, results) -> list:
    """The lines of one side's table: results is [(case, runs)]."""
    lines = [f"### {title}", "", "Frames/s, median (min-max).", "",
             "| Case | Offered | Into QEMU | Guest rx | Program verdict | Back out (TX) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for case, runs in results:
        verdict = cell(runs, "verdict")
        if case.verdict:
            verdict += f" {case.verdict.removeprefix('xdp_').upper()}"
        lines.append(f"| {case.name} | {cell(runs, 'offered')} | {cell(runs, 'into_qemu')} | "
                     f"{cell(runs, 'guest_rx')} | {verdict} | {cell(runs, 'back')} |")
    return lines


def comparison_table(ukbpf, linux) -> list:
    """ukbpf beside Linux per case: frames/s the guest took and the program saw."""
    lines = ["### Packet path: ukbpf beside Linux", "",
             "Frames/s the guest received (Guest rx) and, where a program acts, its verdict "
             "rate; median of the runs. Here a ratio above 1 means ukbpf moved more frames.", "",
             "| Case | ukbpf guest rx | Linux guest rx | ukbpf/Linux | ukbpf verdict "
             "| Linux verdict | ukbpf/Linux | Linux attach |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]

    def ratio(a, b):
        return "-" if a is None or not b else f"{a / b:.2f}"

    def number(v):
        return "-" if v is None else f"{v:,.0f}"

    for (case, u_runs), (_, l_runs) in zip(ukbpf, linux):
        u_rx, l_rx = median(u_runs, "guest_rx"), median(l_runs, "guest_rx")
        u_v, l_v = median(u_runs, "verdict"), median(l_runs, "verdict")
        lines.append(f"| {case.name} | {number(u_rx)} | {number(l_rx)} | {ratio(u_rx, l_rx)} "
                     f"| {number(u_v)} | {number(l_v)} | {ratio(u_v, l_v)} "
                     f"| {getattr(case, 'linux_mode', '-')} |")
    return lines


def setup_note(args) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return (f"{datetime.date.today()}; {cpu}, {os.cpu_count()} host CPUs; "
            f"{qemu}; virtio-net on a tap (vhost off); {args.size + 4}-byte frames on the "
            f"wire, UDP to {TARGET_IP} (not the guest's {GUEST_IP}) ports "
            f"{FILTERED_PORT},{PASSED_PORT} in turn; {args.runs} run(s) of {args.seconds:g} s "
            "per case" + (f", offered at most {args.rate:,.0f} frames/s" if args.rate
                          else ", offered as fast as the generator can") + ".")


def measure_side(side, args) -> list:
    """[(case, runs)] for every case against side."""
    return [(case, measure(case, args, side)) for case in CASES]


def accelerator(args) -> str:
    if args.accel:
        return args.accel
    # scripts/run.sh's own choice.
    cpuinfo = Path("/proc/cpuinfo").read_text()
    kvm = re.search(r"\b(vmx|svm)\b", cpuinfo) and Path("/dev/kvm").exists()
    return "kvm" if kvm else "tcg"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case (default 3)")
    parser.add_argument("--seconds", type=float, default=5, help="traffic per run (default 5)")
    parser.add_argument("--size", type=int, default=60,
                        help="frame bytes without FCS (default 60: 64 on the wire)")
    parser.add_argument("--rate", type=float, default=0,
                        help="offer at most this many frames/s (default: as fast as possible)")
    parser.add_argument("--accel", choices=("kvm", "tcg"), help="default: run.sh's choice")
    parser.add_argument("--mem", default="128M", help="guest memory (default 128M)")
    parser.add_argument("--smoke", action="store_true",
                        help="one 1-second run per case: checks the harness, measures nothing")
    parser.add_argument("--output", type=Path, help="also write the table to this file")
    parser.add_argument("--linux", action="store_true",
                        help="also measure the Linux guest (make linux-guest) and compare")
    args = parser.parse_args()
    if args.smoke:
        args.runs, args.seconds = 1, 1
    reason = unavailable_reason()
    if reason:
        sys.exit(f"bench-net: {reason}")
    for needed in (IMAGE, PKTGEN):
        if not needed.exists():
            sys.exit(f"bench-net: {needed} is not built (make bench-net builds it)")

    if args.linux and not (LINUX_GUEST / "vmlinuz").exists():
        sys.exit(f"bench-net: {LINUX_GUEST} is not built (make linux-guest)")
    accel = accelerator(args).upper()
    ukbpf = measure_side("ukbpf", args)
    lines = side_table(f"Packet path: ukbpf (httpd), {accel}", ukbpf)
    lines[2:2] = [setup_note(args)]
    if args.linux:
        linux = measure_side("linux", args)
        lines += [""] + side_table(f"Packet path: Linux (xdp-loader), {accel}", linux)
        lines += [""] + comparison_table(ukbpf, linux)
    table = "\n".join(lines) + "\n"
    print(table)
    if args.output:
        args.output.write_text(table)


if __name__ == "__main__":
    main()
