"""ukbpf run --packet / --pcap: XDP programs on real frames.

The programs in progs/xdp_context.c are compiled with clang at test time
and report what they see of their context (frame length, ingress
interface, headroom and tailroom bounds, redirect verdicts, map state
across packets). Captures are written here in every classic pcap variant
(both byte orders, microsecond and nanosecond magic), and malformed ones
must be rejected with the record index and byte offset. Every run is
done with the interpreter and the JIT. Where the host lets root load
BPF, Linux's BPF_PROG_TEST_RUN runs the stateless programs on the same
frames and must return the same: the tool lays out its buffer as that
command does.
"""

import ctypes
import ctypes.util
import os
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# UKBPF selects another build of the tool (tests/ebpf/conftest.py's convention).
UKBPF = os.environ.get("UKBPF", os.path.join(ROOT, "build", "tools", "ukbpf"))
PROGS = os.path.join(ROOT, "tests", "ebpf", "progs")
# <linux/bpf.h> needs <asm/types.h>, which Debian keeps under the multiarch dir.
ASM_INCLUDE = "/usr/include/x86_64-linux-gnu"

ENGINES = ["--interp", "--jit"]
# BPF_PROG_TEST_RUN's buffer: a page, the frame XDP_PACKET_HEADROOM bytes
# in; Linux keeps 40 bytes at its start (struct xdp_frame) and 320 at its
# end (struct skb_shared_info) on x86-64.
HEADROOM = 256 - 40
MAX_FRAME = 4096 - 256 - 320
ETH_HLEN = 14
XDP_DROP, XDP_PASS, XDP_REDIRECT = 1, 2, 4

MAGIC_USEC = 0xA1B2C3D4
MAGIC_NSEC = 0xA1B23C4D
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
FILE_HEADER_SIZE = 24
RECORD_HEADER_SIZE = 16


@pytest.fixture(scope="module")
def obj(tmp_path_factory):
    out = tmp_path_factory.mktemp("progs") / "xdp_context.o"
    subprocess.run(
        ["clang", "-O2", "-g", "-target", "bpf", "-I", ASM_INCLUDE, "-c",
         os.path.join(PROGS, "xdp_context.c"), "-o", str(out)],
        check=True,
    )
    return str(out)


def ethernet(ethertype, payload):
    dst, src = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"
    return dst + src + struct.pack(">H", ethertype) + payload


def ipv4(protocol, payload=b"\x00" * 8):
    header = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, protocol, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    return ethernet(0x0800, header + payload)


UDP_FRAME = ipv4(17)
TCP_FRAME = ipv4(6, b"\x00" * 20)
ARP_FRAME = ethernet(0x0806, b"\x00" * 28)
SHORT_FRAME = b"\xff" * 10  # too short for an IPv4 header: passed


def pcap_bytes(frames, endian="<", magic=MAGIC_USEC, linktype=LINKTYPE_ETHERNET,
               wirelens=None):
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 262144, linktype)
    for index, frame in enumerate(frames):
        wirelen = wirelens[index] if wirelens else len(frame)
        out += struct.pack(endian + "IIII", index, 0, len(frame), wirelen) + frame
    return out


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def ukbpf(*args):
    return subprocess.run([UKBPF, "run", *args], capture_output=True, text=True)


