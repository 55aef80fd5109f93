#!/usr/bin/env bash
# scripts/deps.sh OUT_MK
#
# Ensures everything ukbpf needs to build and test, then writes the make
# fragment OUT_MK (e.g. build/deps.mk) with absolute paths:
#
#   NEWLIB_DIR := <cache>/newlib-3.3.0-<key>/x86_64-elf   (include/, lib/libc.a, lib/libm.a)
#   LWIP_DIR   := <cache>/lwip-2.1.3                      (pristine upstream tree: src/core, src/include, ...)
#   MBEDTLS_DIR := <cache>/mbedtls-2.28.3                 (pristine upstream tree: library/, include/)
#
# Steps (each prints one "deps: ..." line only when it actually does work):
#   1. tools   Debian packages (apt-get install of the missing ones only)
#   2. cache   ${UKBPF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ukbpf}
#   3. lwip    lwIP 2.1.3 from the Debian *orig* source tarball (deb-src added
#              if none is configured), sha256-pinned, unpacked atomically
#   4. mbedtls mbed TLS 2.28.3 the same way (the Makefile compiles the few
#              files it needs, for the guest and the host, with our config)
#   5. newlib  newlib 3.3.0 from newlib-source, sha256-pinned, built for
#              x86_64-elf with the host gcc; install dir keyed by the flags
#   6. outmk   OUT_MK, rewritten only when its content changes
#
# Idempotent; when nothing is to be done it only runs one dpkg-query and a
# few file tests. Concurrent runs serialise on a lock in the cache dir.
set -euo pipefail
set -E  # ERR trap in functions and subshells too

# ---------------------------------------------------------------- pinned inputs
APT_PACKAGES=(
  qemu-system-x86 qemu-utils grub-pc-bin grub-common xorriso mtools
  clang lld llvm gcc make binutils python3 python3-pytest python3-scapy
  libcmocka-dev newlib-source bpftool tcpdump libbpf-dev libpcap-dev
  dpkg-dev xz-utils ca-certificates gdb
  iputils-ping curl iproute2  # tests/system/test_tap.py: ping, curl, ip netns
  libclang-rt-14-dev  # libFuzzer and sanitizer runtimes for tests/fuzz
  libvirt-clients libxml2-utils  # tests/system/test_image.py checks docs/ukbpf-libvirt.xml
  wrk python3-matplotlib  # make bench (scripts/bench.py): HTTP load, plots
)

LWIP_VERSION=2.1.3
LWIP_SRCPKG=lwip
LWIP_ORIG_GLOB="lwip_${LWIP_VERSION}+dfsg1.orig.tar.*"
LWIP_ORIG_SHA256=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24

# SYN cookies' keyed MAC (ebpf/syncookie.c); issue 12's control plane reuses it.
MBEDTLS_VERSION=2.28.3
MBEDTLS_SRCPKG=mbedtls
MBEDTLS_ORIG_GLOB="mbedtls_${MBEDTLS_VERSION}.orig.tar.*"
MBEDTLS_ORIG_SHA256=3b4953aa55a681e084d31892d9904cc5328d6b4958ea57b90ae4b4f94ae69a8d

NEWLIB_VERSION=3.3.0
NEWLIB_TARBALL=/usr/src/newlib/newlib-${NEWLIB_VERSION}.tar.xz
NEWLIB_TARBALL_SHA256=c6f3a88b9d93420904241b231ca8647303be3bfb3cfef6adc8d1ea9207291033
NEWLIB_TOPDIR=newlib-salsa   # top-level dir inside Debian's tarball
NEWLIB_TARGET=x86_64-elf
# Kernel is linked at 1 MiB, identity mapped; no red zone since interrupts
# push on the current stack.
NEWLIB_CFLAGS="-O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone -fno-stack-protector -fno-omit-frame-pointer -mcmodel=small -D_POSIX_TIMERS=1"
NEWLIB_CONFIG_FLAGS=(
  "--target=${NEWLIB_TARGET}"
  --disable-multilib
  --disable-newlib-supplied-syscalls
  # printf/scanf with C99's %zu, %jd, %hhd and long long: apps expect them.
  --enable-newlib-io-c99-formats
  --enable-newlib-io-long-long
)
NEWLIB_TOOLS=(
  CC_FOR_TARGET=gcc AR_FOR_TARGET=ar AS_FOR_TARGET=as LD_FOR_TARGET=ld
  NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib OBJDUMP_FOR_TARGET=objdump
  STRIP_FOR_TARGET=strip
)

