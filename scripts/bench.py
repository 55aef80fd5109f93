#!/usr/bin/env python3
"""make bench: ukbpf beside Linux-hosted eBPF, every section, one report.

Builds both sides (ukbpf's images and programs; the Linux guest of
scripts/linux-guest.sh), runs the chosen sections under the same QEMU,
machine, accelerator, memory, NIC and traffic generator, and writes
OUT/report.md (default bench/results/<date>/) with one table per section,
the ratio ukbpf/Linux in its own column, and PNG plots of boot time, memory
and packets/s. docs/benchmarks.md says what each figure means.

Sections (--only a,b,...; default all):
  boot       QEMU start -> program attached, -> first HTTP response
             (scripts/bench_guests.py)
  footprint  image bytes; smallest -m that boots and serves HTTP
  packet     frames/s through each guest on a tap: no program, XDP_DROP,
             parse-and-filter, XDP_TX (scripts/bench-net.py; needs root)
  cost       ns per program run in each guest and on the host
  verify     verification time and work, ukbpf's verifier vs Linux's
  app        HTTP requests/s and latency (wrk) against ukbpf's httpd and
             busybox httpd; UDP echo round trips (scripts/udp_rtt.py)
             against ukbpf's udp-echo and xdp-loader --udp-echo (needs root)

Every figure is the median of --runs runs (default 3) with min and max;
--quick is one short run of each, no memory bisection: it checks the
harness and measures little.
"""
import argparse
import datetime
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "system"))
import bench_guests  # noqa: E402
from bench_guests import Figure, ratio_cell  # noqa: E402
import nettap  # noqa: E402

bench_net = bench_guests.load_script("bench-net")

SECTIONS = ("boot", "footprint", "packet", "cost", "verify", "app")
BUILD = ROOT / "build"
UKBPF_HTTPD = BUILD / "ukbpf.elf"
UDP_ECHO_IMAGE = BUILD / "apps" / "udp-echo" / "ukbpf.elf"
UDP_ECHO_OBJ = BUILD / "apps" / "udp-echo" / "echo.bpf.o"
COUNT_OBJ = bench_guests.COUNT_OBJ
PKTGEN = BUILD / "tools" / "pktgen"
UDP_RTT = ROOT / "scripts" / "udp_rtt.py"
PYTHON = "/usr/bin/python3"
GUEST_URL = f"http://{nettap.GUEST_IP}/"
HTTP_PORT = 80
UDP_ECHO_PORT = 7
READY_TIMEOUT_S = 180
GUEST_MEM = "128M"

UKBPF_HTTPD_READY = r"httpd: listening on TCP port 80"
LINUX_HTTPD_READY = r"linux-guest: httpd: listening on TCP port 80"
UKBPF_ECHO_READY = r"udp-echo: listening on UDP port 7"
LINUX_ECHO_READY = r"xdp-loader: udp echo: listening on UDP port 7"

WRK_CONNECTIONS = 4
WRK_THREADS = 1
WRK_REQUESTS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
WRK_PERCENTILE = re.compile(r"^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)\s*$", re.M)
WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
WRK_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
UDP_RTT_LINE = re.compile(r"udp-rtt: (.*)$", re.M)


class Settings:
    """What a full run and a --quick run differ in."""

    def __init__(self, runs, quick):
        self.runs = 1 if quick else runs
        self.quick = quick
        self.packet_seconds = 1 if quick else 5
        self.wrk_seconds = 2 if quick else 10
        self.pings = 50 if quick else 1000
        self.guest_repeat = 2000 if quick else bench_guests.GUEST_REPEAT
        self.memory_search = not quick


def fail(message):
    sys.exit(f"bench: {message}")


# ---- building ----

