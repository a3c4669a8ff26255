#!/usr/bin/env bash
# Health fan-out benchmark: the same three host checks (ntp, entropy, disk) on a lab of 50 plain hosts,
# run three ways in one invocation — `day2-tui check --json --only …`, `ansible all -f 50 -m shell`
# (Debian ansible-core) and a parallel ssh loop (`xargs -P 50`) — printing the three wall times and the
# ratios. Root only (the lab). Usage: bash bench/health-fanout.sh [hosts=50] [runs=3]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
RUNS=${2:-3}
DIR=${BENCH_LAB_DIR:-$PWD/.lab/bench-fanout}
command -v ansible >/dev/null || { echo "bench: installing ansible-core (Debian)"; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible-core >/dev/null; }
node scripts/build.mjs # always: a stale bundle would measure old code

bash test/lab/lab.sh up --dir "$DIR" --masters 0 --infra 0 --lb 0 --nodes "$N" --no-seed
trap 'bash test/lab/lab.sh down --dir "$DIR" >/dev/null 2>&1 || true' EXIT

CMD='timedatectl; cat /proc/sys/kernel/random/entropy_avail; df -PT -B1'
hosts=$(awk '/ansible_host=/{print $1}' "$DIR/hosts.ini" | sort -u)
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

tui=() ans=() loop=()
for ((r = 1; r <= RUNS; r++)); do
  t0=$(now)
  ./bin/day2-tui check --json --only ntp,entropy,disk -i "$DIR/hosts.ini" --known-hosts "$DIR/known_hosts" >"$DIR/tui.json" || [ $? -le 2 ]
  tui+=("$(elapsed "$t0")")

  t0=$(now)
  # No ControlPersist: it would leave [mux] processes and server sessions behind (LAB-FACTS.md).
  ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-o ControlMaster=no -o UserKnownHostsFile=$DIR/known_hosts" \
    ansible all -i "$DIR/hosts.ini" -f "$N" -m shell -a "$CMD" >"$DIR/ansible.out" 2>&1 || true
  ans+=("$(elapsed "$t0")")

  t0=$(now)
  echo "$hosts" | xargs -P "$N" -I{} ssh -F "$DIR/ssh_config" {} "$CMD" >"$DIR/loop.out" 2>&1 || true
  loop+=("$(elapsed "$t0")")
done

T=$(printf '%s\n' "${tui[@]}" | median)
A=$(printf '%s\n' "${ans[@]}" | median)
L=$(printf '%s\n' "${loop[@]}" | median)
ok=$(grep -o '"status":"ok"' "$DIR/tui.json" | wc -l)
echo
echo "hosts: $N, checks: ntp entropy disk, runs: $RUNS (median wall time; day2-tui reported $ok ok cells in its last run)"
printf '%-40s %8.2f s   all: %s\n' "day2-tui check --json --only …" "$T" "${tui[*]}"
printf '%-40s %8.2f s   all: %s\n' "ansible all -f $N -m shell" "$A" "${ans[*]}"
printf '%-40s %8.2f s   all: %s\n' "xargs -P $N ssh" "$L" "${loop[*]}"
echo "ratios: ansible / day2-tui = $(ratio "$A" "$T")x   ssh loop / day2-tui = $(ratio "$L" "$T")x"
