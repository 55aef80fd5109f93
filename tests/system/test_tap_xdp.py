"""XDP verdicts over real tap devices: netecho booted with two tap NICs
(nettap.py, scripts/run.sh --net-tap twice) and verdicts.c's by_opcode
attached, which does what each frame's first payload byte says. From the
namespace's side of the taps, scapy-crafted frames go in through raw
AF_PACKET sockets, and everything that comes back out is captured:
XDP_TX frames come back out of the same tap rewritten (MACs swapped, the
argument byte set to 't'), XDP_DROP frames never come out anywhere,
XDP_PASS frames reach netecho (which echoes them, MACs swapped),
bpf_redirect, devmap redirects and broadcasts leave through the other tap unchanged;
then the guest's XDP counters, printed at exit, match the frames sent per
verdict. The namespace has IPv6 off, so the host kernel adds no frames of
its own and the tap counters must match too. test_xdp.py covers the same
verdicts (and more) over UDP-socket NICs. Needs root and /dev/net/tun:
skipped, with the reason, without them."""
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import pytest

from bootlib import RUN_SH, ConsoleGuest, build_app
from nettap import TapNamespace, unavailable_reason
from test_tap import XDP_SOURCES, compile_bpf
from test_virtio_net import (ETHERTYPE_QUIT, ETHERTYPE_TEST, GUEST_MACS, HOST_MAC,
                             QUIT_FRAME_LEN, STAT_NAMES)
from test_xdp import xdp_stats

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

READY_TIMEOUT_S = 120  # TCG boots are slow when other tests share the CPUs
OUTPUT_TIMEOUT_S = 10  # for one frame's way through QEMU and the guest and back
EXIT_TIMEOUT_S = 60
GUEST_TIMEOUT_S = 300
CAPTURE_POLL_S = 0.1
ETH_HEADER_LEN = 14
ETHERTYPE_OFFSET = 12
OPCODE_OFFSET = ETH_HEADER_LEN
ARG_OFFSET = ETH_HEADER_LEN + 1
MAX_FRAME_LEN = 1514
# by_opcode's devmap "ports": slot -> ifindex (ethN is ifindex N + 1); slot 3 stays empty.
PORTS = {0: 2, 1: 1}
EMPTY_PORT = 3
# What goes in, through which tap (0: ukbpf0/eth0, 1: ukbpf1/eth1), how many times.
PLAN = [
    (0, "D", 0, 3), (1, "D", 0, 2),  # XDP_DROP
    (0, "M", EMPTY_PORT, 2),  # a devmap miss: bpf_redirect_map's flags say XDP_DROP
    (0, "P", 0, 3), (1, "P", 0, 2),  # XDP_PASS: netecho echoes
    (0, "T", 0, 3), (1, "T", 0, 2),  # XDP_TX
    (0, "R", 2, 3), (1, "R", 1, 2),  # bpf_redirect(ifindex)
    (0, "M", 0, 3), (1, "M", 1, 2),  # bpf_redirect_map(&ports, slot)
    (0, "B", 0, 2), (1, "B", 0, 2),  # a broadcast to both ports, the ingress one left out
]
SEED = 20240611


def swap_macs(frame: bytes) -> bytes:
    return frame[6:12] + frame[0:6] + frame[12:]


def verdict_frame(nic: int, op: str, arg: int, serial: int, length: int) -> bytes:
    """A frame for by_opcode, unique by its serial number, of length bytes."""
    from scapy.all import Ether, Raw, raw

    payload = op.encode() + bytes([arg]) + serial.to_bytes(4, "big")
    payload += bytes((serial + i) & 0xFF for i in range(length - ETH_HEADER_LEN - len(payload)))
    return raw(Ether(dst=GUEST_MACS[nic], src=HOST_MAC,
                     type=int.from_bytes(ETHERTYPE_TEST, "big")) / Raw(payload))


def expected_output(nic: int, frame: bytes) -> Optional[Tuple[int, bytes]]:
    """(tap, frame) by_opcode and netecho send out for frame in on nic; None if nothing."""
    op, arg = chr(frame[OPCODE_OFFSET]), frame[ARG_OFFSET]
    if op == "P":
        return nic, swap_macs(frame)
    if op == "T":
        rewritten = swap_macs(frame)
        return nic, rewritten[:ARG_OFFSET] + b"t" + rewritten[ARG_OFFSET + 1:]
    if op == "R":
        return arg - 1, frame
    if op == "B":  # PORTS holds both NICs: only the other one is left
        return 1 - nic, frame
    if op == "M" and arg in PORTS:
        return PORTS[arg] - 1, frame
    return None


