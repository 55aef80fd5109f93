"""httpd on a real tap device (scripts/run.sh --net-tap) in a network
namespace of the test's own (nettap.py): the host's own ping and curl reach
the guest's lwIP; an XDP program that drops ICMP silences ping but not
HTTP; and crafted, malformed and random frames (scapy, sent raw on the
host side of the tap) neither crash the guest nor stop it serving, while
/metrics counts them (the NIC, the XDP hook, and lwIP's per-protocol
drop counters). Needs root, /dev/net/tun and network namespaces: skipped,
with the reason, without them."""
import random
import re
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT, build_app, parse_prometheus
from nettap import GUEST_IP, GUEST_MAC, HOST_IP, TapNamespace, boot_ukbpf, unavailable_reason

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

XDP_SOURCES = Path(__file__).resolve().parent / "xdp"
READY = r"httpd: listening on TCP port 80"
READY_TIMEOUT_S = 120  # TCG boots are slow when other tests share the CPUs
PING_COUNT = 3
HTTP_TIMEOUT_S = 20
MAX_TAP_MTU = 65521  # the largest the kernel lets a tap take and still send it whole
CRASH_WORDS = re.compile(r"exception|panic", re.IGNORECASE)


def compile_bpf(source: Path, out: Path) -> Path:
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                            text=True).stdout.strip() or "x86_64-linux-gnu"
    obj = out / (source.stem + ".o")
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{triple}", "-c",
                    str(source), "-o", str(obj)], check=True)
    return obj


