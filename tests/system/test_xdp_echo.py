"""udp-echo's XDP program (apps/udp-echo/bpf/echo.c) over socket NICs
(socket_nics.py): scapy-built ICMP echo requests and UDP datagrams come
back rewritten by XDP_TX, byte for byte what a correct echo reply is;
malformed frames never make the program transmit and never stop the guest.
The counts come from udp-echo's periodic console line."""
import re

import pytest
from scapy.layers.inet import ICMP, IP, UDP
from scapy.layers.l2 import Ether

from bootlib import build_app, latest_counts, wait_for_counts
from socket_nics import GUEST_MACS, HOST_MAC, SocketGuest, build_bpf, inet_checksum

GUEST_IP = "10.0.0.2"
HOST_IP = "10.0.0.1"
ECHO_PORT = 7
READY = "udp-echo: listening on UDP port 7"
COUNTS = re.compile(r"udp-echo: xdp runs (\d+) pass (\d+) tx (\d+) drop (\d+) aborted (\d+) "
                    r"icmp (\d+) udp (\d+) lwip (\d+)$")
COUNT_NAMES = ("runs", "pass", "tx", "drop", "aborted", "icmp", "udp", "lwip")


@pytest.fixture(scope="module")
def image():
    return build_app("udp-echo")


@pytest.fixture(scope="module")
def echo_program():
    return build_bpf("udp-echo", "echo")


def boot(image, *run_args):
    return SocketGuest(image, 1, READY, *run_args, cmdline=f"ip={GUEST_IP}/24",
                       host_ips=[HOST_IP])


@pytest.fixture(scope="module")
def guest(image, echo_program):
    g = boot(image, "--bpf", str(echo_program))
    yield g
    g.close()


def counts(guest) -> dict:
    """The latest counts line (all zero before the first)."""
    return latest_counts(guest, COUNTS, COUNT_NAMES)


def wait_counts(guest, **expected) -> dict:
    """Waits for the counts line that has every expected value (printed every 2 s)."""
    return wait_for_counts(guest, "udp-echo: xdp runs", COUNTS, COUNT_NAMES, **expected)


def ping(ident: int, seq: int, payload: bytes, **ip_fields) -> Ether:
    ip = {"src": HOST_IP, "dst": GUEST_IP, "id": 0x1234 + seq, **ip_fields}
    return (Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(**ip) /
            ICMP(type=8, id=ident, seq=seq) / payload)


def is_icmp(icmp_type: int, ident: int = None):
    """A recv_where test: an ICMP message of that type (and echo identifier)."""
    def wanted(data: bytes) -> bool:
        frame = Ether(data)
        return ICMP in frame and frame[ICMP].type == icmp_type and \
            (ident is None or frame[ICMP].id == ident)
    return wanted


def xdp_icmp_reply(request: Ether) -> bytes:
    """The request as echo.c must send it back: addresses swapped, type 0,
    every other header field and the payload unchanged, checksums right."""
    ip = request[IP]
    reply = (Ether(dst=request.src, src=request.dst) /
             IP(src=ip.dst, dst=ip.src, id=ip.id, ttl=ip.ttl, tos=ip.tos, flags=ip.flags) /
             ICMP(type=0, id=request[ICMP].id, seq=request[ICMP].seq) /
             bytes(request[ICMP].payload))
    return bytes(reply)


def udp_datagram(sport: int, payload: bytes, dport: int = ECHO_PORT, **udp_fields) -> Ether:
    return (Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=HOST_IP, dst=GUEST_IP, id=77) /
            UDP(sport=sport, dport=dport, **udp_fields) / payload)


def check_reply_checksums(reply: bytes):
    ip = Ether(reply)[IP]
    header = bytes(ip)[:ip.ihl * 4]
    assert inet_checksum(header) == 0, "IPv4 header checksum"
    if ICMP in ip:
        assert inet_checksum(bytes(ip[ICMP])[:ip.len - ip.ihl * 4]) == 0, "ICMP checksum"


