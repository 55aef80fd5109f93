#!/usr/bin/env bash
# scripts/corpus.sh OUT_TSV        (e.g. build/corpus.tsv)
#
# Fetches and builds the compatibility corpus (docs/compat.md): the XDP
# programs of the eBPF ecosystem as their authors ship or build them, all
# from Debian's archive, cached under ${UKBPF_CACHE:-~/.cache/ukbpf}/corpus/,
# and writes OUT_TSV, one object per line:
#
#   CORPUS <TAB> OBJECT <TAB> SOURCE <TAB> ERROR
#
# after a first line "# packages: NAME VERSION, ..." naming what it came from
# and a second "# captures: DIR" naming the directory of tcpdump's test
# captures (the frames scripts/compat_frames.py picks from), or
# "# captures: none: REASON" when they could not be fetched: the report then
# runs on the generated frames alone, so a cold cache without network still
# gives one.
#
#   CORPUS  xdp-tools | linux-selftests | linux-samples
#   OBJECT  absolute path of the .o, or "-" when it did not build
#   SOURCE  the file it came from (package path or path in the kernel tree)
#   ERROR   why it did not build (the compiler's first error), or "-"
#
# Steps (each prints one "corpus: ..." line only when it actually does work):
#   1. tools     clang, llc, opt, llvm-dis, bpftool, apt-get (scripts/deps.sh installs them)
#   2. resolve   the candidate versions of xdp-tools, linux-source-6.1 and the
#                linux-headers-*-amd64 that linux-headers-amd64 depends on
#                (with no apt lists: the newest ones already in the cache)
#   3. xdp-tools apt-get download xdp-tools libxdp1; their prebuilt BPF objects
#                (usr/lib/x86_64-linux-gnu/bpf/, usr/lib/bpf/), as Debian built them
#   4. linux     apt-get download linux-source-6.1 and linux-headers-*-amd64; from
#                the source tarball only tools/testing/selftests/bpf/, samples/bpf/,
#                tools/include/, include/ and arch/x86/include/; from the headers
#                package only the generated headers of Debian's amd64 build
#   5. vmlinux   vmlinux.h of the running kernel (bpftool btf dump), keyed by
#                the hash of /sys/kernel/btf/vmlinux
#   6. build     clang, as the kernel's Makefiles do, of every selftest and
#                sample source with an XDP section (SEC("xdp...")); each object
#                cached under a key of its source, flags, clang, libbpf-dev,
#                vmlinux.h and kernel version; a failure is cached as .err
#   7. captures  apt-get source --download-only tcpdump (Debian's source
#                package; deb-src lines, which scripts/deps.sh adds); from its
#                orig tarball only tests/*.pcap. Failing here is not fatal.
#   8. outtsv    OUT_TSV, rewritten only when its content changes
#
# Idempotent; concurrent runs serialise on a lock in the cache dir. Nothing of
# the corpus is committed: it is third-party code.
set -euo pipefail
set -E

XDP_TOOLS_PACKAGES=(xdp-tools libxdp1)
LINUX_SOURCE_PACKAGE=linux-source-6.1
LINUX_HEADERS_META=linux-headers-amd64
# Its test suite's captures are the compatibility report's real-world frames.
CAPTURES_SOURCE_PACKAGE=tcpdump
# What the build needs from the kernel tree, inside linux-source-6.1.tar.xz.
LINUX_TREE_PARTS=(tools/testing/selftests/bpf samples/bpf tools/include include arch/x86/include)
BPF_TARGET_ARCH=x86

ME=$0
OUT_TSV=${1:-}
STEP_TOOL=corpus
STEP_RETRY="$ME ${OUT_TSV:-build/corpus.tsv}"
# shellcheck source=scripts/steps.sh
source "$(dirname -- "$0")/steps.sh"

