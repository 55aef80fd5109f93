"""The frames the compatibility report runs every program on (scripts/compat.py).

Two sources, in this order in the report's pcap:

1. A fixed, generated set (generated_frames): what XDP programs parse
   (Ethernet, VLAN and QinQ, IPv4 with and without options and fragments,
   IPv6 with extension headers, TCP, UDP, ICMP, ICMPv6, ARP), the tunnels
   they decapsulate (IPIP, 6in4, GRE, VXLAN), and frames cut short at every
   header boundary, which is where parsers go wrong.
2. Real traffic: frames of tcpdump's test captures (Debian's tcpdump source
   package, tests/*.pcap, fetched by scripts/corpus.sh), picked by
   capture_frames: a deterministic, bounded and varied selection.

Frames Linux's test run refuses (shorter than an Ethernet header) go last, so
that the maps of both sides are compared after every other frame (compat.py
stops comparing maps at the first frame Linux refuses). Written as a classic
pcap with zero timestamps, so the same frames give the same file byte for
byte.
"""
import struct
from pathlib import Path
from typing import Optional

from scapy.all import (ARP, GRE, ICMP, IP, TCP, UDP, VXLAN, Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest,
                       IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Raw)

SRC_MAC = "02:00:00:00:00:01"
DST_MAC = "02:00:00:00:00:02"
SRC4, DST4 = "192.0.2.1", "198.51.100.2"  # RFC 5737 documentation ranges
SRC6, DST6 = "2001:db8::1", "2001:db8::2"  # RFC 3849
PAYLOAD = bytes(range(32))

PCAP_MAGIC_USEC = 0xa1b2c3d4
PCAP_MAGIC_NSEC = 0xa1b23c4d
PCAP_VERSION = (2, 4)
PCAP_SNAPLEN = 65535
PCAP_FILE_HEADER = struct.Struct("IHHiIII")  # magic, version, zone, sigfigs, snaplen, link type
PCAP_RECORD_HEADER = struct.Struct("IIII")  # seconds, fraction, captured length, wire length
LINKTYPE_ETHERNET = 1

ETH_HLEN = 14
# The most a frame can be for BPF_PROG_TEST_RUN to hand it to an XDP program
# whole: a page less XDP_PACKET_HEADROOM (256) and the tailroom
# SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) (320 on x86-64;
# net/bpf/test_run.c, bpf_prog_test_run_xdp). Longer frames go to fragments
# (multi-buffer XDP), which ukbpf does not model.
XDP_TEST_RUN_LINEAR_MAX = 4096 - 256 - 320

# How many frames of tcpdump's captures: with ~90 programs, each frame costs
# both sides a test run per program, and the whole report should stay within
# a few minutes on two cores (docs/compat.md says what was measured).
CAPTURE_FRAMES_MAX = 300


def _eth(ethertype_layers):
    return Ether(src=SRC_MAC, dst=DST_MAC) / ethertype_layers


