#!/usr/bin/perl
# _docker_containers.pl — the container verbs of the docker shim (docker execs it once the daemon is up):
# ps, stop, kill, wait, logs, inspect, over the records kubelet.pl keeps (LabContainers.pm). As docker 1.13:
# ps lists newest first, in its table (tabwriter: columns at least 20 wide, 3 spaces of padding), ids cut to 12,
# the command to 20 characters and quoted; -l is the latest container in any state; label filters must all
# match; flags may come after the ids (`docker stop ID --time 30`, as master-restart writes it). A container's
# stderr comes back on stderr from `docker logs`, its stdout on stdout.
use strict;
use warnings;
use FindBin ();
use lib $FindBin::Bin;
use LabContainers ();
use JSON::PP ();
use POSIX qw(strftime);
use Time::HiRes ();
use Time::Local ();

sub fail { print STDERR @_; exit 1 }

# split ARGS into (options hash, operands); VALUED lists the options that take a value
sub parse_args {
  my ($valued, @args) = @_;
  my (%o, @rest);
  while (@args) {
    my $a = shift @args;
    if ($a =~ /^--([^=]+)=(.*)$/s) { push @{$o{$1}}, $2 }
    elsif ($a =~ /^--(.+)$/) { push @{$o{$1}}, $valued->{$1} ? shift(@args) // fail("flag needs an argument: --$1\n") : 1 }
    elsif ($a =~ /^-(\w+)$/) {
      my @f = split //, $1;
      while (defined(my $f = shift @f)) {
        if ($valued->{$f}) { push @{$o{$f}}, @f ? join('', splice(@f)) : shift(@args) // fail("flag needs an argument: -$f\n") }
        else { push @{$o{$f}}, 1 }
      }
    } else { push @rest, $a }
  }
  return (\%o, @rest);
}

sub opt { my ($o, @names) = @_; for (@names) { return $o->{$_}[-1] if $o->{$_} } return undef }

# the container an id (a unique prefix) or a name stands for
sub find_container {
  my ($ref) = @_;
  my @all = LabContainers::all_records();
  my @hits = grep { $_->{name} eq $ref || $_->{name} eq "/$ref" } @all;
  @hits = grep { index($_->{id}, $ref) == 0 } @all if !@hits && $ref =~ /^[0-9a-f]+$/;
  return $hits[0] if @hits == 1;
  print STDERR @hits ? "Error response from daemon: Multiple IDs found with provided prefix: $ref\n"
    : "Error response from daemon: No such container: $ref\n";
  return undef;
}

# ---- time as docker says it (github.com/docker/go-units HumanDuration) -----------------------------------------
sub human {
  my ($d) = @_;
  my $s = int $d;
  return 'Less than a second' if $s < 1;
  return '1 second' if $s == 1;
  return "$s seconds" if $s < 60;
  my $m = int($d / 60);
  return 'About a minute' if $m == 1;
  return "$m minutes" if $m < 46;
  my $h = int($d / 3600 + 0.5);
  return 'About an hour' if $h == 1;
  return "$h hours" if $h < 48;
  return int($h / 24) . ' days' if $h < 24 * 7 * 2;
  return int($h / 24 / 7) . ' weeks' if $h < 24 * 30 * 2;
  return int($h / 24 / 30) . ' months' if $h < 24 * 365 * 2;
  return int($d / 3600 / 24 / 365) . ' years';
}

sub status {
  my ($r) = @_;
  my $now = LabContainers::now();
  return 'Up ' . human($now - $r->{started}) if LabContainers::is_running($r);
  return "Exited ($r->{exit_code}) " . human($now - ($r->{finished} || $now)) . ' ago';
}

# ---- ps ---------------------------------------------------------------------------------------------------
sub matches {
  my ($r, $filters) = @_;
  my %by;
  for my $f (@$filters) {
    my ($k, $v) = $f =~ /^([^=]+)=(.*)$/s or fail("Error response from daemon: Invalid filter '$f'\n");
    push @{$by{$k}}, $v;
  }
  for my $l (@{$by{label} // []}) {    # every label filter must match
    my ($k, $v) = $l =~ /^([^=]+)(?:=(.*))?$/s;
    return 0 unless exists $r->{labels}{$k} && (!defined $v || $r->{labels}{$k} eq $v);
  }
  my $state = LabContainers::is_running($r) ? 'running' : 'exited';
  return 0 if $by{name} && !grep { $r->{name} =~ /$_/ } @{$by{name}};    # any one of the same kind
  return 0 if $by{id} && !grep { index($r->{id}, $_) == 0 } @{$by{id}};
  return 0 if $by{status} && !grep { $_ eq $state } @{$by{status}};
  return 1;
}

sub ellipsis { my ($s, $n) = @_; return length($s) <= $n ? $s : substr($s, 0, $n - 1) . "\x{2026}" }

sub go_quote {
  my ($s) = @_;
  $s =~ s/(["\\])/\\$1/g;
  $s =~ s/\n/\\n/g;
  $s =~ s/\t/\\t/g;
  return "\"$s\"";
}

sub ps_fields {
  my ($r, $trunc) = @_;
  my $cmd = join(' ', $r->{path}, @{$r->{args}});
  my $labels = join(',', map { "$_=$r->{labels}{$_}" } sort keys %{$r->{labels}});
  return {
    ID => $trunc ? substr($r->{id}, 0, 12) : $r->{id}, Image => $r->{image}, Names => $r->{name},
    Command => go_quote($trunc ? ellipsis($cmd, 20) : $cmd), Status => status($r), Ports => '', Labels => $labels,
    RunningFor => human(LabContainers::now() - $r->{created}) . ' ago', Mounts => '', Networks => 'host',
    CreatedAt => strftime('%Y-%m-%d %H:%M:%S %z %Z', localtime(int $r->{created})), Size => '0 B',
  };
}

my %HEADER = (ID => 'CONTAINER ID', Image => 'IMAGE', Command => 'COMMAND', RunningFor => 'CREATED',
  Status => 'STATUS', Ports => 'PORTS', Names => 'NAMES', Labels => 'LABELS', Mounts => 'MOUNTS', CreatedAt => 'CREATED AT');

# one row of a --format template: {{.Field}}, {{ .Label "key" }}
sub expand {
  my ($tmpl, $r, $f, $header) = @_;
  $tmpl =~ s{\{\{\s*(.*?)\s*\}\}}{
    my $x = $1;
    $x =~ /^\.Label\s+"([^"]*)"$/ ? ($header ? uc "label" : $r->{labels}{$1} // '')
      : $x =~ /^\.(\w+)$/ ? ($header ? $HEADER{$1} // uc $1 : $f->{$1} // '')
      : fail("Template parsing error: template: :1: function \"$x\" not defined\n")
  }ge;
  return $tmpl;
}

# text/tabwriter as docker's formatter sets it up: minwidth 20, padding 3, the last cell as it is
sub tabwrite {
  my @rows = map { [split /\t/, $_, -1] } @_;
  my @w;
  for my $row (@rows) { for my $i (0 .. $#$row - 1) { my $l = length $row->[$i]; $w[$i] = $l if !defined $w[$i] || $l > $w[$i] } }
  for my $row (@rows) {
    my $line = '';
    for my $i (0 .. $#$row) {
      $line .= $i < $#$row ? sprintf('%-*s', ($w[$i] + 3 > 20 ? $w[$i] + 3 : 20), $row->[$i]) : $row->[$i];
    }
    print "$line\n";
  }
}

sub cmd_ps {
  my ($o, @rest) = parse_args({ f => 1, filter => 1, format => 1, n => 1, last => 1 }, @_);
  fail("\"docker ps\" accepts no arguments.\n") if @rest;
  my $n = opt($o, 'n', 'last');
  $n = 1 if opt($o, 'l', 'latest');
  my $all = opt($o, 'a', 'all') || defined $n;
  my $trunc = !opt($o, 'no-trunc');
  my @filters = (@{$o->{f} // []}, @{$o->{filter} // []});
  my @rows = grep { ($all || LabContainers::is_running($_)) && matches($_, \@filters) } LabContainers::all_records();
  splice(@rows, $n) if defined $n && $n >= 0 && @rows > $n;
  binmode(STDOUT, ':utf8');
  if (opt($o, 'q', 'quiet')) { print $trunc ? substr($_->{id}, 0, 12) : $_->{id}, "\n" for @rows; return }
  my $format = opt($o, 'format') // "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
  my $table = $format =~ s/^table\s+//;
  $format =~ s/\\t/\t/g;
  $format =~ s/\\n/\n/g;
  my @lines = map { expand($format, $_, ps_fields($_, $trunc), 0) } @rows;
  if ($table) { tabwrite(expand($format, undef, {}, 1), @lines) } else { print "$_\n" for @lines }
}

# ---- stop, kill, wait -------------------------------------------------------------------------------------
sub wait_gone {
  my ($r, $seconds) = @_;
  my $end = LabContainers::now() + $seconds;
  while (LabContainers::alive($r->{pid}, $r->{pstart})) {
    return 0 if LabContainers::now() >= $end;
    Time::HiRes::sleep(0.1);
  }
  return 1;
}

sub cmd_stop {
  my ($o, @refs) = parse_args({ t => 1, time => 1 }, @_);
  my $grace = opt($o, 't', 'time') // 10;
  my $rc = 0;
  for my $ref (@refs) {
    my $r = find_container($ref) or do { $rc = 1; next };
    if (LabContainers::is_running($r)) {
      kill 'TERM', $r->{pid};
      if (!wait_gone($r, $grace)) { kill 'KILL', -$r->{pid}; kill 'KILL', $r->{pid}; wait_gone($r, 30) }
    }
    print "$ref\n";
  }
  exit $rc;
}

sub cmd_kill {
  my ($o, @refs) = parse_args({ s => 1, signal => 1 }, @_);
  my $sig = opt($o, 's', 'signal') // 'KILL';
  $sig =~ s/^SIG//;
  my $rc = 0;
  for my $ref (@refs) {
    my $r = find_container($ref) or do { $rc = 1; next };
    if (!LabContainers::is_running($r)) { print STDERR "Error response from daemon: Cannot kill container $ref: "
      . "Container $r->{id} is not running\n"; $rc = 1; next }
    kill $sig, $r->{pid};
    print "$ref\n";
  }
  exit $rc;
}

# the exit code, once the kubelet (the process's parent) has reaped it and written it down
sub cmd_wait {
  my (undef, @refs) = parse_args({}, @_);
  my $rc = 0;
  for my $ref (@refs) {
    my $r = find_container($ref) or do { $rc = 1; next };
    wait_gone($r, 1e9);
    for (1 .. 100) {
      my $now = LabContainers::read_record("$LabContainers::DIR/$r->{id}.json") or last;
      $r = $now;
      last if $r->{state} ne 'running';
      Time::HiRes::sleep(0.1);
    }
    print $r->{state} eq 'running' ? 137 : $r->{exit_code}, "\n";
  }
  exit $rc;
}

# ---- logs -------------------------------------------------------------------------------------------------
# RFC 3339 (2018-10-01T10:00:00.5Z, …+02:00) to Unix time; undef when it is not one
sub rfc3339 {
  my ($s) = @_;
  my ($y, $mo, $d, $h, $mi, $sec, $frac, $zone) =
    $s =~ /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/ or return undef;
  my $t = Time::Local::timegm($sec, $mi, $h, $d, $mo - 1, $y) + ($frac // 0);
  $t -= ($1 eq '-' ? -1 : 1) * ($2 * 3600 + $3 * 60) if $zone =~ /^([+-])(\d\d):(\d\d)$/;
  return $t;
}

# --since: a Unix time, an RFC 3339 time or a duration before now (10m, 1h30m, 45s)
sub since_time {
  my ($s) = @_;
  return undef unless defined $s;
  return $s if $s =~ /^\d+(\.\d+)?$/;
  if ($s =~ /^(\d+(?:\.\d+)?(?:h|m|s|ms))+$/) {
    my $d = 0;
    while ($s =~ /(\d+(?:\.\d+)?)(ms|h|m|s)/g) { $d += $1 * { h => 3600, m => 60, s => 1, ms => 0.001 }->{$2} }
    return LabContainers::now() - $d;
  }
  return rfc3339($s) // fail("Error response from daemon: invalid value for \"since\": $s\n");
}

sub log_line {
  my ($line, $since, $stamps) = @_;
  my ($ts, $stream, $text) = $line =~ /^(\S+) (stdout|stderr) (.*)$/s or return;
  return if defined $since && (rfc3339($ts) // 0) < $since;
  my $fh = $stream eq 'stderr' ? \*STDERR : \*STDOUT;
  print $fh ($stamps ? "$ts " : ''), $text;
}

sub cmd_logs {
  my ($o, $ref, @more) = parse_args({ tail => 1, since => 1, until => 1 }, @_);
  fail("\"docker logs\" requires exactly 1 argument(s).\n") if !defined $ref || @more;
  my $r = find_container($ref) or exit 1;
  my $tail = opt($o, 'tail') // 'all';
  my $since = since_time(opt($o, 'since'));
  my $stamps = opt($o, 't', 'timestamps');
  $| = 1;
  open(my $fh, '<', $r->{log}) or exit 0;
  my @lines = <$fh>;
  @lines = @lines[-$tail .. -1] if $tail ne 'all' && $tail >= 0 && @lines > $tail;
  @lines = () if $tail ne 'all' && $tail == 0;
  log_line($_, $since, $stamps) for @lines;
  return unless opt($o, 'f', 'follow');
  while (1) {    # -f: until the container stops
    my $running = LabContainers::is_running($r);
    while (defined(my $l = <$fh>)) { log_line($l, $since, $stamps) }
    last unless $running;
    Time::HiRes::sleep(0.2);
    seek($fh, 0, 1);
  }
}

# ---- inspect ----------------------------------------------------------------------------------------------
sub inspect_doc {
  my ($r) = @_;
  my $running = LabContainers::is_running($r) ? JSON::PP::true : JSON::PP::false;
  return {
    Id => $r->{id}, Created => LabContainers::iso_time($r->{created}), Path => $r->{path}, Args => $r->{args},
    State => {
      Status => $running ? 'running' : 'exited', Running => $running, Paused => JSON::PP::false,
      Restarting => JSON::PP::false, OOMKilled => JSON::PP::false, Dead => JSON::PP::false,
      Pid => $running ? 0 + $r->{pid} : 0, ExitCode => 0 + $r->{exit_code}, Error => '',
      StartedAt => LabContainers::iso_time($r->{started}), FinishedAt => LabContainers::iso_time($r->{finished}),
    },
    Image => $r->{image}, LogPath => $r->{log}, Name => "/$r->{name}", RestartCount => 0, Driver => 'overlay2',
    HostConfig => { NetworkMode => $r->{network}, Privileged => JSON::PP::true },
    Config => { Hostname => '', Env => [], Cmd => $r->{args}, Image => $r->{image}, WorkingDir => $r->{workdir} // '',
      Entrypoint => [$r->{path}], Labels => $r->{labels} },
  };
}

sub inspect_value_raw {
  my ($v, $path) = @_;
  for my $k (grep { length } split /\./, $path) { $v = ref $v eq 'HASH' ? $v->{$k} : undef }
  return $v;
}

# --format: {{.A.B}}, {{json .A}}, {{index .Config.Labels "key"}}
sub inspect_value {
  my ($doc, $x) = @_;
  my $json = $x =~ s/^json\s+//;
  my $v = $doc;
  if (my ($path, $key) = $x =~ /^index\s+(\S+)\s+"([^"]*)"$/) {
    my $map = inspect_value_raw($doc, $path);
    return ref $map eq 'HASH' ? $map->{$key} // '<no value>' : '';
  }
  $v = inspect_value_raw($doc, $x);
  return JSON::PP->new->canonical->allow_nonref->encode($v) if $json;
  return '<no value>' unless defined $v;
  return $v ? 'true' : 'false' if JSON::PP::is_bool($v);
  return ref $v eq 'HASH' ? 'map[' . join(' ', map { "$_:$v->{$_}" } sort keys %$v) . ']'
    : ref $v eq 'ARRAY' ? '[' . join(' ', @$v) . ']' : "$v";
}

sub cmd_inspect {
  my ($o, @refs) = parse_args({ f => 1, format => 1, type => 1 }, @_);
  my $format = opt($o, 'f', 'format');
  my (@docs, $rc);
  for my $ref (@refs) { my $r = find_container($ref) or do { $rc = 1; next }; push @docs, inspect_doc($r) }
  if (defined $format) {
    for my $d (@docs) { (my $line = $format) =~ s/\{\{\s*(.*?)\s*\}\}/inspect_value($d, $1)/ge; print "$line\n" }
  } else {
    print JSON::PP->new->canonical->pretty->indent_length(4)->encode(\@docs);
  }
  exit($rc ? 1 : 0);
}

my %verbs = (ps => \&cmd_ps, stop => \&cmd_stop, kill => \&cmd_kill, wait => \&cmd_wait, logs => \&cmd_logs,
  inspect => \&cmd_inspect);
my $verb = shift @ARGV // '';
$verbs{$verb} or fail("docker (lab shim): '$verb' is not simulated\n");
$verbs{$verb}->(@ARGV);
