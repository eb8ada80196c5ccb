#!/bin/sh
# Faults, nothing lost: damaged compressed inputs, unreadable files, a file
# that grows or is rotated during a run, a full disk, a file size limit, a
# closed or full stdout, SIGINT and SIGTERM mid-run. Each must give a clear
# message and exit status, leave the old -o file and --state intact with no
# temporary file behind, and once the fault is gone the next run must give
# what a run that never failed gives.
. "$(dirname "$0")/lib.sh"
need gzip zstd bzip2 xz mkfifo
scratch
wrap_commands
cd "$T_TMP" || exit 1
GENLOG=$BUILDDIR/bench/genlog
[ -x "$GENLOG" ] || skip_all "$GENLOG not built"

# Inputs: a few thousand generated lines (fewer under the sanitizers).
if [ "${SIFT_SAN:-}" = 1 ] || [ "${SIFT_VALGRIND:-}" = 1 ]; then
	size=300k
else
	size=2M
fi
"$GENLOG" -s "$size" -S 7 >big.log
head -n 2000 big.log >g.log
nlines=$(wc -l <g.log)

# no_temp DIR: no ".name.XXXXXX" temporary left in DIR
no_temp() {
	[ -z "$(find "$1" -maxdepth 1 -name '.*.??????' -type f)" ]
}

# msg FILE TEXT: one line on stderr, and it says TEXT
msg() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "$2" "$1"
}

# ------------------------------------------------ damaged compressed input
for c in gzip zstd bzip2 xz; do
	"$c" -c g.log >"g.$c"
	s=$(wc -c <"g.$c")
	head -c $((s / 2)) "g.$c" >"cut.$c"
	cp "g.$c" "bad.$c"
	printf '\377\377\377\377\377\377\377\377\377\377\377\377' |
	    dd of="bad.$c" bs=1 seek=$((s / 2)) conv=notrunc 2>/dev/null
	: >"empty.$c"
	for f in "cut.$c" "bad.$c"; do
		run "$EXIMPARSE" -f tsv "$f" g.log >out 2>err
		rc=$?
		got=$(grep -vc '^#' out)
		# Damaged data may decode to junk lines (too long ones are
		# reported) before the codec notices: the codec error is last.
		if [ "$rc" = 2 ] && tail -n 1 err | grep -q "^eximparse: $f: $c: " &&
		    [ "$(wc -l <err)" -le 3 ] && [ "$got" -ge "$nlines" ]; then
			ok "$c: $f: exit 2, \"$(tail -n 1 err)\", good file's records kept"
		else
			diag "exit $rc, $got records" "$(cat err)"
			fail "$c: $f: exit 2 with a message, good records kept"
		fi
	done
	run "$EXIMPARSE" -f tsv "empty.$c" >out 2>err
	rc=$?
	check "$c: zero-length file: no record, no message (exit $rc)" \
	    test "$rc" -le 1 -a ! -s err -a "$(grep -vc '^#' out)" = 0
	# After the fault: the repaired file gives what a clean run gives.
	run "$EXIMPARSE" -f tsv "g.$c" >out.fixed 2>/dev/null
	run "$EXIMPARSE" -f tsv g.log >out.clean 2>/dev/null
	sed 's/\tg\.'"$c"'\t/\tg.log\t/' out.fixed >out.fixed2
	check "$c: the intact file gives the plain file's records" \
	    cmp -s out.fixed2 out.clean
done

# offenders goes on past a damaged file and counts the good one.
run "$OFFENDERS" -f tsv -s 0 cut.zstd g.log >out 2>err
rc=$?
run "$OFFENDERS" -f tsv -s 0 g.log >clean 2>/dev/null
if [ "$rc" = 2 ] && msg err "cut.zstd" && cmp -s out clean; then
	ok "offenders: damaged file reported, exit 2, other file counted in full"
else
	diag "exit $rc" "$(cat err)"
	fail "offenders: damaged file reported, other file counted in full"
