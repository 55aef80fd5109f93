"""xsk-echo (apps/xsk-echo) over a socket NIC (socket_nics.py): UDP datagrams
to the echo port are redirected by XDP into the app's AF_XDP-style socket
(net/xsk.h) and echoed from its ring, byte for byte, while lwIP - which
listens on the same port - never sees them; ICMP and ARP still reach lwIP,
which answers them. Then the same app with xdp-tools' default AF_XDP
program (xsk_def_xdp_prog.o from the compat corpus, unchanged), which
sends every frame of the queue to the socket."""
import glob
import os
import re
from pathlib import Path

import pytest
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import ARP, Ether

from bootlib import build_app, latest_counts, wait_for_counts
from socket_nics import GUEST_MACS, HOST_MAC, SocketGuest, build_bpf

GUEST_IP = "10.0.0.2"
HOST_IP = "10.0.0.1"
ECHO_PORT = 7
READY = f"xsk-echo: AF_XDP socket on eth0 queue 0, UDP port {ECHO_PORT}"
COUNTS = re.compile(r"xsk-echo: xsk rx (\d+) echoed (\d+) other (\d+) dropped (\d+) "
                    r"tx_failed (\d+) lwip (\d+) xdp redirect (\d+) pass (\d+)$")
COUNT_NAMES = ("rx", "echoed", "other", "dropped", "tx_failed", "lwip", "redirect", "pass")
CACHE = Path(os.environ.get("UKBPF_CACHE", Path.home() / ".cache" / "ukbpf"))


@pytest.fixture(scope="module")
def image():
    return build_app("xsk-echo")


def boot(image, program):
    return SocketGuest(image, 1, READY, "--bpf", str(program), cmdline=f"ip={GUEST_IP}/24",
                       host_ips=[HOST_IP])


@pytest.fixture(scope="module")
def guest(image):
    g = boot(image, build_bpf("xsk-echo", "xsk_redirect"))
    yield g
    g.close()


def counts(guest) -> dict:
    """The latest counts line (all zero before the first)."""
    return latest_counts(guest, COUNTS, COUNT_NAMES)


def wait_counts(guest, **expected) -> dict:
    """Waits for the counts line that has every expected value (printed every 2 s)."""
    return wait_for_counts(guest, "xsk-echo: xsk rx", COUNTS, COUNT_NAMES, **expected)


def wait_until(guest, predicate) -> dict:
    """Waits for a counts line for whose counts predicate holds."""
    def matches(line):
        match = COUNTS.match(line)
        return match and predicate(dict(zip(COUNT_NAMES, map(int, match.groups()))))
    guest.wait_for_line("xsk-echo: xsk rx", matches)
    return counts(guest)


def datagram(sport: int, payload: bytes, dport: int = ECHO_PORT) -> Ether:
    return (Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=HOST_IP, dst=GUEST_IP, id=77) /
            UDP(sport=sport, dport=dport) / payload)


def echoed(request: Ether) -> bytes:
    """The request as the app sends it back: addresses and ports swapped, nothing else."""
    ip, udp = request[IP], request[UDP]
    return bytes(Ether(dst=request.src, src=request.dst) /
                 IP(src=ip.dst, dst=ip.src, id=ip.id, ttl=ip.ttl, flags=ip.flags) /
                 UDP(sport=udp.dport, dport=udp.sport, chksum=udp.chksum) /
                 bytes(udp.payload))


def is_udp_to(port: int):
    def wanted(data: bytes) -> bool:
        frame = Ether(data)
        return UDP in frame and frame[UDP].dport == port
    return wanted


def is_icmp_reply(data: bytes) -> bool:
    frame = Ether(data)
    return ICMP in frame and frame[ICMP].type == 0


@pytest.mark.parametrize("size", [0, 18, 1000, 1472])
def test_udp_is_echoed_from_the_xsk_ring(guest, size):
    before = counts(guest)
    payload = bytes((size + i * 7) & 0xFF for i in range(size))
    request = datagram(40000 + size, payload)
    guest.send(0, bytes(request))
    reply = guest.recv_where(0, is_udp_to(40000 + size))
    assert reply == echoed(request)
    wait_counts(guest, rx=before["rx"] + 1, echoed=before["echoed"] + 1,
                redirect=before["redirect"] + 1, lwip=0, dropped=0)


def test_a_burst_is_echoed_in_order(guest):
    before = counts(guest)
    requests = [datagram(41000 + i, b"burst %d" % i) for i in range(20)]
    for request in requests:
        guest.send(0, bytes(request))
    for request in requests:
        assert guest.recv_where(0, is_udp_to(request[UDP].sport)) == echoed(request)
    wait_counts(guest, echoed=before["echoed"] + 20, lwip=0)


def test_icmp_and_arp_still_reach_lwip(guest):
    before = counts(guest)
    ping = (Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=HOST_IP, dst=GUEST_IP) /
            ICMP(type=8, id=0x5151, seq=1) / b"lwip")
    guest.send(0, bytes(ping))
    reply = Ether(guest.recv_where(0, is_icmp_reply))
    assert reply[ICMP].id == 0x5151 and bytes(reply[ICMP].payload) == b"lwip"
    who_has = Ether(dst="ff:ff:ff:ff:ff:ff", src=HOST_MAC) / ARP(
        op=1, hwsrc=HOST_MAC, psrc=HOST_IP, pdst=GUEST_IP)
    guest.send(0, bytes(who_has))
    reply = Ether(guest.recv_where(0, lambda d: ARP in Ether(d) and Ether(d)[ARP].op == 2))
    assert reply[ARP].hwsrc == GUEST_MACS[0] and reply[ARP].psrc == GUEST_IP
    after = wait_until(guest, lambda c: c["pass"] >= before["pass"] + 2)
    assert after["rx"] == before["rx"] and after["redirect"] == before["redirect"]


def test_other_udp_ports_are_left_to_lwip(guest):
    """A port the program does not redirect is XDP_PASS, for lwIP."""
    before = counts(guest)
    guest.send(0, bytes(datagram(42000, b"elsewhere", dport=9)))
    after = wait_until(guest, lambda c: c["pass"] >= before["pass"] + 1)
    assert after["rx"] == before["rx"] and after["redirect"] == before["redirect"]


def xdp_tools_program():
    found = sorted(glob.glob(str(CACHE / "corpus" / "xdp-tools-*" / "xsk_def_xdp_prog.o")))
    if not found:
        pytest.skip("no xsk_def_xdp_prog.o: build the corpus (scripts/corpus.sh)")
    return found[-1]


def test_xdp_tools_default_program_unchanged(image):
    """xdp-tools' program sends every frame of queue 0 to the socket: the
    datagram is echoed from the ring, a ping lands there too and is dropped
    as "other", and lwIP sees neither."""
    g = boot(image, xdp_tools_program())
    try:
        request = datagram(43000, b"from xdp-tools' program")
        g.send(0, bytes(request))
        assert g.recv_where(0, is_udp_to(43000)) == echoed(request)
        ping = (Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=HOST_IP, dst=GUEST_IP) /
                ICMP(type=8, id=0x6161, seq=1))
        g.send(0, bytes(ping))
        assert g.recv_nothing(0, within=1.5)
        wait_counts(g, echoed=1, other=1, lwip=0)
    finally:
        g.close()
