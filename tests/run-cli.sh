#!/bin/sh
# Golden CLI cases: tests/cli/<command>/<NNN-name>/ holds `cmd` (one shell
# line using $EXIMPARSE, $OFFENDERS, $BANLIST, $REGEX_TEST and $TESTDATA), optional `stdin`, the
# expected `stdout`, optional `stderr` and `exit` (default 0). Each case runs
# in a fresh scratch directory. UPDATE=1 rewrites the goldens.
. "$(dirname "$0")/lib.sh"
scratch
wrap_commands

for dir in "$SRCDIR"/tests/cli/*/*/; do
	[ -f "$dir/cmd" ] || continue
	name=${dir%/}
	name=${name#"$SRCDIR"/tests/cli/}
	work="$T_TMP/$(echo "$name" | tr / _)"
	mkdir -p "$work"
	if [ -f "$dir/stdin" ]; then in="$dir/stdin"; else in=/dev/null; fi
	(cd "$work" && CASEDIR=$dir sh -c "$(cat "$dir/cmd")" \
	    <"$in" >"$work.out" 2>"$work.err")
	rc=$?
	want_rc=0
	[ -f "$dir/exit" ] && want_rc=$(cat "$dir/exit")
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$work.out" "$dir/stdout"
		[ -f "$dir/stderr" ] || [ -s "$work.err" ] && \
		    cp "$work.err" "$dir/stderr"
		[ "$rc" != 0 ] && echo "$rc" >"$dir/exit"
		[ "$rc" = 0 ] && rm -f "$dir/exit"
		ok "$name (updated)"
		continue
	fi
	bad=
	if [ "$rc" != "$want_rc" ]; then
		bad=1
		diag "exit status $rc, want $want_rc" "stderr:" "$(head -c 2000 "$work.err")"
	fi
	if ! diff -u "$dir/stdout" "$work.out" >"$work.diff" 2>&1; then
		bad=1
		diag "stdout differs:" "$(head -n 40 "$work.diff")"
	fi
	if [ -f "$dir/stderr" ] && ! diff -u "$dir/stderr" "$work.err" \
	    >"$work.diff" 2>&1; then
		bad=1
		diag "stderr differs:" "$(head -n 40 "$work.diff")"
	fi
	if [ -n "$bad" ]; then fail "$name"; else ok "$name"; fi
done
done_testing