@pytest.fixture(scope="module")
def programs(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("tap-bpf")
    return {"count": compile_bpf(ROOT / "apps/httpd/bpf/count.c", out),
            "drop_icmp": compile_bpf(XDP_SOURCES / "drop_icmp.c", out)}


class TapHttpd:
    def __init__(self, program: Path, mtu: int = 1500):
        self.ns = TapNamespace(mtu=mtu)
        try:
            self.guest = boot_ukbpf(self.ns, build_app("httpd"), "--bpf", str(program))
            self.guest.wait_for(READY, READY_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    def close(self):
        if hasattr(self, "guest"):
            self.guest.close()
        self.ns.close()

    def ping(self, count: int = PING_COUNT, wait_s: int = 5) -> subprocess.CompletedProcess:
        return self.ns.run("ping", "-n", "-c", count, "-W", wait_s, GUEST_IP,
                           timeout=count * wait_s + 30)

    def curl(self, path: str) -> subprocess.CompletedProcess:
        return self.ns.run("curl", "-sS", "--max-time", HTTP_TIMEOUT_S, "-o", "-", "-w",
                           "\n%{http_code}", f"http://{GUEST_IP}{path}",
                           timeout=HTTP_TIMEOUT_S + 10)

    def get(self, path: str):
        """(status, body) of GET path."""
        result = self.curl(path)
        assert result.returncode == 0, f"curl {path}: {result.stderr}\n{self.guest.output()}"
        body, _, status = result.stdout.rpartition("\n")
        return int(status), body

    def metrics(self) -> dict:
        status, body = self.get("/metrics")
        assert status == 200
        return parse_prometheus(body)

    def assert_healthy(self):
        assert self.guest.alive(), self.guest.output()
        assert not CRASH_WORDS.search(self.guest.output()), self.guest.output()


@pytest.fixture(scope="module")
def counting_httpd(programs):
    # The tap takes frames far beyond Ethernet's 1514 bytes, for the oversized ones.
    httpd = TapHttpd(programs["count"], mtu=MAX_TAP_MTU)
    yield httpd
    httpd.close()


def lwip(samples: dict, proto: str, counter: str) -> float:
    return samples[f'ukbpf_lwip_packets_total{{proto="{proto}",counter="{counter}"}}']


def test_ping_and_http_reach_lwip_over_the_tap(counting_httpd):
    before = counting_httpd.metrics()
    result = counting_httpd.ping()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{PING_COUNT} packets transmitted, {PING_COUNT} received" in result.stdout
    status, body = counting_httpd.get("/")
    assert status == 200 and "<h1>ukbpf httpd</h1>" in body
    after = counting_httpd.metrics()
    echo_requests = lwip(after, "icmp", "recv") - lwip(before, "icmp", "recv")
    assert echo_requests == PING_COUNT
    assert lwip(after, "icmp", "xmit") - lwip(before, "icmp", "xmit") == PING_COUNT
    # Every frame lwIP got went through the counting program first.
    runs = 'ukbpf_xdp_program_runs_total{program="count.o:count"}'
    assert after[runs] == after['ukbpf_nic_rx_frames_total{nic="eth0"}']
    assert after['ukbpf_xdp_actions_total{action="pass"}'] == after[runs]


def test_xdp_drop_of_icmp_silences_ping_but_not_http(programs):
    httpd = TapHttpd(programs["drop_icmp"])
    try:
        result = httpd.ping(wait_s=2)
        assert result.returncode != 0, result.stdout
        assert f"{PING_COUNT} packets transmitted, 0 received" in result.stdout
        status, body = httpd.get("/")
        assert status == 200 and "<h1>ukbpf httpd</h1>" in body
        samples = httpd.metrics()
        assert samples['ukbpf_xdp_actions_total{action="drop"}'] == PING_COUNT
        assert samples['ukbpf_xdp_actions_total{action="pass"}'] > 0
        assert lwip(samples, "icmp", "recv") == 0  # lwIP never saw them
        httpd.assert_healthy()
    finally:
        httpd.close()


def hostile_frames(rng: random.Random) -> dict:
    """Malformed and adversarial frames for the guest, by kind."""
    from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, IPv6, Raw, fragment, raw

    eth = Ether(dst=GUEST_MAC, src="02:00:00:00:00:01")
    ip = IP(src=HOST_IP, dst=GUEST_IP)
    tcp80 = ip / TCP(sport=40000, dport=80, flags="S", seq=1)
    udp = ip / UDP(sport=40000, dport=7) / Raw(b"x" * 32)
    icmp = ip / ICMP(id=7, seq=1) / Raw(b"p" * 32)
    full = {name: raw(eth / pkt) for name, pkt in
            (("tcp", tcp80), ("udp", udp), ("icmp", icmp))}
    kinds = {}
    # Ethernet header alone (the tap refuses anything shorter), and cut IPv4,
    # TCP, UDP, ICMP headers at every length.
    kinds["truncated"] = [raw(Ether(dst=GUEST_MAC, type=t)) for t in (0x0800, 0x0806, 0x86DD)]
    for name, frame in full.items():
        kinds["truncated"] += [frame[:n] for n in range(15, 14 + 20 + 8)]
    kinds["truncated"] += [raw(eth / ARP(pdst=GUEST_IP))[:n] for n in range(15, 42)]
    kinds["truncated"] += [raw(eth / IPv6(dst="fe80::1") / UDP())[:n] for n in range(15, 62, 3)]
    # IHL below 5 (and above what the frame holds).
    kinds["bad_ihl"] = []
    for ihl in list(range(0, 5)) + [15]:
        pkt = IP(raw(udp))
        pkt.ihl = ihl
        pkt.chksum = None
        kinds["bad_ihl"].append(raw(eth / pkt))
    # Total length larger than the frame, smaller than the header, smaller than the payload.
    kinds["bad_length"] = []
    for length in (0, 1, 19, 20, 27, 40, 1500, 65535):
        pkt = IP(raw(udp))
        pkt.len = length
        pkt.chksum = None
        kinds["bad_length"].append(raw(eth / pkt))
    kinds["bad_length"].append(raw(eth / ip / UDP(sport=1, dport=7, len=4000) / Raw(b"u" * 8)))
    kinds["bad_length"].append(raw(eth / ip / UDP(sport=1, dport=7, len=3) / Raw(b"u" * 8)))
    kinds["bad_length"].append(raw(eth / ip / TCP(dport=80, dataofs=15) / Raw(b"t" * 8)))
    kinds["bad_length"].append(raw(eth / ip / TCP(dport=80, dataofs=2)))
    # Bad checksums at each layer (IP's also tested apart: it comes first).
    kinds["bad_ip_checksum"] = [raw(eth / IP(src=HOST_IP, dst=GUEST_IP, chksum=0xBAD0 + i) /
                                    ICMP(seq=i)) for i in range(4)]
    kinds["bad_l4_checksum"] = [
        raw(eth / ip / TCP(dport=80, flags="S", chksum=0xBAD1)),
        raw(eth / ip / UDP(dport=7, chksum=0xBAD2) / Raw(b"x")),
        raw(eth / ip / ICMP(chksum=0xBAD3)),
    ]
    # Fragments: tiny, overlapping, beyond 64 KiB, never completed.
    big_udp = ip / UDP(sport=40001, dport=7) / Raw(bytes(rng.randrange(256) for _ in range(3000)))
    frags = [raw(eth / f) for f in fragment(big_udp, fragsize=8)]
    overlapping = [raw(eth / f) for f in fragment(big_udp, fragsize=512)]
    overlapping += [raw(eth / IP(src=HOST_IP, dst=GUEST_IP, id=big_udp.id, flags="MF",
                                  frag=o, proto=17) / Raw(b"O" * 600)) for o in (1, 30, 63)]
    kinds["fragments"] = frags[:200] + overlapping
    kinds["fragments"] += [raw(eth / IP(src=HOST_IP, dst=GUEST_IP, id=999, frag=8189,
                                         proto=17) / Raw(b"E" * 64))]
    kinds["fragments"] += [raw(eth / IP(src=HOST_IP, dst=GUEST_IP, id=1000 + i, flags="MF",
                                         proto=17) / Raw(b"F" * 64)) for i in range(300)]
    # Every TCP flag combination, to the listening port and to a closed one.
    kinds["tcp_flags"] = [raw(eth / ip / TCP(sport=41000 + flags, dport=port, flags=flags,
                                             seq=rng.randrange(2**32), ack=rng.randrange(2**32)))
                          for flags in range(256) for port in (80, 81)]
    # Oversized: beyond Ethernet's 1514 bytes, up to what the tap takes.
    kinds["oversized"] = [raw(eth / ip / UDP(dport=7) / Raw(b"o" * (n - 42)))
                          for n in (1515, 1518, 1519, 2048, 4096, 9014, 16384, 65535)]
    kinds["oversized"] += [full["udp"] + bytes(MAX_TAP_MTU + 14 - len(full["udp"]))]
    # Random bytes after a header addressed to the guest, and random EtherTypes.
    kinds["random"] = [bytes.fromhex(GUEST_MAC.replace(":", "")) + rng.randbytes(rng.randrange(8, 1500))
                       for _ in range(300)]
    kinds["random"] += [raw(Ether(dst=GUEST_MAC, type=0x0800)) + rng.randbytes(rng.randrange(1, 200))
                        for _ in range(300)]
    return kinds


def test_hostile_traffic_neither_crashes_nor_silences_the_guest(counting_httpd):
    httpd = counting_httpd
    rng = random.Random(20240605)
    before = httpd.metrics()
    tap_before = httpd.ns.tap_counters()
    kinds = hostile_frames(rng)
    sent = refused = 0
    for name, frames in kinds.items():
        result = httpd.ns.send_frames(frames)
        sent += result["sent"]
        refused += result["refused"]
        httpd.assert_healthy()
    # Then a burst: a few thousand of them back to back, in random order.
    burst = [f for frames in kinds.values() for f in frames if len(f) <= 1514]
    rng.shuffle(burst)
    result = httpd.ns.send_frames((burst * 3)[:4000])
    sent += result["sent"]
    refused += result["refused"]
    assert refused <= len(kinds["oversized"]), "the tap refused frames other than oversized ones"

    # Still serving, pinging, and counting.
    assert httpd.ping().returncode == 0, httpd.guest.output()
    status, body = httpd.get("/")
    assert status == 200 and "<h1>ukbpf httpd</h1>" in body
    after = httpd.metrics()
    httpd.assert_healthy()

    reached_qemu = httpd.ns.tap_counters()["tx"] - tap_before["tx"]
    received = after['ukbpf_nic_rx_frames_total{nic="eth0"}'] - \
        before['ukbpf_nic_rx_frames_total{nic="eth0"}']
    # Most of what QEMU read got to the guest (the rest: too large for a receive buffer).
    assert received >= reached_qemu // 2, (received, reached_qemu, sent)
    runs = 'ukbpf_xdp_program_runs_total{program="count.o:count"}'
    assert after[runs] - before[runs] == received
    # lwIP dropped what it could not use, and said why.
    for proto, counter in (("ip", "chkerr"), ("ip", "lenerr"), ("ip", "drop"),
                           ("tcp", "chkerr"), ("udp", "chkerr"), ("icmp", "chkerr"),
                           ("ip_frag", "recv")):
        assert lwip(after, proto, counter) > lwip(before, proto, counter), (proto, counter)
    # A SYN to port 81 got a reset; the connection attempts to port 80 did no harm.
    assert lwip(after, "tcp", "xmit") > lwip(before, "tcp", "xmit")