def build(sections, build_ukbpf):
    """What the chosen sections use; build_ukbpf=False keeps ukbpf's outputs as they are."""
    bench_guests.run([ROOT / "scripts" / "linux-guest.sh", bench_guests.LINUX_GUEST])
    if not build_ukbpf:
        return
    make = ["make", "-s", "-C", ROOT]
    bench_guests.run([*make, "build/ukbpf.elf", "build/ukbpf.iso", "build/apps/httpd/count.bpf.o"])
    if {"cost", "verify"} & set(sections):
        bench_guests.run([*make, "APP=bpfrun", "build/apps/bpfrun/ukbpf.elf"])
        bench_guests.bench_ebpf.build()
    if {"packet", "app"} & set(sections):
        bench_guests.run([*make, "build/tools/pktgen"])
    if "app" in sections:
        bench_guests.run([*make, "APP=udp-echo", "build/apps/udp-echo/ukbpf.elf",
                          "build/apps/udp-echo/echo.bpf.o"])


# ---- packet path ----

def packet_section(accel, settings):
    """(markdown, {"ukbpf": [(case, runs)], "linux": [...]}) from bench-net.py."""
    args = argparse.Namespace(accel=accel, mem=GUEST_MEM, seconds=settings.packet_seconds,
                              size=60, rate=0, runs=settings.runs)
    results = {side: bench_net.measure_side(side, args) for side in ("ukbpf", "linux")}
    lines = [f"Same tap, pktgen, {args.size + 4}-byte frames and {args.seconds:g} s per run on "
             "both sides. " + bench_net.setup_note(args), ""]
    lines += bench_net.side_table(f"Packet path: ukbpf (httpd), {accel.upper()}", results["ukbpf"])
    lines += [""] + bench_net.side_table(f"Packet path: Linux (xdp-loader), {accel.upper()}",
                                         results["linux"])
    lines += [""] + bench_net.comparison_table(results["ukbpf"], results["linux"])
    return "\n".join(lines), results


# ---- application ----

def boot_in(ns, side, app, accel):
    """Boots side's server for app ("http" or "udp" or "udp-xdp") on ns's tap; waits till ready."""
    accel_args = ["--accel", accel, "--mem", GUEST_MEM]
    if side == "ukbpf":
        if app == "http":
            guest = nettap.boot_ukbpf(ns, UKBPF_HTTPD, *accel_args, "--bpf", str(COUNT_OBJ))
            ready = UKBPF_HTTPD_READY
        else:
            bpf = ["--bpf", str(UDP_ECHO_OBJ)] if app == "udp-xdp" else []
            guest = nettap.boot_ukbpf(ns, UDP_ECHO_IMAGE, *accel_args, *bpf)
            ready = UKBPF_ECHO_READY
    else:
        address = f"ukbpf.ip={nettap.GUEST_IP}/{nettap.PREFIX_LEN}"
        if app == "http":
            files = ["--file", str(COUNT_OBJ), "--file", str(page_file())]
            cmdline = f"{address} ukbpf.httpd={HTTP_PORT} -- --attach eth0 {COUNT_OBJ.name}"
            ready = LINUX_HTTPD_READY
        else:
            files, cmdline = [], f"{address} -- --udp-echo {UDP_ECHO_PORT}"
            ready = LINUX_ECHO_READY
        guest = nettap.ConsoleGuest(ns.command(bench_net.RUN_LINUX, "--timeout", "900",
                                               "--net-tap", ns.tap, *accel_args, *files,
                                               "--cmdline", cmdline))
    try:
        guest.wait_for(ready, READY_TIMEOUT_S)
    except AssertionError:
        guest.close()
        raise
    return guest


def page_file():
    return BUILD / "bench" / "index.html"


def save_ukbpf_page(ns):
    """ukbpf's GET / body, which the Linux guest then serves: the same bytes on both sides."""
    result = ns.run("curl", "-s", "--max-time", "10", GUEST_URL, check=True)
    page_file().parent.mkdir(parents=True, exist_ok=True)
    page_file().write_text(result.stdout)
    return len(result.stdout.encode())


