#!/bin/sh
# Run the scenario table against a real Exim: Debian's exim4-daemon-light
# with our own configuration, on a loopback port, with its spool and logs
# under DIR. Rotates the main log between phases like Debian's logrotate
# (mainlog -> mainlog.1 -> mainlog.2.gz, delaycompress), so DIR/log ends
# up as mainlog.2.gz mainlog.1 mainlog rejectlog paniclog.
#
# usage: run-scenario.sh DIR
# env:   EXIM (/usr/sbin/exim4), SWAKS (swaks), PORT (2525),
#        SELECTOR (log_selector), SCENARIOS (table file)
# Needs root (exim4 -C). Best run inside `unshare -n` (see README.md).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${1:?usage: run-scenario.sh DIR}
EXIM=${EXIM:-/usr/sbin/exim4}
SWAKS=${SWAKS:-swaks}
PORT=${PORT:-2525}
SELECTOR=${SELECTOR:-+smtp_protocol_error +smtp_syntax_error +tls_certificate_verified +tls_peerdn}
SCENARIOS=${SCENARIOS:-$HERE/scenarios}
EXIM_USER=${EXIM_USER:-Debian-exim}

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
CONF=$DIR/exim.conf
CONF_RE=$(printf '%s' "$CONF" | sed 's/[].[*^$\\]/\\&/g; s/f$/[f]/')
LOG=$DIR/log
CLIENTLOG=$DIR/clients.log

say() { printf 'run-scenario: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

setup() {
	mkdir -p "$DIR/spool" "$LOG" "$DIR/mail"
	chmod 755 "$DIR"
	chown "$EXIM_USER:" "$DIR/spool" "$LOG" "$DIR/mail"
	chmod 750 "$DIR/spool" "$LOG" "$DIR/mail"
	sed -e "s|@DIR@|$DIR|g" -e "s|@PORT@|$PORT|g" \
	    -e "s|@SELECTOR@|$SELECTOR|g" "$HERE/exim.conf.in" > "$CONF"
	chmod 644 "$CONF"
	"$EXIM" -C "$CONF" -bV > /dev/null || die "exim4 rejects $CONF"
	: > "$CLIENTLOG"
}

start() {
	"$EXIM" -C "$CONF" -bd
	# The pid file and the "daemon started" line come in either order.
	i=0
	while [ ! -s "$DIR/exim.pid" ] || [ ! -s "$LOG/mainlog" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			[ -s "$DIR/exim.pid" ] && kill "$(cat "$DIR/exim.pid")"
			die "daemon did not start or cannot log: can $EXIM_USER" \
			    "reach $DIR (every parent needs x)? See $LOG"
		fi
		sleep 0.05
	done
	DAEMON=$(cat "$DIR/exim.pid")
}

# Wait until no Exim process of ours but the daemon is left (deliveries
# spawned by reception processes, queue runners), at most 10 seconds.
idle() {
	i=0
	while :; do
		# /proc rather than pgrep (procps is not in every image); the
		# pattern ends in "con[f]" so that this grep does not match
		# its own command line.
		n=$(grep -l -a -- "$CONF_RE" /proc/[0-9]*/cmdline 2>/dev/null |
		    grep -vx "/proc/${DAEMON:-0}/cmdline" | wc -l)
		[ "$n" = 0 ] && return 0
		i=$((i + 1))
		[ $i -gt 200 ] && { say "still busy: $n processes"; return 0; }
		sleep 0.05
	done
}

stop() {
	idle
	[ -n "${DAEMON:-}" ] || return 0
	kill -TERM "$DAEMON" 2>/dev/null || true
	i=0
	while kill -0 "$DAEMON" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { kill -KILL "$DAEMON"; break; }
		sleep 0.05
	done
	DAEMON=
}

# Debian logrotate style: mainlog.N.gz -> N+1, mainlog.1 -> mainlog.2.gz,
# mainlog -> mainlog.1. Exim notices the rename on its next write and
# opens a new mainlog.
rotate() {
	n=$(find "$LOG" -name 'mainlog.*' | sed 's/.*mainlog\.\([0-9]*\).*/\1/' |
	    sort -n | tail -n 1)
	n=${n:-0}
	while [ "$n" -ge 1 ]; do
		for f in "$LOG/mainlog.$n" "$LOG/mainlog.$n.gz"; do
			[ -e "$f" ] && mv "$f" "$(echo "$f" | sed "s/mainlog\.$n/mainlog.$((n + 1))/")"
		done
		n=$((n - 1))
	done
	mv "$LOG/mainlog" "$LOG/mainlog.1"
	[ -e "$LOG/mainlog.2" ] && gzip -9n "$LOG/mainlog.2"
	return 0
}

SEQ=0
swaks_from() {
	src=$1
	shift
	case $src in
	*:*) server=::1 ;;
	*) server=127.0.0.1 ;;
	esac
	# Our own Message-Id: swaks would put this machine's name in it.
	SEQ=$((SEQ + 1))
	"$SWAKS" --server "$server" --port "$PORT" --local-interface "$src" \
	    --timeout 10 --h-Message-Id "<$(date +%s).$SEQ@client.example>" \
	    "$@" < /dev/null >> "$CLIENTLOG" 2>&1 || true
}

