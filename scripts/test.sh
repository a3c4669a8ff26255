#!/usr/bin/env bash
# The whole test suite: type check, build, unit and screen tests, then the lab (real sshd + real etcd)
# with the integration and terminal end-to-end tests. `bash scripts/test.sh unit` runs only the first part.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}

echo "== type check"; npx tsc --noEmit
echo "== lint and format"; npx biome check --max-diagnostics=50 .
echo "== build"; node scripts/build.mjs

mapfile -t unit < <(find src procedures screens test/unit -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) 2>/dev/null | sort)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
echo "== unit and screen tests (${#unit[@]} files)"
# Without CI/CONTINUOUS_INTEGRATION: Ink, run from source here, would withhold frames until exit. The built
# console ignores them on a terminal (scripts/is-in-ci-tty.mjs); the tmux tests check that with CI=true.
env -u CI -u CONTINUOUS_INTEGRATION node --import tsx --test --test-reporter=spec "${unit[@]}" 2>&1 | tee "$log" || status=1

# The tests of everything that stops, starts or restarts etcd, the API or the controllers run a second
# time against a lab whose masters run them as static pods (OCP 3.10); the kubelet's crash-loop back-off
# there is 1 s doubling to 8 s instead of 10 s to 300 s, so that each restart does not cost minutes (the
# product waits out the real one).
STATIC=(test/lab/static-checks.test.ts test/lab/master-api-down.test.ts test/procedures/etcd-config-restore.test.ts test/procedures/etcd-restore.test.ts test/procedures/etcd-snapshot-restore.test.ts
  test/procedures/etcd-remove-member.test.ts test/procedures/etcd-replace.test.ts test/procedures/master-decommission.test.ts test/engine/etcd-restore-kill.test.ts)

# lab_phase LABEL LAB_UP_ARGS FILES...: a fresh lab, the files against it, the lab taken down
lab_phase() {
  local label=$1 args=$2
  shift 2
  echo "== lab ($label): starting in $LAB_DIR"
  if bash test/lab/lab.sh up --dir "$LAB_DIR" $args 9>&-; then
    echo "== lab and terminal tests against the $label lab (${#@} files)"
    node --import tsx --test --test-concurrency=1 --test-reporter=spec "$@" 9>&- 2>&1 | tee -a "$log" || status=1
    bash test/lab/lab.sh down --dir "$LAB_DIR" 9>&- || status=1
  else
    echo "FAILED: the $label lab could not start (see above); its integration and terminal tests did not run." >&2
    status=1
  fi
}

if [ "$mode" = all ]; then
  # every lab test file, but those that need a static-pod lab, a mixed one (static masters + etcd hosts)
  # or the jump hosts (they say so in their before()), and the SSH-drop matrix, which CI cannot afford (scripts/ssh-drop-matrix.sh)
  mapfile -t lab < <(find test/lab test/transport test/engine test/procedures test/e2e -type f \( -name '*.test.ts' -o -name '*.test.tsx' \) 2>/dev/null |
    grep -v -e '^test/lab/static-checks.test.ts$' -e '^test/lab/mixed-lab.test.ts$' -e '^test/lab/ssh-config.test.ts$' -e '^test/engine/etcd-restore-ssh-drop.test.ts$' | sort)
  export LAB_DIR=${LAB_DIR:-$PWD/.lab/run}
  # One lab per machine (fixed loopback addresses): the same lock as scripts/with-lab.sh.
  exec 9>/tmp/day2-lab-global.lock
  echo "== lab: waiting for the machine's lab lock"
  flock 9
  trap 'bash test/lab/lab.sh down --dir "$LAB_DIR" >/dev/null 2>&1 || true; rm -f "$log"' EXIT
  if bash test/lab/install-packages.sh 9>&- && LAB_KUBECTL=$(bash test/lab/kubectl.sh 9>&-) && export LAB_KUBECTL; then
    lab_phase systemd '--control-plane systemd' "${lab[@]}"
    lab_phase static-pod '--control-plane static --kubelet-backoff 1:8' "${STATIC[@]}"
    # external etcd: static masters running the API and the controllers, etcd-0..2 running etcd.service
    lab_phase mixed '--control-plane static --etcd-hosts 3 --kubelet-backoff 1:8' test/lab/mixed-lab.test.ts
    # a host only a jump host reaches (lb-1 behind jump-0, network namespaces), through ~/.ssh/config's ProxyJump
    lab_phase jump '--control-plane systemd --jump' test/lab/ssh-config.test.ts
  else
    echo "FAILED: the lab's packages or kubectl could not be installed (see above); the integration and terminal tests did not run." >&2
    status=1
  fi
fi

pass=$(awk '/^ℹ pass /{s+=$3} END{print s+0}' "$log")
fail=$(awk '/^ℹ fail /{s+=$3} END{print s+0}' "$log")
echo
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || status=1
exit $status
