#!/usr/bin/env python3
"""ukbpf beside a Linux guest: boot, footprint, program cost, verification.

The Linux side is Debian's kernel with busybox and our static loader
(scripts/linux-guest.sh, tools/xdp-loader/), booted by scripts/run-linux.sh
through scripts/run.sh, so both guests run under the same QEMU, machine,
accelerator, memory and virtio-net NIC. Both load the same clang-built .o
files. Sections (docs/benchmarks.md says what each figure means):

  boot         QEMU start -> "ready to process packets" (ukbpf: the httpd
               image's "net: eth0" line with its count program attached;
               Linux: the loader's line after attaching the same program)
               and -> the first HTTP response (ukbpf httpd vs busybox httpd)
  footprint    image bytes, and the smallest -m that boots and serves HTTP
  cost         ns/run of bench/ebpf/*.c: in each guest (apps/bpfrun vs the
               loader's BPF_PROG_TEST_RUN) and on the host (ukbpf run --jit
               vs bpftool prog run, through scripts/bench-ebpf.py), plus native C
  verify       verification time of the same programs: ukbpf verify vs the
               host kernel's verifier (scripts/bench-verify.py), and the Linux
               guest's verifier under the guest's accelerator

Every figure is the median of --runs runs, shown with its min and max;
ratios are ukbpf/Linux of the medians. Importable: the section functions
return markdown; main() prints them.
"""
import argparse
import importlib.util
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
RUN_SH = ROOT / "scripts" / "run.sh"
RUN_LINUX = ROOT / "scripts" / "run-linux.sh"
LINUX_GUEST = BUILD / "linux-guest"
UKBPF_IMAGE = BUILD / "ukbpf.elf"  # the default app, httpd
BPFRUN_IMAGE = BUILD / "apps" / "bpfrun" / "ukbpf.elf"
COUNT_OBJ = BUILD / "apps" / "httpd" / "count.bpf.o"


def load_script(name):
    """scripts/NAME.py as a module (their names have dashes)."""
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"),
                                                  ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_ebpf = load_script("bench-ebpf")
bench_verify = load_script("bench-verify")

# Both guests get the same address on QEMU's user network; ukbpf would
# otherwise wait for DHCP, which Linux does not do.
GUEST_IP, GUEST_GW = "10.0.2.15/24", "10.0.2.2"
HTTP_PORT = 80
DEFAULT_MEM = "128M"
BOOT_TIMEOUT_S = 120          # TCG with other jobs on the machine is slow
HTTP_ATTEMPT_EVERY_S = 0.1    # a new HTTP attempt this often: the resolution
HTTP_ATTEMPT_TIMEOUT_S = 2.0
MEM_LOW_MIB, MEM_HIGH_MIB = 8, 512
GUEST_REPEAT = 20000          # runs per timed batch inside the guests
UKBPF_TIME = re.compile(r"^time (\S+?)\.o:(\S+) \S+ interp=(\d+)ns jit=(\d+)ns")
LINUX_TEST_RUN = re.compile(r"^test-run (\S+?)\.o:(\S+) \S+ r0=(0x[0-9a-f]+) repeat=\d+ "
                            r"kernel_ns=(\d+) wall_ns=([0-9.]+)")
LINUX_VERIFIER_TIME = re.compile(r"xdp-loader: verifier: verification time (\d+) usec")
LINUX_VERIFIER_INSNS = re.compile(r"xdp-loader: verifier: processed (\d+) insns")
LINUX_LOADED = re.compile(r"xdp-loader: loaded (\S+?)\.o:")


def fail(message):
    sys.exit(f"bench-guests: {message}")


def run(cmd, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, env=env,
                            **kwargs)
    if result.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n"
             f"{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return result.stdout


def accelerator():
    """run.sh's own choice: KVM only with vmx/svm and a usable /dev/kvm."""
    if (re.search(r"\b(vmx|svm)\b", Path("/proc/cpuinfo").read_text())
            and os.access("/dev/kvm", os.R_OK | os.W_OK)):
        return "kvm"
    return "tcg"


def build(ukbpf=True):
    """Everything the sections use; ukbpf=False keeps ukbpf's build outputs as
    they are (e.g. while someone's half-done edit breaks make)."""
    run([ROOT / "scripts" / "linux-guest.sh", LINUX_GUEST])
    if not ukbpf:
        return
    run(["make", "-s", "-C", ROOT, "build/ukbpf.elf", "build/ukbpf.iso",
         "build/apps/httpd/count.bpf.o"])
    run(["make", "-s", "-C", ROOT, "APP=bpfrun", "build/apps/bpfrun/ukbpf.elf"])
    bench_ebpf.build()


