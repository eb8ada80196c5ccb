#!/usr/bin/perl
# Check eximparse and offenders output against the scenario table.
# Prints one "PASS description" or "FAIL description: detail" line per
# check; tests/run-exim-e2e.sh turns them into TAP.
#
#   check.pl parse SCENARIOS JSONL NAME:LINES...
#       eximparse JSON Lines of a rotated set; NAME:LINES are the files
#       oldest first, with their line counts
#   check.pl offenders SCENARIOS JSONL
#       offenders -f json output
#   check.pl expect SCENARIOS
#       print the expectations derived from the table (for diagnosis)
use strict;
use warnings;
use JSON::PP;
use Time::Local qw(timegm);

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
	push @order, $addr unless $want{$addr};
	$want{$addr} //= { events => {}, classes => {}, bad => 0 };
	for my $pair ($classes eq '-' ? () : split /,/, $classes) {
		my ($c, $k) = split /:/, $pair;
		$want{$addr}{classes}{$c} += $n * $k;
		$want{$addr}{bad} = 1;
	}
	for my $pair ($events eq '-' ? () : split /,/, $events) {
		my ($e, $k) = split /:/, $pair;
		$want{$addr}{events}{$e} += $n * $k;
	}
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
	my ($jsonl, @files) = @rest;
	my ($bad, @recs) = read_jsonl($jsonl);
	result($bad == 0 && @recs > 0, 'eximparse output is JSON Lines',
	    "$bad bad lines, " . scalar(@recs) . " records");

	# Every line of every file is one record (the mainlog has no
	# continuation lines), files oldest first, lines in order.
	my (%rank, %lines);
	for my $i (0 .. $#files) {
		my ($name, $n) = split /:/, $files[$i];
		$rank{$name} = $i;
		$lines{$name} = $n;
	}
	my (%got, $misplaced, $prev_rank, $prev_line, $nots, $prev_ts,
	    $back);
	($misplaced, $prev_rank, $prev_line, $nots, $back) = (0, -1, 0, 0, 0);
	my $first_back = '';
	for my $r (@recs) {
		my $name = $r->{file} // '';
		$name =~ s{.*/}{};
		my $k = $rank{$name};
		if (!defined $k) {
			$misplaced++;
			next;
		}
		$got{$name}++;
		my $ln = $r->{lineno} // -1;
		if ($k < $prev_rank || ($k == $prev_rank && $ln <= $prev_line)) {
			$misplaced++;
		}
		($prev_rank, $prev_line) = ($k, $ln);
		my $e = defined $r->{ts} ? epoch($r->{ts}) : undef;
		if (!defined $e) {
			$nots++;
			next;
		}
		if (defined $prev_ts && $e < $prev_ts) {
			$back++;
			$first_back ||= "$r->{ts} after an earlier later one";
		}
		$prev_ts = $e;
	}
	my @short = grep { ($got{$_} // 0) != $lines{$_} } sort keys %lines;
	result(!@short, 'one record per log line in every file',
	    join(' ', map { "$_: " . ($got{$_} // 0) . " of $lines{$_}" }
	    @short));
	result($misplaced == 0,
	    'records come file by file, oldest file first, lines in order',
	    "$misplaced records out of place");
	result($nots == 0 && $back == 0, 'timestamps never go backwards',
	    "$nots without ts, $back backwards ($first_back)");

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

if ($mode eq 'offenders') {
	my ($jsonl) = @rest;
	my ($bad, @recs) = read_jsonl($jsonl);
	result($bad == 0 && @recs > 0, 'offenders output is JSON Lines',
	    "$bad bad lines, " . scalar(@recs) . " records");
	my %got;
	for my $r (@recs) {
		$got{canon_ip($r->{ip} // '')} = $r;
	}
	for my $a (@order) {
		my $w = $want{$a};
		my $g = $got{$a};
		if (!$w->{bad}) {
			result(!$g, "well-behaved $a is not listed",
			    'listed with ' . show($g ? $g->{classes} : {}));
			next;
		}
		my $total = 0;
		$total += $_ for values %{$w->{classes}};
		my $gc = $g ? ($g->{classes} // {}) : {};
		my $same = $g && show($gc) eq show($w->{classes}) &&
		    ($g->{count} // -1) == $total;
		result($same, "$a ranked with " . show($w->{classes}),
		    $g ? 'got ' . show($gc) . " count=" . ($g->{count} // '?')
		    : 'not listed');
	}
	my @extra = grep { !$want{$_} } sort keys %got;
	result(!@extra, 'no address outside the scenario is listed',
	    "@extra");
	exit 0;
}
die "check.pl: unknown mode $mode\n";
