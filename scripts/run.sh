#!/usr/bin/env bash
# Boots a ukbpf image in QEMU with the serial console on stdout and returns
# the guest's exit status (QEMU's isa-debug-exit reports (status << 1) | 1).
#
# usage: scripts/run.sh [options] [IMAGE]      (IMAGE: build/ukbpf.elf)
#   --iso                 boot the ISO beside IMAGE (ukbpf.iso: GRUB, SeaBIOS)
#                         instead of IMAGE through -kernel
#   --disk FILE           boot a disk image (make image: build/disk.raw or
#                         .qcow2) as a cloud does: SeaBIOS, GRUB from the disk,
#                         its grub.cfg's command line and modules; IMAGE,
#                         --cmdline, --module and --bpf do not apply
#   --disk-bus virtio|ide the disk's controller (default virtio: virtio-blk)
#   --accel kvm|tcg       override the choice (KVM only with vmx/svm and /dev/kvm)
#   --mem SIZE            guest memory (default 128M)
#   --cmdline "TEXT"      kernel command line: key=value ... -- app args
#   --module FILE         add a multiboot module (repeatable)
#   --bpf FILE[:NAME]     add an eBPF object (clang -target bpf) as a module the
#                         kernel attaches at boot (kernel/bpf_boot.h): its program
#                         NAME (section or function), else its first XDP program;
#                         verified, then JIT-compiled (bpf.engine=interp in
#                         --cmdline: interpreted); repeatable, modules keep
#                         option order; the XDP hook runs the first program
#   --timeout SECONDS     stop the guest after SECONDS of wall-clock time and
#                         exit 124; without it (or with 0) the guest runs until
#                         it exits or Ctrl-C stops it (exit 130)
#   --debug               wait for gdb on :1234 (see scripts/gdbinit); no time
#                         limit
#   --no-exit-device      no isa-debug-exit: the guest powers off through ACPI,
#                         as on a real or cloud machine (status 126)
#   --net-udp LOCAL:REMOTE  add a virtio-net NIC whose frames travel as UDP
#                         datagrams (one frame each) between 127.0.0.1:LOCAL
#                         (QEMU) and 127.0.0.1:REMOTE (a test); repeatable:
#                         one NIC each, MACs 52:54:00:12:34:56, ...:57, ...
#   --net-user [HOSTFWD]  add a virtio-net NIC on QEMU's user-mode network
#                         (10.0.2.0/24, no root); HOSTFWD as QEMU's hostfwd=,
#                         e.g. tcp::8080-:80 (several: separate with commas)
#   --net-tap IFNAME      add a virtio-net NIC on the existing tap device IFNAME
#                         (ip tuntap add IFNAME mode tap; QEMU runs no
#                         script on it, no vhost): run QEMU in the tap's
#                         network namespace (ip netns exec NS scripts/run.sh)
#                         NICs appear in option order (eth0, eth1, ...)
#   --control PATH        add a virtio-serial port named org.ukbpf.control.0 (the
#                         guest's control channel, drivers/virtio_console.h) on
#                         a Unix socket QEMU listens on at PATH (a stale socket
#                         there is replaced); the socket is made 0600, owned by
#                         the runner: its permissions are the access control
#   --                    everything after goes to QEMU unchanged
# Exit status: the guest's status (0..127: the app's 0..119, the kernel's
# 120 panic, 121 CPU exception, 122 boot failure, 123 abort()/raise(), 127 an
# eBPF program of --bpf refused; kernel/shutdown.h), 124 on timeout, 125 when
# QEMU itself fails (bad option, missing file), 126 when QEMU ended without
# the guest reporting a status, 130 when stopped by SIGINT (Ctrl-C).
set -euo pipefail
# One brace group, which bash reads to its end before running any of it:
# editing run.sh while guests run (tests do) cannot change what they run.
{

top=$(cd "$(dirname "$0")/.." && pwd)
image=$top/build/ukbpf.elf
use_iso=false
disk=
disk_bus=virtio
accel=
mem=128M
cmdline=
modules=()      # module files, in option order
module_args=()  # each one's command line after the file name ("" for none)
timeout_s=0     # no limit
debug=false
exit_device=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
extra=()
nics=()
control=        # --control's socket path
control_port=org.ukbpf.control.0
bpf_name_re="^[^[:space:]'\"\\]+\$"  # --bpf's NAME: no spaces, quotes, backslashes

die() { echo "run.sh: $*" >&2; exit 125; }
need_arg() { [ $# -ge 2 ] || die "$1 needs a value (see the usage at the top of scripts/run.sh)"; }

while [ $# -gt 0 ]; do
	case $1 in
	--iso) use_iso=true ;;
	--disk) need_arg "$@"; [ -r "$2" ] || die "--disk $2: no such readable file"; disk=$2; shift ;;
	--disk-bus)
		need_arg "$@"
		case $2 in virtio|ide) disk_bus=$2 ;; *) die "--disk-bus $2: expected virtio or ide" ;; esac
		shift ;;
	--accel) need_arg "$@"; accel=$2; shift ;;
	--mem) need_arg "$@"; mem=$2; shift ;;
	--cmdline) need_arg "$@"; cmdline=$2; shift ;;
	--module) need_arg "$@"; [ -r "$2" ] || die "--module $2: no such readable file"; modules+=("$2"); module_args+=(""); shift ;;
	--bpf)
		need_arg "$@"
		if [ -r "$2" ]; then
			bpf_file=$2 bpf_args=bpf
		elif [[ $2 =~ ^(.+):([^:]+)$ ]]; then
			bpf_file=${BASH_REMATCH[1]} bpf_args="bpf=${BASH_REMATCH[2]}"
			# One word on a module command line, literal in GRUB's single quotes.
			[[ ${BASH_REMATCH[2]} =~ $bpf_name_re ]] ||
				die "--bpf $2: NAME may not contain spaces, quotes or backslashes"
		else
			bpf_file=$2
		fi
		[ -r "$bpf_file" ] || die "--bpf $2: no such readable file $bpf_file"
		modules+=("$bpf_file"); module_args+=("$bpf_args"); shift ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift ;;
	--debug) debug=true; timeout_s=0 ;;
	--no-exit-device) exit_device=() ;;
	--net-udp)
		need_arg "$@"
		[[ $2 =~ ^([0-9]+):([0-9]+)$ ]] || die "--net-udp $2: expected LOCALPORT:REMOTEPORT"
		nics+=("dgram,local.type=inet,local.host=127.0.0.1,local.port=${BASH_REMATCH[1]},remote.type=inet,remote.host=127.0.0.1,remote.port=${BASH_REMATCH[2]}")
		shift ;;
	--net-tap)
		need_arg "$@"
		[[ $2 =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "--net-tap $2: expected an interface name (at most 15 of A-Z a-z 0-9 _ . -)"
		[ -e "/sys/class/net/$2" ] || die "--net-tap $2: no such interface in this network namespace"
		nics+=("tap,ifname=$2,script=no,downscript=no,vhost=off")
		shift ;;
	--net-user)
		user="user"
		if [ $# -ge 2 ] && [[ $2 =~ ^(tcp|udp): ]]; then
			IFS=, read -ra fwds <<<"$2"
			for f in "${fwds[@]}"; do
				user+=",hostfwd=$f"
				if [[ $f =~ ^(tcp|udp):[^:]*:([0-9]+)-[^:]*:([0-9]+)$ ]]; then
					echo "run.sh: eth${#nics[@]}: host port ${BASH_REMATCH[2]} forwarded to guest port ${BASH_REMATCH[3]} (${BASH_REMATCH[1]})" >&2
				fi
			done
			shift
		fi
		nics+=("$user") ;;
	--control)
		need_arg "$@"
		[ -d "$(dirname -- "$2")" ] || die "--control $2: no such directory $(dirname -- "$2")"
		[ ! -e "$2" ] || [ -S "$2" ] || die "--control $2: exists and is not a socket"
		case $2 in *,*) die "--control $2: QEMU cannot take a path with a comma" ;; esac
		control=$2; shift ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*) image=$1 ;;
	esac
	shift
