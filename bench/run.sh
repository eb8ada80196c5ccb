#!/bin/sh
# Run every bench/bench-*.sh and print their tables (make bench).
# Data is generated on demand into bench/data/ and reused.
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${BUILDDIR:=$SRCDIR/}"
export SRCDIR BUILDDIR LC_ALL=C
status=0
for b in "$SRCDIR"/bench/bench-*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || status=1
	echo
done
exit $status