[[ -n $OUT_TSV && $# -eq 1 ]] || { echo "usage: $ME OUT_TSV   (e.g. $ME build/corpus.tsv)" >&2; exit 2; }

sha_of_stdin() { local s; s=$(sha256sum); printf '%s\n' "${s:0:16}"; }

# ---------------------------------------------------------------- 1. tools
STEP=tools
for tool in clang llc opt llvm-dis bpftool apt-get apt-cache dpkg-deb xz; do
	command -v "$tool" >/dev/null ||
		fail "$tool not found (scripts/deps.sh installs the project's packages; run make first)"
done
[[ -f /usr/include/bpf/bpf_helpers.h ]] || fail "no /usr/include/bpf/bpf_helpers.h (package libbpf-dev)"

CACHE=${UKBPF_CACHE:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/ukbpf}
CORPUS=$CACHE/corpus
mkdir -p -- "$CORPUS"
CORPUS=$(cd -- "$CORPUS" && pwd -P)
exec 9>"$CORPUS/.lock"
flock 9

# ---------------------------------------------------------------- 2. resolve
STEP=resolve
newest_cached() {  # newest_cached PREFIX: the version part of the newest $CORPUS/PREFIX* dir
	local d
	d=$(compgen -G "$CORPUS/$1*/.done" | xargs -r -n1 dirname | sort -V | tail -n 1 || true)
	[[ -n $d ]] && printf '%s\n' "${d##*/"$1"}"
}
# One apt-cache call (each costs most of a second): the candidates' versions,
# and the versioned headers package the meta package depends on.
declare -A candidate=()
headers_package=''
while IFS=$'\t' read -r package version depends; do
	candidate[$package]=$version
	[[ $package == "$LINUX_HEADERS_META" ]] &&
		headers_package=$(sed -n 's/^\(linux-headers-[0-9][^ ,]*-amd64\).*/\1/p' <<<"$depends")
done < <(apt-cache show --no-all-versions xdp-tools "$LINUX_SOURCE_PACKAGE" "$LINUX_HEADERS_META" \
	2>/dev/null | awk -F': ' '/^Package:/ {p = $2} /^Version:/ {v = $2}
		/^Depends:/ {d = $2} /^$/ {if (p) print p "\t" v "\t" d; p = v = d = ""}
		END {if (p) print p "\t" v "\t" d}' || true)
xdp_tools_version=${candidate[xdp-tools]:-}
[[ -n $xdp_tools_version ]] || xdp_tools_version=$(newest_cached xdp-tools-) ||
	fail "apt-cache knows no xdp-tools and none is cached (run apt-get update)"
linux_version=${candidate[$LINUX_SOURCE_PACKAGE]:-}
if [[ -z $linux_version || -z $headers_package ]]; then
	linux_version=$(newest_cached linux-) ||
		fail "apt-cache knows no $LINUX_SOURCE_PACKAGE and none is cached (run apt-get update)"
fi
XDP_TOOLS_DIR=$CORPUS/xdp-tools-$xdp_tools_version
LINUX_DIR=$CORPUS/linux-$linux_version

apt_may_write() {  # apt_may_write DIR
	# Let apt's _apt sandbox user write there (avoids the unsandboxed warning).
	if [[ $(id -u) == 0 ]] && id _apt >/dev/null 2>&1; then chown _apt "$1"; fi
	return 0
}

download() {  # download DIR PACKAGE...: apt-get download into DIR
	apt_may_write "$1"
	quiet "apt-get download ${*:2}" env -C "$1" apt-get download -q "${@:2}"
}

# ---------------------------------------------------------------- 3. xdp-tools
STEP=xdp-tools
step_xdp_tools() {
	[[ -f $XDP_TOOLS_DIR/.done ]] && return 0
	say "fetching ${XDP_TOOLS_PACKAGES[*]} $xdp_tools_version into $XDP_TOOLS_DIR"
	local dl stage deb obj
	mktmp "${TMPDIR:-/tmp}" ukbpf-corpus-dl
	dl=$TMP
	download "$dl" "${XDP_TOOLS_PACKAGES[@]/%/=$xdp_tools_version}"
	mktmp "$CORPUS" .xdp-tools
	stage=$TMP
	for deb in "$dl"/*.deb; do
		quiet "dpkg -x $deb" dpkg -x "$deb" "$stage/root"
	done
	mkdir -p -- "$stage/objects"
	while IFS= read -r obj; do
		cp -- "$obj" "$stage/objects/"
		printf '%s\t%s\n' "${obj##*/}" "${obj#"$stage/root"}" >>"$stage/objects/sources"
	done < <(find "$stage/root/usr/lib" -path '*/bpf/*.o' -type f | LC_ALL=C sort)
	[[ -s $stage/objects/sources ]] || fail "${XDP_TOOLS_PACKAGES[*]} hold no BPF objects"
	touch "$stage/objects/.done"
	rm -rf -- "$XDP_TOOLS_DIR"
	mv -- "$stage/objects" "$XDP_TOOLS_DIR"
}
step_xdp_tools

# ---------------------------------------------------------------- 4. linux
STEP=linux
step_linux() {
	[[ -f $LINUX_DIR/.done ]] && return 0
	[[ -n $headers_package ]] || fail "apt-cache knows no $LINUX_HEADERS_META (run apt-get update)"
	say "fetching $LINUX_SOURCE_PACKAGE $linux_version and $headers_package into $LINUX_DIR"
	local dl stage top part
	mktmp "${TMPDIR:-/tmp}" ukbpf-corpus-dl
	dl=$TMP
	download "$dl" "$LINUX_SOURCE_PACKAGE=$linux_version" "$headers_package"
	mktmp "$CORPUS" .linux
	stage=$TMP
	top=linux-source-${LINUX_SOURCE_PACKAGE#linux-source-}
	local -a members=()
	for part in "${LINUX_TREE_PARTS[@]}"; do members+=("$top/$part/*"); done
	dpkg-deb --fsys-tarfile "$dl/$LINUX_SOURCE_PACKAGE"_*.deb |
		tar -x -O "./usr/src/$top.tar.xz" | tar -xJ -C "$stage" --wildcards "${members[@]}" ||
		fail "cannot unpack ${members[*]} from $LINUX_SOURCE_PACKAGE"
	mv -- "$stage/$top" "$stage/tree"
	# The generated headers of Debian's amd64 build (autoconf.h, asm/unistd_64.h...):
	# samples/bpf's *_kern.c include kernel-internal headers, which need them.
	dpkg-deb --fsys-tarfile "$dl/$headers_package"_*.deb |
		tar -x -C "$stage" --wildcards "./usr/src/$headers_package/include/*" \
			"./usr/src/$headers_package/arch/x86/include/*" ||
		fail "cannot unpack the generated headers from $headers_package"
	mv -- "$stage/usr/src/$headers_package" "$stage/generated"
	rm -rf -- "${stage:?}/usr"
	for part in "${LINUX_TREE_PARTS[@]}"; do
		[[ -d $stage/tree/$part ]] || fail "$LINUX_SOURCE_PACKAGE has no $part"
	done
	printf '%s %s, %s %s\n' "$LINUX_SOURCE_PACKAGE" "$linux_version" "$headers_package" \
		"$(dpkg-deb -f "$dl/$headers_package"_*.deb Version)" >"$stage/packages"
	touch "$stage/.done"
	rm -rf -- "$LINUX_DIR"
	mv -- "$stage" "$LINUX_DIR"
}
step_linux

# ---------------------------------------------------------------- 5. vmlinux
STEP=vmlinux
[[ -r /sys/kernel/btf/vmlinux ]] || fail "no /sys/kernel/btf/vmlinux: the running kernel has no BTF"
vmlinux_key=$(sha_of_stdin </sys/kernel/btf/vmlinux)
VMLINUX_DIR=$CORPUS/vmlinux-$vmlinux_key
if [[ ! -f $VMLINUX_DIR/vmlinux.h ]]; then
	say "writing $VMLINUX_DIR/vmlinux.h (bpftool btf dump of the running kernel)"
	mkdir -p -- "$VMLINUX_DIR"
	bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$VMLINUX_DIR/vmlinux.h.tmp" ||
		fail "bpftool btf dump file /sys/kernel/btf/vmlinux failed"
	mv -f -- "$VMLINUX_DIR/vmlinux.h.tmp" "$VMLINUX_DIR/vmlinux.h"
fi

# ---------------------------------------------------------------- 6. build
STEP=build
TREE=$LINUX_DIR/tree
GEN=$LINUX_DIR/generated
SELFTESTS=$TREE/tools/testing/selftests/bpf
SAMPLES=$TREE/samples/bpf
# clang's system directories, after the Makefiles' own (their get_sys_includes).
mapfile -t SYS_INCLUDES < <(clang -v -E - </dev/null 2>&1 |
	sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter\n\1|p }')
# tools/testing/selftests/bpf/Makefile: BPF_CFLAGS, CLANG_CFLAGS and the
# test_progs flavour (-mcpu=v3, atomics). -Werror is left out: newer headers
# than the tree's may warn.
SELFTEST_FLAGS=(-g -O2 -target bpf -mcpu=v3 "-D__TARGET_ARCH_$BPF_TARGET_ARCH"
	-DENABLE_ATOMICS_TESTS -I "$VMLINUX_DIR" -I "$SELFTESTS" -I "$TREE/tools/include/uapi"
	"${SYS_INCLUDES[@]}" -Wno-compare-distinct-pointer-types)
# samples/bpf/Makefile, %.bpf.o: vmlinux.h and libbpf's headers.
SAMPLE_BPF_FLAGS=(-g -O2 -target bpf "-D__TARGET_ARCH_$BPF_TARGET_ARCH"
	-Wno-compare-distinct-pointer-types -I "$VMLINUX_DIR" -I "$SAMPLES" -I "$TREE/tools/include"
	"${SYS_INCLUDES[@]}")
# samples/bpf/Makefile, %.o (the *_kern.c): the kernel's own headers (LINUXINCLUDE),
# compiled for the host and lowered to BPF by llc.
SAMPLE_KERN_FLAGS=(-nostdinc -I "$TREE/arch/x86/include" -I "$GEN/arch/x86/include/generated"
	-I "$TREE/include" -I "$GEN/include" -I "$TREE/arch/x86/include/uapi"
	-I "$GEN/arch/x86/include/generated/uapi" -I "$TREE/include/uapi"
	-I "$GEN/include/generated/uapi" -include "$TREE/include/linux/compiler-version.h"
	-include "$TREE/include/linux/kconfig.h" -fno-stack-protector -g -I "$SAMPLES"
	-I "$SELFTESTS" "${SYS_INCLUDES[@]}" -D__KERNEL__ -D__BPF_TRACING__ -Wno-unused-value
	-Wno-pointer-sign "-D__TARGET_ARCH_$BPF_TARGET_ARCH" -Wno-compare-distinct-pointer-types
	-Wno-gnu-variable-sized-type-not-at-end -Wno-address-of-packed-member
	-Wno-tautological-compare -Wno-unknown-warning-option -fno-asynchronous-unwind-tables
	-include asm_goto_workaround.h -O2 -emit-llvm -Xclang -disable-llvm-passes)
# samples/bpf links these *.bpf.o with xdp_sample.bpf.o (bpftool gen object).
SAMPLE_LINKED_WITH=xdp_sample.bpf.c
SAMPLE_LINKED_HEADER=xdp_sample.bpf.h

TOOLCHAIN=$( (clang --version | head -n 1; llc --version | sed -n 2p
	dpkg-query -W -f='${Version}\n' libbpf-dev bpftool) | tr '\n' ' ')
BUILD_DIR=$CORPUS/build

first_error() {  # first_error LOG: the first compiler error, one line
	local line
	line=$(grep -m 1 -E '(error|Error|fatal)' "$1" || head -n 1 "$1" || true)
	line=${line//$TREE\//}
	line=${line//$CORPUS\//}
	printf '%s\n' "${line:-failed without a message}"
}

# run_compiler FLAVOUR SOURCE OUT LOG: builds OUT, messages to LOG.
run_compiler() {
	local flavour=$1 source=$2 out=$3 log=$4
	local -a flags
	case $flavour in
	selftest)
		flags=("${SELFTEST_FLAGS[@]}")
		# The selftests Makefile: the noinline variants keep their calls.
		[[ ${source##*/} == *_noinline.c ]] && flags+=(-fno-inline)
		clang "${flags[@]}" -c "$source" -o "$out" >"$log" 2>&1
		;;
	sample-bpf)
		clang "${SAMPLE_BPF_FLAGS[@]}" -c "$source" -o "$out" >"$log" 2>&1 || return 1
		grep -q "$SAMPLE_LINKED_HEADER" "$source" || return 0
		[[ $source == "$SAMPLES/$SAMPLE_LINKED_WITH" ]] && return 0
		[[ -f $SHARED_OBJ ]] || {
			printf 'needs %s, which did not build: %s\n' "$SAMPLE_LINKED_WITH" \
				"$(first_error "$SHARED_OBJ.err")" >"$log"
			return 1
		}
		bpftool gen object "$out.linked" "$out" "$SHARED_OBJ" >"$log" 2>&1 &&
			mv -f -- "$out.linked" "$out"
		;;
	sample-kern)
		clang "${SAMPLE_KERN_FLAGS[@]}" -c "$source" -o "$out.bc" >"$log" 2>&1 &&
			opt -O2 -mtriple=bpf-pc-linux "$out.bc" 2>>"$log" | llvm-dis 2>>"$log" |
			llc -march=bpf -filetype=obj -o "$out" 2>>"$log"
		;;
	esac
}

# compile FLAVOUR SOURCE OUT: OUT, or OUT.err with the compiler's messages.
compile() {
	local tmp=$3.tmp
	if run_compiler "$1" "$2" "$tmp" "$3.log"; then
		mv -f -- "$tmp" "$3"
		rm -f -- "$3.log"
	else
		mv -f -- "$3.log" "$3.err"
	fi
	rm -f -- "$tmp" "$tmp.bc" "$tmp.linked"
}

# key FLAVOUR SOURCE: what the object depends on beyond the kernel tree's version.
object_key() {
	{
		printf '%s\n' "$1" "$TOOLCHAIN" "$linux_version" "$vmlinux_key"
		case $1 in
		selftest) printf '%s\n' "${SELFTEST_FLAGS[@]}" ;;
		sample-bpf) printf '%s\n' "${SAMPLE_BPF_FLAGS[@]}" ;;
		sample-kern) printf '%s\n' "${SAMPLE_KERN_FLAGS[@]}" ;;
		esac
		cat -- "$2"
	} | sha_of_stdin
}

has_xdp_section() { grep -q 'SEC("xdp' "$1"; }

# Lists "CORPUS FLAVOUR SOURCE" for every source to build, in a stable order.
list_sources() {
	local source
	for source in "$SELFTESTS"/progs/*.c; do
		has_xdp_section "$source" && printf 'linux-selftests selftest %s\n' "$source"
	done
	for source in "$SAMPLES"/*.bpf.c; do
		has_xdp_section "$source" && printf 'linux-samples sample-bpf %s\n' "$source"
	done
	for source in "$SAMPLES"/*_kern.c; do
		has_xdp_section "$source" && printf 'linux-samples sample-kern %s\n' "$source"
	done
	return 0
}

# Builds every source not yet in the cache, nproc at a time; records
# "CORPUS <TAB> OBJECT <TAB> SOURCE" per source in $1 (OBJECT.err on failure).
build_all() {
	local list=$1 corpus flavour source name key out item running=0 max
	local -a todo=()
	max=$(nproc)
	: >"$list"
	while read -r corpus flavour source; do
		name=${source##*/}
		key=$(object_key "$flavour" "$source")
		out=$BUILD_DIR/$corpus/${name%.c}-$key.o
		printf '%s\t%s\t%s\n' "$corpus" "$out" "${source#"$TREE"/}" >>"$list"
		[[ -f $out || -f $out.err ]] || todo+=("$flavour $source $out")
	done < <(list_sources)
	((${#todo[@]})) || return 0
	say "building ${#todo[@]} objects with $(clang --version | head -n 1) into $BUILD_DIR"
	# samples/bpf links its *.bpf.o with xdp_sample.bpf.o (bpftool gen object): first.
	SHARED_OBJ=$BUILD_DIR/shared/${SAMPLE_LINKED_WITH%.c}-$(object_key sample-bpf \
		"$SAMPLES/$SAMPLE_LINKED_WITH").o
	mkdir -p -- "${SHARED_OBJ%/*}"
	[[ -f $SHARED_OBJ || -f $SHARED_OBJ.err ]] ||
		compile sample-bpf "$SAMPLES/$SAMPLE_LINKED_WITH" "$SHARED_OBJ"
	for item in "${todo[@]}"; do
		read -r flavour source out <<<"$item"
		mkdir -p -- "${out%/*}"
		compile "$flavour" "$source" "$out" &
		running=$((running + 1))
		if ((running >= max)); then
			wait -n || true
			running=$((running - 1))
		fi
	done
	wait || true
}

mktmp "$CORPUS" .list
SOURCE_LIST=$TMP/sources
build_all "$SOURCE_LIST"

# ---------------------------------------------------------------- 7. captures
STEP=captures
# fetch_captures WORK: tcpdump's tests/*.pcap into the cache, by way of WORK;
# the version fetched (or found cached) into WORK/version. Runs as a job of
# its own, so that a failure (fail's message on stderr) ends only it and set -e
# holds inside (it would not in an `if` condition).
fetch_captures() {
	local work=$1 version
	version=$(apt-cache showsrc --only-source "$CAPTURES_SOURCE_PACKAGE" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[[ -n $version ]] || fail "apt knows no source package $CAPTURES_SOURCE_PACKAGE" \
		"(no deb-src lines: scripts/deps.sh adds them; then apt-get update)"
	local dir=$CORPUS/$CAPTURES_SOURCE_PACKAGE-$version
	if [[ ! -f $dir/.done ]]; then
		say "fetching $CAPTURES_SOURCE_PACKAGE $version's test captures into $dir"
		mkdir -- "$work/dl" "$work/stage"
		apt_may_write "$work/dl"
		quiet "apt-get source --download-only $CAPTURES_SOURCE_PACKAGE=$version" env -C \
			"$work/dl" apt-get source -q --download-only "$CAPTURES_SOURCE_PACKAGE=$version"
		local -a origs
		# The tarball, not its signature (.orig.tar.gz.asc).
		mapfile -t origs < <(compgen -G "$work/dl/${CAPTURES_SOURCE_PACKAGE}_*.orig.tar.*" |
			grep -v '\.asc$' || true)
		((${#origs[@]} == 1)) || fail "expected one orig tarball from apt-get source, got:" \
			"$(ls "$work/dl" | tr '\n' ' ')"
		# Members are TOP/tests/NAME.pcap: keep NAME.pcap only.
		tar -xf "${origs[0]}" -C "$work/stage" --strip-components=2 --wildcards \
			'*/tests/*.pcap' || fail "cannot unpack tests/*.pcap from ${origs[0]##*/}"
		compgen -G "$work/stage/*.pcap" >/dev/null ||
			fail "${origs[0]##*/} holds no tests/*.pcap"
		printf '%s %s\n' "$CAPTURES_SOURCE_PACKAGE" "$version" >"$work/stage/packages"
		touch "$work/stage/.done"
		rm -rf -- "$dir"
		mv -- "$work/stage" "$dir"
	fi
	printf '%s\n' "$version" >"$work/version"
}
# CAPTURES_DIR, or captures_error saying why there is none.
mktmp "$CORPUS" .captures
CAPTURES_DIR=''
captures_error=''
fetch_captures "$TMP" 2>"$TMP/log" &
if wait $!; then
	CAPTURES_DIR=$CORPUS/$CAPTURES_SOURCE_PACKAGE-$(<"$TMP/version")
elif version=$(newest_cached "$CAPTURES_SOURCE_PACKAGE-"); then
	# No apt lists or no network: the newest captures already cached.
	CAPTURES_DIR=$CORPUS/$CAPTURES_SOURCE_PACKAGE-$version
else
	captures_error=$(sed -n "s/^$STEP_TOOL: step $STEP failed: \(.*\); retry with: .*/\1/p" \
		"$TMP/log" | head -n 1)
	captures_error=${captures_error:-$(tail -n 1 "$TMP/log")}
	captures_error=${captures_error:-fetching failed}
	say "going on without $CAPTURES_SOURCE_PACKAGE's test captures: $captures_error"
fi

# ---------------------------------------------------------------- 8. OUT_TSV
STEP=outtsv
step_outtsv() {
	local content name path corpus out source
	content=$(
		printf '# packages: %s\n' "$(printf '%s, ' "${XDP_TOOLS_PACKAGES[@]/%/ $xdp_tools_version}" \
			"$(<"$LINUX_DIR/packages")" ${CAPTURES_DIR:+"$(<"$CAPTURES_DIR/packages")"} |
			sed 's/, $//')"
		if [[ -n $CAPTURES_DIR ]]; then
			printf '# captures: %s\n' "$CAPTURES_DIR"
		else
			printf '# captures: none: %s\n' "$captures_error"
		fi
		while IFS=$'\t' read -r name path; do
			printf 'xdp-tools\t%s\t%s\t-\n' "$XDP_TOOLS_DIR/$name" "$path"
		done <"$XDP_TOOLS_DIR/sources"
		while IFS=$'\t' read -r corpus out source; do
			if [[ -f $out ]]; then
				printf '%s\t%s\t%s\t-\n' "$corpus" "$out" "$source"
			else
				printf '%s\t-\t%s\t%s\n' "$corpus" "$source" "$(first_error "$out.err")"
			fi
		done <"$SOURCE_LIST"
	)
	if [[ -f $OUT_TSV ]] && [[ $(<"$OUT_TSV") == "$content" ]]; then
		return 0
	fi
	say "writing $OUT_TSV"
	mkdir -p -- "$(dirname -- "$OUT_TSV")"
	printf '%s\n' "$content" >"$OUT_TSV.tmp.$$"
	mv -f -- "$OUT_TSV.tmp.$$" "$OUT_TSV"
}
step_outtsv
