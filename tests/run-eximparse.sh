#!/bin/sh
# eximparse beyond the golden cases: --help equals the man page SYNOPSIS,
# every field of eximsift(5) is accepted, JSON/TSV/CSV round trips, and
# parallel runs (several files, several chunks each) keep the input order.
. "$(dirname "$0")/lib.sh"
need python3 mandoc
scratch
E=$EXIMPARSE
D=$TESTDATA/eximparse

# --help starts with the SYNOPSIS, whitespace aside, then lists the options
"$E" --help >"$T_TMP/fullhelp"
sed '/^$/,$d' "$T_TMP/fullhelp" | tr -s ' \n\t' '   ' | sed 's/^usage: //; s/ *$//' >"$T_TMP/help"
mandoc -Tascii "$SRCDIR/man/eximparse.1" | sed "s/.\x08//g" |
    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
    tr -s ' \n\t' '   ' | sed 's/^ *//; s/ *$//' >"$T_TMP/synopsis"
if cmp -s "$T_TMP/help" "$T_TMP/synopsis"; then
	ok "--help matches the SYNOPSIS of eximparse(1)"
else
	fail "--help matches the SYNOPSIS of eximparse(1)"
	diag "help:     $(cat "$T_TMP/help")" "synopsis: $(cat "$T_TMP/synopsis")"
fi

# every option letter of the SYNOPSIS is described under DESCRIPTION
missing=
for l in $(sed -n 's/^\.It Fl \([A-Za-z]\).*/\1/p' "$SRCDIR/man/eximparse.1"); do
	grep -q -- "\[-[A-Za-z]*$l" "$T_TMP/help" || missing="$missing $l"
done
check "every option in eximparse(1) is in --help${missing:+ (missing:$missing)}" \
    test -z "$missing"
missing=
for l in $(sed -n 's/^\.It Fl [A-Za-z] .*Fl \\-\([a-z-]*\).*/\1/p' \
    "$SRCDIR/man/eximparse.1"); do
	grep -q -- "--$l\b" "$T_TMP/fullhelp" || missing="$missing $l"
done
check "every long option in eximparse(1) is in --help${missing:+ (missing:$missing)}" \
    test -z "$missing"

# every field named in eximsift(5) is accepted, and nothing else is
fields=$(sed -n '/^\.Ss Fields/,/^\.Ss Events/p' "$SRCDIR/man/eximsift.5" |
    sed -n 's/^\.It Cm \([a-z_]*\)$/\1/p' | paste -sd, -)
check "eximsift(5) documents fields" test -n "$fields"
check "-F accepts every field of eximsift(5): $fields" \
    sh -c "'$E' -F '$fields' '$D/mainlog' >/dev/null"
n=$(echo "$fields" | tr , '\n' | wc -l)
check "eximsift(5) lists 33 fields ($n)" test "$n" = 33
events=$(sed -n '/^\.Ss Events/,/^\.Ss JSON/p' "$SRCDIR/man/eximsift.5" |
    sed -n 's/^\.It Cm \([a-z_]*\)$/\1/p' | paste -sd, -)
check "-e accepts every event of eximsift(5): $events" \
    sh -c "'$E' -e '$events' '$D/mainlog' >/dev/null"

# the same values in all three formats
python3 "$SRCDIR/tests/eximparse-roundtrip.py" "$E" "$D/mainlog" \
    "$D/mainlog-497.gz" "$D/syslog.log" "$D/hostile.log" "$D/garbage.bin" \
    >"$T_TMP/rt" 2>&1
rc=$?
cat "$T_TMP/rt" | while read -r line; do
	case $line in
	ok*|"not ok"*) ;;
	*) echo "# $line" ;;
	esac
done
grep -c '^ok' "$T_TMP/rt" >"$T_TMP/rtn"
check "round trips ($(cat "$T_TMP/rtn") of 5)" test "$rc" = 0 -a "$(cat "$T_TMP/rtn")" = 5
grep '^not ok' "$T_TMP/rt" | while read -r line; do diag "$line"; done

