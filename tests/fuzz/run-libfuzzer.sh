#!/bin/sh
# `make fuzz`: coverage-guided fuzzing with clang-14 and libFuzzer.
# Builds the library and each target with -fsanitize=fuzzer,address,undefined
# into build-fuzz/ (never the replay driver: libFuzzer brings its own main),
# then runs each target for FUZZ_SECONDS (default 60), one after the other.
# The working corpus grows in build-fuzz/corpus/<t>/, seeded from
# tests/fuzz/corpus/<t>/ and tests/fuzz/crashes/<t>/; crashers land in
# build-fuzz/crashes/<t>/ (copy them to tests/fuzz/crashes/<t>/ once fixed).
# FUZZ_TARGETS="addr reader" picks targets; FUZZ_ARGS adds libFuzzer flags;
# FUZZ_JOBS=2 runs two fuzzing processes per target.
set -u
cd "$(dirname "$0")/../.." || exit 2

CC=${FUZZ_CC:-clang-14}
SECS=${FUZZ_SECONDS:-60}
OUT=build-fuzz
SAN="-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all"
LINK="-fsanitize=fuzzer,address,undefined"

command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC not installed" >&2; exit 2; }
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' |
    "$CC" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	echo "fuzz: $CC cannot link libFuzzer (install libclang-rt-14-dev)" >&2
	exit 2
fi

targets=${FUZZ_TARGETS:-}
if [ -z "$targets" ]; then
	for src in tests/fuzz/fuzz_*.c; do
		t=$(basename "$src" .c)
		targets="$targets ${t#fuzz_}"
	done
fi

MK="make --no-print-directory O=$OUT/ CC=$CC HARDEN= CFLAGS=-O1"
# shellcheck disable=SC2086
$MK SANFLAGS="$SAN" "$OUT/lib/libsift.a" || exit 2
# The libraries, exactly as the Makefile computes them.
# shellcheck disable=SC2086
libs=$($MK -s --eval 'print-libs: ; @echo $(DEP_LIBS)' print-libs) || exit 2

summary=$OUT/summary.txt
: >"$summary"
status=0
for t in $targets; do
	obj=$OUT/tests/fuzz/fuzz_$t.o
	bin=$OUT/tests/fuzz/fuzz_$t
	# shellcheck disable=SC2086
	$MK SANFLAGS="$SAN" "$obj" || exit 2
	# shellcheck disable=SC2086
	"$CC" $LINK -o "$bin" "$obj" "$OUT/lib/libsift.a" $libs || exit 2
	mkdir -p "$OUT/corpus/$t" "$OUT/crashes/$t" "$OUT/logs"
	seeds=
	for d in tests/fuzz/corpus/$t tests/fuzz/crashes/$t; do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	dict=
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	log=$OUT/logs/$t.log
	echo "fuzz: $t for ${SECS}s (log: $log)"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t/" \
	    ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} \
	    $dict ${FUZZ_ARGS:-} "$OUT/corpus/$t" $seeds >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	ncorp=$(find "$OUT/corpus/$t" -type f | wc -l)
	if [ "$rc" = 0 ]; then
		line="$t: clean, ${execs:-?} executions in ${secs:-?} s, corpus $ncorp"
	else
		status=1
		line="$t: FAILED (exit $rc) after ${execs:-?} executions: $(ls "$OUT/crashes/$t" | head -n 3 | tr '\n' ' ')"
		grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*property failed|.*runtime error)' "$log" >&2
	fi
	echo "fuzz: $line"
	echo "$line" >>"$summary"
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) ${SECS}s $line" >>"$OUT/history.txt"
done
echo "fuzz: summary in $summary"
exit $status
