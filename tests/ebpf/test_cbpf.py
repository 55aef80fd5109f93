"""Classic BPF filters from tcpdump, run by ukbpf, judged by tcpdump itself.

A capture of varied packets (Ethernet, VLAN, ARP, IPv4 with and without
options, fragments, IPv6, TCP, UDP, ICMP; some captured only in part, so
caplen < wirelen) is written with each packet's index as its timestamp.
For each filter expression, `tcpdump -dd` gives the classic program and
`tcpdump -r CAPTURE -w MATCHED EXPR` gives the reference: libpcap's own
bpf_filter() on the same records; the timestamps of MATCHED name the
accepted packets. `ukbpf run --cbpf PROG --pcap CAPTURE` must accept
exactly those packets, with the filter's accept value as the verdict, in
the interpreter and in the JIT.
"""

import ctypes
import ctypes.util
import os
import random
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UKBPF = os.path.join(ROOT, "build", "tools", "ukbpf")

# tcpdump's default snapshot length: what its filters return to accept.
ACCEPT = 262144
LINKTYPE_ETHERNET = 1
PCAP_MAGIC = 0xA1B2C3D4
PCAP_VERSION = (2, 4)
PCAP_GLOBAL_HEADER = struct.Struct("<IHHiIII")
PCAP_RECORD_HEADER = struct.Struct("<IIII")
SEED = 9669

FILTERS = [
    "tcp port 22",
    "udp",
    "ip6",
    "icmp",
    "host 10.0.0.1",
    "net 192.168.0.0/16",
    "tcp[tcpflags] & tcp-syn != 0",
    "tcp[tcpflags] & (tcp-syn|tcp-ack) = tcp-syn",
    "ip[8] < 64",
    "len > 100",
    "vlan and udp",
    "vlan 7 and tcp",
    "port 53 or port 80",
    "not arp",
    "greater 200",
    "less 80",
    "ip6 and tcp dst port 80",
    "icmp6",
    "ip[6:2] & 0x1fff != 0",
    "ip[0] & 0xf > 5",
    "portrange 1000-2000",
    "src host 10.0.0.1 and dst port 80",
    "ether broadcast",
    "arp and host 10.0.0.2",
    "udp[8:4] = 0x01020304",
    "len % 7 = 3",
    # Division by X: ip[8] & 3 == 0 ends the filter with 0 in libpcap.
    "ip[2:2] / (ip[8] & 3) > 10",
    # Arithmetic through the scratch memory M[].
    "len - ip[2:2] > 14",
]


def scapy():
    from scapy import all as scapy_all  # slow import: only when the tests run

    return scapy_all


