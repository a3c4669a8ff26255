#!/usr/bin/perl
# supervisor.pl DIR — the parent of every lab host, and their child subreaper.
# PID 1 of this sandbox does not reap orphans, so the etcd processes that the systemctl shim starts
# detached (setsid) would stay as zombies once stopped. This process is made a child subreaper
# (prctl PR_SET_CHILD_SUBREAPER): orphans of the lab hosts are re-parented here and reaped.
# It starts one `unshare -m -u --propagation private boot.sh DIR NAME` per line of DIR/hosts.list
# (boot.sh execs sshd, so each child's pid is that host's sshd), writes DIR/run/sshd.pids, then
# only reaps. `lab.sh down` stops the hosts first and this process last, all by pid.
use strict;
use warnings;
use POSIX ();

my $dir = shift or die "usage: supervisor.pl DIR\n";
my $here = $0; $here =~ s{/[^/]+$}{};
my $SYS_prctl = eval { require 'syscall.ph'; &SYS_prctl() } || 157;   # x86_64
syscall($SYS_prctl, 36, 1, 0, 0, 0) == 0 or die "supervisor: prctl(PR_SET_CHILD_SUBREAPER) failed: $!\n";

open(my $list, '<', "$dir/hosts.list") or die "supervisor: $dir/hosts.list: $!\n";
my @pids;
while (my $name = <$list>) {
  chomp $name;
  next unless length $name;
  my $pid = fork();
  die "supervisor: fork: $!\n" unless defined $pid;
  if ($pid == 0) {
    open(STDIN, '<', '/dev/null');
    open(STDOUT, '>>', "$dir/logs/$name.sshd.log") or die;
    open(STDERR, '>&', \*STDOUT);
    # a host in a network namespace of its own (lab.sh --jump): `ip netns exec` execs in place (same pid)
    my @netns;
    if (open(my $ns, '<', "$dir/hosts/$name/run/netns")) { my $n = <$ns>; chomp $n; @netns = ('ip', 'netns', 'exec', $n); }
    exec(@netns, 'unshare', '-m', '-u', '--propagation', 'private', '/bin/bash', "$dir/boot.sh", $dir, $name)
      or die "supervisor: exec unshare: $!\n";
  }
  push @pids, "$name $pid\n";
}
close $list;
open(my $out, '>', "$dir/run/sshd.pids.tmp") or die;
print $out @pids;
close $out;
rename("$dir/run/sshd.pids.tmp", "$dir/run/sshd.pids") or die;
# Stopped by TERM: the hosts it started go first (even one still in boot.sh, not yet sshd), so that a
# failed `lab.sh up` never leaves a host running with no parent but PID 1.
my @children = map { (split ' ')[1] } @pids;
$SIG{TERM} = sub {
  kill 'TERM', @children;
  for (1 .. 50) {
    while ((my $p = waitpid(-1, POSIX::WNOHANG())) > 0) { }
    last unless grep { kill 0, $_ } @children;
    select(undef, undef, undef, 0.1);
  }
  kill 'KILL', grep { kill 0, $_ } @children;
  exit 0;
};
while (1) {
  my $p = waitpid(-1, 0);
  sleep 1 if $p == -1;
}
