#!/bin/sh
# regex-test against fail2ban-regex -r and grep -cP with the same filters
# on the same generated mainlog: the stock exim filter and the project's
# filters. fail2ban-regex (~75k lines/s) runs on a slice of BENCH_SLICE
# lines (default 1000000: its ~0.25 s Python start-up is then ~2% of its
# time, where it was ~9% of a 200000-line slice), regex-test on the slice
# and on the whole log (BENCH_SIZE, default 1G) with its default jobs (up
# to 4 threads, one per core) and with -j 1, grep -cP (the filter's main
# expanded failregex alone, behind a date pattern) on the whole log. Both
# summaries on the slice must agree: the script checks and says so.
. "$(dirname "$0")/common.sh"
: "${REGEX_TEST:=${BUILDDIR%/}/cmd/regex-test}"
EXPAND=${BUILDDIR%/}/bench/f2bexpand
SLICE_LINES=${BENCH_SLICE:-1000000}
F2B_REPEAT=${BENCH_F2B_REPEAT:-1}
FILTERS=${BENCH_FILTERS:-"exim $SRCDIR/filters/eximsift-ratelimit.conf $SRCDIR/filters/eximsift-relay.conf"}
[ -x "$REGEX_TEST" ] || die "$REGEX_TEST missing (run make)"
[ -x "$EXPAND" ] || die "$EXPAND missing (run make)"
[ -x "$GENLOG" ] || die "$GENLOG missing (run make)"
[ -x "$TIME" ] || die "GNU time (/usr/bin/time) missing"
command -v fail2ban-regex >/dev/null 2>&1 || die "fail2ban-regex missing"
mkdir -p "$DATA" "$OUT" || die "cannot create $DATA"
if [ ! -s "$LOG" ]; then
	echo "generating $SIZE mainlog ($ADDRS addresses) in $LOG" >&2
	"$GENLOG" -s "$SIZE" -a "$ADDRS" -S 1 -o "$LOG.tmp" &&
	    mv "$LOG.tmp" "$LOG" || die "genlog failed"
fi
SLICE=$DATA/slice-$SLICE_LINES-$SIZE-$ADDRS
if [ ! -s "$SLICE" ]; then
	head -n "$SLICE_LINES" "$LOG" >"$SLICE.tmp" && mv "$SLICE.tmp" "$SLICE" ||
	    die "cannot write $SLICE"
fi
FULL_BYTES=$(wc -c <"$LOG")
FULL_LINES=$(wc -l <"$LOG")
SL_BYTES=$(wc -c <"$SLICE")
SL_LINES=$(wc -l <"$SLICE")
echo "input: $LOG ($FULL_BYTES bytes, $FULL_LINES lines), slice of the first" \
    "$SL_LINES lines for fail2ban-regex; best of $REPEAT runs" \
    "($F2B_REPEAT for fail2ban-regex)"
echo "       load average before: $(cut -d' ' -f1-3 /proc/loadavg)" \
    "(other work on the machine disturbs wall-clock figures)"

# lps LINES "wall cpu": lines per second by wall and by CPU time
lps() {
	awk -v l="$1" -v t="$2" 'BEGIN { split(t, x, " ");
		if (x[1] <= 0) x[1] = 0.01; if (x[2] <= 0) x[2] = 0.01;
		printf "%.0f %.0f", l / x[1], l / x[2] }'
}
# show WHAT OURS_LPS PEER_LPS TARGET: ratio of lines/s pairs
show() {
	awk -v w="$1" -v a="$2" -v b="$3" -v tg="$4" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		printf "  %-44s %7.1fx wall %7.1fx cpu  (target %s)\n", w,
		    x[1] / y[1], x[2] / y[2], tg }'
}

