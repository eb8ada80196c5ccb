#!/bin/sh
# The reader, codecs and log sets on real files from the real gzip, zstd,
# bzip2 and xz tools: truncated and garbage streams, binary junk, huge
# lines, stdin, directories, unreadable files in a set, threads on and off.
# Uses tests/tools/readlines (the library's lines, as read).
. "$(dirname "$0")/lib.sh"
RL=${BUILDDIR%/}/tests/tools/readlines
GENLOG=${BUILDDIR%/}/bench/genlog
[ -x "$RL" ] || skip_all "$RL not built"
[ -x "$GENLOG" ] || skip_all "$GENLOG not built"
need gzip zstd bzip2 xz cmp
scratch
cd "$T_TMP" || exit 2
SIZE=400k

"$GENLOG" -s "$SIZE" -a 500 -S 7 > log || exit 2
LINES=$(wc -l < log)

# the benchmark generator: deterministic, sized, with its rate-limit share
"$GENLOG" -s "$SIZE" -a 500 -S 7 | cmp -s - log
check "genlog: same seed, same bytes" [ $? = 0 ]
"$GENLOG" -s "$SIZE" -a 500 -S 8 | cmp -s - log
check "genlog: another seed, other bytes" [ $? != 0 ]
sz=$(wc -c < log)
check "genlog: at most the size asked, ends with a newline" \
    [ "$sz" -le 409600 ] && [ "$sz" -gt 400000 ] &&
    [ "$(tail -c 1 log | od -An -c | tr -d ' ')" = '\n' ]
rl=$(grep -c 'rejected RCPT .*: Rate limited: ' log)
check "genlog: about 3% Rate limited lines ($rl of $LINES)" \
    [ $((rl * 1000 / LINES)) -ge 25 ] && [ $((rl * 1000 / LINES)) -le 35 ]
check "genlog: the last field of a Rate limited line is an address" \
    [ "$(grep 'Rate limited' log | awk '{print $NF}' |
    grep -cvE '^([0-9]{1,3}\.){3}[0-9]{1,3}$|^[0-9a-f:]+$')" = 0 ]

# supported TOOL: the library was built with that codec (WITH_BZ2, WITH_XZ)
supported() {
	echo x | "$1" -c > probe
	! "$RL" probe 2>&1 >/dev/null | grep -q 'support not built in'
}

# truncated COMPRESSOR EXT: half the stream, every complete line before the
# damage on stdout, then "file: codec: unexpected end of file after line N"
truncated() {
	if ! supported "$1"; then
		ok "# SKIP $1 not built in (and said so)"
		return
	fi
	"$1" $4 -c < log > "full.$2"
	sz=$(wc -c < "full.$2")
	head -c $((sz / 2)) "full.$2" > "half.$2"
	"$RL" "half.$2" > out 2> err
	rc=$?
	n=$(wc -l < out)
	check "$1 truncated: exit 2" [ "$rc" = 2 ]
	check "$1 truncated: some lines, not all ($n of $LINES)" \
	    [ "$n" -gt 0 ] && [ "$n" -lt "$LINES" ]
	head -n "$n" log > want
	check "$1 truncated: the lines are the log's first $n" cmp -s out want
	if grep -q "^readlines: half.$2: $3: unexpected end of file after line $n\$" err
	then ok "$1 truncated: message names file, codec and line"
	else fail "$1 truncated: message: $(cat err)"; fi
	# the same through standard input, with the worker thread off
	"$RL" -j1 < "half.$2" > out2 2> err2
	check "$1 truncated on stdin: same lines" cmp -s out out2
	check "$1 truncated on stdin: names (stdin)" \
	    grep -q "^readlines: (stdin): $3: unexpected end of file" err2
	"$RL" -j2 < "half.$2" > out2 2> err3
	check "$1 truncated on stdin, worker thread: same lines" \
	    cmp -s out out2
	check "$1 truncated on stdin, worker thread: same message" \
	    cmp -s err2 err3
	# whole: the same bytes back
	"$RL" "full.$2" > out 2> err
	check "$1 whole: exit 0, no message" [ $? = 0 ] && [ ! -s err ]
	check "$1 whole: identical to the log" cmp -s out log
}
truncated gzip gz gzip
truncated zstd zst zstd
truncated bzip2 bz2 bzip2 -1
truncated xz xz xz

