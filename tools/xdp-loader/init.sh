#!/bin/busybox sh
# /init of the Linux benchmark guest (scripts/linux-guest.sh builds the
# initramfs, scripts/run-linux.sh boots it; docs/benchmarks.md).
#
# Kernel command line options read here (from /proc/cmdline):
#   ukbpf.ip=A.B.C.D/N   eth0's address (default 10.0.2.15/24: QEMU user net)
#   ukbpf.gw=A.B.C.D     default route (default 10.0.2.2 with the default ip)
#   ukbpf.httpd=PORT     serve /www with busybox httpd on PORT once the loader
#                        says its program is attached; /www/index.html is
#                        /bpf/index.html when given, else a line of text
# Everything after "--" on the command line is the arguments of
# /bin/xdp-loader (tools/xdp-loader/xdp-loader.c); without any, the guest
# only brings the network up and waits. /bpf holds the objects and frames
# run-linux.sh --bpf/--module added.
#
# The loader's exit status goes to QEMU's isa-debug-exit port (0xf4, as
# ukbpf's kernel does) through /dev/port, so scripts/run.sh returns it;
# then the guest powers off.
/bin/busybox mkdir -p /proc /sys /dev /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t bpf bpf /sys/fs/bpf

say() { echo "linux-guest: $*"; }

# Report STATUS through isa-debug-exit (QEMU exits (STATUS << 1) | 1), then
# power off (when the device is absent, poweroff is what ends QEMU).
finish() {
	status=$1
	printf "$(printf '\\%03o' "$status")" | dd of=/dev/port bs=1 seek=244 count=1 2>/dev/null
	poweroff -f
}

# The modules in dependency order (virtio transport, then virtio_net).
while read -r module; do
	insmod "/lib/modules/$module.ko" || { say "insmod $module failed"; finish 1; }
done </etc/modules

ip=10.0.2.15/24 gw=10.0.2.2 httpd_port=
for word in $(cat /proc/cmdline); do
	case $word in
	ukbpf.ip=*) ip=${word#ukbpf.ip=}; gw= ;;
	ukbpf.gw=*) gw=${word#ukbpf.gw=} ;;
	ukbpf.httpd=*) httpd_port=${word#ukbpf.httpd=} ;;
	esac
done

# A virtio-net PCI function (vendor 1af4, device 1041 modern or 1000 legacy)?
have_nic=false
for dev in /sys/bus/pci/devices/*; do
	case "$(cat "$dev/vendor"):$(cat "$dev/device")" in
	0x1af4:0x1041 | 0x1af4:0x1000) have_nic=true ;;
	esac
done
ip link set lo up
if $have_nic; then
	# udev is absent: wait for the driver to register eth0.
	tries=0
	while [ ! -e /sys/class/net/eth0 ]; do
		tries=$((tries + 1))
		[ $tries -gt 100 ] && { say "no eth0 after 10 s"; finish 1; }
		sleep 0.1
	done
	ip link set eth0 up
	ip addr add "$ip" dev eth0
	[ -n "$gw" ] && ip route add default via "$gw"
	say "eth0 $(cat /sys/class/net/eth0/address) IP $ip${gw:+ gw $gw}"
else
	say "no virtio-net NIC (run-linux.sh --net-user adds one)"
fi

start_httpd() {
	[ -n "$httpd_port" ] || return 0
	mkdir -p /www
	# The benchmarks serve the same page bytes as ukbpf's httpd (run-linux.sh --file index.html).
	if [ -r /bpf/index.html ]; then
		cp /bpf/index.html /www/index.html
	else
		echo "hello from the Linux guest" >/www/index.html
	fi
	httpd -p "$httpd_port" -h /www
	say "httpd: listening on TCP port $httpd_port"
}

if [ $# -eq 0 ]; then
	start_httpd
	say "no loader arguments: waiting"
	while :; do sleep 3600; done
fi
# HTTP is served once the loader has attached its program, as in ukbpf,
# whose XDP hook is live before the app starts.
cd /bpf 2>/dev/null || cd /
set -o pipefail
xdp-loader "$@" 2>&1 | while IFS= read -r line; do
	echo "$line"
	case $line in "xdp-loader: ready to process packets"*) start_httpd ;; esac
done
finish $?
