#!/bin/sh
# Every class has real Exim lines behind it: tests/classify/real.cases
# names corpus files (by path, never copied), a text and the class every
# line containing that text must get.
. "$(dirname "$0")/lib.sh"
TOOL=$BUILDDIR/tests/tools/classify-lines
[ -x "$TOOL" ] || skip_all "classify-lines not built"
REF=$SHARED/reference
[ -d "$REF" ] || skip_all "$REF missing"
F2B=$(find /usr/lib/python3/dist-packages/fail2ban/tests/files/logs \
    -maxdepth 0 2>/dev/null)
scratch

seen=
tab=$(printf '\t')
while IFS="$tab" read -r file text class; do
	case $file in ''|'#'*) continue ;; esac
	case $file in
	f2b/*)
		if [ -z "$F2B" ]; then
			if [ "${CI:-}" = true ]; then
				fail "$file: fail2ban samples missing under CI"
			else
				ok "$file: $text # SKIP fail2ban not installed"
			fi
			continue
		fi
		path=$F2B/${file#f2b/} ;;
	*)	path=$REF/$file ;;
	esac
	out=$T_TMP/$(echo "$file" | tr / _).out
	if [ ! -f "$out" ]; then
		if ! run "$TOOL" "$path" >"$out" 2>"$out.err"; then
			fail "$file: classify-lines failed"
			diag "$(cat "$out.err")"
			continue
		fi
	fi
	# Lines containing the text (in the line column), and their classes.
	awk -F '\t' -v t="$text" 'index(substr($0, index($0, $4)), t) > 0' \
	    "$out" >"$T_TMP/hits"
	n=$(wc -l <"$T_TMP/hits")
	bad=$(awk -F '\t' -v c="$class" '$1 != c' "$T_TMP/hits")
	if [ "$n" -eq 0 ]; then
		fail "$file: no line contains \"$text\""
	elif [ -n "$bad" ]; then
		fail "$file: \"$text\" -> $class ($n lines)"
		diag "$(echo "$bad" | head -n 5)"
	else
		ok "$file: \"$text\" -> $class ($n lines)"
	fi
	seen="$seen $class"
done <"$SRCDIR/tests/classify/real.cases"

# Every built-in class has at least one real line.
for c in ratelimit relay unknown_user auth dnsbl helo sender spf greylist \
    spam malware protocol connection tls rejected; do
	case " $seen " in
	*" $c "*) ok "class $c has real lines" ;;
	*) fail "class $c has no real line in real.cases" ;;
	esac
done

# The lab's abusive clients are all found with an address; the
# well-behaved 127.0.0.1 deliveries are not classified.
"$TOOL" "$REF/exim-lab-debian/debian-default/mainlog" >"$T_TMP/lab"
check "lab: classified lines carry an address" \
    test "$(awk -F '\t' '$1 != "-" && $3 == "-"' "$T_TMP/lab" | wc -l)" = 0
check "lab: 33 classified lines" \
    test "$(awk -F '\t' '$1 != "-"' "$T_TMP/lab" | wc -l)" = 33

# offenders skips parsing lines that a quick look says are deliveries:
# over every corpus file, the parser must agree (classify-lines exits 1).
n=0
bad=0
for f in "$REF"/exim-testsuite/* "$REF"/exim-lab-debian/*/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	"$TOOL" "$f" >/dev/null 2>>"$T_TMP/quick.err" || bad=$((bad + 1))
done
if [ "$bad" = 0 ] && [ "$n" -gt 400 ]; then
	ok "quick delivery check agrees with the parser on $n files"
else
	fail "quick delivery check disagrees on $bad of $n files"
	diag "$(head -n 10 "$T_TMP/quick.err")"
fi
done_testing