# ---- figures: median with min and max ----

class Figure:
    def __init__(self, values):
        self.values = list(values)
        self.median = statistics.median(self.values)

    def cell(self, fmt="{:.0f}"):
        low, high = min(self.values), max(self.values)
        if len(self.values) == 1:
            return fmt.format(self.median)
        return f"{fmt.format(self.median)} ({fmt.format(low)}-{fmt.format(high)})"


def ratio_cell(ukbpf, linux):
    if ukbpf is None or linux is None or linux.median == 0:
        return "n/a"
    return f"{ukbpf.median / linux.median:.2f}"


def cell(figure, fmt="{:.0f}"):
    return figure.cell(fmt) if isinstance(figure, Figure) else str(figure)


# ---- booting a guest that serves HTTP ----

class Guest:
    """How to boot one side with the count program attached and HTTP served."""

    def __init__(self, name, ready):
        self.name = name
        self.ready = re.compile(ready)

    def command(self, accel, mem, port):
        common = ["--accel", accel, "--mem", mem, "--timeout", str(BOOT_TIMEOUT_S),
                  "--net-user", f"tcp::{port}-:{HTTP_PORT}"]
        if self.name == "ukbpf":
            return [RUN_SH, *common, "--bpf", COUNT_OBJ, "--cmdline",
                    f"ip={GUEST_IP} gw={GUEST_GW}", UKBPF_IMAGE]
        return [RUN_LINUX, *common, "--file", COUNT_OBJ, "--cmdline",
                f"ukbpf.ip={GUEST_IP} ukbpf.gw={GUEST_GW} ukbpf.httpd={HTTP_PORT} "
                f"-- --attach eth0 {COUNT_OBJ.name}"]


