"""L3 forwarding between two NICs by an XDP program: udp-echo booted with
two socket NICs (socket_nics.py), eth0 on 10.0.1.0/24 and eth1 on
10.0.2.0/24 ("ip.eth1="), IPv4 forwarding on ("net.forward=1"), and
tests/ebpf/verifier/accept/fib_forward.c attached, which forwards as the
kernel's samples/bpf/xdp_fwd_kern.c does: bpf_fib_lookup against lwIP's
routes and ARP table (net/fib.c), bpf_check_mtu, TTL decremented,
bpf_redirect. A datagram for a host on eth1's subnet that enters eth0
leaves eth1 with the neighbour's MAC as destination, eth1's as source,
TTL one less and a correct header checksum, the rest unchanged. Without
an ARP entry for the destination the lookup says BPF_FIB_LKUP_RET_NO_NEIGH
(7), which the program prints with bpf_printk (bpf_trace_vprintk: four
arguments) to the console and passes the frame to lwIP, which does not
forward: nothing leaves. A destination on no subnet goes through eth0's
gateway (gw=), back out of eth0 with the gateway's MAC; and without
net.forward the lookup says BPF_FIB_LKUP_RET_FWD_DISABLED (5), as Linux's
default. IPv6 works the same with lwIP's ND cache ("ip6.eth1=" gives eth1
a global address; the hop limit is decremented)."""
import socket

import pytest
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import IPv6, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6NDOptSrcLLAddr
from scapy.layers.l2 import ARP, Ether

from bootlib import ROOT, build_app
from socket_nics import GUEST_MACS, HOST_MAC, SocketGuest, inet_checksum
from test_tap import compile_bpf

GUEST_A_IP, GUEST_B_IP = "10.0.1.1", "10.0.2.1"
GATEWAY_IP, GATEWAY_MAC = "10.0.1.254", "02:00:00:00:01:fe"  # eth0's gw, to 10.9.0.0/16
FAR_IP = "10.9.0.1"  # behind the gateway
SENDER_IP = "10.0.1.9"  # a host on eth0's side
NEIGHBOUR_IP, NEIGHBOUR_MAC = "10.0.2.7", "02:00:00:00:02:07"  # on eth1's side
UNKNOWN_IP = "10.0.2.8"  # on eth1's subnet, never in the ARP table
READY = "udp-echo: listening on UDP port 7"
GUEST_B_IP6, NEIGHBOUR_IP6, SENDER_IP6 = "2001:db8:2::1", "2001:db8:2::7", "2001:db8:1::9"
FIB_LKUP_RET_FWD_DISABLED = 5
FIB_LKUP_RET_NO_NEIGH = 7
NOTHING_WITHIN_S = 2
IP_HEADER_LEN = 20
ETH_HEADER_LEN = 14


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    return compile_bpf(ROOT / "tests/ebpf/verifier/accept/fib_forward.c",
                       tmp_path_factory.mktemp("forward-bpf"))


def boot(program, options: str) -> SocketGuest:
    return SocketGuest(build_app("udp-echo"), 2, READY, "--bpf", str(program),
                       cmdline=f"ip={GUEST_A_IP}/24 gw={GATEWAY_IP} ip.eth1={GUEST_B_IP}/24 "
                       f"ip6.eth1={GUEST_B_IP6} " + options, host_ips=[SENDER_IP])


@pytest.fixture(scope="module")
def guest(program):
    g = boot(program, "net.forward=1")
    yield g
    g.close()


def learn(guest, nic: int, ip: str, mac: str, guest_ip: str):
    """A host asks the guest's NIC for its address: lwIP answers and keeps the host's MAC."""
    request = Ether(dst="ff:ff:ff:ff:ff:ff", src=mac) / ARP(op=1, hwsrc=mac, psrc=ip,
                                                            pdst=guest_ip)
    guest.send(nic, bytes(request))
    reply = Ether(guest.recv_where(nic, lambda data: ARP in Ether(data)))
    assert reply[ARP].op == 2 and reply[ARP].psrc == guest_ip


def learn_neighbour(guest):
    learn(guest, 1, NEIGHBOUR_IP, NEIGHBOUR_MAC, GUEST_B_IP)


def datagram(dst: str, ttl: int, payload: bytes) -> bytes:
    return bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC) /
                 IP(src=SENDER_IP, dst=dst, ttl=ttl, id=0x4242) /
                 UDP(sport=4000, dport=5000) / payload)