fi

# --------------------------------------------------------- unreadable files
run "$EXIMPARSE" -f tsv nosuch.log g.log >out 2>err
rc=$?
if [ "$rc" = 2 ] && msg err "nosuch.log: No such file" &&
    [ "$(grep -vc '^#' out)" = "$nlines" ]; then
	ok "missing file: exit 2, \"$(cat err)\", the other file read"
else
	diag "exit $rc" "$(cat err)"
	fail "missing file: exit 2 with a message, the other file read"
fi
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	cp g.log locked.log
	chmod 000 locked.log
	chmod 755 "$T_TMP"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$EXIMPARSE" -f tsv locked.log g.log >out 2>err
	rc=$?
	if [ "$rc" = 2 ] && msg err "locked.log: Permission denied" &&
	    [ "$(grep -vc '^#' out)" = "$nlines" ]; then
		ok "unreadable file: exit 2, \"$(cat err)\", the other file read"
	else
		diag "exit $rc" "$(cat err)"
		fail "unreadable file: exit 2 with a message, the other file read"
	fi
else
	ok "# SKIP unreadable file: needs root and setpriv"
fi

# ------------------------------------- a file that grows or rotates meanwhile
sum() {
	cat "$@" | awk -F '\t' '!/^#/ { c[$1] += $2 } END { for (k in c) print k, c[k] }' |
	    sort
}
# A last line still being written: the state stops before it.
head -c 150000 big.log >grow.log
run "$OFFENDERS" -f tsv -s 0 --state st.grow grow.log >r1 2>err1
tail -c +150001 big.log >>grow.log
run "$OFFENDERS" -f tsv -s 0 --state st.grow grow.log >r2 2>err2
run "$OFFENDERS" -f tsv -s 0 big.log >rall 2>/dev/null
sum r1 r2 >s12
sum rall >sall
check "half-written last line: two --state runs count what one run counts" \
    cmp -s s12 sall
# Rotation during a run: whatever the first run saw, the second finishes it.
lines=$(wc -l <big.log)
head -n $((lines * 2 / 3)) big.log >mainlog
tail -n +$((lines * 2 / 3 + 1)) big.log >rest
head -n 50 rest >late
tail -n +51 rest >newlog
"$OFFENDERS" -f tsv -s 0 --state st.rot mainlog >r1 2>err1 &
pid=$!
cat late >>mainlog
mv mainlog mainlog.1
cp newlog mainlog
wait "$pid"
rc1=$?
run "$OFFENDERS" -f tsv -s 0 --state st.rot mainlog.1 mainlog >r2 2>err2
rc2=$?
sum r1 r2 >s12
check "rotated during a run (exit $rc1, $rc2): two --state runs count what one run counts" \
    cmp -s s12 sall

# ----------------------------------------------------------------- full disk
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 &&
    unshare -m true 2>/dev/null; then
	mkdir -p mnt
	cat >full.sh <<'EOS'
