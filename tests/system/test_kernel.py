"""System tests: boot the real image in QEMU and check what it printed and
how it exited (scripts/run.sh returns the guest's status)."""
import os
import random
import resource
import re
import subprocess
import time
import zlib

import pytest

from bootlib import ROOT, RUN_SH, boot, image_path

CPU_EXCEPTION_STATUS = 121
SIGNAL_STATUS = 123
TIMEOUT_STATUS = 124
RUN_ERROR_STATUS = 125


def test_hello_prints_and_exits_zero(hello_image):
    result = boot(hello_image, "--timeout", "30")
    assert result.status == 0, result.output
    assert "Hello from ukbpf!" in result.output
    assert "started app 'hello'" in result.output
    assert re.search(r"the time is (\d+) s since the epoch", result.output)


def test_app_exit_status_reaches_the_host(selftest_image):
    result = boot(selftest_image, "--cmdline", "-- exit 7")
    assert result.status == 7, result.output


def test_command_line_reaches_argv(selftest_image):
    result = boot(selftest_image, "--cmdline", 'quiet=0 -- args one "two words" 3')
    assert result.status == 0, result.output
    assert "argv[0]=<selftest>" in result.output
    assert "argv[2]=<one>" in result.output
    assert "argv[3]=<two words>" in result.output
    assert "argv[4]=<3>" in result.output


@pytest.mark.parametrize("command, vector, cause", [
    ("null", 14, "NULL pointer dereference"),
    ("div0", 0, "#DE divide error"),
    ("write-text", 14, "write of address .* \\(protection violation\\)"),
    ("overflow", 14, "stack overflow: boot stack ran into its guard page"),
])
def test_fault_prints_register_dump_and_exits(selftest_image, command, vector, cause):
    started = time.monotonic()
    result = boot(selftest_image, "--cmdline", f"-- {command}", "--timeout", "30")
    assert result.status == CPU_EXCEPTION_STATUS, result.output
    assert time.monotonic() - started < 30
    assert f"*** CPU exception {vector} " in result.output
    assert re.search(cause, result.output), result.output
    for register in ("rip", "rsp", "rax", "r15", "cr2"):
        assert re.search(rf"\b{register}\s+[0-9a-f]{{16}}", result.output), register
    # The backtrace names the app's function and the kernel's entry.
    assert re.search(r"backtrace:\n(.*\n)*\s+[0-9a-f]{16} (main|recurse_forever)\+0x", result.output)
    assert re.search(r"[0-9a-f]{16} kernel_main\+0x", result.output)


def test_abort_exits_with_signal_status(selftest_image):
    result = boot(selftest_image, "--cmdline", "-- abort")
    assert result.status == SIGNAL_STATUS, result.output
    assert "terminated by signal 6" in result.output


def test_hung_guest_is_stopped_by_the_time_limit(selftest_image):
    started = time.monotonic()
    result = boot(selftest_image, "--cmdline", "-- hang", "--timeout", "3")
    assert result.status == TIMEOUT_STATUS, result.output
    assert time.monotonic() - started < 15
    assert "still running after 3s" in result.output


def test_iso_boots_under_seabios_with_multiboot2(selftest_image):
    result = boot(selftest_image, "--iso", "--cmdline", "-- exit 5")
    assert result.status == 5, result.output
    assert "multiboot2" in result.output


def test_hello_iso_boots(hello_image):
    result = boot(hello_image, "--iso")
    assert result.status == 0, result.output
    assert "Hello from ukbpf!" in result.output


def test_runs_in_32_megabytes(selftest_image):
    result = boot(selftest_image, "--mem", "32M", "--cmdline", "-- malloc 16")
    assert result.status == 0, result.output
    assert "malloc: 16 MiB ok, sum 522240" in result.output


@pytest.mark.parametrize("via_iso", [False, True], ids=["multiboot1", "multiboot2"])
def test_modules_arrive_with_size_and_checksum(selftest_image, tmp_path, via_iso):
    rng = random.Random(42)
    files = {}
    for name, size in (("first.bin", 10007), ("prog.o", 4096)):
        data = bytes(rng.getrandbits(8) for _ in range(size))
        (tmp_path / name).write_bytes(data)
        files[name] = data
    args = ["--cmdline", "-- modules"]
    for name in files:
        args += ["--module", str(tmp_path / name)]
    if via_iso:
        args.append("--iso")
    result = boot(selftest_image, *args)
    assert result.status == 0, result.output
    assert f"modules: {len(files)}" in result.output
    for name, data in files.items():
        assert f"module {name} size {len(data)} crc32 {zlib.crc32(data):08x}" in result.output


def test_sleeping_guest_halts_instead_of_spinning(selftest_image):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = boot(selftest_image, "--cmdline", "-- sleep 3000")
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.status == 0, result.output
    slept = int(re.search(r"slept (\d+) ms", result.output).group(1))
    # The guest's clock must not run fast (slept < 3000) nor slow against the
    # host's: it cannot have seen more time pass than the host did.  How late
    # the wake-up comes depends on host load, so no tighter upper bound.
    assert 3000 <= slept <= wall * 1000, f"slept {slept} ms in {wall:.2f} s of host time"
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # A spinning guest would use about one host core for the whole sleep.
    assert cpu < 0.5 * wall, f"QEMU used {cpu:.2f} s of CPU in {wall:.2f} s"


def test_run_script_rejects_bad_flags(hello_image):
    for args, message in ((["--accel", "fast"], "--accel fast: expected kvm or tcg"),
                          (["--bogus"], "unknown option --bogus"),
                          (["--module", "/nonexistent"], "--module /nonexistent: no such")):
        result = boot(hello_image, *args)
        assert result.status == RUN_ERROR_STATUS, result.output
        assert message in result.output


def test_second_build_has_nothing_to_do(hello_image):
    proc = subprocess.run(["make", "-q", str(hello_image.relative_to(ROOT)),
                           str(hello_image.with_suffix(".iso").relative_to(ROOT))],
                          cwd=ROOT)
    assert proc.returncode == 0, "make would rebuild an up-to-date image"


@pytest.mark.parametrize("via_iso", [False, True], ids=["qboot", "seabios"])
def test_without_debug_exit_device_powers_off_through_acpi(selftest_image, via_iso):
    started = time.monotonic()
    args = ["--no-exit-device", "--timeout", "30", "--cmdline", "-- exit 3"]
    result = boot(selftest_image, *args, *(["--iso"] if via_iso else []))
    # QEMU ended by itself (ACPI S5), not by run.sh's time limit.
    assert result.status == 126, result.output
    assert time.monotonic() - started < 30
    assert "ukbpf: exit status 3, powering off" in result.output
    assert "ACPI poweroff failed" not in result.output


def test_out_of_range_app_status_is_reported_not_wrapped(selftest_image):
    result = boot(selftest_image, "--cmdline", "-- exit 200")
    assert result.status == 119, result.output
    assert "app exit status 200 is outside 0..119" in result.output