raw_from() {
	src=$1
	mode=$2
	case $src in
	*:*) server=::1 ;;
	*) server=127.0.0.1 ;;
	esac
	echo "=== rawclient $mode from $src" >> "$CLIENTLOG"
	perl "$HERE/rawclient.pl" "$mode" "$src" "$server" "$PORT" \
	    < /dev/null >> "$CLIENTLOG" 2>&1 || true
}

# One session of ACTION from SRC.
session() {
	src=$1
	action=$2
	msg="--from sender@client.example --to user@example.test"
	case $action in
	deliver)
		# shellcheck disable=SC2086
		swaks_from "$src" --helo mail.client.example $msg ;;
	pipeline)
		# shellcheck disable=SC2086
		swaks_from "$src" --helo mail.client.example --pipeline $msg ;;
	submit)
		swaks_from "$src" --helo laptop.client.example \
		    --from bob@example.test --to alice@example.test \
		    --auth PLAIN --auth-user bob --auth-password s3cret ;;
	bounce)
		swaks_from "$src" --helo mail.client.example \
		    --from sender@client.example --to gone@example.test ;;
	defer)
		swaks_from "$src" --helo mail.client.example \
		    --from sender@client.example --to busy@example.test ;;
	relay)
		swaks_from "$src" --helo relay.example \
		    --from someone@relay.example --to victim@elsewhere.example ;;
	unknown)
		swaks_from "$src" --helo dict.example \
		    --from someone@dict.example --to nosuch@example.test ;;
	authplain)
		swaks_from "$src" --helo ylmf-pc --quit-after AUTH \
		    --auth PLAIN --auth-user admin --auth-password 123456 \
		    --from admin@example.test --to user@example.test ;;
	authlogin)
		swaks_from "$src" --helo win-brute --quit-after AUTH \
		    --auth LOGIN --auth-user info --auth-password password \
		    --from info@example.test --to user@example.test ;;
	forgedhelo)
		# shellcheck disable=SC2086
		swaks_from "$src" --helo mx.example.test $msg ;;
	badhelo)
		# shellcheck disable=SC2086
		swaks_from "$src" --helo 'bad_helo!' $msg ;;
	spoof)
		swaks_from "$src" --helo mail.spoof.example \
		    --from ceo@example.test --to user@example.test ;;
	spam)
		# shellcheck disable=SC2086
		swaks_from "$src" --helo bulk.example $msg \
		    --header 'Subject: cheap viagra, casino bonus' ;;
	sync | nonmail | http | nomail | conns)
		raw_from "$src" "$action" ;;
	*)
		die "unknown action $action" ;;
	esac
}

setup
trap 'stop' EXIT
start
say "exim daemon $DAEMON on port $PORT, logs in $LOG"

phases=$(awk '!/^#/ && NF { print $1 }' "$SCENARIOS" | sort -nu)
last=$(echo "$phases" | tail -n 1)
for phase in $phases; do
	awk -v p="$phase" '!/^#/ && NF && $1 == p { print $2, $3, $4 }' \
	    "$SCENARIOS" > "$DIR/phase.$phase"
	while read -r addr action n; do
		i=0
		while [ "$i" -lt "$n" ]; do
			echo "=== $(date +%T.%N) $action from $addr" >> "$CLIENTLOG"
			session "$addr" "$action"
			i=$((i + 1))
		done
	done < "$DIR/phase.$phase"
	idle
	if [ "$phase" != "$last" ]; then
		# A second apart, so the generations do not share a timestamp.
		sleep 1
		rotate
		sleep 1
	fi
done

# Retry what is queued (the deferred message), then stop.
"$EXIM" -C "$CONF" -qff
stop
trap - EXIT
say "done"