# garbage after a magic number
for m in '\037\213' '\050\265\057\375' 'BZh9' '\375\067\172\130\132\000'; do
	# shellcheck disable=SC2059
	{ printf "$m"; head -c 5000 /dev/urandom; } > junk
	"$RL" junk > out 2> err
	rc=$?
	check "garbage after magic $m: exit 2" [ "$rc" = 2 ]
	check "garbage after magic $m: message names the file" \
	    grep -q '^readlines: junk: [a-z0-9]' err
done

# binary junk read as plain text: every byte kept, lines cut at \n
head -c 200000 /dev/urandom | tr -d '\r' > bin
"$RL" bin > out 2> err
check "binary junk: exit 0" [ $? = 0 ]
if [ "$(tail -c 1 bin | od -An -c | tr -d ' ')" = '\n' ]; then
	cp bin want
else
	{ cat bin; echo; } > want
fi
if head -c 6 bin | od -An -tx1 | grep -qE '^ (1f 8b|28 b5 2f fd|42 5a 68|fd 37 7a 58 5a 00)'; then
	ok "binary junk: starts with a magic number by chance (skipped)"
else
	check "binary junk: bytes identical (NUL and invalid UTF-8)" \
	    cmp -s out want
fi

# huge line: cut at 64 KiB, flagged, the rest skipped
{ head -c 1048576 /dev/zero | tr '\0' x; printf '\nafter\n'; } > huge
"$RL" -n huge > out 2> err
check "huge line: exit 0" [ $? = 0 ]
check "huge line: two lines" [ "$(wc -l < out)" = 2 ]
check "huge line: first cut to 65536 bytes and flagged" \
    [ "$(head -n 1 out | wc -c)" = $((65536 + 10 + 1)) ]
check "huge line: flag" grep -q '^huge:1:\[T\]x' out
check "huge line: next line intact" grep -qx 'huge:2:after' out

# CRLF and no final newline
printf 'a\r\nb\r\nc' > crlf
check "CRLF stripped, last line without newline kept" \
    [ "$("$RL" crlf | od -An -c | tr -d ' \n')" = 'a\nb\nc\n' ]

# zero-length compressed-looking name: empty input, no error
: > empty.gz
"$RL" empty.gz > out 2> err
check "zero-length file: exit 0, nothing" [ $? = 0 ] && [ ! -s out ] &&
    [ ! -s err ]

# concatenated gzip members and zstd frames, from a pipe
head -n 100 log > a
tail -n +101 log > b
{ gzip -c a; gzip -c b; } | "$RL" > out
check "concatenated gzip members on stdin" cmp -s out log
{ zstd -q -c a; zstd -q -c b; } | "$RL" > out
check "concatenated zstd frames on stdin" cmp -s out log

# a rotated set in a directory, shuffled operands, threads on and off
mkdir set
split -n l/6 -d -a 1 log set/p
gzip -c set/p0 > set/mainlog.5.gz
zstd -q -c set/p1 > set/mainlog.4.gz
B=bzip2 X=xz
supported bzip2 || B=gzip
supported xz || X=zstd
$B -c set/p2 > set/mainlog.3.gz
$X -c set/p3 > set/mainlog.2.gz
mv set/p4 set/mainlog.1
mv set/p5 set/mainlog
rm -f set/p?
printf 'r1\n' > set/rejectlog
printf 'x\n' > set/README
"$RL" -l set > out
check "directory: Exim logs in order, main logs first" \
    [ "$(tr '\n' ' ' < out)" = "set/mainlog.5.gz set/mainlog.4.gz set/mainlog.3.gz set/mainlog.2.gz set/mainlog.1 set/mainlog set/rejectlog " ]
