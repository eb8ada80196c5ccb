#!/bin/sh
# Shared TAP helpers for tests/run-*.sh. Source it; call ok/fail/skip/done.
# Missing components skip on a developer's machine and fail under CI.

T_N=0
T_FAIL=0
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR/}"
: "${TESTDATA:=$SRCDIR/testdata}"
: "${SHARED:=$SRCDIR/../shared}"
: "${EXIMPARSE:=$BUILDDIR/cmd/eximparse}"
: "${OFFENDERS:=$BUILDDIR/cmd/offenders}"
: "${BANLIST:=$BUILDDIR/cmd/banlist}"
: "${REGEX_TEST:=$BUILDDIR/cmd/regex-test}"
export LC_ALL=C TZ=UTC SRCDIR BUILDDIR TESTDATA SHARED EXIMPARSE OFFENDERS \
    BANLIST REGEX_TEST

ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $*"
}

fail() {
	T_N=$((T_N + 1))
	T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $*"
}

# check DESCRIPTION CMD...: ok when CMD succeeds
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else fail "$_d"; fi
}

# diag TEXT: a TAP comment, each line prefixed with "# "
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

# skip_or_fail REASON: skip the whole script, or fail under CI
skip_all() {
	if [ "${CI:-}" = true ]; then
		echo "1..1"
		echo "not ok 1 - required component missing under CI: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

# need CMD...: every command must exist
need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || skip_all "$_c not installed"
	done
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

# scratch directory, removed at exit
scratch() {
	T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/eximsift-test.XXXXXX")
	trap 'rm -rf "$T_TMP"' EXIT
}

done_testing() {
	echo "1..$T_N"
	echo "# $((T_N - T_FAIL)) passed, $T_FAIL failed"
	[ "$T_FAIL" = 0 ]
	exit $?
}

# valgrind as `make memcheck` wants it: any error or definite or indirect
# leak is exit 99; tests/valgrind.supp hides PCRE2 JIT code only.
VALGRIND_CMD="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --suppressions=$SRCDIR/tests/valgrind.supp"

# Run a binary, under valgrind when SIFT_VALGRIND=1.
run() {
	if [ "${SIFT_VALGRIND:-}" = 1 ]; then
		$VALGRIND_CMD "$@"
	else
		"$@"
	fi
}

# With SIFT_VALGRIND=1, point EXIMPARSE, OFFENDERS, BANLIST and REGEX_TEST
# at wrapper scripts that run the real binaries under valgrind, so command
# lines that only use the variables (golden cases) are checked too. Call it
# after scratch.
wrap_commands() {
	[ "${SIFT_VALGRIND:-}" = 1 ] || return 0
	need valgrind
	mkdir -p "$T_TMP/valgrind"
	for _v in EXIMPARSE OFFENDERS BANLIST REGEX_TEST; do
		_b=
		eval "_b=\$$_v"
		_w=$T_TMP/valgrind/$(basename "$_b")
		printf '#!/bin/sh\nexec %s %s "$@"\n' "$VALGRIND_CMD" "$_b" >"$_w"
		chmod +x "$_w"
		eval "$_v=\$_w"
	done
	export EXIMPARSE OFFENDERS BANLIST REGEX_TEST
}
