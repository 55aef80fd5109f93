"""System tests of the virtio-net driver (drivers/virtio_net.c) through the
netecho app: each NIC is a QEMU UDP socket netdev (one datagram = one
Ethernet frame, no root and no tap), and the test plays the other end.

QEMU's dgram backend takes a 0-byte datagram for end-of-connection and
stops reading the socket for good, so no test sends one."""
import re
import resource
import socket
import struct
import threading
import time
from pathlib import Path

import pytest

from bootlib import build_app
from socket_nics import SocketGuest

GUEST_MACS = [bytes.fromhex("525400123456"), bytes.fromhex("525400123457")]
HOST_MAC = bytes.fromhex("020000000001")
ETHERTYPE_TEST = b"\x88\xb6"  # IEEE 802 local experimental 2
ETHERTYPE_QUIT = b"\x88\xb5"  # local experimental 1: netecho's quit frame
QUIT_FRAME_LEN = 60
REPLY_TIMEOUT_S = 5
STAT_NAMES = ("echoed", "rx_frames", "rx_bytes", "tx_frames", "tx_bytes", "rx_dropped_bad",
              "tx_dropped", "device_errors", "interrupts")


@pytest.fixture(scope="module")
def netecho_image() -> Path:
    return build_app("netecho")


def frame(dst: bytes, src: bytes, ethertype: bytes, length: int, seed: int = 0) -> bytes:
    payload = bytes((seed + i * 7) & 0xFF for i in range(length - 14))
    return dst + src + ethertype + payload


class Guest(SocketGuest):
    """netecho booted with one NIC per host socket; every frame it sends is
    the test's business (netecho has no stack of its own to chatter)."""

    def __init__(self, image: Path, nics: int, *app_args: str, run_flags=(),
                 kernel_options: str = ""):
        cmdline = " ".join((kernel_options, "--") + app_args).lstrip()
        super().__init__(image, nics, f"netecho: eth{nics - 1} mac", *run_flags, cmdline=cmdline,
                         filter_chatter=False)

    def quit(self) -> int:
        self.send(0, frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_QUIT, QUIT_FRAME_LEN)[:14] +
                  b"quit".ljust(QUIT_FRAME_LEN - 14, b"\0"))
        return self.wait()

    def stats(self, nic: int) -> dict:
        pattern = rf"netecho: eth{nic} " + " ".join(rf"{n} (\d+)" for n in STAT_NAMES)
        match = re.search(pattern, self.output())
        assert match, self.output()
        return dict(zip(STAT_NAMES, map(int, match.groups())))


@pytest.fixture
def guest_factory(netecho_image):
    guests = []

    def start(nics: int = 1, *app_args: str, run_flags=()) -> Guest:
        guests.append(Guest(netecho_image, nics, *app_args, run_flags=run_flags))
        return guests[-1]

    yield start
    for g in guests:
        g.close()


def test_echo_swaps_macs_and_keeps_every_byte(guest_factory):
    guest = guest_factory(1)
    assert "netecho: eth0 mac 52:54:00:12:34:56" in guest.output()
    sizes = [60, 61, 64, 100, 128, 255, 256, 512, 1000, 1499, 1500, 1513, 1514]
    for i, size in enumerate(sizes):
        sent = frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, size, seed=i)
        guest.send(0, sent)
        echoed = guest.recv(0)
        assert echoed[:6] == HOST_MAC and echoed[6:12] == GUEST_MACS[0], size
        assert echoed[12:] == sent[12:], f"payload of the {size}-byte frame changed"
    assert guest.quit() == 0, guest.output()
    stats = guest.stats(0)
    assert stats["echoed"] == len(sizes)
    assert stats["rx_frames"] == len(sizes) + 1  # and the quit frame
    assert stats["tx_frames"] == len(sizes)
    assert stats["tx_bytes"] == sum(sizes)
    assert stats["rx_bytes"] == sum(sizes) + QUIT_FRAME_LEN
    assert stats["rx_dropped_bad"] == stats["tx_dropped"] == stats["device_errors"] == 0


