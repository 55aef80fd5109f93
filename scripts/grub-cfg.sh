#!/usr/bin/env bash
# Lays out a GRUB boot tree for an ISO or a disk: STAGE/boot/ukbpf.elf, the
# modules beside it, and STAGE/boot/grub/grub.cfg booting them with
# multiboot2 on the serial console. That grub.cfg is the one file to edit to
# reconfigure an image: the kernel command line is its multiboot2 line, the
# eBPF programs its module2 lines (see docs/deploy.md).
# usage: scripts/grub-cfg.sh STAGE IMAGE [CMDLINE [MODULE...]]
# MODULE is "FILE" or "FILE ARGS" (the first space separates them, as on a
# multiboot module command line): grub.cfg gets "module2 /boot/NAME NAME ARGS"
# with NAME the file's basename (the kernel names a module by its first
# word) and ARGS as one single-quoted word (e.g. bpf=xdp, kernel/bpf_boot.h).
set -euo pipefail
stage=$1 image=$2 cmdline=${3:-}; shift 2; [ $# -gt 0 ] && shift
mkdir -p "$stage/boot/grub"
# Debug info is for gdb on the build tree's copy; backtraces use .ksyms.
strip --strip-debug -o "$stage/boot/ukbpf.elf" "$image"
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
		[ -r "$file" ] || { echo "grub-cfg: module $file: no such readable file" >&2; exit 1; }
		cp "$file" "$stage/boot/$(basename "$file")"
		echo "	module2 /boot/$(basename "$file") $(basename "$file")$args"
	done
	echo '}'
} > "$stage/boot/grub/grub.cfg"
