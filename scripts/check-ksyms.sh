#!/usr/bin/env bash
# Fails when the second link moved code: the backtrace symbols taken from
# the first link would then lie (see kernel/ksyms.h).
set -euo pipefail
text_symbols() { nm -n --defined-only "$1" | awk '$2 ~ /^[tT]$/ {print $1, $3}'; }
if ! cmp -s <(text_symbols "$1") <(text_symbols "$2"); then
	echo "check-ksyms: text symbols of $2 differ from $1: .ksyms placement moved code" >&2
	exit 1
fi
