#!/usr/bin/perl
# kubelet.pl — the static-pod part of an OCP 3.10 node service's kubelet, for a lab host whose control plane
# is static pods (host.env: LAB_CONTROL_PLANE=static). boot.sh starts it detached inside the host's namespace,
# so it is re-parented to supervisor.pl (the child subreaper), and this process reaps its own containers.
#
# Like the kubelet's file source: every non-hidden regular file in /etc/origin/node/pods is a pod manifest
# (not only *.yaml: a backup copy left there is a second pod, as on a real node). A manifest that cannot be
# read is logged and left out of the pod set, so a pod that was running from it is stopped (the kubelet's
# file source sends the whole set, a SET). The real file source re-reads the directory every 20 s and on
# inotify events; this one polls every second, which is also the kubelet's PLEG relist period.
#
# Each pod gets a sandbox (a "POD" pause process, as dockershim creates) and its first container, run the
# way the manifest says: command + args, workingDir, as root, in the host's namespace (hostNetwork), a clean
# environment, stdout/stderr through a logger into a per-container log. /bin/sh is run as bash: the images'
# /bin/sh is bash (RHEL), and the etcd manifest's `source /etc/etcd/etcd.conf` needs it (Debian's dash has no
# `source`). restartPolicy Always, with the kubelet's crash-loop back-off (pkg/kubelet/kuberuntime doBackOff):
# a container that exits is started again at once the first time, then only when 10 s, 20 s, 40 s … 5 min
# have passed since it exited; the back-off resets when the container ran 10 min (twice the maximum).
# A manifest removed: the container gets SIGTERM, SIGKILL after the grace period (terminationGracePeriodSeconds,
# default 30), then the sandbox goes. A changed manifest is a new pod (the static pod's uid is a hash of the
# file), so the old pod is killed and the new one started. A sandbox that dies (`docker stop` of the POD
# container, what master-restart does) takes its container down and both are made again.
#
# Records for `docker ps` and friends: LabContainers.pm. The kubelet's own log goes to the node service's
# journal (/var/log/journal/atomic-openshift-node.service.log). It does nothing while that unit is stopped
# (the containers go on running, nothing restarts them), as on a real node.
#
#   kubelet.pl                 run (environment: LAB_KUBELET_BACKOFF base back-off seconds, default 10;
#                              LAB_KUBELET_BACKOFF_MAX, default 300; LAB_KUBELET_MANIFESTS; LAB_CONTAINERS_DIR)
#   kubelet.pl --parse FILE    print what the YAML reader makes of FILE, as JSON (for the tests)
use strict;
use warnings;
use FindBin ();
use lib "$FindBin::Bin/shims";
use LabContainers ();
use Digest::MD5 ();
use JSON::PP ();
use POSIX qw(:sys_wait_h strftime setsid);
use Time::HiRes ();

my $MANIFESTS = $ENV{LAB_KUBELET_MANIFESTS} // '/etc/origin/node/pods';
my $BACKOFF = $ENV{LAB_KUBELET_BACKOFF} // 10;
my $BACKOFF_MAX = $ENV{LAB_KUBELET_BACKOFF_MAX} // 300;
my $GC_AFTER = 60;    # the kubelet's container GC runs every minute
my $JOURNAL = '/var/log/journal/atomic-openshift-node.service.log';
my $NODE_STATE = '/run/lab/units/atomic-openshift-node.service.state';
my $POD_IMAGE = 'registry.access.redhat.com/openshift3/ose-pod:v3.10.45';
# the images' own programs that this machine lacks (openshift): a stand-in found first on the container's PATH
my $IMAGE_BIN = "$FindBin::Bin/image-bin";

# ---- the YAML reader: block maps and sequences, flow sequences of scalars, quoted and block scalars ----------
# Enough for pod manifests; anything else is an error, and the manifest is then ignored like the kubelet does.
sub yaml_error { die "yaml: line $_[0]: $_[1]\n" }