def wrk_once(ns, seconds):
    """{"rps", "p50", "p90", "p99" (ms), "errors"} of one wrk run."""
    result = ns.run("wrk", "-t", WRK_THREADS, "-c", WRK_CONNECTIONS, "-d", f"{seconds}s",
                    "--timeout", "5s", "--latency", GUEST_URL, timeout=seconds + 60, check=True)
    rps = WRK_REQUESTS.search(result.stdout)
    if not rps:
        fail(f"no Requests/sec in wrk's output:\n{result.stdout}{result.stderr}")
    figures = {"rps": float(rps.group(1))}
    for pct, value, unit in WRK_PERCENTILE.findall(result.stdout):
        figures[f"p{pct}"] = float(value) * WRK_UNIT_MS[unit]
    errors = WRK_ERRORS.search(result.stdout)
    figures["errors"] = sum(map(int, errors.groups())) if errors else 0
    return figures


def udp_rtt_once(ns, pings):
    result = ns.run(PYTHON, UDP_RTT, nettap.GUEST_IP, UDP_ECHO_PORT, pings, timeout=pings + 60)
    line = UDP_RTT_LINE.search(result.stdout)
    if result.returncode != 0 or not line:
        fail(f"udp_rtt.py got no echo:\n{result.stdout}{result.stderr}")
    return {k: float(v) for k, v in (kv.split("=") for kv in line.group(1).split())}


def serve_and_measure(side, app, accel, settings, measure):
    """settings.runs results of measure(ns) against side's app server, one boot."""
    with nettap.TapNamespace() as ns:
        guest = boot_in(ns, side, app, accel)
        try:
            if side == "ukbpf" and app == "http":
                settings.page_bytes = save_ukbpf_page(ns)
            runs = [measure(ns) for _ in range(settings.runs)]
            if not guest.alive():
                fail(f"the {side} guest ended during {app}:\n{guest.output()[-3000:]}")
            return runs
        finally:
            guest.close()