def test_forwards_to_the_neighbour_with_its_mac_and_ttl_less_one(guest):
    learn_neighbour(guest)
    sent = datagram(NEIGHBOUR_IP, 64, b"forward me")
    guest.send(0, sent)
    out = guest.recv_where(1, lambda data: IP in Ether(data) and UDP in Ether(data))
    frame = Ether(out)
    assert frame.dst == NEIGHBOUR_MAC
    assert frame.src == GUEST_MACS[1]
    assert frame[IP].ttl == 63
    assert frame[IP].dst == NEIGHBOUR_IP and frame[IP].src == SENDER_IP
    header = out[ETH_HEADER_LEN:ETH_HEADER_LEN + IP_HEADER_LEN]
    assert inet_checksum(header) == 0, "IPv4 header checksum"
    # Everything after the TTL and checksum is what was sent.
    assert out[ETH_HEADER_LEN + 12:] == sent[ETH_HEADER_LEN + 12:]
    assert guest.recv_nothing(0, within=0.5), "the frame went back out of eth0"


def test_without_a_neighbour_the_frame_goes_to_lwip(guest):
    guest.send(0, datagram(UNKNOWN_IP, 64, b"nobody"))
    guest.wait_for(rf"fib {FIB_LKUP_RET_NO_NEIGH} to \w+ on 2: \d+", timeout=20)
    assert guest.recv_nothing(1, within=NOTHING_WITHIN_S)


def test_through_the_gateway_out_of_the_same_nic(guest):
    """Off every subnet: lwIP's default interface (eth0) and its gateway's MAC."""
    learn(guest, 0, GATEWAY_IP, GATEWAY_MAC, GUEST_A_IP)
    guest.send(0, datagram(FAR_IP, 9, b"far away"))
    frame = Ether(guest.recv_where(0, lambda data: UDP in Ether(data)))
    assert (frame.dst, frame.src) == (GATEWAY_MAC, GUEST_MACS[0])
    assert frame[IP].dst == FAR_IP and frame[IP].ttl == 8


def test_forwarding_is_off_by_default(program):
    g = boot(program, "")
    try:
        learn_neighbour(g)
        g.send(0, datagram(NEIGHBOUR_IP, 64, b"not forwarded"))
        g.wait_for(rf"fib {FIB_LKUP_RET_FWD_DISABLED} to \w+ on 1: \d+", timeout=20)
        assert g.recv_nothing(1, within=NOTHING_WITHIN_S)
    finally:
        g.close()


def test_ipv6_to_a_neighbour_the_nd_cache_knows(guest):
    """The neighbour solicits the guest's eth1 address, so lwIP's ND cache has its MAC;
    an IPv6 datagram for it entering eth0 leaves eth1 with the hop limit one less."""
    guest.filter_chatter = False  # what the guest forwards is IPv6 from its own MAC
    try:
        guest.send(1, bytes(Ether(dst=GUEST_MACS[1], src=NEIGHBOUR_MAC) /
                            IPv6(src=NEIGHBOUR_IP6, dst=GUEST_B_IP6, hlim=255) /
                            ICMPv6ND_NS(tgt=GUEST_B_IP6) /
                            ICMPv6NDOptSrcLLAddr(lladdr=NEIGHBOUR_MAC)))
        guest.recv_where(1, lambda data: ICMPv6ND_NA in Ether(data))
        sent = bytes(Ether(dst=GUEST_MACS[0], src=HOST_MAC) /
                     IPv6(src=SENDER_IP6, dst=NEIGHBOUR_IP6, hlim=64) /
                     UDP(sport=4000, dport=5000) / b"forward me too")
        guest.send(0, sent)
        out = guest.recv_where(1, lambda data: UDP in Ether(data))
    finally:
        guest.filter_chatter = True
    frame = Ether(out)
    assert (frame.dst, frame.src) == (NEIGHBOUR_MAC, GUEST_MACS[1])
    assert frame[IPv6].hlim == 63
    hop_limit_at = ETH_HEADER_LEN + 7
    # Past the MACs, only the hop limit changed.
    assert out[12:hop_limit_at] == sent[12:hop_limit_at]
    assert out[hop_limit_at + 1:] == sent[hop_limit_at + 1:]