set -u
mount -t tmpfs -o size=64k tmpfs mnt || exit 99
echo OLD >mnt/out
cp st.good mnt/st
# Fill the disk: every write from now on fails.
dd if=/dev/zero of=mnt/fill bs=4k 2>/dev/null
"$EXIMPARSE" -o mnt/out big.log 2>err.e; echo $? >rc.e
cp mnt/out out.e
"$OFFENDERS" -f tsv -o mnt/out big.log 2>err.o; echo $? >rc.o
cp mnt/out out.o
"$OFFENDERS" -f list big.log >list.txt
"$BANLIST" -f ipset -o mnt/out list.txt 2>err.b; echo $? >rc.b
cp mnt/out out.b
"$OFFENDERS" -f tsv --state mnt/st g.log >/dev/null 2>err.s; echo $? >rc.s
cp mnt/st st.after; ls -a mnt >ls.s
EOS
	# A good state to start from (written with room to spare).
	run "$OFFENDERS" -f tsv --state st.good g.log >/dev/null 2>&1
	cp st.good st.before
	unshare -m sh full.sh
	for x in e o b; do
		case $x in e) w=eximparse ;; o) w=offenders ;; b) w=banlist ;; esac
		if [ "$(cat rc.$x)" = 2 ] && msg err.$x "No space left on device" &&
		    [ "$(cat out.$x)" = OLD ]; then
			ok "full disk: $w -o: exit 2, \"$(cat err.$x)\", old file kept"
		else
			diag "exit $(cat rc.$x)" "$(cat err.$x)"
			fail "full disk: $w -o: exit 2 with a message, old file kept"
		fi
	done
	check "full disk: no temporary file left" \
	    test "$(grep -c '^\.[^.]' ls.s)" = 0
	if [ "$(cat rc.s)" = 2 ] && msg err.s "No space left on device" &&
	    cmp -s st.after st.before; then
		ok "full disk: --state: exit 2, \"$(cat err.s)\", old state kept"
	else
		diag "exit $(cat rc.s)" "$(cat err.s)"
		fail "full disk: --state: exit 2 with a message, old state kept"
	fi
else
	ok "# SKIP full disk: needs root and unshare -m"
fi

# A file size limit (ulimit -f): a write error, not a lost temporary.
mkdir -p lim
echo OLD >lim/out
(ulimit -f 8 && exec "$EXIMPARSE" -o lim/out big.log) 2>err
rc=$?
if [ "$rc" = 2 ] && msg err "File too large" && [ "$(cat lim/out)" = OLD ] &&
    no_temp lim; then
	ok "ulimit -f: exit 2, \"$(cat err)\", old file kept, no temporary"
else
	diag "exit $rc" "$(cat err)" "$(ls -a lim)"
	fail "ulimit -f: exit 2 with a message, old file kept, no temporary"
fi
# After the fault: the same output as a run that never failed.
run "$EXIMPARSE" -o lim/out big.log 2>/dev/null
run "$EXIMPARSE" big.log >clean.out 2>/dev/null
check "after the fault, -o gives the clean run's output" cmp -s lim/out clean.out

# ------------------------------------------------------------ stdout trouble
for w in EXIMPARSE OFFENDERS; do
	bin=
	eval "bin=\$$w"
	run "$bin" big.log >/dev/full 2>err
	rc=$?
	check "$w > /dev/full: exit $rc, \"$(cat err)\"" \
	    test "$rc" = 2 -a "$(wc -l <err)" = 1
	run "$bin" big.log 2>err >&-
	rc=$?
	check "$w with stdout closed: exit $rc, \"$(cat err)\"" \
	    test "$rc" = 2 -a "$(wc -l <err)" = 1
done
# | head: SIGPIPE ends the command quietly.
status=$( { run "$EXIMPARSE" big.log 2>err; echo $? >pipe.rc; } | head -n 1 >/dev/null
    cat pipe.rc)
# (valgrind's leak report of a process killed mid-run is not a message)
grep -v '^==[0-9]*==' err >err.own
check "eximparse | head: killed by SIGPIPE (status $status), no message" \
    test "$status" = 141 -a ! -s err.own
status=$( { trap '' PIPE; run "$EXIMPARSE" big.log 2>err; echo $? >pipe.rc; } |
    head -n 1 >/dev/null
    cat pipe.rc)
check "eximparse | head with SIGPIPE ignored: exit $status, \"$(cat err)\"" \
    test "$status" = 2 -a "$(wc -l <err)" -le 1

