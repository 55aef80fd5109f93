"""A guest whose NICs are QEMU UDP socket netdevs (scripts/run.sh --net-udp:
one datagram = one Ethernet frame), booted in the background, with the test
playing the host at the other end of each NIC: it sends frames, receives
the guest's, and answers the guest's ARP requests for the host's address so
that lwIP can reply. The frame-level harness of test_virtio_net.py, for apps
that run lwIP (udp-echo, firewall) rather than netecho."""
import socket
import subprocess
import time
from pathlib import Path

from scapy.layers.l2 import ARP, Ether

from bootlib import ROOT, Guest

GUEST_MACS = ["52:54:00:12:34:56", "52:54:00:12:34:57"]  # scripts/run.sh, NIC order
GUEST_MAC_BYTES = [bytes.fromhex(mac.replace(":", "")) for mac in GUEST_MACS]
HOST_MAC = "02:00:00:00:00:01"
RECV_TIMEOUT_S = 5
ARP_REQUEST = 1
ETHERTYPE_IPV6 = b"\x86\xdd"


def build_bpf(app: str, name: str) -> Path:
    """Builds apps/APP/bpf/NAME.c as make does (build/apps/APP/NAME.bpf.o)."""
    obj = Path("build") / "apps" / app / f"{name}.bpf.o"
    subprocess.run(["make", "-s", f"APP={app}", str(obj)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return ROOT / obj


def inet_checksum(data: bytes) -> int:
    """RFC 1071: the one's complement of the one's complement sum of 16-bit words."""
    if len(data) % 2:
        data += b"\0"
    total = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


class SocketGuest(Guest):
    """App image booted with nics socket NICs; ready is the console line to wait for.
    host_ips[i] is the address the test answers ARP for on NIC i; with
    filter_chatter, recv() skips what lwIP sends on its own."""

    def __init__(self, image: Path, nics: int, ready: str, *run_args: str, cmdline: str = "",
                 host_ips=(), filter_chatter: bool = True):
        self.socks = []
        args = list(run_args)
        # QEMU's ports stay bound here until all are picked: a port released
        # at once could be handed out again for the next NIC, and two NICs
        # on one port make QEMU fail with "Address already in use".
        placeholders = []
        for _ in range(nics):
            sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            sock.bind(("127.0.0.1", 0))
            placeholder = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            placeholder.bind(("127.0.0.1", 0))
            placeholders.append(placeholder)
            qemu_port = placeholder.getsockname()[1]
            args += ["--net-udp", f"{qemu_port}:{sock.getsockname()[1]}"]
            self.socks.append((sock, ("127.0.0.1", qemu_port)))
        for placeholder in placeholders:
            placeholder.close()
        self.host_ips = list(host_ips)
        self.filter_chatter = filter_chatter
        self.arp_answered = 0
        super().__init__(image, ready, *args, cmdline=cmdline)

    def send(self, nic: int, frame: bytes):
        sock, qemu = self.socks[nic]
        sock.sendto(bytes(frame), qemu)

    def _is_chatter(self, nic: int, data: bytes) -> bool:
        """True for what lwIP sends on its own (from a guest MAC), which tests skip: ARP requests
        (one for the host's address is answered) and IPv6 (router
        solicitations, MLD reports, neighbour discovery)."""
        if not self.filter_chatter or data[6:12] not in GUEST_MAC_BYTES:
            return False  # not lwIP's: a frame the guest forwarded
        if data[12:14] == ETHERTYPE_IPV6:
            return True
        frame = Ether(data)
        if ARP not in frame or frame[ARP].op != ARP_REQUEST:
            return False
        if nic >= len(self.host_ips) or frame[ARP].pdst != self.host_ips[nic]:
            return True
        reply = Ether(dst=frame.src, src=HOST_MAC) / ARP(
            op=2, hwsrc=HOST_MAC, psrc=self.host_ips[nic], hwdst=frame[ARP].hwsrc,
            pdst=frame[ARP].psrc)
        self.send(nic, bytes(reply))
        self.arp_answered += 1
        return True

    def recv(self, nic: int, timeout: float = RECV_TIMEOUT_S) -> bytes:
        """The next frame from nic that is not chatter (socket.timeout when none comes)."""
        sock = self.socks[nic][0]
        deadline = time.monotonic() + timeout
        while True:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            data = sock.recv(65536)
            if not self._is_chatter(nic, data):
                return data

    def recv_where(self, nic: int, wanted, timeout: float = RECV_TIMEOUT_S) -> bytes:
        """The next frame from nic for which wanted(frame) holds, skipping
        others (late ones, such as lwIP's reassembly time-outs)."""
        deadline = time.monotonic() + timeout
        while not wanted(frame := self.recv(nic, max(deadline - time.monotonic(), 0.001))):
            pass
        return frame

    def recv_nothing(self, nic: int, within: float) -> bool:
        """True when nic sends no frame (other than chatter) for within seconds."""
        try:
            self.recv(nic, timeout=within)
        except socket.timeout:
            return True
        return False

    def close(self):
        super().close()
        for sock, _ in self.socks:
            sock.close()