done

if [ -z "$accel" ]; then
	# A /dev/kvm without hardware virtualization is a software hypervisor
	# far slower than TCG for guest kernel code.
	if grep -qwE 'vmx|svm' /proc/cpuinfo && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		accel=kvm
	else
		accel=tcg
	fi
fi
case $accel in
kvm) cpu=(-cpu host,-arch-capabilities) ;;
tcg) cpu=() ;;  # QEMU's default model (qemu64)
*) die "--accel $accel: expected kvm or tcg" ;;
esac

qemu=(qemu-system-x86_64 -machine pc,accel="$accel" "${cpu[@]}" -m "$mem"
	-display none -serial stdio -monitor none -no-reboot "${exit_device[@]}")
if [ -n "$disk" ]; then
	{ $use_iso || [ -n "$cmdline" ] || [ ${#modules[@]} -gt 0 ]; } &&
		die "--disk boots what the disk's grub.cfg says: no --iso, --cmdline, --module or --bpf"
	case $disk in
	*.qcow2) disk_format=qcow2 ;;
	*) disk_format=raw ;;
	esac
	qemu+=(-drive "file=$disk,format=$disk_format,if=$disk_bus,snapshot=on")
elif $use_iso; then
	iso=${image%.elf}.iso
	[ -r "$iso" ] || die "$iso: not built (make)"
	if [ -n "$cmdline" ] || [ ${#modules[@]} -gt 0 ]; then
		# The ISO's grub.cfg carries the command line: build one for this run.
		tmp_iso=$(mktemp --suffix=.iso)
		trap 'rm -f "$tmp_iso"' EXIT
		iso_modules=()
		for i in "${!modules[@]}"; do
			iso_modules+=("${modules[$i]}${module_args[$i]:+ ${module_args[$i]}}")
		done
		"$top/scripts/mkiso.sh" "$image" "$tmp_iso" "$cmdline" "${iso_modules[@]}" ||
			die "could not build an ISO for this command line"
		iso=$tmp_iso
	fi
	qemu+=(-cdrom "$iso")
else
	[ -r "$image" ] || die "$image: not built (make)"
	qemu+=(-bios /usr/share/qemu/qboot.rom -kernel "$image")
	[ -n "$cmdline" ] && qemu+=(-append "$cmdline")
	if [ ${#modules[@]} -gt 0 ]; then
		# QEMU's -initrd takes "FILE ARGS" per module, separated by commas;
		# ",," stands for a comma in ARGS, but a file name may not contain one.
		initrd=()
		for i in "${!modules[@]}"; do
			m=${modules[$i]} args=${module_args[$i]}
			case $m in *,*) die "--module $m: QEMU cannot pass a file name with a comma" ;; esac
			initrd+=("$m${args:+ ${args//,/,,}}")
		done
		qemu+=(-initrd "$(IFS=,; echo "${initrd[*]}")")
	fi
fi
for i in "${!nics[@]}"; do
	# disable-legacy: the modern virtio 1.0 interface only (drivers/virtio_pci.h).
	qemu+=(-netdev "${nics[$i]},id=net$i"
		-device "virtio-net-pci,netdev=net$i,disable-legacy=on,mac=52:54:00:12:34:$(printf %02x $((0x56 + i)))")
done
if [ -n "$control" ]; then
	# QEMU creates the socket with the umask's mode: 177 makes it 0600 from
	# the start, so no other user can connect between bind and a chmod.
	rm -f -- "$control"
	umask 177
	qemu+=(-chardev "socket,id=control,path=$control,server=on,wait=off"
		-device virtio-serial-pci,disable-legacy=on,max_ports=2
		-device "virtserialport,chardev=control,name=$control_port")
fi
$debug && qemu+=(-s -S) && echo "run.sh: waiting for gdb: gdb -x $top/scripts/gdbinit" >&2
qemu+=("${extra[@]}")

# Ctrl-C reaches QEMU too (the terminal signals the whole foreground group),
# which ends the guest; bash runs this once QEMU has gone.
trap 'echo "run.sh: stopped by SIGINT (Ctrl-C)" >&2; exit 130' INT
status=0
if [ "$timeout_s" != 0 ]; then
	timeout --foreground -k 5 "$timeout_s" "${qemu[@]}" </dev/null || status=$?
else
	"${qemu[@]}" || status=$?
fi
if [ "$status" = 124 ]; then
	echo "run.sh: guest still running after ${timeout_s}s: stopped" >&2
	exit 124
fi
if [ $((status & 1)) = 1 ]; then
	exit $((status >> 1))
fi
if [ "$status" = 0 ]; then
	echo "run.sh: QEMU ended without an exit status from the guest" >&2
	exit 126
fi
echo "run.sh: QEMU failed (status $status)" >&2
exit 125
}