def app_section(accel, settings):
    """(markdown, {"http": {side: runs}, "udp": {...}})."""
    lines = [f"### Application ({accel}, tap in a namespace, -m {GUEST_MEM}, median of "
             f"{settings.runs} (min-max))", ""]
    data = {"http": {}, "udp": {}}
    if shutil.which("wrk"):
        for side in ("ukbpf", "linux"):  # ukbpf first: Linux serves ukbpf's page
            data["http"][side] = serve_and_measure(
                side, "http", accel, settings, lambda ns: wrk_once(ns, settings.wrk_seconds))
        http = {side: {key: Figure([r[key] for r in runs]) for key in runs[0]}
                for side, runs in data["http"].items()}
        lines += [f"HTTP: `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{settings.wrk_seconds}s "
                  f"--latency` on GET / ({settings.page_bytes} bytes of body, the same page on "
                  "both sides); ukbpf's httpd (lwIP, keep-alive) with count.bpf.o attached vs "
                  "busybox httpd (a process per connection, closes after each response) with "
                  "the same program attached. Socket errors are wrk's connect/read/write/"
                  "timeout counts.", "",
                  "| figure | ukbpf | Linux | ukbpf/Linux |", "|---|---|---|---|",
                  f"| requests/s | {http['ukbpf']['rps'].cell('{:.1f}')} "
                  f"| {http['linux']['rps'].cell('{:.1f}')} "
                  f"| {ratio_cell(http['ukbpf']['rps'], http['linux']['rps'])} |"]
        for pct in ("p50", "p90", "p99"):
            if pct in http["ukbpf"] and pct in http["linux"]:
                lines.append(f"| latency {pct} (ms) | {http['ukbpf'][pct].cell('{:.2f}')} "
                             f"| {http['linux'][pct].cell('{:.2f}')} "
                             f"| {ratio_cell(http['ukbpf'][pct], http['linux'][pct])} |")
        lines.append(f"| socket errors | {http['ukbpf']['errors'].cell()} "
                     f"| {http['linux']['errors'].cell()} | |")
    else:
        lines.append("HTTP: not measured, wrk is not installed (scripts/deps.sh installs it).")
    measure_udp = lambda ns: udp_rtt_once(ns, settings.pings)  # noqa: E731
    for side, app in (("ukbpf", "udp"), ("ukbpf", "udp-xdp"), ("linux", "udp")):
        data["udp"][app if side == "ukbpf" else side] = serve_and_measure(
            side, app, accel, settings, measure_udp)
    udp = {name: {key: Figure([r[key] for r in runs]) for key in ("median_us", "p99_us", "lost")}
           for name, runs in data["udp"].items()}
    lines += ["", f"UDP echo round trip (us): scripts/udp_rtt.py, {settings.pings} pings of 64 "
              "bytes one at a time (after 10 uncounted), from the tap's namespace. ukbpf's "
              "udp-echo answers from lwIP (its RFC 862 socket) or, with bpf/echo.c attached, "
              "from XDP_TX; Linux's `xdp-loader --udp-echo` answers from a UDP socket.", "",
              "| figure | ukbpf (lwIP) | ukbpf (XDP echo) | Linux (socket) | ukbpf lwIP/Linux "
              "| ukbpf XDP/Linux |", "|---|---|---|---|---|---|"]
    for key, label in (("median_us", "median"), ("p99_us", "p99"), ("lost", "lost")):
        lw, xdp, lx = udp["udp"][key], udp["udp-xdp"][key], udp["linux"][key]
        fmt = "{:.0f}" if key == "lost" else "{:.1f}"
        ratios = "| | |" if key == "lost" else f"| {ratio_cell(lw, lx)} | {ratio_cell(xdp, lx)} |"
        lines.append(f"| {label} | {lw.cell(fmt)} | {xdp.cell(fmt)} | {lx.cell(fmt)} {ratios}")
    return "\n".join(lines), data


# ---- plots ----