sub yaml_scalar {
  my ($s, $n) = @_;
  $s =~ s/\s+#.*$// unless $s =~ /^["']/;
  $s =~ s/\s+$//;
  return undef if $s eq '' || $s eq '~' || $s eq 'null';
  if ($s =~ /^"(.*)"$/) {
    my $v = $1;
    $v =~ s/\\(["\\nt])/$1 eq 'n' ? "\n" : $1 eq 't' ? "\t" : $1/ge;
    return $v;
  }
  if ($s =~ /^'(.*)'$/) { (my $v = $1) =~ s/''/'/g; return $v }
  yaml_error($n, "unterminated quoted scalar") if $s =~ /^["']/;
  yaml_error($n, "unexpected flow mapping") if $s =~ /^\{(?!\s*\}$)/;
  return {} if $s =~ /^\{\s*\}$/;
  return $s;
}

sub yaml_flow_seq {
  my ($s, $n) = @_;
  $s =~ s/\s+#.*$//;
  $s =~ /^\[(.*)\]\s*$/ or yaml_error($n, "unterminated flow sequence");
  my @items = $1 =~ /\G\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+?)\s*(?:,|$)/g;
  return [map { yaml_scalar($_, $n) } @items];
}

sub yaml_block_scalar {    # LINES, I (first line of the block), PARENT INDENT, INDICATOR -> (text, next i)
  my ($lines, $i, $parent, $ind) = @_;
  my (@text, $indent);
  for (; $i < @$lines; $i++) {
    my $l = $lines->[$i];
    if ($l =~ /^\s*$/) { push @text, ''; next }
    my ($sp) = $l =~ /^( *)/;
    last if length($sp) <= $parent;
    $indent //= length $sp;
    push @text, substr($l, $indent);
  }
  pop @text while @text && $text[-1] eq '';
  my $v = join("\n", @text);
  $v = $ind =~ /^>/ ? join(' ', @text) : $v;
  $v .= "\n" unless $ind =~ /-$/;
  return ($v, $i);
}

sub yaml_skip {    # index of the next line that holds something
  my ($lines, $i) = @_;
  $i++ while $i < @$lines && $lines->[$i] =~ /^\s*(#.*)?$/;
  return $i;
}

sub yaml_value {    # the value after "key:" or "- ": inline, a block scalar, or a nested block
  my ($lines, $i, $indent, $rest, $allow_seq_here) = @_;
  if ($rest =~ /^[|>][-+]?\s*$/) { return yaml_block_scalar($lines, $i + 1, $indent, $rest) }
  return (yaml_flow_seq($rest, $i + 1), $i + 1) if $rest =~ /^\[/;
  return (yaml_scalar($rest, $i + 1), $i + 1) if $rest ne '';
  my $j = yaml_skip($lines, $i + 1);
  return (undef, $j) if $j >= @$lines;
  my ($sp) = $lines->[$j] =~ /^( *)/;
  my $seq_here = $allow_seq_here && length($sp) == $indent && $lines->[$j] =~ /^ *- /;
  return (undef, $j) unless length($sp) > $indent || $seq_here;
  return yaml_block($lines, $j, length $sp);
}

sub yaml_block {    # LINES, I, INDENT -> (value, next i)
  my ($lines, $i, $indent) = @_;
  return $lines->[$i] =~ /^ *-( |$)/ ? yaml_seq($lines, $i, $indent) : yaml_map($lines, $i, $indent);
}

sub yaml_seq {
  my ($lines, $i, $indent) = @_;
  my @seq;
  while (($i = yaml_skip($lines, $i)) < @$lines) {
    my ($sp, $rest) = $lines->[$i] =~ /^( *)-(?: (.*))?$/ or last;
    last if length($sp) != $indent;
    $rest //= '';
    if ($rest =~ /^[^"'\[{|>#][^:]*:( |$)/) {    # "- key: value": a map whose first key is on this line
      my @copy = @$lines;
      $copy[$i] = (' ' x ($indent + 2)) . $rest;
      (my $v, $i) = yaml_map(\@copy, $i, $indent + 2);
      push @seq, $v;
    } else {
      (my $v, $i) = yaml_value($lines, $i, $indent, $rest, 0);
      push @seq, $v;
    }
  }
  return (\@seq, $i);
}

sub yaml_map {
  my ($lines, $i, $indent) = @_;
  my %map;
  while (($i = yaml_skip($lines, $i)) < @$lines) {
    my $l = $lines->[$i];
    my ($sp) = $l =~ /^( *)/;
    last if length($sp) < $indent;
    yaml_error($i + 1, "bad indentation") if length($sp) > $indent || $l =~ /^ *\t/;
    my ($key, $rest) = $l =~ /^ *("[^"]*"|'[^']*'|[^:#][^:]*?):(?: +(.*)|)$/
      or yaml_error($i + 1, "expected 'key: value'");
    $key = yaml_scalar($key, $i + 1);
    (my $v, $i) = yaml_value($lines, $i, $indent, $rest // '', 1);
    $map{$key} = $v;
  }
  return (\%map, $i);
}

sub parse_yaml {
  my ($text) = @_;
  my @lines = split /\n/, $text;
  yaml_error(1, "documents (---) are not supported") if grep { /^---/ } @lines[1 .. $#lines];
  shift @lines while @lines && $lines[0] =~ /^---\s*$/;
  my $i = yaml_skip(\@lines, 0);
  my ($v, $end) = $i < @lines ? yaml_block(\@lines, $i, 0) : ({}, $i);
  $end = yaml_skip(\@lines, $end);
  yaml_error($end + 1, "unexpected content") if $end < @lines;
  return $v;
}

# ---- manifests --------------------------------------------------------------------------------------------
my $NODE = node_name();

sub node_name {
  if (open(my $fh, '<', '/run/lab/host.env')) {
    while (<$fh>) { return $1 if /^LAB_HOST='?([^'\n]+)'?/ }
  }
  chomp(my $h = `hostname`);
  return $h;
}

# what the kubelet keeps of a manifest; dies (with the reason) when it is not a pod it can run
sub read_pod {
  my ($file) = @_;
  open(my $fh, '<', $file) or die "open: $!\n";
  local $/;
  my $text = <$fh>;
  close $fh;
  my $doc = parse_yaml($text);
  ref $doc eq 'HASH' && ($doc->{kind} // '') eq 'Pod' or die "not a Pod\n";
  my $meta = $doc->{metadata} // {};
  my $c = (($doc->{spec} // {})->{containers} // [])->[0];
  defined $meta->{name} && ref $c eq 'HASH' && defined $c->{name} or die "a pod needs metadata.name and a container\n";
  my $grace = $doc->{spec}{terminationGracePeriodSeconds} // 30;
  my $ctx = Digest::MD5->new;
  $ctx->add("host:$NODE", "file:$file", $text);    # the static pod uid: node, file and content
  return {
    file => $file, name => $meta->{name}, namespace => $meta->{namespace} // 'default', uid => $ctx->hexdigest,
    labels => $meta->{labels} // {}, annotations => $meta->{annotations} // {}, grace => $grace,
    container => {
      name => $c->{name}, image => $c->{image} // '', workingDir => $c->{workingDir},
      command => $c->{command} // [], args => $c->{args} // [],
    },
  };
}

# the pod set: uid -> pod; the first file of a name wins, as the kubelet rejects duplicate names
sub read_manifests {
  my (%pods, %names);
  opendir(my $dh, $MANIFESTS) or return {};
  for my $f (sort grep { !/^\./ } readdir $dh) {
    my $path = "$MANIFESTS/$f";
    next unless -f $path;
    my $pod = eval { read_pod($path) };
    if (!$pod) { klog('E', "file.go", "Can't process manifest file \"$path\": $@"); next }
    my $full = "$pod->{name}_$pod->{namespace}";
    if ($names{$full}) { klog('W', "config.go", "Pod \"$pod->{name}\" from $path: duplicate name, ignored"); next }
    $names{$full} = 1;
    $pods{$pod->{uid}} = $pod;
  }
  closedir $dh;
  return \%pods;
}

# ---- logging ----------------------------------------------------------------------------------------------
my %logged;    # messages said once per condition (errors that would otherwise repeat every second)

sub klog {
  my ($level, $where, $msg) = @_;
  chomp $msg;
  return if $level ne 'I' && $logged{$msg}++;
  my $t = LabContainers::now();
  my $stamp = strftime('%m%d %H:%M:%S', localtime(int $t)) . sprintf('.%06d', ($t - int $t) * 1e6);
  my $line = sprintf("@@ %s atomic-openshift-node[%d]: %s%s %7d %s] %s\n",
    strftime('%b %d %H:%M:%S', localtime(int $t)), $$, $level, $stamp, $$, $where, $msg);
  if (open(my $fh, '>>', $JOURNAL)) { print $fh $line; close $fh } else { print STDERR $line }
}

# ---- processes --------------------------------------------------------------------------------------------
my %by_pid;    # pid -> record of a container process this kubelet started

sub child_setup {
  setsid();
  $SIG{$_} = 'DEFAULT' for qw(TERM INT HUP CHLD PIPE);
  open(STDIN, '<', '/dev/null');
}

# the pause process: what a sandbox is; it exits 0 on SIGTERM like the pod image's /usr/bin/pod
sub spawn_pause {
  my $pid = fork() // die "fork: $!\n";
  return $pid if $pid;
  child_setup();
  open(STDOUT, '>', '/dev/null');
  open(STDERR, '>', '/dev/null');
  $0 = '/usr/bin/pod';
  $SIG{TERM} = $SIG{INT} = sub { POSIX::_exit(0) };
  sleep 3600 while 1;
}

# a logger: the container's stdout and stderr, one line at a time, as "TIME STREAM LINE" (docker's json-file
# keeps the same three things); it ends when the container and all it started have closed both pipes
sub spawn_logger {
  my ($log, $out, $err, @writers) = @_;
  my $pid = fork() // die "fork: $!\n";
  return $pid if $pid;
  child_setup();
  close $_ for @writers;    # else the logger would hold its own pipes open and never see their end
  $0 = "kubelet.pl: logger $log";
  open(my $fh, '>>', $log) or POSIX::_exit(1);
  $fh->autoflush(1);
  my %open = (stdout => $out, stderr => $err);
  my %part = (stdout => '', stderr => '');
  while (%open) {
    my $rin = '';
    vec($rin, fileno($open{$_}), 1) = 1 for keys %open;
    select(my $rout = $rin, undef, undef, undef) > 0 or next;
    for my $stream (keys %open) {
      next unless vec($rout, fileno($open{$stream}), 1);
      my $n = sysread($open{$stream}, my $buf, 65536);
      if (!$n) { delete $open{$stream}; $buf = length $part{$stream} ? "\n" : '' }
      $part{$stream} .= $buf;
      while ($part{$stream} =~ s/^([^\n]*)\n//) { print $fh LabContainers::iso_time(LabContainers::now()), " $stream $1\n" }
    }
  }
  POSIX::_exit(0);
}

sub container_env {
  my $path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  $path = "$IMAGE_BIN:$path" if -d $IMAGE_BIN;
  return (PATH => $path, HOSTNAME => $NODE, HOME => '/root');
}

sub spawn_container {
  my ($c, $log) = @_;
  pipe(my $out_r, my $out_w) or die "pipe: $!\n";
  pipe(my $err_r, my $err_w) or die "pipe: $!\n";
  my $logger = spawn_logger($log, $out_r, $err_r, $out_w, $err_w);
  my $pid = fork() // die "fork: $!\n";
  if (!$pid) {
    child_setup();
    open(STDOUT, '>&', $out_w);
    open(STDERR, '>&', $err_w);
    close $_ for $out_r, $err_r, $out_w, $err_w;
    my @argv = (@{$c->{command}}, @{$c->{args}});
    if (defined $c->{workingDir} && !chdir $c->{workingDir}) {
      print STDERR "container_linux.go:247: starting container process caused \"chdir to cwd (\\\"$c->{workingDir}\\\")"
        . " set in config.json failed: no such file or directory\"\n";
      POSIX::_exit(128);
    }
    %ENV = container_env();
    my $prog = $argv[0] eq '/bin/sh' ? '/bin/bash' : $argv[0];
    { no warnings 'exec'; exec {$prog} @argv; }
    print STDERR "container_linux.go:247: starting container process caused \"exec: \\\"$argv[0]\\\": $!\"\n";
    POSIX::_exit(127);
  }
  close $_ for $out_r, $out_w, $err_r, $err_w;
  return ($pid, $logger);
}

# ---- records ----------------------------------------------------------------------------------------------
sub pod_labels {
  my ($pod) = @_;
  return {
    %{$pod->{labels}}, (map { ("annotation.$_" => $pod->{annotations}{$_}) } keys %{$pod->{annotations}}),
    'annotation.kubernetes.io/config.hash' => $pod->{uid}, 'annotation.kubernetes.io/config.source' => 'file',
    'io.kubernetes.pod.name' => "$pod->{name}-$NODE", 'io.kubernetes.pod.namespace' => $pod->{namespace},
    'io.kubernetes.pod.uid' => $pod->{uid}, 'io.kubernetes.container.name' => 'POD',
    'io.kubernetes.docker.type' => 'podsandbox',
  };
}

# dockershim puts only these on a pod's containers: the pod's own labels are on its sandbox, not here
sub container_labels {
  my ($pod, $sandbox, $restart) = @_;
  return {
    'io.kubernetes.pod.name' => "$pod->{name}-$NODE", 'io.kubernetes.pod.namespace' => $pod->{namespace},
    'io.kubernetes.pod.uid' => $pod->{uid}, 'io.kubernetes.container.name' => $pod->{container}{name},
    'io.kubernetes.docker.type' => 'container', 'io.kubernetes.sandbox.id' => $sandbox->{id},
    'annotation.io.kubernetes.container.restartCount' => "$restart",
    'annotation.io.kubernetes.container.terminationMessagePath' => '/dev/termination-log',
    'annotation.io.kubernetes.container.terminationMessagePolicy' => 'File',
    'annotation.io.kubernetes.pod.terminationGracePeriod' => "$pod->{grace}",
  };
}

sub new_record {
  my (%r) = @_;
  my $now = LabContainers::now();
  my $rec = {
    id => LabContainers::new_id(), created => $now, started => $now, finished => 0, state => 'running',
    exit_code => 0, %r,
  };
  $rec->{log} //= "$LabContainers::DIR/$rec->{id}.log";
  $rec->{pstart} = LabContainers::proc_start($rec->{pid});
  $by_pid{$rec->{pid}} = $rec;
  LabContainers::write_record($rec);
  return $rec;
}

sub start_sandbox {
  my ($pod) = @_;
  my $attempt = $pod->{attempt}++;
  my $full = "$pod->{name}-$NODE";
  my $pid = spawn_pause();
  klog('I', 'kuberuntime_manager.go:385', "No sandbox for pod \"${full}_$pod->{namespace}($pod->{uid})\" can be found."
    . " Need to start a new one") if $attempt == 0;
  return new_record(
    name => "k8s_POD_${full}_$pod->{namespace}_$pod->{uid}_$attempt", image => $POD_IMAGE, path => '/usr/bin/pod',
    args => [], pid => $pid, labels => pod_labels($pod), pod_uid => $pod->{uid}, kind => 'podsandbox',
    network => 'host', workdir => '/',
  );
}

sub start_container {
  my ($pod) = @_;
  my $c = $pod->{container};
  my $restart = $pod->{restarts}++;
  my $id = LabContainers::new_id();
  my $log = "$LabContainers::DIR/$id.log";
  my ($pid, $logger) = spawn_container($c, $log);
  my @argv = (@{$c->{command}}, @{$c->{args}});
  klog('I', 'kuberuntime_manager.go:757', "starting container $c->{name} of pod $pod->{name}-$NODE (restart $restart)");
  return new_record(
    id => $id, log => $log, name => "k8s_$c->{name}_$pod->{name}-${NODE}_$pod->{namespace}_$pod->{uid}_$restart",
    image => $c->{image}, path => $argv[0] // '', args => [@argv[1 .. $#argv]], pid => $pid, logger_pid => $logger,
    labels => container_labels($pod, $pod->{sandbox}, $restart), pod_uid => $pod->{uid}, kind => 'container',
    network => "container:$pod->{sandbox}{id}", workdir => $c->{workingDir} // '/',
  );
}

# reap our children; a container's exit code as docker reports it (128 + signal when killed)
sub reap {
  while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
    my $st = $?;
    my $rec = delete $by_pid{$pid} or next;    # a logger
    $rec->{state} = 'exited';
    $rec->{exit_code} = WIFSIGNALED($st) ? 128 + WTERMSIG($st) : WEXITSTATUS($st);
    $rec->{finished} = LabContainers::now();
    LabContainers::write_record($rec);
    klog('I', 'kubelet.go:1889', "container $rec->{name} exited with code $rec->{exit_code}");
  }
}

sub running { my ($rec) = @_; return $rec && $rec->{state} eq 'running' }

# SIGTERM now, SIGKILL once the grace period is over; true when the process is gone
sub stop_process {
  my ($rec, $grace, $why) = @_;
  return 1 unless running($rec);
  my $now = LabContainers::now();
  if (!$rec->{term_at}) {
    klog('I', 'kuberuntime_container.go:547', "Killing container with id docker://$rec->{id}: $why");
    kill 'TERM', $rec->{pid};
    $rec->{term_at} = $now;
  } elsif ($now >= $rec->{term_at} + $grace && !$rec->{killed}) {
    kill 'KILL', -$rec->{pid};    # the container's whole process group, as its pid namespace would go
    $rec->{killed} = 1;
  }
  return 0;
}

# ---- the crash-loop back-off (k8s.io/client-go/util/flowcontrol Backoff, as doBackOff uses it) -----------------
my %backoff;    # pod + container -> { backoff => seconds, last => time of the last start it allowed }

sub backoff_allows {
  my ($pod, $last) = @_;
  my $key = "$pod->{name}_$pod->{namespace}_$pod->{uid}_$pod->{container}{name}";
  my $e = $backoff{$key};
  my $now = LabContainers::now();
  my $expired = $e && $last->{finished} - $e->{last} > 2 * $BACKOFF_MAX;
  if ($e && !$expired && $now - $last->{finished} < $e->{backoff}) {
    klog('I', 'kuberuntime_manager.go:513', "Back-off $e->{backoff}s restarting failed container=$pod->{container}{name}"
      . " pod=$pod->{name}-${NODE}_$pod->{namespace}($pod->{uid})") unless $last->{backoff_said}++;
    return 0;
  }
  $backoff{$key} = $e = (!$e || $expired) ? { backoff => $BACKOFF } : { backoff => _min(2 * $e->{backoff}, $BACKOFF_MAX) };
  $e->{last} = $now;
  return 1;
}

sub _min { return $_[0] < $_[1] ? $_[0] : $_[1] }

# ---- pods -------------------------------------------------------------------------------------------------
my %pods;    # uid -> the pod as running here: the manifest's pod + sandbox, container, attempt, restarts

# a pod whose manifest went: container first (grace period), then the sandbox; true when all is gone
sub teardown {
  my ($pod) = @_;
  klog('I', 'kubelet.go:1900', "Killing unwanted pod \"$pod->{name}-$NODE\"") unless $pod->{dying}++;
  return 0 unless stop_process($pod->{current}, $pod->{grace}, 'Need to kill Pod');
  return stop_process($pod->{sandbox}, $pod->{grace}, 'Need to kill Pod');
}

sub sync_pod {
  my ($pod) = @_;
  if ($pod->{sandbox} && !running($pod->{sandbox})) {
    klog('I', 'kuberuntime_manager.go:403', "Sandbox for pod \"$pod->{name}-$NODE\" has no IP address. Need to start a new one")
      unless $pod->{sandbox}{said}++;
    return unless stop_process($pod->{current}, $pod->{grace}, 'Need to kill Pod');
    $pod->{sandbox} = undef;
  }
  $pod->{sandbox} //= start_sandbox($pod);
  my $c = $pod->{current};
  return if running($c) || ($c && !backoff_allows($pod, $c));
  $pod->{current} = start_container($pod);
}

# a pod back before the GC removed its dead containers carries on from them, as the kubelet reads them from docker:
# the next attempt and restart numbers, and its last container for the back-off
sub with_history {
  my ($pod) = @_;
  for my $r (LabContainers::all_records()) {    # newest first
    next unless $r->{pod_uid} eq $pod->{uid};
    my ($n) = $r->{name} =~ /_(\d+)$/;
    if ($r->{kind} eq 'podsandbox') { $pod->{attempt} = $n + 1 if $n >= $pod->{attempt} }
    else { $pod->{restarts} = $n + 1 if $n >= $pod->{restarts}; $pod->{current} //= $r }
  }
  return $pod;
}

# a new pod waits until an older pod of the same name (its manifest changed) is gone
sub sync_all {
  my $want = read_manifests();
  my %busy;
  for my $uid (keys %pods) {
    next if $want->{$uid};
    if (teardown($pods{$uid})) { delete $pods{$uid} } else { $busy{"$pods{$uid}{name}_$pods{$uid}{namespace}"} = 1 }
  }
  for my $uid (sort keys %$want) {
    next if !$pods{$uid} && $busy{"$want->{$uid}{name}_$want->{$uid}{namespace}"};
    $pods{$uid} //= with_history({ %{$want->{$uid}}, attempt => 0, restarts => 0 });
    sync_pod($pods{$uid});
  }
}

# the kubelet's container GC: one dead container kept per pod container, none once the pod is gone a minute
sub gc {
  my (%newest, @dead);
  for my $r (LabContainers::all_records()) {
    next if $r->{state} eq 'running' || $by_pid{$r->{pid}};
    my $group = "$r->{pod_uid} $r->{labels}{'io.kubernetes.container.name'}";
    my $gone = !$pods{$r->{pod_uid}} && LabContainers::now() - $r->{finished} > $GC_AFTER;
    push @dead, $r if $newest{$group}++ || $gone;
  }
  LabContainers::remove_record($_) for @dead;
}

sub node_active {
  open(my $fh, '<', $NODE_STATE) or return 1;    # no unit state (a test host): the node service runs
  my $s = <$fh> // '';
  return $s =~ /^active/;
}

# records of a previous kubelet's containers: their processes are not ours to wait for
sub forget_old_records {
  for my $r (LabContainers::all_records()) {
    next unless $r->{state} eq 'running';
    $r->{state} = 'exited';
    $r->{exit_code} = 255 unless LabContainers::alive($r->{pid}, $r->{pstart});
    $r->{finished} = LabContainers::now();
    LabContainers::write_record($r);
  }
}

sub main {
  if (($ARGV[0] // '') eq '--parse') {
    my $pod = eval { read_pod($ARGV[1]) } or do { print STDERR $@; exit 1 };
    print JSON::PP->new->canonical->pretty->encode($pod);
    exit 0;
  }
  # only inside a lab host (its /run/lab), or where a test named the records' directory: never on the machine itself
  -r '/run/lab/host.env' || $ENV{LAB_CONTAINERS_DIR} or die "kubelet.pl: not on a lab host (no /run/lab/host.env)\n";
  mkdir $LabContainers::DIR;
  $SIG{TERM} = $SIG{INT} = sub { reap(); klog('I', 'kubelet.go:1300', 'kubelet stopping (its containers go on running)'); exit 0 };
  $SIG{PIPE} = 'IGNORE';
  forget_old_records();
  klog('I', 'file.go:52', "Watching path \"$MANIFESTS\" (node $NODE, back-off ${BACKOFF}s to ${BACKOFF_MAX}s)");
  while (1) {
    reap();
    sync_all() if node_active();
    gc();
    Time::HiRes::sleep(1);
  }
}

main();
