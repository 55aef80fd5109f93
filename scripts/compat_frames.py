"""The frames the compatibility report runs every program on (scripts/compat.py).

A fixed, generated set: what XDP programs parse (Ethernet, VLAN and QinQ,
IPv4 with and without options and fragments, IPv6 with extension headers,
TCP, UDP, ICMP, ICMPv6, ARP), the tunnels they decapsulate (IPIP, 6in4,
GRE, VXLAN), and frames cut short at every header boundary, which is where
parsers go wrong. Written as a classic pcap with zero timestamps, so the
same frames give the same file byte for byte.
"""
import struct
from pathlib import Path

from scapy.all import (ARP, GRE, ICMP, IP, TCP, UDP, VXLAN, Dot1AD, Dot1Q, Ether, ICMPv6EchoRequest,
                       IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, Raw)

SRC_MAC = "02:00:00:00:00:01"
DST_MAC = "02:00:00:00:00:02"
SRC4, DST4 = "192.0.2.1", "198.51.100.2"  # RFC 5737 documentation ranges
SRC6, DST6 = "2001:db8::1", "2001:db8::2"  # RFC 3849
PAYLOAD = bytes(range(32))

PCAP_MAGIC_USEC = 0xa1b2c3d4
PCAP_VERSION = (2, 4)
PCAP_SNAPLEN = 65535
LINKTYPE_ETHERNET = 1


def _eth(ethertype_layers):
    return Ether(src=SRC_MAC, dst=DST_MAC) / ethertype_layers


def frames() -> list:
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


def write_pcap(path: Path, frame_list: list) -> None:
    """A classic pcap (pcap-savefile(5)), little-endian, timestamps zero."""
    out = [struct.pack("<IHHiIII", PCAP_MAGIC_USEC, *PCAP_VERSION, 0, 0, PCAP_SNAPLEN,
                       LINKTYPE_ETHERNET)]
    for _, data in frame_list:
        out.append(struct.pack("<IIII", 0, 0, len(data), len(data)))
        out.append(data)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(b"".join(out))
    tmp.replace(path)
