"""Section names and what they decide, through `ukbpf` on clang objects.

libbpf's SEC() names give a program its type and expected attach type
(ebpf/prog_type_section.c; the rules themselves are unit-tested in
tests/unit/test_ebpf_sections.c). Here: the expected attach type reaches
the verifier (xdp_md.egress_ifindex is for devmap programs only, as in
Linux's xdp_is_valid_access), with the host kernel's verdict on the same
objects where root may load BPF.

Each program is compiled from the C text below into its own object, so
that Linux (bpftool, which loads every program of an object) judges one
program at a time.
"""

import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLANG = ["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
BPFFS = "/sys/fs/bpf"

pytestmark = pytest.mark.skipif(shutil.which("clang") is None, reason="clang not installed")

HEADER = "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n"


def program(section, body, name="prog"):
    return HEADER + 'SEC("%s")\nint %s(struct xdp_md *ctx)\n{\n%s\n}\n' \
        'char LICENSE[] SEC("license") = "GPL";\n' % (section, name, body)


@pytest.fixture
def compile_c(tmp_path):
    """Compiles C text into an object; returns its path."""
    def build(text, name="prog"):
        src = tmp_path / (name + ".c")
        src.write_text(text)
        obj = str(tmp_path / (name + ".o"))
        subprocess.run(CLANG + ["-c", str(src), "-o", obj], check=True, capture_output=True)
        return obj
    return build


def linux_can_load():
    if os.geteuid() != 0 or not shutil.which("bpftool") or not os.path.isdir(BPFFS):
        return False
    return os.access(BPFFS, os.W_OK)


def linux_accepts(obj, name):
    """Linux's verdict, the program typed by its section as libbpf types it."""
    pin = os.path.join(BPFFS, "ukbpf_sections_test_" + name)
    result = subprocess.run(["bpftool", "prog", "load", obj, pin],
                            capture_output=True, text=True, timeout=30)
    if os.path.exists(pin):
        os.unlink(pin)
    if "Operation not permitted" in result.stderr and result.returncode != 0:
        pytest.skip("this host does not let us load BPF programs")
    return result.returncode == 0


EGRESS = "return ctx->egress_ifindex;"
INGRESS = "return ctx->ingress_ifindex;"

# (name, section, body, accepted): the expected attach type decides egress_ifindex.
ATTACH_CASES = [
    ("xdp_egress", "xdp", EGRESS, False),
    ("xdp_frags_egress", "xdp.frags", EGRESS, False),
    ("devmap_egress", "xdp/devmap", EGRESS, True),
    ("devmap_frags_egress", "xdp.frags/devmap", EGRESS, True),
    ("cpumap_egress", "xdp/cpumap", EGRESS, False),
    ("xdp_ingress", "xdp", INGRESS, True),
    ("devmap_ingress", "xdp/devmap", INGRESS, True),
]
# libbpf 0.x's spellings, which libbpf 1.x (and so bpftool here) no longer knows.
LEGACY_ATTACH_CASES = [
    ("legacy_devmap_egress", "xdp_devmap/egress", EGRESS, True),
    ("legacy_xdp_egress", "xdp_prog", EGRESS, False),
]


@pytest.mark.parametrize("name,section,body,accepted", ATTACH_CASES + LEGACY_ATTACH_CASES,
                         ids=[c[0] for c in ATTACH_CASES + LEGACY_ATTACH_CASES])
def test_egress_ifindex_is_for_devmap_programs(compile_c, run_tool, name, section, body,
                                               accepted):
    obj = compile_c(program(section, body), name)
    result = run_tool("verify", obj)
    if accepted:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
        assert "invalid bpf_context access off=20 size=4" in result.stdout


@pytest.mark.skipif(not linux_can_load(), reason="needs root, bpftool and /sys/fs/bpf")
@pytest.mark.parametrize("name,section,body,accepted", ATTACH_CASES,
                         ids=[c[0] for c in ATTACH_CASES])
def test_linux_agrees_on_egress_ifindex(compile_c, name, section, body, accepted):
    assert linux_accepts(compile_c(program(section, body), name), name) == accepted
