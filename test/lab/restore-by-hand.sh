#!/usr/bin/env bash
# restore-by-hand.sh LAB_DIR — the guide's etcd v2+v3 restore (5.4.2.1, peerURL fix 5.4.2.1.1, then
# `member add` + ETCD_INITIAL_CLUSTER_STATE=existing one member at a time), typed as plain ssh
# commands against a running default lab. Proves the lab supports it: prints the fingerprint
# before and after, and SAME when nothing was lost. Not part of the test suite; leaves master-1/2
# with ETCD_INITIAL_CLUSTER_STATE=existing (run `lab.sh up` again for a fresh lab).
set -u
D=${1:?usage: restore-by-hand.sh LAB_DIR}; S="ssh -F $D/ssh_config"; L="bash $(dirname "$0")/lab.sh"
fp0=$($L fingerprint --dir $D); echo "fp before: $fp0"
$S master-0 'B=/backup/etcd-x; rm -rf $B; mkdir -p $B; etcdctl3 snapshot save $B/db >/dev/null 2>&1; systemctl stop etcd; ETCDCTL_API=2 etcdctl backup --data-dir /var/lib/etcd --backup-dir $B >/dev/null 2>&1; echo backup=$?'
for m in master-0 master-1 master-2; do $S $m 'systemctl stop etcd; T=$(date +%Y%m%d%H%M%S); mv /var/lib/etcd /var/lib/etcd.old 2>&1 | head -1; mkdir /var/lib/etcd.old-$T; mv /var/lib/etcd/* /var/lib/etcd.old-$T/; ls -A /var/lib/etcd | wc -l'; done
$S master-0 'set -e; cp -R /backup/etcd-x/* /var/lib/etcd/; mv /var/lib/etcd/db /var/lib/etcd/member/snap/db; restorecon -Rv /var/lib/etcd | tail -1; chown -R etcd:etcd /var/lib/etcd/
mkdir -p /etc/systemd/system/etcd.service.d/; echo "[Service]" > /etc/systemd/system/etcd.service.d/temp.conf; echo "ExecStart=" >> /etc/systemd/system/etcd.service.d/temp.conf
sed -n '"'"'/ExecStart/s/"$/ --force-new-cluster"/p'"'"' /usr/lib/systemd/system/etcd.service >> /etc/systemd/system/etcd.service.d/temp.conf
systemctl daemon-reload; master-restart etcd; sleep 2; etcdctl2 cluster-health; rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl daemon-reload; master-restart etcd; sleep 1; etcdctl2 cluster-health; etcdctl2 member list'
id=$($S master-0 'etcdctl2 member list' | cut -d: -f1)
$S master-0 "ss -l4n 2>/dev/null | grep 2380; etcdctl2 member update $id https://127.0.10.1:2380; etcdctl2 member list"
for i in 1 2; do
  m=master-$i; ip=127.0.10.$((i+1))
  out=""
  for try in 1 2 3 4 5 6 7 8 9 10; do out=$($S master-0 "etcdctl2 member add $m.lab.example.com https://$ip:2380" 2>&1) && break; sleep 2; done
  echo "$out" | tail -3
  ic=$(echo "$out" | grep ETCD_INITIAL_CLUSTER= | cut -d= -f2- | tr -d '"')
  $S $m "sed -i -e 's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER=$ic|' -e 's|^ETCD_INITIAL_CLUSTER_STATE=.*|ETCD_INITIAL_CLUSTER_STATE=existing|' /etc/etcd/etcd.conf; systemctl start etcd; echo start=\$?"
  for w in $(seq 30); do $S master-0 "etcdctl2 cluster-health" 2>/dev/null | grep -q 'cluster is healthy' && [ $($S master-0 'etcdctl2 cluster-health' | grep -c 'is healthy: got') = $((i+1)) ] && break; sleep 1; done
done
$S master-0 'etcdctl2 cluster-health; etcdctl2 member list'
fp1=$($L fingerprint --dir $D); echo "fp after: $fp1"; [ "$fp0" = "$fp1" ] && echo SAME || echo DIFFERENT
