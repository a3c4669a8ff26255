import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { drainBlockers, parsePodsJson, podsLostForGood } from '../ocp/nodes.js';
import type { DrainOptions } from '../ocp/oc.js';
import { drainOptionsFor } from '../testing/pods.js';
import { applyDrainLine, type DrainProgress, finishDrain, initialProgress, parseDrainLine, progressCounts } from './drain.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/nodes/fixtures/${name}`, import.meta.url), 'utf8');
const NODE = 'node-0.lab.example.com';
/** The pods on the lab's node-0: bare-httpd (bare), cache (RC, emptyDir), frontend (DC, PDB), sdn (DS). */
const pods = () => parsePodsJson(fixture('lab-pods-node-0.json'));
const opts = (o: Partial<DrainOptions> = {}): DrainOptions => drainOptionsFor(NODE, o);

// ---- before the drain ---------------------------------------------------------------------------------

test('drainBlockers: what makes the drain refuse with these options; podsLostForGood: the bare pods', () => {
  const none = drainBlockers(pods(), opts({ ignoreDaemonsets: false, deleteLocalData: false, force: false }));
  assert.deepEqual(none.map((b) => `${b.pod.name} ${b.flag}`).sort(), [
    'bare-httpd --force',
    'cache-vslkp --delete-local-data',
    'sdn-zr8l7 --ignore-daemonsets',
  ]);
  assert.deepEqual(
    drainBlockers(pods(), opts({ force: false })).map((b) => b.pod.name),
    ['bare-httpd'],
  );
  assert.deepEqual(drainBlockers(pods(), opts()), []);
  assert.deepEqual(
    podsLostForGood(pods()).map((p) => `${p.namespace}/${p.name}`),
    ['myproject/bare-httpd'],
  );
});

test('initialProgress: DaemonSet pods are skipped with --ignore-daemonsets, the rest pending', () => {
  const pr = initialProgress(opts(), pods());
  assert.equal(pr.phase, 'starting');
  assert.deepEqual(
    pr.pods.map((p) => `${p.name}:${p.state}:${p.owner}`),
    ['bare-httpd:pending:bare', 'cache-vslkp:pending:RC cache', 'frontend-1-j7vf2:pending:DC frontend', 'sdn-zr8l7:skipped:DS sdn'],
  );
  assert.equal(initialProgress(opts({ ignoreDaemonsets: false }), pods()).pods.find((p) => p.name === 'sdn-zr8l7')?.state, 'pending');
});

// ---- the drain's lines ------------------------------------------------------------------------------------

/** Lines (both streams, in arrival order) → progress; `states` → "name:state". */
function feed(lines: string[], o = opts()): DrainProgress {
  return lines.reduce(applyDrainLine, initialProgress(o, pods()));
}
const states = (pr: DrainProgress) => Object.fromEntries(pr.pods.map((p) => [p.name, p.state]));

// Captured from the lab: `oc adm drain node-0.lab.example.com --ignore-daemonsets --delete-local-data --force
// --grace-period=5 --timeout=60s` (oc wrapper over the real kubectl 1.20, oc 3.10 wording).
const FULL = [
  'node "node-0.lab.example.com" already cordoned',
  'WARNING: ignoring DaemonSet-managed Pods: openshift-sdn/sdn-zr8l7; deleting Pods not managed by ' +
    'ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: myproject/bare-httpd',
  'error when evicting pod "frontend-1-j7vf2" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
  'pod "cache-vslkp" evicted',
  'pod "bare-httpd" evicted',
  'pod "frontend-1-j7vf2" evicted',
  'node "node-0.lab.example.com" drained',
];