"$RL" set/mainlog set/mainlog.2.gz set/mainlog.5.gz set/mainlog.1 \
    set/mainlog.3.gz set/mainlog.4.gz > out
check "shuffled operands: the log in time order" cmp -s out log
"$RL" -j1 -n set > out1
"$RL" -j2 -n set > out2
check "worker thread and single thread: identical output" cmp -s out1 out2
check "line numbers restart per file" grep -q '^set/mainlog.1:1:' out1

# an unreadable file and a corrupt one in the middle of the set
cp -r set bad
head -c 100 set/mainlog.3.gz > bad/mainlog.3.gz
rm bad/mainlog.2.gz
"$RL" bad/mainlog* bad/mainlog.2.gz > out 2> err
rc=$?
check "bad set: exit 2" [ "$rc" = 2 ]
check "bad set: the missing file named" \
    grep -q '^readlines: bad/mainlog.2.gz: No such file or directory$' err
check "bad set: the corrupt file named" \
    grep -q "^readlines: bad/mainlog.3.gz: $B: " err
{ gzip -dc set/mainlog.5.gz; zstd -dc set/mainlog.4.gz
  cat set/mainlog.1 set/mainlog; } > want
check "bad set: the good files complete" \
    [ "$(grep -c -x -F -f want out)" = "$(wc -l < want)" ]

# resume at a byte offset (offenders --state)
off=$(head -n 50 log | wc -c)
"$RL" -n -o "$off:50" log > out
check "resume: first line is line 51" \
    [ "$(head -n 1 out)" = "log:51:$(sed -n 51p log)" ]

# The same through the real command, when it parses
if "$EXIMPARSE" -f tsv -F lineno log 2>/dev/null | head -n 2 | grep -qx 1
then
	for z in gz zst; do
		"$EXIMPARSE" -f tsv -F lineno "half.$z" > out 2> err
		rc=$?
		n=$(($(wc -l < out) - 1))
		check "eximparse, truncated .$z: exit 2" [ "$rc" = 2 ]
		check "eximparse, truncated .$z: $n records, the last line $n" \
		    [ "$n" -gt 0 ] && [ "$(tail -n 1 out)" = "$n" ]
		if grep -qx "eximparse: half.$z: [a-z]*: unexpected end of file after line $n" err
		then ok "eximparse, truncated .$z: message"
		else fail "eximparse, truncated .$z: message: $(cat err)"; fi
	done
	"$EXIMPARSE" -f tsv -F file,lineno junk set/mainlog.1 > out 2> err
	check "eximparse, garbage then a good file: exit 2" [ $? = 2 ]
	check "eximparse, garbage then a good file: its records kept" \
	    [ "$(grep -c '^set/mainlog.1	' out)" = "$(wc -l < set/mainlog.1)" ]
	gzip -c log | "$EXIMPARSE" -f tsv -F lineno > out 2> err
	check "eximparse, gzip on stdin: every line" \
	    [ $? = 0 ] && [ "$(tail -n 1 out)" = "$LINES" ]
	"$EXIMPARSE" -f tsv -F file set/mainlog set/mainlog.2.gz \
	    set/mainlog.5.gz set/mainlog.1 set/mainlog.3.gz \
	    set/mainlog.4.gz > out 2> err
	check "eximparse, shuffled rotated set: files oldest first" \
	    [ "$(uniq out | tr '\n' ' ')" = "#file set/mainlog.5.gz set/mainlog.4.gz set/mainlog.3.gz set/mainlog.2.gz set/mainlog.1 set/mainlog " ]
else
	ok "# SKIP eximparse cannot parse yet"
fi

done_testing
