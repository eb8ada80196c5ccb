#!/bin/sh
# eximparse throughput against cat, grep -c, zstd -dc and gzip -dc on one
# generated mainlog (BENCH_SIZE, default 1G), its .zst and .gz copies, and a
# rotated set of several files. Prints MB/s, lines/s, ratios and CPU use.
set -u
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR/}"
: "${EXIMPARSE:=$BUILDDIR/cmd/eximparse}"
SIZE=${BENCH_SIZE:-1G}
ADDRS=${BENCH_ADDRS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
DATA=$SRCDIR/bench/data
GENLOG=$BUILDDIR/bench/genlog
LOG=$DATA/mainlog-$SIZE-$ADDRS
ROT=$DATA/rot-$SIZE-$ADDRS
OUT=$DATA/out
TIME=/usr/bin/time

die() {
	echo "bench-eximparse: $*" >&2
	exit 2
}

[ -x "$GENLOG" ] || die "$GENLOG missing (run make)"
[ -x "$TIME" ] || die "GNU time (/usr/bin/time) missing"
mkdir -p "$DATA" "$OUT" || die "cannot create $DATA"

# Generate once; reuse afterwards.
if [ ! -s "$LOG" ]; then
	echo "generating $SIZE mainlog ($ADDRS addresses) in $LOG" >&2
	"$GENLOG" -s "$SIZE" -a "$ADDRS" -S 1 -o "$LOG.tmp" &&
	    mv "$LOG.tmp" "$LOG" || die "genlog failed"
fi
if [ ! -s "$LOG.zst" ]; then
	zstd -q -3 -T2 -c "$LOG" > "$LOG.zst.tmp" &&
	    mv "$LOG.zst.tmp" "$LOG.zst" || die "zstd failed"
fi
if [ ! -s "$LOG.gz" ]; then
	gzip -6 -c "$LOG" > "$LOG.gz.tmp" && mv "$LOG.gz.tmp" "$LOG.gz" ||
	    die "gzip failed"
fi
# Rotated set, Debian style: mainlog.4.gz ... mainlog.2.gz, mainlog.1,
# mainlog (the live file). Five roughly equal parts, oldest first.
if [ ! -s "$ROT/mainlog" ]; then
	rm -rf "$ROT" && mkdir -p "$ROT" || die "cannot create $ROT"
	(cd "$ROT" && split -n l/5 -d -a 1 "$LOG" part.) || die "split failed"
	for i in 0 1 2; do
		gzip -6 -c "$ROT/part.$i" > "$ROT/mainlog.$((4 - i)).gz" ||
		    die "gzip failed"
		rm -f "$ROT/part.$i"
	done
	mv "$ROT/part.3" "$ROT/mainlog.1" && mv "$ROT/part.4" "$ROT/mainlog" ||
	    die "rotate failed"
fi

BYTES=$(wc -c < "$LOG")
LINES=$(wc -l < "$LOG")

# measure NAME CMD: best of REPEAT runs; sets T (wall) and C (user+sys)
measure() {
	_name=$1
	shift
	_best=
	_i=0
	while [ "$_i" -lt "$REPEAT" ]; do
		"$TIME" -f '%e %U %S' -o "$OUT/time" sh -c "$*" ||
		    { echo "$_name: command failed: $*" >&2; T=; return 1; }
		read -r _w _u _s < "$OUT/time"
		if [ -z "$_best" ] ||
		    awk "BEGIN { exit !($_w < $_best) }"; then
			_best=$_w
			_cpu=$(awk "BEGIN { print $_u + $_s }")
		fi
		_i=$((_i + 1))
	done
	T=$_best
	C=$_cpu
	awk -v n="$_name" -v t="$T" -v c="$C" -v b="$BYTES" -v l="$LINES" \
	    'BEGIN { if (t <= 0) t = 0.001;
		printf "%-28s %7.2f s %8.0f MB/s %7.2f Mlines/s %5.0f%% CPU\n",
		n, t, b / t / 1e6, l / t / 1e6, 100 * c / t }'
}

# ratio WHAT NUM DEN TARGET: speed ratio DEN/NUM (times), with a target
ratio() {
	awk -v w="$1" -v a="$2" -v b="$3" -v tg="$4" 'BEGIN {
		if (a <= 0) a = 0.001;
		r = b / a;
		printf "  %-44s %5.2fx  (target %s)\n", w, r, tg }'
}

echo "input: $LOG ($BYTES bytes, $LINES lines; best of $REPEAT runs)"
echo "       $ROT: $(cd "$ROT" && ls | tr '\n' ' ')"
measure "cat" "cat '$LOG' > /dev/null"; T_CAT=$T
measure "grep -c rejected" "grep -c rejected '$LOG' > '$OUT/grep.out'"
T_GREP=$T
measure "zstd -dc" "zstd -dc '$LOG.zst' > /dev/null"; T_ZSTD=$T
measure "gzip -dc" "gzip -dc '$LOG.gz' > /dev/null"; T_GZIP=$T
: "$T_CAT"

if ! "$EXIMPARSE" -f tsv "$LOG" 2>/dev/null | head -n 2 | grep -q .; then
	echo "eximparse is missing or cannot parse yet ($EXIMPARSE);" \
	    "only the peers were measured"
	exit 0
fi
# eximparse does not special-case /dev/null: it formats every record.
measure "eximparse -f tsv" "'$EXIMPARSE' -f tsv '$LOG' > /dev/null"
T_TSV=$T
measure "eximparse -f json" "'$EXIMPARSE' -f json '$LOG' > /dev/null"
T_JSON=$T
measure "eximparse -f tsv .zst" "'$EXIMPARSE' -f tsv '$LOG.zst' > /dev/null"
T_TZST=$T
measure "eximparse -f tsv .gz" "'$EXIMPARSE' -f tsv '$LOG.gz' > /dev/null"
T_TGZ=$T
measure "eximparse -f tsv rotated" \
    "'$EXIMPARSE' -f tsv '$ROT'/mainlog* > /dev/null"
T_ROT=$T
C_ROT=$C
measure "gzip -dc rotated (.gz only)" \
    "gzip -dc '$ROT'/mainlog*.gz > /dev/null"

echo "ratios (throughput of eximparse / throughput of the peer):"
ratio "tsv / grep -c rejected" "$T_TSV" "$T_GREP" ">= 0.5x"
ratio "json / grep -c rejected" "$T_JSON" "$T_GREP" ">= 0.35x"
ratio "tsv .zst / zstd -dc" "$T_TZST" "$T_ZSTD" ">= 0.77x (1.3x time)"
ratio "tsv .gz / gzip -dc" "$T_TGZ" "$T_GZIP" ">= 0.77x (1.3x time)"
awk -v c="$C_ROT" -v t="$T_ROT" 'BEGIN { if (t <= 0) t = 0.001;
	printf "  %-44s %5.0f%%  (target > 100%%: both cores)\n",
	"rotated set CPU (user+sys)/wall", 100 * c / t }'
