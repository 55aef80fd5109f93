"""The eBPF runtime inside the guest: the same ebpf/ sources as the host
tool, with JIT code sealed read+execute through the guest's page tables.
apps/bpfrun runs every XDP program of an object module on every frame
module; its verdicts must match the host's `ukbpf run`."""
import re
import subprocess

import pytest

from bootlib import BUILD, ROOT, boot, build_app

PROGRAMS = ROOT / "tests" / "ebpf" / "progs"
# Stateless programs of xdp_context.c: their verdict depends on the frame only.
STATELESS = ("frame_len", "drop_udp", "use_headroom", "use_tailroom", "grow_and_hash",
             "redirect_ifindex")


def multiarch_include():
    triple = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                            text=True).stdout.strip()
    return "-I/usr/include/" + (triple or "x86_64-linux-gnu")


@pytest.fixture(scope="module")
def bpfrun_image():
    return build_app("bpfrun")


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    from scapy.all import ICMP, IP, TCP, UDP, Ether
    out = tmp_path_factory.mktemp("guest-bpf")
    obj = out / "xdp_context.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", multiarch_include(), "-c",
                    str(PROGRAMS / "xdp_context.c"), "-o", str(obj)], check=True)
    frames = {
        "udp.bin": Ether() / IP(dst="10.0.0.1") / UDP(dport=53) / (b"x" * 20),
        "tcp.bin": Ether() / IP(dst="10.0.0.2") / TCP(dport=80),
        "icmp.bin": Ether() / IP(dst="10.0.0.3") / ICMP() / (b"p" * 100),
    }
    for name, frame in frames.items():
        (out / name).write_bytes(bytes(frame))
    return obj, [out / name for name in frames]


def host_verdict(obj, program, frame):
    proc = subprocess.run([str(BUILD / "tools" / "ukbpf"), "run", "--jit", f"{obj}:{program}",
                           "--packet", str(frame)], capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def test_guest_verdicts_match_the_host_tool(bpfrun_image, inputs):
    obj, frames = inputs
    args = ["--module", str(obj)]
    for frame in frames:
        args += ["--module", str(frame)]
    result = boot(bpfrun_image, *args)
    assert result.status == 0, result.output
    runs = re.findall(r"run xdp_context\.o:(\w+) (\S+) interp=(0x[0-9a-f]+) jit=(0x[0-9a-f]+)",
                      result.output)
    seen = {(program, frame) for program, frame, _, _ in runs}
    for program in STATELESS:
        for frame in frames:
            assert (program, frame.name) in seen, result.output
    for program, frame_name, interp, jit in runs:
        if program not in STATELESS:
            continue
        frame = next(f for f in frames if f.name == frame_name)
        expected = host_verdict(obj, program, frame)
        assert interp == expected, f"{program} on {frame_name}: interp"
        assert jit == expected, f"{program} on {frame_name}: jit"


def test_guest_reports_a_broken_object(bpfrun_image, tmp_path):
    broken = tmp_path / "broken.o"
    broken.write_bytes(b"\x7fELF" + b"\x00" * 60)
    result = boot(bpfrun_image, "--module", str(broken))
    assert result.status == 2, result.output
    assert re.search(r"bpfrun: broken\.o: .+", result.output), result.output


def test_guest_never_runs_a_rejected_program(bpfrun_image, inputs, tmp_path):
    obj = tmp_path / "pkt_unchecked.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", multiarch_include(), "-c",
                    str(ROOT / "tests" / "ebpf" / "verifier" / "reject_c" / "pkt_unchecked.c"),
                    "-o", str(obj)], check=True)
    _, frames = inputs
    result = boot(bpfrun_image, "--module", str(obj), "--module", str(frames[0]))
    assert result.status == 3, result.output
    assert "pkt_unchecked.o:pkt_unchecked rejected by the verifier" in result.output
    assert "invalid access to packet" in result.output
    assert "run pkt_unchecked.o" not in result.output


def test_guest_runs_callbacks_and_spin_locks(bpfrun_image, inputs, tmp_path):
    """bpf_loop, bpf_for_each_map_elem and spin locks in the guest: the
    callbacks run in the nested interpreter and through the JIT's stubs
    in guest memory, with the host tool's verdicts."""
    obj = tmp_path / "callbacks.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", multiarch_include(), "-c",
                    str(ROOT / "tests" / "compat" / "progs" / "callbacks.c"), "-o", str(obj)],
                   check=True)
    _, frames = inputs
    args = ["--module", str(obj)]
    for frame in frames:
        args += ["--module", str(frame)]
    result = boot(bpfrun_image, *args)
    assert result.status == 0, result.output
    runs = re.findall(r"run callbacks\.o:(\w+) (\S+) interp=(0x[0-9a-f]+) jit=(0x[0-9a-f]+)",
                      result.output)
    programs = {"loop_sum", "walk_array", "walk_hash", "loop_parse", "loop_nested", "lock_count"}
    assert {program for program, _, _, _ in runs} == programs, result.output
    assert len(runs) == len(programs) * len(frames), result.output
    for program, frame_name, interp, jit in runs:
        frame = next(f for f in frames if f.name == frame_name)
        expected = host_verdict(obj, program, frame)
        assert interp == expected, f"{program} on {frame_name}: interp"
        assert jit == expected, f"{program} on {frame_name}: jit"