def plot_bars(path, title, ylabel, groups, series):
    """Grouped bars: series is {label: [Figure or None per group]}; min-max as error bars."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6, 1.8 * len(groups) + 2), 4.2))
    width = 0.8 / len(series)
    for i, (label, figures) in enumerate(series.items()):
        xs = [g + (i - (len(series) - 1) / 2) * width for g in range(len(groups))]
        heights = [f.median if f else 0 for f in figures]
        errors = [[f.median - min(f.values) if f else 0 for f in figures],
                  [max(f.values) - f.median if f else 0 for f in figures]]
        bars = ax.bar(xs, heights, width, yerr=errors, capsize=3, label=label)
        ax.bar_label(bars, labels=[f"{h:,.0f}" if h else "n/a" for h in heights], fontsize=7)
    ax.set_xticks(range(len(groups)), groups, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_plots(out, data, accel):
    written = []
    if "boot" in data:
        figures = data["boot"]
        plot_bars(out / "boot.png", f"Boot time, ms ({accel}; lower is better)", "ms",
                  ["to program attached", "to first HTTP response"],
                  {side: list(figures[side]) for side in ("ukbpf", "Linux")})
        written.append("boot.png")
    if "footprint" in data:
        sizes, memory = data["footprint"]
        groups = ["image KiB (as booted)", "image KiB (ukbpf stripped)"] + (
            ["smallest -m, MiB"] if memory else [])
        series = {}
        for side in ("ukbpf", "Linux"):
            stripped = sizes["ukbpf stripped" if side == "ukbpf" else side]
            values = [Figure([sizes[side] / 1024]), Figure([stripped / 1024])]
            if memory:
                values.append(Figure([memory[side]]) if memory[side] else None)
            series[side] = values
        plot_bars(out / "memory.png", "Footprint (lower is better)", "KiB / MiB", groups, series)
        written.append("memory.png")
    if "packet" in data:
        results = data["packet"]
        groups = [case.name.split(" (")[0] for case, _ in results["ukbpf"]]
        series = {side: [Figure([r["guest_rx"] for r in runs]) for _, runs in results[key]]
                  for side, key in (("ukbpf", "ukbpf"), ("Linux", "linux"))}
        plot_bars(out / "packets.png", f"Frames/s received by the guest ({accel}; higher is "
                  "better)", "frames/s", groups, series)
        written.append("packets.png")
    return written


# ---- targets (issue 6) ----

def footprint_sizes():
    """Bytes QEMU loads: {"ukbpf", "ukbpf stripped", "Linux"}, each with count.bpf.o."""
    size = lambda p: p.stat().st_size  # noqa: E731
    guest = bench_guests.LINUX_GUEST
    stripped = BUILD / "bench" / "ukbpf.stripped.elf"
    stripped.parent.mkdir(parents=True, exist_ok=True)
    bench_guests.run(["strip", "-o", stripped, UKBPF_HTTPD])
    return {"ukbpf": size(UKBPF_HTTPD) + size(COUNT_OBJ),
            "ukbpf stripped": size(stripped) + size(COUNT_OBJ),
            "Linux": size(guest / "vmlinuz") + size(guest / "initramfs.gz") + size(COUNT_OBJ)}


def targets_table(data):
    """Each target of the issue with the measured ratio and whether it is met."""
    rows = []

    def add(target, ratio, met):
        rows.append(f"| {target} | {'n/a' if ratio is None else f'{ratio:.3f}'} "
                    f"| {'n/a' if ratio is None else ('met' if met(ratio) else 'not met')} |")

    if "boot" in data:
        u, lx = data["boot"]["ukbpf"][0], data["boot"]["Linux"][0]
        add("boot to ready >= 20x faster (ratio <= 0.05)", u.median / lx.median,
            lambda r: r <= 0.05)
    if "footprint" in data:
        sizes, memory = data["footprint"]
        for label in ("ukbpf", "ukbpf stripped"):
            add(f"image >= 5x smaller (ratio <= 0.2): {label.replace('ukbpf', 'ukbpf.elf')}",
                sizes[label] / sizes["Linux"], lambda r: r <= 0.2)
        if memory and memory["ukbpf"] and memory["Linux"]:
            add("memory >= 5x smaller (ratio <= 0.2)", memory["ukbpf"] / memory["Linux"],
                lambda r: r <= 0.2)
    if "packet" in data:
        results = data["packet"]
        for index, label in ((1, "XDP_DROP"), (2, "parse-and-filter")):
            u = bench_net.median(results["ukbpf"][index][1], "guest_rx")
            lx = bench_net.median(results["linux"][index][1], "guest_rx")
            add(f"{label} frames/s >= 2x higher (ratio >= 2)", u / lx if lx else None,
                lambda r: r >= 2)
    if data.get("app", {}).get("http"):
        http = data["app"]["http"]
        u = statistics.median(r["rps"] for r in http["ukbpf"])
        lx = statistics.median(r["rps"] for r in http["linux"])
        add("HTTP requests/s at least equal (ratio >= 1)", u / lx if lx else None,
            lambda r: r >= 1)
    if "cost" in data:
        for row in data["cost"]:
            add(f"host JIT ns/run of {row[0]} <= Linux's (ratio <= 1)", row[1],
                lambda r: r <= 1)
    if not rows:
        return None
    return "\n".join(["### Targets (issue 6)", "", "| target | ukbpf/Linux | |", "|---|---|---|",
                      *rows])


def host_cost_ratios(table):
    """[(program, ukbpf/Linux host ratio or None)] from the cost table's rows."""
    ratios = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and cells[0] not in ("program", "---"):
            try:
                ratios.append((cells[0], float(cells[7])))
            except ValueError:
                ratios.append((cells[0], None))
    return ratios


# ---- the report ----

