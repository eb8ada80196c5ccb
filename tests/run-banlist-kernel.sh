#!/bin/sh
# banlist output loaded into the real kernel inside private network
# namespaces (unshare -n): ipset restore, iptables-restore,
# ip6tables-restore, nft -f and the iptables shell script. The live state is
# read back (ipset save, iptables-save, nft -j list) and compared with the
# list banlist was asked for; every file is loaded twice for idempotence.
. "$(dirname "$0")/lib.sh"
need_root
need unshare ipset nft iptables-restore ip6tables-restore python3
unshare -n true 2>/dev/null || skip_all "unshare -n not permitted"
scratch
T=$T_TMP

# Offenders: hosts, adjacent hosts that merge, a network, IPv6, a special
# address that must be skipped, and an allowlist that punches a hole.
cat >"$T/in" <<'EOF'
# offenders list
198.51.100.7
198.51.100.6
203.0.113.0/26
203.0.113.64/26
192.0.2.10
127.0.0.1
2001:db8:1::5
2001:db8:2::/64
EOF
printf '203.0.113.77\n2001:db8:2::1\n' >"$T/allow"
# What must be banned, written by hand.
cat >"$T/want" <<'EOF'
192.0.2.10
198.51.100.6/31
203.0.113.0/26
203.0.113.64/29
203.0.113.72/30
203.0.113.76
203.0.113.78/31
203.0.113.80/28
203.0.113.96/27
2001:db8:1::5
2001:db8:2::
2001:db8:2::2/127
2001:db8:2::4/126
2001:db8:2::8/125
2001:db8:2::10/124
2001:db8:2::20/123
2001:db8:2::40/122
2001:db8:2::80/121
2001:db8:2::100/120
2001:db8:2::200/119
2001:db8:2::400/118
2001:db8:2::800/117
2001:db8:2::1000/116
2001:db8:2::2000/115
2001:db8:2::4000/114
2001:db8:2::8000/113
2001:db8:2::1:0/112
2001:db8:2::2:0/111
2001:db8:2::4:0/110
2001:db8:2::8:0/109
2001:db8:2::10:0/108
2001:db8:2::20:0/107
2001:db8:2::40:0/106
2001:db8:2::80:0/105
2001:db8:2::100:0/104
2001:db8:2::200:0/103
2001:db8:2::400:0/102
2001:db8:2::800:0/101
2001:db8:2::1000:0/100
2001:db8:2::2000:0/99
2001:db8:2::4000:0/98
2001:db8:2::8000:0/97
2001:db8:2::1:0:0/96
2001:db8:2::2:0:0/95
2001:db8:2::4:0:0/94
2001:db8:2::8:0:0/93
2001:db8:2::10:0:0/92
2001:db8:2::20:0:0/91
2001:db8:2::40:0:0/90
2001:db8:2::80:0:0/89
2001:db8:2::100:0:0/88
2001:db8:2::200:0:0/87
2001:db8:2::400:0:0/86
2001:db8:2::800:0:0/85
2001:db8:2::1000:0:0/84
2001:db8:2::2000:0:0/83
2001:db8:2::4000:0:0/82
2001:db8:2::8000:0:0/81
2001:db8:2:0:1::/80
2001:db8:2:0:2::/79
2001:db8:2:0:4::/78
2001:db8:2:0:8::/77
2001:db8:2:0:10::/76
2001:db8:2:0:20::/75
2001:db8:2:0:40::/74
2001:db8:2:0:80::/73
2001:db8:2:0:100::/72
2001:db8:2:0:200::/71
2001:db8:2:0:400::/70
2001:db8:2:0:800::/69
2001:db8:2:0:1000::/68
2001:db8:2:0:2000::/67
2001:db8:2:0:4000::/66
2001:db8:2:0:8000::/65
EOF

# The list itself must be what we wrote by hand.
"$BANLIST" -a "$T/allow" "$T/in" >"$T/list" 2>"$T/list.err"
check "list equals the hand-computed cover (allowlist holes, merges)" \
    cmp -s "$T/want" "$T/list"
grep -q '127.0.0.1: loopback' "$T/list.err" || fail "loopback not reported"

# Members of the live ipsets NAME and NAME6, sorted, as the kernel prints
# them (hosts bare, networks as CIDR).
live_ipset() {
	grep -E "^add ($1|${1}6) " | awk '{print $3}' | sort
}
sorted() {
	sort "$1"
}

