#!/usr/bin/env bash
# The full kill -9 matrix of etcd-restore (every step boundary, and inside each member add between the add
# and its verification), then resume: longer than CI can afford, so CI runs one boundary of every kind
# (test/engine/etcd-restore-kill.test.ts, ciSubset). Against a fresh lab, under the machine's lab lock:
#   bash scripts/kill-matrix.sh                                     # static-pod masters (3.10)
#   LAB_UP_ARGS='--control-plane systemd' bash scripts/kill-matrix.sh  # etcd as a unit
# Each prints "N of N runs ended healthy …" at the end.
# Needs root (the lab) and the built console (npm install builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
export LAB_UP_ARGS=${LAB_UP_ARGS:---control-plane static --kubelet-backoff 1:8}
DAY2_KILL_BOUNDARIES=all exec bash scripts/with-lab.sh node --import tsx --test --test-reporter=spec --test-name-pattern='kill -9' \
  test/engine/etcd-restore-kill.test.ts