test('a full drain from the lab: evicting from the cordon on, the PDB retry counted, then evicted and drained', () => {
  let pr = feed(FULL.slice(0, 1));
  assert.equal(pr.phase, 'evicting');
  assert.equal(pr.cordon, 'already');
  assert.deepEqual(states(pr), {
    'bare-httpd': 'evicting',
    'cache-vslkp': 'evicting',
    'frontend-1-j7vf2': 'evicting',
    'sdn-zr8l7': 'skipped',
  });
  pr = feed(FULL.slice(0, 3));
  const fe = pr.pods.find((p) => p.name === 'frontend-1-j7vf2')!;
  assert.equal(fe.state, 'retrying');
  assert.equal(fe.retries, 1);
  assert.match(fe.reason!, /PodDisruptionBudget/);
  assert.equal(pr.warnings.length, 1);
  pr = feed(FULL.slice(0, 4));
  assert.equal(states(pr)['cache-vslkp'], 'evicted');
  pr = feed(FULL);
  assert.equal(pr.phase, 'drained');
  assert.deepEqual(states(pr), {
    'bare-httpd': 'evicted',
    'cache-vslkp': 'evicted',
    'frontend-1-j7vf2': 'evicted',
    'sdn-zr8l7': 'skipped',
  });
  assert.equal(pr.pods.find((p) => p.name === 'frontend-1-j7vf2')!.retries, 1, 'the retry count stays visible after the eviction');
  const end = finishDrain(pr, { exitCode: 0 });
  assert.equal(end.phase, 'drained');
  const c = progressCounts(end);
  assert.equal(c.evicted, 3);
  assert.equal(c.skipped, 1);
  assert.equal(c.toEvict, 3);
});

test('refused without flags (lab, kubectl 1.20 reasons one a line): cordoned, nothing evicted, each blocker named', () => {
  const lines = [
    'node "node-0.lab.example.com" cordoned',
    'error: unable to drain node "node-0.lab.example.com", aborting command...',
    '',
    'There are pending nodes to be drained:',
    ' node-0.lab.example.com',
    'cannot delete Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use ' +
      '--force to override): myproject/bare-httpd',
    'cannot delete Pods with local storage (use --delete-local-data to override): myproject/cache-vslkp',
    'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): openshift-sdn/sdn-zr8l7',
  ];
  const o = opts({ ignoreDaemonsets: false, deleteLocalData: false, force: false });
  const pr = finishDrain(feed(lines, o), { exitCode: 1 });
  assert.equal(pr.phase, 'refused');
  assert.equal(pr.cordon, 'cordoned');
  assert.deepEqual(states(pr), { 'bare-httpd': 'blocked', 'cache-vslkp': 'blocked', 'frontend-1-j7vf2': 'left', 'sdn-zr8l7': 'blocked' });
  const reasons = Object.fromEntries(pr.pods.map((p) => [p.name, p.reason]));
  assert.match(reasons['bare-httpd']!, /\(--force\)$/);
  assert.match(reasons['cache-vslkp']!, /\(--delete-local-data\)$/);
  assert.match(reasons['sdn-zr8l7']!, /\(--ignore-daemonsets\)$/);
  assert.equal(progressCounts(pr).evicted, 0);
});

test('refused: only the bare pod (lab: "error: cannot delete …"), and oc 3.10\'s own one-line form', () => {
  const lab = [
    'node "node-0.lab.example.com" already cordoned',
    'error: unable to drain node "node-0.lab.example.com", aborting command...',
    '',
    'There are pending nodes to be drained:',
    ' node-0.lab.example.com',
    'error: cannot delete Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use ' +
      '--force to override): myproject/bare-httpd',
  ];
  const pr = finishDrain(feed(lab, opts({ force: false })), { exitCode: 1 });
  assert.equal(pr.phase, 'refused');
  assert.deepEqual(states(pr), { 'bare-httpd': 'blocked', 'cache-vslkp': 'left', 'frontend-1-j7vf2': 'left', 'sdn-zr8l7': 'skipped' });

  // kubectl 1.10 (oc 3.10): several reasons on one line, pod names without namespaces
  const e = parseDrainLine(
    'error: DaemonSet-managed pods (use --ignore-daemonsets to ignore): sdn-zr8l7; pods not managed by ' +
      'ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use --force to override): bare-httpd, ' +
      'other-pod; pods with local storage (use --delete-local-data to override): cache-vslkp',
  );
  assert.equal(e.kind, 'refused');
  if (e.kind === 'refused') {
    assert.deepEqual(
      e.pods.map((p) => `${p.pod} ${p.flag}`),
      ['sdn-zr8l7 --ignore-daemonsets', 'bare-httpd --force', 'other-pod --force', 'cache-vslkp --delete-local-data'],
    );
  }
  // a real kubectl 1.20 (no wrapper) names the newer flag: shown as the oc 3.x option
  const k = parseDrainLine('cannot delete Pods with local storage (use --delete-emptydir-data to override): myproject/cache-vslkp');
  assert.ok(k.kind === 'refused' && k.pods[0]!.flag === '--delete-local-data' && k.pods[0]!.namespace === 'myproject');
});

