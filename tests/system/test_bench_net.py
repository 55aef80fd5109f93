"""make bench-net's harness in its smoke mode (scripts/bench-net.py --smoke:
one 1-second run per case): every case yields a table row with numbers,
the guest saw frames, the programs' verdicts and XDP_TX's bounces were
counted. Measures nothing: the figures come from make bench-net. Also the
net.stats kernel option it relies on, and tools/pktgen's usage errors."""
import re
import subprocess
import sys

import pytest

from bootlib import ROOT, Guest, boot, build_app
from nettap import unavailable_reason

PKTGEN = ROOT / "build" / "tools" / "pktgen"
ROW = re.compile(r"^\| (?P<case>[^|]+) \| (?P<offered>[^|]+) \| (?P<into_qemu>[^|]+) \| "
                 r"(?P<guest_rx>[^|]+) \| (?P<verdict>[^|]+) \| (?P<back>[^|]+) \|$")
NO_NETWORK_STATUS = 1
CASES = 4


def number(text: str) -> int:
    match = re.match(r"\s*([\d,]+)", text)
    assert match, f"no number in {text!r}"
    return int(match.group(1).replace(",", ""))


@pytest.fixture(scope="module")
def pktgen():
    subprocess.run(["make", "-s", str(PKTGEN.relative_to(ROOT))], cwd=ROOT, check=True)
    return PKTGEN


@pytest.mark.skipif(unavailable_reason() is not None, reason=unavailable_reason() or "")
def test_smoke_run_yields_a_full_table(pktgen, tmp_path):
    build_app("httpd")
    out = tmp_path / "table.md"
    result = subprocess.run([sys.executable, str(ROOT / "scripts/bench-net.py"), "--smoke",
                             "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    table = out.read_text()
    assert table in result.stdout
    assert re.search(r"Packet path: ukbpf \(httpd\), (TCG|KVM)", table)
    rows = [ROW.match(line) for line in table.splitlines() if line.startswith("| ")]
    rows = [r for r in rows if r and r["case"] not in ("Case", "---")]
    assert len(rows) == CASES, table
    for row in rows:
        offered, into_qemu, guest_rx = (number(row[k]) for k in ("offered", "into_qemu",
                                                                   "guest_rx"))
        assert offered >= into_qemu > 0, row.group(0)
        # Everything QEMU read reached the guest: its rings are checked, not lossy.
        assert guest_rx > 0, row.group(0)
    by_case = {r["case"]: r for r in rows}
    drop = by_case["XDP_DROP everything"]
    assert number(drop["verdict"]) == number(drop["guest_rx"]) and "DROP" in drop["verdict"]
    filtered = by_case["parse and filter (UDP :53 dropped, :54 passed)"]
    # Ports alternate: about half is dropped.
    assert 0.3 < number(filtered["verdict"]) / number(filtered["guest_rx"]) < 0.7
    bounce = by_case["XDP_TX bounce"]
    assert "TX" in bounce["verdict"] and number(bounce["back"]) > 0
    assert by_case["no program (the stack drops)"]["verdict"].strip() == "-"


def test_net_stats_lines_and_bad_values():
    image = build_app("httpd")
    result = boot(image, "--net-user", "--cmdline", "ip=10.0.2.15/24 net.stats=abc",
                  "--timeout", "60")
    assert result.status == NO_NETWORK_STATUS, result.output
    assert "net: net.stats=abc: expected a period in milliseconds from 1 to 3600000" \
        in result.output
    guest = Guest(image, "httpd: listening", "--net-user", cmdline="ip=10.0.2.15/24 net.stats=100")
    try:
        # three periods, however slowly a loaded host lets the guest run
        guest.wait_for_line("net-stats:", lambda _: sum(
            line.startswith("net-stats: ") for line in guest.lines) >= 3, timeout=60)
    finally:
        guest.close()
    lines = re.findall(r"^net-stats: (.*)$", guest.output(), re.MULTILINE)
    parsed = [dict(kv.split("=") for kv in line.split()) for line in lines]
    assert list(parsed[0]) == ["t_ms", "rx", "rx_bytes", "rx_bad", "tx", "tx_dropped",
                               "xdp_runs", "xdp_aborted", "xdp_drop", "xdp_pass", "xdp_tx",
                               "xdp_redirect", "xdp_tx_failed", "xdp_oversized"]
    times = [int(p["t_ms"]) for p in parsed]
    assert all(later > earlier for earlier, later in zip(times, times[1:]))


@pytest.mark.parametrize("args, message", [
    ([], "-i IFNAME and -t SECONDS are required"),
    (["-i", "lo", "-t", "1", "-s", "59"], "59: number out of range"),
    (["-i", "lo", "-t", "1", "-D", "52:54:00"], "expected a MAC address"),
    (["-i", "lo", "-t", "1", "-b", "1.2.3"], "expected an IPv4 address"),
    (["-i", "lo", "-t", "1", "-p", "0"], "0: number out of range"),
])
def test_pktgen_refuses_bad_usage(pktgen, args, message):
    result = subprocess.run([str(pktgen), *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and message in result.stderr, result.stderr