def build_packets():
    """(frame bytes, caplen) pairs; deterministic."""
    s = scapy()
    rng = random.Random(SEED)
    hosts = ["10.0.0.1", "10.0.0.2", "192.168.1.5", "192.168.200.1", "172.16.0.1"]
    hosts6 = ["2001:db8::1", "2001:db8::2", "fe80::1"]
    ports = [22, 53, 80, 443, 1000, 1500, 2000, 2001, 8080, 5353]
    flags = ["S", "SA", "A", "PA", "F", "R", "SE"]
    ttls = [1, 32, 63, 64, 128, 255]

    def payload():
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 4, 30, 120, 300])))

    def ether():
        dst = "ff:ff:ff:ff:ff:ff" if rng.random() < 0.1 else "02:00:00:00:00:02"
        return s.Ether(src="02:00:00:00:00:01", dst=dst)

    def ipv4():
        ip = s.IP(src=rng.choice(hosts), dst=rng.choice(hosts), ttl=rng.choice(ttls))
        if rng.random() < 0.15:
            ip.options = [s.IPOption(b"\x94\x04\x00\x00")]  # router alert: IHL 6
        return ip

    def l4(ip6=False):
        kind = rng.choice(["tcp", "tcp", "udp", "udp", "icmp"])
        if kind == "tcp":
            return s.TCP(sport=rng.choice(ports), dport=rng.choice(ports),
                         flags=rng.choice(flags))
        if kind == "udp":
            udp = s.UDP(sport=rng.choice(ports), dport=rng.choice(ports))
            return udp / (b"\x01\x02\x03\x04" if rng.random() < 0.3 else b"")
        return s.ICMPv6EchoRequest() if ip6 else s.ICMP()

    frames = []
    for _ in range(60):
        frames.append(ether() / ipv4() / l4() / payload())
    for _ in range(30):
        ip6 = s.IPv6(src=rng.choice(hosts6), dst=rng.choice(hosts6))
        frames.append(ether() / ip6 / l4(ip6=True) / payload())
    for _ in range(25):
        frames.append(ether() / s.Dot1Q(vlan=rng.choice([7, 8])) / ipv4() / l4() / payload())
    for _ in range(5):
        frames.append(ether() / s.Dot1Q(vlan=7) / s.IPv6() / l4(ip6=True))
    for _ in range(20):
        arp = s.ARP(psrc=rng.choice(hosts), pdst=rng.choice(hosts))
        frames.append(s.Ether(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:03") / arp)
    for _ in range(5):
        whole = ipv4() / s.UDP(sport=53, dport=rng.choice(ports)) / bytes(600)
        frames.extend(ether() / part for part in s.fragment(whole, fragsize=200))
    packets = [(bytes(f), len(bytes(f))) for f in frames]
    # Captures cut short: loads past caplen must reject, LEN is still wirelen.
    for frame in frames[: 150 : 3]:
        raw = bytes(frame)
        caplen = rng.choice([10, 14, 20, 23, 30, 34, 38, 40, 54, len(raw) - 1])
        packets.append((raw, min(caplen, len(raw) - 1)))
    return packets


def write_pcap(path, packets):
    """Record i has timestamp i seconds: tcpdump -w keeps it, naming the packet."""
    with open(path, "wb") as out:
        out.write(PCAP_GLOBAL_HEADER.pack(PCAP_MAGIC, *PCAP_VERSION, 0, 0, ACCEPT,
                                          LINKTYPE_ETHERNET))
        for index, (raw, caplen) in enumerate(packets):
            out.write(PCAP_RECORD_HEADER.pack(index, 0, caplen, len(raw)))
            out.write(raw[:caplen])


def pcap_timestamps(path):
    with open(path, "rb") as f:
        data = f.read()
    pos, seconds = PCAP_GLOBAL_HEADER.size, []
    while pos < len(data):
        ts_sec, _, caplen, _ = PCAP_RECORD_HEADER.unpack_from(data, pos)
        seconds.append(ts_sec)
        pos += PCAP_RECORD_HEADER.size + caplen
    return seconds


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    packets = build_packets()
    path = str(tmp_path_factory.mktemp("cbpf") / "packets.pcap")
    write_pcap(path, packets)
    return path, len(packets)


def tcpdump_program(expr, path):
    out = subprocess.run(["tcpdump", "-dd", "-y", "EN10MB", expr], check=True,
                         capture_output=True, text=True).stdout
    with open(path, "w") as f:
        f.write(out)
    return out


def tcpdump_accepted(expr, capture_path, matched_path):
    subprocess.run(["tcpdump", "-r", capture_path, "-w", matched_path, expr], check=True,
                   capture_output=True)
    return set(pcap_timestamps(matched_path))


def ukbpf_verdicts(program_path, capture_path, engine, *options):
    result = subprocess.run([UKBPF, "run", engine, *options, "--cbpf", program_path, "--pcap",
                             capture_path], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    verdicts = {}
    for line in result.stdout.splitlines():
        index, verdict = line.split()
        verdicts[int(index)] = int(verdict, 0)
    return verdicts


@pytest.mark.parametrize("expr", FILTERS)
def test_filter_matches_tcpdump(expr, capture, tmp_path):
    capture_path, count = capture
    program_path = str(tmp_path / "filter.txt")
    tcpdump_program(expr, program_path)
    expected = tcpdump_accepted(expr, capture_path, str(tmp_path / "matched.pcap"))
    # A filter that accepts everything or nothing proves little.
    assert 0 < len(expected) < count, f"{expr}: capture does not exercise the filter"
    for engine in ("--interp", "--jit"):
        verdicts = ukbpf_verdicts(program_path, capture_path, engine)
        assert sorted(verdicts) == list(range(count)), f"{expr} {engine}: not one line per packet"
        accepted = {i for i, v in verdicts.items() if v}
        assert accepted == expected, (
            f"{expr} {engine}: accepted only by ukbpf {sorted(accepted - expected)}, "
            f"only by tcpdump {sorted(expected - accepted)}"
        )
        assert {verdicts[i] for i in accepted} == {ACCEPT}, f"{expr} {engine}: wrong accept value"


# ---- random programs against libpcap's own bpf_filter() ---------------------

# Classic opcodes (<pcap/bpf.h>), grouped by how their operand is chosen.
LD_ABS = [0x20, 0x28, 0x30]  # ld / ldh / ldb [k]
LD_IND = [0x40, 0x48, 0x50]  # ld / ldh / ldb [x + k]
LD_IMM, LDX_IMM, LD_LEN, LDX_LEN, LDX_MSH = 0x00, 0x01, 0x80, 0x81, 0xB1
LD_MEM, LDX_MEM, ST, STX = 0x60, 0x61, 0x02, 0x03
ALU_OPS = [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xA0]  # add..xor
ALU, ALU_X, ALU_NEG = 0x04, 0x08, 0x84
DIV, MOD, LSH, RSH = 0x30, 0x90, 0x60, 0x70
JMP_OPS = [0x10, 0x20, 0x30, 0x40]  # jeq jgt jge jset
JMP, JMP_X, JA = 0x05, 0x08, 0x05
RET_K, RET_A, TAX, TXA = 0x06, 0x16, 0x07, 0x87
MEMWORDS = 16
RANDOM_PROGRAMS = 120
RANDOM_PACKETS = 24


class CbpfInsn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]


def libpcap_bpf_filter():
    lib = ctypes.CDLL(ctypes.util.find_library("pcap"))
    lib.bpf_filter.restype = ctypes.c_uint
    lib.bpf_filter.argtypes = [ctypes.POINTER(CbpfInsn), ctypes.c_char_p, ctypes.c_uint,
                               ctypes.c_uint]
    return lib.bpf_filter


def random_offset(rng):
    """Mostly inside a small packet; sometimes past it or where X + k overflows."""
    if rng.random() < 0.1:
        return rng.choice([0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0])
    return rng.randrange(40)


def random_value(rng):
    return rng.choice([0, 1, 2, 3, 7, 0x800, 0x86DD, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                       rng.randrange(1 << 32), rng.randrange(256)])


def random_body_insn(rng):
    """One non-jump instruction as a list of (code, k) pairs."""
    kind = rng.randrange(12)
    if kind == 0:
        return [(rng.choice(LD_ABS), random_offset(rng))]
    if kind == 1:
        return [(rng.choice(LD_IND), random_offset(rng))]
    if kind == 2:
        return [(LDX_MSH, random_offset(rng))]
    if kind == 3:
        return [(rng.choice([LD_IMM, LDX_IMM]), random_value(rng))]
    if kind == 4:
        return [(rng.choice([LD_LEN, LDX_LEN, TAX, TXA, ALU_NEG]), 0)]
    if kind == 5:
        return [(rng.choice([LD_MEM, LDX_MEM, ST, STX]), rng.randrange(MEMWORDS))]
    if kind in (6, 7):
        op = rng.choice(ALU_OPS)
        if op in (LSH, RSH):
            # libpcap shifts in C: 32 or more is undefined behaviour there.
            amount = rng.randrange(32)
            return rng.choice([[(ALU | op, amount)], [(LDX_IMM, amount), (ALU | ALU_X | op, 0)]])
        if op in (DIV, MOD):
            return rng.choice([[(ALU | op, rng.randrange(1, 1 << 32))], [(ALU | ALU_X | op, 0)]])
        return [(ALU | op | rng.choice([0, ALU_X]), random_value(rng))]
    return [(rng.choice(LD_ABS + LD_IND), rng.randrange(40))]


def random_program(rng):
    """A valid classic program: M[] written first (libpcap leaves it uninitialised)."""
    insns = []
    for word in range(MEMWORDS):
        insns += [(LD_IMM, 0, 0, random_value(rng)), (ST, 0, 0, word)]
    body = []
    for _ in range(rng.randrange(4, 30)):
        body += [(code, k) for code, k in random_body_insn(rng)]
        if rng.random() < 0.35:
            body.append(None)  # a jump, its targets chosen below
    tail = [(RET_A, 0, 0, 0), (RET_K, 0, 0, random_value(rng)), (RET_K, 0, 0, 0)]
    first_body = len(insns)
    end = first_body + len(body) + len(tail)
    for i, item in enumerate(body):
        here = first_body + i
        if item is not None:
            insns.append((item[0], 0, 0, item[1]))
            continue
        span = min(end - here - 1, 255)
        jt, jf = rng.randrange(span), rng.randrange(span)
        if rng.random() < 0.1:
            insns.append((JA, 0, 0, jt))
        else:
            op = rng.choice(JMP_OPS) | rng.choice([0, JMP_X])
            insns.append((JMP | op, jt, jf, random_value(rng)))
    return insns + tail


def random_packets(rng):
    packets = []
    for _ in range(RANDOM_PACKETS):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(96)))
        caplen = len(raw) if rng.random() < 0.7 else rng.randrange(len(raw) + 1)
        packets.append((raw, caplen))
    return packets


