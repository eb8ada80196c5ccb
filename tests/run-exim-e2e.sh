#!/bin/sh
# End to end against a real Exim: Debian's exim4-daemon-light on a
# loopback port with our configuration (tests/exim/), driven by swaks and
# a raw client from distinct loopback addresses as tests/exim/scenarios
# says, its main log rotated twice mid-run and the old generations
# compressed (zstd, gzip). Then eximparse must read the set (given in
# shuffled order) in time order, each record stamped with its line's time,
# with exactly the scenario's client addresses and events; the rejectlog,
# the log directory, TSV output and the -m, -e and -i filters must agree
# with that. offenders must rank every misbehaving client with the right
# classes and counts (all classes, and the default ones), list them for
# banlist, and leave the well-behaved ones out. Expectations all come from
# the scenario table. Needs root (exim4 -C); 20 to 30 seconds.
. "$(dirname "$0")/lib.sh"

EXIM=${EXIM:-/usr/sbin/exim4}
HERE=$SRCDIR/tests/exim
TABLE=$HERE/scenarios

need_root
[ -x "$EXIM" ] || skip_all "$EXIM (exim4-daemon-light) not installed"
need swaks perl gzip zstd
perl -MIO::Socket::INET6 -e1 2>/dev/null ||
    skip_all "IO::Socket::INET6 (libio-socket-inet6-perl) not installed"
scratch
chmod 755 "$T_TMP"	# Exim's user must reach the spool and logs below

# shellcheck source=tests/exim/report.sh
. "$HERE/report.sh"

# ---------------------------------------------------------------------
# The run: a network namespace of our own when we can have one (no port
# clashes, certainly no DNS), else the host's loopback on a spare port.
# ---------------------------------------------------------------------
RUN=$T_TMP/run
# Debian's default selector, plus what exercises more of the parser:
# pids, milliseconds, I=[interface]:port (not the client!), connection
# lines and "no MAIL" lines.
SELECTOR="+smtp_protocol_error +smtp_syntax_error +tls_certificate_verified"
SELECTOR="$SELECTOR +tls_peerdn +pid +millisec +incoming_interface"
SELECTOR="$SELECTOR +incoming_port +smtp_connection +smtp_no_mail"
export SELECTOR EXIM
if command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	unshare -n sh -c 'ip link set lo up && exec sh "$0" "$1"' \
	    "$HERE/run-scenario.sh" "$RUN" 2>"$T_TMP/run.err"
else
	PORT=$((20000 + $$ % 10000)) sh "$HERE/run-scenario.sh" "$RUN" \
	    2>"$T_TMP/run.err"
fi
rc=$?
LOG=$RUN/log
if [ "$rc" = 0 ]; then ok "scenario ran against exim"; else
	fail "scenario ran against exim (exit $rc)"
	diag "$(cat "$T_TMP/run.err")"
	done_testing
fi
check "rotated like Debian: mainlog.2.gz mainlog.1 mainlog" \
    test -s "$LOG/mainlog.2.gz" -a -s "$LOG/mainlog.1" -a -s "$LOG/mainlog"

# The harness itself: every scenario client reached Exim and left a line.
missing=
for a in $(awk '!/^#/ && NF { print $2 }' "$TABLE" | sort -u); do
	{ gzip -dc "$LOG/mainlog.2.gz"; cat "$LOG/mainlog.1" "$LOG/mainlog"; } |
	    grep -qF "[$a]" || missing="$missing $a"
done
if [ -z "$missing" ]; then ok "every scenario client is in the raw log"
else fail "clients missing from the raw log:$missing"; fi

# Mix the codecs: the oldest generation as zstd, the middle one as gzip.
gzip -dc "$LOG/mainlog.2.gz" | zstd -q -o "$LOG/mainlog.2.zst"
rm "$LOG/mainlog.2.gz"
gzip -9n "$LOG/mainlog.1"

