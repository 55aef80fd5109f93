"""SYN cookies made and checked inside the guest by an XDP program
(tests/system/xdp/syncookie.c, the raw SYN-cookie helpers) attached to
netecho on a tap: from the namespace's side, a scapy-crafted SYN gets
back a SYN-ACK built by the program (XDP_TX) whose sequence number is the
cookie and whose checksums are right; the client's ACK of that cookie
passes (netecho echoes it back, MACs swapped); an ACK of another number
is dropped (a frame sent after it comes back, it never does). The guest's
XDP counters at exit agree. Needs root and /dev/net/tun: skipped, with the
reason, without them. IPv4 addresses outside the namespace's subnet keep
its own stack out of the exchange."""
import socket
import time

import pytest

from bootlib import RUN_SH, ConsoleGuest, build_app
from nettap import TapNamespace, unavailable_reason
from test_tap import compile_bpf
from test_virtio_net import ETHERTYPE_QUIT, ETHERTYPE_TEST, GUEST_MACS, HOST_MAC, QUIT_FRAME_LEN
from test_xdp import XDP_SOURCES, xdp_stats

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

READY_TIMEOUT_S = 120
OUTPUT_TIMEOUT_S = 10
EXIT_TIMEOUT_S = 60
GUEST_TIMEOUT_S = 300
CLIENT_IP, SERVER_IP = "198.51.100.1", "198.51.100.2"
CLIENT_PORT, SERVER_PORT = 40000, 80
CLIENT_ISN = 1000
# An ACK number this far from the cookie's leaves Linux's MSS table (its low 24 bits hold the index).
FORGED_DELTA = 0x1000


def tcp_frame(flags: str, seq: int, ack: int = 0, options=()) -> bytes:
    from scapy.all import IP, TCP, Ether, raw

    return raw(Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=CLIENT_IP, dst=SERVER_IP) /
               TCP(sport=CLIENT_PORT, dport=SERVER_PORT, flags=flags, seq=seq, ack=ack,
                   options=list(options)))


def marker_frame() -> bytes:
    return (GUEST_MACS[0] + HOST_MAC + ETHERTYPE_TEST + b"marker").ljust(60, b"\0")


def swap_macs(frame: bytes) -> bytes:
    return frame[6:12] + frame[0:6] + frame[12:]


def receive_until(sock: socket.socket, wanted, timeout: float = OUTPUT_TIMEOUT_S) -> list:
    """Frames from the guest until one satisfies wanted (then returned, all of them) or timeout."""
    frames, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data, address = sock.recvfrom(65536)
        except socket.timeout:
            continue
        if address[2] == socket.PACKET_OUTGOING:
            continue
        frames.append(data)
        if wanted(data):
            return frames
    raise AssertionError(f"no wanted frame within {timeout} s; got {[f.hex() for f in frames]}")


@pytest.fixture(scope="module")
def exchange(tmp_path_factory) -> dict:
    program = compile_bpf(XDP_SOURCES / "syncookie.c", tmp_path_factory.mktemp("syncookie"))
    image = build_app("netecho")
    ns = TapNamespace(taps=1, ipv6=False)
    guest = sock = None
    result = {}
    try:
        guest = ConsoleGuest(ns.command(RUN_SH, "--timeout", GUEST_TIMEOUT_S, *ns.run_sh_nics(),
                                        "--bpf", f"{program}:syncookie", image))
        guest.wait_for(r"netecho: eth0 mac", READY_TIMEOUT_S)
        sock = ns.packet_socket(ns.taps[0])
        sock.settimeout(0.1)
        syn = tcp_frame("S", CLIENT_ISN, options=[("MSS", 1460)])
        sock.send(syn)
        result["syn_answers"] = receive_until(sock, lambda f: f[12:14] == b"\x08\x00")
        from scapy.all import TCP, Ether

        cookie = Ether(result["syn_answers"][-1])[TCP].seq
        ack = tcp_frame("A", CLIENT_ISN + 1, cookie + 1)
        sock.send(ack)
        result["ack"] = ack
        result["ack_answers"] = receive_until(sock, lambda f: f == swap_macs(ack))
        forged = tcp_frame("A", CLIENT_ISN + 1, cookie + 1 + FORGED_DELTA)
        sock.send(forged)
        sock.send(marker_frame())
        result["forged"] = forged
        result["forged_answers"] = receive_until(sock, lambda f: f == swap_macs(marker_frame()))
        sock.send((GUEST_MACS[0] + HOST_MAC + ETHERTYPE_QUIT + b"quit").ljust(QUIT_FRAME_LEN,
                                                                            b"\0"))
        result["status"] = guest.wait(EXIT_TIMEOUT_S)
        result["stats"] = xdp_stats(guest)
        result["output"] = guest.output()
    finally:
        if sock:
            sock.close()
        if guest:
            guest.close()
        ns.close()
    return result


def test_syn_gets_a_syn_ack_carrying_a_cookie(exchange):
    from scapy.all import IP, TCP, Ether

    answer = Ether(exchange["syn_answers"][-1])
    assert answer.dst == "02:00:00:00:00:01" and answer[IP].src == SERVER_IP
    assert answer[IP].dst == CLIENT_IP
    assert (answer[TCP].sport, answer[TCP].dport) == (SERVER_PORT, CLIENT_PORT)
    assert answer[TCP].flags == "SA" and answer[TCP].ack == CLIENT_ISN + 1
    # the checksums the program computed are the ones scapy computes
    ip_sum, tcp_sum = answer[IP].chksum, answer[TCP].chksum
    del answer[IP].chksum
    del answer[TCP].chksum
    again = Ether(bytes(answer))
    assert (again[IP].chksum, again[TCP].chksum) == (ip_sum, tcp_sum)


def test_ack_of_the_cookie_passes(exchange):
    assert exchange["ack_answers"][-1] == swap_macs(exchange["ack"])


def test_ack_of_another_number_is_dropped(exchange):
    assert swap_macs(exchange["forged"]) not in exchange["forged_answers"]


def test_guest_counts_agree(exchange):
    assert exchange["status"] == 0, exchange["output"]
    stats = exchange["stats"]
    # tx: the SYN-ACK; pass: the good ACK and the marker; drop: the forged ACK
    assert (stats["tx"], stats["drop"], stats["aborted"]) == (1, 1, 0), stats
    assert stats["pass"] >= 2, stats
