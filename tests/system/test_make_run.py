"""`make run` runs the default app until the user stops it: no time limit
(scripts/run.sh once stopped every guest after 60 s), and Ctrl-C ends it.

The test starts `make run` itself, so the image, the app's XDP programs and
the NIC are the Makefile's; only the forwarded host port is a free one
instead of 8080 (RUN_FLAGS_httpd on make's command line)."""
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request

from bootlib import DEFAULT_APP, ConsoleGuest, free_port

OLD_LIMIT_S = 60  # run.sh's former default --timeout
RUN_PAST_S = OLD_LIMIT_S + 5
READY = "httpd: listening on TCP port 80"
# make run builds whatever is out of date first.
READY_TIMEOUT_S = 600
STOP_TIMEOUT_S = 30
HTTP_TIMEOUT_S = 10
GUEST_HTTP_PORT = 80


def get_root(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=HTTP_TIMEOUT_S) as response:
        response.read()
        return response.status


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_make_run_serves_until_ctrl_c():
    assert DEFAULT_APP == "httpd", "this test drives the default app's NIC flags"
    port = free_port(socket.SOCK_STREAM)
    guest = ConsoleGuest(["make", "run",
                          f"RUN_FLAGS_httpd=--net-user tcp::{port}-:{GUEST_HTTP_PORT}"])
    try:
        guest.wait_for(re.escape(READY), READY_TIMEOUT_S)
        started = time.monotonic()
        output = guest.output()
        assert f"host port {port} forwarded to guest port {GUEST_HTTP_PORT}" in output, output
        assert re.search(r"^bpf: attached \S+\.bpf\.o:", output, re.MULTILINE), \
            f"make run attaches the app's XDP program:\n{output}"
        assert get_root(port) == 200

        while time.monotonic() - started < RUN_PAST_S:
            assert guest.alive(), f"make run ended by itself:\n{guest.output()}"
            time.sleep(1)
        assert guest.alive(), f"make run ended by itself:\n{guest.output()}"
        assert get_root(port) == 200, guest.output()

        # Ctrl-C: the terminal sends SIGINT to the whole foreground group.
        os.killpg(guest.proc.pid, signal.SIGINT)
        status = guest.proc.wait(timeout=STOP_TIMEOUT_S)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while group_alive(guest.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        leftover = subprocess.run(["ps", "-o", "pid,cmd", "-g", str(guest.proc.pid)],
                                  capture_output=True, text=True).stdout
        assert not group_alive(guest.proc.pid), f"processes left after Ctrl-C:\n{leftover}"
        # make, like any program Ctrl-C stops, ends by the signal itself.
        assert status == -signal.SIGINT, f"make run: status {status}:\n{guest.output()}"
        guest.wait(timeout=STOP_TIMEOUT_S)
        assert "run.sh: stopped by SIGINT (Ctrl-C)" in guest.output(), guest.output()
    finally:
        guest.close()
        if group_alive(guest.proc.pid):
            os.killpg(guest.proc.pid, signal.SIGKILL)