@pytest.mark.parametrize("size", [0, 1, 56, 1000, 1472])
def test_icmp_echo_is_answered_by_xdp(guest, size):
    before = counts(guest)
    payload = bytes((size + i * 31) & 0xFF for i in range(size))
    request = ping(0xBEEF, size, payload)
    guest.send(0, bytes(request))
    reply = guest.recv_where(0, is_icmp(0, 0xBEEF))
    check_reply_checksums(reply)
    assert reply == xdp_icmp_reply(request)
    wait_counts(guest, icmp=before["icmp"] + 1, lwip=before["lwip"])


@pytest.mark.parametrize("checksum", ["computed", "none"])
def test_udp_echo_is_answered_by_xdp(guest, checksum):
    before = counts(guest)
    extra = {"chksum": 0} if checksum == "none" else {}
    for sport, size in ((40000, 1), (40001, 100), (65535, 1472)):
        payload = bytes((sport + i) & 0xFF for i in range(size))
        sent = udp_datagram(sport, payload, **extra)
        guest.send(0, bytes(sent))
        reply = Ether(guest.recv_where(0, lambda f: UDP in Ether(f)))
        assert (reply.src, reply.dst) == (GUEST_MACS[0], HOST_MAC)
        assert (reply[IP].src, reply[IP].dst, reply[IP].id) == (GUEST_IP, HOST_IP, 77)
        assert (reply[UDP].sport, reply[UDP].dport) == (ECHO_PORT, sport)
        assert bytes(reply[UDP].payload) == payload
        check_reply_checksums(bytes(reply))
        expected = UDP(bytes(sent[UDP]))
        expected.sport, expected.dport = ECHO_PORT, sport
        if checksum == "none":
            assert reply[UDP].chksum == 0
        else:
            # scapy recomputes a checksum it is asked to: the reply's must be that.
            recomputed = (IP(src=GUEST_IP, dst=HOST_IP) /
                          UDP(sport=ECHO_PORT, dport=sport) / payload)
            assert reply[UDP].chksum == IP(bytes(recomputed))[UDP].chksum != 0
    wait_counts(guest, udp=before["udp"] + 3, lwip=before["lwip"])


def malformed_frames():
    """(name, frame): frames the program must pass (lwIP then drops them) - never TX."""
    good = ping(7, 1, b"x" * 32)
    raw = bytes(good)
    ip_start = 14

    def with_ip(**fields):
        return bytes(ping(7, 1, b"x" * 32, **fields))

    def patched(offset, data):
        return raw[:offset] + data + raw[offset + len(data):]

    yield "truncated-ip-header", raw[:ip_start + 12]
    yield "ethernet-only", raw[:ip_start]
    yield "ihl-4", patched(ip_start, b"\x44")
    yield "ihl-0", patched(ip_start, b"\x40")
    yield "version-6-in-ipv4", patched(ip_start, b"\x65")
    yield "more-fragments", with_ip(flags="MF")
    yield "fragment-offset", with_ip(frag=100)
    yield "bad-ip-checksum", patched(ip_start + 10, b"\x00\x01")
    yield "total-length-beyond-frame", bytes(ping(7, 1, b"x" * 32, len=1000))
    yield "total-length-below-header", bytes(ping(7, 1, b"x" * 32, len=12))
    yield "truncated-icmp", bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC) /
                                  IP(src=HOST_IP, dst=GUEST_IP, proto=1) / b"\x08\x00\xf7")
    yield "icmp-to-another-host", bytes(ping(7, 1, b"x", dst="10.0.0.99"))
    yield "icmp-from-broadcast", bytes(ping(7, 1, b"x", src="255.255.255.255"))
    yield "icmp-from-multicast-mac", bytes(Ether(dst=GUEST_MACS[0], src="01:00:5e:00:00:01") /
                                           IP(src=HOST_IP, dst=GUEST_IP) / ICMP())
    yield "udp-length-beyond-datagram", bytes(udp_datagram(9, b"abc", len=200))
    yield "udp-length-below-header", bytes(udp_datagram(9, b"abc", len=4))
    yield "truncated-udp", bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC) /
                                 IP(src=HOST_IP, dst=GUEST_IP, proto=17) / b"\x00\x09\x00")
    yield "random-bytes", bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC, type=0x0800) /
                                bytes((i * 73 + 11) & 0xFF for i in range(100)))


