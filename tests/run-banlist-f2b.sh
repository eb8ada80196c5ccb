#!/bin/sh
# banlist -f fail2ban: the generated filter loads in the real fail2ban-regex
# (beside a link to the stock exim-common.conf it includes) and in
# regex-test, and on each log the hosts fail2ban matches are exactly the
# hosts offenders reports for the same classes. Logs: the bundled test log
# and the real-Exim lab logs in the shared reference. Also: every offenders
# output format feeds banlist alike.
. "$(dirname "$0")/lib.sh"
need fail2ban-regex
[ -f /etc/fail2ban/filter.d/exim-common.conf ] ||
    skip_all "/etc/fail2ban/filter.d/exim-common.conf missing"
scratch
T=$T_TMP
ln -s /etc/fail2ban/filter.d/exim-common.conf "$T/exim-common.conf"

LOGS="$TESTDATA/eximparse/mainlog"
for l in debian-default all-selectors syslog-rsyslog; do
	f=$SHARED/reference/exim-lab-debian/$l/mainlog
	[ -f "$f" ] && LOGS="$LOGS $f"
done
[ "$LOGS" = "$TESTDATA/eximparse/mainlog" ] &&
    diag "shared reference logs missing; bundled log only"

"$BANLIST" -f fail2ban --classes relay,auth --jail exim-test \
    -o "$T/exim-test.conf" </dev/null
check "jail snippet names the jail" grep -q '^# \[exim-test\]' \
    "$T/exim-test.conf"
check "jail snippet uses the nftables action" \
    grep -q '^# banaction = nftables' "$T/exim-test.conf"

# offenders' list, TSV, JSON Lines and table output all feed banlist alike.
for log in $LOGS; do
	"$OFFENDERS" -f list "$log" 2>/dev/null | "$BANLIST" --force-special \
	    >"$T/via.list" 2>/dev/null
	bad=
	for f in tsv json table; do
		"$OFFENDERS" -f $f "$log" 2>/dev/null |
		    "$BANLIST" --force-special >"$T/via.$f" 2>/dev/null
		cmp -s "$T/via.list" "$T/via.$f" || bad="$bad $f"
	done
	if [ -s "$T/via.list" ] && [ -z "$bad" ]; then
		ok "$(basename "$(dirname "$log")"): offenders list, tsv, json, table read alike"
	else
		fail "$(basename "$(dirname "$log")"): offenders formats differ:$bad"
	fi
done

n=0
for classes in default all relay auth helo protocol connection rejected \
    relay,auth,spam; do
	if [ $classes = default ]; then
		opt=
		copt=
	else
		opt="--classes"
		copt="-c"
	fi
	[ $classes = all ] &&
	    classes=relay,auth,spam,helo,tls,protocol,connection,unknown_user,ratelimit,dnsbl,sender,greylist,rejected,spf,malware
	filter=$T/f-$n.conf
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$BANLIST" -f fail2ban $opt ${opt:+"$classes"} -o "$filter" </dev/null ||
	    fail "$classes: filter written"
	for log in $LOGS; do
		name="$(basename "$(dirname "$log")")/$(basename "$log") $classes"
		if ! fail2ban-regex -o ip "$log" "$filter" >"$T/f2b" \
		    2>"$T/f2b.err"; then
			fail "$name: fail2ban-regex loads the filter"
			diag "$(tail -3 "$T/f2b.err")"
			continue
		fi
		sort -u "$T/f2b" >"$T/f2b.ip"
		# shellcheck disable=SC2086
		"$OFFENDERS" -f list $copt ${copt:+"$classes"} "$log" \
		    2>/dev/null | sort -u >"$T/off.ip"
		if cmp -s "$T/off.ip" "$T/f2b.ip"; then
			ok "$name: fail2ban bans the $(wc -l <"$T/off.ip") hosts offenders reports"
		else
			fail "$name: fail2ban bans the hosts offenders reports"
			diag "$(diff "$T/off.ip" "$T/f2b.ip")"
		fi
		# regex-test loads the same filter and counts the same lines.
		[ -x "$REGEX_TEST" ] && [ -z "$opt" ] || [ "$n" = 2 ] || continue
		fail2ban-regex "$log" "$filter" | grep '^Lines:' >"$T/l.f2b"
		"$REGEX_TEST" "$log" "$filter" 2>&1 | grep '^Lines:' >"$T/l.rt"
		if [ -s "$T/l.f2b" ] && cmp -s "$T/l.f2b" "$T/l.rt"; then
			ok "$name: regex-test counts what fail2ban-regex counts"
		else
			fail "$name: regex-test counts what fail2ban-regex counts"
			diag "$(cat "$T/l.f2b" "$T/l.rt")"
		fi
	done
done

done_testing