# ns SCRIPT: run a shell script in a fresh network namespace
ns() {
	unshare -n sh -e -c "$1"
}

for mode in add swap; do
	flag=
	[ $mode = swap ] && flag=--swap
	"$BANLIST" -f ipset $flag -n bl -a "$T/allow" "$T/in" \
	    >"$T/ipset.$mode" 2>/dev/null
	# Preload a stale member: swap must drop it, add mode must keep it.
	if ns "ipset create bl hash:net family inet maxelem 131072 timeout 0
	    ipset add bl 10.9.9.9
	    ipset restore <'$T/ipset.$mode'
	    ipset restore <'$T/ipset.$mode'
	    ipset save >'$T/save.$mode'" 2>"$T/err.$mode"; then
		ok "ipset $mode: loads twice"
	else
		fail "ipset $mode: loads twice"
		diag "$(cat "$T/err.$mode")"
	fi
	live_ipset bl <"$T/save.$mode" >"$T/live.$mode"
	if [ $mode = swap ]; then
		sorted "$T/want" >"$T/want.s"
	else
		{ cat "$T/want"; echo 10.9.9.9; } | sort >"$T/want.s"
	fi
	if cmp -s "$T/want.s" "$T/live.$mode"; then
		ok "ipset $mode: live members equal the request"
	else
		fail "ipset $mode: live members equal the request"
		diag "$(diff "$T/want.s" "$T/live.$mode" | head -20)"
	fi
done
grep -q '^create bl6 hash:net family inet6' "$T/save.swap" ||
    fail "IPv6 set bl6 missing"
ok "IPv6 set bl6 is family inet6"

# Hosts only: hash:ip, timeouts honoured and clamped, -t 1d.
printf '192.0.2.1\n192.0.2.3\n2001:db8::7\n' >"$T/hosts"
"$BANLIST" -f ipset --swap -t 1d "$T/hosts" >"$T/ipset.t"
ns "ipset restore <'$T/ipset.t'; ipset restore <'$T/ipset.t'
    ipset save >'$T/save.t'; ipset list banlist >'$T/list.t'"
check "hosts only: hash:ip" grep -q '^create banlist hash:ip family inet ' \
    "$T/save.t"
n=$(grep -c '^add banlist 192.0.2.[13] timeout' "$T/save.t")
check "timeout 1d on both hosts ($n)" test "$n" = 2
tmo=$(awk '$1 == "add" && $3 == "192.0.2.1" {print $5}' "$T/save.t")
check "timeout counts down from 86400 ($tmo)" \
    test "$tmo" -gt 86000 -a "$tmo" -le 86400
check "IPv6 host in banlist6" grep -q '^add banlist6 2001:db8::7 ' "$T/save.t"

# --diff against the live dump: only additions and deletions, and the
# result equals the new request.
printf '192.0.2.1\n192.0.2.5\n2001:db8::8\n' >"$T/hosts2"
"$BANLIST" -f ipset --diff "$T/save.t" "$T/hosts2" >"$T/diff.ipset"
check "ipset diff: 2 deletions" test "$(grep -c '^del ' "$T/diff.ipset")" = 2
check "ipset diff: 2 additions" test "$(grep -c '^add ' "$T/diff.ipset")" = 2
ns "ipset restore <'$T/ipset.t'
    ipset restore <'$T/diff.ipset'; ipset restore <'$T/diff.ipset'
    ipset save >'$T/save.d'"
live_ipset banlist <"$T/save.d" >"$T/live.d"
"$BANLIST" "$T/hosts2" | sort >"$T/want.d"
check "ipset diff applied twice gives the new list" cmp -s "$T/want.d" \
    "$T/live.d"
# The same diff from "ipset list" output.
ns "ipset restore <'$T/ipset.t'; ipset list >'$T/list.all'"
"$BANLIST" -f ipset --diff "$T/list.all" "$T/hosts2" >"$T/diff.ipset2"
check "diff from ipset list equals diff from ipset save" \
    cmp -s "$T/diff.ipset" "$T/diff.ipset2"

