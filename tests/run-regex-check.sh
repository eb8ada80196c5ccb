#!/bin/sh
# regex-test --check on every stock filter's sample log in the fail2ban
# Python package (read in place), against fail2ban's own sample test
# harness (fail2ban-testcases FilterSamplesRegex) on the same files: a
# filter whose samples pass there must pass here. Prints a table.
. "$(dirname "$0")/lib.sh"
need fail2ban-testcases
F2B=$(/usr/bin/python3 -c 'import fail2ban,os;print(os.path.dirname(fail2ban.__file__))' 2>/dev/null)
LOGS=$F2B/tests/files/logs
[ -d "$LOGS" ] || skip_all "fail2ban sample logs not found"
[ -d /etc/fail2ban/filter.d ] || skip_all "no /etc/fail2ban/filter.d"
scratch

# Filters declared unsupported (shown, not failed): none.
UNSUPPORTED=" "

# fail2ban's verdicts: the failing sample tests, by filter name
(cd "$T_TMP" && fail2ban-testcases -n -l critical FilterSamplesRegex) \
    >"$T_TMP/f2b.out" 2>&1
sed -n 's/^\(ERROR\|FAIL\): testSampleRegexs\([^ ]*\) .*/\2/p' \
    "$T_TMP/f2b.out" | tr 'A-Z' 'a-z' >"$T_TMP/f2b.failed"
grep -q '^Ran [0-9]* tests' "$T_TMP/f2b.out" ||
    fail "fail2ban-testcases did not run: $(tail -3 "$T_TMP/f2b.out")"

for f in "$LOGS"/*; do
	name=$(basename "$f")
	[ -f "/etc/fail2ban/filter.d/$name.conf" ] && echo "$name"
done >"$T_TMP/names"
if [ "${SIFT_SAN:-}" = 1 ]; then
	grep -E '^(exim|exim-spam|postfix|dovecot|sshd|pam-generic|lighttpd-auth)$' \
	    "$T_TMP/names" >"$T_TMP/n2"
	mv "$T_TMP/n2" "$T_TMP/names"
fi
pass=0
total=0
checks=0
printf '# %-26s %6s %7s %9s %10s\n' filter lines checks fail2ban regex-test
while read -r name; do
	total=$((total + 1))
	"$REGEX_TEST" --check "$LOGS/$name" "$name" >"$T_TMP/$name.out" 2>&1
	rc=$?
	sum=$(tail -n 1 "$T_TMP/$name.out")
	lines=$(echo "$sum" | sed -n 's/.*: \([0-9]*\) lines, .*/\1/p')
	nchk=$(echo "$sum" | sed -n 's/.* \([0-9]*\) checks, .*/\1/p')
	checks=$((checks + ${nchk:-0}))
	if grep -qx "$name" "$T_TMP/f2b.failed"; then theirs=fail; else theirs=pass; fi
	if [ "$rc" = 0 ]; then ours=pass; pass=$((pass + 1)); else ours=fail; fi
	printf '# %-26s %6s %7s %9s %10s\n' "$name" "${lines:-?}" "${nchk:-?}" "$theirs" "$ours"
	case "$UNSUPPORTED" in
	*" $name "*)
		[ "$ours" = fail ] && diag "  ($name is declared unsupported: $(grep -c . "$T_TMP/$name.out") lines of disagreement)"
		continue;;
	esac
	if [ "$ours" = "$theirs" ]; then
		ok "$name: --check $ours, as fail2ban's harness"
	else
		fail "$name: --check $ours, fail2ban's harness $theirs"
		head -n 10 "$T_TMP/$name.out" | sed 's/^/#   /'
	fi
done <"$T_TMP/names"
diag "samples passing: $pass of $total filters ($checks line checks)"

# a disagreement must be found: the exim samples with one expectation
# turned around
sed '0,/"match": true , "host": "\([0-9.]*\)"/s//"match": true , "host": "192.0.2.254"/' \
    "$LOGS/exim" >"$T_TMP/exim-bad"
out=$("$REGEX_TEST" --check "$T_TMP/exim-bad" exim)
rc=$?
check "a wrong host is reported (exit 1)" [ "$rc" = 1 ]
echo "$out" | grep -q "host: expected '192.0.2.254', got '" ||
    fail "no host disagreement in: $out"
done_testing