test('a NotReady node (lab scenario node-notready): the PDB retry, then drained', () => {
  const lines = [
    'node "node-1.lab.example.com" cordoned',
    'WARNING: ignoring DaemonSet-managed Pods: openshift-sdn/sdn-6l2tn',
    'error when evicting pod "frontend-1-j98hf" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
    'pod "frontend-1-j98hf" evicted',
    'node "node-1.lab.example.com" drained',
  ];
  const pr = lines.reduce(applyDrainLine, initialProgress({ ...opts(), node: 'node-1.lab.example.com' }, []));
  // no pod list beforehand: the pods appear as the lines name them
  assert.deepEqual(
    pr.pods.map((p) => `${p.name}:${p.state}:${p.retries}`),
    ['frontend-1-j98hf:evicted:1'],
  );
  assert.equal(pr.phase, 'drained');
});

test('the real kubectl 1.20 (no oc wrapper, lab): evicting lines, pods/"x" -n "ns" retries, pod/x evicted, node/N evicted', () => {
  // `kubectl drain node-0.lab.example.com --ignore-daemonsets --delete-emptydir-data --force` against the lab
  const lines = [
    'node/node-0.lab.example.com cordoned',
    'WARNING: deleting Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: ' +
      'myproject/bare-httpd; ignoring DaemonSet-managed Pods: openshift-sdn/sdn-zr8l7',
    'evicting pod myproject/frontend-1-j7vf2',
    'evicting pod myproject/bare-httpd',
    'evicting pod myproject/cache-vslkp',
    'error when evicting pods/"frontend-1-j7vf2" -n "myproject" (will retry after 5s): Cannot evict pod as it would ' +
      "violate the pod's disruption budget.",
    'pod/cache-vslkp evicted',
    'pod/bare-httpd evicted',
    'evicting pod myproject/frontend-1-j7vf2',
    'pod/frontend-1-j7vf2 evicted',
    'node/node-0.lab.example.com evicted',
  ];
  let pr = feed(lines.slice(0, 7));
  assert.equal(pr.cordon, 'cordoned');
  assert.equal(states(pr)['frontend-1-j7vf2'], 'retrying');
  assert.equal(states(pr)['cache-vslkp'], 'evicted');
  assert.equal(states(pr)['sdn-zr8l7'], 'skipped');
  pr = feed(lines.slice(0, 9));
  assert.equal(states(pr)['frontend-1-j7vf2'], 'evicting', 'evicting again after the retry');
  pr = feed(lines);
  assert.equal(pr.pods.find((p) => p.name === 'frontend-1-j7vf2')!.retries, 1);
  assert.equal(pr.phase, 'drained');
  assert.equal(progressCounts(pr).evicted, 3);
});