# ---- nft ----
# Elements of the live nft sets NAME and NAME6 of table inet TABLE, one
# CIDR per line, read from "nft -j list set" by python3's json module.
nft_elems() {
	python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    for obj in json.loads(line)["nftables"]:
        s = obj.get("set")
        if not s:
            continue
        for e in s.get("elem", []):
            if isinstance(e, dict) and "elem" in e:
                e = e["elem"]["val"]
            if isinstance(e, str):
                print(e)
            elif "prefix" in e:
                print("%s/%d" % (e["prefix"]["addr"], e["prefix"]["len"]))
            else:
                print("range %s %s" % tuple(e["range"]))
' | sort
}
"$BANLIST" -f nft -t 1h --ports 25,465,587 -a "$T/allow" "$T/in" \
    >"$T/nft" 2>/dev/null
if ns "nft -f '$T/nft'; nft -f '$T/nft'
    nft -j list set inet banlist banlist >'$T/nft.4'
    nft -j list set inet banlist banlist6 >'$T/nft.6'
    nft -j list chain inet banlist input >'$T/nft.chain'" 2>"$T/nft.err"
then
	ok "nft: loads twice"
else
	fail "nft: loads twice"
	diag "$(cat "$T/nft.err")"
fi
cat "$T/nft.4" "$T/nft.6" | nft_elems >"$T/nft.live"
sort "$T/want" >"$T/want.s"
if cmp -s "$T/want.s" "$T/nft.live"; then
	ok "nft: live elements equal the request"
else
	fail "nft: live elements equal the request"
	diag "$(diff "$T/want.s" "$T/nft.live" | head -20)"
fi
n=$(grep -o '"rule"' "$T/nft.chain" | wc -l)
check "nft: two drop rules after two loads ($n)" test "$n" = 2
check "nft: rules match ports 25, 465, 587" grep -q '"set": \[25, 465, 587\]' \
    "$T/nft.chain"
check "nft: elements carry timeout 3600" grep -q '"timeout": 3600' "$T/nft.4"
check "nft: set flags interval and timeout" \
    grep -q '"flags": \["interval", "timeout"\]' "$T/nft.6"

# nft --diff against the live dump, applied once, gives the new list.
cat "$T/nft.4" "$T/nft.6" >"$T/nft.dump"
"$BANLIST" -f nft --diff "$T/nft.dump" "$T/hosts2" >"$T/nft.diff"
if ns "nft -f '$T/nft'; nft -f '$T/nft.diff'
    nft -j list set inet banlist banlist >'$T/nftd.4'
    nft -j list set inet banlist banlist6 >'$T/nftd.6'" 2>"$T/nftd.err"
then
	ok "nft diff: loads"
else
	fail "nft diff: loads"
	diag "$(cat "$T/nftd.err")"
fi
cat "$T/nftd.4" "$T/nftd.6" | nft_elems >"$T/nftd.live"
check "nft diff: live elements equal the new list" cmp -s "$T/want.d" \
    "$T/nftd.live"

# A range element added by hand is deleted as the range nft holds.
if ns "nft -f '$T/nft'
    nft add element inet banlist banlist '{ 10.0.0.1-10.0.0.9 }'
    nft -j list table inet banlist >'$T/nftr.dump'
    '$BANLIST' -f nft --diff '$T/nftr.dump' '$T/hosts2' >'$T/nftr.diff'
    nft -f '$T/nftr.diff'
    nft -j list set inet banlist banlist >'$T/nftr.4'
    nft -j list set inet banlist banlist6 >'$T/nftr.6'" 2>"$T/nftr.err"
then
	ok "nft diff: deletes a live range element"
else
	fail "nft diff: deletes a live range element"
	diag "$(cat "$T/nftr.err")"
fi
check "nft diff: the range was in the dump" grep -q '"range"' "$T/nftr.dump"
cat "$T/nftr.4" "$T/nftr.6" | nft_elems >"$T/nftr.live"
check "nft diff with a range: live elements equal the new list" \
    cmp -s "$T/want.d" "$T/nftr.live"

