"""The Linux benchmark guest (scripts/linux-guest.sh, scripts/run-linux.sh,
tools/xdp-loader): it builds from Debian packages, boots under the QEMU
flags ukbpf uses, loads a bench/ebpf program with the kernel's verifier,
times it with BPF_PROG_TEST_RUN and attaches it to eth0 with XDP.

Skipped, with the reason, when the Debian packages cannot be downloaded
and nothing is cached (docs/benchmarks.md)."""
import re
import subprocess

from bootlib import ROOT

RUN_LINUX = ROOT / "scripts" / "run-linux.sh"
PROGRAM = ROOT / "bench" / "ebpf" / "drop_ipv4.c"
CLANG_BPF = ["clang", "-O2", "-g", "-Wall", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu"]
# Ethernet, type IPv4: drop_ipv4 answers XDP_DROP (1) for it.
IPV4_FRAME = bytes.fromhex("020000000002" "020000000001" "0800") + bytes(46)
XDP_DROP = 1
BOOT_TIMEOUT_S = 90


def test_sizes_are_recorded(linux_guest):
    sizes = dict(line.split() for line in (linux_guest / "sizes").read_text().splitlines())
    assert int(sizes["vmlinuz"]) == (linux_guest / "vmlinuz").stat().st_size
    assert int(sizes["initramfs"]) == (linux_guest / "initramfs.gz").stat().st_size


def test_loads_times_and_attaches(linux_guest, tmp_path):
    obj, frame = tmp_path / "drop_ipv4.o", tmp_path / "ipv4.bin"
    subprocess.run(CLANG_BPF + ["-c", str(PROGRAM), "-o", str(obj)], check=True)
    frame.write_bytes(IPV4_FRAME)
    proc = subprocess.run(
        [str(RUN_LINUX), "--timeout", str(BOOT_TIMEOUT_S), "--net-user", "--file", str(obj),
         "--file", str(frame), "--cmdline",
         "-- --frame ipv4.bin --repeat 1000 --attach eth0 --stats 200 --duration 1 drop_ipv4.o"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=BOOT_TIMEOUT_S + 30)
    out = proc.stdout.decode(errors="replace").replace("\r\n", "\n")
    # The loader's exit status comes back through isa-debug-exit.
    assert proc.returncode == 0, out
    assert re.search(r"xdp-loader: verifier: processed \d+ insns", out), out
    run = re.search(r"^test-run drop_ipv4\.o:drop_ipv4 ipv4\.bin r0=(0x[0-9a-f]+) repeat=1000 "
                    r"kernel_ns=(\d+) wall_ns=([0-9.]+)$", out, re.M)
    assert run, out
    assert int(run.group(1), 16) == XDP_DROP
    assert int(run.group(2)) > 0
    assert re.search(r"^xdp-loader: attached drop_ipv4 to eth0 in (native \(driver\)|"
                     r"generic \(skb\)) mode$", out, re.M), out
    assert "xdp-loader: ready to process packets on eth0" in out
    stats = re.findall(r"^net-stats: t_ms=\d+ rx=\d+ .* xdp_oversized=\d+$", out, re.M)
    assert len(stats) >= 2, out


def test_loader_failure_is_the_exit_status(linux_guest, tmp_path):
    """A rejected step stops the guest with the loader's status 1, not a hang."""
    not_an_object = tmp_path / "junk.o"
    not_an_object.write_bytes(b"not ELF")
    proc = subprocess.run(
        [str(RUN_LINUX), "--timeout", str(BOOT_TIMEOUT_S), "--file", str(not_an_object),
         "--cmdline", "-- junk.o"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=BOOT_TIMEOUT_S + 30)
    out = proc.stdout.decode(errors="replace")
    assert proc.returncode == 1, out
    assert "xdp-loader: cannot open junk.o" in out
