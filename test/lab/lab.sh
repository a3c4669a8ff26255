#!/usr/bin/env bash
# The day2-tui integration lab: one "host" per loopback address, each a private mount + UTS
# namespace running its own sshd, a real TLS etcd 3.4 cluster on the masters (or on etcd hosts).
#
#   lab.sh up --dir DIR [--masters 3|1|0] [--infra I] [--nodes K] [--lb 0|1] [--no-seed] [--control-plane static|systemd]
#             [--etcd-hosts 0|1|3] [--kubelet-backoff BASE:MAX]   (static: the kubelet's crash-loop back-off in seconds, default 10:300)
#             [--jump]   (also jump-0 and lb-1, each in a network namespace of its own: lb-1 only through jump-0)
#   lab.sh down --dir DIR
#   lab.sh status --dir DIR
#   lab.sh ssh --dir DIR HOST CMD...
#   lab.sh bastion --dir DIR CMD...     (run CMD here with the lab's site DNS as resolver)
#   lab.sh fingerprint --dir DIR [-v] [--v3]   (--v3: over the v3 keys only)
#   lab.sh seed --dir DIR
#   lab.sh etcd-reset --dir DIR         (etcd back to the copy saved after up: stopped, data + /etc/etcd, started)
#   lab.sh etcd-command --dir DIR HOST start|stop   (prints how an admin starts/stops etcd there, for tests)
#
# --control-plane: how the masters run etcd, the API and the controllers. static (default, an OCP 3.10
# install): static pods of the node's kubelet (kubelet.pl runs /etc/origin/node/pods/*.yaml; etcd.service
# installed but disabled); systemd: the etcd unit and the atomic-openshift-master-api/-controllers units.
# --etcd-hosts N: 0 (default) etcd runs on the masters; 1 or 3: etcd runs on N external [etcd] hosts
# etcd-K (role etcd only) as the RPM's etcd.service, enabled, and the masters run only the API and the
# controllers (static: apiserver.yaml and controller.yaml, no etcd.yaml); the etcd CA is etcd-0's /etc/etcd/ca/.
#
# Address plan (fixed): master-N 127.0.10.N+1, infra-N 127.0.11.N+1, node-N 127.0.12.N+1,
# lb-0 127.0.13.1, etcd-N 127.0.15.N+1; names <short>.lab.example.com; site DNS 127.0.14.53; service
# network (ClusterIPs) 127.30.0.0/16. See test/lab/README.md for the files in DIR.
# --jump: jump-0 10.251.0.2 (netns day2lab-jump, veth to this machine's 10.251.0.1) and lb-1 10.251.1.2
# ([lb] in the inventory; netns day2lab-hidden, veth to jump-0's 10.251.1.1 only; this machine has an
# `unreachable` route to 10.251.1.0/24, so a direct connection fails at once).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# write_static_pods: the control plane's manifests of a 3.10 master
. "$HERE/static-pods.sh"
DOMAIN=lab.example.com
# the lab's service network (ClusterIPs): loopback, see SERVICE_NETWORK in api/cluster.ts
SERVICE_NETWORK=127.30.0.0/16
# the site DNS (the resolver of the bastion and of non-node hosts; SITE_DNS in api/server.ts)
SITE_DNS=127.0.14.53
# directories every host has its own copy of (bind-mounted over the system path in its namespace,
# in this order: var/lib/etcd is bound again on top of the host's var/lib, so that it is a mount
# point, like the dedicated etcd disk of a real master, and /var/lib/etcd.old-* stays per host)
MOUNTS="etc/etcd etc/origin etc/sysconfig backup etc/systemd/system usr/lib/systemd/system etc/cni
etc/dnsmasq.d etc/pki/ca-trust/source/anchors etc/docker/certs.d var/log var/lib var/lib/etcd"
MOUNTS=$(echo $MOUNTS)

die() { echo "lab.sh: $*" >&2; exit 1; }
say() { echo "lab.sh: $*" >&2; }
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# ---- arguments ------------------------------------------------------------------------------------
CMD=${1:-}; [ -n "$CMD" ] || usage; shift
DIR='' MASTERS=3 INFRA=1 NODES=2 LB=1 SEED=1 VERBOSE=0 REST=() CONTROL_PLANE=static KUBELET_BACKOFF=10:300 ETCD_HOSTS=0 JUMP=0
JUMP_NS=day2lab-jump HIDDEN_NS=day2lab-hidden
while [ $# -gt 0 ]; do
  case $1 in
    --dir) DIR=${2:-}; shift ;;
    --dir=*) DIR=${1#*=} ;;
    --masters) MASTERS=${2:-}; shift ;;
    --infra) INFRA=${2:-}; shift ;;
    --nodes) NODES=${2:-}; shift ;;
    --lb) LB=${2:-}; shift ;;
    --no-seed) SEED=0 ;;
    --jump) JUMP=1 ;;
    --control-plane) CONTROL_PLANE=${2:-}; shift ;;
    --control-plane=*) CONTROL_PLANE=${1#*=} ;;
    --kubelet-backoff) KUBELET_BACKOFF=${2:-}; shift ;;
    --etcd-hosts) ETCD_HOSTS=${2:-}; shift ;;
    --etcd-hosts=*) ETCD_HOSTS=${1#*=} ;;
    --v3) V3ONLY=1 ;;
    -v | --verbose) VERBOSE=1 ;;
    -h | --help) usage ;;
    --) if [ "$CMD" = bastion ]; then shift; REST=("$@"); break; fi; die "unexpected '--'" ;;
    *) if [ "$CMD" = ssh ] || [ "$CMD" = bastion ] || [ "$CMD" = etcd-command ]; then REST=("$@"); break; fi; die "unknown argument '$1' (see lab.sh --help)" ;;
  esac
  shift
done
[ -n "$DIR" ] || die "--dir DIR is required"
case $CMD in up) mkdir -p "$DIR" ;; esac
[ -d "$DIR" ] || die "$DIR: no such directory (no lab there)"
DIR=$(cd "$DIR" && pwd -P)

# ---- host plan ------------------------------------------------------------------------------------
# HOSTS: "name address group roles(comma)" lines. The etcd members are the hosts with role etcd: the
# masters, or with --etcd-hosts the etcd-K hosts only (listed right after the masters, as [etcd] in the inventory)
plan_hosts() {
  local i mroles=master,etcd,node
  HOSTS=()
  ((ETCD_HOSTS)) && mroles=master,node
  for ((i = 0; i < MASTERS; i++)); do HOSTS+=("master-$i.$DOMAIN 127.0.10.$((i + 1)) node-config-master $mroles"); done
  for ((i = 0; i < ETCD_HOSTS; i++)); do HOSTS+=("etcd-$i.$DOMAIN 127.0.15.$((i + 1)) - etcd"); done
  for ((i = 0; i < INFRA; i++)); do HOSTS+=("infra-$i.$DOMAIN 127.0.11.$((i + 1)) node-config-infra infra,node"); done
  for ((i = 0; i < NODES; i++)); do HOSTS+=("node-$i.$DOMAIN 127.0.12.$((i + 1)) node-config-compute node"); done
  for ((i = 0; i < LB; i++)); do HOSTS+=("lb-$i.$DOMAIN 127.0.13.$((i + 1)) - lb"); done
  ((JUMP)) && HOSTS+=("jump-0.$DOMAIN 10.251.0.2 - jump" "lb-1.$DOMAIN 10.251.1.2 - lb")
  return 0
}
# the network namespace a host's sshd runs in (--jump), empty for this machine's
host_ns() {
  case $1 in jump-0.*) echo "$JUMP_NS" ;; lb-1.*) [[ $2 == 10.251.* ]] && echo "$HIDDEN_NS" ;; esac
  return 0
}
# --jump's two namespaces: this machine 10.251.0.1 <-> jump-0 10.251.0.2; jump-0 10.251.1.1 <-> lb-1 10.251.1.2
jump_net_up() {
  jump_net_down
  ip netns add "$JUMP_NS" && ip netns add "$HIDDEN_NS" &&
    ip link add d2l-jump type veth peer name eth0 netns "$JUMP_NS" &&
    ip addr add 10.251.0.1/24 dev d2l-jump && ip link set d2l-jump up &&
    ip -n "$JUMP_NS" addr add 10.251.0.2/24 dev eth0 && ip -n "$JUMP_NS" link set eth0 up && ip -n "$JUMP_NS" link set lo up &&
    ip -n "$JUMP_NS" link add eth1 type veth peer name eth0 netns "$HIDDEN_NS" &&
    ip -n "$JUMP_NS" addr add 10.251.1.1/24 dev eth1 && ip -n "$JUMP_NS" link set eth1 up &&
    ip -n "$HIDDEN_NS" addr add 10.251.1.2/24 dev eth0 && ip -n "$HIDDEN_NS" link set eth0 up && ip -n "$HIDDEN_NS" link set lo up &&
    ip route add unreachable 10.251.1.0/24 ||
    die "up: --jump: cannot make the network namespaces (ip netns, veth)"
}
jump_net_down() {
  ip route del unreachable 10.251.1.0/24 2>/dev/null || true
  ip link del d2l-jump 2>/dev/null || true
  ip netns del "$HIDDEN_NS" 2>/dev/null || true
  ip netns del "$JUMP_NS" 2>/dev/null || true
}
# hosts of a running/created lab, from DIR/hosts.list + each host's host.env
load_hosts() {
  local name
  HOSTS=()
  [ -f "$DIR/hosts.list" ] || return 0
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    (
      . "$DIR/hosts/$name/run/host.env"
      echo "$LAB_HOST $LAB_ADDR $LAB_GROUP $LAB_ROLES"
    )
  done <"$DIR/hosts.list" >"$DIR/run/.hosts.tmp" 2>/dev/null || true
  mapfile -t HOSTS <"$DIR/run/.hosts.tmp" 2>/dev/null || true
  rm -f "$DIR/run/.hosts.tmp"
}
etcd_endpoints() { # comma-separated client URLs of the lab's etcd members
  local h out=() IFS=$' \t\n'
  for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,etcd,* ]] && out+=("https://$2:2379"); done
  local IFS=,; echo "${out[*]}"
}

