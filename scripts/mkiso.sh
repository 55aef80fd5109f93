#!/usr/bin/env bash
# Builds a GRUB (BIOS) ISO that boots IMAGE with multiboot2.
# usage: scripts/mkiso.sh IMAGE OUT.iso [CMDLINE [MODULE...]]
# CMDLINE and MODULE as for scripts/grub-cfg.sh, which writes its grub.cfg.
set -euo pipefail
image=$1 out=$2; shift 2
stage=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$stage" "$log"' EXIT
"$(dirname "$0")/grub-cfg.sh" "$stage" "$image" "$@"
if ! grub-mkrescue -o "$out" "$stage" >"$log" 2>&1; then
	echo "mkiso: grub-mkrescue failed:" >&2
	cat "$log" >&2
	exit 1
fi
