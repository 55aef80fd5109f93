"""Helpers for tests that build and boot ukbpf images (imported by tests)."""
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
RUN_SH = ROOT / "scripts" / "run.sh"
DEFAULT_APP = "httpd"  # the Makefile's DEFAULT_APP: its image is build/ukbpf.elf
# Debian puts <asm/types.h>, which <linux/bpf.h> needs, under the multiarch dir.
ASM_INCLUDE = "/usr/include/x86_64-linux-gnu"


def compile_bpf(source: Path, out: Path) -> str:
    """clang -target bpf of a test program, as the corpus builds them; the object's path."""
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I", ASM_INCLUDE, "-c", str(source),
                    "-o", str(out)], check=True)
    return str(out)


def write_pcap(path: Path, frames) -> str:
    """frames as a classic pcap file (Ethernet, microseconds) at path; the path."""
    data = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    for frame in frames:
        data += [struct.pack("<IIII", 0, 0, len(frame), len(frame)), frame]
    path.write_bytes(b"".join(data))
    return str(path)


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
    """Boots image with scripts/run.sh; returns its exit status and console text.
    The guest gets timeout seconds (run.sh's own has none); a --timeout in
    run_args comes later and wins."""
    proc = subprocess.run(
        [str(RUN_SH), "--timeout", str(timeout), *run_args, str(image)], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout + 30)
    return Boot(proc.returncode, proc.stdout.decode(errors="replace").replace("\r\n", "\n"))


READY_TIMEOUT_S = 60  # TCG boots and DHCP are slow when other tests share the CPUs


def free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ConsoleGuest:
    """A guest process (any command, e.g. run.sh or run-linux.sh, maybe inside a
    network namespace) in the background; its console is collected line by line.
    Its stdin is /dev/null: a guest without a time limit never reads the terminal."""

    def __init__(self, command: List):
        self.command = [str(part) for part in command]
        self.lines: List[str] = []
        self.proc = subprocess.Popen(self.command, cwd=ROOT, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self._reader = threading.Thread(target=self._read_console, daemon=True)
        self._reader.start()

    def _read_console(self):
        for raw in self.proc.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip("\r\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for(self, pattern: str, timeout: float, start: int = 0) -> re.Match:
        """The first console line from index start on that matches pattern."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = start
        while True:
            while seen < len(self.lines):
                match = regex.search(self.lines[seen])
                seen += 1
                if match:
                    return match
            if not self.alive():
                self._reader.join(timeout=5)
                if seen >= len(self.lines):
                    raise AssertionError(f"guest ended (status {self.proc.returncode}) "
                                         f"before {pattern!r}:\n{self.output()}")
                continue
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} within {timeout} s:\n{self.output()}")
            time.sleep(0.05)

    def wait_for_line(self, prefix: str, predicate, timeout: float = 20) -> str:
        """The last console line starting with prefix once predicate(line) holds."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.lines if line.startswith(prefix)]
            if lines and predicate(lines[-1]):
                return lines[-1]
            assert time.monotonic() < deadline, f"no matching {prefix!r} line:\n{self.output()}"
            time.sleep(0.1)

    def wait(self, timeout: float = 60) -> int:
        """The exit status, once the guest has ended by itself."""
        status = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return status

    def close(self):
        # run.sh runs QEMU under timeout(1) in the same session: end the whole group.
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._reader.join(timeout=5)


class Guest(ConsoleGuest):
    """An image booted with scripts/run.sh in the background (a server);
    returns once a console line contains ready."""

    def __init__(self, image: Path, ready: str, *run_args: str, cmdline: str = "",
                 ready_timeout: float = READY_TIMEOUT_S):
        super().__init__([RUN_SH, "--timeout", "300", *run_args, "--cmdline", cmdline, image])
        self.wait_for(re.escape(ready), ready_timeout)


# Prometheus text format 0.0.4: name{label="value",...} number
PROMETHEUS_SAMPLE = re.compile(
    r'^[a-zA-Z_:][a-zA-Z0-9_:]*'
    r'(\{[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*")*\})?'
    r' -?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$')


def parse_prometheus(text: str) -> dict:
    """{'name{labels}': value} of a /metrics page; asserts every line is a comment or a sample."""
    samples = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        assert PROMETHEUS_SAMPLE.match(line), f"not a Prometheus sample: {line!r}"
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


def markdown_table_rows(text: str, header_start: str) -> list:
    """The cells of each row of the first markdown table in text whose header
    line starts with header_start (what the bench scripts print)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def latest_counts(guest, pattern, names) -> dict:
    """The newest console line matching pattern, its groups as ints by
    names (all zero before the first): an app's periodic counters line."""
    for line in reversed(guest.lines):
        match = pattern.match(line)
        if match:
            return dict(zip(names, map(int, match.groups())))
    return dict.fromkeys(names, 0)


def wait_for_counts(guest, prefix: str, pattern, names, **expected) -> dict:
    """Waits for a counters line (starting with prefix) that has every expected value."""
    def matches(line):
        match = pattern.match(line)
        values = dict(zip(names, map(int, match.groups()))) if match else {}
        return match and all(values[k] == v for k, v in expected.items())
    guest.wait_for_line(prefix, matches)
    return latest_counts(guest, pattern, names)
