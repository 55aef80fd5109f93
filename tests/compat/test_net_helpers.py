"""bpf_check_mtu, bpf_fib_lookup, bpf_map_lookup_percpu_elem and
bpf_trace_vprintk against the host kernel: each program of
progs/net_helpers.c returns what a helper gave it, run on one frame by
`ukbpf run` (interpreter and JIT) and by BPF_PROG_TEST_RUN
(tools/kernel-run), which gives the frame the loopback device. The codes
that do not depend on the host are also checked as numbers, so that the
ukbpf side is tested where the host kernel cannot be asked (not root)."""
import os
import subprocess
from pathlib import Path

import pytest

from bootlib import ROOT, compile_bpf, write_pcap

UKBPF = ROOT / "build" / "tools" / "ukbpf"
KERNEL_RUN = ROOT / "build" / "tools" / "kernel-run"
SOURCE = Path(__file__).parent / "progs" / "net_helpers.c"
ENGINES = ["--interp", "--jit"]
FRAME = bytes.fromhex("ffffffffffff020000000001080045000014000100004011") + bytes(38)
ENODEV, EINVAL, EAFNOSUPPORT = 19, 22, 97
MTU_CHK_RET_FRAG_NEEDED = 1
FIB_LKUP_RET_NOT_FWDED = 4
U32 = 0xffffffff


def errno_ret(err: int) -> int:
    return -err & U32


# Program -> its result wherever it runs; None: the host's device decides.
PROGRAMS = {
    "mtu_of_device": None,
    "mtu_by_ifindex": None,
    "mtu_frag_needed": MTU_CHK_RET_FRAG_NEEDED,
    "mtu_input_len": None,
    "mtu_no_such_device": errno_ret(ENODEV),
    "mtu_segs_flag": errno_ret(EINVAL),
    "fib_forwarding_off": None,  # FWD_DISABLED (5) unless lo forwards
    "fib_no_such_device": errno_ret(ENODEV),
    "fib_unknown_family": errno_ret(EAFNOSUPPORT),
    "fib_unknown_flag": errno_ret(EINVAL),
    "fib_short_params": errno_ret(EINVAL),
    "fib_ipv6_link_local": FIB_LKUP_RET_NOT_FWDED,
    "percpu_no_such_cpu": 0,  # CPU 0's value found, no other CPU's
    "vprintk_length": len("net_helpers -1 2 ab -4\n"),
    "vprintk_odd_size": errno_ret(EINVAL),
}


@pytest.fixture(scope="module")
def obj(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("progs") / "net_helpers.o"
    return compile_bpf(SOURCE, out)


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("pcap") / "frame.pcap"
    return write_pcap(path, [FRAME])


def verdict(stdout: str) -> int:
    """r0 of "0 0xR0" (the first frame), as Linux's 32-bit retval."""
    index, value = stdout.split()[:2]
    assert index == "0"
    return int(value, 16) & U32


def ukbpf_result(engine: str, obj: str, program: str, capture: str) -> int:
    result = subprocess.run([str(UKBPF), "run", engine, f"{obj}:{program}", "--pcap", capture],
                            capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stderr
    return verdict(result.stdout)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("program", [p for p, want in PROGRAMS.items() if want is not None])
def test_results_linux_gives_everywhere(engine, program, obj, capture):
    assert ukbpf_result(engine, obj, program, capture) == PROGRAMS[program]


def linux_unavailable():
    if os.geteuid() != 0:
        return "BPF_PROG_TEST_RUN needs root"
    if not KERNEL_RUN.exists():
        return f"{KERNEL_RUN} not built"
    return None


@pytest.mark.skipif(linux_unavailable() is not None, reason=linux_unavailable() or "")
@pytest.mark.parametrize("program", list(PROGRAMS))
def test_same_result_as_the_host_kernel(program, obj, capture):
    linux = subprocess.run([str(KERNEL_RUN), "run", obj, program, "--pcap", capture],
                           capture_output=True, text=True, timeout=30)
    if linux.returncode != 0 and "Operation not permitted" in linux.stderr:
        pytest.skip("this host does not let us load BPF programs")
    assert linux.returncode == 0, linux.stderr
    assert ukbpf_result("--jit", obj, program, capture) == verdict(linux.stdout)
