#!/usr/bin/perl
# Raw SMTP sessions that swaks cannot play (protocol abuse).
# usage: rawclient.pl MODE SRC-ADDR SERVER PORT
#   sync     talk before the greeting (early talker)
#   nonmail  EHLO, then NOOPs until the server drops the call
#   http     an HTTP request to the SMTP port, after the greeting
#   nomail   EHLO, QUIT: a session that sends no mail
#   conns    three connections at once (smtp_accept_max_per_host is 2)
use strict;
use warnings;
use IO::Socket::IP;
use IO::Select;

my ($mode, $src, $server, $port) = @ARGV;
die "usage: rawclient.pl MODE SRC SERVER PORT\n" unless defined $port;

sub conn {
	my $s = IO::Socket::IP->new(PeerHost => $server, PeerPort => $port,
	    LocalHost => $src, Proto => 'tcp', Timeout => 5)
	    or die "rawclient: connect from $src: $@\n";
	$s->autoflush(1);
	return $s;
}

# Read one SMTP reply (all continuation lines); undef on EOF or timeout.
# sysread with our own buffer: select() does not see Perl's buffers.
my %inbuf;
sub reply {
	my ($s) = @_;
	my $sel = IO::Select->new($s);
	my $all = '';
	for (;;) {
		while ($inbuf{$s} && $inbuf{$s} =~ s/^(.*?\n)//s) {
			my $line = $1;
			$all .= $line;
			return $all if $line =~ /^\d{3}(?: |\r?\n)/;
		}
		return undef unless $sel->can_read(5);
		my $n = sysread($s, my $buf, 4096);
		return undef unless $n;
		$inbuf{$s} .= $buf;
	}
}

sub cmd {
	my ($s, $c) = @_;
	syswrite($s, "$c\r\n") or return undef;
	return reply($s);
}

sub drain {
	my ($s) = @_;
	my $sel = IO::Select->new($s);
	while ($sel->can_read(5)) {
		my $n = sysread($s, my $buf, 4096);
		last unless $n;
	}
	close $s;
}

if ($mode eq 'sync') {
	my $s = conn();
	syswrite($s, "EHLO early.example\r\nMAIL FROM:<x\@early.example>\r\n");
	drain($s);
} elsif ($mode eq 'nonmail') {
	my $s = conn();
	reply($s);
	cmd($s, 'EHLO nonmail.example');
	for (1 .. 8) {
		my $r = cmd($s, $_ % 2 ? 'NOOP' : 'RSET');
		last if !defined $r || $r =~ /^421/;
	}
	drain($s);
} elsif ($mode eq 'http') {
	my $s = conn();
	reply($s);
	for my $l ('GET / HTTP/1.1', 'Host: mx.example.test',
	    'User-Agent: Mozilla/5.0', 'Accept: */*', '') {
		my $r = cmd($s, $l);
		last if !defined $r || $r =~ /^421/;
	}
	drain($s);
} elsif ($mode eq 'nomail') {
	my $s = conn();
	reply($s);
	cmd($s, 'EHLO idle.example');
	cmd($s, 'QUIT');
	drain($s);
} elsif ($mode eq 'conns') {
	my @s = map { conn() } 1 .. 2;
	reply($_) for @s;
	my $third = conn();
	reply($third);
	drain($third);
	for (@s) {
		cmd($_, 'QUIT');
		drain($_);
	}
} else {
	die "rawclient: unknown mode $mode\n";
}
exit 0;
