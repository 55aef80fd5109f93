"""make bench's harness (scripts/bench.py) in its --quick mode on its cheapest
sections (boot and footprint: three boots, no traffic): the report is
written with every table and figure present and non-zero, and the plots
are PNG files. Measures nothing: the figures come from `make bench`.
Also the pieces the network sections use that run on the host alone:
scripts/udp_rtt.py against xdp-loader's --udp-echo server, xdp-loader's
counters without a program, and their usage errors.

Skipped, with the reason, when the Linux guest's Debian packages cannot
be downloaded and nothing is cached (as tests/system/test_linux_guest.py)."""
import re
import socket
import subprocess
import sys
import time

import pytest

from bootlib import ROOT, build_app, free_port

BENCH = ROOT / "scripts" / "bench.py"
UDP_RTT = ROOT / "scripts" / "udp_rtt.py"
LOADER = ROOT / "build" / "linux-guest" / "xdp-loader"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SMOKE_TIMEOUT_S = 300  # the machine is shared: generous, the run itself takes ~30 s
NUMBER = re.compile(r"\d[\d,]*(\.\d+)?")


def table_rows(report: str, heading: str) -> list:
    """The data rows (cells) of the table under the heading that starts with heading."""
    section = report.split(f"### {heading}", 1)
    assert len(section) == 2, f"no table {heading!r}:\n{report}"
    rows = []
    for line in section[1].split("###", 1)[0].splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([c.strip() for c in line.strip("|").split("|")])
    assert len(rows) >= 2, f"table {heading!r} has no data rows:\n{report}"
    return rows[1:]


def first_number(cell: str) -> float:
    match = NUMBER.search(cell)
    assert match, f"no number in {cell!r}"
    return float(match.group(0).replace(",", ""))


def test_quick_run_writes_a_report_with_figures_and_plots(linux_guest, tmp_path):
    build_app("httpd")
    subprocess.run(["make", "-s", "build/apps/httpd/count.bpf.o"], cwd=ROOT, check=True)
    result = subprocess.run([sys.executable, str(BENCH), "--quick", "--only", "boot,footprint",
                             "--no-build", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=SMOKE_TIMEOUT_S)
    assert result.returncode == 0, result.stdout + result.stderr
    report = (tmp_path / "report.md").read_text()
    assert re.search(r"^- accelerator: (tcg|kvm) for both guests", report, re.M), report
    assert re.search(r"^- QEMU emulator version \d", report, re.M), report
    for row in table_rows(report, "Boot"):
        ukbpf, linux, ratio = (first_number(c) for c in row[1:4])
        assert ukbpf > 0 and linux > 0 and ratio > 0, row
    footprint = table_rows(report, "Footprint: image bytes")
    total = next(r for r in footprint if r[0] == "total, as booted")
    assert all(first_number(c) > 0 for c in total[1:4]), total
    targets = table_rows(report, "Targets")
    assert any(r[0].startswith("boot to ready") for r in targets), targets
    assert all(r[2] in ("met", "not met") for r in targets), targets
    for plot in ("boot.png", "memory.png"):
        data = (tmp_path / plot).read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, plot
        assert f"![{plot}]({plot})" in report


def test_unknown_section_is_refused(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH), "--only", "boot,speed", "--out",
                             str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "unknown section(s) speed" in result.stderr
    assert not (tmp_path / "report.md").exists()


def test_udp_rtt_against_the_loaders_echo_server(linux_guest):
    port = free_port(socket.SOCK_DGRAM)
    server = subprocess.Popen([str(LOADER), "--udp-echo", str(port)], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert server.stdout.readline().strip() == \
            f"xdp-loader: udp echo: listening on UDP port {port}"
        result = subprocess.run([sys.executable, str(UDP_RTT), "127.0.0.1", str(port), "200"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        fields = dict(kv.split("=") for kv in result.stdout.split(":", 1)[1].split())
        assert fields["sent"] == "200" and fields["received"] == "200"
        assert 0 < float(fields["min_us"]) <= float(fields["median_us"]) \
            <= float(fields["p99_us"]) <= float(fields["max_us"])
    finally:
        server.kill()
        server.wait()


def test_udp_rtt_reports_no_echo():
    # Nothing listens on a port we just released: every ping is lost.
    result = subprocess.run([sys.executable, str(UDP_RTT), "127.0.0.1", str(free_port(socket.SOCK_DGRAM)),
                             "3", "--warmup", "0", "--timeout", "0.2"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert result.stdout.strip() == "udp-rtt: sent=3 received=0 lost=3"


def test_loader_counters_without_a_program(linux_guest):
    start = time.monotonic()
    result = subprocess.run([str(LOADER), "--attach", "lo", "--stats", "200", "--duration", "1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "xdp-loader: no program attached to lo" in result.stdout
    assert "xdp-loader: ready to process packets on lo" in result.stdout
    lines = re.findall(r"^net-stats: t_ms=\d+ rx=\d+ .* xdp_runs=0 ", result.stdout, re.M)
    assert len(lines) >= 3, result.stdout
    assert time.monotonic() - start >= 1


@pytest.mark.parametrize("args, message", [
    (["--udp-echo", "0"], "--udp-echo needs a UDP port"),
    (["--udp-echo", "70000"], "--udp-echo needs a UDP port"),
    (["--udp-echo", "7", "x.o"], "--udp-echo goes alone"),
    (["--attach", "lo", "a.o", "b.o"], "--attach takes one object or none"),
    ([], "no object given"),
])
def test_loader_refuses_bad_usage(linux_guest, args, message):
    result = subprocess.run([str(LOADER), *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr, result.stderr
