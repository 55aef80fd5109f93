#!/usr/bin/env bash
# Builds a GRUB (BIOS) ISO that boots IMAGE with multiboot2.
# usage: scripts/mkiso.sh IMAGE OUT.iso [CMDLINE [MODULE...]]
# MODULE is "FILE" or "FILE ARGS" (the first space separates them, as on a
# multiboot module command line): grub.cfg gets "module2 /boot/NAME NAME ARGS"
# with NAME the file's basename (the kernel names a module by its first
# word) and ARGS as one single-quoted word (e.g. bpf=xdp, kernel/bpf_boot.h).
set -euo pipefail
image=$1 out=$2 cmdline=${3:-} ; shift 2; [ $# -gt 0 ] && shift
stage=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$stage" "$log"' EXIT
mkdir -p "$stage/boot/grub"
cp "$image" "$stage/boot/ukbpf.elf"
{
	echo 'serial --unit=0 --speed=115200'
	echo 'terminal_input serial'
	echo 'terminal_output serial'
	echo 'set timeout=0'
	echo 'menuentry "ukbpf" {'
	echo "	multiboot2 /boot/ukbpf.elf $cmdline"
	for m in "$@"; do
		file=${m%% *} args=
		[ "$file" != "$m" ] && args=" '${m#* }'"
		cp "$file" "$stage/boot/$(basename "$file")"
		echo "	module2 /boot/$(basename "$file") $(basename "$file")$args"
	done
	echo '}'
} > "$stage/boot/grub/grub.cfg"
if ! grub-mkrescue -o "$out" "$stage" >"$log" 2>&1; then
	echo "mkiso: grub-mkrescue failed:" >&2
	cat "$log" >&2
	exit 1
fi