def test_random_programs_match_libpcap(tmp_path):
    """ukbpf's verdicts equal libpcap's bpf_filter() on random programs and packets."""
    rng = random.Random(SEED)
    bpf_filter = libpcap_bpf_filter()
    capture_path = str(tmp_path / "random.pcap")
    program_path = str(tmp_path / "random.txt")
    packets = random_packets(rng)
    write_pcap(capture_path, packets)
    for n in range(RANDOM_PROGRAMS):
        insns = random_program(rng)
        array = (CbpfInsn * len(insns))(*insns)
        expected = {i: bpf_filter(array, raw, len(raw), caplen)
                    for i, (raw, caplen) in enumerate(packets)}
        with open(program_path, "w") as f:
            f.writelines(f"{{ {c:#x}, {jt}, {jf}, {k:#010x} }},\n" for c, jt, jf, k in insns)
        # Random jump targets leave dead code, which classic BPF allows and
        # the eBPF verifier refuses (unreachable insn): these test the
        # translation, so they run unverified. tcpdump's filters verify.
        for engine in ("--interp", "--jit"):
            got = ukbpf_verdicts(program_path, capture_path, engine, "--no-verify")
            assert got == expected, f"program {n} {engine}:\n" + open(program_path).read()


def run_cbpf_text(tmp_path, text):
    path = tmp_path / "prog.txt"
    path.write_text(text)
    return subprocess.run([UKBPF, "run", "--cbpf", str(path)], capture_output=True, text=True)


