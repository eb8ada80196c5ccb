#!/bin/sh
# The bundled sample logs (testdata/sample/, made by
# tests/exim/make-sample.sh from a real Exim run) against the scenario
# table they came from: eximparse reads the rotated set in order with the
# clients' (rewritten) addresses and events, offenders ranks each
# misbehaving client with its classes and counts. No Exim or root needed.
. "$(dirname "$0")/lib.sh"

HERE=$SRCDIR/tests/exim
TABLE=$HERE/scenarios
S=$TESTDATA/sample
need perl gzip
scratch

# shellcheck source=tests/exim/report.sh
. "$HERE/report.sh"

check "sample set is there" test -s "$S/mainlog.2.gz" -a -s "$S/mainlog.1" \
    -a -s "$S/mainlog" -a -s "$S/rejectlog" -a -s "$S/README"
size=$(cat "$S"/* | wc -c)
check "sample is small ($size bytes < 200 KB)" test "$size" -lt 204800
if { gzip -dc "$S/mainlog.2.gz"; cat "$S/mainlog.1" "$S/mainlog" \
    "$S/rejectlog"; } | grep -q '127\.0\.\|\[::1\]'; then
	fail "sample holds loopback addresses"
else
	ok "sample holds documentation addresses only"
fi

(cd "$S" && run "$EXIMPARSE" mainlog.1 mainlog mainlog.2.gz) \
    >"$T_TMP/parse.jsonl"
check "eximparse on the sample: exit 0" test $? = 0
perl "$HERE/check.pl" --sample parse "$TABLE" "$T_TMP/parse.jsonl" "$S" \
    mainlog.2.gz mainlog.1 mainlog >"$T_TMP/res"
report "$T_TMP/res"

(cd "$S" && run "$EXIMPARSE" rejectlog) >"$T_TMP/reject.jsonl"
check "eximparse on the sample rejectlog: exit 0" test $? = 0
perl "$HERE/check.pl" --sample reject "$TABLE" "$T_TMP/reject.jsonl" \
    "$S/rejectlog" "$T_TMP/parse.jsonl" >"$T_TMP/res"
report "$T_TMP/res"

SET="mainlog.2.gz mainlog.1 mainlog"
# shellcheck disable=SC2086
(cd "$S" && run "$OFFENDERS" -c all -f json $SET) >"$T_TMP/off.jsonl"
check "offenders on the sample: exit 0" test $? = 0
perl "$HERE/check.pl" --sample offenders "$TABLE" "$T_TMP/off.jsonl" \
    >"$T_TMP/res"
report "$T_TMP/res"

# shellcheck disable=SC2086
(cd "$S" && run "$OFFENDERS" -c all -f list $SET) >"$T_TMP/off.list"
check "offenders -c all -f list on the sample: exit 0" test $? = 0
perl "$HERE/check.pl" --sample list "$TABLE" "$T_TMP/off.list" >"$T_TMP/res"
report "$T_TMP/res"

defaults=$("$OFFENDERS" --list-classes | awk '
    NR > 1 && NF == 0 { exit }
    NR > 1 && $3 == "yes" { printf "%s%s", s, $1; s = "," }')
check "offenders --list-classes names default classes ($defaults)" \
    test -n "$defaults"
# shellcheck disable=SC2086
(cd "$S" && run "$OFFENDERS" -f json $SET) >"$T_TMP/def.jsonl"
check "offenders with the default classes on the sample: exit 0" test $? = 0
perl "$HERE/check.pl" --sample offenders "$TABLE" "$T_TMP/def.jsonl" \
    "$defaults" >"$T_TMP/res"
report "$T_TMP/res"

done_testing