# outside-the-namespaces etcd client (the lab client certificate)
ec3() { ETCDCTL_API=3 etcdctl --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/client.crt" --key "$DIR/pki/client.key" "$@"; }
curl_etcd() { curl -sS --fail --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/client.crt" --key "$DIR/pki/client.key" "$@"; }
healthy_endpoint() { # first member that answers endpoint health
  local ep eps
  eps=$(etcd_endpoints)
  for ep in ${eps//,/ }; do
    if ec3 --endpoints "$ep" --dial-timeout=2s --command-timeout=5s endpoint health >/dev/null 2>&1; then echo "$ep"; return 0; fi
  done
  return 1
}

# ---- /proc helpers --------------------------------------------------------------------------------
proc_start() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1; s=${s##*) }; set -- $s; [ "$1" != Z ] && echo "${20}"; }
# is PID (still) the process whose cmdline contains WORD?
pid_is() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"; }
# pids of the processes that live in this lab's host namespaces (their /run/lab holds our lab id)
lab_ns_pids() {
  local token p t
  token=$(cat "$DIR/lab-id" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    t=''
    # lab-id has no final newline: read then fails but has set t
    { read -r t <"$p/root/run/lab/lab-id" || [ -n "$t" ]; } 2>/dev/null || continue
    [ "$t" = "$token" ] && echo "${p#/proc/}"
  done
  return 0
}
# tcp listen check, one read of /proc/net/tcp: prints the ADDR:PORT args that nobody listens on
not_listening() { # (TCP_NS=NETNS: in that network namespace)
  local tcp hp ip port a b c d hex
  if [ -n "${TCP_NS:-}" ]; then tcp=$(ip netns exec "$TCP_NS" cat /proc/net/tcp); else tcp=$(cat /proc/net/tcp); fi
  for hp in "$@"; do
    ip=${hp%:*} port=${hp##*:}
    IFS=. read -r a b c d <<<"$ip"
    hex=$(printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$port")
    [[ $tcp == *": $hex 00000000:0000 0A "* ]] || echo "$hp"
  done
}
listening_any() { # ADDR:PORT listened on, either exactly or by a wildcard
  local hp=$1 port=${1##*:}
  [ -z "$(not_listening "$hp")" ] || [ -z "$(not_listening "0.0.0.0:$port")" ]
}

# ---- down -----------------------------------------------------------------------------------------
# wait_gone SECONDS PID...: until none of them runs (zombies count as gone)
wait_gone() {
  local t=$1 p left; shift
  for ((i = 0; i < t * 10; i++)); do
    left=0
    for p in "$@"; do proc_start "$p" >/dev/null && left=1 && break; done
    ((left)) || return 0
    sleep 0.1
  done
  return 1
}
do_down() {
  local quiet=${1:-0} f pid start n=0 sup='' pids=() p name
  # 0. the cluster API server, by its pid
  if [ -f "$DIR/api/server.pid" ]; then bash "$HERE/api/stop.sh" "$DIR/api" >/dev/null 2>&1 && n=$((n + 1)) || true; fi
  # 0b. the static-pod masters' kubelets, before what they run (else they start it again)
  pids=()
  for p in $(lab_ns_pids); do pid_is "$p" "$DIR/kubelet.pl" && kill -TERM "$p" 2>/dev/null && pids+=("$p"); done
  if [ ${#pids[@]} -gt 0 ]; then wait_gone 20 "${pids[@]}" || for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done; fi
  pids=()
  # 1. etcd (and anything else the systemctl shim started), by the pid it recorded
  for f in "$DIR"/hosts/*/run/units/*.pid; do
    [ -f "$f" ] || continue
    read -r pid start <"$f" || continue
    if [ "$(proc_start "$pid")" = "$start" ]; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
  done
  if [ ${#pids[@]} -gt 0 ]; then
    wait_gone 20 "${pids[@]}" || for p in "${pids[@]}"; do kill -KILL -- "-$p" "$p" 2>/dev/null; done
    n=$((n + ${#pids[@]}))
  fi
  for f in "$DIR"/hosts/*/run/units/*.pid; do [ -f "$f" ] && rm -f "$f" && echo inactive >"${f%.pid}.state"; done
  # 2. each host's sshd, by pid
  pids=()
  if [ -f "$DIR/run/sshd.pids" ]; then
    while read -r name pid; do
      # still in boot.sh (a host that came up late) or already sshd: both are this lab's host
      { pid_is "$pid" "$DIR/hosts/$name/sshd_config" || pid_is "$pid" "$DIR/boot.sh $DIR $name"; } &&
        kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    done <"$DIR/run/sshd.pids"
  fi
  # 3. whatever else still runs in a lab host (ssh sessions, `journalctl -f`, ...), by pid
  for p in $(lab_ns_pids); do kill -TERM "$p" 2>/dev/null && pids+=("$p"); done
  if [ ${#pids[@]} -gt 0 ]; then
    wait_gone 10 "${pids[@]}" || for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait_gone 5 "${pids[@]}" || true
    n=$((n + ${#pids[@]}))
  fi
  # 4. the supervisor (subreaper), last, once it has reaped its children
  if [ -f "$DIR/run/supervisor.pid" ]; then
    sup=$(cat "$DIR/run/supervisor.pid")
    if pid_is "$sup" "supervisor.pl $DIR"; then
      for ((i = 0; i < 50; i++)); do [ -z "$(cat /proc/"$sup"/task/*/children 2>/dev/null | tr -d ' ')" ] && break; sleep 0.1; done
      kill -TERM "$sup" 2>/dev/null && n=$((n + 1))
      wait_gone 5 "$sup" || kill -KILL "$sup" 2>/dev/null || true
    fi
  fi
  rm -f "$DIR/run/supervisor.pid" "$DIR/run/sshd.pids" "$DIR/pids"
  [ -f "$DIR/run/jump" ] && jump_net_down && rm -f "$DIR/run/jump"
  local left
  left=$(lab_ns_pids | tr '\n' ' ')
  if [ -n "$left" ]; then say "down: processes still running in the lab: $left"; return 1; fi
  ((quiet)) || say "down: $DIR stopped ($n processes)"
  return 0
}

# ---- up: files ------------------------------------------------------------------------------------
write_unit() { # ROOT NAME DESCRIPTION EXEC
  cat >"$1/usr/lib/systemd/system/$2.service" <<EOF
[Unit]
Description=$3
After=network.target

[Service]
Type=simple
ExecStart=$4
Restart=on-failure

[Install]
WantedBy=multi-user.target
EOF
}
unit_state() { # ROOT UNIT enabled|disabled active|inactive
  local r=$1 u=$2.service
  if [ "$3" = enabled ]; then
    mkdir -p "$r/etc/systemd/system/multi-user.target.wants"
    ln -sfn "/usr/lib/systemd/system/$u" "$r/etc/systemd/system/multi-user.target.wants/$u"
  fi
  echo "$4" >"$r/run/units/$u.state"
  date +%s >"$r/run/units/$u.since"
}
write_etcd_unit() {
  cat >"$1/usr/lib/systemd/system/etcd.service" <<'EOF'
[Unit]
Description=Etcd Server
After=network.target
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
WorkingDirectory=/var/lib/etcd/
EnvironmentFile=-/etc/etcd/etcd.conf
User=etcd
# set GOMAXPROCS to number of processors
ExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd"
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
EOF
}
write_etcd_conf() { # ROOT NAME IP INITIAL_CLUSTER
  cat >"$1/etc/etcd/etcd.conf" <<EOF
ETCD_NAME=$2
ETCD_LISTEN_PEER_URLS=https://$3:2380
ETCD_DATA_DIR=/var/lib/etcd/
#ETCD_WAL_DIR=
#ETCD_SNAPSHOT_COUNT=10000
#ETCD_HEARTBEAT_INTERVAL=100
#ETCD_ELECTION_TIMEOUT=1000
ETCD_LISTEN_CLIENT_URLS=https://$3:2379
#ETCD_MAX_SNAPSHOTS=5
#ETCD_MAX_WALS=5
#ETCD_CORS=
ETCD_ENABLE_V2=true

#[cluster]
ETCD_INITIAL_ADVERTISE_PEER_URLS=https://$3:2380
ETCD_INITIAL_CLUSTER=$4
ETCD_INITIAL_CLUSTER_STATE=new
ETCD_INITIAL_CLUSTER_TOKEN=etcd-cluster-1
#ETCD_DISCOVERY=
#ETCD_DISCOVERY_SRV=
#ETCD_DISCOVERY_FALLBACK=proxy
#ETCD_DISCOVERY_PROXY=
ETCD_ADVERTISE_CLIENT_URLS=https://$3:2379
#ETCD_STRICT_RECONFIG_CHECK=false
#ETCD_AUTO_COMPACTION_RETENTION=0
ETCD_QUOTA_BACKEND_BYTES=4294967296

#[proxy]
#ETCD_PROXY=off
#ETCD_PROXY_FAILURE_WAIT=5000
#ETCD_PROXY_REFRESH_INTERVAL=30000
#ETCD_PROXY_DIAL_TIMEOUT=1000
#ETCD_PROXY_WRITE_TIMEOUT=5000
#ETCD_PROXY_READ_TIMEOUT=0

#[security]
ETCD_TRUSTED_CA_FILE=/etc/etcd/ca.crt
ETCD_CLIENT_CERT_AUTH=true
ETCD_CERT_FILE=/etc/etcd/server.crt
ETCD_KEY_FILE=/etc/etcd/server.key
#ETCD_AUTO_TLS=false
ETCD_PEER_TRUSTED_CA_FILE=/etc/etcd/ca.crt
ETCD_PEER_CLIENT_CERT_AUTH=true
ETCD_PEER_CERT_FILE=/etc/etcd/peer.crt
ETCD_PEER_KEY_FILE=/etc/etcd/peer.key
#ETCD_PEER_AUTO_TLS=false

#[logging]
ETCD_DEBUG=False

#[profiling]
#ETCD_ENABLE_PPROF=false
#ETCD_METRICS=basic
#
#[auth]
#ETCD_AUTH_TOKEN=simple
EOF
}
# openshift-ansible's etcd CA config (roles/etcd): the etcd_ca section, etcd_v3_req and the
# etcd_v3_ca_* extensions, all taking their subjectAltName from $SAN
write_openssl_cnf() { # FILE CADIR
  cat >"$1" <<EOF
# /etc/etcd/ca/openssl.cnf (as laid out by openshift-ansible)
[ req ]
default_bits            = 4096
default_md              = sha256
distinguished_name      = req_distinguished_name

[ req_distinguished_name ]

[ etcd_v3_req ]
basicConstraints = critical,CA:FALSE
keyUsage         = digitalSignature,keyEncipherment
subjectAltName   = \${ENV::SAN}

[ ca ]
default_ca = etcd_ca

[ etcd_ca ]
dir             = $2
crl_dir         = $2/crl
database        = $2/index.txt
new_certs_dir   = $2/certs
certificate     = $2/ca.crt
serial          = $2/serial
private_key     = $2/ca.key
crl_number      = $2/crlnumber
x509_extensions = etcd_v3_ca_client
default_crl_days= 365
default_days    = 1825
default_md      = sha256
preserve        = no
name_opt        = ca_default
cert_opt        = ca_default
policy          = policy_anything
unique_subject  = no
copy_extensions = copy

[ policy_anything ]
countryName             = optional
stateOrProvinceName     = optional
localityName            = optional
organizationName        = optional
organizationalUnitName  = optional
commonName              = optional
emailAddress            = optional

[ etcd_v3_ca_self ]
authorityKeyIdentifier = keyid,issuer
basicConstraints       = critical,CA:TRUE,pathlen:0
keyUsage               = critical,digitalSignature,keyEncipherment,keyCertSign
subjectKeyIdentifier   = hash

[ etcd_v3_ca_peer ]
authorityKeyIdentifier = keyid,issuer:always
basicConstraints       = critical,CA:FALSE
extendedKeyUsage       = clientAuth,serverAuth
keyUsage               = digitalSignature,keyEncipherment
subjectKeyIdentifier   = hash
# lab only: the lab hosts share one network namespace, so a member dials its peers from
# 127.0.0.1, and etcd checks a peer's address against the SAN of its client certificate
subjectAltName         = \${ENV::SAN},IP:127.0.0.1

[ etcd_v3_ca_server ]
authorityKeyIdentifier = keyid,issuer:always
basicConstraints       = critical,CA:FALSE
extendedKeyUsage       = clientAuth,serverAuth
keyUsage               = digitalSignature,keyEncipherment
subjectKeyIdentifier   = hash
# lab only: the lab hosts share one network namespace, so a member dials its peers from
# 127.0.0.1, and etcd checks a peer's address against the SAN of its client certificate
subjectAltName         = \${ENV::SAN},IP:127.0.0.1

[ etcd_v3_ca_client ]
authorityKeyIdentifier = keyid,issuer:always
basicConstraints       = critical,CA:FALSE
extendedKeyUsage       = clientAuth
keyUsage               = digitalSignature,keyEncipherment
subjectKeyIdentifier   = hash
EOF
}
make_pki() { # after the etcd members' roots exist; the CA on the first member (openshift-ansible's etcd_ca_host)
  local cahost cadir tmpcnf i name ip prefix h members
  mapfile -t members < <(etcd_members)
  cahost=$DIR/hosts/${members[0]}
  cadir=$cahost/etc/etcd/ca
  mkdir -p "$cadir"/{certs,crl,fragments} "$cahost/etc/etcd/generated_certs" "$DIR/pki"
  touch "$cadir/index.txt"; echo 01 >"$cadir/serial"; echo 01 >"$cadir/crlnumber"
  write_openssl_cnf "$cadir/openssl.cnf" /etc/etcd/ca
  tmpcnf=$DIR/pki/openssl-outside.cnf # the same, with the CA dir as seen from outside the namespace
  write_openssl_cnf "$tmpcnf" "$cadir"
  export SAN="DNS:etcd-signer"
  openssl req -config "$tmpcnf" -newkey rsa:2048 -keyout "$cadir/ca.key" -new -out "$cadir/ca.crt" -x509 \
    -extensions etcd_v3_ca_self -batch -nodes -days 1825 -subj "/CN=etcd-signer@$(date +%s)" 2>/dev/null
  for h in "${HOSTS[@]}"; do
    set -- $h; name=$1 ip=$2
    [[ ,$4, == *,etcd,* ]] || continue
    prefix=$cahost/etc/etcd/generated_certs/etcd-$name/
    mkdir -p "$prefix"
    export SAN="IP:$ip,DNS:$name"
    for kind in server peer; do
      openssl req -new -config "$tmpcnf" -newkey rsa:2048 -keyout "${prefix}$kind.key" -out "${prefix}$kind.csr" \
        -reqexts etcd_v3_req -batch -nodes -subj "/CN=$name" 2>/dev/null
      openssl ca -name etcd_ca -config "$tmpcnf" -out "${prefix}$kind.crt" -in "${prefix}$kind.csr" \
        -extensions "etcd_v3_ca_$kind" -batch 2>/dev/null
    done
    cp "$cadir/ca.crt" "$prefix"
    r=$DIR/hosts/$name
    cp "${prefix}"{server.crt,server.key,peer.crt,peer.key} "$cadir/ca.crt" "$r/etc/etcd/"
    cp "$r/etc/etcd/etcd.conf" "$prefix" 2>/dev/null || true
    tar -czf "$cahost/etc/etcd/generated_certs/etcd-$name.tgz" -C "$prefix" .
    chown etcd:etcd "$r/etc/etcd/"{server.crt,server.key,peer.crt,peer.key,ca.crt}
    chmod 0600 "$r/etc/etcd/"{server.key,peer.key}
  done
  # the lab's own client certificate, for tests that talk to etcd from outside the namespaces
  export SAN="DNS:lab-client"
  openssl req -new -config "$tmpcnf" -newkey rsa:2048 -keyout "$DIR/pki/client.key" -out "$DIR/pki/client.csr" \
    -reqexts etcd_v3_req -batch -nodes -subj "/CN=lab-client" 2>/dev/null
  openssl ca -name etcd_ca -config "$tmpcnf" -out "$DIR/pki/client.crt" -in "$DIR/pki/client.csr" \
    -extensions etcd_v3_ca_client -batch 2>/dev/null
  cp "$cadir/ca.crt" "$DIR/pki/ca.crt"
  chmod 0600 "$DIR/pki/client.key" "$cadir/ca.key"
  unset SAN
}
write_master_config() { # ROOT URLS(yaml list lines)
  mkdir -p "$1/etc/origin/master"
  cat >"$1/etc/origin/master/master-config.yaml" <<EOF
admissionConfig:
  pluginConfig:
    BuildDefaults:
      configuration:
        apiVersion: v1
        env: []
        kind: BuildDefaultsConfig
        resources:
          limits: {}
          requests: {}
    BuildOverrides:
      configuration:
        apiVersion: v1
        kind: BuildOverridesConfig
    openshift.io/ImagePolicy:
      configuration:
        apiVersion: v1
        executionRules:
        - matchImageAnnotations:
          - key: images.openshift.io/deny-execution
            value: 'true'
          name: execution-denied
          onResources:
          - resource: pods
          - resource: builds
          reject: true
          skipOnResolutionFailure: true
        kind: ImagePolicyConfig
aggregatorConfig:
  proxyClientInfo:
    certFile: aggregator-front-proxy.crt
    keyFile: aggregator-front-proxy.key
apiLevels:
- v1
apiVersion: v1
authConfig:
  requestHeader:
    clientCA: front-proxy-ca.crt
    clientCommonNames:
    - aggregator-front-proxy
    extraHeaderPrefixes:
    - X-Remote-Extra-
    groupHeaders:
    - X-Remote-Group
    usernameHeaders:
    - X-Remote-User
controllerConfig:
  election:
    lockName: openshift-master-controllers
  serviceServingCert:
    signer:
      certFile: service-signer.crt
      keyFile: service-signer.key
controllers: '*'
corsAllowedOrigins:
- (?i)//127\.0\.0\.1(:|\z)
- (?i)//localhost(:|\z)
dnsConfig:
  bindAddress: 0.0.0.0:8053
  bindNetwork: tcp4
etcdClientInfo:
  ca: master.etcd-ca.crt
  certFile: master.etcd-client.crt
  keyFile: master.etcd-client.key
  urls:
$2
etcdStorageConfig:
  kubernetesStoragePrefix: kubernetes.io
  kubernetesStorageVersion: v1
  openShiftStoragePrefix: openshift.io
  openShiftStorageVersion: v1
imageConfig:
  format: registry.access.redhat.com/openshift3/ose-\${component}:\${version}
  latest: false
imagePolicyConfig:
  internalRegistryHostname: docker-registry.default.svc:5000
kind: MasterConfig
kubeletClientInfo:
  ca: ca-bundle.crt
  certFile: master.kubelet-client.crt
  keyFile: master.kubelet-client.key
  port: 10250
kubernetesMasterConfig:
  apiServerArguments:
    storage-backend:
    - etcd3
    storage-media-type:
    - application/vnd.kubernetes.protobuf
  controllerArguments:
    cluster-signing-cert-file:
    - /etc/origin/master/ca.crt
    cluster-signing-key-file:
    - /etc/origin/master/ca.key
  masterCount: $MASTERS
  masterIP: $3
  podEvictionTimeout: null
  proxyClientInfo:
    certFile: master.proxy-client.crt
    keyFile: master.proxy-client.key
  schedulerConfigFile: /etc/origin/master/scheduler.json
  servicesNodePortRange: ''
  servicesSubnet: $SERVICE_NETWORK
masterClients:
  externalKubernetesClientConnectionOverrides:
    acceptContentTypes: application/vnd.kubernetes.protobuf,application/json
    burst: 400
    contentType: application/vnd.kubernetes.protobuf
    qps: 200
  externalKubernetesKubeConfig: ''
  openshiftLoopbackClientConnectionOverrides:
    acceptContentTypes: application/vnd.kubernetes.protobuf,application/json
    burst: 600
    contentType: application/vnd.kubernetes.protobuf
    qps: 300
  openshiftLoopbackKubeConfig: openshift-master.kubeconfig
masterPublicURL: https://$CLUSTER_HOSTNAME:8443
networkConfig:
  clusterNetworks:
  - cidr: 10.128.0.0/14
    hostSubnetLength: 9
  externalIPNetworkCIDRs:
  - 0.0.0.0/0
  networkPluginName: redhat/openshift-ovs-subnet
  serviceNetworkCIDR: $SERVICE_NETWORK
oauthConfig:
  assetPublicURL: https://$CLUSTER_HOSTNAME:8443/console/
  identityProviders:
  - challenge: true
    login: true
    mappingMethod: claim
    name: htpasswd_auth
    provider:
      apiVersion: v1
      file: /etc/origin/master/htpasswd
      kind: HTPasswdPasswordIdentityProvider
  masterCA: ca-bundle.crt
  masterPublicURL: https://$CLUSTER_HOSTNAME:8443
  masterURL: https://$CLUSTER_HOSTNAME:8443
pauseControllers: false
policyConfig:
  bootstrapPolicyFile: /etc/origin/master/policy.json
  openshiftInfrastructureNamespace: openshift-infra
  openshiftSharedResourcesNamespace: openshift
projectConfig:
  defaultNodeSelector: node-role.kubernetes.io/compute=true
  projectRequestMessage: ''
  projectRequestTemplate: ''
  securityAllocator:
    mcsAllocatorRange: s0:/2
    mcsLabelsPerProject: 5
    uidAllocatorRange: 1000000000-1999999999/10000
routingConfig:
  subdomain: apps.$DOMAIN
serviceAccountConfig:
  managedNames:
  - default
  - builder
  - deployer
  masterCA: ca-bundle.crt
  privateKeyFile: serviceaccounts.private.key
  publicKeyFiles:
  - serviceaccounts.public.key
servingInfo:
  bindAddress: 0.0.0.0:8443
  bindNetwork: tcp4
  certFile: master.server.crt
  clientCA: ca.crt
  keyFile: master.server.key
  maxRequestsInFlight: 500
  requestTimeoutSeconds: 3600
volumeConfig:
  dynamicProvisioningEnabled: true
EOF
}
write_node_config() { # ROOT GROUP
  local labels
  case $2 in
    node-config-master) labels=node-role.kubernetes.io/master=true ;;
    node-config-infra) labels=node-role.kubernetes.io/infra=true ;;
    *) labels=node-role.kubernetes.io/compute=true ;;
  esac
  mkdir -p "$1/etc/origin/node/pods"
  cat >"$1/etc/origin/node/node-config.yaml" <<EOF
allowDisabledDocker: false
apiVersion: v1
authConfig:
  authenticationCacheSize: 1000
  authenticationCacheTTL: 5m
  authorizationCacheSize: 1000
  authorizationCacheTTL: 5m
dnsBindAddress: 127.0.0.1:53
dnsDomain: cluster.local
dnsIP: 0.0.0.0
dnsNameservers: null
dnsRecursiveResolvConf: /etc/origin/node/resolv.conf
dockerConfig:
  dockerShimRootDirectory: /var/lib/dockershim
  dockerShimSocket: /var/run/dockershim.sock
  execHandlerName: native
enableUnidling: true
imageConfig:
  format: registry.access.redhat.com/openshift3/ose-\${component}:\${version}
  latest: false
iptablesSyncPeriod: 30s
kind: NodeConfig
kubeletArguments:
  bootstrap-kubeconfig:
  - /etc/origin/node/bootstrap.kubeconfig
  cert-dir:
  - /etc/origin/node/certificates
  enable-controller-attach-detach:
  - 'true'
  feature-gates:
  - RotateKubeletClientCertificate=true,RotateKubeletServerCertificate=true
  node-labels:
  - $labels
  pod-manifest-path:
  - /etc/origin/node/pods
  rotate-certificates:
  - 'true'
masterClientConnectionOverrides:
  acceptContentTypes: application/vnd.kubernetes.protobuf,application/json
  burst: 40
  contentType: application/vnd.kubernetes.protobuf
  qps: 20
masterKubeConfig: node.kubeconfig
networkConfig:
  mtu: $SDN_MTU
  networkPluginName: redhat/openshift-ovs-subnet
servingInfo:
  bindAddress: 0.0.0.0:10250
  bindNetwork: tcp4
  clientCA: client-ca.crt
volumeConfig:
  localQuota:
    perFSGroup: null
volumeDirectory: /var/lib/origin/openshift.local.volumes
EOF
  echo "nameserver 127.0.0.1" >"$1/etc/origin/node/resolv.conf"
  printf 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://%s:8443\n  name: lab\n' "$CLUSTER_HOSTNAME" \
    >"$1/etc/origin/node/node.kubeconfig"
  cp "$1/etc/origin/node/node.kubeconfig" "$1/etc/origin/node/bootstrap.kubeconfig"
  cp "$DIR/pki/stub-ca.crt" "$1/etc/origin/node/client-ca.crt"
}
# ---- the load balancer's haproxy.cfg (lb hosts): what openshift-ansible's lb role writes, with the
# backend names of the guide (5.2.1.3 `backend mgmt8443`, 5.3.1 `router80` / `router443`): the masters
# behind the API port, the infra nodes behind 80/443. Only its configuration is real (boot.sh binds it
# over /etc/haproxy; `haproxy -c -f` is Debian's haproxy, see shims/haproxy): the lab API server itself
# answers on lb-0's 8443/80/443, and haproxy.service is state-only.
write_haproxy_cfg() { # ROOT
  local root=$1 h p n=0
  mkdir -p "$root/etc/haproxy"
  {
    cat <<'EOF'
# Global settings
#---------------------------------------------------------------------
global
    maxconn     20000
    log         /dev/log local0 info
    chroot      /var/lib/haproxy
    pidfile     /var/run/haproxy.pid
    user        haproxy
    group       haproxy
    daemon

    # turn on stats unix socket
    stats socket /var/lib/haproxy/stats

#---------------------------------------------------------------------
# common defaults that all the 'listen' and 'backend' sections will
# use if not designated in their block
#---------------------------------------------------------------------
defaults
    mode                    http
    log                     global
    option                  httplog
    option                  dontlognull
#    option http-server-close
    option forwardfor       except 127.0.0.0/8
    option                  redispatch
    retries                 3
    timeout http-request    10s
    timeout queue           1m
    timeout connect         10s
    timeout client          300s
    timeout server          300s
    timeout http-keep-alive 10s
    timeout check           10s
    maxconn                 20000

listen stats
    bind :9000
    mode http
    stats enable
    stats uri /

frontend  atomic-openshift-api
    bind *:8443
    default_backend mgmt8443
    mode tcp
    option tcplog

backend mgmt8443
    balance source
    mode tcp
    # MASTERS 8443
EOF
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,master,* ]] && printf '    server      %s %s:8443 check\n' "$1" "$2"; done
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,infra,* ]] && n=$((n + 1)); done
    if ((n)); then
      for p in 80 443; do
        printf '\nfrontend  router%s\n    bind *:%s\n    default_backend router%s\n    mode tcp\n    option tcplog\n' "$p" "$p" "$p"
        printf '\nbackend router%s\n    balance source\n    mode tcp\n' "$p"
        for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,infra,* ]] && printf '    server      %s %s:%s check\n' "$1" "$2" "$p"; done
      done
    fi
  } >"$root/etc/haproxy/haproxy.cfg"
  chmod 0644 "$root/etc/haproxy/haproxy.cfg"
}
write_sysconfig() { # ROOT ROLES
  local r=$1 roles=$2 ep
  ep=$(etcd_endpoints)
  cat >"$r/etc/sysconfig/docker" <<'EOF'
# /etc/sysconfig/docker

# Modify these options if you want to change the way the docker daemon runs
OPTIONS=' --selinux-enabled       --signature-verification=False'
if [ -z "${DOCKER_CERT_PATH}" ]; then
    DOCKER_CERT_PATH=/etc/docker
fi

# Do not add registries in this file anymore. Use /etc/containers/registries.conf
# instead. For more information reference the registries.conf(5) man page.

# Location used for temporary files, such as those created by
# docker load and build operations. Default is /var/lib/docker/tmp
# Can be overriden by setting the following environment variable.
# DOCKER_TMPDIR=/var/tmp

# On an SELinux system, if you remove the --selinux-enabled option, you
# also need to turn on the docker_transition_unconfined boolean.
# setsebool -P docker_transition_unconfined 1
EOF
  echo 'DOCKER_STORAGE_OPTIONS="--storage-driver overlay2 "' >"$r/etc/sysconfig/docker-storage"
  cat >"$r/etc/sysconfig/docker-storage-setup" <<'EOF'
STORAGE_DRIVER=overlay2
DEVS=/dev/xvdb
VG=docker-vg
CONTAINER_ROOT_LV_NAME=dockerlv
CONTAINER_ROOT_LV_SIZE=100%FREE
CONTAINER_ROOT_LV_MOUNT_PATH=/var/lib/docker
EOF
  echo "DOCKER_NETWORK_OPTIONS=\" --mtu=$SDN_MTU\"" >"$r/etc/sysconfig/docker-network"
  printf 'OPTIONS=\nDEBUG_LOGLEVEL=2\nIMAGE_VERSION=v3.10.45\n' >"$r/etc/sysconfig/atomic-openshift-node"
  if [[ ,$roles, == *,master,* ]]; then
    printf 'OPTIONS=--loglevel=2 --listen=https://0.0.0.0:8443 --master=https://%s:8443\nCONFIG_FILE=/etc/origin/master/master-config.yaml\n' "$CLUSTER_HOSTNAME" \
      >"$r/etc/sysconfig/atomic-openshift-master-api"
    printf 'OPTIONS=--loglevel=2 --listen=https://0.0.0.0:8444\nCONFIG_FILE=/etc/origin/master/master-config.yaml\n' \
      >"$r/etc/sysconfig/atomic-openshift-master-controllers"
  fi
  printf '# Flanneld configuration options\nFLANNEL_ETCD_ENDPOINTS=%s\nFLANNEL_ETCD_PREFIX=/atomic.io/network\nFLANNEL_OPTIONS=""\n' "$ep" \
    >"$r/etc/sysconfig/flanneld"
  {
    echo "# Generated by iptables-save v1.4.21"
    echo "*filter"
    echo ":INPUT ACCEPT [0:0]"
    echo ":FORWARD ACCEPT [0:0]"
    echo ":OUTPUT ACCEPT [0:0]"
    echo ":OS_FIREWALL_ALLOW - [0:0]"
    echo "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT"
    echo "-A INPUT -p icmp -j ACCEPT"
    echo "-A INPUT -i lo -j ACCEPT"
    echo "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT"
    echo "-A INPUT -j OS_FIREWALL_ALLOW"
    echo "-A INPUT -j REJECT --reject-with icmp-host-prohibited"
    echo "-A FORWARD -j REJECT --reject-with icmp-host-prohibited"
    [[ ,$roles, == *,node,* ]] && echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 10250 -j ACCEPT" &&
      echo "-A OS_FIREWALL_ALLOW -p udp -m state --state NEW -m udp --dport 4789 -j ACCEPT"
    [[ ,$roles, == *,master,* ]] && echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 8443 -j ACCEPT" &&
      echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 8053 -j ACCEPT"
    [[ ,$roles, == *,etcd,* ]] && echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 2379 -j ACCEPT" &&
      echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 2380 -j ACCEPT"
    [[ ,$roles, == *,lb,* ]] && echo "-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 8443 -j ACCEPT"
    echo "COMMIT"
  } >"$r/etc/sysconfig/iptables"
  return 0
}
# docker's storage (shims/_lvm.sh, docker-storage-setup): every docker host has a 40 GiB root disk /dev/xvda
# and a 25 GiB /dev/xvdb in its run/disks, and its own /var/lib/docker (under its var/lib). node-1 starts
# on devicemapper as in the guide's 7.1.3: the thin pool docker-pool of VG docker_vol on the PV
# /dev/xvdb1, set up by docker-storage-setup (DATA_SIZE=95%VG); every other host is on overlay2 on its
# root filesystem, /dev/xvdb unused (no LVM).
write_docker_storage() { # ROOT NAME ROLES
  local r=$1 name=$2 roles=$3 d
  [[ ,$roles, == *,node,* ]] || return 0
  printf '%s\n' '# block devices of this lab host (shims/_lvm.sh): NAME TYPE SIZE_BYTES PARENT' \
    '/dev/xvda disk 42949672960 -' '/dev/xvda1 part 42948624384 /dev/xvda' '/dev/xvdb disk 26843545600 -' >"$r/run/disks"
  : >"$r/run/lvm.state"
  d=$r/var/lib/docker
  mkdir -p "$d/containers" "$d/volumes" "$d/tmp"
  if [ "$name" = "node-1.$DOMAIN" ]; then
    echo '/dev/xvdb1 part 26842497024 /dev/xvdb' >>"$r/run/disks"
    printf '%s\n' 'pv /dev/xvdb1 docker_vol 26842497024' 'vg docker_vol 4194304' 'lv docker_vol docker-pool thin-pool 6079 7' \
      'lv docker_vol lvol0_pmspare pmspare 7' >"$r/run/lvm.state"
    printf '%s\n' DEVS=/dev/xvdb VG=docker_vol DATA_SIZE=95%VG STORAGE_DRIVER=devicemapper >"$r/etc/sysconfig/docker-storage-setup"
    echo 'DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker_vol-docker--pool --storage-opt dm.use_deferred_removal=true --storage-opt dm.use_deferred_deletion=true "' \
      >"$r/etc/sysconfig/docker-storage"
    mkdir -p "$d/devicemapper/metadata" "$d/devicemapper/mnt" "$d/image/devicemapper"
    echo '{"device_id":0,"size":10737418240,"transaction_id":1,"initialized":true,"deleted":false}' >"$d/devicemapper/metadata/base"
    echo '{"next_device_id":2,"BaseDeviceUUID":"7c1e0b36-lab0-4b0e-9f3e-000000000001","BaseDeviceFilesystem":"xfs"}' >"$d/devicemapper/metadata/deviceset-metadata"
    echo '{"Repositories":{"registry.access.redhat.com/openshift3/ose-pod":{"registry.access.redhat.com/openshift3/ose-pod:v3.10.45":"sha256:63accd48a0d7"}}}' >"$d/image/devicemapper/repositories.json"
  else
    mkdir -p "$d/overlay2/l" "$d/image/overlay2"
    echo '{"Repositories":{"registry.access.redhat.com/openshift3/ose-pod":{"registry.access.redhat.com/openshift3/ose-pod:v3.10.45":"sha256:63accd48a0d7"}}}' >"$d/image/overlay2/repositories.json"
  fi
}
# Lab-only, test-only: a hold for the command a fault test names (test/lab/README.md "Command holds"), appended
# to root's .bashrc. Does nothing unless /run/lab/hold-before or /run/lab/hold-after exists. The file holds a
# piece of text; the first command sshd runs whose text ($BASH_EXECUTION_STRING) contains it claims the hold
# (renames the file to /run/lab/holding.PID, so only one command is held), writes "PID before|after [STATUS]" to
# /run/lab/held and waits until holding.PID is removed. hold-before: the command has not begun (nothing printed
# yet). hold-after: the command runs first (in a subshell, same process group) and only its exit status waits.
# Released after its sshd session was killed, it ends without running (before) or reporting (after) anything.
hold_hook() {
  cat <<'EOF'

# lab-only test hook (test/lab/README.md "Command holds"): nothing happens unless /run/lab/hold-* exists
if [ -n "${BASH_EXECUTION_STRING-}" ] && { [ -e /run/lab/hold-before ] || [ -e /run/lab/hold-after ]; }; then
  for __lab_w in before after; do
    __lab_p=$(cat /run/lab/hold-$__lab_w 2>/dev/null) || continue
    [ -n "$__lab_p" ] && [[ $BASH_EXECUTION_STRING == *"$__lab_p"* ]] || continue
    mv /run/lab/hold-$__lab_w /run/lab/holding.$$ 2>/dev/null || continue
    __lab_rc=
    if [ $__lab_w = after ]; then
      ( eval "$BASH_EXECUTION_STRING" ); __lab_rc=$?
    fi
    echo "$$ $__lab_w $__lab_rc" >/run/lab/held.$$ && mv -f /run/lab/held.$$ /run/lab/held
    while [ -e /run/lab/holding.$$ ]; do sleep 0.1; done
    kill -0 $PPID 2>/dev/null || exit 255
    [ $__lab_w = after ] && exit $__lab_rc
    break
  done
  unset __lab_w __lab_p __lab_rc
fi
EOF
}
# root's own home, as a RHEL 7 host has it (boot.sh binds it over /root): this machine's root runs a
# version manager's init from .bashrc, which bash sources for every command sshd runs (0.7 s each)
write_root_home() { # DIR
  mkdir -p "$1"
  chmod 0550 "$1"
  cat >"$1/.bashrc" <<'EOF'
# .bashrc

# User specific aliases and functions

alias rm='rm -i'
alias cp='cp -i'
alias mv='mv -i'

# Source global definitions
if [ -f /etc/bashrc ]; then
	. /etc/bashrc
fi
EOF
  # lab-only, test-only: the command hold (see hold_hook)
  hold_hook >>"$1/.bashrc"
  cat >"$1/.bash_profile" <<'EOF'
# .bash_profile

# Get the aliases and functions
if [ -f ~/.bashrc ]; then
	. ~/.bashrc
fi
EOF
  printf '# .bash_logout\n' >"$1/.bash_logout"
}
make_host() { # NAME ADDR GROUP ROLES
  local name=$1 addr=$2 group=$3 roles=$4 r m
  r=$DIR/hosts/$name
  for m in $MOUNTS; do mkdir -p "$r/$m"; done
  mkdir -p "$r/run/units" "$r/run/loaded" "$r/ssh" "$r/var/log/journal"
  chown etcd:etcd "$r/var/lib/etcd"; chmod 0700 "$r/var/lib/etcd"
  cat >"$r/run/host.env" <<EOF
LAB_DIR='$DIR'
LAB_HOST='$name'
LAB_SHORT='${name%%.*}'
LAB_ADDR='$addr'
LAB_GROUP='$group'
LAB_ROLES='$roles'
LAB_MOUNTS='$MOUNTS'
EOF
  cp "$DIR/lab-id" "$r/run/lab-id"
  write_root_home "$r/root"
  # the host's resolver: a node asks its own dnsmasq (on its address, as 3.10's 99-origin-dns.sh sets
  # it up), any other host the site DNS; both are served by the lab API (test/lab/api/dns.ts)
  if [[ ,$roles, == *,node,* ]]; then
    printf '# Generated by NetworkManager\nsearch cluster.local %s\n# nameserver updated by /etc/NetworkManager/dispatcher.d/99-origin-dns.sh\nnameserver %s\n' "$DOMAIN" "$addr"
  else
    printf '# Generated by NetworkManager\nsearch %s\nnameserver %s\n' "$DOMAIN" "$SITE_DNS"
  fi >"$r/etc/resolv.conf"
  echo "NTP_SYNCHRONIZED=yes" >"$r/run/timedatectl.env"
  ssh-keygen -q -t ed25519 -N '' -C "root@$name" -f "$r/ssh/ssh_host_ed25519_key"
  cat >"$r/sshd_config" <<EOF
# sshd of lab host $name
ListenAddress $addr:22
HostKey $r/ssh/ssh_host_ed25519_key
AuthorizedKeysFile $DIR/authorized_keys
PidFile $r/run/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 100:30:200
MaxSessions 100
AcceptEnv LANG LC_*
SetEnv PATH=$DIR/shims:/usr/sbin:/usr/bin:/sbin:/bin
Subsystem sftp /usr/lib/openssh/sftp-server
LogLevel ${LAB_SSHD_LOGLEVEL:-INFO}
EOF
  # units: etcd is real on etcd hosts; everything else is state-only
  write_unit "$r" chronyd "NTP client/server" "/usr/sbin/chronyd \$OPTIONS"
  write_unit "$r" rngd "Hardware RNG Entropy Gatherer Daemon" "/sbin/rngd -f"
  write_unit "$r" iptables "IPv4 firewall with iptables" "/usr/libexec/iptables/iptables.init start"
  unit_state "$r" chronyd enabled active
  unit_state "$r" rngd disabled inactive
  unit_state "$r" iptables enabled active
  if [[ ,$roles, == *,node,* ]]; then
    write_unit "$r" docker "Docker Application Container Engine" "/usr/bin/dockerd-current \$OPTIONS \$DOCKER_STORAGE_OPTIONS"
    write_unit "$r" atomic-openshift-node "OpenShift Node" "/usr/bin/openshift start node --config=\${CONFIG_FILE} \$OPTIONS"
    unit_state "$r" docker enabled active
    printf '# what the docker shim cannot derive (see shims/docker)\nDOCKER_BACKING_FS=xfs\nDOCKER_D_TYPE=true\n' >"$r/run/docker.env"
    unit_state "$r" atomic-openshift-node enabled active
    write_node_config "$r" "$group"
    mkdir -p "$r/etc/cni/net.d" "$r/etc/docker/certs.d/docker-registry.default.svc:5000"
    echo '{"cniVersion": "0.2.0", "name": "openshift-sdn", "type": "openshift-sdn"}' >"$r/etc/cni/net.d/80-openshift-network.conf"
    cp "$DIR/pki/stub-ca.crt" "$r/etc/docker/certs.d/docker-registry.default.svc:5000/node-client-ca.crt"
    printf 'no-resolv\ndomain-needed\nserver=/cluster.local/127.30.0.1\nserver=/in-addr.arpa/127.30.0.1\nenable-dbus\ndns-forward-max=10000\ncache-size=10000\nbind-dynamic\nmin-port=1024\nexcept-interface=lo\n' \
      >"$r/etc/dnsmasq.d/origin-dns.conf"
    printf 'server=8.8.8.8\n' >"$r/etc/dnsmasq.d/origin-upstream-dns.conf"
    printf 'server=/in-addr.arpa/127.0.0.1\nserver=/cluster.local/127.0.0.1\n' >"$r/etc/dnsmasq.d/node-dnsmasq.conf"
    cp "$DIR/pki/stub-ca.crt" "$r/etc/pki/ca-trust/source/anchors/openshift-ca.crt"
  fi
  if [[ ,$roles, == *,master,* ]] && [ "$CONTROL_PLANE" = static ]; then
    # 3.10: no master units; the kubelet (boot.sh starts kubelet.pl) runs the manifests
    printf "LAB_CONTROL_PLANE=static\nLAB_KUBELET_BACKOFF=%s\nLAB_KUBELET_BACKOFF_MAX=%s\n" "${KUBELET_BACKOFF%%:*}" "${KUBELET_BACKOFF##*:}" >>"$r/run/host.env"
    write_static_pods "$r" "$addr" "$([[ ,$roles, == *,etcd,* ]] && echo 'etcd api controllers' || echo 'api controllers')"
  elif [[ ,$roles, == *,master,* ]]; then
    write_unit "$r" atomic-openshift-master-api "Atomic OpenShift Master API" "/usr/bin/openshift start master api --config=\${CONFIG_FILE} \$OPTIONS"
    write_unit "$r" atomic-openshift-master-controllers "Atomic OpenShift Master Controllers" "/usr/bin/openshift start master controllers --config=\${CONFIG_FILE} \$OPTIONS"
    unit_state "$r" atomic-openshift-master-api enabled active
    unit_state "$r" atomic-openshift-master-controllers enabled active
  fi
  if [[ ,$roles, == *,master,* ]]; then
    local urls='' h
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,etcd,* ]] && urls+="  - https://$1:2379"$'\n'; done
    write_master_config "$r" "${urls%$'\n'}" "$addr"
    for m in ca.crt ca-bundle.crt master.etcd-ca.crt; do cp "$DIR/pki/stub-ca.crt" "$r/etc/origin/master/$m"; done
    [ "$name" = "master-0.$DOMAIN" ] && echo 0B >"$r/etc/origin/master/ca.serial.txt"
    printf 'admin:$apr1$lab$0000000000000000000000\n' >"$r/etc/origin/master/htpasswd"
  fi
  if [[ ,$roles, == *,etcd,* ]]; then
    # the RPM's unit: on a static-pod master installed (for etcdctl) but disabled, not the etcd that runs;
    # on a systemd master and on an external etcd host (--etcd-hosts) enabled, the etcd that runs
    write_etcd_unit "$r"
    if etcd_is_static "$r"; then unit_state "$r" etcd disabled inactive; else unit_state "$r" etcd enabled inactive; fi
    write_etcd_conf "$r" "$name" "$addr" "$INITIAL_CLUSTER"
  fi
  if [[ ,$roles, == *,lb,* ]]; then
    write_unit "$r" haproxy "HAProxy Load Balancer" "/usr/sbin/haproxy-systemd-wrapper -f /etc/haproxy/haproxy.cfg -p /run/haproxy.pid"
    unit_state "$r" haproxy enabled active
    write_haproxy_cfg "$r"
  fi
  write_sysconfig "$r" "$roles"
  write_docker_storage "$r" "$name" "$roles"
}
write_inventory() {
  local h f=$DIR/hosts.ini
  {
    echo "# Ansible inventory of the day2-tui lab in $DIR (written by test/lab/lab.sh),"
    echo "# shaped like the inventory of an OpenShift Container Platform 3.10 advanced install."
    echo
    echo "# Create an OSEv3 group that contains the masters, nodes, etcd and lb groups"
    echo "[OSEv3:children]"
    echo "masters"
    echo "nodes"
    echo "etcd"
    echo "lb"
    echo
    echo "# Set variables common for all OSEv3 hosts"
    echo "[OSEv3:vars]"
    echo "# SSH user, this user should allow ssh based auth without requiring a password"
    echo "ansible_ssh_user=root"
    echo "ansible_ssh_private_key_file=$DIR/id_ed25519"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$DIR/known_hosts -o StrictHostKeyChecking=yes'"
    echo "openshift_deployment_type=openshift-enterprise"
    echo "openshift_release=v3.10"
    echo "openshift_image_tag=v3.10.45"
    echo "# native high availability cluster method with optional load balancer"
    echo "openshift_master_cluster_method=native"
    echo "openshift_master_cluster_hostname=$CLUSTER_HOSTNAME"
    echo "openshift_master_cluster_public_hostname=console.$DOMAIN"
    echo "openshift_master_default_subdomain=apps.$DOMAIN"
    echo "# uncomment the following to enable htpasswd authentication; defaults to DenyAllPasswordIdentityProvider"
    echo "openshift_master_identity_providers=[{'name': 'htpasswd_auth', 'login': 'true', 'challenge': 'true', 'kind': 'HTPasswdPasswordIdentityProvider'}]"
    echo "os_sdn_network_plugin_name='redhat/openshift-ovs-subnet'"
    echo "openshift_docker_insecure_registries=$SERVICE_NETWORK"
    echo "openshift_portal_net=$SERVICE_NETWORK"
    echo "oreg_url=registry.access.redhat.com/openshift3/ose-\${component}:\${version}"
    echo
    echo "# host group for masters"
    echo "[masters]"
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,master,* ]] && echo "$1 ansible_host=$2"; done
    echo
    echo "# host group for etcd"
    echo "[etcd]"
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,etcd,* ]] && echo "$1 ansible_host=$2"; done
    echo
    echo "# Specify load balancer host"
    echo "[lb]"
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,lb,* ]] && echo "$1 ansible_host=$2"; done
    echo
    echo "# host group for nodes, includes region info"
    echo "[nodes]"
    for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,node,* ]] && echo "$1 ansible_host=$2 openshift_node_group_name='$3'"; done
  } >"$f"
  return 0
}
write_ssh_files() {
  local h
  : >"$DIR/known_hosts"
  {
    echo "# ssh -F $DIR/ssh_config <host>   (lab hosts of $DIR)"
    for h in "${HOSTS[@]}"; do
      set -- $h
      echo "Host $1 ${1%%.*} $2"
      echo "  HostName $2"
      echo "  HostKeyAlias $1"
    done
    echo
    echo "Host *"
    echo "  User root"
    echo "  Port 22"
    echo "  IdentityFile $DIR/id_ed25519"
    echo "  IdentitiesOnly yes"
    echo "  UserKnownHostsFile $DIR/known_hosts"
    echo "  GlobalKnownHostsFile /dev/null"
    echo "  StrictHostKeyChecking yes"
    echo "  CheckHostIP no"
    echo "  BatchMode yes"
    echo "  ConnectTimeout 10"
    echo "  LogLevel ERROR"
  } >"$DIR/ssh_config"
  for h in "${HOSTS[@]}"; do
    set -- $h
    echo "$1,$2 $(cut -d' ' -f1,2 "$DIR/hosts/$1/ssh/ssh_host_ed25519_key.pub")" >>"$DIR/known_hosts"
  done
}
write_lab_json() {
  local h first=1 pid roles r name
  declare -A sp=()
  while read -r name pid; do sp[$name]=$pid; done <"$DIR/run/sshd.pids"
  {
    printf '{\n  "dir": "%s",\n  "controlPlane": "%s",\n  "etcdHosts": %s,\n  "domain": "%s",\n  "inventory": "%s/hosts.ini",\n  "sshConfig": "%s/ssh_config",\n  "knownHosts": "%s/known_hosts",\n  "identity": "%s/id_ed25519",\n  "supervisorPid": %s,\n  "hosts": [' \
      "$DIR" "$CONTROL_PLANE" "$ETCD_HOSTS" "$DOMAIN" "$DIR" "$DIR" "$DIR" "$DIR" "$(cat "$DIR/run/supervisor.pid")"
    for h in "${HOSTS[@]}"; do
      set -- $h
      roles=\"${4//,/\",\"}\"
      ((first)) || printf ','
      first=0
      printf '\n    {"name": "%s", "address": "%s", "roles": [%s], "nodeGroup": %s, "root": "%s/hosts/%s", "sshdPid": %s}' \
        "$1" "$2" "$roles" "$([ "$3" = - ] && echo null || echo "\"$3\"")" "$DIR" "$1" "${sp[$1]}"
    done
    printf '\n  ],\n  "etcd": {\n    "endpoints": ['
    first=1
    local IFS=,
    for h in $(etcd_endpoints); do ((first)) || printf ', '; first=0; printf '"%s"' "$h"; done
    unset IFS
    printf '],\n    "caCert": "%s/pki/ca.crt",\n    "clientCert": "%s/pki/client.crt",\n    "clientKey": "%s/pki/client.key"\n  }\n}\n' "$DIR" "$DIR" "$DIR"
  } >"$DIR/lab.json"
}

