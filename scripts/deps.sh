#!/bin/sh
# Install the Debian packages eximsift needs to build and test, if missing.
# A no-op when everything is there; needs root otherwise.
set -eu

PKGS="gcc make pkg-config perl libpcre2-dev libzstd-dev zlib1g-dev
libbz2-dev liblzma-dev libmaxminddb-dev mandoc
gzip zstd bzip2 xz-utils
exim4-daemon-light swaks libio-socket-inet6-perl fail2ban
ipset nftables iptables iproute2 util-linux iprange
libmaxmind-db-writer-perl mmdb-bin
clang-14 libclang-rt-14-dev valgrind hyperfine shellcheck time"

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Package scripts must not start daemons (exim4) on this machine.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	made_policy=1
fi
apt-get update -qq || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
[ -n "$made_policy" ] && rm -f "$policy"
exit 0
