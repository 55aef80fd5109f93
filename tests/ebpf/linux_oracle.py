"""The host kernel as the eBPF tests' oracle: whether this host lets us load
BPF programs, and whether Linux's verifier accepts one (`bpftool prog load`)."""

import os
import shutil
import subprocess

import pytest

BPFFS = "/sys/fs/bpf"


def linux_can_load():
    if os.geteuid() != 0 or not shutil.which("bpftool") or not os.path.isdir(BPFFS):
        return False
    return os.access(BPFFS, os.W_OK)


def linux_accepts(obj, name, prog_type=None):
    """Linux's verdict on obj's program name, typed prog_type ("xdp"), or by
    its section as libbpf types it when prog_type is None. Skips the test
    when the host refuses bpf() itself."""
    pin = os.path.join(BPFFS, "ukbpf_oracle_" + name)
    args = ["bpftool", "prog", "load", obj, pin] + (["type", prog_type] if prog_type else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if os.path.exists(pin):
        os.unlink(pin)
    if "Operation not permitted" in result.stderr and result.returncode != 0:
        pytest.skip("this host does not let us load BPF programs")
    return result.returncode == 0