def generated_frames() -> list:
    """[(name, bytes)] in a stable order."""
    tcp_syn = TCP(sport=40000, dport=80, flags="S", seq=1000,
                  options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None),
                           ("WScale", 7)])
    full = [
        ("ipv4-udp-dns", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=5353, dport=53) / PAYLOAD)),
        ("ipv4-udp-9", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=1234, dport=9) / PAYLOAD)),
        ("ipv4-udp-zero-csum", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=2, chksum=0) / b"x")),
        ("ipv4-tcp-syn", _eth(IP(src=SRC4, dst=DST4) / tcp_syn)),
        ("ipv4-tcp-syn-8080", _eth(IP(src=SRC4, dst=DST4) / TCP(sport=40001, dport=8080, flags="S",
                                                                   options=[("MSS", 1460)]))),
        ("ipv4-tcp-ack-data", _eth(IP(src=SRC4, dst=DST4) / TCP(sport=80, dport=40000, flags="PA",
                                                                   seq=5, ack=1001) / PAYLOAD)),
        ("ipv4-tcp-rst", _eth(IP(src=SRC4, dst=DST4) / TCP(sport=80, dport=40000, flags="R"))),
        ("ipv4-icmp-echo", _eth(IP(src=SRC4, dst=DST4) / ICMP(type=8, id=7, seq=1) / PAYLOAD)),
        ("ipv4-icmp-reply", _eth(IP(src=DST4, dst=SRC4) / ICMP(type=0, id=7, seq=1) / PAYLOAD)),
        ("ipv4-options", _eth(IP(src=SRC4, dst=DST4, options=b"\x94\x04\x00\x00") /
                              UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv4-first-fragment", _eth(IP(src=SRC4, dst=DST4, flags="MF", id=9) /
                                     UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv4-later-fragment", _eth(IP(src=SRC4, dst=DST4, frag=8, id=9, proto=17) / PAYLOAD)),
        ("ipv4-ttl-1", _eth(IP(src=SRC4, dst=DST4, ttl=1) / UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv4-bad-ihl", _eth(IP(src=SRC4, dst=DST4, ihl=3) / UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv4-sctp", _eth(IP(src=SRC4, dst=DST4, proto=132) / PAYLOAD)),
        ("ipv4-broadcast", Ether(src=SRC_MAC, dst="ff:ff:ff:ff:ff:ff") /
         IP(src=SRC4, dst="255.255.255.255") / UDP(sport=68, dport=67) / PAYLOAD),
        ("ipv4-udp-1400", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=53) / (b"\xab" * 1400))),
        ("ipv4-udp-3000", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=53) / (b"\xcd" * 3000))),
        ("ipv6-udp", _eth(IPv6(src=SRC6, dst=DST6) / UDP(sport=5353, dport=53) / PAYLOAD)),
        ("ipv6-tcp-syn", _eth(IPv6(src=SRC6, dst=DST6) / tcp_syn)),
        ("ipv6-icmp-echo", _eth(IPv6(src=SRC6, dst=DST6) / ICMPv6EchoRequest(id=7, seq=1) / PAYLOAD)),
        ("ipv6-hop-by-hop", _eth(IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrHopByHop() /
                                 UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv6-fragment", _eth(IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrFragment(m=1, id=9) /
                               UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv6-hop-limit-1", _eth(IPv6(src=SRC6, dst=DST6, hlim=1) / UDP(sport=1, dport=53))),
        ("vlan-ipv4-udp", _eth(Dot1Q(vlan=100) / IP(src=SRC4, dst=DST4) / UDP(sport=1, dport=53) /
                               PAYLOAD)),
        ("vlan-4011-ipv4", _eth(Dot1Q(vlan=4011) / IP(src=SRC4, dst=DST4) / ICMP() / PAYLOAD)),
        ("vlan-ipv6-tcp", _eth(Dot1Q(vlan=5) / IPv6(src=SRC6, dst=DST6) / tcp_syn)),
        ("qinq-ipv4-udp", _eth(Dot1AD(vlan=10) / Dot1Q(vlan=20) / IP(src=SRC4, dst=DST4) /
                               UDP(sport=1, dport=53) / PAYLOAD)),
        ("qinq-8100-8100-ipv4", _eth(Dot1Q(vlan=4011) / Dot1Q(vlan=20) / IP(src=SRC4, dst=DST4) /
                                     UDP(sport=1, dport=53) / PAYLOAD)),
        ("arp-request", Ether(src=SRC_MAC, dst="ff:ff:ff:ff:ff:ff") /
         ARP(op=1, hwsrc=SRC_MAC, psrc=SRC4, pdst=DST4)),
        ("lldp-unknown-ethertype", Ether(src=SRC_MAC, dst="01:80:c2:00:00:0e", type=0x88cc) /
         Raw(PAYLOAD)),
        ("ipip", _eth(IP(src=SRC4, dst=DST4) / IP(src="10.0.0.1", dst="10.0.0.2") /
                      TCP(sport=1, dport=80, flags="S"))),
        ("ipv6-in-ipv4", _eth(IP(src=SRC4, dst=DST4) / IPv6(src=SRC6, dst=DST6) /
                              UDP(sport=1, dport=53) / PAYLOAD)),
        ("ipv6-in-ipv6", _eth(IPv6(src=SRC6, dst=DST6) / IPv6(src="fd00::1", dst="fd00::2") /
                              TCP(sport=1, dport=80, flags="S"))),
        ("gre-ipv4", _eth(IP(src=SRC4, dst=DST4) / GRE() / IP(src="10.0.0.1", dst="10.0.0.2") /
                          UDP(sport=1, dport=53) / PAYLOAD)),
        ("vxlan", _eth(IP(src=SRC4, dst=DST4) / UDP(sport=49152, dport=4789) / VXLAN(vni=42) /
                       Ether(src=SRC_MAC, dst=DST_MAC) / IP(src="10.0.0.1", dst="10.0.0.2") /
                       ICMP() / PAYLOAD)),
    ]
    result = [(name, bytes(packet)) for name, packet in full]
    # Cut short at and inside each header: Ethernet alone, half an IPv4 or
    # IPv6 header, an IPv4 header without its TCP/UDP header, half a VLAN tag.
    udp4 = dict(result)["ipv4-udp-dns"]
    tcp6 = dict(result)["ipv6-tcp-syn"]
    vlan = dict(result)["vlan-ipv4-udp"]
    result += [
        ("cut-ethernet-only", udp4[:14]),
        ("cut-ipv4-half-header", udp4[:14 + 10]),
        ("cut-ipv4-no-l4", udp4[:14 + 20]),
        ("cut-ipv4-half-udp", udp4[:14 + 20 + 4]),
        ("cut-ipv6-half-header", tcp6[:14 + 20]),
        ("cut-ipv6-no-l4", tcp6[:14 + 40]),
        ("cut-vlan-half-tag", vlan[:16]),
        ("cut-vlan-no-ip", vlan[:18]),
        # Shorter than an Ethernet header: Linux's test run refuses these
        # (EINVAL), ukbpf runs them; the report shows them as not compared.
        ("cut-13-bytes", udp4[:13]),
    ]
    return result


def read_pcap(path: Path) -> tuple:
    """(link type, [frame bytes]) of a classic pcap of either byte order and
    either timestamp precision; a truncated last record is left out. Raises
    ValueError when the file is not a classic pcap (pcapng, say)."""
    data = path.read_bytes()
    for order in "<>":
        header = struct.Struct(order + PCAP_FILE_HEADER.format)
        if len(data) >= header.size and \
                header.unpack_from(data)[0] in (PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC):
            break
    else:
        raise ValueError(f"{path}: not a classic pcap file")
    linktype = header.unpack_from(data)[6]
    record = struct.Struct(order + PCAP_RECORD_HEADER.format)
    frame_list, offset = [], header.size
    while offset + record.size <= len(data):
        caplen = record.unpack_from(data, offset)[2]
        offset += record.size
        if offset + caplen > len(data):
            break
        frame_list.append(data[offset:offset + caplen])
        offset += caplen
    return linktype, frame_list


def capture_frames(directory: Path, limit: int = CAPTURE_FRAMES_MAX, seen=()) -> list:
    """[(name, bytes)]: frames of the Ethernet captures in directory (*.pcap,
    sorted by name) that an XDP test run takes whole (ETH_HLEN to
    XDP_TEST_RUN_LINEAR_MAX bytes), none twice and none in seen, at most
    limit. Taken a round at a time: every capture's first such frame, then
    every capture's second..., so that the limit keeps the captures'
    variety rather than the first captures' every frame. Named
    "CAPTURE.pcap#N", N counting from 1 as tcpdump and Wireshark number
    frames."""
    per_capture = []
    for path in sorted(directory.glob("*.pcap")):
        try:
            linktype, frame_list = read_pcap(path)
        except ValueError:
            continue  # pcapng named .pcap: not ours to read
        if linktype != LINKTYPE_ETHERNET:
            continue
        per_capture.append([(f"{path.name}#{number}", data)
                            for number, data in enumerate(frame_list, 1)
                            if ETH_HLEN <= len(data) <= XDP_TEST_RUN_LINEAR_MAX])
    picked, taken = [], set(seen)
    for round_index in range(max(map(len, per_capture), default=0)):
        for candidates in per_capture:
            if round_index >= len(candidates) or len(picked) == limit:
                continue
            name, data = candidates[round_index]
            if data not in taken:
                taken.add(data)
                picked.append((name, data))
    return picked


def frames(captures: Optional[Path]) -> list:
    """[(name, bytes)]: the report's frames in the report's order (the module's
    docstring): generated ones, those of the captures in directory captures
    (None: none), and last the frames Linux's test run refuses."""
    generated = generated_frames()
    runnable = [(name, data) for name, data in generated if len(data) >= ETH_HLEN]
    refused = [(name, data) for name, data in generated if len(data) < ETH_HLEN]
    captured = (capture_frames(captures, seen={data for _, data in generated})
                if captures else [])
    return runnable + captured + refused


def write_pcap(path: Path, frame_list: list) -> None:
    """A classic pcap (pcap-savefile(5)), little-endian, timestamps zero.
    Left as it is when it already holds these frames."""
    out = [struct.pack("<" + PCAP_FILE_HEADER.format, PCAP_MAGIC_USEC, *PCAP_VERSION, 0, 0,
                       PCAP_SNAPLEN, LINKTYPE_ETHERNET)]
    for _, data in frame_list:
        out.append(struct.pack("<" + PCAP_RECORD_HEADER.format, 0, 0, len(data), len(data)))
        out.append(data)
    content = b"".join(out)
    if path.exists() and path.read_bytes() == content:
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(content)
    tmp.replace(path)
