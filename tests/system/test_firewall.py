"""The firewall app (apps/firewall, bpf/firewall.c) between two socket NICs
(socket_nics.py): the test plays a client on eth0's side and a server on
eth1's, sends scapy-built frames, and checks what leaves the other NIC -
forwarded byte for byte, or nothing when a rule drops it - and what lwIP
answers for the firewall's own address. Each test boots a fresh firewall,
so the counts on its console start at zero."""
import re

import pytest
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.inet6 import IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrRouting
from scapy.layers.l2 import ARP, Ether

from bootlib import boot, build_app
from socket_nics import GUEST_MACS, HOST_MAC, SocketGuest, build_bpf, inet_checksum

FIREWALL_IP = "10.0.0.1"
CLIENT_IP = "10.0.0.2"  # behind eth0 (the test's NIC 0 socket)
SERVER_IP = "10.0.0.3"  # behind eth1
SERVER_MAC = "02:00:00:00:00:02"
BLOCKED_SOURCE = "10.0.0.5"
# Source prefixes, the longest that holds a source deciding: a blocked /24
# (TEST-NET-1), an allowed /26 inside it, a blocked address inside that.
BLOCKED_NET, ALLOWED_SUBNET, BLOCKED_IN_SUBNET = "192.0.2.0/24", "192.0.2.64/26", "192.0.2.70"
# IPv6 (the documentation prefix): a blocked /32 with an allowed /48 inside.
BLOCKED_NET6, ALLOWED_SUBNET6 = "2001:db8::/32", "2001:db8:1::/48"
RULES = ("block", BLOCKED_SOURCE, "block", "tcp:22", "block", "udp:53", "block", BLOCKED_NET,
         "allow", ALLOWED_SUBNET, "block", BLOCKED_IN_SUBNET, "block", BLOCKED_NET6,
         "allow", ALLOWED_SUBNET6)
READY = "firewall: forwarding between eth0 and eth1 (own address 10.0.0.1)"
COUNTS = re.compile(r"firewall: passed (\d+) redirected (\d+) dropped (\d+) malformed (\d+)$")
USAGE_STATUS = 2
NO_NETWORK_STATUS = 1


@pytest.fixture(scope="module")
def image():
    return build_app("firewall")


@pytest.fixture(scope="module")
def program():
    return build_bpf("firewall", "firewall")


@pytest.fixture
def firewall(image, program):
    guest = SocketGuest(image, 2, READY, "--bpf", str(program),
                        cmdline=f"ip={FIREWALL_IP}/24 -- " + " ".join(RULES),
                        host_ips=[CLIENT_IP])
    yield guest
    guest.close()


def client_to_server(l4, src=CLIENT_IP, dst=SERVER_IP) -> bytes:
    return bytes(Ether(dst=SERVER_MAC, src=HOST_MAC) / IP(src=src, dst=dst) / l4)


def server_to_client(l4) -> bytes:
    return bytes(Ether(dst=HOST_MAC, src=SERVER_MAC) / IP(src=SERVER_IP, dst=CLIENT_IP) / l4)


def wait_counts(guest, passed, redirected, dropped, malformed):
    expected = (passed, redirected, dropped, malformed)
    guest.wait_for_line("firewall: passed", lambda line: COUNTS.match(line) and tuple(
        map(int, COUNTS.match(line).groups())) == expected)


def rule_drops(guest, rule: str, verb: str = "block") -> int:
    """The rule's last reported count: frames it dropped, or let by (allow)."""
    lines = [line for line in guest.lines if line.startswith(f"firewall: rule {verb} {rule} ")]
    return int(lines[-1].rsplit(" ", 1)[1]) if lines else 0


def test_rules_are_listed(firewall):
    for rule in (BLOCKED_SOURCE, "tcp:22", "udp:53", BLOCKED_NET, BLOCKED_IN_SUBNET,
                 BLOCKED_NET6):
        assert f"firewall: block {rule}" in firewall.output()
    for rule in (ALLOWED_SUBNET, ALLOWED_SUBNET6):
        assert f"firewall: allow {rule}" in firewall.output()
    assert "bpf: attached firewall.bpf.o:firewall" in firewall.output()


