"""System tests of the network stack (net/: lwIP over virtio-net behind the
XDP hook) through its apps, on QEMU's user-mode network (scripts/run.sh
--net-user): real host clients (urllib, raw sockets, UDP) reach the guest
through host port forwards on free ports, so tests may run in parallel.

One httpd guest, booted with its counting XDP program and configured by
DHCP, serves every HTTP test; udp-echo boots with a static address."""
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bootlib import READY_TIMEOUT_S, ROOT, Guest, boot, build_app, free_port, parse_prometheus

IO_TIMEOUT_S = 10
NO_NETWORK_STATUS = 1


@pytest.fixture(scope="module")
def count_program(tmp_path_factory) -> Path:
    obj = tmp_path_factory.mktemp("bpf") / "count.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu",
                    "-c", str(ROOT / "apps/httpd/bpf/count.c"), "-o", str(obj)], check=True)
    return obj


@pytest.fixture(scope="module")
def httpd(count_program):
    image = build_app("httpd")
    port = free_port(socket.SOCK_STREAM)
    guest = Guest(image, "httpd: listening on TCP port 80",
                  "--net-user", f"tcp:127.0.0.1:{port}-:80", "--bpf", str(count_program))
    guest.url = f"http://127.0.0.1:{port}"
    guest.port = port
    yield guest
    guest.close()


