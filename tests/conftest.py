"""Session fixtures shared by every test directory."""
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT, build_app

LINUX_GUEST_DIR = ROOT / "build" / "linux-guest"


@pytest.fixture(scope="session")
def hello_image() -> Path:
    return build_app("hello")


@pytest.fixture(scope="session")
def selftest_image() -> Path:
    return build_app("selftest")


@pytest.fixture(scope="session")
def linux_guest() -> Path:
    """The benchmarks' Linux guest (scripts/linux-guest.sh), built or found in
    the cache; skips when Debian's packages cannot be fetched."""
    result = subprocess.run([str(ROOT / "scripts" / "linux-guest.sh"), str(LINUX_GUEST_DIR)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        if "step resolve failed" in result.stderr or "step fetch failed" in result.stderr:
            pytest.skip(f"cannot get the Debian packages: {result.stderr.strip()}")
        pytest.fail(result.stderr)
    return LINUX_GUEST_DIR
