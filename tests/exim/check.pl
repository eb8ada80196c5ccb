#!/usr/bin/perl
# Check eximparse and offenders output against the scenario table.
# Prints one "PASS description" or "FAIL description: detail" line per
# check; tests/run-exim-e2e.sh turns them into TAP.
#
#   check.pl parse SCENARIOS JSONL DIR NAME...
#       eximparse JSON Lines of a rotated set; NAME... are the files in
#       DIR, oldest first (.gz and .zst are decompressed to compare)
#   check.pl reject SCENARIOS JSONL DIR/rejectlog MAIN-JSONL
#       eximparse on the rejectlog: every entry is also in the main
#       log's records (same ts, ip, event), header lines are continuations
#   check.pl filter SCENARIOS JSONL ALL-JSONL EVENT,... ADDR-PREFIX,...
#       eximparse -e EVENTS -i ... output: exactly the records of the
#       unfiltered run ALL-JSONL with those events from those addresses
#       (a prefix is textual: "127.0.2." or a whole address)
#   check.pl same SCENARIOS JSONL REF-JSONL FILE-RE
#       the records of JSONL from files whose base name matches FILE-RE
#       are those of REF-JSONL (file, line, ts, event, ip, msgid)
#   check.pl tsv SCENARIOS TSV REF-JSONL
#       eximparse -f tsv -F ts,ip,event: the same rows as REF-JSONL
#   check.pl offenders SCENARIOS JSONL [CLASS,...]
#       offenders -f json output; with CLASS,... (the classes offenders
#       was asked for) the expectations are restricted to them
#   check.pl list SCENARIOS FILE [CLASS,...]
#       offenders -f list output: exactly the misbehaving addresses
#   check.pl expect SCENARIOS
#       print the expectations derived from the table (for diagnosis)
#
# --sample before the mode: the logs are testdata/sample/ (make-sample.sh):
# addresses rewritten to documentation ranges, and Debian's default
# log_selector, which logs no "no MAIL" lines (so no no_mail events and
# none of the connection class they earn).
use strict;
use warnings;
use JSON::PP;
use Time::Local qw(timegm);

my $sample = 0;
if (@ARGV && $ARGV[0] eq '--sample') {
	$sample = 1;
	shift @ARGV;
}
my ($mode, $table, @rest) = @ARGV;
die "usage: check.pl parse|offenders|expect SCENARIOS ...\n"
    unless defined $table;

