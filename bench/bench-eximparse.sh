#!/bin/sh
# eximparse throughput against cat, grep -c, zstd -dc and gzip -dc on one
# generated mainlog (BENCH_SIZE, default 1G), its .zst and .gz copies, and a
# rotated set of five files. Prints MB/s, lines/s, ratios and CPU use.
. "$(dirname "$0")/common.sh"
bench_data

measure "cat" "cat '$LOG' > /dev/null"
# GNU grep stops at the first match when its output is /dev/null
measure "grep -c rejected" "grep -c rejected '$LOG' > '$OUT/grep.out'"
T_GREP="$T $C"
# -f: the data may be a symbolic link (worktrees), which zstd skips
measure "zstd -dc" "zstd -dcf '$LOG.zst' > /dev/null"; T_ZSTD="$T $C"
measure "gzip -dc" "gzip -dc '$LOG.gz' > /dev/null"; T_GZIP="$T $C"
measure "gzip -dc rotated .gz files" "gzip -dc '$ROT'/mainlog*.gz > /dev/null"

if ! "$EXIMPARSE" -f tsv "$LOG" 2>/dev/null | head -n 2 | grep -q .; then
	echo "eximparse is missing or cannot parse yet ($EXIMPARSE);" \
	    "only the peers were measured"
	exit 0
fi
# eximparse does not special-case /dev/null: it formats every record.
measure "eximparse -f tsv" "'$EXIMPARSE' -f tsv '$LOG' > /dev/null"
T_TSV="$T $C"
measure "eximparse -f json" "'$EXIMPARSE' -f json '$LOG' > /dev/null"
T_JSON="$T $C"
measure "eximparse -f tsv .zst" "'$EXIMPARSE' -f tsv '$LOG.zst' > /dev/null"
T_TZST="$T $C"
measure "eximparse -f tsv .gz" "'$EXIMPARSE' -f tsv '$LOG.gz' > /dev/null"
T_TGZ="$T $C"
measure "eximparse -f tsv rotated" \
    "'$EXIMPARSE' -f tsv '$ROT'/mainlog* > /dev/null"
W_ROT=$T
C_ROT=$C

echo "ratios (throughput of eximparse / throughput of the peer):"
ratio "tsv / grep -c rejected" "$T_TSV" "$T_GREP" ">= 0.5x"
ratio "json / grep -c rejected" "$T_JSON" "$T_GREP" ">= 0.35x"
ratio "tsv .zst / zstd -dc" "$T_TZST" "$T_ZSTD" ">= 0.77x (1.3x time)"
ratio "tsv .gz / gzip -dc" "$T_TGZ" "$T_GZIP" ">= 0.77x (1.3x time)"
cpu "rotated set: CPU (user+sys) / wall" "$W_ROT" "$C_ROT"
