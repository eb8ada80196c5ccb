#!/usr/bin/perl
# Build tiny MaxMind-format test databases from documentation ranges only
# (RFC 5737, RFC 3849, RFC 5398 AS numbers; ISO 3166 user-assigned country
# codes XA..XC), with Debian's libmaxmind-db-writer-perl:
#   gen-mmdb.pl country OUT.mmdb    country database (GeoLite2-Country shape)
#   gen-mmdb.pl asn OUT.mmdb        ASN database (GeoLite2-ASN shape)
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($kind, $out) = @ARGV;
die "usage: gen-mmdb.pl country|asn out.mmdb\n"
    unless defined $out && $kind =~ /^(country|asn)$/;

my %types = (
	country => 'map',
	iso_code => 'utf8_string',
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 24,
	database_type => $kind eq 'asn' ? 'eximsift-Test-ASN' :
	    'eximsift-Test-Country',
	languages => ['en'],
	description => { en => "eximsift test data ($kind)" },
	map_key_type_callback => sub { $types{ $_[0] } },
	remove_reserved_networks => 0,
	alias_ipv6_to_ipv4 => 1,
);
# network => [country, asn, organisation]
my @nets = (
	['192.0.2.0/25',    'XA', 64496, 'Example Transit "A"'],
	['192.0.2.128/25',  'XA', 64497, 'Example Hosting B'],
	['198.51.100.0/24', 'XB', 64498, 'Example Mobile C'],
	['203.0.113.0/24',  'XC', 64499, "Example \x{e9}cole D"],
	['2001:db8::/33',   'XB', 64500, 'Example IPv6 E'],
	# 2001:db8:8000::/33 and 127.0.0.0/8 stay unknown.
);
for my $n (@nets) {
	my ($net, $cc, $asn, $org) = @$n;
	my $data = $kind eq 'asn' ?
	    { autonomous_system_number => $asn,
	      autonomous_system_organization => $org } :
	    { country => { iso_code => $cc } };
	$tree->insert_network($net, $data);
}
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
