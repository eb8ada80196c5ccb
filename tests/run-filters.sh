#!/bin/sh
# The project's fail2ban filters (filters/eximsift-*.conf) against their
# sample logs (testdata/filters/<filter>.log, "# failJSON:" form), checked
# three ways: regex-test --check; the real fail2ban-regex (its matched
# count and failure ids equal the samples' "match": true lines and hosts);
# and the offenders class catalogue (tests/tools/classify-lines gives each
# matched line the filter's class and the same address, and no other
# sample line that class).
. "$(dirname "$0")/lib.sh"
CL=$BUILDDIR/tests/tools/classify-lines
[ -x "$CL" ] || skip_all "tests/tools/classify-lines not built"
scratch
have_f2b=1
command -v fail2ban-regex >/dev/null 2>&1 || have_f2b=
[ -n "$have_f2b" ] || need fail2ban-regex

n=0
for conf in "$SRCDIR"/filters/eximsift-*.conf; do
	name=$(basename "$conf" .conf)
	[ "$name" = eximsift-common ] && continue
	n=$((n + 1))
	cls=${name#eximsift-}
	log=$TESTDATA/filters/$name.log
	if [ ! -f "$log" ]; then
		fail "$name: no sample log $log"
		continue
	fi
	# the expectations: "host" of each "match": true line, in order
	awk '/^# failJSON:/ { want = ($0 ~ /"match": *true/); h = $0;
		sub(/.*"host": *"/, "", h); sub(/".*/, "", h); next }
	    want { print h; want = 0 }' "$log" | sort >"$T_TMP/$name.want"
	nwant=$(wc -l <"$T_TMP/$name.want")
	[ "$nwant" -gt 0 ] || fail "$name: no matching samples"

	# 1. regex-test --check
	if "$REGEX_TEST" --check "$log" "$conf" >"$T_TMP/$name.chk" 2>&1; then
		ok "$name: regex-test --check passes"
	else
		fail "$name: regex-test --check"
		sed 's/^/#   /' "$T_TMP/$name.chk"
	fi

	# 2. fail2ban-regex: matched count and ids
	TZ=CET-01CEST-02,M3.5.0,M10.5.0 fail2ban-regex -r -v "$log" "$conf" \
	    >"$T_TMP/$name.f2b" 2>&1
	m=$(sed -n 's/^Lines: .* \([0-9]*\) matched.*/\1/p' "$T_TMP/$name.f2b")
	sed -n '/^Failregex:/,/^Ignoreregex:/p' "$T_TMP/$name.f2b" |
	    sed -n 's/^|    *\([^ ]*\)  .*/\1/p' | sort >"$T_TMP/$name.ids"
	if [ "$m" = "$nwant" ] && cmp -s "$T_TMP/$name.want" "$T_TMP/$name.ids"; then
		ok "$name: fail2ban-regex matches the $nwant samples with their hosts"
	else
		fail "$name: fail2ban-regex matched ${m:-?} of $nwant"
		diff "$T_TMP/$name.want" "$T_TMP/$name.ids" | sed 's/^/#   /'
		grep -i error "$T_TMP/$name.f2b" | head -3 | sed 's/^/#   /'
	fi

	# 3. offenders' catalogue: same lines, same class, same addresses
	# (lines whose failJSON says "ambiguous" are left out: the filter
	# refuses them, offenders takes a side)
	awk '/^# failJSON:.*"ambiguous"/ { print NR + 1 }' "$log" \
	    >"$T_TMP/$name.skip"
	"$CL" "$log" | awk -F '\t' -v c="$cls" -v skip="$T_TMP/$name.skip" '
	    BEGIN { while ((getline l < skip) > 0) s[l] = 1 }
	    $1 == c && $3 != "-" && !($2 in s) { print $3 }' |
	    sort >"$T_TMP/$name.cls"
	if cmp -s "$T_TMP/$name.want" "$T_TMP/$name.cls"; then
		ok "$name: offenders classes the same lines '$cls' with the same addresses"
	else
		fail "$name: offenders' class '$cls' lines differ (< samples, > offenders)"
		diff "$T_TMP/$name.want" "$T_TMP/$name.cls" | sed 's/^/#   /'
	fi
done
check "found the filters" [ "$n" -ge 9 ]
done_testing
