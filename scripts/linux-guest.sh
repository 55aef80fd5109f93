#!/usr/bin/env bash
# scripts/linux-guest.sh [OUT_DIR]     (OUT_DIR: build/linux-guest)
#
# Builds the Linux guest the benchmarks compare ukbpf with (docs/benchmarks.md):
# Debian's own kernel and a small initramfs, both from Debian packages, and
# writes to OUT_DIR:
#
#   vmlinuz        Debian's kernel (linux-image-amd64's current versioned package)
#   initramfs.gz   cpio newc, gzip: busybox-static, virtio_net and the modules it
#                  needs, /init (tools/xdp-loader/init.sh) and /bin/xdp-loader
#                  (tools/xdp-loader/xdp-loader.c, static, libbpf)
#   xdp-loader     the loader, also usable on the host
#   busybox        the guest's (static): run-linux.sh writes cpio archives with it
#   sizes          "vmlinuz BYTES" and "initramfs BYTES", for the footprint table
#   kernel-version e.g. 6.1.0-56-amd64
#
# Steps (each prints one "linux-guest: ..." line only when it does work):
#   1. tools     static libbpf, libelf and zlib (libbpf-dev, libelf-dev, zlib1g-dev)
#   2. resolve   the versioned kernel package behind linux-image-amd64 (apt-cache);
#                with no apt lists, the newest guest already in the cache
#   3. fetch     apt-get download of the kernel and busybox-static, dpkg -x, and
#                into ${UKBPF_CACHE:-~/.cache/ukbpf}/linux-guest-<version>/:
#                vmlinuz, busybox, the modules (.ko, decompressed) and their load
#                order from each module's .modinfo "depends="
#   4. loader    gcc -static, when its source is newer than OUT_DIR/xdp-loader
#   5. initramfs when any input is newer than OUT_DIR/initramfs.gz
#
# Idempotent; concurrent runs serialise on a lock in the cache dir.
set -euo pipefail
set -E

KERNEL_META=linux-image-amd64
BUSYBOX_PACKAGE=busybox-static
# The NIC's driver; its dependencies (virtio, virtio_ring, net_failover,
# failover) come from .modinfo. virtio_pci is the PCI transport it probes through.
ROOT_MODULES=(virtio_pci virtio_net)
STATIC_LIBS=(libbpf.a libelf.a libz.a)
STATIC_PACKAGES=(libbpf-dev libelf-dev zlib1g-dev)

ME=$0
TOP=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-$TOP/build/linux-guest}
LOADER_SRC=$TOP/tools/xdp-loader/xdp-loader.c
INIT_SRC=$TOP/tools/xdp-loader/init.sh
STEP_TOOL=linux-guest
STEP_RETRY="$ME $OUT"
# shellcheck source=scripts/steps.sh
source "$(dirname -- "$0")/steps.sh"
newer() {  # newer TARGET SOURCE...: true when TARGET is missing or older than a SOURCE
	local s
	[[ -e $1 ]] || return 0
	for s in "${@:2}"; do
		[[ $s -nt $1 ]] && return 0
	done
	return 1
}

# ---------------------------------------------------------------- 1. tools
STEP=tools
libdir=/usr/lib/$(gcc -dumpmachine)
missing=()
for i in "${!STATIC_LIBS[@]}"; do
	[[ -f $libdir/${STATIC_LIBS[$i]} ]] || missing+=("${STATIC_PACKAGES[$i]}")
