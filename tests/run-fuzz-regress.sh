#!/bin/sh
# Replay every fuzz corpus and every crash ever found (tests/fuzz/corpus/<t>/,
# tests/fuzz/crashes/<t>/) through each fuzz target, linked with the replay
# driver (tests/fuzz/driver.c). Under `make SAN=1 check` the targets run with
# ASan and UBSan, so a regression is a sanitizer report here.
. "$(dirname "$0")/lib.sh"
scratch

FZ=$SRCDIR/tests/fuzz
found=
for src in "$FZ"/fuzz_*.c; do
	[ -f "$src" ] || continue
	found=1
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	bin=$BUILDDIR/tests/fuzz/fuzz_$t
	if [ ! -x "$bin" ]; then
		fail "$t: $bin not built"
		continue
	fi
	dirs=
	want=0
	for d in "$FZ/corpus/$t" "$FZ/crashes/$t"; do
		[ -d "$d" ] || continue
		dirs="$dirs $d"
		want=$((want + $(find "$d" -type f ! -name '.*' | wc -l)))
	done
	if [ "$want" = 0 ]; then
		fail "$t: no corpus in tests/fuzz/corpus/$t"
		continue
	fi
	# shellcheck disable=SC2086
	"$bin" $dirs >"$T_TMP/$t.out" 2>&1
	rc=$?
	got=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$T_TMP/$t.out")
	if [ "$rc" != 0 ]; then
		# Name the input that failed: replay again, one name per input.
		# shellcheck disable=SC2086
		"$bin" -v $dirs >"$T_TMP/$t.v" 2>&1
		diag "exit status $rc" "$(grep '^replay: ' "$T_TMP/$t.v" |
		    tail -n 1)" "$(tail -n 30 "$T_TMP/$t.out")"
		fail "$t: replay of $want inputs"
	elif [ "$got" != "$want" ]; then
		diag "replayed ${got:-no} inputs, want $want"
		fail "$t: replay of $want inputs"
	else
		ok "$t: replay of $want inputs"
	fi
done
[ -n "$found" ] || fail "no fuzz targets in $FZ"
done_testing