class TapCapture:
    """Collects the test-EtherType frames the guest sends out of one tap,
    in arrival order, from a packet socket on its host side."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.frames: List[bytes] = []
        self.stopping = threading.Event()
        self.sock.settimeout(CAPTURE_POLL_S)
        self.thread = threading.Thread(target=self._capture, daemon=True)
        self.thread.start()

    def _capture(self):
        while True:
            try:
                data, address = self.sock.recvfrom(65536)
            except socket.timeout:
                if self.stopping.is_set():
                    return  # and the socket's queue is empty
                continue
            if address[2] == socket.PACKET_OUTGOING:
                continue  # ours, toward the guest
            if data[ETHERTYPE_OFFSET:ETH_HEADER_LEN] == ETHERTYPE_TEST:
                self.frames.append(data)

    def wait_for(self, frame: bytes, timeout: float = OUTPUT_TIMEOUT_S) -> bool:
        deadline = time.monotonic() + timeout
        while frame not in self.frames:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def stop(self):
        self.stopping.set()
        self.thread.join()


@dataclass
class Exchange:
    """What went in through each tap and what came out of each."""
    sent: List[Tuple[int, bytes]] = field(default_factory=list)
    captured: List[List[bytes]] = field(default_factory=list)
    expected: List[List[bytes]] = field(default_factory=lambda: [[], []])
    guest: Optional[ConsoleGuest] = None  # ended: its console text stays
    status: Optional[int] = None
    output: str = ""
    tap_counters: List[dict] = field(default_factory=list)

    def sent_as(self, op: str, nic: Optional[int] = None) -> List[Tuple[int, bytes]]:
        return [(n, f) for n, f in self.sent
                if chr(f[OPCODE_OFFSET]) == op and (nic is None or n == nic)]

    def devmap(self, hit: bool) -> List[Tuple[int, bytes]]:
        """The 'M' frames whose slot holds a port (hit) or not."""
        return [(n, f) for n, f in self.sent_as("M") if (f[ARG_OFFSET] in PORTS) == hit]

    def frames_into(self, nic: int) -> int:
        """How many frames went in through tap nic, the quit frame (tap 0) too."""
        return len([n for n, _ in self.sent if n == nic]) + (1 if nic == 0 else 0)


def frames_in_order() -> List[Tuple[int, bytes]]:
    rng = random.Random(SEED)
    frames = []
    for nic, op, arg, count in PLAN:
        for _ in range(count):
            length = rng.choice((60, 61, 64, 128, 1000, MAX_FRAME_LEN))
            frames.append((nic, op, arg, length))
    rng.shuffle(frames)
    # A PASS last on each tap: once both are echoed, the guest has handled
    # every earlier frame on either NIC, whatever its verdict.
    frames += [(1, "P", 0, 60), (0, "P", 0, 60)]
    return [(nic, verdict_frame(nic, op, arg, serial, length))
            for serial, (nic, op, arg, length) in enumerate(frames)]


@pytest.fixture(scope="module")
def exchange(tmp_path_factory) -> Exchange:
    verdicts = compile_bpf(XDP_SOURCES / "verdicts.c", tmp_path_factory.mktemp("tap-xdp"))
    image = build_app("netecho")
    map_sets = " ".join(f"map-set ports {slot} {ifindex}" for slot, ifindex in PORTS.items())
    result = Exchange()
    ns = TapNamespace(taps=2, ipv6=False)
    guest = None
    captures: List[TapCapture] = []
    try:
        guest = ConsoleGuest(ns.command(RUN_SH, "--timeout", GUEST_TIMEOUT_S, *ns.run_sh_nics(),
                                        "--bpf", f"{verdicts}:by_opcode",
                                        "--cmdline", f"-- {map_sets}", image))
        guest.wait_for(r"netecho: eth1 mac", READY_TIMEOUT_S)
        counters_before = [ns.tap_counters(tap) for tap in ns.taps]
        captures = [TapCapture(ns.packet_socket(tap)) for tap in ns.taps]
        for nic, frame in frames_in_order():
            captures[nic].sock.send(frame)
            result.sent.append((nic, frame))
            out = expected_output(nic, frame)
            if out:
                result.expected[out[0]].append(out[1])
                came_out = captures[out[0]].wait_for(out[1])
                assert came_out, f"frame {frame[:20].hex()}... in on tap {nic}: not out of " \
                    f"tap {out[0]} as {out[1][:20].hex()}..., which had " \
                    f"{[f[:20].hex() for f in captures[out[0]].frames]}:\n{guest.output()}"
        quit_frame = (GUEST_MACS[0] + HOST_MAC + ETHERTYPE_QUIT + b"quit").ljust(QUIT_FRAME_LEN,
                                                                                 b"\0")
        captures[0].sock.send(quit_frame)
        result.status = guest.wait(EXIT_TIMEOUT_S)
        result.output = guest.output()
        result.guest = guest
        for capture in captures:
            capture.stop()
        result.captured = [capture.frames for capture in captures]
        counters_after = [ns.tap_counters(tap) for tap in ns.taps]
        result.tap_counters = [{key: after[key] - before[key] for key in after}
                               for before, after in zip(counters_before, counters_after)]
    finally:
        for capture in captures:
            capture.stop()
            capture.sock.close()
        if guest:
            guest.close()
        ns.close()
    return result


def nic_stats(output: str, nic: int) -> dict:
    """netecho's exit line for ethN (test_virtio_net.STAT_NAMES)."""
    match = re.search(rf"netecho: eth{nic} " + " ".join(rf"{n} (\d+)" for n in STAT_NAMES),
                      output)
    assert match, output
    return dict(zip(STAT_NAMES, map(int, match.groups())))


