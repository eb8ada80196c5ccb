#!/bin/sh
# banlist aggregation against iprange (Debian's iprange, the reference
# range-set tool) and sort -u, on one million random IPv4 addresses and on a
# million-line list with duplicates drawn from dense networks. Prints the
# best of BENCH_REPEAT wall times, peak RSS and ratios; checks that banlist
# and iprange produce the same CIDR list (--force-special, since iprange
# has no notion of addresses never to ban).
set -u
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR/}"
: "${BANLIST:=$BUILDDIR/cmd/banlist}"
N=${BENCH_ADDRS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
DATA=$SRCDIR/bench/data
OUT=$DATA/out
TIME=/usr/bin/time

die() {
	echo "bench-banlist: $*" >&2
	exit 2
}
[ -x "$BANLIST" ] || die "$BANLIST missing (run make)"
[ -x "$TIME" ] || die "GNU time (/usr/bin/time) missing"
command -v iprange >/dev/null 2>&1 || die "iprange missing (make deps)"
mkdir -p "$DATA" "$OUT" || die "cannot create $DATA"

RAND=$DATA/banlist-rand-$N
DUPS=$DATA/banlist-dups-$N
if [ ! -s "$RAND" ]; then
	awk -v n="$N" 'BEGIN { srand(1); for (i = 0; i < n; i++)
	    printf "%d.%d.%d.%d\n", 1 + int(rand() * 222), int(rand() * 256),
	    int(rand() * 256), int(rand() * 256) }' >"$RAND.tmp" &&
	    mv "$RAND.tmp" "$RAND" || die "cannot write $RAND"
fi
# Duplicates: N lines from N/5 distinct addresses in 2000 dense /20s.
if [ ! -s "$DUPS" ]; then
	awk -v n="$N" 'BEGIN { srand(2); d = int(n / 5)
	    for (i = 0; i < 2000; i++)
		net[i] = (1 + int(rand() * 222)) * 16777216 + int(rand() * 256) * 65536 + int(rand() * 16) * 4096
	    for (i = 0; i < d; i++)
		a[i] = net[int(rand() * 2000)] + int(rand() * 4096)
	    for (i = 0; i < n; i++) {
		v = a[int(rand() * d)]
		printf "%d.%d.%d.%d\n", int(v / 16777216), int(v / 65536) % 256, int(v / 256) % 256, v % 256
	    } }' >"$DUPS.tmp" && mv "$DUPS.tmp" "$DUPS" ||
	    die "cannot write $DUPS"
fi

# best NAME CMD...: run CMD (stdout to $OUT/NAME) REPEAT times; print the
# best wall time, the CPU time (user + system) of that run and the peak RSS
# in KiB. On a shared machine CPU time is the steadier figure.
best() {
	name=$1
	shift
	b=
	for _ in $(seq "$REPEAT"); do
		"$TIME" -f '%e %U %S %M' -o "$OUT/$name.time" "$@" \
		    >"$OUT/$name" || die "$name failed"
		read -r t u sy m <"$OUT/$name.time"
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then
			b=$t
			cpu=$(echo "$u + $sy" | bc)
			mem=$m
		fi
	done
	echo "$b $cpu $mem"
}

ratio() {
	echo "scale=2; $2 / ($1 + 0.001)" | bc
}

for input in "$RAND" "$DUPS"; do
	label=$(basename "$input")
	lines=$(wc -l <"$input")
	# shellcheck disable=SC2046
	set -- $(best banlist "$BANLIST" --max 0 --force-special "$input")
	bt=$1 bc=$2 bm=$3
	# shellcheck disable=SC2046
	set -- $(best iprange iprange "$input")
	it=$1 ic=$2 im=$3
	# shellcheck disable=SC2046
	set -- $(best sortu sort -u "$input")
	st=$1 sc=$2 sm=$3
	# iprange prints hosts as a.b.c.d too; compare the two lists.
	if cmp -s "$OUT/banlist" "$OUT/iprange"; then same=yes; else same=NO; fi
	echo "$label: $lines lines, $(wc -l <"$OUT/banlist") CIDR blocks out"
	printf '  %-10s %6ss wall %6ss cpu %8s KiB\n' banlist "$bt" "$bc" \
	    "$bm" iprange "$it" "$ic" "$im" "sort -u" "$st" "$sc" "$sm"
	echo "  banlist speed vs iprange: $(ratio "$bt" "$it")x wall," \
	    "$(ratio "$bc" "$ic")x cpu; vs sort -u: $(ratio "$bt" "$st")x wall," \
	    "$(ratio "$bc" "$sc")x cpu; same CIDR list as iprange: $same"
done