def test_bars_assigned_by_seabios_are_used_as_they_are(guest_factory):
    # GRUB's ISO boots through SeaBIOS, which assigns every BAR itself
    # (qboot assigns none, and the driver does).
    guest = guest_factory(1, run_flags=("--iso",))
    sent = frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, 1514)
    guest.send(0, sent)
    assert guest.recv(0)[12:] == sent[12:]
    assert guest.quit() == 0, guest.output()


def test_malformed_frames_are_dropped_and_counted(guest_factory):
    guest = guest_factory(1)
    # Shorter than an Ethernet header: the driver drops them (QEMU does not pad).
    for runt in (1, 5, 13):
        guest.send(0, frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, 60)[:runt])
    # Fits a receive buffer but not a transmit: received, then refused by tx.
    for long in (1519, 2036):
        guest.send(0, frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, long))
    # Larger than a receive buffer: QEMU drops it before the driver sees it.
    guest.send(0, frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, 9000))
    # The guest is still there and echoing.
    sent = frame(GUEST_MACS[0], HOST_MAC, ETHERTYPE_TEST, 60, seed=9)
    guest.send(0, sent)
    assert guest.recv(0)[12:] == sent[12:]
    assert guest.quit() == 0, guest.output()
    stats = guest.stats(0)
    assert stats["rx_dropped_bad"] == 3
    assert stats["rx_frames"] == 2 + 1 + 1
    assert stats["tx_dropped"] == 2
    assert stats["tx_frames"] == 1
    assert stats["device_errors"] == 0


def test_burst_of_1000_frames_mostly_comes_back(guest_factory):
    burst = 1000
    guest = guest_factory(1)
    received = []

    def collect():
        sock = guest.socks[0][0]
        sock.settimeout(2)
        try:
            while len(received) < burst:
                received.append((time.monotonic(), sock.recv(2048)))
        except socket.timeout:
            pass

    collector = threading.Thread(target=collect)
    collector.start()
    started = time.monotonic()
    sent = {}
    for seq in range(burst):
        f = GUEST_MACS[0] + HOST_MAC + ETHERTYPE_TEST + struct.pack("!I", seq) + bytes(42 + seq % 64)
        sent[seq] = f
        guest.send(0, f)
    collector.join()
    assert guest.quit() == 0, guest.output()
    seqs = set()
    for _, echoed in received:
        seq = struct.unpack("!I", echoed[14:18])[0]
        assert echoed[:6] == HOST_MAC and echoed[12:] == sent[seq][12:]
        seqs.add(seq)
    assert len(seqs) == len(received), "a frame came back twice"
    # QEMU's socket buffer may overflow while the guest catches up (TCG).
    assert len(received) >= burst // 2, f"only {len(received)} of {burst} came back"
    stats = guest.stats(0)
    assert stats["echoed"] == stats["rx_frames"] - 1
    assert len(received) <= stats["tx_frames"] <= stats["echoed"]
    assert stats["device_errors"] == 0
    elapsed = received[-1][0] - started
    print(f"burst: {len(received)}/{burst} frames echoed in {elapsed:.3f} s "
          f"({len(received) / elapsed:.0f} frames/s)")


def test_forward_mode_sends_frames_out_of_the_other_nic(guest_factory):
    guest = guest_factory(2, "forward")
    assert "netecho: eth1 mac 52:54:00:12:34:57" in guest.output()
    for nic, other in ((0, 1), (1, 0)):
        for size in (60, 1514):
            sent = frame(GUEST_MACS[other], HOST_MAC, ETHERTYPE_TEST, size, seed=nic)
            guest.send(nic, sent)
            assert guest.recv(other) == sent
    assert guest.quit() == 0, guest.output()
    for nic in (0, 1):
        stats = guest.stats(nic)
        assert stats["echoed"] == 2
        assert stats["tx_frames"] == 2
    assert guest.stats(0)["rx_frames"] == 3  # with the quit frame


def test_idle_guest_waiting_for_frames_halts(guest_factory):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    guest = guest_factory(1, "idle-exit", "3000")
    assert guest.wait() == 0, guest.output()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert "netecho: idle for 3000 ms, exiting" in guest.output()
    assert wall >= 3
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # A polling guest would use about one host core for the whole wait.
    assert cpu < 0.5 * wall, f"QEMU used {cpu:.2f} s of CPU in {wall:.2f} s"