# ---------------------------------------------------------------------
# eximparse
# ---------------------------------------------------------------------
{
	for order in "mainlog mainlog.2.zst mainlog.1.gz" \
	    "mainlog.1.gz mainlog mainlog.2.zst"; do
		# shellcheck disable=SC2086
		set -- $order
		(cd "$LOG" && run "$EXIMPARSE" "$@") >"$T_TMP/parse.jsonl" \
		    2>"$T_TMP/parse.err"
		rc=$?
		check "eximparse $order: exit 0" test "$rc" = 0
		[ -s "$T_TMP/parse.err" ] && diag "$(cat "$T_TMP/parse.err")"
		perl "$HERE/check.pl" parse "$TABLE" "$T_TMP/parse.jsonl" \
		    "$LOG" mainlog.2.zst mainlog.1.gz mainlog >"$T_TMP/res"
		report "$T_TMP/res"
	done
	# The log directory: the main log records are the same, and the
	# rejectlog is read too.
	run "$EXIMPARSE" "$LOG" >"$T_TMP/dir.jsonl"
	check "eximparse DIR: exit 0" test $? = 0
	perl "$HERE/check.pl" same "$TABLE" "$T_TMP/dir.jsonl" \
	    "$T_TMP/parse.jsonl" '^mainlog' >"$T_TMP/res"
	report "$T_TMP/res"
	check "eximparse DIR reads the rejectlog" \
	    grep -q '"file":"[^"]*rejectlog"' "$T_TMP/dir.jsonl"

	# TSV with chosen fields: the same rows.
	(cd "$LOG" && run "$EXIMPARSE" -f tsv -F ts,ip,event \
	    mainlog mainlog.1.gz mainlog.2.zst) >"$T_TMP/parse.tsv"
	check "eximparse -f tsv -F ts,ip,event: exit 0" test $? = 0
	perl "$HERE/check.pl" tsv "$TABLE" "$T_TMP/parse.tsv" \
	    "$T_TMP/parse.jsonl" >"$T_TMP/res"
	report "$T_TMP/res"

	# One message (the authenticated submission): every line that
	# carries its id, in any generation.
	id=$(perl -MJSON::PP -ne '$r = decode_json($_);
	    print "$r->{msgid}\n" if ($r->{ip} // "") eq "127.0.3.2" &&
	    $r->{event} eq "arrival"' "$T_TMP/parse.jsonl" | head -n 1)
	want=$({ zstd -dc "$LOG/mainlog.2.zst"; gzip -dc "$LOG/mainlog.1.gz"
	    cat "$LOG/mainlog"; } | grep -c -F -- "${id:-no-such-id}")
	(cd "$LOG" && run "$EXIMPARSE" -m "${id:-none}" \
	    mainlog mainlog.1.gz mainlog.2.zst) >"$T_TMP/msg.jsonl"
	got=$(grep -c -F "\"msgid\":\"$id\"" "$T_TMP/msg.jsonl")
	all=$(wc -l < "$T_TMP/msg.jsonl")
	check "eximparse -m $id: its $want lines (got $got of $all)" \
	    test -n "$id" -a "$want" -ge 3 -a "$got" = "$want" -a "$all" = "$want"

	# Filters, against the unfiltered run (the last order above).
	(cd "$LOG" && run "$EXIMPARSE" -e reject,auth_fail,tempreject \
	    -i 127.0.2.0/24 -i ::1 mainlog.2.zst mainlog.1.gz mainlog) \
	    >"$T_TMP/filter.jsonl"
	check "eximparse -e ... -i 127.0.2.0/24 -i ::1: exit 0" test $? = 0
	perl "$HERE/check.pl" filter "$TABLE" "$T_TMP/filter.jsonl" \
	    "$T_TMP/parse.jsonl" reject,auth_fail,tempreject 127.0.2.,::1 \
	    >"$T_TMP/res"
	report "$T_TMP/res"

	# Exim's own state agrees: the mailboxes hold one message per
	# delivery record, and the paniclog is all panic records.
	n=$(grep -c '"event":"delivery"' "$T_TMP/parse.jsonl")
	m=$(cat "$RUN"/mail/* 2>/dev/null | grep -c '^From ')
	check "mailboxes hold the $n delivered messages (found $m)" \
	    test "$n" -gt 0 -a "$n" = "$m"
	(cd "$LOG" && run "$EXIMPARSE" paniclog) >"$T_TMP/panic.jsonl"
	check "eximparse paniclog: exit 0" test $? = 0
	n=$(grep -c . "$LOG/paniclog")
	m=$(grep -c '"event":"panic"' "$T_TMP/panic.jsonl")
	check "paniclog: $n lines, $m panic records" test "$n" -gt 0 -a "$n" = "$m"

	# The rejectlog: the same entries as the main log, plus header
	# blocks as continuation records.
	(cd "$LOG" && run "$EXIMPARSE" rejectlog) >"$T_TMP/reject.jsonl"
	check "eximparse rejectlog: exit 0" test $? = 0
	perl "$HERE/check.pl" reject "$TABLE" "$T_TMP/reject.jsonl" \
	    "$LOG/rejectlog" "$T_TMP/parse.jsonl" >"$T_TMP/res"
	report "$T_TMP/res"
}


# ---------------------------------------------------------------------
# offenders
# ---------------------------------------------------------------------
{
	SET="mainlog.2.zst mainlog.1.gz mainlog"
	# shellcheck disable=SC2086
	(cd "$LOG" && run "$OFFENDERS" -c all -f json $SET) \
	    >"$T_TMP/off.jsonl" 2>"$T_TMP/off.err"
	check "offenders -c all -f json: exit 0" test $? = 0
	[ -s "$T_TMP/off.err" ] && diag "$(cat "$T_TMP/off.err")"
	perl "$HERE/check.pl" offenders "$TABLE" "$T_TMP/off.jsonl" \
	    >"$T_TMP/res"
	report "$T_TMP/res"

	# The list banlist reads: the misbehaving clients, nobody else.
	# shellcheck disable=SC2086
	(cd "$LOG" && run "$OFFENDERS" -c all -f list $SET) >"$T_TMP/off.list"
	check "offenders -c all -f list: exit 0" test $? = 0
	perl "$HERE/check.pl" list "$TABLE" "$T_TMP/off.list" >"$T_TMP/res"
	report "$T_TMP/res"

	# The default classes (offenders --list-classes says which): the
	# same clients and counts, restricted to those classes.
	defaults=$("$OFFENDERS" --list-classes | awk '
	    NR > 1 && NF == 0 { exit }
	    NR > 1 && $3 == "yes" { printf "%s%s", s, $1; s = "," }')
	check "offenders --list-classes names default classes ($defaults)" \
	    test -n "$defaults"
	# shellcheck disable=SC2086
	(cd "$LOG" && run "$OFFENDERS" -f json $SET) >"$T_TMP/def.jsonl"
	check "offenders with the default classes: exit 0" test $? = 0
	perl "$HERE/check.pl" offenders "$TABLE" "$T_TMP/def.jsonl" \
	    "$defaults" >"$T_TMP/res"
	report "$T_TMP/res"
}

if [ "$T_FAIL" != 0 ]; then
	diag "expectations from $TABLE:"
	diag "$(perl "$HERE/check.pl" expect "$TABLE")"
fi
done_testing