def test_guest_exits_cleanly_with_the_program_attached(exchange):
    assert exchange.status == 0, exchange.output
    assert "bpf: attached verdicts.o:by_opcode" in exchange.output
    assert not re.search(r"exception|panic", exchange.output, re.IGNORECASE)


def test_xdp_tx_comes_back_out_of_the_same_tap_rewritten(exchange):
    tx = exchange.sent_as("T")
    assert len(tx) == 5
    for nic, sent in tx:
        back = [f for f in exchange.captured[nic] if f[ARG_OFFSET + 1:] == sent[ARG_OFFSET + 1:]]
        assert len(back) == 1, f"tap {nic}: {len(back)} copies of {sent[:20].hex()}"
        assert back[0][:6] == HOST_MAC and back[0][6:12] == GUEST_MACS[nic]
        assert back[0][ETHERTYPE_OFFSET:ARG_OFFSET] == sent[ETHERTYPE_OFFSET:ARG_OFFSET]
        assert back[0][ARG_OFFSET:ARG_OFFSET + 1] == b"t"
        assert len(back[0]) == len(sent)


def test_xdp_drop_frames_never_come_out(exchange):
    dropped = exchange.sent_as("D") + exchange.devmap(hit=False)
    assert len(dropped) == 7
    tails = {f[ARG_OFFSET + 1:] for _, f in dropped}
    for nic, frames in enumerate(exchange.captured):
        leaked = [f for f in frames if f[ARG_OFFSET + 1:] in tails]
        assert not leaked, f"dropped frames out of tap {nic}: {[f[:20].hex() for f in leaked]}"


def test_xdp_pass_frames_reach_netecho(exchange):
    for nic in (0, 1):
        passed = exchange.sent_as("P", nic)
        echoes = [swap_macs(f) for _, f in passed]
        assert [f for f in exchange.captured[nic] if f in echoes] == echoes
        assert nic_stats(exchange.output, nic)["echoed"] == len(passed)


def test_redirects_leave_through_the_other_tap_unchanged(exchange):
    redirected = exchange.sent_as("R") + exchange.devmap(hit=True) + exchange.sent_as("B")
    assert len(redirected) == 14
    for nic, sent in redirected:
        other = 1 - nic
        assert exchange.captured[other].count(sent) == 1, f"{sent[:20].hex()}: tap {other}"
        assert sent not in exchange.captured[nic]


def test_nothing_else_comes_out(exchange):
    # Each output was awaited before the next frame went in: order is kept too.
    assert exchange.captured == exchange.expected


def test_xdp_counters_match_the_frames_sent(exchange):
    stats = xdp_stats(exchange.guest)
    count = {op: len(exchange.sent_as(op)) for op in "DPTRB"}
    assert stats["attached"] == 1
    assert stats["runs"] == len(exchange.sent)  # netecho takes the quit frame first
    assert stats["drop"] == count["D"] + len(exchange.devmap(hit=False))
    assert stats["pass"] == count["P"]
    assert stats["tx"] == count["T"]
    assert stats["redirect"] == count["R"] + count["B"] + len(exchange.devmap(hit=True))
    for name in ("aborted", "invalid_action", "redirect_unset", "tx_failed", "redirect_failed",
                 "oversized"):
        assert stats[name] == 0, name
    for nic in (0, 1):
        nic_counts = nic_stats(exchange.output, nic)
        assert nic_counts["rx_frames"] == exchange.frames_into(nic)
        assert nic_counts["tx_frames"] == len(exchange.expected[nic])
        assert nic_counts["rx_dropped_bad"] == nic_counts["tx_dropped"] == 0


def test_tap_counters_show_only_the_tests_frames(exchange):
    # IPv6 is off in the namespace: the host kernel sent nothing of its own.
    for nic, counters in enumerate(exchange.tap_counters):
        assert counters["tx"] == exchange.frames_into(nic), (nic, counters)
        assert counters["rx"] == len(exchange.expected[nic]), (nic, counters)
        assert counters["tx_dropped"] == 0