def test_malformed_frames_are_never_transmitted(guest):
    frames = list(malformed_frames())
    before = counts(guest)
    arp_before = guest.arp_answered
    for i, (name, frame) in enumerate(frames):
        guest.send(0, frame)
        # A good ping right behind it: its reply ends what the malformed frame
        # caused (socket order is kept). lwIP may answer some of them itself
        # (it echoes a datagram whose UDP length is too large, for one): such
        # answers are its own, well formed.
        marker = ping(0x4D4B, i, name.encode())
        guest.send(0, bytes(marker))
        while (reply := guest.recv(0)) != xdp_icmp_reply(marker):
            check_reply_checksums(reply)
            assert Ether(reply)[IP].dst == HOST_IP, name
    # Each ARP reply the test sent lwIP went through the program too.
    arp_replies = guest.arp_answered - arp_before
    after = wait_counts(guest, runs=before["runs"] + 2 * len(frames) + arp_replies)
    # Every malformed frame was passed; only the markers were transmitted.
    assert after["tx"] - before["tx"] == after["icmp"] - before["icmp"] == len(frames)
    assert after["pass"] - before["pass"] == len(frames) + arp_replies
    assert after["drop"] == before["drop"] and after["aborted"] == before["aborted"]
    assert guest.alive()


def test_echo_request_with_a_nonzero_code_goes_to_lwip(guest):
    # RFC 792 knows only code 0; lwIP answers any code, the program leaves it to lwIP.
    before = counts(guest)
    guest.send(0, bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC) /
                        IP(src=HOST_IP, dst=GUEST_IP) / ICMP(type=8, code=1, id=5)))
    reply = Ether(guest.recv_where(0, is_icmp(0, 5)))
    check_reply_checksums(bytes(reply))
    after = wait_counts(guest, runs=before["runs"] + 1)
    assert after["tx"] == before["tx"] and after["pass"] == before["pass"] + 1


def test_other_ports_go_to_lwip(guest):
    before = counts(guest)
    # A datagram to another port: lwIP answers with ICMP port unreachable (RFC 1122 §4.1.3.1).
    guest.send(0, bytes(udp_datagram(5555, b"to nowhere", dport=9)))
    reply = Ether(guest.recv_where(0, is_icmp(3)))
    assert reply[ICMP].code == 3
    after = wait_counts(guest, runs=before["runs"] + 1)
    assert after["tx"] == before["tx"]
    assert after["pass"] > before["pass"]


def test_without_the_program_lwip_answers(image):
    g = boot(image)
    try:
        assert "udp-echo: no echo program attached" in g.output()
        request = ping(1, 1, b"lwip")
        g.send(0, bytes(request))
        reply = Ether(g.recv_where(0, is_icmp(0, 1)))
        assert g.arp_answered == 1  # lwIP asked for the host's MAC first
        assert reply[ICMP].type == 0 and bytes(reply[ICMP].payload) == b"lwip"
        check_reply_checksums(bytes(reply))
        g.send(0, bytes(udp_datagram(4242, b"hello")))
        reply = Ether(g.recv(0))
        assert bytes(reply[UDP].payload) == b"hello" and reply[UDP].dport == 4242
        wait_counts(g, runs=0, icmp=0, udp=0, lwip=1)
    finally:
        g.close()
