#!/usr/bin/env bash
# Runs CMD against a fresh lab, for a developer working on one test file:
#   bash scripts/with-lab.sh node --import tsx --test test/procedures/etcd-restore.test.ts
# The lab uses fixed loopback addresses, so only one can run per machine: this takes a machine-wide lock
# for up → CMD → down and always takes its lab down again. LAB_DIR and LAB_KUBECTL are exported to CMD.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: bash scripts/with-lab.sh CMD [ARGS...]" >&2; exit 2; }
exec 9>/tmp/day2-lab-global.lock
echo "with-lab: waiting for the machine's lab lock" >&2
flock 9
dir=$(mktemp -d /tmp/day2-lab-XXXXXX)
export LAB_DIR=$dir
trap 'bash test/lab/lab.sh down --dir "$LAB_DIR" >/dev/null 2>&1 || true; rm -rf "$LAB_DIR"' EXIT
LAB_KUBECTL=$(bash test/lab/kubectl.sh)
export LAB_KUBECTL
bash test/lab/install-packages.sh
# LAB_UP_ARGS: more `lab.sh up` options, e.g. LAB_UP_ARGS="--control-plane systemd"
bash test/lab/lab.sh up --dir "$LAB_DIR" ${LAB_UP_ARGS:-} >&2 9>&-
status=0
"$@" 9>&- || status=$?
exit $status
