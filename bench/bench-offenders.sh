#!/bin/sh
# offenders against the classic pipeline
#   grep 'Rate limited' | awk '{print $NF}' | sort | uniq -c
# on one generated mainlog (BENCH_SIZE, default 1G, BENCH_ADDRS distinct
# client addresses, heavy tailed). offenders parses and classifies every
# line; the pipeline looks at 3% of them. Prints throughput, the ratio
# (target >= 1.0x), peak memory and bytes per distinct address.
. "$(dirname "$0")/common.sh"
: "${OFFENDERS:=${BUILDDIR%/}/cmd/offenders}"
bench_data
[ -x "$OFFENDERS" ] || die "$OFFENDERS missing (run make)"

# IPv6 addresses in canonical form (RFC 5952), as offenders prints them.
canon() {
	perl -MSocket=inet_pton,inet_ntop,AF_INET6 -lane 'if ($F[0] =~ /:/) { my $b = inet_pton(AF_INET6, $F[0]); $F[0] = inet_ntop(AF_INET6, $b) if defined $b } print "@F"'
}

measure "grep|awk|sort|uniq -c" \
    "grep 'Rate limited' '$LOG' | awk '{print \$NF}' | sort | uniq -c > '$OUT/peer.out'"
T_PEER="$T $C"
measure "offenders -c all (2 jobs)" \
    "'$OFFENDERS' -j 2 -c all -f tsv '$LOG' > '$OUT/off-all.tsv'"
T_ALL="$T $C"
measure "offenders -c all -j 1" \
    "'$OFFENDERS' -j 1 -c all -f tsv '$LOG' > '$OUT/off-all1.tsv'"
T_ALL1="$T $C"
measure "offenders (default classes)" \
    "'$OFFENDERS' -f tsv '$LOG' > '$OUT/off-def.tsv'"
T_DEF="$T $C"
measure "offenders -c ratelimit" \
    "'$OFFENDERS' -c ratelimit -f tsv '$LOG' > '$OUT/off-rl.tsv'"
T_RL="$T $C"
measure "offenders -c all rotated set" \
    "'$OFFENDERS' -c all -f tsv '$ROT'/mainlog.4.gz '$ROT'/mainlog.3.gz '$ROT'/mainlog.2.gz '$ROT'/mainlog.1 '$ROT'/mainlog > '$OUT/off-rot.tsv'"

echo "ratios (throughput of offenders / throughput of the pipeline):"
ratio "-c all, 2 jobs / pipeline" "$T_ALL" "$T_PEER" ">= 1.0x"
ratio "-c all, 1 job / pipeline" "$T_ALL1" "$T_PEER" ">= 1.0x"
ratio "default classes / pipeline" "$T_DEF" "$T_PEER" ">= 1.0x"
ratio "-c ratelimit / pipeline" "$T_RL" "$T_PEER" ">= 1.0x"

# The same counts: every address the pipeline counts, with its count.
# (the pipeline keeps genlog's spelling of IPv6 addresses; offenders
# prints the canonical RFC 5952 form)
awk '{ print $2, $1 }' "$OUT/peer.out" | canon | sort >"$OUT/peer.cmp"
awk -F '\t' '!/^#/ { print $1, $2 }' "$OUT/off-rl.tsv" | sort >"$OUT/off.cmp"
if cmp -s "$OUT/peer.cmp" "$OUT/off.cmp"; then
	echo "  ratelimit counts agree with the pipeline ($(wc -l <"$OUT/off.cmp") addresses)"
else
	echo "  ratelimit counts DIFFER from the pipeline (see $OUT/*.cmp)"
fi
cmp -s "$OUT/off-all.tsv" "$OUT/off-all1.tsv" ||
    echo "  1 and 2 jobs DIFFER (see $OUT/off-all*.tsv)"

# Peak memory (GNU time -v), and per distinct address above an empty run.
rss() {
	"$TIME" -v sh -c "$1" 2>&1 >/dev/null |
	    awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }'
}
M_PEER=$(rss "grep 'Rate limited' '$LOG' | awk '{print \$NF}' | sort | uniq -c > '$OUT/peer.out'")
M_ALL=$(rss "'$OFFENDERS' -j 2 -c all -f tsv '$LOG' > '$OUT/off-all.tsv'")
M_ALL1=$(rss "'$OFFENDERS' -j 1 -c all -f tsv '$LOG' > '$OUT/off-all1.tsv'")
M_EMPTY=$(rss "'$OFFENDERS' -j 1 -c all -f tsv /dev/null")
KEYS=$(grep -vc '^#' "$OUT/off-all1.tsv")
echo "peak memory (max RSS):"
echo "  pipeline (largest process)        $M_PEER KB"
echo "  offenders -c all, 2 jobs          $M_ALL KB"
echo "  offenders -c all, 1 job           $M_ALL1 KB ($KEYS distinct addresses)"
awk -v a="$M_ALL1" -v e="$M_EMPTY" -v k="$KEYS" 'BEGIN { if (k < 1) k = 1;
	printf "  bytes per distinct address        %.0f (above an empty run, %d KB)\n",
	    (a - e) * 1024 / k, e }'
