#!/usr/bin/env bash
# The whole test suite: type check, build, unit and screen tests, then the lab (real sshd + real etcd)
# with the integration and terminal end-to-end tests. `bash scripts/test.sh unit` runs only the first part.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}

echo "== type check"; npx tsc --noEmit
echo "== build"; node scripts/build.mjs

mapfile -t unit < <(find src procedures screens test/unit -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) 2>/dev/null | sort)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
echo "== unit and screen tests (${#unit[@]} files)"
# Without CI/CONTINUOUS_INTEGRATION: Ink, run from source here, would withhold frames until exit. The built
# console ignores them on a terminal (scripts/is-in-ci-tty.mjs); the tmux tests check that with CI=true.
env -u CI -u CONTINUOUS_INTEGRATION node --import tsx --test --test-reporter=spec "${unit[@]}" 2>&1 | tee "$log" || status=1

if [ "$mode" = all ]; then
  mapfile -t lab < <(find test/lab test/transport test/engine test/procedures test/e2e -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) 2>/dev/null | sort)
  export LAB_DIR=${LAB_DIR:-$PWD/.lab/run}
  # One lab per machine (fixed loopback addresses): the same lock as scripts/with-lab.sh.
  exec 9>/tmp/day2-lab-global.lock
  echo "== lab: waiting for the machine's lab lock"
  flock 9
  echo "== lab: starting in $LAB_DIR"
  if bash test/lab/install-packages.sh 9>&- && LAB_KUBECTL=$(bash test/lab/kubectl.sh 9>&-) && export LAB_KUBECTL &&
    bash test/lab/lab.sh up --dir "$LAB_DIR" 9>&-; then
    trap 'bash test/lab/lab.sh down --dir "$LAB_DIR" || true; rm -f "$log"' EXIT
    echo "== lab and terminal tests (${#lab[@]} files)"
    node --import tsx --test --test-concurrency=1 --test-reporter=spec "${lab[@]}" 9>&- 2>&1 | tee -a "$log" || status=1
  else
    echo "FAILED: the lab could not start (see above); the integration and terminal tests did not run." >&2
    status=1
  fi
fi

pass=$(awk '/^ℹ pass /{s+=$3} END{print s+0}' "$log")
fail=$(awk '/^ℹ fail /{s+=$3} END{print s+0}' "$log")
echo
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || status=1
exit $status