# parallel: several inputs of several chunks each, output in input order
if [ -x "$BUILDDIR/bench/genlog" ]; then
	size=3M
	[ "${SIFT_SAN:-}" = 1 ] && size=1M
	for i in 1 2 3 4; do
		"$BUILDDIR/bench/genlog" -s $size -S $i -o "$T_TMP/log$i" ||
		    fail "genlog"
	done
	gzip -c "$T_TMP/log2" >"$T_TMP/log2.gz"
	zstd -q -c "$T_TMP/log3" >"$T_TMP/log3.zst"
	set -- "$T_TMP/log1" "$T_TMP/log2.gz" "$T_TMP/log3.zst" "$T_TMP/log4"
	: >"$T_TMP/one"
	for f in "$@"; do
		"$E" -j 1 -f tsv -F file,lineno,ts,event,ip,reason "$f" |
		    sed 1d >>"$T_TMP/one"
	done
	"$E" -j 4 -f tsv -F file,lineno,ts,event,ip,reason "$@" | sed 1d \
	    >"$T_TMP/par"
	check "4 jobs over 4 files give the same records in order" \
	    cmp -s "$T_TMP/one" "$T_TMP/par"
	# plain files cut in parts of 64 KiB: line numbers and order hold
	EXIMPARSE_PART_SIZE=65536 "$E" -j 3 -f tsv \
	    -F file,lineno,ts,event,ip,reason "$@" | sed 1d >"$T_TMP/parts"
	check "3 jobs over files cut in parts give the same records" \
	    cmp -s "$T_TMP/one" "$T_TMP/parts"
	EXIMPARSE_PART_SIZE=65536 "$E" -j 2 -F lineno -m 1xUa2b-0000Ab-1c \
	    "$T_TMP/log1" "$T_TMP/log4" >/dev/null
	check "a filter that matches nothing over parts exits 1" test $? = 1
	{ cat "$T_TMP/log1"; printf '%s' '2026-11-30 00:00:00 H=[192.0.2.99] rejected connection in "connect" ACL'; } >"$T_TMP/nonl"
	"$E" -j 1 -f tsv -F lineno,ip "$T_TMP/nonl" >"$T_TMP/nonl1"
	EXIMPARSE_PART_SIZE=65536 "$E" -j 3 -f tsv -F lineno,ip "$T_TMP/nonl" \
	    >"$T_TMP/nonl3"
	check "parts keep a last line without a newline" \
	    sh -c "cmp -s '$T_TMP/nonl1' '$T_TMP/nonl3' && tail -n 1 '$T_TMP/nonl3' | grep -q 192.0.2.99"
	# compressed and odd inputs cut in blocks give what one job gives
	head -c $(($(wc -c <"$T_TMP/log3.zst") / 2)) "$T_TMP/log3.zst" \
	    >"$T_TMP/cut.zst"
	{ head -n 3 "$T_TMP/log1"; sed -n '1,2000s/^2026-[0-9-]* /Nov 30 /p' \
	    "$T_TMP/log4"; cat "$T_TMP/log4"; } >"$T_TMP/gap"
	{ sed 's/^2026-[0-9-]* /Nov 30 /' "$T_TMP/log4" | head -n 5000; } |
	    gzip -c >"$T_TMP/syslog.gz"
	for f in cut.zst gap syslog.gz; do
		"$E" -j 1 -f tsv -F lineno,ts,event,ip,text "$T_TMP/$f" \
		    >"$T_TMP/$f.1" 2>"$T_TMP/$f.e1"
		r1=$?
		EXIMPARSE_PART_SIZE=4096 "$E" -j 2 -f tsv \
		    -F lineno,ts,event,ip,text "$T_TMP/$f" >"$T_TMP/$f.2" \
		    2>"$T_TMP/$f.e2"
		r2=$?
		check "$f in blocks: same records, messages and status" \
		    sh -c "cmp -s '$T_TMP/$f.1' '$T_TMP/$f.2' && cmp -s '$T_TMP/$f.e1' '$T_TMP/$f.e2' && test $r1 = $r2 && test \$(wc -l <'$T_TMP/$f.1') -gt 1000"
	done
	awk '{ print } NR % 7 == 0 { print "" }' "$T_TMP/log1" >"$T_TMP/blank"
	"$E" -j 1 -v -F lineno "$T_TMP/blank" 2>&1 >/dev/null |
	    sed -n 1p >"$T_TMP/blank.1"
	EXIMPARSE_PART_SIZE=4096 "$E" -j 2 -v -F lineno "$T_TMP/blank" 2>&1 \
	    >/dev/null | sed -n 1p >"$T_TMP/blank.2"
	check "-v counts the empty lines of blocks too ($(cat "$T_TMP/blank.2"))" \
	    cmp -s "$T_TMP/blank.1" "$T_TMP/blank.2"
	# every line shape of the reference corpora, cut in blocks of 4 KiB
	if [ -d "$SHARED/reference/exim-testsuite" ]; then
		{ head -n 1 "$T_TMP/log1"
		  find "$SHARED/reference/exim-testsuite" \
		      "$SHARED/reference/exim-lab-debian" -type f | sort |
		      while read -r f; do
			case $(od -An -tx1 -N2 "$f" | tr -d ' ') in
			1f8b|28b5) ;;
			*) cat "$f" ;;
			esac
		  done; } >"$T_TMP/corpus"
		all=ts,lineno,event,parent_event,parent_lineno,msgid,pid,ip,port
		all=$all,host,helo,sender,recipient,reason,command,tags,text
		"$E" -j 1 -Z -N 2026-12-01 -f tsv -F "$all" "$T_TMP/corpus" \
		    >"$T_TMP/corpus.1" 2>&1
		EXIMPARSE_PART_SIZE=4096 "$E" -j 3 -Z -N 2026-12-01 -f tsv \
		    -F "$all" "$T_TMP/corpus" >"$T_TMP/corpus.3" 2>&1
		check "the reference corpora in blocks give what one job gives ($(wc -l <"$T_TMP/corpus.1") records)" \
		    cmp -s "$T_TMP/corpus.1" "$T_TMP/corpus.3"
	elif [ "${CI:-}" = true ]; then
		fail "reference corpora not found under $SHARED/reference"
	else
		ok "the reference corpora in blocks # SKIP corpora not found"
	fi
	check "a truncated .zst in blocks is reported" \
	    grep -q 'cut.zst: zstd: .* after line' "$T_TMP/cut.zst.e2"
	check "the parallel run has records ($(wc -l <"$T_TMP/par"))" \
	    test "$(wc -l <"$T_TMP/par")" -gt 10000
	"$E" -j 2 -F lineno "$@" | head -n 3 >"$T_TMP/head"
	check "a closed pipe ends the run quietly" test "$(wc -l <"$T_TMP/head")" = 3
	lines=$(cat "$T_TMP/log1" "$T_TMP/log4" | wc -l)
	recs=$("$E" -j 2 -f tsv -F lineno "$T_TMP/log1" "$T_TMP/log4" | sed 1d | wc -l)
	check "one record per line of a generated log ($recs of $lines)" \
	    test "$recs" = "$lines"
else
	fail "bench/genlog not built"
fi
done_testing