def test_allowed_frames_are_forwarded_unchanged_both_ways(firewall):
    frames = [
        (0, client_to_server(UDP(sport=1234, dport=80) / b"request")),
        (1, server_to_client(UDP(sport=80, dport=1234) / b"response")),
        (0, client_to_server(TCP(sport=40000, dport=53, flags="S"))),  # only udp:53 is blocked
        (1, server_to_client(UDP(sport=22, dport=22) / b"x")),  # only tcp:22 is
        (0, bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=HOST_MAC) /
                  ARP(psrc=CLIENT_IP, pdst=SERVER_IP, hwsrc=HOST_MAC))),
        (1, bytes(Ether(dst=HOST_MAC, src=SERVER_MAC, type=0x88B6) / (b"\xA5" * 100))),
        (0, client_to_server(ICMP() / b"ping the server", dst="192.168.7.7")),
        (1, server_to_client(UDP(dport=9) / (bytes(range(256)) * 5))),
    ]
    for ingress, frame in frames:
        firewall.send(ingress, frame)
        assert firewall.recv(1 - ingress) == frame, Ether(frame).summary()
    wait_counts(firewall, passed=0, redirected=len(frames), dropped=0, malformed=0)


def test_blocked_sources_and_ports_are_dropped(firewall):
    blocked = [
        (0, client_to_server(UDP(dport=80) / b"from a blocked host", src=BLOCKED_SOURCE), BLOCKED_SOURCE),
        (1, server_to_client(TCP(sport=5555, dport=22, flags="S")), "tcp:22"),
        (0, client_to_server(TCP(sport=5555, dport=22, flags="S")), "tcp:22"),
        (0, client_to_server(UDP(sport=5353, dport=53) / b"query"), "udp:53"),
        # Even to the firewall itself.
        (0, client_to_server(ICMP(), src=BLOCKED_SOURCE, dst=FIREWALL_IP), BLOCKED_SOURCE),
    ]
    for i, (ingress, frame, _) in enumerate(blocked):
        firewall.send(ingress, frame)
        # An allowed frame right behind it must be the next out (socket order is kept).
        marker = client_to_server(UDP(dport=1000 + i) / b"marker") if ingress == 0 else \
            server_to_client(UDP(dport=1000 + i) / b"marker")
        firewall.send(ingress, marker)
        assert firewall.recv(1 - ingress) == marker
    wait_counts(firewall, passed=0, redirected=len(blocked), dropped=len(blocked), malformed=0)
    firewall.wait_for_line("firewall: rule block udp:53", lambda line: line.endswith(" 1"))
    assert rule_drops(firewall, BLOCKED_SOURCE) == 2
    assert rule_drops(firewall, "tcp:22") == 2
    assert rule_drops(firewall, "udp:53") == 1


def test_the_longest_source_prefix_decides(firewall):
    verdicts = [  # (source, destination port, forwarded)
        ("192.0.2.1", 80, False),  # in the blocked /24
        ("192.0.2.200", 80, False),  # so is this
        ("192.0.3.1", 80, True),  # the next /24: no rule
        ("192.0.2.65", 80, True),  # the allowed /26 is longer than the /24
        ("192.0.2.70", 80, False),  # the blocked /32 is longer than the /26
        ("192.0.2.66", 22, False),  # allowed source, blocked port: tcp:22 still drops
    ]
    for i, (source, port, forwarded) in enumerate(verdicts):
        frame = client_to_server(TCP(sport=4000 + i, dport=port, flags="S"), src=source)
        firewall.send(0, frame)
        marker = client_to_server(UDP(dport=1000 + i) / b"marker")
        firewall.send(0, marker)
        expected = [frame, marker] if forwarded else [marker]
        assert [firewall.recv(1) for _ in expected] == expected, source
    dropped = sum(not forwarded for _, _, forwarded in verdicts)
    wait_counts(firewall, passed=0, redirected=2 * len(verdicts) - dropped, dropped=dropped,
                malformed=0)
    firewall.wait_for_line(f"firewall: rule allow {ALLOWED_SUBNET}",
                           lambda line: line.endswith(" 2"))
    assert rule_drops(firewall, BLOCKED_NET) == 2
    assert rule_drops(firewall, ALLOWED_SUBNET, "allow") == 2
    assert rule_drops(firewall, BLOCKED_IN_SUBNET) == 1
    assert rule_drops(firewall, "tcp:22") == 1
    assert rule_drops(firewall, BLOCKED_SOURCE) == 0


def ipv6_frame(source, l4, extensions=()) -> bytes:
    packet = IPv6(src=source, dst="2001:db9::3")
    for extension in extensions:
        packet = packet / extension
    return bytes(Ether(dst=SERVER_MAC, src=HOST_MAC) / packet / l4)


