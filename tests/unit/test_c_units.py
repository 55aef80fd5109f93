"""Runs every host C unit test (tests/unit/test_*.c, cmocka) built by make."""
import subprocess
from pathlib import Path

import pytest

from bootlib import BUILD, ROOT

SOURCES = sorted((ROOT / "tests" / "unit").glob("test_*.c"))


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_unit_binary(source: Path):
    binary = BUILD / "tests" / "unit" / source.stem
    assert binary.exists(), f"{binary} not built: run make first"
    proc = subprocess.run([str(binary)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          timeout=120)
    output = proc.stdout.decode(errors="replace")
    assert proc.returncode == 0, output
    assert "PASSED" in output, output