def get(url: str, method: str = "GET"):
    """(status, headers, body) of one request on a fresh connection."""
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=IO_TIMEOUT_S) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def metrics(url: str) -> dict:
    status, headers, body = get(url + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return parse_prometheus(body.decode())


def raw_exchange(port: int, data: bytes) -> bytes:
    """Sends data on one connection and returns everything until the guest closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT_S) as s:
        s.sendall(data)
        received = b""
        while chunk := s.recv(65536):
            received += chunk
        return received


def test_dhcp_lease_is_printed(httpd):
    assert "net: eth0 MAC 52:54:00:12:34:56 IP 10.0.2.15/24 gw 10.0.2.2 (dhcp)" in httpd.output()


def test_index_page(httpd):
    status, headers, body = get(httpd.url + "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert int(headers["Content-Length"]) == len(body)
    assert b"<h1>ukbpf httpd</h1>" in body


def test_head_has_headers_only(httpd):
    status, headers, body = get(httpd.url + "/", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) > 0


def test_unknown_path_is_404_and_other_methods_405(httpd):
    assert get(httpd.url + "/no/such/page")[0] == 404
    status, headers, _ = get(httpd.url + "/", method="POST")
    assert status == 405 and headers["Allow"] == "GET, HEAD"


def test_metrics_parse_and_count_traffic(httpd):
    before = metrics(httpd.url)
    get(httpd.url + "/missing")
    after = metrics(httpd.url)
    nic = 'ukbpf_nic_rx_frames_total{nic="eth0"}'
    assert after[nic] > before[nic] > 0
    assert after['ukbpf_http_responses_total{code="404"}'] >= \
        before['ukbpf_http_responses_total{code="404"}'] + 1
    # Every frame lwIP got went through the counting program: XDP_PASS.
    runs = 'ukbpf_xdp_program_runs_total{program="count.o:count"}'
    assert after[runs] > before[runs] > 0
    assert after['ukbpf_xdp_actions_total{action="pass"}'] == after[runs]
    assert after['ukbpf_xdp_actions_total{action="drop"}'] == 0
    assert after['ukbpf_bpf_program_jit{program="count.o:count"}'] == 1
    # Its map, found without being named: key 0 (IPv4, little-endian u32)
    # counts the TCP traffic.
    map_value = 'ukbpf_map_value{{program="count.o:count",map="counters",key="{}"}}'
    ipv4 = map_value.format("00000000")
    assert after[ipv4] > before[ipv4] > 0
    kinds = [map_value.format(f"0{k}000000") for k in range(4)]
    assert sum(after[k] for k in kinds) == after[runs]
    assert not [k for k in after if k.startswith("ukbpf_map_value") and k not in kinds]


def test_metrics_show_every_map_of_every_attached_program(count_program):
    """Two objects attached: /metrics lists both objects' maps, each labelled
    with its program (kernel/bpf_boot.h's enumeration), without naming them."""
    echo_program = ROOT / "build/apps/udp-echo/echo.bpf.o"
    subprocess.run(["make", "-s", "APP=udp-echo", str(echo_program.relative_to(ROOT))],
                   cwd=ROOT, check=True)
    port = free_port(socket.SOCK_STREAM)
    guest = Guest(build_app("httpd"), "httpd: listening on TCP port 80", "--net-user",
                  f"tcp:127.0.0.1:{port}-:80", "--bpf", str(count_program),
                  "--bpf", str(echo_program))
    try:
        samples = metrics(f"http://127.0.0.1:{port}")
    finally:
        guest.close()
    maps = {}
    for name in samples:
        match = re.match(r'ukbpf_map_value\{program="([^"]+)",map="([^"]+)",key="([0-9a-f]+)"\}$',
                         name)
        if match:
            maps.setdefault(match[1], {}).setdefault(match[2], set()).add(match[3])
    def u32_keys(count):
        return {f"{k:02x}000000" for k in range(count)}
    assert maps == {
        "count.o:count": {"counters": u32_keys(4)},
        # httpd does not use the echo program's maps, yet they are there: arrays
        # of 2 (ECHO_CONFIG_KEYS and ECHO_COUNTERS in apps/udp-echo/bpf/echo.h).
        "echo.bpf.o:echo": {"echo_config": u32_keys(2), "echo_replies": u32_keys(2)},
    }


SMALL_GUEST_MEMORY = "6M"  # ukbpf serves in 4 MiB; Linux with our initramfs needs ~86


def test_httpd_with_its_program_serves_in_a_small_guest(count_program):
    """The heap and the page pool share memory (kernel/memory.c): no fixed
    split leaves the NIC's buffers without pages in a small guest."""
    port = free_port(socket.SOCK_STREAM)
    guest = Guest(build_app("httpd"), "httpd: listening on TCP port 80", "--mem",
                  SMALL_GUEST_MEMORY, "--net-user", f"tcp:127.0.0.1:{port}-:80", "--bpf",
                  str(count_program))
    try:
        for _ in range(20):
            status, _, body = get(f"http://127.0.0.1:{port}/")
            assert status == 200 and body
        assert metrics(f"http://127.0.0.1:{port}")
    finally:
        guest.close()


def test_many_sequential_requests(httpd):
    for i in range(100):
        status, _, body = get(httpd.url + ("/" if i % 2 else "/metrics"))
        assert status == 200, f"request {i}"
        assert body


def test_keep_alive_and_pipelining(httpd):
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    last = b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    reply = raw_exchange(httpd.port, request * 5 + last)
    assert reply.count(b"HTTP/1.1 200 OK\r\n") == 6
    assert reply.count(b"Connection: keep-alive\r\n") == 5
    assert b"Connection: close\r\n" in reply


def test_http_1_0_closes_by_default(httpd):
    reply = raw_exchange(httpd.port, b"GET / HTTP/1.0\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and b"Connection: close\r\n" in reply


@pytest.mark.parametrize("garbage", [
    b"\x00\xff" * 3000,
    b"GARBAGE\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: " + b"a" * 8000 + b"\r\n\r\n",
    bytes(range(256)) * 20,
], ids=["binary", "no-request-line", "no-version", "bad-version", "bad-header",
        "header-too-long", "all-bytes"])
def test_bad_requests_get_400_and_the_server_keeps_serving(httpd, garbage):
    reply = raw_exchange(httpd.port, garbage)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n"), reply[:100]
    assert get(httpd.url + "/")[0] == 200


def test_abrupt_disconnects_do_not_hurt(httpd):
    for _ in range(10):
        s = socket.create_connection(("127.0.0.1", httpd.port), timeout=IO_TIMEOUT_S)
        s.sendall(b"GET / HTTP/1.1\r\nHost")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # RST mid-request
    assert get(httpd.url + "/")[0] == 200
    assert httpd.alive()


def test_udp_echo_with_static_address():
    image = build_app("udp-echo")
    port = free_port(socket.SOCK_DGRAM)
    guest = Guest(image, "udp-echo: listening on UDP port 7", "--net-user",
                  f"udp:127.0.0.1:{port}-:7", cmdline="ip=10.0.2.15/24 gw=10.0.2.2")
    try:
        assert "net: eth0 MAC 52:54:00:12:34:56 IP 10.0.2.15/24 gw 10.0.2.2 (static)" \
            in guest.output()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(IO_TIMEOUT_S)
            # Up to the MTU's worth (1472) and beyond: IP fragments both ways.
            for size in (1, 18, 100, 512, 1000, 1472, 1473, 4000, 8000):
                payload = bytes((size + i * 13) & 0xFF for i in range(size))
                s.sendto(payload, ("127.0.0.1", port))
                assert s.recv(65536) == payload, f"{size}-byte datagram"
    finally:
        guest.close()


def test_udp_echo_answered_by_its_xdp_program():
    """udp-echo with apps/udp-echo/bpf/echo.c: every datagram comes back from
    XDP_TX (lwIP echoes none). Only unfragmented sizes: QEMU 7.2's libslirp
    crashes on fragments sent to a guest that has any XDP program attached."""
    image = build_app("udp-echo")
    program = ROOT / "build/apps/udp-echo/echo.bpf.o"
    subprocess.run(["make", "-s", "APP=udp-echo", str(program.relative_to(ROOT))], cwd=ROOT,
                   check=True)
    port = free_port(socket.SOCK_DGRAM)
    guest = Guest(image, "udp-echo: listening on UDP port 7", "--net-user",
                  f"udp:127.0.0.1:{port}-:7", "--bpf", str(program))
    sizes = (1, 18, 100, 512, 1000, 1472)
    try:
        assert "udp-echo: XDP answers ICMP echo and UDP port 7" in guest.output()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(IO_TIMEOUT_S)
            for size in sizes:
                payload = bytes((size + i * 7) & 0xFF for i in range(size))
                s.sendto(payload, ("127.0.0.1", port))
                assert s.recv(65536) == payload, f"{size}-byte datagram"
        deadline = time.monotonic() + READY_TIMEOUT_S
        expected = re.compile(rf"udp-echo: xdp runs \d+ pass \d+ tx {len(sizes)} drop 0 "
                              rf"aborted 0 icmp 0 udp {len(sizes)} lwip 0$")
        while not any(expected.match(line) for line in guest.lines):
            assert time.monotonic() < deadline, guest.output()
            time.sleep(0.1)
    finally:
        guest.close()


@pytest.mark.parametrize("cmdline, message", [
    ("ip=10.0.2/24", "net: ip=10.0.2/24: expected A.B.C.D/N"),
    ("ip=10.0.2.15/33", "net: ip=10.0.2.15/33: expected A.B.C.D/N"),
    ("ip=10.0.2.256/24", "net: ip=10.0.2.256/24: expected A.B.C.D/N"),
    ("ip=10.0.2.15/24 gw=gateway", "net: gw=gateway: expected an IPv4 address"),
    ("gw=10.0.2.2", "net: gw=10.0.2.2 without ip="),
])
def test_bad_address_options_are_refused(cmdline, message):
    result = boot(build_app("udp-echo"), "--net-user", "--cmdline", cmdline, "--timeout", "60")
    assert result.status == NO_NETWORK_STATUS, result.output
    assert message in result.output


def test_no_nic_is_reported():
    result = boot(build_app("httpd"), "--timeout", "60")
    assert result.status == NO_NETWORK_STATUS, result.output
    assert "net: no virtio-net NIC" in result.output
