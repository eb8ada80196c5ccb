#!/bin/sh
# offenders ranks rows by score, then count (both descending), then the
# key's binary order (IPv4 before IPv6, then the address bytes), one row
# a key: checked over a generated log with thousands of keys (the radix
# sort's side of the row sort) at one and two jobs, with weights that set
# scores apart from counts, by address and by network.
. "$(dirname "$0")/lib.sh"
GENLOG=$BUILDDIR/bench/genlog
[ -x "$GENLOG" ] || skip_all "bench/genlog not built"
need awk sort
scratch
cd "$T_TMP" || exit 1

size=8M
[ "${SIFT_SAN:-}" = 1 ] && size=3M
"$GENLOG" -s "$size" -a 30000 -S 7 -o gen.log
check "genlog wrote a log" test -s gen.log

# score, count and the key as hex digits (family first), tab separated
keys() {
	awk -F '\t' '
	function pad(s) { return substr("0000", 1, 4 - length(s)) s }
	/^#/ { next }
	{
		a = $1
		sub(/\/[0-9]+$/, "", a)
		if (a ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/) {
			split(a, o, ".")
			k = sprintf("4%02x%02x%02x%02x", o[1], o[2], o[3], o[4])
		} else if (a ~ /^[0-9a-f:]+$/ && a ~ /:/) {
			d = index(a, "::")
			l = d ? substr(a, 1, d - 1) : a
			r = d ? substr(a, d + 2) : ""
			nl = l == "" ? 0 : split(l, L, ":")
			nr = r == "" ? 0 : split(r, R, ":")
			k = "6"
			for (i = 1; i <= nl; i++)
				k = k pad(L[i])
			for (i = 0; d && i < 8 - nl - nr; i++)
				k = k "0000"
			for (i = 1; i <= nr; i++)
				k = k pad(R[i])
		} else
			k = ""
		if (k == "" || (k ~ /^6/ && length(k) != 33)) {
			print "bad " a
			next
		}
		printf "%s\t%s\t%s\n", $3, $2, k
	}'
}

for args in "-j 1" "-j 2" "-j 1 -W auth=300 -W relay=7 -W tls=0" \
    "-j 2 -W auth=300 -W relay=7 -W tls=0" "-j 2 -g prefix --prefix4 20"; do
	# shellcheck disable=SC2086
	run "$OFFENDERS" -c all -f tsv $args gen.log >out.tsv 2>err
	check "offenders $args: ran" test $? = 0
	keys <out.tsv >keys
	n=$(wc -l <keys)
	check "offenders $args: over 1024 rows ($n)" test "$n" -gt 1024
	check "offenders $args: every key read" test "$(grep -c '^bad ' keys)" = 0
	LC_ALL=C sort -c -u -t "$(printf '\t')" -k1,1nr -k2,2nr -k3,3 keys 2>sorterr
	check "offenders $args: rows in order" test $? = 0
	diag "$(head -3 sorterr)"
done
done_testing
