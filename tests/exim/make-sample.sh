#!/bin/sh
# Make testdata/sample/ (the README quick start's logs) from a real run of
# the scenario table against Exim, with Debian's default log_selector and
# Debian's rotation (mainlog.2.gz mainlog.1 mainlog), then:
#  - loopback client addresses rewritten to documentation ranges
#    (127.0.2.N -> 203.0.113.N, 127.0.3.N -> 198.51.100.N,
#    ::1 -> 2001:db8:bad::1; the server 127.0.0.1/::1 port 2525 on the
#    daemon line -> 192.0.2.25/2001:db8::25 port 25), so that banlist,
#    which refuses loopback, takes them;
#  - the "exim user lost privilege for using -C option" lines, which only
#    a -C test run writes, removed.
# usage: tests/exim/make-sample.sh [OUTDIR]     (as root)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/../../testdata/sample}
[ "$(id -u)" = 0 ] || { echo "make-sample: needs root" >&2; exit 1; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/make-sample.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
chmod 755 "$WORK"	# Exim's user must reach the spool and logs below

SELECTOR='+smtp_protocol_error +smtp_syntax_error +tls_certificate_verified +tls_peerdn'
export SELECTOR
if command -v ip >/dev/null && unshare -n true 2>/dev/null; then
	unshare -n sh -c 'ip link set lo up && exec sh "$0" "$1"' \
	    "$HERE/run-scenario.sh" "$WORK/run"
else
	PORT=$((20000 + $$ % 10000)) sh "$HERE/run-scenario.sh" "$WORK/run"
fi

rewrite() {
	sed -e '/exim user lost privilege for using -C option/d' \
	    -e 's/listening for SMTP on \[127\.0\.0\.1\]:2525 \[::1\]:2525/listening for SMTP on [192.0.2.25]:25 [2001:db8::25]:25/' \
	    -e 's/127\.0\.2\.\([0-9][0-9]*\)/203.0.113.\1/g' \
	    -e 's/127\.0\.3\.\([0-9][0-9]*\)/198.51.100.\1/g' \
	    -e 's/127\.0\.0\.1/192.0.2.25/g' \
	    -e 's/\[::1\]/[2001:db8:bad::1]/g'
}

LOG=$WORK/run/log
rm -f "$OUT"/mainlog* "$OUT"/rejectlog*
for f in "$LOG"/mainlog* "$LOG"/rejectlog; do
	b=$(basename "$f")
	case $b in
	*.gz) gzip -dc "$f" | rewrite | gzip -9n > "$OUT/$b" ;;
	*) rewrite < "$f" > "$OUT/$b" ;;
	esac
done
chmod 644 "$OUT"/mainlog* "$OUT"/rejectlog
if grep -n '127\.0\.\|\[::1\]' "$OUT"/mainlog.1 "$OUT"/mainlog "$OUT"/rejectlog ||
    gzip -dc "$OUT"/mainlog.2.gz | grep -n '127\.0\.\|\[::1\]'; then
	echo "make-sample: loopback addresses left after the rewrite" >&2
	exit 1
fi
ls -l "$OUT"