# ---- seed / fingerprint ---------------------------------------------------------------------------
V3_KEYS=${LAB_V3_KEYS:-3000}
do_seed() {
  local ep i b batch=128 big args=() a k
  ep=$(healthy_endpoint) || die "seed: no healthy etcd member"
  printf -v big '%*s' 6000 ''; big=${big// /x}
  for ((b = 0; b < V3_KEYS; b += batch)); do
    {
      echo
      for ((i = b; i < b + batch && i < V3_KEYS; i++)); do
        printf 'put /lab/v3/ns-%02d/obj-%05d v3-value-%05d-%d\n' $((i % 20)) "$i" "$i" $(((i * 7919) % 10007))
      done
      printf '\n\n' # end of the success ops, then an empty failure section
    } | ec3 --endpoints "$ep" txn >/dev/null || die "seed: v3 txn failed at key $b"
  done
  { echo; for i in 0 1 2 3; do echo "put /lab/v3/big/blob-$i $i$big"; done; printf '\n\n'; } | ec3 --endpoints "$ep" txn >/dev/null ||
    die "seed: v3 txn failed (big values)"
  for a in 0 1 2 3; do
    for k in 0 1 2 3 4 5 6 7 8 9; do
      ((${#args[@]})) && args+=(--next)
      args+=(-sS --fail -o /dev/null --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/client.crt" --key "$DIR/pki/client.key"
        -X PUT "$ep/v2/keys/lab/v2/app-$a/key-$k" --data-urlencode "value=v2 value $a.$k")
    done
  done
  args+=(--next -sS --fail -o /dev/null --cacert "$DIR/pki/ca.crt" --cert "$DIR/pki/client.crt" --key "$DIR/pki/client.key"
    -X PUT "$ep/v2/keys/lab/v2/empty-dir?dir=true")
  curl "${args[@]}" || die "seed: v2 writes failed"
  ((VERBOSE)) && say "seed: $((V3_KEYS + 4)) v3 keys, 40 v2 keys written through $ep"
  return 0
}
do_fingerprint() {
  local ep v2 v3 tmp
  load_hosts
  [ -n "$(etcd_endpoints)" ] || die "fingerprint: this lab has no etcd"
  ep=$(healthy_endpoint) || die "fingerprint: no healthy etcd member answers"
  tmp=$(mktemp -d)
  # v3: every key and value (base64), one consistent range read
  ec3 --endpoints "$ep" get "" --prefix -w json >"$tmp/v3.json" || { rm -rf "$tmp"; die "fingerprint: v3 read failed via $ep"; }
  jq -r '.kvs[]? | "v3 \(.key) \(.value // "")"' "$tmp/v3.json" >"$tmp/lines"
  # v2: the whole tree in one recursive read (directories too); not with --v3 (a v3 snapshot holds no v2 keys)
  if ((! ${V3ONLY:-0})); then
  curl_etcd "$ep/v2/keys/?recursive=true&sorted=true" >"$tmp/v2.json" || { rm -rf "$tmp"; die "fingerprint: v2 read failed via $ep"; }
  jq -r '.. | objects | select(has("key")) |
         if .dir then "v2dir \(.key|@base64)" else "v2 \(.key|@base64) \((.value // "")|@base64)" end' "$tmp/v2.json" >>"$tmp/lines"
  fi
  v3=$(grep -c '^v3 ' "$tmp/lines" || true); v2=$(grep -c '^v2 ' "$tmp/lines" || true)
  LC_ALL=C sort "$tmp/lines" | sha256sum | cut -d' ' -f1
  ((VERBOSE)) && say "fingerprint: $v3 v3 keys, $v2 v2 keys, via $ep"
  rm -rf "$tmp"
}

# ---- up -------------------------------------------------------------------------------------------
preflight() {
  local c
  [ "$(id -u)" = 0 ] || die "up: must run as root (mount namespaces, sshd on port 22, etcd as user etcd)"
  for c in /usr/sbin/sshd /usr/bin/etcd /usr/bin/etcdctl ssh ssh-keygen openssl unshare setsid setpriv perl jq curl flock getent tar; do
    command -v "$c" >/dev/null 2>&1 || die "up: '$c' is missing (install: openssh-server openssh-client etcd-server etcd-client openssl util-linux perl jq curl)"
  done
  getent passwd etcd >/dev/null || die "up: user 'etcd' is missing (the etcd-server package creates it)"
  [ -f /usr/lib/openssh/sftp-server ] || die "up: /usr/lib/openssh/sftp-server is missing (openssh-sftp-server)"
  unshare -m -u --propagation private true 2>/dev/null || die "up: 'unshare -m -u' is not permitted here"
  # sshd's privilege separation directory: systemd (RuntimeDirectory=sshd) or the init script makes it;
  # neither runs here, so a freshly installed openssh-server leaves it missing and every sshd would die.
  install -d -m 0755 -o root -g root /run/sshd || die "up: cannot create /run/sshd (sshd's privilege separation directory)"
  [[ $MASTERS =~ ^(0|1|3)$ ]] || die "up: --masters must be 3, 1 or 0"
  [[ $INFRA =~ ^[0-9]+$ ]] && ((INFRA <= 254)) || die "up: --infra must be 0..254"
  [[ $NODES =~ ^[0-9]+$ ]] && ((NODES <= 254)) || die "up: --nodes must be 0..254"
  [[ $LB =~ ^[01]$ ]] || die "up: --lb must be 0 or 1"
  [[ $CONTROL_PLANE =~ ^(static|systemd)$ ]] || die "up: --control-plane must be static or systemd"
  [[ $KUBELET_BACKOFF =~ ^[0-9]+:[0-9]+$ ]] || die "up: --kubelet-backoff must be BASE:MAX in seconds, e.g. 10:300"
  [[ $ETCD_HOSTS =~ ^(0|1|3)$ ]] || die "up: --etcd-hosts must be 0 (etcd on the masters), 1 or 3"
  ((MASTERS + ETCD_HOSTS + INFRA + NODES + LB > 0)) || die "up: a lab needs at least one host"
  for c in $MOUNTS run/lab etc/hosts; do
    case $DIR/ in "/$c"/*) die "up: --dir must not be under /$c (it is mounted over inside the lab hosts)" ;; esac
  done
}
check_free() {
  local h busy=() hp
  local -a want=()
  for h in "${HOSTS[@]}"; do
    set -- $h
    want+=("$2:22")
    [[ ,$4, == *,etcd,* ]] && want+=("$2:2379" "$2:2380")
  done
  for hp in "${want[@]}"; do listening_any "$hp" && busy+=("$hp"); done
  if [ ${#busy[@]} -gt 0 ]; then
    die "up: address already in use: ${busy[*]} (another lab running? 'lab.sh down --dir' it, or find it with: ss -ltnp)"
  fi
}
UP_STARTED=0
on_exit() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ "$UP_STARTED" = 1 ]; then
    say "up FAILED (exit $rc); tearing down what was started"
    do_down 1 || true
  fi
  exit "$rc"
}
do_up() {
  local t0 h name r i pids=() missing sup
  t0=$(date +%s.%N)
  preflight
  if [ -f "$DIR/run/supervisor.pid" ] || [ -f "$DIR/run/sshd.pids" ] || [ -n "$(lab_ns_pids)" ]; then
    say "up: a lab is running in $DIR; taking it down first"
    do_down 1 || die "up: could not take down the lab already in $DIR"
  fi
  plan_hosts
  check_free
  UP_STARTED=1
  trap on_exit EXIT
  rm -rf "$DIR/hosts" "$DIR/pki" "$DIR/shims" "$DIR/logs" "$DIR/run" "$DIR/lab.json" "$DIR/hosts.ini" \
    "$DIR/known_hosts" "$DIR/ssh_config" "$DIR/id_ed25519" "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  mkdir -p "$DIR/hosts" "$DIR/pki" "$DIR/logs" "$DIR/run"
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$DIR/lab-id"
  cp -r "$HERE/shims" "$DIR/shims"
  cp "$HERE/boot.sh" "$HERE/supervisor.pl" "$HERE/kubelet.pl" "$DIR/"
  rm -rf "$DIR/image-bin" && cp -r "$HERE/image-bin" "$DIR/image-bin"
  chmod 0755 "$DIR/shims"/*; chmod 0644 "$DIR/shims/_lib.sh"
  ssh-keygen -q -t ed25519 -N '' -C "day2-tui-lab" -f "$DIR/id_ed25519"
  chmod 0600 "$DIR/id_ed25519"
  cp "$DIR/id_ed25519.pub" "$DIR/authorized_keys"
  # a throwaway CA certificate for the stub files (openshift CA, registry CA)
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$DIR/pki/stub-ca.key" -out "$DIR/pki/stub-ca.crt" -days 1825 \
    -subj "/CN=openshift-signer@$(date +%s)" 2>/dev/null
  CLUSTER_HOSTNAME=master-0.$DOMAIN
  ((LB)) && CLUSTER_HOSTNAME=lb-0.$DOMAIN
  ((MASTERS + LB)) || CLUSTER_HOSTNAME=console.$DOMAIN
  # the SDN MTU the guide wants: the MTU of the interface the node's traffic leaves by, minus the VXLAN
  # overhead (50). The lab's addresses are on lo, so that is the default route's interface (as the
  # mtu check finds it); 1450 when this machine has no default route.
  SDN_MTU=1450
  local dev
  dev=$(awk '$2 == "00000000" && $8 == "00000000" { print $1; exit }' /proc/net/route 2>/dev/null || true)
  if [ -n "$dev" ] && [ -r "/sys/class/net/$dev/mtu" ]; then SDN_MTU=$(($(cat "/sys/class/net/$dev/mtu") - 50)); fi
  INITIAL_CLUSTER=''
  for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,etcd,* ]] && INITIAL_CLUSTER+="$1=https://$2:2380,"; done
  INITIAL_CLUSTER=${INITIAL_CLUSTER%,}
  {
    echo "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4"
    echo "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6"
    for h in "${HOSTS[@]}"; do set -- $h; echo "$2 $1 ${1%%.*}"; done
  } >"$DIR/etc-hosts"
  : >"$DIR/hosts.list"
  for h in "${HOSTS[@]}"; do set -- $h; echo "$1" >>"$DIR/hosts.list"; done
  for h in "${HOSTS[@]}"; do
    set -- $h
    make_host "$1" "$2" "$3" "$4"
    if [ -n "$(host_ns "$1" "$2")" ]; then host_ns "$1" "$2" >"$DIR/hosts/$1/run/netns"; fi
  done
  if ((JUMP)); then touch "$DIR/run/jump"; jump_net_up; fi
  [ -n "$(etcd_members)" ] && make_pki
  write_inventory
  write_ssh_files
  # mount points for the hosts' own directories (empty directories on the real root)
  for i in $MOUNTS run/lab; do mkdir -p "/$i"; done
  # start: the supervisor forks one namespaced sshd per host
  setsid perl "$DIR/supervisor.pl" "$DIR" </dev/null >>"$DIR/logs/supervisor.log" 2>&1 9>&- &
  sup=$!
  echo "$sup" >"$DIR/run/supervisor.pid"
  for ((i = 0; i < 100; i++)); do [ -f "$DIR/run/sshd.pids" ] && break; proc_start "$sup" >/dev/null || break; sleep 0.1; done
  [ -f "$DIR/run/sshd.pids" ] || die "up: the supervisor did not start the hosts: $(tail -n 3 "$DIR/logs/supervisor.log")"
  { echo "supervisor $sup"; while read -r name i; do echo "sshd $name $i"; done <"$DIR/run/sshd.pids"; } >"$DIR/pids"
  local -a want=() nswant=()
  for h in "${HOSTS[@]}"; do
    set -- $h
    if [ -n "$(host_ns "$1" "$2")" ]; then nswant+=("$(host_ns "$1" "$2") $2:22"); else want+=("$2:22"); fi
  done
  # until every sshd listens; on a busy machine that takes as long as it takes, so only 30 s in which no
  # further host came up (or an sshd that died) is a failure
  local stalled_at=$(($(date +%s) + 30)) left=$((${#want[@]} + ${#nswant[@]})) n
  while :; do
    missing=$(not_listening "${want[@]}"; for h in "${nswant[@]}"; do TCP_NS=${h% *} not_listening "${h#* }"; done)
    [ -z "$missing" ] && break
    n=$(wc -w <<<"$missing")
    ((n < left)) && left=$n && stalled_at=$(($(date +%s) + 30))
    (($(date +%s) < stalled_at)) || die "up: sshd not listening on $(echo $missing) (no host came up for 30 s)"
    while read -r name pid; do
      proc_start "$pid" >/dev/null || die "up: sshd of $name died: $(tail -n 3 "$DIR/logs/$name.sshd.log" | tr '\n' ' ')"
    done <"$DIR/run/sshd.pids"
    sleep 0.1
  done
  # etcd: started the way an admin would, `systemctl start etcd` over ssh, on every member at once
  if [ -n "$(etcd_members)" ]; then
    start_etcd_members
    ((SEED)) && do_seed
    save_etcd_members
  fi
  write_lab_json
  # the cluster side (`oc` through the real kubectl against the lab's API server): DIR/api/bin/oc
  if ((MASTERS > 0)); then
    # one cluster CA: the API server's serving certificates (API, router, registry) are signed by the
    # CA the hosts have as /etc/origin/master/ca.crt and trust as an anchor
    rm -rf "$DIR/api/pki"
    mkdir -p "$DIR/api/pki"
    cp "$DIR/pki/stub-ca.crt" "$DIR/api/pki/ca.crt"
    cp "$DIR/pki/stub-ca.key" "$DIR/api/pki/ca.key"
    LAB_API_FRESH=1 bash "$HERE/api/start.sh" "$DIR/api" healthy >"$DIR/logs/api-start.log" 2>&1 9>&- ||
      die "up: the lab's cluster API did not start: $(tail -5 "$DIR/logs/api-start.log")"
  fi
  UP_STARTED=0
  trap - EXIT
  say "up: ${#HOSTS[@]} hosts in $DIR ($MASTERS masters, $ETCD_HOSTS etcd hosts, $INFRA infra, $NODES nodes, $LB lb) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
}

# ---- etcd: start, the known-good copy, reset ----------------------------------------------------------
etcd_members() { local h; for h in "${HOSTS[@]}"; do set -- $h; [[ ,$4, == *,etcd,* ]] && echo "$1"; done; return 0; }
etcd_is_static() { [ -e "$1/etc/origin/node/pods/etcd.yaml" ] || [ -e "$1/etc/origin/node/pods-stopped/etcd.yaml" ]; }
# how an admin stops/starts etcd on a member: the static pod's manifest moved aside and back (then waits
# until the kubelet has acted: nothing / something on its client port), or `systemctl start|stop etcd`
member_etcd_command() { # NAME start|stop
  local r=$DIR/hosts/$1
  if ! etcd_is_static "$r"; then echo "systemctl $2 etcd"; return; fi
  local addr ports='2379|2380'
  addr=$(sed -n "s/^LAB_ADDR='\(.*\)'$/\1/p" "$r/run/host.env")
  local listening="ss -ltn | awk '{print \$4}' | grep -qE '^${addr//./\\.}:($ports)\$'"
  if [ "$2" = stop ]; then
    echo "mkdir -p /etc/origin/node/pods-stopped; if test -e /etc/origin/node/pods/etcd.yaml; then mv /etc/origin/node/pods/etcd.yaml /etc/origin/node/pods-stopped/; fi; i=0; while $listening; do i=\$((i+1)); test \$i -lt 600 || exit 1; sleep 0.1; done"
  else
    echo "if test -e /etc/origin/node/pods-stopped/etcd.yaml; then mv /etc/origin/node/pods-stopped/etcd.yaml /etc/origin/node/pods/; fi"
  fi
}
# etcd started or stopped over ssh on every member at once (as an admin would)
etcd_on_members() { # start|stop
  local name pids=()
  for name in $(etcd_members); do
    ssh -F "$DIR/ssh_config" "$name" "$(member_etcd_command "$name" "$1")" >"$DIR/logs/$name.etcd-$1.log" 2>&1 &
    pids+=("$!:$name")
  done
  for name in "${pids[@]}"; do
    wait "${name%%:*}" || die "etcd $1 failed on ${name#*:}: $(tail -n 5 "$DIR/logs/${name#*:}.etcd-$1.log") $(tail -n 5 "$DIR/hosts/${name#*:}/var/log/journal/etcd.service.log")"
  done
}
start_etcd_members() {
  etcd_on_members start
  # a static pod starts when the kubelet next looks at its manifests; then etcd waits for its peers
  local deadline=$(($(date +%s) + 90))
  while (($(date +%s) < deadline)); do
    ec3 --endpoints "$(etcd_endpoints)" --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1 && break
    sleep 0.3
  done
  ec3 --endpoints "$(etcd_endpoints)" --command-timeout=3s endpoint health >"$DIR/logs/etcd-health.log" 2>&1 ||
    die "etcd cluster not healthy after 90 s: $(cat "$DIR/logs/etcd-health.log")"
}
# the seeded cluster as it is after `up` (every member's data dir and /etc/etcd, taken stopped), so that a
# test can put etcd back to a known-good state in seconds (`lab.sh etcd-reset`) instead of a new lab
save_etcd_members() {
  local name r
  rm -rf "$DIR/saved"
  mkdir -p "$DIR/saved"
  ((SEED)) && do_fingerprint >"$DIR/saved/fingerprint"
  etcd_on_members stop
  for name in $(etcd_members); do
    r=$DIR/hosts/$name
    mkdir -p "$DIR/saved/$name"
    cp -a "$r/var/lib/etcd" "$DIR/saved/$name/data"
    cp -a "$r/etc/etcd" "$DIR/saved/$name/etc"
  done
  start_etcd_members
}
# etcd back to the saved copy: stopped on every lab host (a test may have made another host a member),
# each member's data dir and /etc/etcd as saved, no drop-in, enabled, started, healthy, same fingerprint
do_etcd_reset() {
  local name r f pid start
  [ -d "$DIR/saved" ] || die "etcd-reset: no saved copy in $DIR/saved (the lab was started before lab.sh saved one: lab.sh down/up)"
  for name in $(cut -d' ' -f1 <"$DIR/hosts.list" 2>/dev/null); do
    etcd_is_static "$DIR/hosts/$name" && { ssh -F "$DIR/ssh_config" "$name" "$(member_etcd_command "$name" stop)" >>"$DIR/logs/etcd-reset.log" 2>&1 ||
      die "etcd-reset: the etcd static pod of $name did not stop"; }
    f=$DIR/hosts/$name/run/units/etcd.service.pid
    [ -f "$f" ] || continue
    ssh -F "$DIR/ssh_config" "$name" 'systemctl stop etcd.service; systemctl is-active etcd.service' >>"$DIR/logs/etcd-reset.log" 2>&1 || true
    if { read -r pid start <"$f"; } 2>/dev/null && [ "$(proc_start "$pid")" = "$start" ]; then die "etcd-reset: etcd still runs on $name (pid $pid)"; fi
  done
  for name in $(etcd_members); do
    r=$DIR/hosts/$name
    find "$r/var/lib/etcd" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    cp -a "$DIR/saved/$name/data/." "$r/var/lib/etcd/"
    find "$r/etc/etcd" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
    cp -a "$DIR/saved/$name/etc/." "$r/etc/etcd/"
    rm -rf "$r/etc/systemd/system/etcd.service.d"
    if etcd_is_static "$r"; then
      rm -f "$r/etc/systemd/system/multi-user.target.wants/etcd.service"
      unit_state "$r" etcd disabled inactive
    else
      unit_state "$r" etcd enabled inactive
    fi
    ssh -F "$DIR/ssh_config" "$name" systemctl daemon-reload >>"$DIR/logs/etcd-reset.log" 2>&1
  done
  start_etcd_members
  if [ -f "$DIR/saved/fingerprint" ] && [ "$(do_fingerprint)" != "$(cat "$DIR/saved/fingerprint")" ]; then
    die "etcd-reset: the fingerprint differs from the saved one"
  fi
  say "etcd-reset: $(etcd_members | wc -l) members back to the saved copy, healthy"
}

# ---- status ---------------------------------------------------------------------------------------
do_status() {
  local h name pid st ok=1 sshd_pid ep
  [ -f "$DIR/run/sshd.pids" ] || { echo "lab $DIR: not running"; return 3; }
  load_hosts
  declare -A sp=()
  while read -r name pid; do sp[$name]=$pid; done <"$DIR/run/sshd.pids"
  echo "lab $DIR: ${#HOSTS[@]} hosts, supervisor pid $(cat "$DIR/run/supervisor.pid" 2>/dev/null || echo '?')"
  printf '%-28s %-12s %-16s %s\n' HOST ADDRESS SSHD ETCD
  for h in "${HOSTS[@]}"; do
    set -- $h
    sshd_pid=${sp[$1]:-}
    if [ -n "$sshd_pid" ] && pid_is "$sshd_pid" "$DIR/hosts/$1/sshd_config" && [ -z "$(TCP_NS=$(host_ns "$1" "$2") not_listening "$2:22")" ]; then st="up ($sshd_pid)"; else st=DOWN; ok=0; fi
    local e=-
    if [[ ,$4, == *,etcd,* ]] && etcd_is_static "$DIR/hosts/$1"; then
      if [ -z "$(not_listening "$2:2379")" ]; then e='static pod (listening)'; else e='static pod (not listening)'; fi
    elif [[ ,$4, == *,etcd,* ]]; then
      local pf=$DIR/hosts/$1/run/units/etcd.service.pid p s
      e=$(cat "$DIR/hosts/$1/run/units/etcd.service.state" 2>/dev/null || echo inactive)
      if [ -f "$pf" ] && read -r p s <"$pf" && [ "$(proc_start "$p")" = "$s" ]; then e="active ($p)"; elif [ "$e" = active ]; then e=failed; fi
    fi
    printf '%-28s %-12s %-16s %s\n' "$1" "$2" "$st" "$e"
  done
  if [ -n "$(etcd_endpoints)" ] && [ -f "$DIR/pki/client.crt" ]; then
    ec3 --endpoints "$(etcd_endpoints)" --command-timeout=3s endpoint health 2>&1 | sed 's/^/etcd: /' || true
  fi
  ((ok)) && return 0 || return 1
}

# ---- main -----------------------------------------------------------------------------------------
case $CMD in
  up | down)
    exec 9>"$DIR/.lock"
    if ! flock -w "$([ "$CMD" = up ] && echo 120 || echo 30)" 9; then
      [ "$CMD" = down ] || die "up: another lab.sh holds $DIR/.lock"
      say "down: $DIR/.lock is held by another process; going ahead anyway"
    fi
    if [ "$CMD" = up ]; then do_up; else
      if [ ! -f "$DIR/lab-id" ]; then say "down: no lab in $DIR"; exit 0; fi
      do_down
    fi ;;
  status) do_status ;;
  ssh)
    [ -f "$DIR/ssh_config" ] || die "ssh: no lab in $DIR"
    [ ${#REST[@]} -ge 1 ] || die "ssh: usage: lab.sh ssh --dir DIR HOST [CMD...]"
    exec ssh -F "$DIR/ssh_config" "${REST[@]}" ;;
  bastion)
    # The bastion is this machine, whose resolver knows nothing of the lab: CMD runs in a private mount
    # namespace whose /etc/resolv.conf names the lab's site DNS (what the bastion of a real site has:
    # the hosts' names and the *.apps wildcard), so the real dig and curl resolve like a bastion's.
    [ -f "$DIR/lab-id" ] || die "bastion: no lab in $DIR"
    [ ${#REST[@]} -ge 1 ] || die "bastion: usage: lab.sh bastion --dir DIR CMD..."
    printf '# the bastion of the day2-tui lab in %s\nsearch %s\nnameserver %s\n' "$DIR" "$DOMAIN" "$SITE_DNS" >"$DIR/run/bastion-resolv.conf"
    exec unshare -m --propagation private -- bash -c 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' bastion "$DIR/run/bastion-resolv.conf" "${REST[@]}" ;;
  fingerprint) do_fingerprint ;;
  seed) load_hosts; [ -f "$DIR/pki/client.crt" ] || die "seed: no etcd in $DIR"; do_seed ;;
  etcd-reset) load_hosts; do_etcd_reset ;;
  etcd-command)
    [ ${#REST[@]} -eq 2 ] && [[ ${REST[1]} =~ ^(start|stop)$ ]] && [ -d "$DIR/hosts/${REST[0]}" ] ||
      die "etcd-command: usage: lab.sh etcd-command --dir DIR HOST start|stop (HOST: a lab host's full name)"
    member_etcd_command "${REST[0]}" "${REST[1]}" ;;
  *) usage ;;
esac