# --------------------------------------------------- SIGINT, SIGTERM mid-run
# Each feeder ends in "exec sleep", so $! is the sleep itself.
# The input is a FIFO that stays open, so the command is surely mid-run.
run "$OFFENDERS" -f tsv -s 0 --state st.sig g.log >/dev/null 2>&1
cp st.sig st.sig.before
# Each feeder ends in "exec sleep", so $! is the sleep itself.
for sig in INT TERM; do
	mkdir -p "sig$sig"
	echo OLD >"sig$sig/out"
	rm -f fifo
	mkfifo fifo
	{ head -n 500 g.log; exec sleep 30; } >fifo &
	feeder=$!
	# Not through run(): $! must be the command itself (wrap_commands
	# has made EXIMPARSE valgrind under make memcheck).
	"$EXIMPARSE" -o "sig$sig/out" fifo 2>err &
	pid=$!
	sleep 1
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	if [ "$rc" -gt 128 ] && [ "$(cat "sig$sig/out")" = OLD ] &&
	    no_temp "sig$sig"; then
		ok "SIG$sig: eximparse -o: status $rc, old file kept, no temporary"
	else
		diag "status $rc" "$(cat err)" "$(ls -a "sig$sig")"
		fail "SIG$sig: eximparse -o: old file kept, no temporary"
	fi

	rm -f fifo
	mkfifo fifo
	{ tail -n 500 big.log; exec sleep 30; } >fifo &
	feeder=$!
	"$OFFENDERS" -f tsv -s 0 -o "sig$sig/out" g.log fifo 2>err &
	pid=$!
	sleep 1
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	if [ "$rc" -gt 128 ] && [ "$(cat "sig$sig/out")" = OLD ] &&
	    no_temp "sig$sig"; then
		ok "SIG$sig: offenders -o: status $rc, old file kept, no temporary"
	else
		diag "status $rc" "$(cat err)"
		fail "SIG$sig: offenders -o: old file kept, no temporary"
	fi

	# --state takes regular files only, so the signal comes when it
	# comes: either the run ended (state saved whole) or it was killed
	# (state as before); never anything in between.
	cp st.sig.before st.sig
	"$OFFENDERS" -f tsv -s 0 --state st.sig big.log >/dev/null 2>err &
	pid=$!
	kill -"$sig" "$pid"
	wait "$pid"
	rc=$?
	if { [ "$rc" -gt 128 ] && cmp -s st.sig st.sig.before; } ||
	    { [ "$rc" = 0 ] && ! cmp -s st.sig st.sig.before; }; then
		ok "SIG$sig: offenders --state: status $rc, state whole"
	else
		diag "status $rc" "$(cat err)"
		fail "SIG$sig: offenders --state: state whole"
	fi
	check "SIG$sig: no temporary beside the state" no_temp .
	cp st.sig.before st.sig
done
# After an interruption, the next run counts what an uninterrupted run
# from the same state counts.
cp st.sig.before st.sig
"$OFFENDERS" -f tsv -s 0 --state st.sig big.log >/dev/null 2>&1 &
pid=$!
kill -TERM "$pid"
wait "$pid"
run "$OFFENDERS" -f tsv -s 0 --state st.sig big.log >after 2>/dev/null
cp st.sig.before st.ref
run "$OFFENDERS" -f tsv -s 0 --state st.ref big.log >ref 2>/dev/null
if [ "$(wc -l <after)" -le 1 ] && ! cmp -s st.sig st.sig.before; then
	ok "# SKIP the interrupted run had finished: nothing to compare"
else
	check "after an interruption, --state runs as if it never happened" \
	    cmp -s after ref
fi
# A pipe cannot carry a --state position: refused, not read to nothing.
rm -f fifo
mkfifo fifo
run "$OFFENDERS" --state st.sig fifo >/dev/null 2>err
rc=$?
check "--state with a FIFO: exit $rc, \"$(cat err)\"" \
    test "$rc" = 2 -a "$(wc -l <err)" = 1

# A state file that is not one: a clear message, exit 2, left alone.
printf 'garbage\n' >st.bad
run "$OFFENDERS" -f list --state st.bad g.log >/dev/null 2>err
rc=$?
check "corrupt --state: exit $rc, \"$(cat err)\", file left as it was" \
    test "$rc" = 2 -a "$(cat st.bad)" = garbage -a "$(wc -l <err)" = 1
done_testing
