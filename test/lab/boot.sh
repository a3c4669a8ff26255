#!/bin/bash
# boot.sh DIR NAME — first process of a lab host's private mount + UTS namespace (started by
# supervisor.pl through `unshare -m -u --propagation private`): bind-mounts the host's own
# directories, /etc/hosts, /etc/resolv.conf and the CA bundle over the system paths, sets the host
# name, loads the units, starts the kubelet on a static-pod master, then becomes sshd.
set -eu
DIR=$1 NAME=$2
R=$DIR/hosts/$NAME
. "$R/run/host.env"
for m in $LAB_MOUNTS; do
  mount --bind "$R/$m" "/$m"
done
# a load balancer's own /etc/haproxy (lab.sh writes it on [lb] hosts only; the others see the machine's)
if [ -d "$R/etc/haproxy" ]; then
  mkdir -p /etc/haproxy
  mount --bind "$R/etc/haproxy" /etc/haproxy
fi
mount --bind "$R/run" /run/lab
# root's own plain home (lab.sh write_root_home); where the lab lives under /root, the lab directory
# stays visible at its path through it (bound inside the host's home, carried over by --rbind)
if [ -d "$R/root" ]; then
  case $DIR/ in
    /root/*) mkdir -p "$R/root/${DIR#/root/}" && mount --bind "$DIR" "$R/root/${DIR#/root/}" ;;
  esac
  mount --rbind "$R/root" /root
fi
mount --bind "$DIR/etc-hosts" /etc/hosts
# the host's resolver (a node: its own dnsmasq address; others: the site DNS), served by the lab API
[ -f "$R/etc/resolv.conf" ] && mount --bind "$R/etc/resolv.conf" /etc/resolv.conf
# the system trust (RHEL's update-ca-trust): the machine's bundle plus the host's anchors
cp /etc/ssl/certs/ca-certificates.crt "$R/run/ca-bundle.system.crt"
: >"$R/run/ca-bundle.crt"
mount --bind "$R/run/ca-bundle.crt" /etc/ssl/certs/ca-certificates.crt
"$DIR/shims/update-ca-trust" extract
hostname "$LAB_HOST"
"$DIR/shims/systemctl" daemon-reload
# a static-pod master (OCP 3.10): its kubelet runs the control plane's manifests. Started from a subshell that exits
# at once, so it is re-parented to the supervisor (the child subreaper) rather than left to sshd.
if [ "${LAB_CONTROL_PLANE:-}" = static ]; then
  (LAB_KUBELET_BACKOFF=${LAB_KUBELET_BACKOFF:-10} LAB_KUBELET_BACKOFF_MAX=${LAB_KUBELET_BACKOFF_MAX:-300} setsid perl "$DIR/kubelet.pl" </dev/null >>"$DIR/logs/$NAME.kubelet.log" 2>&1 &)
fi
exec /usr/sbin/sshd -D -e -f "$R/sshd_config"
