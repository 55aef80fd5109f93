"""A guest on a real tap device, reached from a network namespace of its own.

TapNamespace creates a network namespace holding one tap device (or
several: ukbpf0, ukbpf1, ...) whose first's host side is HOST_IP/24; a
guest booted inside it (ip netns exec) with scripts/run.sh --net-tap for
each gets their other ends as its NICs, in order (eth0, eth1, ...) and,
with ip=GUEST_IP/24 on its command line, answers real tools (ping, curl,
raw frames) run in the same namespace; packet_socket() gives the test
itself a raw socket on a tap's host side. Nothing leaves the namespace: it
has no other interface. Names carry this process's pid, so tests may run
concurrently; close() (or the with block) ends every process still inside
and deletes the namespace, and a namespace left by a process that died is
removed by the next one.

Used by tests/system/test_tap.py and scripts/bench-net.py (which a Linux
guest's benchmark reuses: ConsoleGuest runs any command in the namespace).
Run as a program, it is the frame sender those use inside the namespace:
    python3 nettap.py send IFNAME FILE
sends each frame of FILE (a sequence of 4-byte big-endian lengths, each
followed by that many bytes of Ethernet frame) out of IFNAME with an
AF_PACKET socket, and prints "sent N refused M" (frames the kernel would
not send, e.g. longer than the MTU allows)."""
import ctypes
import itertools
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterable, List, Optional

# tests/ holds bootlib, also when this file runs as a program in a namespace
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bootlib import RUN_SH, ConsoleGuest  # noqa: E402
HOST_IP = "192.168.77.1"
GUEST_IP = "192.168.77.2"
PREFIX_LEN = 24
GUEST_MAC = "52:54:00:12:34:56"  # scripts/run.sh's first NIC
TAP_NAME_PREFIX = "ukbpf"  # taps are ukbpf0, ukbpf1, ...
TAP_NAME = TAP_NAME_PREFIX + "0"
NAMESPACE_PREFIX = "ukbpf-"
NAMESPACE_NAME = re.compile(re.escape(NAMESPACE_PREFIX) + r"(\d+)-\d+$")
FRAME_LENGTH = struct.Struct("!I")
COMMAND_TIMEOUT_S = 30
CLONE_NEWNET = 0x40000000  # <sched.h>: setns() into a network namespace
ETH_P_ALL = 0x0003  # <linux/if_ether.h>: every protocol, both directions
NETNS_DIR = Path("/var/run/netns")  # where ip netns keeps a namespace's handle

_serial = itertools.count()
_probe_result: Optional[str] = None


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check,
                          timeout=COMMAND_TIMEOUT_S)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_inside(name: str):
    """Ends every process in namespace name (only ours are ever there)."""
    for _ in range(50):
        pids = [int(p) for p in _ip("netns", "pids", name, check=False).stdout.split()]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.1)


def _delete_namespace(name: str):
    _kill_inside(name)
    _ip("netns", "del", name, check=False)


