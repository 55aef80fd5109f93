"""Cloud disk images (make image): built without root, booted as a cloud boots
them (SeaBIOS, GRUB from the disk, no -kernel), reconfigured by editing grub.cfg."""
import shutil
import socket
import subprocess
import tarfile
import urllib.request

import pytest

from bootlib import BUILD, ROOT, Guest, boot, build_app, free_port

GIB = 1 << 30
TIMEOUT_STATUS = 124
BPF_REJECTED_STATUS = 127  # kernel/shutdown.h
APP = "selftest"
IMAGE_DIR = BUILD / "apps" / APP
DISK_OFFSET = "@@1M"  # mtools' way of naming the partition mkdisk.sh makes


@pytest.fixture(scope="module")
def disk_images():
    build_app(APP)
    subprocess.run(["make", "-s", f"APP={APP}", "IMAGE_CMDLINE=-- exit 7", "image"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return {fmt: IMAGE_DIR / f"disk.{fmt}" for fmt in ("raw", "qcow2")}


def boot_disk(disk, *args, timeout=60):
    return boot(IMAGE_DIR / "ukbpf.elf", "--disk", str(disk), "--timeout", str(timeout), *args,
                timeout=timeout)


@pytest.mark.parametrize("fmt,bus", [("raw", "virtio"), ("qcow2", "ide"), ("raw", "ide")])
def test_disk_boots_through_grub_with_its_command_line(disk_images, fmt, bus):
    result = boot_disk(disk_images[fmt], "--disk-bus", bus)
    assert result.status == 7, result.output
    assert "ukbpf: multiboot2" in result.output  # GRUB, not QEMU's -kernel loader


def grub_cfg(disk):
    return subprocess.run(["mtype", "-i", f"{disk}{DISK_OFFSET}", "::/boot/grub/grub.cfg"],
                          check=True, capture_output=True, text=True).stdout


def test_editing_grub_cfg_reconfigures_the_image(disk_images, tmp_path):
    disk = tmp_path / "disk.raw"
    shutil.copy(disk_images["raw"], disk)
    cfg = grub_cfg(disk)
    assert "multiboot2 /boot/ukbpf.elf -- exit 7" in cfg
    (tmp_path / "grub.cfg").write_text(cfg.replace("-- exit 7", "-- exit 9"))
    subprocess.run(["mcopy", "-o", "-i", f"{disk}{DISK_OFFSET}", str(tmp_path / "grub.cfg"),
                    "::/boot/grub/grub.cfg"], check=True)
    assert boot_disk(disk).status == 9


def test_gce_tarball_holds_one_sparse_whole_gib_disk_raw(disk_images):
    tarball = IMAGE_DIR / "ukbpf-gce.tar.gz"
    with tarfile.open(tarball) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == ["disk.raw"]
        assert members[0].size % GIB == 0 and members[0].size >= GIB
        assert members[0].issparse()  # GCE wants --format=oldgnu -S
        data = tar.extractfile(members[0]).read(disk_images["raw"].stat().st_size)
    assert data == disk_images["raw"].read_bytes()
    assert tarball.stat().st_size < 4 << 20


def corrupt(disk, offset, length):
    with open(disk, "r+b") as f:
        f.seek(offset)
        f.write(bytes(length))


# SeaBIOS reports a disk without a boot sector on the screen only; GRUB,
# finding no grub.cfg, stops at its prompt on the serial console
# (mkdisk.sh's early config).
@pytest.mark.parametrize("what,offset,length,message", [
    ("boot sector", 0, 512, ""),
    ("file system", 1 << 20, 64 << 10, "grub>"),
])
def test_corrupted_disk_fails_cleanly(disk_images, tmp_path, what, offset, length, message):
    disk = tmp_path / "disk.raw"
    shutil.copy(disk_images["raw"], disk)
    corrupt(disk, offset, length)
    result = boot_disk(disk, timeout=15)
    assert result.status == TIMEOUT_STATUS, f"{what}: {result.output}"
    assert message in result.output, f"{what}: {result.output}"
    assert "ukbpf:" not in result.output


@pytest.fixture(scope="module")
def httpd_disk():
    """The default image: httpd with its counting XDP program, configured by DHCP."""
    build_app("httpd")
    subprocess.run(["make", "-s", "image"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return BUILD / "disk.raw"


@pytest.mark.parametrize("fmt", ["raw", "qcow2"])
def test_cloud_boot_gets_dhcp_attaches_program_and_serves(httpd_disk, fmt):
    port = free_port(socket.SOCK_STREAM)
    guest = Guest(BUILD / "ukbpf.elf", "httpd: listening on TCP port 80",
                  "--disk", str(httpd_disk.with_suffix(f".{fmt}")),
                  "--net-user", f"tcp:127.0.0.1:{port}-:80")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
        console = guest.output()
        assert "ukbpf: multiboot2" in console
        assert "bpf: attached count.bpf.o:" in console
        assert "10.0.2.15" in console and "(dhcp)" in console
    finally:
        guest.close()


def test_grub_cfg_naming_a_rejected_program_stops_the_boot(httpd_disk, tmp_path):
    """A firewall that silently is not there is worse than none: the kernel
    refuses to start the app and says why on the console."""
    rejected = tmp_path / "oob_read.o"
    subprocess.run(["clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                    str(ROOT / "tests/system/xdp/oob_read.c"), "-o", str(rejected)], check=True)
    disk = tmp_path / "disk.raw"
    shutil.copy(httpd_disk, disk)
    part = f"{disk}{DISK_OFFSET}"
    cfg = grub_cfg(disk).replace("module2 /boot/count.bpf.o count.bpf.o 'bpf'",
                                 "module2 /boot/oob_read.o oob_read.o 'bpf'")
    assert "oob_read.o" in cfg
    (tmp_path / "grub.cfg").write_text(cfg)
    subprocess.run(["mcopy", "-o", "-i", part, str(tmp_path / "grub.cfg"), "::/boot/grub/grub.cfg"],
                   check=True)
    subprocess.run(["mcopy", "-i", part, str(rejected), "::/boot/oob_read.o"], check=True)
    result = boot_disk(disk, "--net-user")
    assert result.status == BPF_REJECTED_STATUS, result.output
    assert "bpf: oob_read.o" in result.output and "invalid access to packet" in result.output
    assert "httpd:" not in result.output


def test_shipped_libvirt_domain_is_valid_and_definable():
    """docs/ukbpf-libvirt.xml against libvirt's schema, then `virsh define` on
    libvirt's test driver (no daemon needed)."""
    domain = ROOT / "docs" / "ukbpf-libvirt.xml"
    subprocess.run(["virt-xml-validate", str(domain), "domain"], check=True,
                   stdout=subprocess.DEVNULL)
    defined = subprocess.run(["virsh", "-c", "test:///default", "define", str(domain)],
                             capture_output=True, text=True)
    assert defined.returncode == 0, defined.stderr
    assert "Domain 'ukbpf' defined" in defined.stdout