UKBPF = Guest("ukbpf", r"^net: eth0 ")
LINUX = Guest("Linux", r"ready to process packets")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(port):
    """True when a GET / on the host port gets an HTTP 200 status line."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=HTTP_ATTEMPT_TIMEOUT_S) as s:
            s.settimeout(HTTP_ATTEMPT_TIMEOUT_S)
            s.sendall(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
            reply = b""
            while b"\r\n" not in reply:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            return reply.startswith(b"HTTP/1.") and b" 200 " in reply.split(b"\r\n")[0]
    except OSError:
        return False


def boot_once(guest, accel, mem=DEFAULT_MEM, timeout=BOOT_TIMEOUT_S):
    """(s to ready, s to first HTTP 200, console); None for what never came."""
    port = free_port()
    times = {}
    lines = []
    done = threading.Event()
    start = time.monotonic()
    proc = subprocess.Popen([str(c) for c in guest.command(accel, mem, port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)

    def read_console():
        for raw in proc.stdout:
            line = raw.decode(errors="replace").rstrip("\r\n")
            lines.append(line)
            if "ready" not in times and guest.ready.search(line):
                times["ready"] = time.monotonic() - start
        done.set()

    def attempt():
        if http_ok(port):
            times.setdefault("http", time.monotonic() - start)

    threading.Thread(target=read_console, daemon=True).start()
    deadline = start + timeout
    while time.monotonic() < deadline and not done.is_set():
        if "ready" in times and "http" in times:
            break
        threading.Thread(target=attempt, daemon=True).start()
        time.sleep(HTTP_ATTEMPT_EVERY_S)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return times.get("ready"), times.get("http"), "\n".join(lines)


def boot_figures(accel, runs):
    """{"ukbpf"|"Linux": (Figure ms to ready, Figure ms to first HTTP 200)}."""
    figures = {}
    for guest in (UKBPF, LINUX):
        ready, http = [], []
        for _ in range(runs):
            r, h, console = boot_once(guest, accel)
            if r is None or h is None:
                fail(f"{guest.name} did not become ready and serve HTTP "
                     f"(ready={r}, http={h}):\n{console[-3000:]}")
            ready.append(r * 1000)
            http.append(h * 1000)
        figures[guest.name] = (Figure(ready), Figure(http))
    return figures


def boot_section(accel, runs, figures=None):
    """The boot table; figures from boot_figures() when already measured."""
    figures = figures or boot_figures(accel, runs)
    out = [f"### Boot (ms, median of {runs} boots (min-max), -m {DEFAULT_MEM}, {accel})", "",
           "| from QEMU start to | ukbpf | Linux | ukbpf/Linux |", "|---|---|---|---|"]
    for i, label in enumerate(("ready to process packets (XDP program attached)",
                               "first HTTP response served")):
        u, l = figures["ukbpf"][i], figures["Linux"][i]
        out.append(f"| {label} | {u.cell()} | {l.cell()} | {ratio_cell(u, l)} |")
    return "\n".join(out)


# ---- footprint ----

def serves_http_with(guest, accel, mib):
    _, http, _ = boot_once(guest, accel, mem=f"{mib}M")
    return http is not None


def smallest_memory(guest, accel):
    """Smallest -m in MiB in [MEM_LOW_MIB, MEM_HIGH_MIB] that boots and serves HTTP,
    by bisection (assumes more memory never hurts); None if even the top fails."""
    if not serves_http_with(guest, accel, MEM_HIGH_MIB):
        return None
    if serves_http_with(guest, accel, MEM_LOW_MIB):
        return MEM_LOW_MIB
    low, high = MEM_LOW_MIB, MEM_HIGH_MIB  # low fails, high passes
    while high - low > 1:
        mid = (low + high) // 2
        if serves_http_with(guest, accel, mid):
            high = mid
        else:
            low = mid
    return high


def memory_figures(accel):
    """{"ukbpf"|"Linux": smallest -m in MiB, or None}."""
    return {g.name: smallest_memory(g, accel) for g in (UKBPF, LINUX)}


def footprint_section(accel, measure_memory=True, memory=None):
    """The footprint tables; memory from memory_figures() when already measured."""
    stripped = BUILD / "bench" / "ukbpf.stripped.elf"
    stripped.parent.mkdir(parents=True, exist_ok=True)
    run(["strip", "-o", stripped, UKBPF_IMAGE])
    size = lambda p: p.stat().st_size
    ukbpf_booted = size(UKBPF_IMAGE) + size(COUNT_OBJ)
    ukbpf_stripped = size(stripped) + size(COUNT_OBJ)
    linux_kernel = size(LINUX_GUEST / "vmlinuz")
    linux_initrd = size(LINUX_GUEST / "initramfs.gz")
    linux_total = linux_kernel + linux_initrd + size(COUNT_OBJ)
    kib = lambda n: f"{n / 1024:.0f}"
    out = ["### Footprint: image bytes (KiB)", "",
           "| what QEMU loads | ukbpf | Linux | ukbpf/Linux |", "|---|---|---|---|",
           f"| kernel | ukbpf.elf {kib(size(UKBPF_IMAGE))} (stripped {kib(size(stripped))}) "
           f"| vmlinuz {kib(linux_kernel)} | {size(UKBPF_IMAGE) / linux_kernel:.3f} |",
           f"| initramfs / modules | count.bpf.o {kib(size(COUNT_OBJ))} "
           f"| initramfs.gz {kib(linux_initrd)} + count.bpf.o {kib(size(COUNT_OBJ))} | |",
           f"| total, as booted | {kib(ukbpf_booted)} | {kib(linux_total)} "
           f"| {ukbpf_booted / linux_total:.3f} |",
           f"| total, ukbpf stripped | {kib(ukbpf_stripped)} | {kib(linux_total)} "
           f"| {ukbpf_stripped / linux_total:.3f} |"]
    iso = UKBPF_IMAGE.with_suffix(".iso")
    disk = BUILD / "disk.qcow2"
    out.append(f"\nukbpf's bootable media: {iso.relative_to(ROOT)} {kib(size(iso))} KiB"
               + (f", {disk.relative_to(ROOT)} {kib(size(disk))} KiB" if disk.exists()
                  else " (disk images: make image)"))
    if measure_memory or memory:
        mem = memory or memory_figures(accel)
        show = lambda m: f"> {MEM_HIGH_MIB}" if m is None else str(m)
        ratio = (f"{mem['ukbpf'] / mem['Linux']:.3f}" if mem["ukbpf"] and mem["Linux"]
                 else "n/a")
        out += ["", f"### Footprint: smallest -m (MiB) that boots and serves HTTP "
                f"(bisection over {MEM_LOW_MIB}..{MEM_HIGH_MIB}, {accel})", "",
                "| | ukbpf | Linux | ukbpf/Linux |", "|---|---|---|---|",
                f"| smallest -m | {show(mem['ukbpf'])} | {show(mem['Linux'])} | {ratio} |"]
    return "\n".join(out)


# ---- program cost ----

def cost_rows():
    return [row for row in bench_ebpf.ROWS if not row.classic]


def guest_console(cmd):
    return run(cmd, timeout=BOOT_TIMEOUT_S + 30).replace("\r\n", "\n")


def ukbpf_in_guest(accel, runs, repeat):
    """{program: {"jit": [ns...], "interp": [ns...]}} from apps/bpfrun."""
    objs = [bench_ebpf.OUT / f"{row.name}.o" for row in cost_rows()]
    cmd = [RUN_SH, "--accel", accel, "--timeout", str(BOOT_TIMEOUT_S)]
    for obj in objs + [bench_ebpf.FRAME]:
        cmd += ["--module", obj]
    cmd += ["--cmdline", f"-- repeat {repeat}", BPFRUN_IMAGE]
    found = {row.name: {"jit": [], "interp": []} for row in cost_rows()}
    for _ in range(runs):
        for line in guest_console(cmd).splitlines():
            match = UKBPF_TIME.match(line)
            if match and match.group(1) in found:
                found[match.group(1)]["interp"].append(float(match.group(3)))
                found[match.group(1)]["jit"].append(float(match.group(4)))
    return found


def linux_in_guest(accel, runs, repeat):
    """{program: {"ns": [...], "r0": set, "verify_us": [...], "insns": int}}."""
    names = [row.name for row in cost_rows()]
    cmd = [RUN_LINUX, "--accel", accel, "--timeout", str(BOOT_TIMEOUT_S)]
    for name in names:
        cmd += ["--file", bench_ebpf.OUT / f"{name}.o"]
    cmd += ["--file", bench_ebpf.FRAME, "--cmdline",
            f"-- --frame {bench_ebpf.FRAME.name} --repeat {repeat} "
            + " ".join(f"{n}.o" for n in names)]
    found = {n: {"ns": [], "r0": set(), "verify_us": [], "insns": None} for n in names}
    for _ in range(runs):
        pending = {}
        for line in guest_console(cmd).splitlines():
            for key, regex in (("verify_us", LINUX_VERIFIER_TIME),
                               ("insns", LINUX_VERIFIER_INSNS)):
                match = regex.search(line)
                if match:
                    pending[key] = int(match.group(1))
            match = LINUX_LOADED.search(line)
            if match and match.group(1) in found:
                entry = found[match.group(1)]
                if "verify_us" in pending:
                    entry["verify_us"].append(float(pending["verify_us"]))
                entry["insns"] = pending.get("insns")
                pending = {}
            match = LINUX_TEST_RUN.match(line)
            if match and match.group(1) in found:
                found[match.group(1)]["ns"].append(float(match.group(4)))
                found[match.group(1)]["r0"].add(int(match.group(3), 16))
    return found


def host_figures(row, runs, linux):
    """{engine: Figure or 'n/a (...)'} on the host, through bench-ebpf's measure()."""
    engines = [e for e in ("jit", "native", "linux") if e != "linux" or row.name in linux.pins]
    repeats = {e: bench_ebpf.calibrated_repeat(e, row, linux) for e in engines}
    values = {e: [] for e in engines}
    for _ in range(runs):
        for engine in engines:  # round-robin: a burst of load hits every engine alike
            values[engine].append(bench_ebpf.measure(engine, row, repeats[engine], linux)[1])
    figures = {e: Figure(v) for e, v in values.items()}
    figures.setdefault("linux", linux.unavailable.get(row.name, "n/a"))
    return figures


