#!/bin/sh
# regex-test -j: a plain log cut into pieces read at once gives, byte for
# byte, what one job gives (summary, per-regex and date template counts,
# --print-all-*, --json, messages, exit status), also when the pieces'
# date searches cannot join (mixed and changing date formats), for
# order-dependent filters (read in order), and the mapped log reads as the
# line reader reads it (standard input, gzip): CRLF, comments, empty lines,
# a line over the 64 KiB limit, a last line without its end.
. "$(dirname "$0")/lib.sh"
need gzip awk
GENLOG=${BUILDDIR%/}/bench/genlog
[ -x "$GENLOG" ] || skip_all "$GENLOG missing (run make)"
F2B=$(/usr/bin/python3 -c 'import fail2ban,os;print(os.path.dirname(fail2ban.__file__))' 2>/dev/null)
LOGS=$F2B/tests/files/logs
[ -f "$LOGS/exim" ] || skip_all "fail2ban sample logs not found"
[ -f /etc/fail2ban/filter.d/exim.conf ] || skip_all "no stock exim filter"
scratch
SIZE=3M
[ "${SIFT_SAN:-}" = 1 ] && SIZE=1500k

# The base log: generated Exim lines with, in its middle and near its end,
# fail2ban's exim samples, CRLF ends, comments, empty lines, a date-less
# line, a line over the reader's limit, and a last line without "\n".
"$GENLOG" -s "$SIZE" -a 3000 -S 7 -o "$T_TMP/gen" || fail "genlog"
n=$(wc -l <"$T_TMP/gen")
half=$((n / 2))
{
	head -n "$half" "$T_TMP/gen"
	grep -v '^#' "$LOGS/exim"
	printf '\n# a comment\n\nno date here [1.2.3.4]\n'
	head -n 20 "$T_TMP/gen" | tail -n 5 | sed 's/$/\r/'
	awk 'BEGIN { s = "2026-11-01 00:00:00 H=x [10.0.0.9] "; \
	    while (length(s) < 70000) s = s "y"; print s }'
	tail -n "+$((half + 1))" "$T_TMP/gen"
	grep -v '^#' "$LOGS/exim-spam"
	printf '2026-11-01 00:00:00 no end'
} >"$T_TMP/base.log"

# Mixed formats: every third line's date in syslog form, and dates that
# the ISO fast path leaves to PCRE2 (a zone, a fraction).
awk '{ if (NR % 3 == 0 && $1 ~ /^2026-/) {
		split($1, d, "-"); $1 = "Nov " (d[3] + 0); print; next }
	if (NR % 7 == 0) { sub(/^[^ ]+ [^ ]+/, "& +0100"); }
	if (NR % 11 == 0) { sub(/^[^ ]+ [^ ]+/, "&.123"); }
	print }' "$T_TMP/base.log" >"$T_TMP/mixed.log"
# A change of format in the middle: the second half in syslog form.
awk -v h="$half" '{ if (NR > h && $1 ~ /^2026-/) {
		split($1, d, "-"); $1 = "Nov " (d[3] + 0) } print }' \
    "$T_TMP/base.log" >"$T_TMP/halves.log"

# same NAME LOG FILTER OPTIONS...: -j 1 against -j 2, 3 and 8
same() {
	_name=$1 _log=$2 _flt=$3
	shift 3
	"$REGEX_TEST" -j 1 --no-timing "$@" "$_log" "$_flt" \
	    >"$T_TMP/j1" 2>&1
	echo "exit $?" >>"$T_TMP/j1"
	_bad=
	for _j in 2 3 8; do
		"$REGEX_TEST" -j "$_j" --no-timing "$@" "$_log" "$_flt" \
		    >"$T_TMP/jn" 2>&1
		echo "exit $?" >>"$T_TMP/jn"
		cmp -s "$T_TMP/j1" "$T_TMP/jn" || _bad="$_bad $_j"
	done
	if [ -z "$_bad" ]; then
		ok "$_name: -j 2, 3, 8 as -j 1 ($(grep -m1 '^Lines:\|"summary"' \
		    "$T_TMP/j1" | cut -c1-60))"
	else
		fail "$_name: -j$_bad differ from -j 1"
		diff "$T_TMP/j1" "$T_TMP/jn" | head -n 10 | sed 's/^/# /'
	fi
}

EXIM=exim
RL=$SRCDIR/filters/eximsift-ratelimit.conf
RELAY=$SRCDIR/filters/eximsift-relay.conf
for flt in $EXIM exim-spam "$RL" "$RELAY"; do
	short=$(basename "$flt" .conf)
	same "$short" "$T_TMP/base.log" "$flt"
	same "$short --json" "$T_TMP/base.log" "$flt" --json
