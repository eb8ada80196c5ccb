#!/bin/sh
# regex-test against the real fail2ban-regex on Debian's stock filters and
# the sample logs in the fail2ban Python package (read in place). Prints an
# agreement table; fails on disagreement for the filters declared supported.
. "$(dirname "$0")/lib.sh"
need fail2ban-regex
F2B=$(/usr/bin/python3 -c 'import fail2ban,os;print(os.path.dirname(fail2ban.__file__))' 2>/dev/null)
LOGS=$F2B/tests/files/logs
[ -d "$LOGS" ] || skip_all "fail2ban sample logs not found"
[ -d /etc/fail2ban/filter.d ] || skip_all "no /etc/fail2ban/filter.d"
scratch

# Filters declared unsupported (shown, not failed): none.
UNSUPPORTED=" "

# 1. every stock filter loads
n=0
bad=
for f in /etc/fail2ban/filter.d/*.conf; do
	name=$(basename "$f" .conf)
	n=$((n + 1))
	"$REGEX_TEST" --no-timing /dev/null "$name" >/dev/null 2>"$T_TMP/load.err"
	rc=$?
	if [ "$rc" -gt 1 ]; then
		# an include-only file fail2ban-regex cannot load either
		if fail2ban-regex -r /dev/null "$name" >"$T_TMP/f2b.out" 2>&1; then
			bad="$bad $name"
		fi
		diag "$name does not load: $(cat "$T_TMP/load.err")"
		diag "  fail2ban-regex: $(grep -i -m1 'error' "$T_TMP/f2b.out")"
	fi
done
if [ -z "$bad" ]; then ok "all $n stock filters load"; else fail "filters fail to load:$bad"; fi

# 2. the comparison, two at a time
for f in "$LOGS"/*; do
	name=$(basename "$f")
	[ -f "/etc/fail2ban/filter.d/$name.conf" ] && echo "$name"
done >"$T_TMP/names"
if [ "${SIFT_SAN:-}" = 1 ]; then
	# under the sanitizers: a subset
	grep -E '^(exim|exim-spam|postfix|dovecot|sshd|slapd|mongodb-auth|apache-auth|named-refused)$' \
	    "$T_TMP/names" >"$T_TMP/n2"
	mv "$T_TMP/n2" "$T_TMP/names"
fi
export LOGS T_TMP
xargs -P2 -I{} sh -c '
	fail2ban-regex -r -v "$LOGS/{}" "{}" >"$T_TMP/{}.f2b" 2>&1
	"$REGEX_TEST" --no-timing "$LOGS/{}" "{}" >"$T_TMP/{}.our" 2>&1
	"$REGEX_TEST" --json "$LOGS/{}" "{}" >"$T_TMP/{}.json" 2>&1
	true' <"$T_TMP/names"

agree=0
total=0
printf '# %-28s %6s %12s %12s %6s\n' filter lines "f2b matched" "ours matched" agree
while read -r name; do
	total=$((total + 1))
	a=$(grep '^Lines:' "$T_TMP/$name.f2b")
	b=$(grep '^Lines:' "$T_TMP/$name.our")
	# ids: fail2ban-regex -v lists "ID  date" under each regex
	sed -n '/^Failregex:/,/^Ignoreregex:/p' "$T_TMP/$name.f2b" |
	    sed -n 's/^|    *\([^ ]*\)  .*/\1/p' | sort >"$T_TMP/$name.ida"
	sed -n -e 's/.*"id":"\([^"]*\)".*/\1/p' -e 's/.*"id":null.*/None/p' \
	    "$T_TMP/$name.json" | sort \
	    >"$T_TMP/$name.idb"
	lines=$(echo "$a" | sed 's/Lines: \([0-9]*\) lines.*/\1/')
	ma=$(echo "$a" | sed 's/.* \([0-9]*\) matched.*/\1/')
	mb=$(echo "$b" | sed 's/.* \([0-9]*\) matched.*/\1/')
	if [ -n "$a" ] && [ "$a" = "$b" ] &&
	    cmp -s "$T_TMP/$name.ida" "$T_TMP/$name.idb"; then
		yes=yes
		agree=$((agree + 1))
	else
		yes=no
	fi
	printf '# %-28s %6s %12s %12s %6s\n' "$name" "$lines" "$ma" "$mb" "$yes"
	case "$UNSUPPORTED" in
	*" $name "*)
		[ "$yes" = no ] && diag "  ($name is declared unsupported)"
		continue;;
	esac
	if [ "$yes" = yes ]; then
		ok "$name agrees with fail2ban-regex"
	else
		fail "$name: fail2ban-regex [$a] regex-test [$b]"
		diff "$T_TMP/$name.ida" "$T_TMP/$name.idb" | head -5 | sed 's/^/# /'
	fi
done <"$T_TMP/names"
diag "agreement: $agree of $total filters"

# 3. the notes' reference runs on exim
L="$LOGS/exim"
out=$("$REGEX_TEST" --no-timing "$L" 'exim[mode=aggressive]' | grep '^Lines:')
check "exim[mode=aggressive]: 41 matched" [ "$out" = "Lines: 41 lines, 0 ignored, 41 matched, 0 missed" ]
out=$("$REGEX_TEST" --no-timing "$L" exim 'set_id=' | grep '^Lines:')
check "exim with ignoreregex set_id=: 5 ignored" [ "$out" = "Lines: 41 lines, 5 ignored, 32 matched, 4 missed" ]
done_testing
