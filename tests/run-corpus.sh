#!/bin/sh
# Every line of the reference corpora goes through the parser (via
# lib/stream.c, tests/tools/parsedump) without a crash; the share of
# records that get a specific event (not "other") must stay at or above
# the thresholds below; every remaining "other" line shape must be listed,
# with the reason, in tests/parse/OTHER.md.
. "${SRCDIR:-.}/tests/lib.sh"

PD=$BUILDDIR/tests/tools/parsedump
REF=$SHARED/reference
OTHERMD=$SRCDIR/tests/parse/OTHER.md
[ -x "$PD" ] || skip_all "parsedump not built"
[ -d "$REF/exim-testsuite" ] && [ -d "$REF/exim-lab-debian" ] ||
    skip_all "reference corpora not found under $REF"
scratch

# Thresholds in per mille of records (just below what the parser reaches;
# see tests/parse/OTHER.md for the lines that stay "other").
MIN_TESTSUITE=825
MIN_LAB=1000

# corpus NAME MIN FILE...
corpus() {
	_name=$1
	_min=$2
	shift 2
	if run "$PD" -c "$@" >"$T_TMP/$_name.count" 2>"$T_TMP/$_name.err"; then
		ok "$_name: every line parsed ($# files)"
	else
		fail "$_name: parsedump failed (status $?)"
		sed 's/^/# /' "$T_TMP/$_name.err"
		return
	fi
	_total=$(awk '$1 == "total" { print $2 }' "$T_TMP/$_name.count")
	_other=$(awk '$1 == "other" { print $2 }' "$T_TMP/$_name.count")
	_other=${_other:-0}
	# Non-empty lines (the stream skips empty ones; no [n/m] joins here).
	_lines=$(cat "$@" | tr -d '\r' | grep -c -v '^$')
	if [ "$_total" = "$_lines" ]; then
		ok "$_name: one record per non-empty line ($_lines)"
	else
		fail "$_name: $_total records for $_lines non-empty lines"
	fi
	_pm=$(( (_total - _other) * 1000 / _total ))
	diag "$_name: $((_total - _other)) of $_total records have a specific event: $((_pm / 10)).$((_pm % 10))% (min $((_min / 10)).$((_min % 10))%)"
	diag "$_name: $(tr '\n' ' ' <"$T_TMP/$_name.count")"
	if [ "$_pm" -ge "$_min" ]; then
		ok "$_name: specific share ${_pm} per mille >= $_min"
	else
		fail "$_name: specific share ${_pm} per mille < $_min"
	fi
	# Shapes of the remaining "other" records.
	"$PD" -w "$@" | sort | uniq -c | sort -rn >"$T_TMP/$_name.shapes"
	sed -n '/^<!-- shapes: begin -->$/,/^<!-- shapes: end -->$/p' \
	    "$OTHERMD" | awk -F'\t' 'NF >= 2 { print $1 }' |
	    sed 's/^    //' | sort -u >"$T_TMP/documented"
	_new=$(awk '{ print $2 }' "$T_TMP/$_name.shapes" | sort -u |
	    comm -23 - "$T_TMP/documented")
	if [ -z "$_new" ]; then
		ok "$_name: every 'other' shape is documented in OTHER.md"
	else
		fail "$_name: undocumented 'other' shapes"
		diag "$_new"
	fi
}

corpus exim-testsuite "$MIN_TESTSUITE" "$REF"/exim-testsuite/log-* \
    "$REF"/exim-testsuite/rejectlog-* "$REF"/exim-testsuite/paniclog-*
corpus exim-lab-debian "$MIN_LAB" "$REF"/exim-lab-debian/*/*log*

done_testing
