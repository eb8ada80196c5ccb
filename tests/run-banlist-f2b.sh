#!/bin/sh
# banlist -f fail2ban: the generated filter loads in the real fail2ban-regex
# (beside a link to the stock exim-common.conf it includes) and the hosts it
# matches on a log are compared with what offenders reports for the same
# classes on that log.
. "$(dirname "$0")/lib.sh"
need fail2ban-regex
[ -f /etc/fail2ban/filter.d/exim-common.conf ] ||
    skip_all "/etc/fail2ban/filter.d/exim-common.conf missing"
scratch
T=$T_TMP
LOG=$TESTDATA/eximparse/mainlog
CLASSES=relay,auth,spam,helo,tls,protocol,connection

ln -s /etc/fail2ban/filter.d/exim-common.conf "$T/exim-common.conf"
if "$BANLIST" -f fail2ban --classes "$CLASSES" --jail exim-test \
    -o "$T/exim-test.conf" </dev/null; then
	ok "filter written"
else
	fail "filter written"
fi
check "jail snippet names the jail" grep -q '^# \[exim-test\]' \
    "$T/exim-test.conf"
if fail2ban-regex --print-all-matched "$LOG" "$T/exim-test.conf" \
    >"$T/f2b.out" 2>&1; then
	ok "fail2ban-regex loads the filter"
else
	fail "fail2ban-regex loads the filter"
	diag "$(tail -5 "$T/f2b.out")"
fi
n=$(sed -n 's/^Lines: .* \([0-9][0-9]*\) matched.*/\1/p' "$T/f2b.out")
check "the filter matches lines of the log (${n:-0})" test "${n:-0}" -gt 0
# Hosts fail2ban matched: the [address] of each matched line.
sed -n '/^Lines: /,$p' "$T/f2b.out" | grep -oE '\[[0-9a-f:.]+\]' |
    tr -d '[]' | grep -E '^[0-9]+\.[0-9.]+$|:' | sort -u >"$T/f2b.hosts"
"$OFFENDERS" -f list -c "$CLASSES" "$LOG" 2>/dev/null | sort -u \
    >"$T/off.hosts"
check "offenders ranks hosts on this log" test -s "$T/off.hosts"
common=$(comm -12 "$T/f2b.hosts" "$T/off.hosts" | wc -l)
check "fail2ban and offenders agree on most hosts ($common)" \
    test "$common" -ge 4
if cmp -s "$T/f2b.hosts" "$T/off.hosts"; then
	ok "fail2ban matches exactly the hosts offenders reports"
else
	T_N=$((T_N + 1))
	echo "not ok $T_N - fail2ban matches exactly the hosts offenders reports # TODO event-only rules have no failregex"
	diag "$(diff "$T/off.hosts" "$T/f2b.hosts")"
fi

done_testing