def remove_stale_namespaces():
    """Deletes namespaces of ours whose creating process is gone."""
    listing = _ip("netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        match = NAMESPACE_NAME.match(name)
        if match and not _pid_alive(int(match.group(1))):
            _delete_namespace(name)


def unavailable_reason() -> Optional[str]:
    """Why tap tests cannot run here (then skip with it), or None."""
    global _probe_result
    if _probe_result is not None:
        return _probe_result or None
    if os.geteuid() != 0:
        _probe_result = "needs root (network namespaces and tap devices)"
    elif not os.path.exists("/dev/net/tun"):
        _probe_result = "no /dev/net/tun (tap devices unsupported)"
    else:
        try:
            with TapNamespace():
                _probe_result = ""
        except (OSError, subprocess.SubprocessError) as error:
            detail = getattr(error, "stderr", "") or str(error)
            _probe_result = f"cannot create a network namespace with a tap device: {detail}"
    return _probe_result or None


class TapNamespace:
    """A network namespace with tap devices TAP_NAME (at HOST_IP/PREFIX_LEN),
    then ukbpf1, ... (no address) up to taps of them. Without ipv6 the
    host's kernel sends nothing of its own (no router solicitation, DAD,
    MLD) on them: every frame the guest gets is the test's."""

    def __init__(self, mtu: int = 1500, taps: int = 1, ipv6: bool = True):
        remove_stale_namespaces()
        self.name = f"{NAMESPACE_PREFIX}{os.getpid()}-{next(_serial)}"
        self.taps = [f"{TAP_NAME_PREFIX}{i}" for i in range(taps)]
        self.tap = self.taps[0]
        _ip("netns", "add", self.name)
        try:
            _ip("-n", self.name, "link", "set", "lo", "up")
            if not ipv6:
                # Before the taps exist: they take the namespace's default.
                self.run("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1", check=True)
            for tap in self.taps:
                _ip("-n", self.name, "tuntap", "add", "dev", tap, "mode", "tap")
                _ip("-n", self.name, "link", "set", tap, "mtu", str(mtu))
            _ip("-n", self.name, "addr", "add", f"{HOST_IP}/{PREFIX_LEN}", "dev", self.tap)
            for tap in self.taps:
                _ip("-n", self.name, "link", "set", tap, "up")
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        _delete_namespace(self.name)

    def command(self, *cmd: str) -> List[str]:
        """cmd run inside the namespace."""
        return ["ip", "netns", "exec", self.name, *map(str, cmd)]

    def run(self, *cmd: str, timeout: float = COMMAND_TIMEOUT_S,
            check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(self.command(*cmd), capture_output=True, text=True,
                              timeout=timeout, check=check)

    def run_sh_nics(self) -> List[str]:
        """scripts/run.sh's options for one NIC per tap, in order."""
        return [arg for tap in self.taps for arg in ("--net-tap", tap)]

    def packet_socket(self, tap: str) -> socket.socket:
        """A raw AF_PACKET socket bound to tap's host side, for this process:
        it sends frames toward the guest and receives both directions
        (recvfrom's address[2] is PACKET_OUTGOING for the host's own).
        Opened by a thread that enters the namespace (setns(2) moves only
        the calling thread), so the caller's own namespace is unchanged."""
        opened = []

        def open_inside():
            try:
                libc = ctypes.CDLL(None, use_errno=True)
                with open(NETNS_DIR / self.name) as handle:
                    if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                        err = ctypes.get_errno()
                        raise OSError(err, f"setns into {self.name}: {os.strerror(err)}")
                sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
                sock.bind((tap, ETH_P_ALL))
                opened.append(sock)
            except OSError as error:
                opened.append(error)

        thread = threading.Thread(target=open_inside)
        thread.start()
        thread.join()
        if isinstance(opened[0], OSError):
            raise opened[0]
        return opened[0]

    def tap_counters(self, tap: Optional[str] = None) -> dict:
        """The host side's counters of tap (default the first; its tx is
        toward the guest), as ip -s shows them."""
        out = _ip("-n", self.name, "-j", "-s", "link", "show", "dev", tap or self.tap).stdout
        stats = json.loads(out)[0]["stats64"]
        return {"rx": stats["rx"]["packets"], "tx": stats["tx"]["packets"],
                "tx_dropped": stats["tx"]["dropped"]}

    def send_frames(self, frames: Iterable[bytes], timeout: float = 120) -> dict:
        """Sends raw Ethernet frames out of the tap (toward the guest), in order."""
        data = b"".join(FRAME_LENGTH.pack(len(f)) + f for f in frames)
        path = f"/tmp/{self.name}-frames.bin"
        Path(path).write_bytes(data)
        try:
            result = self.run(sys.executable, __file__, "send", self.tap, path, timeout=timeout,
                              check=True)
        finally:
            os.unlink(path)
        sent, refused = map(int, re.fullmatch(r"sent (\d+) refused (\d+)\n",
                                              result.stdout).groups())
        return {"sent": sent, "refused": refused}


def boot_ukbpf(ns: TapNamespace, image: Path, *run_args: str, cmdline: str = "",
               timeout_s: int = 600) -> ConsoleGuest:
    """Boots image in ns on its taps with ip=GUEST_IP (and cmdline's other options)."""
    options = f"ip={GUEST_IP}/{PREFIX_LEN} {cmdline}".strip()
    return ConsoleGuest(ns.command(RUN_SH, "--timeout", str(timeout_s), *ns.run_sh_nics(),
                                   *run_args, "--cmdline", options, image))


def _send_file(ifname: str, path: str):
    data = Path(path).read_bytes()
    sent = refused = 0
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((ifname, 0))
        offset = 0
        while offset < len(data):
            (length,) = FRAME_LENGTH.unpack_from(data, offset)
            offset += FRAME_LENGTH.size
            frame = data[offset:offset + length]
            offset += length
            try:
                sock.send(frame)
                sent += 1
            except OSError:
                refused += 1
    print(f"sent {sent} refused {refused}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "send":
        sys.exit("usage: nettap.py send IFNAME FILE")
    _send_file(sys.argv[2], sys.argv[3])
