#!/usr/bin/perl
# The checks of tests/run-hostile.sh (see there and tests/hostile/README.md);
# prints TAP. Needs T_TMP, EXIMPARSE, OFFENDERS and BANLIST.
use strict;
use warnings;
use Encode ();
use JSON::PP;

my $tmp = $ENV{T_TMP};
my ($EXIMPARSE, $OFFENDERS, $BANLIST, $REGEX_TEST) =
    @ENV{qw(EXIMPARSE OFFENDERS BANLIST REGEX_TEST)};
my ($n, $failed) = (0, 0);
my @FAKE = qw(8.8.8.8 8.8.4.4 1.1.1.1 9.9.9.9 2001:4860:4860::8888);
my $MARKERS = qr/XATK|\$\(|`|reboot|flush ruleset|HYPERLINK|%\(known|<F-USER>/;

sub ok {
	my ($c, $d, @diag) = @_;
	$n++;
	if ($c) {
		print "ok $n - $d\n";
	} else {
		$failed++;
		print "not ok $n - $d\n";
		for (@diag) {
			my $t = $_;
			$t =~ s/([^\x20-\x7e\n])/sprintf("\\x%02x", ord $1)/ge;
			print "# $_\n" for split /\n/, substr($t, 0, 3000);
		}
	}
	return $c;
}

sub slurp {
	my ($f) = @_;
	open my $fh, '<:raw', $f or return '';
	local $/;
	my $s = <$fh>;
	return defined $s ? $s : '';
}

sub spit {
	my ($f, $s) = @_;
	open my $fh, '>:raw', $f or die "$f: $!";
	print $fh $s;
	close $fh;
}

# Run a command with stdin from a file; returns exit status, stdout, stderr.
sub run {
	my ($in, @cmd) = @_;
	my ($o, $e) = ("$tmp/run.out", "$tmp/run.err");
	my $pid = fork;
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		open STDIN, '<', $in or die;
		open STDOUT, '>', $o or die;
		open STDERR, '>', $e or die;
		exec @cmd or exit 127;
	}
	waitpid $pid, 0;
	return ($? >> 8, slurp($o), slurp($e));
}

# Bytes as a JSON reader must see them: each maximal invalid UTF-8
# subpart (Unicode 3.9, Table 3-7) becomes U+FFFD.
sub sanitize {
	my ($b) = @_;
	my $out = '';
	my @c = unpack 'C*', $b;
	my $i = 0;
	while ($i < @c) {
		my $x = $c[$i];
		if ($x < 0x80) { $out .= chr $x; $i++; next; }
		my ($need, $lo, $hi) = (0, 0x80, 0xbf);
		if ($x >= 0xc2 && $x <= 0xdf) { $need = 1 }
		elsif ($x == 0xe0) { ($need, $lo) = (2, 0xa0) }
		elsif (($x >= 0xe1 && $x <= 0xec) || $x == 0xee || $x == 0xef) { $need = 2 }
		elsif ($x == 0xed) { ($need, $hi) = (2, 0x9f) }
		elsif ($x == 0xf0) { ($need, $lo) = (3, 0x90) }
		elsif ($x >= 0xf1 && $x <= 0xf3) { $need = 3 }
		elsif ($x == 0xf4) { ($need, $hi) = (3, 0x8f) }
		if ($need == 0) { $out .= "\xef\xbf\xbd"; $i++; next; }
		my $k;
		for ($k = 1; $k <= $need; $k++) {
			last if $i + $k >= @c || $c[$i + $k] < $lo || $c[$i + $k] > $hi;
			($lo, $hi) = (0x80, 0xbf);
		}
		if ($k > $need) {
			$out .= pack 'C*', @c[$i .. $i + $need];
			$i += $need + 1;
		} else {
			$out .= "\xef\xbf\xbd";
			$i += $k;
		}
	}
	return $out;
}

sub decode_case_line {
	my ($t) = @_;
	$t =~ s/\\\{(\d+)\*([^}]*)\}/$2 x $1/ge;
	$t =~ s/\\(\\|x([0-9a-fA-F]{2}))/defined $2 ? chr(hex $2) : "\\"/ge;
	return $t;
}

# A strict address: dotted quad without leading zeros, or IPv6.
sub addr_ok {
	my ($a) = @_;
	return 1 if $a =~ /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
	return 0 unless $a =~ /^[0-9a-f:]+$/i && $a =~ /:/ && length $a <= 39;
	return 1;
}

# Inside the ranges our real clients use (192.0.2.0/24, 2001:db8::/32).
sub doc_range {
	my ($t) = @_;
	my ($a, $len) = split m{/}, $t, 2;
	return 0 unless addr_ok($a);
	return 0 if defined $len && $len !~ /^\d{1,3}$/;
	if ($a =~ /^192\.0\.2\.\d+$/) {
		return !defined $len || ($len >= 24 && $len <= 32);
	}
	return ($a =~ /^2001:db8(:|$)/i) && (!defined $len ||
	    ($len >= 32 && $len <= 128));
}

# ---------------------------------------------------------------- cases
my @cases;
{
	local $/ = '';
	open my $fh, '<', $ARGV[0] or die "$ARGV[0]: $!";
	while (my $blk = <$fh>) {
		my %c = (lines => [], exp => [], opts => {});
		for my $l (split /\n/, $blk) {
			if ($l =~ /^= (.*)/) { $c{name} = $1 }
			elsif ($l =~ /^@ (\w+)=(.*)/) { $c{opts}{$1} = $2 }
			elsif ($l =~ /^< ?(.*)/s) { push @{$c{lines}}, decode_case_line($1) }
			elsif ($l =~ /^> (.*)/) { push @{$c{exp}}, $1 }
		}
		push @cases, \%c if defined $c{name};
	}
}
ok(@cases >= 60, scalar(@cases) . " hostile cases read");

my $json = JSON::PP->new->utf8(1)->relaxed(0);
my $all = '';
my $i = 0;
for my $c (@cases) {
	$i++;
	my $f = sprintf "%s/case-%03d.log", $tmp, $i;
	my $text = join('', map { "$_\n" } @{$c->{lines}});
	spit($f, $text);
	$all .= $text;
	my @args = ('-f', 'json', '-F', 'lineno,ip,event,ts,host,helo,sender,recipient,reason,line');
	push @args, '-z', $c->{opts}{tz} if defined $c->{opts}{tz};
	push @args, '-N', $c->{opts}{now} if defined $c->{opts}{now};
	my ($rc, $out, $err) = run('/dev/null', $EXIMPARSE, @args, $f);
	my @recs;
	my $bad = '';
	for my $l (split /\n/, $out) {
		my $r = eval { $json->decode($l) };
		if (!defined $r) { $bad = "invalid JSON: $l"; last }
		push @recs, $r;
	}
	my @why;
	push @why, "exit $rc" if $rc != 0 && $rc != 2;
	push @why, $bad if $bad ne '';
	for my $e (@{$c->{exp}}) {
		my ($k, $v) = split /=/, $e, 2;
		if ($k eq 'ip' || $k eq 'ipin') {
			my %ok = map { $_ => 1 } split /,/, $v;
			for my $r (@recs) {
				my $got = defined $r->{ip} ? $r->{ip} : '-';
				push @why, "record $r->{lineno}: ip $got, want $v"
				    unless $ok{$got};
			}
			push @why, "no record has ip $v" if $k eq 'ip' && $v ne '-' &&
			    !grep { defined $_->{ip} && $_->{ip} eq $v } @recs;
		} elsif ($k eq 'records') {
			push @why, scalar(@recs) . " records, want $v" if @recs != $v;
		} elsif ($k eq 'event' || $k eq 'ts') {
			my @want = split /,/, $v;
			my @got = map { defined $_->{$k} ? $_->{$k} : '-' } @recs;
			@got = @got[0 .. $#want] if @got > @want;
			push @why, "$k: got @got, want @want" if "@got" ne "@want";
		} elsif ($e =~ /^stderr~(.*)/) {
			push @why, "stderr lacks '$1'" if index($err, $1) < 0;
		} elsif ($k =~ /^field:(\w+)$/) {
			my $got = @recs ? $recs[0]{$1} : undef;
			$got = defined $got ? Encode::encode('UTF-8', $got) : '(none)';
			push @why, "$1: got '$got', want '$v'" if $got ne $v;
		} else {
			push @why, "unknown expectation $e";
		}
	}
	# Whatever the case, a fake address is never a client's.
	for my $r (@recs) {
		push @why, "fake address taken: $r->{ip}"
		    if defined $r->{ip} && grep { $_ eq $r->{ip} } @FAKE;
	}
	push @why, "stderr: $err" if @why && $err ne '';
	ok(!@why, "case $i: $c->{name}", @why);
}
spit("$tmp/all.log", $all);
my $ncases = @cases;

# ------------------------------------------- eximparse: three formats
my ($rc, $hdr) = run('/dev/null', $EXIMPARSE, '-f', 'tsv', '/dev/null');
$hdr =~ s/^#//;
chomp $hdr;
my @fields = split /\t/, $hdr;
push @fields, grep { my $f = $_; !grep { $_ eq $f } @fields } qw(epoch line);
my $flist = join ',', @fields;
my %out;
for my $fmt (qw(json tsv csv)) {
	my ($r, $o, $e) = run('/dev/null', $EXIMPARSE, '-f', $fmt, '-F', $flist,
	    "$tmp/all.log");
	$out{$fmt} = $o;
	ok($r == 0 || $r == 2, "eximparse -f $fmt over all $ncases cases: exit $r",
	    $e);
	ok($e !~ /[\x00-\x08\x0b-\x1f\x7f]/, "eximparse -f $fmt: no raw control bytes in messages", $e);
}

# TSV: header, then rows of exactly as many cells, no raw control byte.
my @tsv;
{
	my @lines = split /\n/, $out{tsv}, -1;
	pop @lines if @lines && $lines[-1] eq '';
	my $h = shift @lines;
	ok(defined $h && $h eq '#' . join("\t", @fields), 'TSV header is the field list');
	my @why;
	for my $l (@lines) {
		my @cells = split /\t/, $l, -1;
		push @why, "row with " . scalar(@cells) . " cells: $l" if @cells != @fields;
		push @why, "raw control byte in a cell: $l"
		    if grep { /[\x00-\x1f\x7f]/ } @cells;
		push @why, "row starts with #: $l" if $l =~ /^#/;
		for (@cells) {
			my $bad;
			s/\\(?:(t)|(n)|(r)|(\\)|x([0-9a-fA-F]{2})|(.?))/
			    defined $1 ? "\t" : defined $2 ? "\n" : defined $3 ? "\r" :
			    defined $4 ? "\\" : defined $5 ? chr(hex $5) : ($bad = 1, '')[1]/gse;
			push @why, "bad escape in row: $l" if $bad;
		}
		push @tsv, \@cells;
	}
	ok(!@why, "TSV: " . scalar(@tsv) . " rows, every cell in its column", @why[0 .. ($#why > 5 ? 5 : $#why)]);
}

# CSV (RFC 4180): the same cells as TSV.
{
	my $s = $out{csv};
	my @rows;
	my @why;
	my $p = 0;
	while ($p < length $s) {
		my @cells;
		for (;;) {
			my $cell = '';
			if (substr($s, $p, 1) eq '"') {
				$p++;
				for (;;) {
					if ($p >= length $s) { push @why, 'unterminated quote'; last }
					my $ch = substr($s, $p++, 1);
					if ($ch eq '"') {
						if (substr($s, $p, 1) eq '"') { $cell .= '"'; $p++; next }
						last;
					}
					$cell .= $ch;
				}
			} else {
				my $q = $p;
				$q++ while $q < length $s && substr($s, $q, 1) !~ /[,\r]/;
				$cell = substr($s, $p, $q - $p);
				push @why, "unquoted cell with a quote or newline: $cell" if $cell =~ /["\n]/;
				push @why, "unquoted cell with an outer space: $cell" if $cell =~ /^ | $/;
				$p = $q;
			}
			push @cells, $cell;
			my $ch = substr($s, $p, 1);
			if ($ch eq ',') { $p++; next }
			if (substr($s, $p, 2) eq "\r\n") { $p += 2; last }
			push @why, "junk after a cell at byte $p";
			$p = length $s;
			last;
		}
		push @rows, \@cells;
	}
	my $h = shift @rows;
	ok($h && join(',', @$h) eq $flist, 'CSV header is the field list');
	ok(@rows == @tsv, scalar(@rows) . " CSV records, " . scalar(@tsv) . " TSV records");
	for my $r (0 .. $#rows) {
		last if $r > $#tsv;
		for my $k (0 .. $#fields) {
			my ($a, $b) = ($rows[$r][$k], $tsv[$r][$k]);
			push @why, "record $r $fields[$k]: CSV and TSV differ"
			    if !defined $a || !defined $b || $a ne $b;
		}
	}
	ok(!@why, 'CSV cells equal TSV cells', @why[0 .. ($#why > 5 ? 5 : $#why)]);
}

# JSON: strict, one object a line, each value the TSV cell.
{
	my @why;
	my @lines = split /\n/, $out{json};
	ok(@lines == @tsv, scalar(@lines) . " JSON records");
	my %num = map { $_ => 1 } qw(lineno pid port epoch parent_lineno size);
	my $canon = JSON::PP->new->utf8(1)->canonical(1);
	for my $r (0 .. $#lines) {
		my $obj = eval { $json->decode($lines[$r]) };
		if (!defined $obj) { push @why, "invalid JSON: $lines[$r]"; next }
		last if $r > $#tsv;
		for my $k (0 .. $#fields) {
			my $f = $fields[$k];
			my $cell = $tsv[$r][$k];
			my $v = $obj->{$f};
			if ($cell eq '') {
				push @why, "record $r: $f in JSON, empty in TSV" if defined $v;
				next;
			}
			if (!defined $v) { push @why, "record $r: $f missing in JSON"; next }
			if ($f eq 'tags') {
				my $t = eval { $json->decode($cell) };
				push @why, "record $r: tags differ"
				    if !defined $t || $canon->encode($t) ne $canon->encode($v);
			} elsif ($num{$f} && $cell =~ /^-?\d+(\.\d+)?$/ && $cell !~ /^0\d/) {
				push @why, "record $r: $f $v, TSV $cell" if ref $v || $v != $cell;
			} else {
				my $got = Encode::encode('UTF-8', $v);
				push @why, "record $r: $f differs: JSON '$got', TSV '$cell'"
				    if ref $v || $got ne sanitize($cell);
			}
		}
		push @why, "record $r: fake address $obj->{ip}"
		    if defined $obj->{ip} && grep { $_ eq $obj->{ip} } @FAKE;
	}
	ok(!@why, 'JSON values equal TSV cells; no fake client address', @why[0 .. ($#why > 5 ? 5 : $#why)]);
}

# ------------------------------------------------------------ offenders
my %off;
for my $fmt (qw(list tsv json table)) {
	my ($r, $o, $e) = run('/dev/null', $OFFENDERS, '-f', $fmt, '-s', '0',
	    '--now', '2026-11-23', "$tmp/all.log");
	$off{$fmt} = $o;
	my @why;
	push @why, "exit $r", $e if $r != 0;
	push @why, "raw control byte in output" if $o =~ /[\x00-\x08\x0b-\x1f\x7f]/;
	push @why, "raw control byte in messages: $e" if $e =~ /[\x00-\x08\x0b-\x1f\x7f]/;
	push @why, "attacker text in output" if $o =~ $MARKERS;
	my @ips;
	for my $l (split /\n/, $o) {
		next if $l =~ /^#/;
		if ($fmt eq 'json') {
			my $obj = eval { $json->decode($l) };
			if (!defined $obj) { push @why, "invalid JSON: $l"; next }
			push @ips, $obj->{ip};
		} elsif ($fmt eq 'table') {
			next if $l =~ /^ip\s/;
			push @ips, (split ' ', $l)[0];
		} else {
			push @ips, (split /\t/, $l)[0];
		}
	}
	for (@ips) {
		push @why, "not a documentation-range address: " . (defined $_ ? $_ : '(none)')
		    unless defined $_ && doc_range($_);
	}
	push @why, "no addresses" unless @ips >= 20;
	ok(!@why, "offenders -f $fmt: " . scalar(@ips) . " addresses, all real clients", @why);
}
spit("$tmp/off.list", $off{list});
spit("$tmp/off.tsv", $off{tsv});
spit("$tmp/off.json", $off{json});
spit("$tmp/eximparse.json", $out{json});

# -------------------------------------------------------------- banlist
# What each generated format may hold, line by line.
my $A = qr{[0-9a-fA-F:.]+(?:/\d{1,3})?};
my %grammar = (
	list => [qr{^$A$}],
	ipset => [qr{^#[ -~]*$}, qr{^create \w[\w.-]* hash:(?:ip|net) family inet6? (?:[a-z]+ \d+ )*-exist$},
	    qr{^add \w[\w.-]* $A(?: timeout \d+)?(?: -exist)?$},
	    qr{^(?:flush|destroy) \w[\w.-]*(?: -exist)?$},
	    qr{^swap \w[\w.-]* \w[\w.-]*$}, qr{^create \w[\w.-]* hash:(?:ip|net) .*$}],
	iptables => [qr{^#[ -~]*$}, qr{^\*filter$}, qr{^:\w[\w.-]* - \[0:0\]$}, qr{^COMMIT$},
	    qr{^-[AI] [\w.-]+ [ -~]+$}],
	nft => [qr{^#[ -~]*$}, qr{^[\t ]*[\w ,{}:;./=@-]*$}],
	fail2ban => [qr{^[ -~\t]*$}],
	script => [qr{^[ -~\t]*$}],
);
my @inputs = (['offenders list', "$tmp/off.list"], ['offenders tsv', "$tmp/off.tsv"],
    ['offenders json', "$tmp/off.json"], ['eximparse json', "$tmp/eximparse.json"],
    ['the raw hostile log', "$tmp/all.log"]);
my @variants = (['list'], ['ipset'], ['ipset', '--swap'], ['iptables'],
    ['iptables', '-6'], ['iptables', '--script'], ['nft'], ['fail2ban']);
for my $in (@inputs) {
	for my $v (@variants) {
		my @a = ('-f', @$v);
		my ($r, $o, $e) = run($in->[1], $BANLIST, @a, '-n', 'hostile_set');
		my $g = $grammar{$v->[0]};
		$g = $grammar{script} if grep { $_ eq '--script' } @$v;
		my @why;
		push @why, "exit $r: $e" if $r != 0 && !($r == 2 && $in->[0] =~ /raw|eximparse/);
		push @why, "raw control byte in messages: $e" if $e =~ /[\x00-\x08\x0b-\x1f\x7f]/;
		push @why, "attacker text" if $o =~ $MARKERS;
		for my $l (split /\n/, $o) {
			push @why, "line outside the format: $l" unless grep { $l =~ $_ } @$g;
			next if $l =~ /^#/ && $v->[0] ne 'fail2ban';
			# Every address-shaped token is a real client's.
			for my $t ($l =~ m{(?<![\w.:])((?:\d{1,3}\.){3}\d{1,3}(?:/\d+)?|[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7}(?:/\d+)?)(?![\w.:])}g) {
				push @why, "address not from the log's real clients: $t" unless doc_range($t);
			}
		}
		for my $f (@FAKE) {
			push @why, "fake address $f" if $o =~ /(?<![\w.:])\Q$f\E(?![\w.:])/;
		}
		if (grep { $_ eq '--script' } @$v) {
			spit("$tmp/script.sh", $o);
			push @why, "sh -n fails" if system('sh', '-n', "$tmp/script.sh") != 0;
		}
		ok(!@why, "banlist @$v from $in->[0]: only real clients and the admin's names", @why[0 .. ($#why > 5 ? 5 : $#why)]);
	}
}

# ----------------------------------------------------------- regex-test
# With the stock Exim filter (when fail2ban is installed): JSON output is
# valid, every ip a valid address, and the summary holds no raw control
# byte for a terminal to obey.
if (-f '/etc/fail2ban/filter.d/exim.conf') {
	for my $v (['--json'], [], ['--print-all-missed'], ['--print-all-matched']) {
		my ($r, $o, $e) = run('/dev/null', $REGEX_TEST, @$v, "$tmp/all.log",
		    'exim');
		my @why;
		push @why, "exit $r: $e" if $r > 1;
		# --print-all-* print log lines as they are, as fail2ban-regex
		# does (SECURITY.md): only the other modes must be clean.
		push @why, "raw control byte in output or messages"
		    if "$o$e" =~ /[\x00-\x08\x0b-\x1f\x7f]/ &&
		    !(@$v && $v->[0] =~ /^--print-all/);
		if (@$v && $v->[0] eq '--json') {
			my $m = 0;
			for my $l (split /\n/, $o) {
				my $obj = eval { $json->decode($l) };
				if (!defined $obj) { push @why, "invalid JSON: $l"; next }
				$m++;
				push @why, "bad ip: $obj->{ip}"
				    if defined $obj->{ip} && !addr_ok($obj->{ip});
			}
			push @why, "only $m matches" if $m < 10;
		}
		ok(!@why, "regex-test @$v over the hostile log", @why[0 .. ($#why > 5 ? 5 : $#why)]);
	}
}

# The administrator's names are checked too.
for my $name ('x;reboot', 'a b', '$(id)', 'a' x 40, "n\nx") {
	my ($r, $o, $e) = run("$tmp/off.list", $BANLIST, '-f', 'ipset', '-n', $name);
	ok($r == 2 && $o eq '', "banlist refuses set name '" . ($name =~ s/\n/\\n/r) . "'", "exit $r", $o, $e);
}

print "1..$n\n# ", $n - $failed, " passed, $failed failed\n";
exit($failed ? 1 : 0);