# ---------------------------------------------------------------- plumbing
ME=${0}
OUT_MK=${1:-}
STEP_TOOL=deps
STEP_RETRY="$ME ${OUT_MK:-build/deps.mk}"
# shellcheck source=scripts/steps.sh
source "$(dirname -- "$0")/steps.sh"
APT_UPDATED=0

sha256_of() { local s; s=$(sha256sum -- "$1"); printf '%s\n' "${s%% *}"; }

check_sha256() {  # check_sha256 FILE EXPECTED
  local got
  got=$(sha256_of "$1")
  [[ $got == "$2" ]] ||
    fail "sha256 mismatch for $1: expected $2, got $got (upstream file changed? update the pin in $ME only after checking it)"
}

as_root() { [[ $(id -u) == 0 ]]; }

apt_update_once() {
  [[ $APT_UPDATED == 1 ]] && return 0
  as_root || fail "apt-get update needs root; run as root"
  quiet "apt-get update" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  APT_UPDATED=1
}

[[ -n $OUT_MK && $# -eq 1 ]] || { echo "usage: $ME OUT_MK   (e.g. $ME build/deps.mk)" >&2; exit 2; }

# ---------------------------------------------------------------- 1. tools
STEP=tools
missing_packages() {
  # One dpkg-query for all packages; unknown packages print nothing.
  local -A ok=()
  local name status p
  while IFS=' ' read -r name status; do
    [[ $status == "install ok installed" ]] && ok[$name]=1
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null || true)
  for p in "${APT_PACKAGES[@]}"; do
    [[ -n ${ok[$p]:-} ]] || printf '%s\n' "$p"
  done
}
step_tools() {
  local -a miss
  mapfile -t miss < <(missing_packages)
  ((${#miss[@]} == 0)) && return 0
  as_root || fail "missing packages: ${miss[*]}; run this script as root (or: sudo apt-get install ${miss[*]})"
  say "installing ${miss[*]}"
  apt_update_once
  quiet "apt-get install ${miss[*]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${miss[@]}"
}
step_tools

# ---------------------------------------------------------------- 2. cache
STEP=cache
CACHE=${UKBPF_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/ukbpf}
[[ -d $CACHE ]] || { say "creating cache $CACHE"; mkdir -p -- "$CACHE"; }
CACHE=$(cd -- "$CACHE" && pwd -P)

LWIP_DIR=$CACHE/lwip-${LWIP_VERSION}
NEWLIB_KEY=$(printf '%s\n' "newlib-${NEWLIB_VERSION}" "$NEWLIB_CFLAGS" \
  "${NEWLIB_CONFIG_FLAGS[@]}" "${NEWLIB_TOOLS[@]}" | sha256sum)
NEWLIB_KEY=${NEWLIB_KEY:0:12}
NEWLIB_PREFIX=$CACHE/newlib-${NEWLIB_VERSION}-${NEWLIB_KEY}
NEWLIB_DIR=$NEWLIB_PREFIX/$NEWLIB_TARGET

MBEDTLS_DIR=$CACHE/mbedtls-${MBEDTLS_VERSION}

lwip_ok() { [[ -f $LWIP_DIR/src/core/init.c ]]; }
mbedtls_ok() { [[ -f $MBEDTLS_DIR/library/md.c ]]; }
newlib_ok() { [[ -f $NEWLIB_DIR/lib/libc.a ]]; }

# Serialise the slow steps between concurrent runs (e.g. parallel makes).
if ! lwip_ok || ! mbedtls_ok || ! newlib_ok; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

# ---------------------------------------------------------------- 3. lwip
STEP=lwip

# Does any enabled apt source (one-line or deb822) have deb-src?
have_deb_src() {
  local SRCLIST='' SRCPARTS='' f
  eval "$(apt-config shell SRCLIST Dir::Etc::sourcelist/f SRCPARTS Dir::Etc::sourceparts/d)"
  for f in "$SRCLIST" "$SRCPARTS"*.list; do
    [[ -f $f ]] && grep -Eq '^[[:space:]]*deb-src[[:space:]]' "$f" && return 0
  done
  for f in "$SRCPARTS"*.sources; do
    [[ -f $f ]] || continue
    # Stanza with Types containing deb-src and not Enabled: no.
    awk 'BEGIN{RS=""; IGNORECASE=1; found=0}
         { if ($0 ~ /(^|\n)Types:[^\n]*deb-src/ && $0 !~ /(^|\n)Enabled:[ \t]*no/) found=1 }
         END{exit !found}' "$f" && return 0
  done
  return 1
}

# Print deb822 deb-src stanzas mirroring every enabled "deb" entry.
derive_deb_src() {
  local SRCLIST='' SRCPARTS='' f
  eval "$(apt-config shell SRCLIST Dir::Etc::sourcelist/f SRCPARTS Dir::Etc::sourceparts/d)"
  for f in "$SRCPARTS"*.sources; do
    [[ -f $f ]] || continue
    awk '
      function flush(   i, out) {
        if (n && types ~ /(^|[ \t])deb([ \t]|$)/ && !disabled) {
          out = "Types: deb-src\n"
          for (i = 1; i <= n; i++) out = out lines[i] "\n"
          printf "%s\n", out
        }
        n = 0; types = ""; disabled = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        if (tolower($0) ~ /^types:/) { types = $0; sub(/^[^:]*:/, "", types); next }
        if (tolower($0) ~ /^enabled:[ \t]*no/) disabled = 1
        lines[++n] = $0
      }
      END { flush() }' "$f"
  done
  for f in "$SRCLIST" "$SRCPARTS"*.list; do
    [[ -f $f ]] || continue
    # deb [opt=val ...] URI SUITE [COMPONENT...]
    awk '
      /^[ \t]*deb[ \t]/ {
        sub(/#.*/, ""); i = 2; opts = ""
        if ($2 ~ /^\[/) {
          while (i <= NF) { opts = opts " " $i; if ($i ~ /\]$/) { i++; break } i++ }
        }
        gsub(/[\[\]]/, "", opts)
        uri = $i; suite = $(i+1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps " " $j
        if (uri == "" || suite == "") next
        printf "Types: deb-src\nURIs: %s\nSuites: %s\n", uri, suite
        if (comps != "") printf "Components:%s\n", comps
        m = split(opts, o, /[ \t]+/)
        for (k = 1; k <= m; k++) {
          if (o[k] == "") continue
          split(o[k], kv, "=")
          if (kv[1] == "signed-by") printf "Signed-By: %s\n", kv[2]
          else if (kv[1] == "arch") printf "Architectures: %s\n", kv[2]
          else if (kv[1] == "trusted") printf "Trusted: %s\n", kv[2]
        }
        printf "\n"
      }' "$f"
  done
}

apt_knows_source() { apt-cache showsrc "$1" 2>/dev/null | grep -q '^Package:'; }

# fetch_orig SRCPKG ORIG_GLOB SHA256 DIR MARKER: unpacks the Debian orig
# tarball of source package SRCPKG (its single top directory) as DIR,
# checking that it holds MARKER.
fetch_orig() {
  local srcpkg=$1 glob=$2 sha=$3 dir=$4 marker=$5
  if ! apt_knows_source "$srcpkg"; then
    if ! have_deb_src; then
      as_root || fail "no deb-src apt source configured and not root; run as root"
      local SRCPARTS='' src
      eval "$(apt-config shell SRCPARTS Dir::Etc::sourceparts/d)"
      src=$(derive_deb_src)
      [[ -n $src ]] || fail "found no 'deb' apt source to derive a deb-src entry from"
      say "adding deb-src entries in ${SRCPARTS}ukbpf-src.sources"
      printf '# Added by ukbpf scripts/deps.sh: deb-src twins of the deb entries (for lwIP, mbed TLS).\n\n%s\n' \
        "$src" >"${SRCPARTS}ukbpf-src.sources.tmp"
      mv -f -- "${SRCPARTS}ukbpf-src.sources.tmp" "${SRCPARTS}ukbpf-src.sources"
      APT_UPDATED=0  # sources changed: the indexes must be fetched again
    fi
    apt_update_once
    apt_knows_source "$srcpkg" || fail "apt knows no source package '$srcpkg' even with deb-src configured"
  fi

  local dl unpack orig top
  mktmp "${TMPDIR:-/tmp}" "ukbpf-$srcpkg-dl"; dl=$TMP
  # Let apt's _apt sandbox user write there (avoids the unsandboxed warning).
  if as_root && id _apt >/dev/null 2>&1; then chown _apt "$dl"; fi
  quiet "apt-get source --download-only $srcpkg" \
    env -C "$dl" apt-get source -q --download-only "$srcpkg"
  local -a origs
  mapfile -t origs < <(compgen -G "$dl/$glob" || true)
  ((${#origs[@]} == 1)) ||
    fail "expected one $glob from apt-get source, got: $(ls "$dl")"
  orig=${origs[0]}
  check_sha256 "$orig" "$sha"

  mktmp "$CACHE" ".$srcpkg-unpack"; unpack=$TMP
  tar -xf "$orig" -C "$unpack" || fail "cannot unpack $orig"
  local -a tops
  mapfile -t tops < <(find "$unpack" -mindepth 1 -maxdepth 1)
  if ((${#tops[@]} != 1)) || [[ ! -d ${tops[0]} ]]; then
    fail "$orig does not have a single top-level directory"
  fi
  top=${tops[0]}
  [[ -f $top/$marker ]] || fail "$orig has no $marker"
  rm -rf -- "$dir"
  mv -- "$top" "$dir"
}

step_lwip() {
  lwip_ok && return 0
  say "fetching lwIP ${LWIP_VERSION} (Debian orig tarball) into $LWIP_DIR"
  fetch_orig "$LWIP_SRCPKG" "$LWIP_ORIG_GLOB" "$LWIP_ORIG_SHA256" "$LWIP_DIR" src/core/init.c
}
step_lwip

# ---------------------------------------------------------------- 4. mbedtls
STEP=mbedtls
step_mbedtls() {
  mbedtls_ok && return 0
  say "fetching mbed TLS ${MBEDTLS_VERSION} (Debian orig tarball) into $MBEDTLS_DIR"
  fetch_orig "$MBEDTLS_SRCPKG" "$MBEDTLS_ORIG_GLOB" "$MBEDTLS_ORIG_SHA256" "$MBEDTLS_DIR" library/md.c
}
step_mbedtls

# ---------------------------------------------------------------- 5. newlib
STEP=newlib
step_newlib() {
  newlib_ok && return 0
  local log=$CACHE/newlib-${NEWLIB_VERSION}-${NEWLIB_KEY}.log
  say "building newlib ${NEWLIB_VERSION} for ${NEWLIB_TARGET} (about a minute on 2 cores; log: $log)"
  [[ -f $NEWLIB_TARBALL ]] || fail "$NEWLIB_TARBALL not found (package newlib-source)"
  check_sha256 "$NEWLIB_TARBALL" "$NEWLIB_TARBALL_SHA256"

  local work src build stage
  mktmp "$CACHE" .newlib-build; work=$TMP
  src=$work/src build=$work/build stage=$work/stage
  mkdir -p -- "$src" "$build" "$stage"
  : >"$log"
  run_logged() {  # run_logged WHAT CMD... (output to the log; tail on failure)
    local what=$1; shift
    printf '\n==== %s: %s\n' "$what" "$*" >>"$log"
    if ! "$@" >>"$log" 2>&1; then
      # With make -j the root cause is often far above the tail.
      if grep -qE '(^|[^a-z])error:' "$log"; then
        echo "---- first errors in $log:" >&2
        grep -m 5 -E '(^|[^a-z])error:' "$log" >&2 || true
      fi
      echo "---- last 30 lines of $log:" >&2
      tail -n 30 -- "$log" >&2
      echo "----" >&2
      fail "newlib $what failed (full log: $log)"
    fi
  }
  run_logged unpack tar -xJf "$NEWLIB_TARBALL" -C "$src"
  [[ -x $src/$NEWLIB_TOPDIR/configure ]] ||
    fail "$NEWLIB_TARBALL did not unpack to $NEWLIB_TOPDIR/ (got: $(ls "$src"))"

  local -a env_vars=("${NEWLIB_TOOLS[@]}" "CFLAGS_FOR_TARGET=$NEWLIB_CFLAGS" MAKEINFO=true)
  run_logged configure env -C "$build" "${env_vars[@]}" \
    "$src/$NEWLIB_TOPDIR/configure" --prefix="$NEWLIB_PREFIX" "${NEWLIB_CONFIG_FLAGS[@]}"
  run_logged make make -C "$build" -j"$(nproc)" MAKEINFO=true
  run_logged install make -C "$build" install DESTDIR="$stage" MAKEINFO=true

  local f
  for f in include/stdio.h lib/libc.a lib/libm.a; do
    [[ -f $stage$NEWLIB_DIR/$f ]] || fail "newlib install lacks $f (log: $log)"
  done
  rm -rf -- "$NEWLIB_PREFIX"
  mv -- "$stage$NEWLIB_PREFIX" "$NEWLIB_PREFIX"
}
step_newlib

# ---------------------------------------------------------------- 6. OUT_MK
STEP=outmk
step_outmk() {
  local content
  content=$(printf '%s\n' \
    "# Generated by scripts/deps.sh; do not edit." \
    "NEWLIB_DIR := $NEWLIB_DIR" \
    "LWIP_DIR := $LWIP_DIR" \
    "MBEDTLS_DIR := $MBEDTLS_DIR")
  if [[ -f $OUT_MK ]] && [[ $(<"$OUT_MK") == "$content" ]]; then
    return 0
  fi
  say "writing $OUT_MK"
  mkdir -p -- "$(dirname -- "$OUT_MK")"
  printf '%s\n' "$content" >"$OUT_MK.tmp.$$"
  mv -f -- "$OUT_MK.tmp.$$" "$OUT_MK"
}
step_outmk
