# LabContainers.pm — the container records that kubelet.pl writes and the docker shim reads (not a command).
# One JSON file per container in /run/lab/containers/<64-hex id>.json, written whole (temp file + rename), so a
# reader never sees half a record. A record says "running" only while its pid is alive with the start time
# recorded (field 22 of /proc/PID/stat), so a reused pid or a kubelet that died cannot make a dead container
# look alive.
package LabContainers;
use strict;
use warnings;
use JSON::PP ();
use POSIX qw(strftime);
use Time::HiRes ();

our $DIR = $ENV{LAB_CONTAINERS_DIR} // '/run/lab/containers';
my $json = JSON::PP->new->canonical->utf8;

# (state, start time) of a pid from /proc/PID/stat; () when there is no such process
sub proc_stat {
  my ($pid) = @_;
  open(my $fh, '<', "/proc/$pid/stat") or return ();
  my $s = <$fh> // '';
  close $fh;
  $s =~ s/^.*\) // or return ();
  my @f = split ' ', $s;    # $f[0] is field 3 (state), so field 22 is $f[19]
  return ($f[0], $f[19]);
}

sub proc_start { my @s = proc_stat($_[0]); return @s ? $s[1] : undef }

# the very process we started is still there: not gone, not a zombie, not a reused pid
sub alive {
  my ($pid, $start) = @_;
  return 0 unless $pid && defined $start;
  my ($state, $st) = proc_stat($pid);
  return defined $state && $state ne 'Z' && $st eq $start;
}

sub is_running { my ($r) = @_; return $r->{state} eq 'running' && alive($r->{pid}, $r->{pstart}) }

sub write_record {
  my ($r) = @_;
  my $f = "$DIR/$r->{id}.json";
  open(my $fh, '>', "$f.tmp") or die "LabContainers: $f.tmp: $!\n";
  print $fh $json->encode($r), "\n";
  close $fh or die "LabContainers: $f.tmp: $!\n";
  rename("$f.tmp", $f) or die "LabContainers: rename $f: $!\n";
}

sub read_record {
  my ($f) = @_;
  open(my $fh, '<', $f) or return undef;
  local $/;
  my $text = <$fh>;
  close $fh;
  return eval { $json->decode($text) };
}

# every record, newest first (docker ps order)
sub all_records {
  my @r = grep { defined } map { read_record($_) } glob("$DIR/*.json");
  return sort { $b->{created} <=> $a->{created} } @r;
}

sub remove_record {
  my ($r) = @_;
  unlink("$DIR/$r->{id}.json");
  unlink($r->{log}) if $r->{log};
}

# docker's time format in inspect (RFC 3339, nanoseconds, UTC)
sub iso_time {
  my ($t) = @_;
  return '0001-01-01T00:00:00Z' unless $t;
  my $ns = sprintf('%09d', int(($t - int($t)) * 1e9));
  return strftime('%Y-%m-%dT%H:%M:%S', gmtime(int($t))) . ".${ns}Z";
}

sub new_id {
  open(my $fh, '<', '/dev/urandom') or die "LabContainers: /dev/urandom: $!\n";
  read($fh, my $bytes, 32) == 32 or die "LabContainers: short read from /dev/urandom\n";
  close $fh;
  return unpack('H*', $bytes);
}

sub now { return Time::HiRes::time() }

1;
