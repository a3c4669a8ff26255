#!/usr/bin/env bash
# etcd-restore benchmark: the wall time of `day2-tui run etcd-restore --yes` beside the guide's commands
# scripted directly over ssh (the commands of test/lab/restore-by-hand.sh after its backup), against one
# lab in one invocation. One backup first (the guide's commands: snapshot save + v2 `etcdctl backup`),
# then, alternately, RUNS times each: all three data dirs destroyed → the scripted restore / destroyed →
# day2-tui; after each restore the bench checks 3 healthy members with their names and https peer URLs
# and the fingerprint of the start (a restore that does not pass stops the bench: its time means
# nothing). Prints every time, the medians and the ratio. Root only (the lab); not part of the tests.
#   bash scripts/with-lab.sh bash bench/etcd-restore.sh [runs=3]
#   LAB_DIR=DIR bash bench/etcd-restore.sh [runs=3]    # a default lab you started with the lab tools
# The scripted baseline waits for health by polling (1 s) where restore-by-hand.sh sleeps a fixed time.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "bench: runs must be a positive number, not '$RUNS'" >&2; exit 2; }
D=${LAB_DIR:-}
[ -n "$D" ] && [ -f "$D/hosts.ini" ] || { echo "bench: no lab: run it as bash scripts/with-lab.sh bash bench/etcd-restore.sh, or set LAB_DIR to a running default lab" >&2; exit 2; }
bash test/lab/lab.sh status --dir "$D" >/dev/null || { echo "bench: the lab in $D is not up" >&2; exit 2; }
node scripts/build.mjs # always: a stale bundle would measure old code

S="ssh -F $D/ssh_config"
L="bash test/lab/lab.sh"
B=/backup/etcd-bench
M0=master-0.lab.example.com
STATE=$(mktemp -d /tmp/day2-bench-restore-XXXXXX)
trap 'rm -rf "$STATE"' EXIT
EPS=https://127.0.10.1:2379,https://127.0.10.2:2379,https://127.0.10.3:2379
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END{ if (NR % 2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2] + a[NR/2+1]) / 2 }'; }

# 3 healthy members (v3 endpoint health), original names and https peer URLs, the data of the start
healthy() {
  local list i
  for i in $(seq 30); do
    if $S master-0 "ETCDCTL_API=3 etcdctl --cert /etc/etcd/peer.crt --key /etc/etcd/peer.key --cacert /etc/etcd/ca.crt --endpoints $EPS endpoint health" >/dev/null 2>&1 &&
      list=$($S master-0 "etcdctl2 --endpoints $EPS member list" 2>/dev/null) &&
      [ "$(echo "$list" | wc -l)" = 3 ] &&
      echo "$list" | grep -q "name=master-0.lab.example.com peerURLs=https://127.0.10.1:2380 " &&
      echo "$list" | grep -q "name=master-1.lab.example.com peerURLs=https://127.0.10.2:2380 " &&
      echo "$list" | grep -q "name=master-2.lab.example.com peerURLs=https://127.0.10.3:2380 "; then
      return 0
    fi
    sleep 1
  done
  return 1
}
check() { # what, log
  healthy || { echo "bench: after $1 etcd is not 3 healthy members with their names and https peer URLs (log: $2)" >&2; exit 1; }
  [ "$($L fingerprint --dir "$D")" = "$fp0" ] || { echo "bench: after $1 the fingerprint differs from the start (log: $2)" >&2; exit 1; }
}

destroy() {
  local m
  for m in master-0 master-1 master-2; do
    $S $m 'systemctl stop etcd.service; rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl daemon-reload; rm -rf /var/lib/etcd/* /var/lib/etcd.old-*' >/dev/null
  done
}

