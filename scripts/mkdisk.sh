#!/usr/bin/env bash
# Builds a BIOS-bootable raw disk image the way clouds boot one: an MBR
# with GRUB's boot.img, GRUB's core.img in the gap before the first
# partition, and one FAT partition holding /boot/ukbpf.elf, the modules and
# /boot/grub/grub.cfg. No root and no loop devices: the partition table is
# written here, the file system by mtools.
# usage: scripts/mkdisk.sh IMAGE OUT.raw [CMDLINE [MODULE...]]
# CMDLINE and MODULE as for scripts/grub-cfg.sh, which writes its grub.cfg.
set -euo pipefail
image=$1 out=$2; shift 2
grub_dir=/usr/lib/grub/i386-pc
part_start=2048        # sectors: the partition starts at 1 MiB, as fdisk puts it
sector=512
min_disk_mib=32        # room for a FAT16 file system and later edits
part_type_fat16_lba=0x0e
# What core.img needs to read grub.cfg from the partition and boot from it;
# grub-mkimage adds their dependencies.
core_modules=(biosdisk part_msdos fat normal configfile multiboot2 serial terminal)

die() { echo "mkdisk: $*" >&2; exit 1; }
for tool in mformat mcopy grub-mkimage; do
	command -v $tool >/dev/null || die "$tool not found (scripts/deps.sh installs it)"
done
[ -r "$grub_dir/boot.img" ] || die "$grub_dir/boot.img: not found (package grub-pc-bin)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
"$(dirname "$0")/grub-cfg.sh" "$stage/fs" "$image" "$@"

# GRUB's own errors (a file system it cannot read, a missing grub.cfg) go
# to the serial console too: on a cloud that is the only screen there is.
printf '%s\n' 'serial --unit=0 --speed=115200' 'terminal_input serial console' \
	'terminal_output serial console' > "$stage/early.cfg"
grub-mkimage -O i386-pc -o "$stage/core.img" -c "$stage/early.cfg" -p '(hd0,msdos1)/boot/grub' \
	"${core_modules[@]}" || die "grub-mkimage failed"
core_bytes=$(stat -c %s "$stage/core.img")
[ "$core_bytes" -le $(((part_start - 1) * sector)) ] ||
	die "core.img ($core_bytes bytes) does not fit before the partition"

content_mib=$(du -sm "$stage/fs" | cut -f1)
disk_mib=$((content_mib * 2 + 8 > min_disk_mib ? content_mib * 2 + 8 : min_disk_mib))
rm -f "$out"
truncate -s "${disk_mib}M" "$out"
# One bootable primary partition from part_start to the end of the disk
# (MBR entry: status, CHS start, type, CHS end, LBA start, sector count;
# CHS fields say "use LBA"), then the boot signature.
/usr/bin/env python3 - "$out" "$part_start" "$((disk_mib * 1024 * 1024 / sector))" \
	"$part_type_fat16_lba" <<'PY'
import struct, sys
path, start, total, ptype = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4], 0)
ACTIVE, CHS_LBA, PART_TABLE, SIGNATURE = 0x80, b"\xfe\xff\xff", 446, 510
entry = struct.pack("<B3sB3sII", ACTIVE, CHS_LBA, ptype, CHS_LBA, start, total - start)
with open(path, "r+b") as disk:
    disk.seek(PART_TABLE)
    disk.write(entry)
    disk.seek(SIGNATURE)
    disk.write(b"\x55\xaa")
PY
fs="$out@@$((part_start * sector))"
mformat -i "$fs" -v UKBPF :: || die "mformat failed"
mcopy -s -i "$fs" "$stage/fs/boot" :: || die "mcopy failed"
# boot.img's code (not the partition table after byte 440) loads core.img
# from sector 1, where its default block list expects it.
dd if="$grub_dir/boot.img" of="$out" bs=440 count=1 conv=notrunc status=none
dd if="$stage/core.img" of="$out" bs=$sector seek=1 conv=notrunc status=none
