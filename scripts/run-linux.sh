#!/usr/bin/env bash
# Boots the Linux benchmark guest (scripts/linux-guest.sh: Debian's kernel,
# busybox, our xdp-loader) through scripts/run.sh, so that it runs under
# exactly the QEMU flags ukbpf does: machine, accelerator choice, memory,
# virtio-net NICs (modern only) and their backends, qboot for -kernel, the
# timeout, the console on stdout and the isa-debug-exit status.
#
# usage: scripts/run-linux.sh [options] [-- QEMU ARGS]
#   --file FILE          put FILE into the guest's /bpf (repeatable): eBPF
#                        objects and frames for the loader
#   --cmdline "TEXT"     more kernel command line: ukbpf.ip=, ukbpf.gw=,
#                        ukbpf.httpd=PORT (tools/xdp-loader/init.sh), then
#                        "-- LOADER ARGS" for xdp-loader, e.g.
#                        "-- --attach eth0 --stats 1000 count.bpf.o"
#   --guest DIR          the guest built by linux-guest.sh (build/linux-guest)
#   every other option   as scripts/run.sh: --accel, --mem, --timeout,
#                        --net-user, --net-udp, ... (not --iso, --disk,
#                        --module, --bpf: the guest is a kernel and initramfs)
# The guest prints "linux-guest: ..." lines, then the loader's; it reports
# the loader's exit status and powers off (without loader arguments it
# waits, e.g. serving HTTP, until the --timeout if one was given, else until
# Ctrl-C). Exit status: as run.sh's.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
guest=$top/build/linux-guest
files=()
user_cmdline=
run_args=()
qemu_args=()
# The serial console, no kernel chatter on it (it costs TCG time), and a
# panic ends QEMU at once (run.sh passes -no-reboot).
base_cmdline="console=ttyS0 quiet panic=-1"

die() { echo "run-linux.sh: $*" >&2; exit 125; }

while [ $# -gt 0 ]; do
	case $1 in
	--file) [ $# -ge 2 ] || die "--file needs a value"
		[ -r "$2" ] || die "--file $2: no such readable file"
		files+=("$2"); shift ;;
	--cmdline) [ $# -ge 2 ] || die "--cmdline needs a value"; user_cmdline=$2; shift ;;
	--guest) [ $# -ge 2 ] || die "--guest needs a value"; guest=$2; shift ;;
	--iso|--disk|--module|--bpf) die "$1 does not apply to the Linux guest (see --help)" ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; qemu_args=("$@"); break ;;
	*) run_args+=("$1") ;;
	esac
	shift
done

for f in vmlinuz initramfs.gz busybox; do
	[ -r "$guest/$f" ] || die "$guest/$f: not built (scripts/linux-guest.sh $guest)"
done

# The base initramfs plus, when files were given, a second archive with
# them under /bpf: the kernel unpacks concatenated archives in order.
initrd=$guest/initramfs.gz
if [ ${#files[@]} -gt 0 ]; then
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	mkdir "$work/bpf"
	cp -- "${files[@]}" "$work/bpf/"
	initrd=$work/initrd
	cp -- "$guest/initramfs.gz" "$initrd"
	(cd "$work" && find bpf -mindepth 1 | LC_ALL=C sort |
		"$guest/busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >>"$initrd"
fi

# run.sh's -kernel path: the initramfs is the one "module" (-initrd).
status=0
"$top/scripts/run.sh" "${run_args[@]+"${run_args[@]}"}" --module "$initrd" \
	--cmdline "$base_cmdline $user_cmdline" "$guest/vmlinuz" \
	${qemu_args[@]+-- "${qemu_args[@]}"} || status=$?
exit $status