def figure_or_missing(values, what):
    return Figure(values) if values else f"n/a (no {what} line)"


def cost_section(accel, runs, guest_repeat=GUEST_REPEAT):
    ukbpf_guest = ukbpf_in_guest(accel, runs, guest_repeat)
    linux_guest = linux_in_guest(accel, runs, guest_repeat)
    with bench_ebpf.LinuxPrograms() as linux:
        host = {row.name: host_figures(row, runs, linux) for row in cost_rows()}
    out = [f"### Program cost (ns/run, median of {runs} (min-max))", "",
           f"In the guests ({accel}, {guest_repeat} runs per batch, median of 11 batches): "
           "ukbpf's apps/bpfrun (JIT) vs the Linux guest's BPF_PROG_TEST_RUN. On the host: "
           "`ukbpf run --jit` vs `bpftool prog run` (host kernel), and native C (gcc -O2).", "",
           "| program | ukbpf guest JIT | Linux guest | ukbpf/Linux (guest) "
           "| ukbpf guest interp | ukbpf host JIT | Linux host | ukbpf/Linux (host) "
           "| native C |",
           "|---|---|---|---|---|---|---|---|---|"]
    for row in cost_rows():
        ug = figure_or_missing(ukbpf_guest[row.name]["jit"], "bpfrun time")
        ui = figure_or_missing(ukbpf_guest[row.name]["interp"], "bpfrun time")
        lg = figure_or_missing(linux_guest[row.name]["ns"], "test-run")
        h = host[row.name]
        fig = lambda f: f if isinstance(f, Figure) else None
        out.append(f"| {row.name} | {cell(ug)} | {cell(lg)} | {ratio_cell(fig(ug), fig(lg))} "
                   f"| {cell(ui)} | {cell(h['jit'], '{:.1f}')} | {cell(h['linux'], '{:.1f}')} "
                   f"| {ratio_cell(fig(h['jit']), fig(h['linux']))} "
                   f"| {cell(h['native'], '{:.1f}')} |")
    return "\n".join(out), linux_guest


