#!/bin/sh
# Nothing but validated addresses and the admin's own names reaches banlist
# output: feed hostile lines, then check every token of every generated
# file (python3's ipaddress module judges the addresses) and grep for the
# attacker's text.
. "$(dirname "$0")/lib.sh"
need python3
scratch
T=$T_TMP

{
	echo '198.51.100.7'
	echo '1.2.3.4;rm -rf /'
	echo '$(reboot)'
	echo '`touch /tmp/pwned`'
	echo '203.0.113.0/24 $(reboot)'
	echo '2001:db8::1	`id`'
	printf '192.0.2.1\nrm -rf /\n'
	printf '192.0.2.9\r\n'
	printf '10.1.1.1\0;reboot\n'
	echo '{"ip":"192.0.2.3","helo":"$(reboot)"}'
	echo '{"ip":"192.0.2.4\nreboot"}' # dash: a real newline
	echo '{"ip":"$(reboot)"}'
	echo '192.0.2.5/32;reboot'
	echo '::ffff:198.51.100.77'
	printf '\033[2J192.0.2.66\n'
	echo '2001:db8:bad::/48,wget http://x/'
} >"$T/hostile"
printf '192.0.2.0/28\n' >"$T/dump.in"

# Tokens allowed besides addresses, numbers and the names below.
VOCAB='create hash:ip hash:net family inet inet6 maxelem timeout -exist
destroy add del swap *filter COMMIT - [0:0] -A -m set --match-set src -j DROP
-s -p tcp multiport --dports #!/bin/sh -e iptables ip6tables -w -n -L
>/dev/null 2>&1 || -N -F -C 2>/dev/null -I table delete type ipv4_addr
ipv6_addr flags interval elements = chain input filter hook priority policy
accept ip ip6 saddr drop dport element #!/usr/sbin/nft -f'
NAMES='adm_v4 adm_v4-new adm6 adm6-new mail-ban mailtbl INPUT DOCKER-USER'

gen() {
	out=$1
	shift
	"$BANLIST" -n adm_v4 --name6 adm6 "$@" "$T/hostile" >"$T/$out" \
	    2>"$T/$out.err"
	rc=$?
	[ $rc = 2 ] || fail "$out: exit $rc, want 2 (bad lines)"
}
gen list
gen ipset -f ipset -t 1d
gen ipset.swap -f ipset --swap
gen ipt -f iptables -c mail-ban
gen ipt6 -f iptables -6 --addresses -c mail-ban --ports 25,465,587
gen ipt.sh -f iptables --script -c mail-ban
gen iptd.sh -f iptables --script --addresses -c DOCKER-USER --ports 25
gen nft -f nft --table mailtbl -t 3600 --ports 25,465,587
"$BANLIST" -n adm_v4 --name6 adm6 "$T/dump.in" >/dev/null 2>&1
printf 'add adm_v4 192.0.2.0/28\nadd adm6 2001:db8::/64\n' >"$T/live"
gen ipset.diff -f ipset --diff "$T/live"
gen nft.diff -f nft --table mailtbl --diff "$T/live"

for f in list ipset ipset.swap ipt ipt6 ipt.sh iptd.sh nft ipset.diff \
    nft.diff; do
	if python3 - "$T/$f" "$VOCAB" "$NAMES" >"$T/$f.bad" <<'EOF'
import ipaddress, re, sys
path, vocab, names = sys.argv[1], set(sys.argv[2].split()), set(sys.argv[3].split())
bad = 0
for n, line in enumerate(open(path, 'rb').read().split(b'\n'), 1):
    try:
        text = line.decode('ascii')
    except UnicodeDecodeError:
        print('%d: non-ASCII byte' % n); bad += 1; continue
    if any(ord(c) < 0x20 and c != '\t' for c in text):
        print('%d: control byte' % n); bad += 1; continue
    if text.startswith('# ') or text == '#!/bin/sh' or text == '#!/usr/sbin/nft -f':
        continue
    for tok in re.split(r'[\s{},;@]+', text):
        if tok == '' or tok in vocab or tok in names:
            continue
        if re.fullmatch(r'[+-]?[0-9]+s?', tok) or re.fullmatch(r':(adm_v4|mail-ban)', tok):
            continue
        if re.fullmatch(r'[0-9]+(,[0-9]+)*', tok):
            continue
        t = tok.lstrip('+-') if path.endswith('list') else tok
        try:
            ipaddress.ip_network(t, strict=True)
            continue
        except ValueError:
            pass
        print('%d: unexpected token %r' % (n, tok)); bad += 1
sys.exit(1 if bad else 0)
EOF
	then
		ok "$f: only addresses, names and format keywords"
	else
		fail "$f: only addresses, names and format keywords"
		diag "$(head -5 "$T/$f.bad")"
	fi
	if grep -E -q 'rm|reboot|touch|pwned|wget|`|\$\(|/tmp|10\.1\.1\.1' \
	    "$T/$f"; then
		fail "$f: attacker text absent"
		diag "$(grep -E 'rm|reboot|touch|wget|`|\$\(' "$T/$f" | head -3)"
	else
		ok "$f: attacker text absent"
	fi
done

# The good lines around the bad ones were kept, and only they (a valid
# first field counts, whatever follows it).
printf '%s\n' 192.0.2.1 192.0.2.3 192.0.2.9 198.51.100.7 198.51.100.77 \
    203.0.113.0/24 2001:db8::1 2001:db8:bad::/48 >"$T/want"
check "list keeps exactly the valid lines" cmp -s "$T/want" "$T/list"
n=$(grep -c 'not an IP address\|JSON line' "$T/list.err")
check "each bad line reported with its line number ($n)" test "$n" = 10
check "messages name file and line" \
    grep -q "^banlist: $T/hostile:2: " "$T/list.err"
if grep -q "$(printf '\033')" "$T/list.err"; then
	fail "escape bytes not echoed to the terminal"
else
	ok "escape bytes not echoed to the terminal"
fi

# Hostile names are refused before anything is written.
for bad in 'x;reboot' '$(id)' 'a b' '-exist' 'x`id`' \
    'averyveryverylongsetname12345'; do
	if "$BANLIST" -f ipset -n "$bad" -o "$T/never" "$T/hostile" \
	    >/dev/null 2>&1; then
		fail "set name '$bad' refused"
	else
		ok "set name '$bad' refused"
	fi
done
for bad in 'x;reboot' 'a b' '-j' 'averyveryverylongchainname12345'; do
	if "$BANLIST" -f iptables -c "$bad" "$T/hostile" >/dev/null 2>&1; then
		fail "chain '$bad' refused"
	else
		ok "chain '$bad' refused"
	fi
done
for bad in 't;' 'table' '1abc' 'a}b'; do
	if "$BANLIST" -f nft --table "$bad" "$T/hostile" >/dev/null 2>&1; then
		fail "nft table '$bad' refused"
	else
		ok "nft table '$bad' refused"
	fi
done
check "refused runs wrote nothing" test ! -e "$T/never"

done_testing