# addr => { events => {ev => n}, classes => {class => n}, bad => 0|1 }
my %want;
my @order;
open(my $t, '<', $table) or die "check.pl: $table: $!\n";
while (<$t>) {
	next if /^\s*(#|$)/;
	my ($phase, $addr, $action, $n, $classes, $events) = split;
	die "check.pl: $table:$.: bad row\n" unless defined $events;
	my (%c, %e);
	for my $pair ($classes eq '-' ? () : split /,/, $classes) {
		my ($k, $v) = split /:/, $pair;
		$c{$k} += $v;
	}
	for my $pair ($events eq '-' ? () : split /,/, $events) {
		my ($k, $v) = split /:/, $pair;
		$e{$k} += $v;
	}
	if ($sample) {
		$addr =~ s/^127\.0\.2\./203.0.113./;
		$addr =~ s/^127\.0\.3\./198.51.100./;
		$addr = '2001:db8:bad::1' if $addr eq '::1';
		if (my $nm = delete $e{no_mail}) {
			$c{connection} -= $nm;
			delete $c{connection} if $c{connection} <= 0;
		}
		# Nothing of this client is in the log at all.
		next unless %e;
	}
	push @order, $addr unless $want{$addr};
	$want{$addr} //= { events => {}, classes => {}, bad => 0 };
	for my $k (keys %c) {
		$want{$addr}{classes}{$k} += $n * $c{$k};
		$want{$addr}{bad} = 1;
	}
	$want{$addr}{events}{$_} += $n * $e{$_} for keys %e;
}
close $t;

sub result {
	my ($ok, $desc, $detail) = @_;
	print $ok ? "PASS $desc\n" : "FAIL $desc: $detail\n";
}

sub canon_ip {
	my ($ip) = @_;
	return lc $ip;
}

sub show {
	my ($h) = @_;
	return join(',', map { "$_:$h->{$_}" } sort keys %$h) || '(none)';
}

sub epoch {
	my ($ts) = @_;
	my ($y, $mo, $d, $h, $mi, $s, $frac, $z) = $ts =~
	    /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/
	    or return undef;
	my $e = timegm($s, $mi, $h, $d, $mo - 1, $y) + ($frac // 0);
	if (defined $z && $z ne 'Z') {
		my ($sign, $zh, $zm) = $z =~ /^([+-])(\d\d):?(\d\d)$/;
		my $off = ($zh * 60 + $zm) * 60;
		$e -= $sign eq '+' ? $off : -$off;
	}
	return $e;
}

sub read_jsonl {
	my ($file) = @_;
	my @recs;
	my $bad = 0;
	open(my $f, '<', $file) or die "check.pl: $file: $!\n";
	while (my $l = <$f>) {
		my $r = eval { decode_json($l) };
		if (!$r || ref $r ne 'HASH') {
			$bad++;
			next;
		}
		push @recs, $r;
	}
	close $f;
	return ($bad, @recs);
}

if ($mode eq 'expect') {
	for my $a (@order) {
		printf "%-12s %-4s classes=%s events=%s\n", $a,
		    $want{$a}{bad} ? 'bad' : 'good',
		    show($want{$a}{classes}), show($want{$a}{events});
	}
	exit 0;
}

if ($mode eq 'parse') {
	my ($jsonl, $dir, @files) = @rest;
	my ($bad, @recs) = read_jsonl($jsonl);
	result($bad == 0 && @recs > 0, 'eximparse output is JSON Lines',
	    "$bad bad lines, " . scalar(@recs) . " records");

	# Every line of every file is one record (the mainlog has no
	# continuation lines), files oldest first, lines in order, and each
	# record's ts is the time written on its line (TZ=UTC: Exim wrote
	# local time without an offset).
	my (%rank, %text);
	for my $i (0 .. $#files) {
		my $name = $files[$i];
		my $path = "$dir/$name";
		my $cmd = $name =~ /\.zst$/ ? 'zstd -dc' :
		    $name =~ /\.gz$/ ? 'gzip -dc' : 'cat';
		open(my $h, '-|', "$cmd '$path'") or die "check.pl: $path: $!\n";
		$text{$name} = [ <$h> ];
		close $h or die "check.pl: $cmd $path failed\n";
		$rank{$name} = $i;
	}
	my (%got, %min, %max);
	my ($misplaced, $prev_rank, $prev_line, $wrongts) = (0, -1, 0, 0);
	my $first_wrong = '';
	for my $r (@recs) {
		my $name = $r->{file} // '';
		$name =~ s{.*/}{};
		my $k = $rank{$name};
		my $ln = $r->{lineno} // -1;
		if (!defined $k || $ln < 1 || $ln > @{$text{$name}}) {
			$misplaced++;
			next;
		}
		$got{$name}++;
		if ($k < $prev_rank || ($k == $prev_rank && $ln <= $prev_line)) {
			$misplaced++;
		}
		($prev_rank, $prev_line) = ($k, $ln);
		my ($lts) = $text{$name}[$ln - 1] =~
		    /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?)/;
		my $e = defined $r->{ts} ? epoch($r->{ts}) : undef;
		if (!defined $e || !defined $lts || abs($e - epoch($lts)) > 0.0005) {
			$wrongts++;
			$first_wrong ||= "$name:$ln: ts " . ($r->{ts} // 'missing');
			next;
		}
		$min{$name} = $e if !defined $min{$name} || $e < $min{$name};
		$max{$name} = $e if !defined $max{$name} || $e > $max{$name};
	}
	my @short = grep { ($got{$_} // 0) != @{$text{$_}} } @files;
	result(!@short, 'one record per log line in every file',
	    join(' ', map { "$_: " . ($got{$_} // 0) . ' of ' .
	    scalar(@{$text{$_}}) } @short));
	result($misplaced == 0,
	    'records come file by file, oldest file first, lines in order',
	    "$misplaced records out of place");
	result($wrongts == 0, 'every ts is the time on its line',
	    "$wrongts wrong, first $first_wrong");
	# Within a file Exim's processes interleave (a line stamped a few ms
	# earlier can be written later); the generations are a second apart.
	my @overlap;
	for my $i (1 .. $#files) {
		my ($a, $b) = @files[$i - 1, $i];
		push @overlap, "$a/$b" if defined $max{$a} && defined $min{$b} &&
		    $max{$a} >= $min{$b};
	}
	result(!@overlap, 'each generation\'s records are later than the ' .
	    'previous one\'s', "overlap: @overlap");

	my (%ips, %ev);
	for my $r (@recs) {
		next unless defined $r->{ip} && $r->{ip} ne '';
		my $ip = canon_ip($r->{ip});
		$ips{$ip}++;
		$ev{$ip}{$r->{event} // ''}++;
	}
	my @extra = grep { !$want{$_} } sort keys %ips;
	my @missing = grep { !$ips{$_} } @order;
	result(!@extra && !@missing,
	    'client addresses are exactly the scenario\'s (' .
	    scalar(@order) . ')',
	    "unexpected: @extra; missing: @missing");
	for my $a (@order) {
		my $w = $want{$a}{events};
		my @wrong = grep { ($ev{$a}{$_} // 0) != $w->{$_} } sort keys %$w;
		result(!@wrong, "events of $a: " . show($w),
		    'got ' . join(',', map { "$_:" . ($ev{$a}{$_} // 0) }
		    @wrong) . ' (all: ' . show($ev{$a} // {}) . ')');
	}
	exit 0;
}

if ($mode eq 'reject') {
	my ($jsonl, $path, $main) = @rest;
	my ($bad, @recs) = read_jsonl($jsonl);
	my ($mbad, @mrecs) = read_jsonl($main);
	open(my $h, '<', $path) or die "check.pl: $path: $!\n";
	my @text = <$h>;
	close $h;
	result($bad == 0 && @recs == @text,
	    'rejectlog: one record per line', scalar(@recs) . ' records, ' .
	    scalar(@text) . " lines, $bad bad");
	my %inmain;
	$inmain{join ' ', $_->{ts} // '', canon_ip($_->{ip} // ''),
	    $_->{event} // ''}++ for @mrecs;
	my ($entries, $notmain, $cont, $notcont) = (0, 0, 0, 0);
	my $first = '';
	for my $r (@recs) {
		my $ln = $r->{lineno} // 0;
		my $line = $ln >= 1 && $ln <= @text ? $text[$ln - 1] : '';
		if ($line =~ /^\d{4}-\d\d-\d\d /) {
			$entries++;
			my $k = join ' ', $r->{ts} // '', canon_ip($r->{ip} // ''),
			    $r->{event} // '';
			if (($inmain{$k} // 0) > 0) {
				$inmain{$k}--;
			} else {
				$notmain++;
				$first ||= "line $ln ($k)";
			}
		} else {
			$cont++;
			$notcont++ if ($r->{event} // '') ne 'continuation';
		}
	}
	result($entries > 0 && $notmain == 0,
	    "rejectlog: each of $entries entries matches a main log record",
	    "$notmain do not, first $first");
	result($cont > 0 && $notcont == 0,
	    "rejectlog: the $cont header lines are continuations",
	    "$notcont are not");
	exit 0;
}

if ($mode eq 'filter') {
	my ($jsonl, $all, $events, $prefixes) = @rest;
	my %evs = map { $_ => 1 } split /,/, $events;
	my @pfx = split /,/, $prefixes;
	my $match = sub {
		my ($r) = @_;
		my $ip = canon_ip($r->{ip} // '');
		return 0 unless $ip ne '' && $evs{$r->{event} // ''};
		return scalar grep { $ip eq $_ || ($_ =~ /\.$/ &&
		    substr($ip, 0, length $_) eq $_) } @pfx;
	};
	my ($bad, @recs) = read_jsonl($jsonl);
	my ($abad, @arecs) = read_jsonl($all);
	my $key = sub {
		my ($r) = @_;
		return join ' ', $r->{file} // '', $r->{lineno} // '';
	};
	my @outside = grep { !$match->($_) } @recs;
	result($bad == 0 && @recs > 0 && !@outside,
	    "filter $events from $prefixes: only matching records",
	    scalar(@outside) . ' outside, ' . scalar(@recs) . " records");
	my %want = map { $key->($_) => 1 } grep { $match->($_) } @arecs;
	my %got = map { $key->($_) => 1 } @recs;
	my @missing = grep { !$got{$_} } sort keys %want;
	result(!@missing && keys %got == keys %want,
	    'filter: every matching record of the unfiltered run (' .
	    scalar(keys %want) . ')', scalar(@missing) . ' missing, e.g. ' .
	    ($missing[0] // '-'));
	exit 0;
}

sub brief {
	my ($r) = @_;
	my $f = $r->{file} // '';
	$f =~ s{.*/}{};
	return join "\t", $f, map { $r->{$_} // '' }
	    qw(lineno ts event ip msgid);
}

if ($mode eq 'same') {
	my ($jsonl, $ref, $re) = @rest;
	my ($bad, @recs) = read_jsonl($jsonl);
	my ($rbad, @ref) = read_jsonl($ref);
	my @a = map { brief($_) } grep {
		my $f = $_->{file} // '';
		$f =~ s{.*/}{};
		$f =~ /$re/;
	} @recs;
	my @b = map { brief($_) } @ref;
	my $i = 0;
	$i++ while $i < @a && $i < @b && $a[$i] eq $b[$i];
	result($bad == 0 && @a == @b && $i == @a,
	    "the records of files /$re/ (" . scalar(@b) . ') are the same',
	    scalar(@a) . ' vs ' . scalar(@b) . ", first difference at $i: " .
	    ($a[$i] // '-') . ' | ' . ($b[$i] // '-'));
	exit 0;
}

if ($mode eq 'tsv') {
	my ($tsv, $ref) = @rest;
	my ($rbad, @ref) = read_jsonl($ref);
	open(my $h, '<', $tsv) or die "check.pl: $tsv: $!\n";
	my $head = <$h>;
	my @rows = <$h>;
	close $h;
	chomp @rows;
	result(defined $head && $head =~ /^#?ts\tip\tevent\r?\n$/,
	    'TSV header names the fields', $head // 'no header');
	my @want = map { join "\t", map { $_ // '' } @$_{qw(ts ip event)} }
	    @ref;
	my $i = 0;
	$i++ while $i < @rows && $i < @want && $rows[$i] eq $want[$i];
	result(@rows == @want && $i == @rows,
	    'TSV rows are the JSON records (' . scalar(@want) . ')',
	    scalar(@rows) . ' vs ' . scalar(@want) . ", first difference at " .
	    "$i: " . ($rows[$i] // '-') . ' | ' . ($want[$i] // '-'));
	exit 0;
}

# Restrict the expected classes to a comma list; clients left with none
# count as well-behaved.
sub restrict {
	my ($list) = @_;
	return '' unless defined $list && $list ne '';
	my %keep = map { $_ => 1 } split /,/, $list;
	for my $a (@order) {
		my $c = $want{$a}{classes};
		delete $c->{$_} for grep { !$keep{$_} } keys %$c;
		$want{$a}{bad} = %$c ? 1 : 0;
	}
	return " (classes $list)";
}

if ($mode eq 'offenders') {
	my ($jsonl, $classes) = @rest;
	my $what = restrict($classes);
	my ($bad, @recs) = read_jsonl($jsonl);
	result($bad == 0 && @recs > 0, "offenders output is JSON Lines$what",
	    "$bad bad lines, " . scalar(@recs) . " records");
	my %got;
	for my $r (@recs) {
		$got{canon_ip($r->{ip} // '')} = $r;
	}
	for my $a (@order) {
		my $w = $want{$a};
		my $g = $got{$a};
		if (!$w->{bad}) {
			result(!$g, "$a is not listed$what",
			    'listed with ' . show($g ? $g->{classes} : {}));
			next;
		}
		my $total = 0;
		$total += $_ for values %{$w->{classes}};
		my $gc = $g ? ($g->{classes} // {}) : {};
		my $same = $g && show($gc) eq show($w->{classes}) &&
		    ($g->{count} // -1) == $total;
		result($same, "$a ranked with " . show($w->{classes}) . $what,
		    $g ? 'got ' . show($gc) . " count=" . ($g->{count} // '?')
		    : 'not listed');
		next unless $g;
		my ($f, $l) = (epoch($g->{first} // ''), epoch($g->{last} // ''));
		result(defined $f && defined $l && $f <= $l,
		    "$a has first <= last", ($g->{first} // 'no first') . ' ' .
		    ($g->{last} // 'no last'));
	}
	my @extra = grep { !$want{$_} } sort keys %got;
	result(!@extra, "no address outside the scenario is listed$what",
	    "@extra");
	exit 0;
}

if ($mode eq 'list') {
	my ($file, $classes) = @rest;
	my $what = restrict($classes);
	open(my $h, '<', $file) or die "check.pl: $file: $!\n";
	my @got = map { chomp; canon_ip($_) } <$h>;
	close $h;
	my %got = map { $_ => 1 } @got;
	my @want = grep { $want{$_}{bad} } @order;
	my @missing = grep { !$got{$_} } @want;
	my @extra = grep { !$want{$_} || !$want{$_}{bad} } @got;
	result(!@missing && !@extra && @got == @want,
	    'offenders -f list: exactly the ' . scalar(@want) .
	    " misbehaving clients$what",
	    "missing: @missing; extra or repeated: @extra");
	exit 0;
}

die "check.pl: unknown mode $mode\n";
