#!/bin/sh
# Shared by bench/bench-*.sh (sourced): data generated on demand into
# bench/data/ (reused when present) and a timing helper.
set -u
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR/}"
: "${EXIMPARSE:=${BUILDDIR%/}/cmd/eximparse}"
SIZE=${BENCH_SIZE:-1G}
ADDRS=${BENCH_ADDRS:-1000000}
REPEAT=${BENCH_REPEAT:-3}
DATA=$SRCDIR/bench/data
GENLOG=${BUILDDIR%/}/bench/genlog
export READLINES=${BUILDDIR%/}/tests/tools/readlines
LOG=$DATA/mainlog-$SIZE-$ADDRS
ROT=$DATA/rot-$SIZE-$ADDRS
OUT=$DATA/out
TIME=/usr/bin/time

die() {
	echo "bench: $*" >&2
	exit 2
}

# Generate LOG, LOG.zst, LOG.gz and the rotated set ROT once.
bench_data() {
	[ -x "$GENLOG" ] || die "$GENLOG missing (run make)"
	[ -x "$TIME" ] || die "GNU time (/usr/bin/time) missing"
	mkdir -p "$DATA" "$OUT" || die "cannot create $DATA"
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
		gzip -6 -c "$LOG" > "$LOG.gz.tmp" &&
		    mv "$LOG.gz.tmp" "$LOG.gz" || die "gzip failed"
	fi
	# Debian style: mainlog.4.gz ... mainlog.2.gz, mainlog.1, mainlog:
	# five roughly equal parts, oldest first.
	if [ ! -s "$ROT/mainlog" ]; then
		rm -rf "$ROT" && mkdir -p "$ROT" || die "cannot create $ROT"
		(cd "$ROT" && split -n l/5 -d -a 1 "$LOG" part.) ||
		    die "split failed"
		for i in 0 1 2; do
			gzip -6 -c "$ROT/part.$i" > \
			    "$ROT/mainlog.$((4 - i)).gz" || die "gzip failed"
			rm -f "$ROT/part.$i"
		done
		mv "$ROT/part.3" "$ROT/mainlog.1" &&
		    mv "$ROT/part.4" "$ROT/mainlog" || die "rotate failed"
	fi
	BYTES=$(wc -c < "$LOG")
	LINES=$(wc -l < "$LOG")
	echo "input: $LOG ($BYTES bytes, $LINES lines; best of $REPEAT runs)"
	echo "       rotated: $(cd "$ROT" && ls -r | tr '\n' ' ')"
	echo "       load average before: $(cut -d' ' -f1-3 /proc/loadavg)" \
	    "(other work on the machine disturbs wall-clock figures)"
}

# measure NAME CMD: best wall time of REPEAT runs of sh -c CMD; prints a
# table row and sets T (wall seconds) and C (user+sys seconds of that run).
measure() {
	_name=$1
	shift
	_best=
	_cpu=
	_i=0
	while [ "$_i" -lt "$REPEAT" ]; do
		if ! "$TIME" -f '%e %U %S' -o "$OUT/time" sh -c "$*"; then
			echo "$_name: command failed: $*" >&2
			T=0
			C=0
			return 1
		fi
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
	    'BEGIN { if (t <= 0) t = 0.01;
		printf "%-30s %6.2f s %6.0f MB/s %6.2f Mlines/s %4.0f%% CPU\n",
		n, t, b / t / 1e6, l / t / 1e6, 100 * c / t }'
}

# ratio WHAT OURS PEER TARGET, where OURS and PEER are "wall cpu" pairs:
# throughput ratios by wall clock (the target's measure) and by CPU time
# (user+sys, steadier when other work shares the machine)
ratio() {
	awk -v w="$1" -v a="$2" -v b="$3" -v tg="$4" 'BEGIN {
		split(a, x, " "); split(b, y, " ");
		if (x[1] <= 0) x[1] = 0.01; if (x[2] <= 0) x[2] = 0.01;
		printf "  %-34s %5.2fx wall %5.2fx cpu  (target %s)\n", w,
		    y[1] / x[1], y[2] / x[2], tg }'
}

# cpu WHAT T C: (user+sys)/wall of a run
cpu() {
	awk -v w="$1" -v t="$2" -v c="$3" 'BEGIN { if (t <= 0) t = 0.01;
		printf "  %-42s %5.0f%%  (target > 100%%: both cores)\n",
		w, 100 * c / t }'
}
