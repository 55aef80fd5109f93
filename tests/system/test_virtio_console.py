"""System tests of the virtio-console driver (drivers/virtio_console.c) behind
the byte-channel seam (kernel/byte_channel.h): scripts/run.sh --control PATH
adds a virtio-serial port named org.ukbpf.control.0 on a Unix socket, the
selftest app's console-echo mode echoes what it reads there, and the test is
the host's client."""
import os
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bootlib import RUN_SH, ConsoleGuest, boot

RUN_ERROR_STATUS = 125
SOCKET_WAIT_S = 30
ECHO_TIMEOUT_S = 60


def accelerators() -> list:
    """tcg always; kvm too where run.sh would pick it."""
    kvm = (os.access("/dev/kvm", os.R_OK | os.W_OK) and
           any(flag in open("/proc/cpuinfo").read().split() for flag in ("vmx", "svm")))
    return ["tcg", "kvm"] if kvm else ["tcg"]


def connect(path: Path, guest: ConsoleGuest) -> socket.socket:
    """A client connection once QEMU listens at path."""
    deadline = time.monotonic() + SOCKET_WAIT_S
    while True:
        assert guest.alive(), guest.output()
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(str(path))
            client.settimeout(ECHO_TIMEOUT_S)
            return client
        except (FileNotFoundError, ConnectionRefusedError):
            client.close()
            assert time.monotonic() < deadline, f"QEMU never listened at {path}"
            time.sleep(0.05)


def receive_exactly(client: socket.socket, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = client.recv(min(size - got, 1 << 16))
        assert chunk, f"connection closed after {got} of {size} echoed bytes"
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def echo(client: socket.socket, data: bytes):
    client.sendall(data)
    assert receive_exactly(client, len(data)) == data


class Sender(threading.Thread):
    """Sends data in the background, counting what the socket has taken."""

    def __init__(self, client: socket.socket, data: bytes):
        super().__init__(daemon=True)
        self.client, self.data, self.sent = client, data, 0

    def run(self):
        view = memoryview(self.data)
        while self.sent < len(self.data):
            self.sent += self.client.send(view[self.sent:self.sent + (1 << 16)])


def echo_guest(image: Path, tmp_path: Path, sessions: int, accel: str):
    path = tmp_path / "control.sock"
    guest = ConsoleGuest([RUN_SH, "--timeout", "300", "--accel", accel, "--control", path,
                          "--cmdline", f"-- console-echo {sessions}", image])
    return guest, path


@pytest.mark.parametrize("accel", accelerators())
def test_echo_through_the_control_port(selftest_image, tmp_path, accel):
    guest, path = echo_guest(selftest_image, tmp_path, 2, accel)
    try:
        client = connect(path, guest)
        # The socket is the access control: the runner's, and only theirs.
        mode = os.stat(path)
        assert stat.S_ISSOCK(mode.st_mode)
        assert stat.S_IMODE(mode.st_mode) == 0o600
        assert mode.st_uid == os.getuid()

        sizes = [1, 4096, 65536]
        for size in sizes:
            echo(client, os.urandom(size))
        # Back-pressure: while the host reads nothing, the guest's bounded
        # buffers fill and the host's sends stall; nothing is dropped.
        flood = os.urandom(8 << 20)
        sender = Sender(client, flood)
        sender.start()
        time.sleep(2)
        stalled_at = sender.sent
        assert stalled_at < len(flood), "8 MiB went in with nobody reading the echo"
        assert receive_exactly(client, len(flood)) == flood
        sender.join(timeout=5)
        client.close()
        guest.wait_for(r"console-echo: session 1 closed, (\d+) bytes echoed", ECHO_TIMEOUT_S)

        # The port closes and opens again with the host's connection.
        client = connect(path, guest)
        echo(client, b"again")
        echo(client, os.urandom(65536 + 17))
        client.close()
        assert guest.wait(timeout=ECHO_TIMEOUT_S) == 0, guest.output()
    finally:
        guest.close()
    out = guest.output()
    first = sum(sizes) + len(flood)
    second = 5 + 65536 + 17
    assert f"console-echo: session 1 closed, {first} bytes echoed" in out, out
    assert f"console-echo: session 2 closed, {second} bytes echoed" in out, out
    total = first + second
    assert (f"console-echo: 2 sessions, {total} bytes in, {total} bytes out, "
            "0 device errors") in out, out


def test_without_control_port_says_so(selftest_image):
    started = time.monotonic()
    result = boot(selftest_image, "--cmdline", "-- console-echo 1", timeout=60)
    assert result.status == 1, result.output
    assert ("console-echo: no control port: no channel named org.ukbpf.control.0 "
            "(no channel device)") in result.output, result.output
    assert time.monotonic() - started < 60


def test_control_refuses_a_path_that_is_not_a_socket(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("keep me")
    proc = subprocess.run([str(RUN_SH), "--control", str(regular)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=30)
    assert proc.returncode == RUN_ERROR_STATUS
    assert b"exists and is not a socket" in proc.stdout
    assert regular.read_text() == "keep me"
