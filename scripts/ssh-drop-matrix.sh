#!/usr/bin/env bash
# The full SSH-drop matrix of etcd-restore: at every step boundary that has a command after it, the SSH
# connection of that command dropped (its sshd session killed) while the command is held before it begins
# and, in a second case, after it ran but before its exit status arrived; then resume. Longer than CI can
# afford, so the test's default is a CI subset of 4 cases (test/engine/etcd-restore-ssh-drop.test.ts,
# ciSubset). Against a fresh lab, under the machine's lab lock:
#   bash scripts/ssh-drop-matrix.sh                                     # static-pod masters (3.10)
#   LAB_UP_ARGS='--control-plane systemd' bash scripts/ssh-drop-matrix.sh  # etcd as a unit
# Prints "N of N runs ended healthy …" at the end.
# Needs root (the lab) and the built console (npm install builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
export LAB_UP_ARGS=${LAB_UP_ARGS:---control-plane static --kubelet-backoff 1:8}
DAY2_DROP_BOUNDARIES=all exec bash scripts/with-lab.sh node --import tsx --test --test-reporter=spec \
  test/engine/etcd-restore-ssh-drop.test.ts