done
same "exim --print-all-*" "$T_TMP/base.log" exim --print-all-missed \
    --print-all-matched --print-all-ignored
same "exim -v --strict" "$T_TMP/base.log" exim -v --strict
# an ignoreregex argument (the fourth place) also reaches the pieces
"$REGEX_TEST" -j 1 --no-timing "$T_TMP/base.log" exim 'rejected RCPT' \
    >"$T_TMP/i1" 2>&1
"$REGEX_TEST" -j 3 --no-timing "$T_TMP/base.log" exim 'rejected RCPT' \
    >"$T_TMP/i3" 2>&1
if cmp -s "$T_TMP/i1" "$T_TMP/i3" &&
    grep -q '^Lines: .* [1-9][0-9]* ignored' "$T_TMP/i1"; then
	ok "ignoreregex argument: -j 3 as -j 1"
else
	fail "ignoreregex argument: -j 3 differs or nothing ignored"
fi
same "mixed dates" "$T_TMP/mixed.log" exim -v
same "mixed dates --json" "$T_TMP/mixed.log" "$RL" --json
same "date format change" "$T_TMP/halves.log" exim -v
same "datepattern" "$T_TMP/base.log" exim -v -d '%Y-%m-%d %H:%M:%S'
# no temporary files for --json: the pieces are read in order
"$REGEX_TEST" -j 1 --json "$T_TMP/base.log" exim >"$T_TMP/t1" 2>&1
TMPDIR=/nonexistent "$REGEX_TEST" -j 3 --json "$T_TMP/base.log" exim \
    >"$T_TMP/t3" 2>&1
check "--json without a usable TMPDIR: -j 3 as -j 1" cmp -s "$T_TMP/t1" \
    "$T_TMP/t3"
# order-dependent filters are read in order
same "sshd (mlfid)" "$T_TMP/base.log" sshd
same "maxlines 3" "$T_TMP/base.log" exim -L 3

# the mapped log reads as the reader reads standard input and gzip (the
# warning about the long line names each its own way)
"$REGEX_TEST" -j 2 --no-timing --print-all-missed --print-all-matched \
    "$T_TMP/base.log" exim 2>"$T_TMP/map.err" | grep -v '^Use  *log file' >"$T_TMP/map"
"$REGEX_TEST" --no-timing --print-all-missed --print-all-matched - exim \
    <"$T_TMP/base.log" 2>"$T_TMP/stdin.err" | grep -v '^Use  *log file' >"$T_TMP/stdin"
gzip -c "$T_TMP/base.log" >"$T_TMP/base.log.gz"
"$REGEX_TEST" --no-timing --print-all-missed --print-all-matched \
    "$T_TMP/base.log.gz" exim 2>"$T_TMP/gz.err" | grep -v '^Use  *log file' >"$T_TMP/gz"
for f in map stdin gz; do
	sed 's/^regex-test: [^:]*:/LOG:/' "$T_TMP/$f.err" >>"$T_TMP/$f"
done
check "mapped log reads as standard input" cmp -s "$T_TMP/map" \
    "$T_TMP/stdin"
check "mapped log reads as gzip" cmp -s "$T_TMP/map" "$T_TMP/gz"
n=$(awk 'length($0) > 65536 { print NR; exit }' "$T_TMP/base.log")
check "the cut line is named (line $n)" grep -q "^LOG:$n: line longer than" \
    "$T_TMP/map"
# the long line is tested (cut at 64 KiB), the unended last line is not
check "the line over 64 KiB is tested" grep -q '^|  2026-11-01 00:00:00 H=x \[10\.0\.0\.9\] yyyy' "$T_TMP/map"
if grep -q 'no end' "$T_TMP/map"; then
	fail "the last line without its end was tested"
else
	ok "the last line without its end is not tested"
fi
# tested: the ended lines but empty ones and comments
lines=$(grep -c '' "$T_TMP/base.log")
want=$(head -n "$((lines - 1))" "$T_TMP/base.log" | grep -c -v '^#\|^$')
check "every ended line counted ($want)" grep -q "^Lines: $want lines" \
    "$T_TMP/map"

# bad -j values
"$REGEX_TEST" -j 0 "$T_TMP/base.log" exim >/dev/null 2>"$T_TMP/err"
check "-j 0 is refused (exit 2)" test $? = 2
"$REGEX_TEST" --jobs=x "$T_TMP/base.log" exim >/dev/null 2>"$T_TMP/err"
check "--jobs=x is refused (exit 2)" test $? = 2
done_testing