done
if ((${#missing[@]})); then
	[[ $(id -u) == 0 ]] || fail "missing ${missing[*]} (static libraries); run as root or apt-get install them"
	say "installing ${missing[*]}"
	quiet "apt-get install ${missing[*]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---------------------------------------------------------------- 2. resolve
STEP=resolve
CACHE=${UKBPF_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/ukbpf}
mkdir -p -- "$CACHE"
CACHE=$(cd -- "$CACHE" && pwd -P)
kernel_package=$(apt-cache depends "$KERNEL_META" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -n 1 || true)
if [[ -n $kernel_package ]]; then
	kernel_version=${kernel_package#linux-image-}
else
	# No apt lists (offline): the newest guest fetched before, if any.
	cached=$(compgen -G "$CACHE/linux-guest-*/vmlinuz" | sort -V | tail -n 1 || true)
	[[ -n $cached ]] ||
		fail "apt-cache knows no $KERNEL_META and nothing is cached (run apt-get update)"
	kernel_version=$(basename "$(dirname "$cached")")
	kernel_version=${kernel_version#linux-guest-}
	kernel_package=linux-image-$kernel_version
fi
GUEST=$CACHE/linux-guest-$kernel_version

# ---------------------------------------------------------------- 3. fetch
STEP=fetch
guest_ok() { [[ -f $GUEST/vmlinuz && -x $GUEST/busybox && -s $GUEST/modules.order ]]; }

modinfo_depends() {  # modinfo_depends KO: the names in its .modinfo "depends="
	objcopy -O binary --only-section=.modinfo "$1" /dev/stdout | tr '\0' '\n' |
		sed -n 's/^depends=//p' | tr ',' ' '
}

# Copies module $1 and (first) what it depends on into $2, appending the
# load order to $2/modules.order. $3: the unpacked modules tree.
declare -A copied=()
add_module() {
	local name=$1 dest=$2 tree=$3 path dep
	[[ -n ${copied[$name]:-} ]] && return 0
	copied[$name]=1
	path=$(find "$tree" \( -name "$name.ko" -o -name "$name.ko.xz" \) -print -quit)
	[[ -z $path ]] && path=$(find "$tree" \( -name "${name//_/-}.ko" -o -name "${name//_/-}.ko.xz" \) -print -quit)
	[[ -n $path ]] || fail "module $name not in $kernel_package"
	if [[ $path == *.xz ]]; then
		xz -dc -- "$path" >"$dest/$name.ko"
	else
		cp -- "$path" "$dest/$name.ko"
	fi
	for dep in $(modinfo_depends "$dest/$name.ko"); do
		add_module "$dep" "$dest" "$tree"
	done
	printf '%s\n' "$name" >>"$dest/modules.order"
}

step_fetch() {
	guest_ok && return 0
	exec 9>"$CACHE/.linux-guest.lock"
	flock 9
	guest_ok && return 0
	say "fetching $kernel_package and $BUSYBOX_PACKAGE into $GUEST"
	local dl unpack stage
	mktmp "${TMPDIR:-/tmp}" ukbpf-linux-dl
	dl=$TMP
	# Let apt's _apt sandbox user write there (avoids the unsandboxed warning).
	if [[ $(id -u) == 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
	quiet "apt-get download $kernel_package $BUSYBOX_PACKAGE" \
		env -C "$dl" apt-get download -q "$kernel_package" "$BUSYBOX_PACKAGE"
	mktmp "$CACHE" .linux-guest-unpack
	unpack=$TMP
	local deb
	for deb in "$dl"/*.deb; do
		quiet "dpkg -x $deb" dpkg -x "$deb" "$unpack/root"
	done
	stage=$unpack/guest
	mkdir -p -- "$stage/modules"
	local vmlinuz
	vmlinuz=$(compgen -G "$unpack/root/boot/vmlinuz-*" | head -n 1 || true)
	[[ -n $vmlinuz ]] || fail "$kernel_package has no /boot/vmlinuz-*"
	cp -- "$vmlinuz" "$stage/vmlinuz"
	cp -- "$unpack/root/bin/busybox" "$stage/busybox" ||
		fail "$BUSYBOX_PACKAGE has no /bin/busybox"
	: >"$stage/modules/modules.order"
	local module
	for module in "${ROOT_MODULES[@]}"; do
		add_module "$module" "$stage/modules" "$unpack/root/lib/modules"
	done
	mv -- "$stage/modules/modules.order" "$stage/modules.order"
	printf '%s\n' "$kernel_package $(dpkg-deb -f "$dl"/linux-image-*.deb Version)" \
		>"$stage/package"
	rm -rf -- "$GUEST"
	mv -- "$stage" "$GUEST"
}
step_fetch

# ---------------------------------------------------------------- 4. loader
STEP=loader
mkdir -p -- "$OUT"
if newer "$OUT/xdp-loader" "$LOADER_SRC" "$ME"; then
	say "building $OUT/xdp-loader (static, libbpf)"
	quiet "gcc -static $LOADER_SRC" gcc -std=gnu11 -O2 -Wall -Wextra -static \
		-o "$OUT/xdp-loader.tmp" "$LOADER_SRC" -lbpf -lelf -lz
	mv -f -- "$OUT/xdp-loader.tmp" "$OUT/xdp-loader"
fi

# ---------------------------------------------------------------- 5. initramfs
STEP=initramfs
if newer "$OUT/initramfs.gz" "$OUT/xdp-loader" "$INIT_SRC" "$GUEST/modules.order" "$ME"; then
	say "writing $OUT/initramfs.gz"
	mktmp "$OUT" .initramfs
	root=$TMP/root
	mkdir -p -- "$root"/{bin,etc,lib/modules,bpf,proc,sys,dev,tmp}
	cp -- "$GUEST/busybox" "$root/bin/busybox"
	cp -- "$OUT/xdp-loader" "$root/bin/xdp-loader"
	install -m 0755 -- "$INIT_SRC" "$root/init"
	while read -r module; do
		cp -- "$GUEST/modules/$module.ko" "$root/lib/modules/"
	done <"$GUEST/modules.order"
	cp -- "$GUEST/modules.order" "$root/etc/modules"
	# busybox's own cpio writes the newc archive: no host cpio needed.
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		"$GUEST/busybox" cpio -o -H newc 2>/dev/null) | gzip -9 >"$TMP/initramfs.gz"
	mv -f -- "$TMP/initramfs.gz" "$OUT/initramfs.gz"
fi
for f in vmlinuz busybox; do
	newer "$OUT/$f" "$GUEST/$f" && cp -- "$GUEST/$f" "$OUT/$f"
done
printf '%s\n' "$kernel_version" >"$OUT/kernel-version.tmp"
mv -f -- "$OUT/kernel-version.tmp" "$OUT/kernel-version"
printf 'vmlinuz %s\ninitramfs %s\n' "$(stat -c %s "$OUT/vmlinuz")" \
	"$(stat -c %s "$OUT/initramfs.gz")" >"$OUT/sizes.tmp"
mv -f -- "$OUT/sizes.tmp" "$OUT/sizes"
