#!/usr/bin/env bash
# Stop the lab's cluster API started by start.sh: stop.sh DIR (by the pid in DIR/server.pid).
set -uo pipefail
[ $# -ge 1 ] || { echo "usage: stop.sh DIR" >&2; exit 2; }
DIR=$1
f="$DIR/server.pid"
[ -f "$f" ] || { echo "lab api: not running (no $f)"; exit 0; }
pid=$(cat "$f")
if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "test/lab/api/server.ts"; then
  kill -TERM "$pid"
  for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  echo "lab api: stopped (pid $pid)"
else
  echo "lab api: pid $pid is not the lab api server any more; nothing stopped"
fi
rm -f "$f"