def test_ret_value_without_context(tmp_path):
    """The verdict is the ret value, here without any packet (r1 = NULL is never read)."""
    result = run_cbpf_text(tmp_path, "{ 0x6, 0, 0, 0x00001234 },\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0x1234"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{ 0x6, 0, 0, 0 },\n{ 0x28, 0, 0 },\n", "line 2: expected '{ code, jt, jf, k },'"),
        ("\n{ 0x6, 0, 0, 0 }, junk\n", "line 2: expected '{ code, jt, jf, k },'"),
        ("{ 0x15, 256, 0, 0 },\n", "line 1: jt is not an integer in 0..0xff"),
        ("{ -6, 0, 0, 0 },\n", "line 1: code is not an integer in 0..0xffff"),
        ("{ 0x6, 0, 0, 0x100000000 },\n", "line 1: k is not an integer in 0..0xffffffff"),
        ("", "cbpf: 0 instructions"),
        ("{ 0x28, 0, 0, 12 },\n{ 0x15, 0, 1, 0x800 },\n{ 0x6, 0, 0, 1 },\n",
         "cbpf insn 1: jump backwards/out of range"),
        ("{ 0x28, 0, 0, 12 },\n", "cbpf insn 0: last instruction is not a ret"),
        ("{ 0x61, 0, 0, 16 },\n{ 0x6, 0, 0, 1 },\n", "cbpf insn 0: scratch memory M[16] out of range"),
        ("{ 0x34, 0, 0, 0 },\n{ 0x6, 0, 0, 1 },\n", "cbpf insn 0: division by constant zero"),
        ("{ 0xff, 0, 0, 0 },\n{ 0x6, 0, 0, 1 },\n", "cbpf insn 0: unknown opcode 0xff"),
    ],
)
def test_bad_program_is_rejected_with_location(tmp_path, text, message):
    result = run_cbpf_text(tmp_path, text)
    assert result.returncode == 1
    assert message in result.stderr, result.stderr