# ---- iptables ----
# Rules of chain C as iptables-save prints them, hosts without /32, /128.
ipt_rules() {
	grep "^-A $1 " | sed -e 's|/32 | |' -e 's|/128 | |'
}
"$BANLIST" -f ipset -n bl -a "$T/allow" "$T/in" >"$T/ipt.ipset" 2>/dev/null
"$BANLIST" -f iptables -n bl "$T/in" >"$T/ipt.4" 2>/dev/null
"$BANLIST" -f iptables -6 -n bl "$T/in" >"$T/ipt.6" 2>/dev/null
if ns "ipset restore <'$T/ipt.ipset'
    iptables -w -I INPUT -j banlist 2>/dev/null || true
    iptables-restore --noflush <'$T/ipt.4'
    iptables-restore --noflush <'$T/ipt.4'
    ip6tables-restore --noflush <'$T/ipt.6'
    ip6tables-restore --noflush <'$T/ipt.6'
    iptables-save >'$T/save4'; ip6tables-save >'$T/save6'" 2>"$T/ipt.err"
then
	ok "iptables-restore, ip6tables-restore: load twice"
else
	fail "iptables-restore, ip6tables-restore: load twice"
	diag "$(cat "$T/ipt.err")"
fi
check "iptables: one set rule in chain banlist" test "$(ipt_rules banlist \
    <"$T/save4")" = "-A banlist -m set --match-set bl src -j DROP"
check "ip6tables: one set rule in chain banlist" test "$(ipt_rules banlist \
    <"$T/save6")" = "-A banlist -m set --match-set bl6 src -j DROP"

# --addresses: one rule per CIDR block, both families.
"$BANLIST" -f iptables --addresses --ports 25,465,587 -c ban-smtp \
    -a "$T/allow" "$T/in" >"$T/ipta.4" 2>/dev/null
"$BANLIST" -f iptables -6 --addresses --ports 25,465,587 -c ban-smtp \
    -a "$T/allow" "$T/in" >"$T/ipta.6" 2>/dev/null
ns "iptables-restore --noflush <'$T/ipta.4'
    iptables-restore --noflush <'$T/ipta.4'
    ip6tables-restore --noflush <'$T/ipta.6'
    ip6tables-restore --noflush <'$T/ipta.6'
    iptables-save >'$T/savea4'; ip6tables-save >'$T/savea6'"
cat "$T/savea4" "$T/savea6" | ipt_rules ban-smtp >"$T/rules.a"
sed 's/^/-A ban-smtp -s /; s/$/ -p tcp -m multiport --dports 25,465,587 -j DROP/' \
    "$T/want" >"$T/want.a"
if cmp -s "$T/want.a" "$T/rules.a"; then
	ok "iptables --addresses: one rule per block, loaded twice"
else
	fail "iptables --addresses: one rule per block, loaded twice"
	diag "$(diff "$T/want.a" "$T/rules.a" | head -20)"
fi

# Restore files refuse built-in chains (not idempotent there).
if "$BANLIST" -f iptables -c INPUT "$T/in" >/dev/null 2>&1; then
	fail "restore file into INPUT refused"
else
	ok "restore file into INPUT refused"
fi

# Shell script: dedicated chain hooked from INPUT, then direct DOCKER-USER.
"$BANLIST" -f iptables --script -n bl "$T/in" >"$T/ipt.sh" 2>/dev/null
"$BANLIST" -f iptables --script --addresses -c DOCKER-USER --ports 25 \
    -a "$T/allow" "$T/in" >"$T/iptd.sh" 2>/dev/null
if ns "ipset restore <'$T/ipt.ipset'
    iptables -w -N DOCKER-USER; ip6tables -w -N DOCKER-USER
    sh '$T/ipt.sh'; sh '$T/ipt.sh'; sh '$T/iptd.sh'; sh '$T/iptd.sh'
    iptables-save >'$T/saves4'; ip6tables-save >'$T/saves6'" 2>"$T/ipts.err"
then
	ok "iptables scripts run twice"
else
	fail "iptables scripts run twice"
	diag "$(cat "$T/ipts.err")"
fi
check "script: INPUT jumps to banlist once" test "$(ipt_rules INPUT \
    <"$T/saves4")" = "-A INPUT -j banlist"
check "script: ip6 INPUT jumps to banlist once" test "$(ipt_rules INPUT \
    <"$T/saves6")" = "-A INPUT -j banlist"
check "script: one set rule" test "$(ipt_rules banlist <"$T/saves4")" = \
    "-A banlist -m set --match-set bl src -j DROP"
