"""The socket lookup helpers in the guest, answered from lwIP's pcbs
(net/sock_lookup.c): httpd on a tap behind tests/system/xdp/sock_gate.c,
which lets a SYN in only when bpf_skc_lookup_tcp finds a listener on its
port and any other TCP segment only when bpf_sk_lookup_tcp finds its
connection (dropping the rest). An HTTP GET works, so both kinds of
lookup found lwIP's sockets for every segment of the exchange, and
bpf_tcp_gen_syncookie made a cookie from the listener they found for the
client's SYN (the program prints its MSS, the client's 1460); a connect
to a closed port times out instead of being refused, the SYN dropped
before lwIP could answer it with a RST. Needs root and /dev/net/tun."""
import re

import pytest

from nettap import GUEST_IP, unavailable_reason
from test_tap import HTTP_TIMEOUT_S, TapHttpd, compile_bpf
from test_xdp import XDP_SOURCES

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

CLOSED_PORT = 81
CURL_TIMEOUT_EXIT = 28
CLIENT_MSS = 1460  # the tap's MTU of 1500 less 40 bytes of headers


@pytest.fixture(scope="module")
def gated_httpd(tmp_path_factory):
    httpd = TapHttpd(compile_bpf(XDP_SOURCES / "sock_gate.c", tmp_path_factory.mktemp("gate")))
    yield httpd
    httpd.close()


def test_http_passes_the_socket_gate(gated_httpd):
    for _ in range(3):
        status, body = gated_httpd.get("/")
        assert status == 200 and "<h1>ukbpf httpd</h1>" in body
    samples = gated_httpd.metrics()
    assert samples['ukbpf_xdp_actions_total{action="pass"}'] > 0
    cookies = re.findall(r"sock_gate: cookie mss (\d+)", gated_httpd.guest.output())
    assert len(cookies) >= 3 and set(cookies) == {str(CLIENT_MSS)}, gated_httpd.guest.output()
    gated_httpd.assert_healthy()


def test_a_syn_to_a_closed_port_is_dropped_not_refused(gated_httpd):
    before = gated_httpd.metrics()['ukbpf_xdp_actions_total{action="drop"}']
    result = gated_httpd.ns.run("curl", "-sS", "--max-time", "3",
                                f"http://{GUEST_IP}:{CLOSED_PORT}/", timeout=HTTP_TIMEOUT_S)
    assert result.returncode == CURL_TIMEOUT_EXIT, result.stderr
    after = gated_httpd.metrics()['ukbpf_xdp_actions_total{action="drop"}']
    assert after > before
    gated_httpd.assert_healthy()
