#!/usr/bin/env bash
# Writes the assembly for the kernel's .ksyms section from an ELF's text
# symbols (see kernel/ksyms.h). Without an ELF argument, writes an empty
# table for the first link.
set -euo pipefail
elf=${1:-}
{
	echo '	.section .ksyms, "a"'
	echo '	.balign 8'
	echo '	.global ksyms_count, ksyms_table, ksyms_names'
	if [ -z "$elf" ]; then
		echo 'ksyms_count: .quad 0'
		echo 'ksyms_table:'
		echo 'ksyms_names: .byte 0'
		exit 0
	fi
	nm -n --defined-only "$elf" | awk '
		$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { addr[n] = $1; name[n] = $3; n++ }
		END {
			printf "ksyms_count: .quad %d\nksyms_table:\n", n
			off = 0
			for (i = 0; i < n; i++) {
				printf "\t.quad 0x%s, %d\n", addr[i], off
				off += length(name[i]) + 1
			}
			printf "ksyms_names:\n"
			for (i = 0; i < n; i++)
				printf "\t.asciz \"%s\"\n", name[i]
		}'
}
