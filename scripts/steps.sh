# Plumbing for scripts that work in named steps (deps.sh, linux-guest.sh),
# sourced after `set -euo pipefail; set -E` and after setting
#   STEP_TOOL   the name messages start with, e.g. "deps"
#   STEP_RETRY  the command that retries, e.g. "scripts/deps.sh build/deps.mk"
# A failure, expected (fail) or not (any command under set -e), prints one
# line naming the step ($STEP) and the retry command; temporary directories
# made with mktmp are removed however the script ends.
STEP=init
TMPDIRS=()
TMP=''
REPORTED=0

fail() {  # fail MESSAGE...
	REPORTED=1
	printf '%s: step %s failed: %s; retry with: %s\n' "$STEP_TOOL" "$STEP" "$*" "$STEP_RETRY" >&2
	exit 1
}

on_err() {  # unexpected failure of some command under set -e
	local rc=$1 line=$2 cmd=$3
	# Report once, from the main shell only (command substitutions inherit it).
	[[ $REPORTED == 1 || $BASH_SUBSHELL != 0 ]] && return
	REPORTED=1
	printf '%s: step %s failed: command exited %d at line %d: %s; retry with: %s\n' \
		"$STEP_TOOL" "$STEP" "$rc" "$line" "$cmd" "$STEP_RETRY" >&2
}

cleanup() {
	local d
	for d in "${TMPDIRS[@]+"${TMPDIRS[@]}"}"; do
		[[ -n $d && -e $d ]] && rm -rf -- "$d"
	done
	return 0
}
trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '%s: %s\n' "$STEP_TOOL" "$*"; }

mktmp() {  # mktmp PARENT PREFIX -> sets TMP to a new dir, removed on exit
	TMP=$(mktemp -d "$1/$2.XXXXXX") || fail "cannot create a temp dir in $1"
	TMPDIRS+=("$TMP")
}

quiet() {  # quiet WHAT CMD...: run CMD, show its output only if it fails
	local what=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		printf '%s\n' "$out" | tail -n 30 >&2
		fail "$what failed (exit $rc)"
	fi
}