def tap_reason():
    reason = nettap.unavailable_reason()
    if not reason and not PKTGEN.exists():
        reason = f"{PKTGEN} is not built"
    return reason


def run_sections(sections, accel, settings):
    """[markdown parts], data for plots and targets."""
    parts, data = [], {}
    started = time.monotonic()
    if "boot" in sections:
        figures = bench_guests.boot_figures(accel, settings.runs)
        data["boot"] = figures
        parts.append(bench_guests.boot_section(accel, settings.runs, figures))
    if "footprint" in sections:
        memory = bench_guests.memory_figures(accel) if settings.memory_search else None
        data["footprint"] = (footprint_sizes(), memory)
        table = bench_guests.footprint_section(accel, False, memory)
        if not memory:
            table += "\n\nSmallest -m: not measured in this run (--quick)."
        parts.append(table)
    if "packet" in sections:
        reason = tap_reason()
        if reason:
            parts.append(f"### Packet path\n\nNot measured: {reason}.")
        else:
            table, data["packet"] = packet_section(accel, settings)
            parts.append(table)
    linux_guest = None
    if "cost" in sections or "verify" in sections:
        table, linux_guest = bench_guests.cost_section(accel, settings.runs, settings.guest_repeat)
        if "cost" in sections:
            data["cost"] = host_cost_ratios(table)
            parts.append(table)
    if "verify" in sections:
        parts.append(bench_guests.verify_section(settings.runs, linux_guest, accel))
    if "app" in sections:
        reason = tap_reason()
        if reason:
            parts.append(f"### Application\n\nNot measured: {reason}.")
        else:
            table, data["app"] = app_section(accel, settings)
            parts.append(table)
    data["elapsed_s"] = time.monotonic() - started
    return parts, data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated sections (default all: "
                        f"{','.join(SECTIONS)})")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (default 3)")
    parser.add_argument("--quick", action="store_true",
                        help="one short run of each figure, no memory bisection")
    parser.add_argument("--out", type=Path, help="output directory "
                        "(default bench/results/<date>)")
    parser.add_argument("--no-build", action="store_true",
                        help="use ukbpf's build outputs as they are (no make)")
    parser.add_argument("--accel", choices=("tcg", "kvm"), help="default: run.sh's choice")
    args = parser.parse_args()
    sections = args.only.split(",") if args.only else list(SECTIONS)
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        fail(f"unknown section(s) {','.join(unknown)}; choose from {','.join(SECTIONS)}")
    if args.runs < 1:
        fail("--runs must be at least 1")
    settings = Settings(args.runs, args.quick)
    accel = args.accel or bench_guests.accelerator()
    out = args.out or ROOT / "bench" / "results" / datetime.date.today().isoformat()
    out.mkdir(parents=True, exist_ok=True)

    build(sections, not args.no_build)
    parts, data = run_sections(sections, accel, settings)
    plots = write_plots(out, data, accel)
    targets = targets_table(data)
    report = [f"# ukbpf beside Linux-hosted eBPF ({datetime.datetime.now():%Y-%m-%d %H:%M})",
              "", bench_guests.header(accel),
              f"- runs: median of {settings.runs} (min-max)"
              + (", --quick: one short run each, not a measurement" if args.quick else "")
              + f"; sections: {', '.join(sections)}; took {data['elapsed_s'] / 60:.1f} min",
              "- ratio columns are ukbpf/Linux of the medians; below 1 means ukbpf is smaller "
              "or faster for times and sizes, above 1 means ukbpf moved more for rates",
              "", *([targets, ""] if targets else []), "\n\n".join(parts), ""]
    if plots:
        report += ["## Plots", ""] + [f"![{p}]({p})" for p in plots] + [""]
    (out / "report.md").write_text("\n".join(report))
    print("\n".join(report))
    print(f"bench: wrote {out / 'report.md'} and {', '.join(plots) or 'no plots'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