def run_ok(*args):
    result = ukbpf(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def pcap_verdicts(engine, obj, func, path):
    lines = run_ok(engine, f"{obj}:{func}", "--pcap", path)
    verdicts = []
    for expected_index, line in enumerate(lines):
        index, verdict = line.split()
        assert int(index) == expected_index, lines
        verdicts.append(int(verdict, 16))
    return verdicts


# ---- --packet ---------------------------------------------------------------

FRAME = bytes(range(36))
PACKET_EXPECTATIONS = [
    ("frame_len", len(FRAME)),
    ("ingress", 1 * 16 + 0),  # ingress_ifindex 1, rx queue 0
    ("use_headroom", HEADROOM + len(FRAME)),
    ("use_tailroom", MAX_FRAME),
    ("redirect_miss", XDP_PASS),
    ("redirect_ifindex", XDP_REDIRECT),
    ("count", 1),
    ("mem_len", len(FRAME)),  # a non-XDP program gets r1 = frame, r2 = length
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("func,expected", PACKET_EXPECTATIONS)
def test_packet_context(tmp_path, obj, engine, func, expected):
    path = write(tmp_path, "frame.bin", FRAME)
    assert run_ok(engine, f"{obj}:{func}", "--packet", path) == [hex(expected)]


@pytest.mark.parametrize("engine", ENGINES)
def test_packet_verdict_depends_on_contents(tmp_path, obj, engine):
    for frame, verdict in [(UDP_FRAME, XDP_DROP), (TCP_FRAME, XDP_PASS)]:
        path = write(tmp_path, "frame.bin", frame)
        assert run_ok(engine, f"{obj}:drop_udp", "--packet", path) == [hex(verdict)]


def test_packet_missing_file_is_an_error(tmp_path, obj):
    result = ukbpf(f"{obj}:frame_len", "--packet", str(tmp_path / "absent.bin"))
    assert result.returncode == 1
    assert "No such file" in result.stderr


# ---- Linux's BPF_PROG_TEST_RUN on the same frames ------------------------------

# Programs whose verdict depends on the frame alone (count keeps a map).
LINUX_COMPARED = ["frame_len", "ingress", "drop_udp", "use_headroom", "use_tailroom",
                  "grow_and_hash", "redirect_miss", "redirect_ifindex"]
LINUX_FRAMES = [FRAME, UDP_FRAME, TCP_FRAME, FRAME[:ETH_HLEN], bytes(range(256)) * 6]


class BpfTestRunOpts(ctypes.Structure):
    """libbpf's struct bpf_test_run_opts (bpf/bpf.h)."""
    _fields_ = [("sz", ctypes.c_size_t), ("data_in", ctypes.c_void_p),
                ("data_out", ctypes.c_void_p), ("data_size_in", ctypes.c_uint32),
                ("data_size_out", ctypes.c_uint32), ("ctx_in", ctypes.c_void_p),
                ("ctx_out", ctypes.c_void_p), ("ctx_size_in", ctypes.c_uint32),
                ("ctx_size_out", ctypes.c_uint32), ("retval", ctypes.c_uint32),
                ("repeat", ctypes.c_int), ("duration", ctypes.c_uint32),
                ("flags", ctypes.c_uint32), ("cpu", ctypes.c_uint32),
                ("batch_size", ctypes.c_uint32)]


def linux_test_run(obj, programs, frames):
    """{(program, frame index): retval} from BPF_PROG_TEST_RUN, or None
    when this host does not let us load BPF programs."""
    path = ctypes.util.find_library("bpf")
    if os.geteuid() != 0 or not path:
        return None
    lib = ctypes.CDLL(path, use_errno=True)
    ptr = ctypes.c_void_p
    for name, restype, argtypes in [
            ("bpf_object__open", ptr, [ctypes.c_char_p]),
            ("bpf_object__next_program", ptr, [ptr, ptr]),
            ("bpf_program__name", ctypes.c_char_p, [ptr]),
            ("bpf_program__set_autoload", ctypes.c_int, [ptr, ctypes.c_bool]),
            ("bpf_program__fd", ctypes.c_int, [ptr]),
            ("bpf_object__load", ctypes.c_int, [ptr]),
            ("bpf_object__close", None, [ptr]),
            ("bpf_prog_test_run_opts", ctypes.c_int, [ctypes.c_int, ctypes.c_void_p]),
            ("libbpf_set_print", ptr, [ptr])]:
        func = getattr(lib, name)
        func.restype, func.argtypes = restype, argtypes
    lib.libbpf_set_print(None)
    handle = lib.bpf_object__open(obj.encode())
    if not handle:
        return None
    try:
        fds, prog = {}, lib.bpf_object__next_program(handle, None)
        while prog:
            name = lib.bpf_program__name(prog).decode()
            lib.bpf_program__set_autoload(prog, name in programs)
            fds[name] = prog
            prog = lib.bpf_object__next_program(handle, prog)
        if lib.bpf_object__load(handle) != 0:
            return None
        results = {}
        for name in programs:
            for index, frame in enumerate(frames):
                data = ctypes.create_string_buffer(frame, len(frame))
                opts = BpfTestRunOpts(sz=ctypes.sizeof(BpfTestRunOpts),
                                      data_in=ctypes.cast(data, ctypes.c_void_p),
                                      data_size_in=len(frame), repeat=1)
                err = lib.bpf_prog_test_run_opts(lib.bpf_program__fd(fds[name]),
                                                 ctypes.byref(opts))
                assert err == 0, (name, index, err)
                results[(name, index)] = opts.retval
        return results
    finally:
        lib.bpf_object__close(handle)


def test_verdicts_match_linux_test_run(tmp_path, obj):
    linux = linux_test_run(obj, LINUX_COMPARED, LINUX_FRAMES)
    if linux is None:
        pytest.skip("this host does not let us load and run BPF programs")
    path = write(tmp_path, "frames.pcap", pcap_bytes(LINUX_FRAMES))
    for engine in ENGINES:
        for name in LINUX_COMPARED:
            ours = pcap_verdicts(engine, obj, name, path)
            theirs = [linux[(name, index)] for index in range(len(LINUX_FRAMES))]
            assert ours == theirs, (engine, name)


# ---- --pcap -----------------------------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_pcap_one_verdict_per_packet(tmp_path, obj, engine):
    frames = [UDP_FRAME, TCP_FRAME, ARP_FRAME, SHORT_FRAME, UDP_FRAME]
    path = write(tmp_path, "mixed.pcap", pcap_bytes(frames))
    assert pcap_verdicts(engine, obj, "drop_udp", path) == [
        XDP_DROP, XDP_PASS, XDP_PASS, XDP_PASS, XDP_DROP]


@pytest.mark.parametrize("engine", ENGINES)
def test_pcap_map_state_persists_across_packets(tmp_path, obj, engine):
    path = write(tmp_path, "four.pcap", pcap_bytes([TCP_FRAME] * 4))
    assert pcap_verdicts(engine, obj, "count", path) == [1, 2, 3, 4]


@pytest.mark.parametrize("engine", ENGINES)
def test_pcap_each_packet_gets_fresh_room(tmp_path, obj, engine):
    frames = [FRAME, UDP_FRAME, FRAME[:ETH_HLEN]]
    path = write(tmp_path, "room.pcap", pcap_bytes(frames))
    assert pcap_verdicts(engine, obj, "use_headroom", path) == [
        HEADROOM + len(f) for f in frames]
    assert pcap_verdicts(engine, obj, "use_tailroom", path) == [MAX_FRAME] * len(frames)


@pytest.mark.parametrize("endian", ["<", ">"])
@pytest.mark.parametrize("magic", [MAGIC_USEC, MAGIC_NSEC])
def test_pcap_byte_orders_and_timestamp_resolutions(tmp_path, obj, endian, magic):
    # The second record was captured in part: XDP sees the captured bytes.
    frames = [UDP_FRAME, TCP_FRAME[:40], ARP_FRAME]
    wirelens = [len(UDP_FRAME), len(TCP_FRAME), len(ARP_FRAME)]
    path = write(tmp_path, "v.pcap", pcap_bytes(frames, endian, magic, wirelens=wirelens))
    assert pcap_verdicts("--interp", obj, "frame_len", path) == [len(f) for f in frames]


def test_empty_pcap_runs_nothing(tmp_path, obj):
    path = write(tmp_path, "empty.pcap", pcap_bytes([]))
    assert run_ok(f"{obj}:frame_len", "--pcap", path) == []


def test_xdp_needs_ethernet_frames(tmp_path, obj):
    path = write(tmp_path, "raw.pcap", pcap_bytes([UDP_FRAME[ETH_HLEN:]], linktype=LINKTYPE_RAW))
    result = ukbpf(f"{obj}:frame_len", "--pcap", path)
    assert result.returncode == 1
    assert "link type 101 is not Ethernet" in result.stderr
    # A non-XDP program takes any link type.
    assert run_ok(f"{obj}:mem_len", "--pcap", path) == [f"0 {hex(len(UDP_FRAME) - ETH_HLEN)}"]


GOOD = pcap_bytes([UDP_FRAME])
SECOND_RECORD = FILE_HEADER_SIZE + RECORD_HEADER_SIZE + len(UDP_FRAME)
MALFORMED = [
    ("short-header", GOOD[:20], "truncated pcap file header (20 of 24 bytes)"),
    ("bad-magic", struct.pack("<I", 0x12345678) + GOOD[4:], "not a pcap file (magic 0x12345678"),
    ("pcapng", struct.pack("<I", 0x0A0D0D0A) + GOOD[4:], "pcapng files are not supported"),
    ("version", GOOD[:4] + struct.pack("<H", 3) + GOOD[6:], "unsupported pcap version 3.4"),
    ("cut-record-header", GOOD + b"\x00" * 10,
     f"record 1 at offset {SECOND_RECORD}: truncated header (10 of 16 bytes)"),
    ("cut-record-data", GOOD + pcap_bytes([TCP_FRAME])[FILE_HEADER_SIZE:-5],
     f"record 1 at offset {SECOND_RECORD}: truncated data ({len(TCP_FRAME) - 5} of "
     f"{len(TCP_FRAME)} bytes)"),
    ("caplen-over-wirelen", pcap_bytes([UDP_FRAME], wirelens=[40]),
     f"record 0 at offset 24: captured length {len(UDP_FRAME)} exceeds wire length 40"),
    ("huge-caplen", GOOD[:FILE_HEADER_SIZE] + struct.pack("<IIII", 0, 0, 4000000000, 4000000000),
     "record 0 at offset 24: captured length 4000000000 exceeds 262144"),
]


@pytest.mark.parametrize("name,data,message", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_pcap_is_rejected_with_location(tmp_path, obj, name, data, message):
    path = write(tmp_path, f"{name}.pcap", data)
    result = ukbpf(f"{obj}:frame_len", "--pcap", path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("ukbpf: --pcap: ")
    assert message in result.stderr