# The guide's restore as plain ssh commands: test/lab/restore-by-hand.sh from its second line on.
by_hand() {
  local m i ip id out ic try w
  for m in master-0 master-1 master-2; do $S $m 'systemctl stop etcd; T=$(date +%Y%m%d%H%M%S); mv /var/lib/etcd /var/lib/etcd.old 2>&1 | head -1; mkdir /var/lib/etcd.old-$T; mv /var/lib/etcd/* /var/lib/etcd.old-$T/ 2>/dev/null; ls -A /var/lib/etcd | wc -l'; done
  $S master-0 'set -e; cp -R '$B'/* /var/lib/etcd/; mv /var/lib/etcd/db /var/lib/etcd/member/snap/db; restorecon -Rv /var/lib/etcd | tail -1; chown -R etcd:etcd /var/lib/etcd/
mkdir -p /etc/systemd/system/etcd.service.d/; echo "[Service]" > /etc/systemd/system/etcd.service.d/temp.conf; echo "ExecStart=" >> /etc/systemd/system/etcd.service.d/temp.conf
sed -n '"'"'/ExecStart/s/"$/ --force-new-cluster"/p'"'"' /usr/lib/systemd/system/etcd.service >> /etc/systemd/system/etcd.service.d/temp.conf
systemctl daemon-reload; master-restart etcd; until etcdctl2 cluster-health 2>/dev/null | grep -q "cluster is healthy"; do sleep 1; done; etcdctl2 cluster-health
rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl daemon-reload; master-restart etcd; until etcdctl2 cluster-health 2>/dev/null | grep -q "cluster is healthy"; do sleep 1; done; etcdctl2 cluster-health; etcdctl2 member list'
  id=$($S master-0 'etcdctl2 member list' | cut -d: -f1)
  $S master-0 "ss -l4n 2>/dev/null | grep 2380; etcdctl2 member update $id https://127.0.10.1:2380; etcdctl2 member list"
  for i in 1 2; do
    m=master-$i; ip=127.0.10.$((i+1))
    out=""
    for try in 1 2 3 4 5 6 7 8 9 10; do out=$($S master-0 "etcdctl2 member add $m.lab.example.com https://$ip:2380" 2>&1) && break; sleep 2; done
    echo "$out" | tail -3
    ic=$(echo "$out" | grep ETCD_INITIAL_CLUSTER= | cut -d= -f2- | tr -d '"')
    $S $m "sed -i -e 's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER=$ic|' -e 's|^ETCD_INITIAL_CLUSTER_STATE=.*|ETCD_INITIAL_CLUSTER_STATE=existing|' /etc/etcd/etcd.conf; systemctl start etcd; echo start=\$?"
    for w in $(seq 30); do $S master-0 "etcdctl2 cluster-health" 2>/dev/null | grep -q 'cluster is healthy' && [ "$($S master-0 'etcdctl2 cluster-health' | grep -c 'is healthy: got')" = $((i+1)) ] && break; sleep 1; done
  done
  $S master-0 'etcdctl2 cluster-health; etcdctl2 member list'
}

tui() {
  ./bin/day2-tui run etcd-restore --param "host=$M0" --param "backup=$B" --yes \
    -i "$D/hosts.ini" --known-hosts "$D/known_hosts" --identity "$D/id_ed25519" --state-dir "$STATE"
}

healthy || { echo "bench: etcd in $D is not 3 healthy members before the bench" >&2; exit 1; }
fp0=$($L fingerprint --dir "$D")
echo "bench: backup once ($B on master-0, the guide's commands)"
$S master-0 "rm -rf $B; mkdir -p $B; etcdctl3 snapshot save $B/db >/dev/null && systemctl stop etcd && ETCDCTL_API=2 etcdctl backup --data-dir /var/lib/etcd --backup-dir $B >/dev/null 2>&1 && systemctl start etcd && ls $B/member/wal/*.wal >/dev/null && echo ok" | grep -qx ok ||
  { echo "bench: the backup failed" >&2; exit 1; }
check 'the backup' "-"

hand=() prod=()
for ((r = 1; r <= RUNS; r++)); do
  destroy
  log=$STATE/by-hand-$r.log
  t0=$(now); by_hand >"$log" 2>&1 || true; t=$(elapsed "$t0")
  check "the scripted restore $r" "$log"
  hand+=("$t"); echo "run $r: scripted over ssh   $t s"

  destroy
  log=$STATE/day2-tui-$r.log
  t0=$(now); tui >"$log" 2>&1 || { echo "bench: day2-tui run etcd-restore failed (run $r):" >&2; tail -30 "$log" >&2; exit 1; }; t=$(elapsed "$t0")
  check "day2-tui's restore $r" "$log"
  prod+=("$t"); echo "run $r: day2-tui run          $t s"
done
$S master-0 "rm -rf $B"

H=$(printf '%s\n' "${hand[@]}" | median)
P=$(printf '%s\n' "${prod[@]}" | median)
echo
echo "etcd-restore of 3 members, all data dirs lost, from one backup; runs: $RUNS each, interleaved; every restore verified (3 healthy members, names, https peer URLs, fingerprint)"
printf '%-44s %8.2f s   all: %s\n' "guide's commands scripted over ssh (median)" "$H" "${hand[*]}"
printf '%-44s %8.2f s   all: %s\n' "day2-tui run etcd-restore --yes (median)" "$P" "${prod[*]}"
echo "ratio: day2-tui / scripted = $(awk -v a="$P" -v b="$H" 'BEGIN { printf "%.2f", a / b }')x"
# where day2-tui's time went in its last run (from its journal)
node -e '
const fs = require("fs"), dir = process.argv[1] + "/runs";
const js = fs.readdirSync(dir).map((n) => JSON.parse(fs.readFileSync(dir + "/" + n, "utf8"))).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
const steps = js[0].steps.filter((s) => s.startedAt && s.endedAt).map((s) => [s.id, (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000]).sort((a, b) => b[1] - a[1]);
console.log("day2-tui, last run, slowest steps: " + steps.slice(0, 6).map(([id, t]) => id + " " + t.toFixed(1) + " s").join(", "));
' "$STATE"
