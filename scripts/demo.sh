#!/bin/sh
# The quick-start demo (make demo): rank the offenders in the bundled
# sample logs (testdata/sample/, a real Exim 4.96 run, rotated Debian
# style): their records (eximparse), the offenders ranked, then firewall
# rules made from them with banlist. Nothing is loaded into the kernel.
set -eu
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
sample=$top/testdata/sample
logs="$sample/mainlog.2.gz $sample/mainlog.1 $sample/mainlog"

say() {
	printf '\n$ %s\n' "$*"
}

if [ ! -f "$sample/mainlog" ]; then
	echo "demo: $sample is missing" >&2
	exit 2
fi
cd "$sample"

say "eximparse -f tsv -F ts,ip,event,reason -e reject,auth_fail ."
"$bin/eximparse" -f tsv -F ts,ip,event,reason -e reject,auth_fail \
    "$sample" || [ $? = 1 ]

say "offenders -f table mainlog.2.gz mainlog.1 mainlog"
# shellcheck disable=SC2086
"$bin/offenders" -f table $logs

say "offenders -c all -g prefix -f table mainlog.2.gz mainlog.1 mainlog"
# shellcheck disable=SC2086
"$bin/offenders" -c all -g prefix -f table $logs

say "offenders -n 2 -f list mainlog.2.gz mainlog.1 mainlog | banlist -f ipset"
if "$bin/banlist" -h 2>&1 | grep -q 'not implemented'; then
	echo "(banlist has not landed yet: the list it would get)"
	# shellcheck disable=SC2086
	"$bin/offenders" -n 2 -f list $logs
	exit 0
fi
# shellcheck disable=SC2086
"$bin/offenders" -n 2 -f list $logs | "$bin/banlist" -f ipset

say "offenders -f tsv mainlog.2.gz mainlog.1 mainlog | banlist -f nft"
# shellcheck disable=SC2086
"$bin/offenders" -f tsv $logs | "$bin/banlist" -f nft
