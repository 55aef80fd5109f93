"""Helpers for tests that build and boot ukbpf images (imported by tests)."""
import subprocess
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
