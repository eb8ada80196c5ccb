#!/bin/sh
# The line parser alone (lib/stream.c over lib/logset.c, then sift_parse():
# tests/tools/parsedump -s, no output) against cat and grep -c on the same
# generated mainlog; parsedump -n (reading and splitting lines only) shows
# what the reader costs. Prints MB/s, lines/s and ratios.
. "$(dirname "$0")/common.sh"
PD=${BUILDDIR%/}/tests/tools/parsedump
[ -x "$PD" ] || die "$PD missing (run make)"
bench_data

measure "cat" "cat '$LOG' > /dev/null"
# GNU grep stops at the first match when its output is /dev/null
measure "grep -c rejected" "grep -c rejected '$LOG' > '$OUT/grep.out'"
T_GREP="$T $C"
measure "read lines only (parsedump -n)" "'$PD' -n '$LOG' > /dev/null"
T_READ="$T $C"
measure "read + parse (parsedump -s)" "'$PD' -s '$LOG' > /dev/null"
T_PARSE="$T $C"

echo "ratios (throughput of the parser / throughput of the peer):"
ratio "parse / grep -c rejected" "$T_PARSE" "$T_GREP" "> 1 GB/s per core"
ratio "parse / read only" "$T_PARSE" "$T_READ" "-"