def test_ipv6_sources_and_ports(firewall):
    syn22 = TCP(sport=4000, dport=22, flags="S")
    verdicts = [  # (frame, forwarded)
        (ipv6_frame("2001:db8::5", UDP(dport=80)), False),  # in the blocked /32
        (ipv6_frame("2001:db8:ffff::1", UDP(dport=80)), False),
        (ipv6_frame("2001:db9::1", UDP(dport=80)), True),  # outside it
        (ipv6_frame("2001:db8:1::7", UDP(dport=80)), True),  # the allowed /48 is longer
        (ipv6_frame("2001:db9::1", syn22), False),  # tcp:22 holds for IPv6 too
        # ... behind extension headers (RFC 8200 §4.1 order) as well,
        (ipv6_frame("2001:db9::1", syn22, [IPv6ExtHdrDestOpt(), IPv6ExtHdrRouting(),
                                           IPv6ExtHdrFragment(offset=0, m=1)]), False),
        # ... but a later fragment carries no ports: checked by source only.
        (ipv6_frame("2001:db9::1", syn22, [IPv6ExtHdrFragment(offset=8)]), True),
    ]
    for i, (frame, forwarded) in enumerate(verdicts):
        firewall.send(0, frame)
        marker = client_to_server(UDP(dport=1000 + i) / b"marker")
        firewall.send(0, marker)
        expected = [frame, marker] if forwarded else [marker]
        assert [firewall.recv(1) for _ in expected] == expected, Ether(frame).summary()
    dropped = sum(not forwarded for _, forwarded in verdicts)
    wait_counts(firewall, passed=0, redirected=2 * len(verdicts) - dropped, dropped=dropped,
                malformed=0)
    firewall.wait_for_line("firewall: rule block tcp:22", lambda line: line.endswith(" 2"))
    assert rule_drops(firewall, BLOCKED_NET6) == 2
    assert rule_drops(firewall, ALLOWED_SUBNET6, "allow") == 1


def test_frames_for_the_firewall_reach_lwip(firewall):
    who_has = Ether(dst="ff:ff:ff:ff:ff:ff", src=HOST_MAC) / ARP(
        hwsrc=HOST_MAC, psrc=CLIENT_IP, pdst=FIREWALL_IP)
    firewall.send(0, bytes(who_has))
    answer = Ether(firewall.recv_where(0, lambda f: ARP in Ether(f)))
    assert answer[ARP].op == 2 and answer[ARP].psrc == FIREWALL_IP
    assert answer[ARP].hwsrc == GUEST_MACS[0] and answer.dst == HOST_MAC

    ping = Ether(dst=GUEST_MACS[0], src=HOST_MAC) / IP(src=CLIENT_IP, dst=FIREWALL_IP) / \
        ICMP(id=77, seq=3) / b"are you there"
    firewall.send(0, bytes(ping))
    reply = Ether(firewall.recv_where(0, lambda f: ICMP in Ether(f)))
    assert reply[ICMP].type == 0 and reply[ICMP].id == 77 and reply[ICMP].seq == 3
    assert bytes(reply[ICMP].payload) == b"are you there"
    assert (reply[IP].src, reply[IP].dst) == (FIREWALL_IP, CLIENT_IP)
    assert inet_checksum(bytes(reply[IP])[:20]) == 0 and inet_checksum(bytes(reply[ICMP])) == 0
    # Nothing of it was forwarded to the server's side.
    assert firewall.recv_nothing(1, within=1)
    # lwIP may have asked for the client's MAC: the answer passed too.
    wait_counts(firewall, passed=2 + firewall.arp_answered, redirected=0, dropped=0, malformed=0)


def test_malformed_frames_are_dropped(firewall):
    good = client_to_server(TCP(sport=1, dport=80))
    malformed = [
        good[:14 + 12],  # IPv4 header cut short
        good[:14] + b"\x44" + good[15:],  # IHL 4
        good[:14] + b"\x65" + good[15:],  # version 6 in an IPv4 frame
        good[:14 + 20 + 3],  # TCP ports cut short
        bytes(Ether(dst="ff:ff:ff:ff:ff:ff", src=HOST_MAC) / ARP(pdst=SERVER_IP))[:14 + 20],
        ipv6_frame("2001:db9::1", UDP(dport=80))[:14 + 39],  # IPv6 header cut short
        ipv6_frame("2001:db9::1", UDP(dport=80))[:14 + 40 + 3],  # UDP ports cut short
        ipv6_frame("2001:db9::1", UDP(dport=80), [IPv6ExtHdrDestOpt()])[:14 + 40 + 7],
        # More extension headers than the program reads: its ports are out of sight.
        ipv6_frame("2001:db9::1", UDP(dport=80), [IPv6ExtHdrDestOpt()] * 5),
    ]
    for frame in malformed:
        firewall.send(0, frame)
        firewall.send(0, good)
        assert firewall.recv(1) == good
    # A later fragment carries no ports: checked by source only, then forwarded.
    later = bytes(Ether(dst=SERVER_MAC, src=HOST_MAC) /
                  IP(src=CLIENT_IP, dst=SERVER_IP, proto=6, frag=100) / (b"\x00" * 16))
    firewall.send(0, later)
    assert firewall.recv(1) == later
    wait_counts(firewall, passed=0, redirected=len(malformed) + 1, dropped=len(malformed),
                malformed=len(malformed))


