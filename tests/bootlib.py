"""Helpers for tests that build and boot ukbpf images (imported by tests)."""
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
RUN_SH = ROOT / "scripts" / "run.sh"
DEFAULT_APP = "httpd"  # the Makefile's DEFAULT_APP: its image is build/ukbpf.elf


@dataclass
class Boot:
    status: int
    output: str


def image_path(app: str) -> Path:
    return BUILD / "ukbpf.elf" if app == DEFAULT_APP else BUILD / "apps" / app / "ukbpf.elf"


def build_app(app: str) -> Path:
    """Builds APP's image and ISO (make is a no-op when they are up to date)."""
    image = image_path(app)
    subprocess.run(
        ["make", "-s", f"APP={app}", str(image.relative_to(ROOT)),
         str(image.with_suffix(".iso").relative_to(ROOT))],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return image


def boot(image: Path, *run_args: str, timeout: int = 60) -> Boot:
    """Boots image with scripts/run.sh; returns its exit status and console text."""
    proc = subprocess.run(
        [str(RUN_SH), *run_args, str(image)], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=timeout + 30)
    return Boot(proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n"))


READY_TIMEOUT_S = 60  # TCG boots and DHCP are slow when other tests share the CPUs


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Guest:
    """A guest booted in the background (a server); collects its console and
    returns once a console line contains ready."""

    def __init__(self, image: Path, ready: str, *run_args: str, cmdline: str = "",
                 ready_timeout: float = READY_TIMEOUT_S):
        self.proc = subprocess.Popen(
            [str(RUN_SH), "--timeout", "300", *run_args, "--cmdline", cmdline, str(image)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.lines = []
        threading.Thread(target=self._read_console, daemon=True).start()
        deadline = time.monotonic() + ready_timeout
        while not any(ready in line for line in self.lines):
            assert self.proc.poll() is None, self.output()
            assert time.monotonic() < deadline, self.output()
            time.sleep(0.05)

    def _read_console(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\r\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self):
        # run.sh runs QEMU under timeout(1): end the whole process group.
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
