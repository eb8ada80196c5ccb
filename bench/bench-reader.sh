#!/bin/sh
# The library's reader path alone (tests/tools/readlines -q: decode, split
# into lines, count) against cat, wc -l, zstd -dc and gzip -dc, and the
# rotated set with the decoding worker thread on (-j2) and off (-j1).
. "$(dirname "$0")/common.sh"
[ -x "$READLINES" ] || die "$READLINES missing (run make)"
bench_data

measure "cat" "cat '$LOG' > /dev/null"; T_CAT="$T $C"
measure "wc -l" "wc -l '$LOG' > '$OUT/wc.out'"; T_WC="$T $C"
# -f: the data may be a symbolic link (worktrees), which zstd skips
measure "zstd -dc" "zstd -dcf '$LOG.zst' > /dev/null"; T_ZSTD="$T $C"
measure "gzip -dc" "gzip -dc '$LOG.gz' > /dev/null"; T_GZIP="$T $C"
measure "reader plain" "'$READLINES' -q -j1 '$LOG' > '$OUT/rl.out'"
T_PL="$T $C"
measure "reader .zst" "'$READLINES' -q -j1 '$LOG.zst' > '$OUT/rl.out'"
T_ZS="$T $C"
measure "reader .gz" "'$READLINES' -q -j1 '$LOG.gz' > '$OUT/rl.out'"
T_GZ="$T $C"
measure "reader .gz, worker thread" \
    "'$READLINES' -q -j2 '$LOG.gz' > '$OUT/rl.out'"
measure "reader rotated -j1" "'$READLINES' -q -j1 '$ROT' > '$OUT/rl.out'"
T_R1="$T $C"
measure "reader rotated -j2" "'$READLINES' -q -j2 '$ROT' > '$OUT/rl.out'"
T_R2="$T $C"
W_R2=$T
C_R2=$C
echo "ratios (throughput of the reader / throughput of the peer):"
ratio "plain / wc -l" "$T_PL" "$T_WC" "informative"
ratio "plain / cat" "$T_PL" "$T_CAT" "informative"
ratio ".zst / zstd -dc" "$T_ZS" "$T_ZSTD" ">= 0.77x"
ratio ".gz / gzip -dc" "$T_GZ" "$T_GZIP" ">= 0.77x"
ratio "rotated -j2 / -j1" "$T_R2" "$T_R1" "informative: the consumer here is trivial"
cpu "rotated -j2: CPU (user+sys) / wall" "$W_R2" "$C_R2"
