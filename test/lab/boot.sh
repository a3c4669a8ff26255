#!/bin/bash
# boot.sh DIR NAME — first process of a lab host's private mount + UTS namespace (started by
# supervisor.pl through `unshare -m -u --propagation private`): bind-mounts the host's own
# directories over the system paths, sets the host name, loads the units, then becomes sshd.
set -eu
DIR=$1 NAME=$2
R=$DIR/hosts/$NAME
. "$R/run/host.env"
for m in $LAB_MOUNTS; do
  mount --bind "$R/$m" "/$m"
done
mount --bind "$R/run" /run/lab
mount --bind "$DIR/etc-hosts" /etc/hosts
hostname "$LAB_HOST"
"$DIR/shims/systemctl" daemon-reload
exec /usr/sbin/sshd -D -e -f "$R/sshd_config"