# ---- verification work ----

def verify_section(runs, linux_guest, accel):
    try:
        libbpf = bench_verify.Libbpf()
    except OSError:
        libbpf = None
    out = [f"### Safety work: verification (us, median of {runs} (min-max))", "",
           "Host: `ukbpf verify` vs the host kernel's verifier (libbpf, BPF_LOG_STATS). "
           f"Guest: the Linux guest's verifier ({accel}), from the runs above.", "",
           "| program | ukbpf insns processed | Linux insns processed | ukbpf verify (host) "
           "| Linux verifier (host) | ukbpf/Linux (host) | Linux verifier (guest) |",
           "|---|---|---|---|---|---|---|"]
    for row in cost_rows():
        prog = bench_verify.Program(row.name, bench_ebpf.OUT / f"{row.name}.o")
        ours, theirs, insns, linux_insns = [], [], None, None
        for _ in range(runs):
            _, insns, _, us = bench_verify.ukbpf_verify(prog, 1)
            ours.append(us)
            result = bench_verify.linux_verify(libbpf, prog, 1)
            if isinstance(result, tuple):
                linux_insns = result[1]
                theirs.append(result[2])
        u = Figure(ours)
        lh = Figure(theirs) if theirs else "n/a (host kernel refused the load)"
        lg = figure_or_missing(linux_guest[row.name]["verify_us"], "guest verifier")
        out.append(f"| {row.name} | {insns} | "
                   f"{linux_insns or linux_guest[row.name]['insns']} | {u.cell()} "
                   f"| {cell(lh)} | {ratio_cell(u, lh if isinstance(lh, Figure) else None)} "
                   f"| {cell(lg)} |")
    return "\n".join(out)


# ---- the report ----

def header(accel):
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    cpus = len(re.findall(r"^processor\s*:", cpuinfo, re.M))
    qemu = run(["qemu-system-x86_64", "--version"]).splitlines()[0]
    kernel = (LINUX_GUEST / "kernel-version").read_text().strip()
    return "\n".join([
        f"- machine: {model.group(1) if model else 'unknown CPU'}, {cpus} CPUs, host Linux "
        f"{os.uname().release}",
        f"- accelerator: {accel} for both guests"
        + (" (no vmx/svm here: absolute figures are emulated, ratios are what carry)"
           if accel == "tcg" else ""),
        f"- {qemu}; both guests through scripts/run.sh (machine pc, virtio-net-pci "
        "disable-legacy, user networking, qboot for -kernel)",
        f"- Linux guest: Debian kernel {kernel}, busybox-static, tools/xdp-loader "
        "(scripts/linux-guest.sh)",
    ])


SECTIONS = ("boot", "footprint", "cost", "verify")


def report(sections, runs, accel=None, measure_memory=True, build_ukbpf=True):
    """The markdown report of the chosen sections (builds what it needs)."""
    accel = accel or accelerator()
    build(build_ukbpf)
    parts = [header(accel)]
    if "boot" in sections:
        parts.append(boot_section(accel, runs))
    if "footprint" in sections:
        parts.append(footprint_section(accel, measure_memory))
    linux_guest = None
    if "cost" in sections or "verify" in sections:
        table, linux_guest = cost_section(accel, runs)
        if "cost" in sections:
            parts.append(table)
    if "verify" in sections:
        parts.append(verify_section(runs, linux_guest, accel))
    return "\n\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="a section to run (repeatable; default: all)")
    parser.add_argument("--no-memory-search", action="store_true",
                        help="skip the smallest -m bisection (many boots)")
    parser.add_argument("--no-build", action="store_true",
                        help="use ukbpf's build outputs as they are (no make)")
    parser.add_argument("--accel", choices=("tcg", "kvm"), help="default: run.sh's choice")
    args = parser.parse_args()
    if args.runs < 1:
        fail("--runs must be at least 1")
    print(report(args.only or SECTIONS, args.runs, args.accel, not args.no_memory_search,
                 not args.no_build))


if __name__ == "__main__":
    main()
