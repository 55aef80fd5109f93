"""xdp-tools' default AF_XDP programs (xsk_def_xdp_prog.o and its pre-5.3
variant, from the compat corpus: scripts/corpus.sh) load, verify and run
unchanged: their XSKMAP is created, the older one's lookup result is the
xdp_sock pointer it only NULL-checks, and with no socket in the map both
fall back to XDP_PASS, as BPF_PROG_TEST_RUN gives on Linux
(scripts/compat.py compares them frame by frame). Skipped without the
corpus."""
import glob
import os
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("UKBPF_CACHE", Path.home() / ".cache" / "ukbpf"))
XDP_PASS = "0x2"


def corpus_object(name: str) -> str:
    found = sorted(glob.glob(str(CACHE / "corpus" / "xdp-tools-*" / name)))
    if not found:
        pytest.skip(f"no {name}: build the corpus (scripts/corpus.sh)")
    return found[-1]


@pytest.mark.parametrize("name", ["xsk_def_xdp_prog.o", "xsk_def_xdp_prog_5.3.o"])
def test_xsk_def_prog_loads_and_passes_without_a_socket(run_tool, name):
    obj = corpus_object(name)
    info = run_tool("info", obj)
    assert info.returncode == 0, info.stderr
    assert "xsks_map  type xskmap  key 4  value 4" in info.stdout
    assert "error" not in info.stdout and "map errors" not in info.stdout, info.stdout
    verify = run_tool("verify", obj)
    assert verify.returncode == 0 and verify.stdout.startswith("accepted"), verify.stdout
    for engine in ("--interp", "--jit"):
        result = run_tool("run", engine, obj)
        assert (result.returncode, result.stdout) == (0, XDP_PASS + "\n"), result.stderr