@pytest.mark.parametrize("args, message", [
    ("block 10.0.0.256", "firewall: block 10.0.0.256: expected a prefix A.B.C.D[/LEN] or "
     "X:X::X[/LEN], tcp:PORT"),
    ("block 2001:db8::/129", "firewall: block 2001:db8::/129: prefix length '129' is not 0..128"),
    ("block 2001:db8::1/64", "firewall: block 2001:db8::1/64: host bits set "
     "(the /64 that holds 2001:db8::1 is 2001:db8::/64)"),
    ("block 2001:db8::1::2", "firewall: block 2001:db8::1::2: expected a prefix"),
    ("block 2001:db8:0:0:0:0:0:0:1", "firewall: block 2001:db8:0:0:0:0:0:0:1: expected"),
    ("block 12345::", "firewall: block 12345::: expected"),
    ("block ::ffff:10.0.0.1", "firewall: block ::ffff:10.0.0.1: expected"),
    ("block 2001:db8::/32 allow 2001:db8:0::/32", "firewall: allow 2001:db8:0::/32: listed twice"),
    ("block 10.0.0.0/33", "firewall: block 10.0.0.0/33: prefix length '33' is not 0..32"),
    ("block 10.0.0.0/", "firewall: block 10.0.0.0/: prefix length '' is not 0..32"),
    ("block 10.0.0.0/8x", "firewall: block 10.0.0.0/8x: prefix length '8x' is not 0..32"),
    ("block 10.0.0.0/0008", "firewall: block 10.0.0.0/0008: prefix length '0008' is not"),
    ("block 10.0.0.1/8", "firewall: block 10.0.0.1/8: host bits set "
     "(the /8 that holds 10.0.0.1 is 10.0.0.0/8)"),
    ("allow 192.168.1.1/0", "firewall: allow 192.168.1.1/0: host bits set "
     "(the /0 that holds 192.168.1.1 is 0.0.0.0/0)"),
    ("allow tcp:22", "firewall: allow tcp:22: expected a prefix A.B.C.D[/LEN] or X:X::X[/LEN]\n"),
    ("block tcp:0", "firewall: block tcp:0: expected"),
    ("block udp:65536", "firewall: block udp:65536: expected"),
    ("block sctp:5", "firewall: block sctp:5: expected"),
    ("block 10.0.0.1 block 10.0.0.1", "firewall: block 10.0.0.1: listed twice"),
    ("block 10.0.0.1 allow 10.0.0.1/32", "firewall: allow 10.0.0.1/32: listed twice"),
    ("block", "firewall: bad argument block"),
    ("allow", "firewall: bad argument allow"),
    ("permit 10.0.0.1", "firewall: bad argument permit"),
])
def test_bad_rules_are_refused(image, program, args, message):
    result = boot(image, "--bpf", str(program), "--net-udp", "1:2", "--net-udp", "3:4",
                  "--cmdline", "-- " + args)
    assert result.status == USAGE_STATUS, result.output
    assert message in result.output
    assert "firewall: forwarding" not in result.output


def test_without_its_program_or_second_nic_it_stops(image, program):
    result = boot(image, "--net-udp", "1:2", "--net-udp", "3:4", "--cmdline", "ip=10.0.0.1/24")
    assert result.status == NO_NETWORK_STATUS, result.output
    assert "firewall: its XDP program is not attached" in result.output
    result = boot(image, "--bpf", str(program), "--net-udp", "1:2", "--cmdline", "ip=10.0.0.1/24")
    assert result.status == NO_NETWORK_STATUS, result.output
    assert "firewall: needs exactly 2 NICs, found 1" in result.output
