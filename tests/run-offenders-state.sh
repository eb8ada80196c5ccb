#!/bin/sh
# offenders --state across appends, rotation, compression and inode reuse:
# the counts of several incremental runs add up to one full run, and a run
# whose output fails leaves the state untouched.
. "$(dirname "$0")/lib.sh"
need gzip zstd
scratch
LAB=$SHARED/reference/exim-lab-debian/debian-default/mainlog
[ -r "$LAB" ] || skip_all "$LAB missing"
cd "$T_TMP" || exit 1

# Two copies of the lab log, shifted by a day for the second, so the set
# is long enough to cut into pieces.
{ cat "$LAB"; sed 's/^2026-11-22/2026-11-23/' "$LAB"; } >all.log
total=$(wc -l <all.log)
head -n 50 all.log >p1
sed -n '51,100p' all.log >p2
sed -n '101,140p' all.log >p3
sed -n "141,${total}p" all.log >p4

# ip class count, summed over TSV outputs
sum() {
	cat "$@" | awk -F '\t' '!/^#/ {
		n = split($6, a, ",")
		for (i = 1; i <= n; i++) {
			split(a[i], kv, "=")
			c[$1 " " kv[1]] += kv[2]
		}
	} END { for (k in c) print k, c[k] }' | sort
}
off() {
	run "$OFFENDERS" --now 2026-11-24T00:00:00Z --state st -c all \
	    -f tsv "$@"
}

# Run 1: the first piece and half a line still being written.
cp p1 mainlog
head -n 1 p2 | head -c 40 >>mainlog
off mainlog >out1 2>err1
check "run 1 exits 0" test $? = 0
check "state file written" test -s st
check "state names mainlog" grep -q '	mainlog$' st
lines1=$(awk -F ' ' 'NR == 2 { print $6 }' st)
check "partial last line not consumed (50 lines, got $lines1)" \
    test "$lines1" = 50

# Run 2: the line completed, more appended, then rotation with
# compression: mainlog -> mainlog.1.gz (new inode), and a new mainlog,
# which may get the old inode back.
head -n 1 p2 | tail -c +41 >>mainlog
sed 1d p2 >>mainlog
oldino=$(stat -c %i mainlog)
mv mainlog mainlog.1
gzip mainlog.1
cp p3 mainlog
newino=$(stat -c %i mainlog)
diag "old inode $oldino, new mainlog inode $newino"
off mainlog.1.gz mainlog >out2 2>err2
check "run 2 exits 0" test $? = 0

# Run 3: appended again, rotated again with zstd; mainlog.1.gz moves on.
cat p4 >>mainlog
mv mainlog.1.gz mainlog.2.gz
mv mainlog mainlog.1
zstd -q --rm mainlog.1
: >mainlog
off mainlog.2.gz mainlog.1.zst mainlog >out3 2>err3
check "run 3 exits 0" test $? = 0

# Run 4: nothing new.
off mainlog.2.gz mainlog.1.zst mainlog >out4 2>err4
check "run 4 reports nothing new" test "$(grep -vc '^#' out4)" = 0

"$OFFENDERS" -c all -f tsv all.log >full
sum full >want
sum out1 out2 out3 out4 >got
if diff -u want got >d; then
	ok "incremental runs add up to one full run ($(wc -l <want) ip/class pairs)"
else
	fail "incremental runs differ from one full run"
	diag "$(head -n 30 d)"
fi
check "the sum is not empty" test -s want

# A run whose output cannot be written leaves the state as it was.
cp st st.before
echo "$(head -n 1 p1)" >>mainlog
sed -n '20,30p' "$LAB" >>mainlog
off -o /nonexistent/dir/out mainlog.2.gz mainlog.1.zst mainlog \
    >/dev/null 2>err5
check "failed output exits 2" test $? = 2
check "failed output keeps the state" cmp -s st st.before
off mainlog.2.gz mainlog.1.zst mainlog >out6 2>err6
check "next run reports the new lines" test "$(grep -vc '^#' out6)" -gt 0

# Standard input has no position.
run "$OFFENDERS" --state st2 - </dev/null >/dev/null 2>err7
check "--state with stdin is refused" test $? = 2
check "--state with stdin says why" grep -q 'standard input' err7
check "no state written for stdin" test ! -e st2

# A damaged state file is an error naming the line.
printf '# offenders state 1\nbogus\n' >bad
"$OFFENDERS" --state bad mainlog >/dev/null 2>err8
check "bad state exits 2" test $? = 2
check "bad state names file:line" grep -q 'bad:2: invalid state entry' err8
done_testing
