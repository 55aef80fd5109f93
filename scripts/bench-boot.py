#!/usr/bin/env python3
"""make bench-boot: boot-time and image-size table for the hello app.

For each boot path (direct -kernel with qboot, GRUB ISO with SeaBIOS) and
each usable accelerator, boots the image N times and reports medians of:
QEMU process start -> first line printed by main(), and -> QEMU exit;
plus the guest's own figure, first instruction -> main (TSC based).
"""
import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGE = ROOT / "build" / "apps" / "hello" / "ukbpf.elf"
ISO = IMAGE.with_suffix(".iso")
FIRST_APP_LINE = b"Hello from ukbpf!"
GUEST_BOOT = re.compile(rb"started app '\w+' (\d+) us after entry")


def accelerators():
    cpuinfo = Path("/proc/cpuinfo").read_text()
    found = ["tcg"]
    if re.search(r"\b(vmx|svm)\b", cpuinfo) and Path("/dev/kvm").exists():
        found.append("kvm")
    return found


def boot_once(accel, iso):
    cmd = [str(ROOT / "scripts" / "run.sh"), "--accel", accel, "--timeout", "60"]
    if iso:
        cmd.append("--iso")
    cmd.append(str(IMAGE))
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    first_line = guest_us = None
    output = b""
    for line in proc.stdout:
        output += line
        if first_line is None and FIRST_APP_LINE in line:
            first_line = time.monotonic() - start
        match = GUEST_BOOT.search(line)
        if match:
            guest_us = int(match.group(1))
    status = proc.wait()
    total = time.monotonic() - start
    if status != 0 or first_line is None:
        sys.exit(f"bench-boot: boot failed (status {status}):\n{output.decode(errors='replace')}")
    return first_line * 1000, total * 1000, guest_us / 1000


def size_kib(path):
    return path.stat().st_size / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    print(f"boot times, median of {args.runs} runs (ms)\n")
    print("| boot path | accel | QEMU start -> main's first line | QEMU start -> exit "
          "| guest: first instruction -> main |")
    print("|---|---|---|---|---|")
    for accel in accelerators():
        for label, iso in (("-kernel, qboot", False), ("GRUB ISO, SeaBIOS", True)):
            runs = [boot_once(accel, iso) for _ in range(args.runs)]
            medians = [statistics.median(column) for column in zip(*runs)]
            print(f"| {label} | {accel} | {medians[0]:.1f} | {medians[1]:.1f} "
                  f"| {medians[2]:.1f} |")

    stripped = IMAGE.with_suffix(".stripped")
    subprocess.run(["strip", "-o", str(stripped), str(IMAGE)], check=True)
    print("\n| image | KiB |\n|---|---|")
    for path in (IMAGE, stripped, ISO):
        print(f"| {path.relative_to(ROOT)} | {size_kib(path):.0f} |")


if __name__ == "__main__":
    main()