cat "$T/saves4" "$T/saves6" | ipt_rules DOCKER-USER | sort >"$T/rules.d"
sed 's/^/-A DOCKER-USER -s /; s/$/ -p tcp -m multiport --dports 25 -j DROP/' \
    "$T/want" | sort >"$T/want.dk"
if cmp -s "$T/want.dk" "$T/rules.d"; then
	ok "script: DOCKER-USER holds one rule per block after two runs"
else
	fail "script: DOCKER-USER holds one rule per block after two runs"
	diag "$(diff "$T/want.dk" "$T/rules.d" | head -20)"
fi


# ---- packets: the loaded rules really drop what was asked ----
# Loopback addresses stand in for clients; a TCP SYN from each to a local
# address is refused (RST: passed the firewall) or times out (dropped).
cat >"$T/probe.py" <<'EOF'
import socket, sys
port = int(sys.argv[1])
for src in sys.argv[2:]:
    fam = socket.AF_INET6 if ':' in src else socket.AF_INET
    dst = '2001:db8::100' if fam == socket.AF_INET6 else '192.0.2.100'
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(0.3)
    try:
        s.connect((dst, port))
        r = 'pass'
    except ConnectionRefusedError:
        r = 'pass'
    except OSError:
        r = 'drop'
    print(src, port, r)
    s.close()
EOF
printf '192.0.2.0/29\n2001:db8::/126\n' >"$T/pk.in"
printf '192.0.2.3\n2001:db8::2\n' >"$T/pk.allow"
SRCS="192.0.2.1 192.0.2.3 192.0.2.9 2001:db8::1 2001:db8::2 2001:db8::9"
cat >"$T/pk.want" <<'EOF'
192.0.2.1 25 drop
192.0.2.3 25 pass
192.0.2.9 25 pass
2001:db8::1 25 drop
2001:db8::2 25 pass
2001:db8::9 25 pass
192.0.2.1 80 pass
192.0.2.3 80 pass
192.0.2.9 80 pass
2001:db8::1 80 pass
2001:db8::2 80 pass
2001:db8::9 80 pass
EOF
# packets NAME LOAD-COMMANDS: load the rules, then probe ports 25 and 80
packets() {
	if ns "ip link set lo up
	    for a in 192.0.2.1 192.0.2.3 192.0.2.9 192.0.2.100; do
		ip addr add \$a/32 dev lo; done
	    for a in 2001:db8::1 2001:db8::2 2001:db8::9 2001:db8::100; do
		ip -6 addr add \$a/128 dev lo nodad; done
	    $2
	    python3 '$T/probe.py' 25 $SRCS
	    python3 '$T/probe.py' 80 $SRCS" >"$T/res.$3" \
	    2>"$T/res.$3.err" && cmp -s "$T/pk.want" "$T/res.$3"; then
		ok "$1: drops the banned, passes the allowlist hole and port 80"
	else
		fail "$1: drops the banned, passes the allowlist hole and port 80"
		diag "$(cat "$T/res.$3.err")" "$(diff "$T/pk.want" "$T/res.$3")"
	fi
}
bl() {
	"$BANLIST" -a "$T/pk.allow" --ports 25 "$@" "$T/pk.in"
}
bl -f nft >"$T/pk.nft"
packets nft "nft -f '$T/pk.nft'" nft
bl -f ipset --swap >"$T/pk.ipset"
bl -f iptables --script >"$T/pk.ipt.sh"
packets "ipset + iptables script" "ipset restore <'$T/pk.ipset'
    sh '$T/pk.ipt.sh'" script
bl -f iptables >"$T/pk.ipt4"
bl -f iptables -6 >"$T/pk.ipt6"
packets "ipset + iptables-restore" "ipset restore <'$T/pk.ipset'
    iptables-restore --noflush <'$T/pk.ipt4'
    ip6tables-restore --noflush <'$T/pk.ipt6'
    iptables -w -I INPUT -j banlist; ip6tables -w -I INPUT -j banlist" restore
bl -f iptables --addresses --script -c DOCKER-USER >"$T/pk.ipta.sh"
packets "iptables --addresses into DOCKER-USER" "
    iptables -w -N DOCKER-USER; ip6tables -w -N DOCKER-USER
    iptables -w -I INPUT -j DOCKER-USER; ip6tables -w -I INPUT -j DOCKER-USER
    sh '$T/pk.ipta.sh'" docker

done_testing