test('timeout: kubectl 1.20 and 1.10 wordings; pods still there are left', () => {
  const k120 = [
    // the lab: `oc adm drain node-0… --ignore-daemonsets --delete-local-data --force --timeout=2s` (the PDB retry waits 5 s)
    'node "node-0.lab.example.com" already cordoned',
    'WARNING: deleting Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet: ' +
      'myproject/bare-httpd; ignoring DaemonSet-managed Pods: openshift-sdn/sdn-zr8l7',
    'error when evicting pod "frontend-1-j7vf2" (will retry after 5s): Cannot evict pod as it would violate the pod\'s disruption budget.',
    'pod "bare-httpd" evicted',
    'pod "cache-vslkp" evicted',
    'There are pending pods in node "node-0.lab.example.com" when an error occurred: error when evicting ' +
      'pods/"frontend-1-j7vf2" -n "myproject": global timeout reached: 2s',
    'pod/frontend-1-j7vf2',
    'error: unable to drain node "node-0.lab.example.com", aborting command...',
    '',
    'There are pending nodes to be drained:',
    ' node-0.lab.example.com',
    'error: error when evicting pods/"frontend-1-j7vf2" -n "myproject": global timeout reached: 2s',
  ];
  const pr = finishDrain(feed(k120), { exitCode: 1 });
  assert.equal(pr.phase, 'timed-out');
  assert.deepEqual(states(pr), { 'bare-httpd': 'evicted', 'cache-vslkp': 'evicted', 'frontend-1-j7vf2': 'left', 'sdn-zr8l7': 'skipped' });

  const k110 = finishDrain(
    feed(['node "node-0.lab.example.com" cordoned', 'pod "cache-vslkp" evicted', 'error: Drain did not complete within 30s']),
    { exitCode: 1 },
  );
  assert.equal(k110.phase, 'timed-out');
  assert.equal(states(k110)['frontend-1-j7vf2'], 'left');
});

test('an eviction error that is not a budget fails the pod; a cancel leaves the pods in flight as left', () => {
  const pr = feed([
    'node "node-0.lab.example.com" cordoned',
    'error when evicting pod "cache-vslkp": pods "cache-vslkp" is forbidden: unable to evict',
  ]);
  assert.equal(states(pr)['cache-vslkp'], 'failed');
  assert.match(pr.pods.find((p) => p.name === 'cache-vslkp')!.reason!, /forbidden/);
  const cancelled = finishDrain(feed(['node "node-0.lab.example.com" cordoned', 'pod "bare-httpd" evicted']), {
    exitCode: null,
    cancelled: true,
  });
  assert.equal(cancelled.phase, 'cancelled');
  assert.deepEqual(states(cancelled), {
    'bare-httpd': 'evicted',
    'cache-vslkp': 'left',
    'frontend-1-j7vf2': 'left',
    'sdn-zr8l7': 'skipped',
  });
});

test('parseDrainLine: the node names under "pending nodes", blank lines and unknown text are noise', () => {
  assert.equal(parseDrainLine(' node-0.lab.example.com').kind, 'noise');
  assert.equal(parseDrainLine('').kind, 'noise');
  assert.equal(parseDrainLine('There are pending nodes to be drained:').kind, 'noise');
  assert.equal(parseDrainLine('something else entirely').kind, 'noise');
  assert.deepEqual(parseDrainLine('error: the server doesn\'t have a resource type "nodes"'), {
    kind: 'error',
    text: 'the server doesn\'t have a resource type "nodes"',
  });
  const w = parseDrainLine(
    'WARNING: Ignoring DaemonSet-managed pods: sdn-a, ovs-b; Deleting pods with local storage: docker-registry-1-5szjs',
  );
  assert.deepEqual(w.kind === 'warning' && [w.ignored, w.deleting], [['sdn-a', 'ovs-b'], ['docker-registry-1-5szjs']]);
});

test("the guide's drain (oc 3.x) reads as evicted pods and a drained node", () => {
  // 7.1.1: already cordoned, three pods evicted, drained (pods not listed beforehand)
  const lines = [
    'node "ose-app-node01.example.com" already cordoned',
    'pod "perl-1-build" evicted',
    'pod "perl-1-3lnsh" evicted',
    'pod "perl-1-9jzd8" evicted',
    'node "ose-app-node01.example.com" drained',
  ];
  const pr = finishDrain(lines.reduce(applyDrainLine, initialProgress({ ...opts(), node: 'ose-app-node01.example.com' }, [])), {
    exitCode: 0,
  });
  assert.equal(pr.phase, 'drained');
  assert.deepEqual(
    pr.pods.map((p) => p.state),
    ['evicted', 'evicted', 'evicted'],
  );
});
