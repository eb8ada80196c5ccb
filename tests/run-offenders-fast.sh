#!/bin/sh
# offenders' fast paths give the full paths' results, line by line
# (tests/tools/fastcheck): the scanner-driven rule walk against trying
# every rule, and the quick look at a line against the parser, over the
# real corpora, the hostile and parser cases, and a generated log like
# the benchmark's; with the built-in catalogue and with a user rules file.
. "$(dirname "$0")/lib.sh"
TOOL=$BUILDDIR/tests/tools/fastcheck
GENLOG=$BUILDDIR/bench/genlog
[ -x "$TOOL" ] || skip_all "fastcheck not built"
[ -x "$GENLOG" ] || skip_all "bench/genlog not built"
REF=$SHARED/reference
scratch
cd "$T_TMP" || exit 1

size=40M
[ "${SIFT_SAN:-}" = 1 ] && size=4M
"$GENLOG" -s "$size" -a 30000 -S 11 -o gen.log
check "genlog wrote a log" test -s gen.log

set -- "$SRCDIR"/tests/hostile/cases "$SRCDIR"/tests/parse/*.cases \
    "$SRCDIR"/tests/classify/quick.lines
if [ -d "$REF" ]; then
	# every corpus file (compressed ones are read through the codecs)
	find "$REF" -type f ! -name '*.md' | sort >corpora
	check "reference corpora found" test -s corpora
	while IFS= read -r f; do
		set -- "$@" "$f"
	done <corpora
elif [ "${CI:-}" = true ]; then
	fail "$REF missing under CI"
fi

for rules in "" "$SRCDIR/tests/classify/fastcheck.rules"; do
	what=${rules:+user rules}
	what=${what:-built-in rules}
	run "$TOOL" ${rules:+-C "$rules"} gen.log >gen.out 2>gen.err
	check "generated log, $what: fast = full" test $? = 0
	diag "$(cat gen.out)"
	if grep -q ' 0 classified' gen.out; then
		fail "generated log, $what: nothing classified"
	else
		ok "generated log, $what: lines were classified"
	fi
	[ -s gen.err ] && diag "$(head -n 5 gen.err)"
	run "$TOOL" ${rules:+-C "$rules"} "$@" >ref.out 2>ref.err
	check "corpora and cases, $what: fast = full" test $? = 0
	diag "$(cat ref.out)"
	[ -s ref.err ] && diag "$(head -n 5 ref.err)"
done
done_testing