status=0
for flt in $FILTERS; do
	short=$(basename "$flt" .conf)
	echo
	echo "== filter $short"
	# the summaries on the slice (also timed)
	# shellcheck disable=SC2034 # used by measure()
	BYTES=$SL_BYTES LINES=$SL_LINES
	REPEAT_SAVE=$REPEAT
	REPEAT=$F2B_REPEAT
	measure "fail2ban-regex -r (slice)" "fail2ban-regex -r --print-no-missed \
	    --print-no-ignored '$SLICE' '$flt' > '$OUT/f2b.$short'"
	T_F2B="$T $C"
	REPEAT=$REPEAT_SAVE
	measure "regex-test (slice)" "'$REGEX_TEST' --no-timing --print-no-missed \
	    --print-no-ignored '$SLICE' '$flt' > '$OUT/rt.$short'"
	T_RTS="$T $C"
	a=$(grep '^Lines:' "$OUT/f2b.$short")
	b=$(grep '^Lines:' "$OUT/rt.$short")
	echo "  fail2ban-regex: $a"
	echo "  regex-test:     $b"
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		echo "  summaries agree (lines, ignored, matched, missed)"
	else
		echo "  SUMMARIES DISAGREE"
		status=1
	fi
	# the whole log
	# shellcheck disable=SC2034 # used by measure()
	BYTES=$FULL_BYTES LINES=$FULL_LINES
	measure "regex-test (whole log)" "'$REGEX_TEST' --no-timing \
	    --print-no-missed --print-no-ignored '$LOG' '$flt' > '$OUT/rtf.$short'"
	T_RTF="$T $C"
	measure "regex-test -j 1 (whole log)" "'$REGEX_TEST' -j 1 --no-timing \
	    --print-no-missed --print-no-ignored '$LOG' '$flt' > '$OUT/rt1.$short'"
	T_RT1="$T $C"
	cmp -s "$OUT/rtf.$short" "$OUT/rt1.$short" ||
	    { echo "  -j 1 AND DEFAULT JOBS DISAGREE"; status=1; }
	# grep -cP: the failregex with the most hits, behind a date pattern
	"$REGEX_TEST" --json "$SLICE" "$flt" | tail -n 1 >"$OUT/sum.$short"
	main=$(sed 's/.*"failregex":\[\([0-9,]*\)\].*/\1/' "$OUT/sum.$short" |
	    tr ',' '\n' | awk '{ if ($1 > best) { best = $1; n = NR } }
	    END { print n + 0 }')
	re=$("$EXPAND" "$flt" | sed -n "${main}p")
	re=${re#^}
	printf '%s\n' "^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$re" >"$OUT/re.$short"
	measure "grep -cP failregex $main (whole)" \
	    "grep -cP -f '$OUT/re.$short' '$LOG' > '$OUT/grep.$short'"
	T_GREP="$T $C"
	hits=$(sed -n "s/^|  *$main) \\[\\([0-9]*\\)\\].*/\\1/p" "$OUT/rtf.$short")
	echo "  failregex $main: grep -cP counts $(cat "$OUT/grep.$short")," \
	    "regex-test ${hits:-?} hits"
	L_F2B=$(lps "$SL_LINES" "$T_F2B")
	L_RTS=$(lps "$SL_LINES" "$T_RTS")
	L_RTF=$(lps "$FULL_LINES" "$T_RTF")
	L_RT1=$(lps "$FULL_LINES" "$T_RT1")
	L_GREP=$(lps "$FULL_LINES" "$T_GREP")
	echo "  lines/s (wall cpu): fail2ban-regex $L_F2B; regex-test slice" \
	    "$L_RTS, whole $L_RTF, -j 1 whole $L_RT1; grep -cP $L_GREP"
	show "regex-test whole / fail2ban-regex slice" "$L_RTF" "$L_F2B" ">= 100x"
	show "regex-test -j 1 whole / fail2ban-regex slice" "$L_RT1" "$L_F2B" \
	    ">= 100x"
	show "regex-test slice / fail2ban-regex slice" "$L_RTS" "$L_F2B" ">= 100x"
	show "regex-test / grep -cP (whole log)" "$L_RTF" "$L_GREP" ">= 0.33x"
done
exit $status
