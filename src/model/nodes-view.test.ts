import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DemoRunner } from '../demo/runner.js';
import { applyDrainLine, type DrainProgress, finishDrain, initialProgress } from '../nodes/drain.js';
import { type DrainSnapshot, type NodeRow, NodesService } from '../nodes/service.js';
import type { NodePod } from '../ocp/nodes.js';
import {
  checkboxHint,
  type DrainForm,
  type DrainFormAction,
  drainCountsText,
  drainFields,
  drainHeadline,
  drainImpact,
  drainLayout,
  drainPodRows,
  drainPreview,
  fitColumns,
  initialDrainForm,
  logTail,
  moveNode,
  nodeLine,
  nodeRows,
  nodeStatus,
  nodesSummary,
  nodeTable,
  ownerLabel,
  podDrainText,
  podLine,
  podRows,
  podsSummary,
  podTable,
  reduceDrainForm,
  schedulableRefusal,
  submitDrainForm,
  wrapRows,
} from './nodes-view.js';

const APP0 = 'app-node-0.demo.example.com';
const DOMAIN = '.demo.example.com';
const service = () =>
  new NodesService({ runner: new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } }) });
const demo = async () => {
  const svc = service();
  const [{ nodes }, pods] = await Promise.all([svc.listNodes(), svc.podsOn(APP0)]);
  return { nodes, pods };
};
const form = (actions: DrainFormAction[], f: DrainForm = initialDrainForm(APP0)) => actions.reduce(reduceDrainForm, f);

test('node status as oc prints it, with a mark: NotReady also for an Unknown Ready condition', () => {
  assert.deepEqual(nodeStatus({ ready: 'Ready', schedulable: true }), { mark: '✓', word: 'Ready', tone: 'ok' });
  assert.deepEqual(nodeStatus({ ready: 'Ready', schedulable: false }), { mark: '✓', word: 'Ready,SchedulingDisabled', tone: 'warn' });
  assert.equal(nodeStatus({ ready: 'Unknown', schedulable: true }).word, 'NotReady');
  assert.equal(nodeStatus({ ready: 'NotReady', schedulable: false }).word, 'NotReady,SchedulingDisabled');
  assert.equal(nodeStatus({ ready: 'NotReady', schedulable: true }).mark, '✗');
});

test('the DEMO node list: rows by name with short names, a table that fits 78 columns, the summary', async () => {
  const { nodes } = await demo();
  const rows = nodeRows(nodes, '', DOMAIN);
  assert.equal(rows.length, 9);
  assert.deepEqual(
    rows.map((r) => r.cells.name),
    ['app-node-0', 'app-node-1', 'app-node-2', 'infra-node-0', 'infra-node-1', 'infra-node-2', 'master-0', 'master-1', 'master-2'],
  );
  const t = nodeTable(rows, 78);
  assert.match(t.header, /^NAME +STATUS +ROLES +SCHED +PODS +KUBELET$/);
  for (const r of rows) assert.ok([...nodeLine(r, t)].length <= 78, nodeLine(r, t));
  assert.match(nodeLine(rows[2]!, t), /^app-node-2 +✗ NotReady +compute +✓ yes +5 v1\.10\.0\+b81c8f8$/);
  assert.match(nodeLine(rows[6]!, t), /^master-0 +✓ Ready,SchedulingDisabled +master +✗ no +6 v1\.10\.0\+b81c8f8$/);
  assert.equal(
    nodesSummary(nodes),
    '9 nodes · ✗ 1 NotReady · 0 cordoned · 51 pods',
    'the 3 masters are unschedulable by design, not cordoned',
  );
  // narrow: the kubelet version, then the name give way; nothing is wider than asked
  const narrow = nodeTable(rows, 60);
  for (const r of rows) assert.ok([...nodeLine(r, narrow)].length <= 60, nodeLine(r, narrow));
});

test('the filter matches name, role, status and cordoned; moving starts from the row shown selected', async () => {
  const { nodes } = await demo();
  const names = (f: string) => nodeRows(nodes, f, DOMAIN).map((r) => r.cells.name);
  assert.deepEqual(names('infra'), ['infra-node-0', 'infra-node-1', 'infra-node-2']);
  assert.deepEqual(names('notready'), ['app-node-2']);
  assert.deepEqual(names('cordoned'), ['master-0', 'master-1', 'master-2']);
  assert.deepEqual(names('compute app-node-1'), ['app-node-1']);
  const rows = nodeRows(nodes, '', DOMAIN);
  assert.equal(moveNode(rows, undefined, 1), 'app-node-1.demo.example.com');
  assert.equal(moveNode(rows, undefined, Infinity), 'master-2.demo.example.com');
  assert.equal(moveNode(rows, 'gone', -1), APP0);
});

test('cordon / uncordon is not sent when the node already is so', () => {
  const n = (schedulable: boolean): Pick<NodeRow, 'name' | 'schedulable'> => ({ name: 'n1', schedulable });
  assert.equal(schedulableRefusal(n(true), false), undefined);
  assert.equal(schedulableRefusal(n(false), true), undefined);
  assert.match(schedulableRefusal(n(false), false)!, /already cordoned/);
  assert.match(schedulableRefusal(n(true), true)!, /already schedulable/);
});

test("a node's pods: owner kinds DC, RC, Job, DS, StatefulSet, bare, static; emptyDir; a table that fits", async () => {
  const svc = service();
  const { pods } = await demo();
  const rows = podRows(pods);
  // generated names lose their random suffix (the bare pod has a fixed name)
  const owners = Object.fromEntries(
    rows.map((r) => [r.pod.name === 'debug-shell' ? r.pod.name : r.pod.name.replace(/-[a-z0-9]{5}$/, ''), [r.cells.owner, r.cells.data]]),
  );
  assert.deepEqual(owners['cache'], ['RC cache', 'emptyDir']);
  assert.deepEqual(owners['debug-shell'], ['bare', '-']);
  assert.deepEqual(owners['frontend-1'], ['DC frontend', '-']);
  assert.deepEqual(owners['nightly-report-1538611200'], ['Job nightly-report-1538611200', '-']);
  assert.deepEqual(owners['sdn'], ['DS sdn', '-']);
  assert.equal(podsSummary(pods), '7 pods · 3 DaemonSet · 1 bare · 1 emptyDir · 1 finished');
  const t = podTable(rows, 78);
  for (const r of rows) assert.ok([...podLine(r, t)].length <= 78, podLine(r, t));
  const app1 = await svc.podsOn('app-node-1.demo.example.com');
  assert.equal(ownerLabel(app1.find((p) => p.name === 'redis-0')!), 'StatefulSet redis');
  const master = await svc.podsOn('master-0.demo.example.com');
  assert.deepEqual([...new Set(master.filter((p) => p.mirror).map(ownerLabel))], ['static']);
  assert.equal(podsSummary(master), '6 pods · 3 DaemonSet · 3 static');
});

test('drain form: ignore daemonsets on by default, the rest off; the typed-name field only with --force', () => {
  const f = initialDrainForm(APP0);
  // the timeout the node procedures give their drains (DRAIN_TIMEOUT_SECONDS), not none
  assert.deepEqual(
    [f.ignoreDaemonsets, f.deleteLocalData, f.force, f.grace, f.timeout, f.field],
    [true, false, false, '', '300', 'ignoreDaemonsets'],
  );
  assert.deepEqual(drainFields(f), ['ignoreDaemonsets', 'deleteLocalData', 'force', 'grace', 'timeout']);
  assert.equal(drainPreview(f), `oc adm drain ${APP0} --ignore-daemonsets --timeout=300s`);
  const forced = form([{ type: 'move', delta: 2 }, { type: 'toggle' }]);
  assert.equal(forced.force, true);
  assert.deepEqual(drainFields(forced).at(-1), 'confirm');
  // Space and x toggle a checkbox; other letters say how
  assert.equal(form([{ type: 'text', text: 'x' }]).ignoreDaemonsets, false);
  assert.match(form([{ type: 'text', text: 'q' }]).error!, /Space toggles/);
  // moves stop at the ends
  assert.equal(form([{ type: 'move', delta: -3 }]).field, 'ignoreDaemonsets');
  assert.equal(form([{ type: 'move', delta: 9 }]).field, 'timeout');
});

test('drain form: seconds are whole numbers (grace may be -1); the preview follows', () => {
  const f = form([
    { type: 'move', delta: 3 },
    { type: 'text', text: '-1' },
    { type: 'move', delta: 1 },
    { type: 'clear' },
    { type: 'text', text: '12' },
    { type: 'text', text: 'a' },
  ]);
  assert.equal(f.grace, '-1');
  assert.equal(f.timeout, '12');
  assert.match(f.error!, /Timeout: whole seconds only/);
  assert.equal(drainPreview(f, '/usr/bin/oc'), `/usr/bin/oc adm drain ${APP0} --ignore-daemonsets --grace-period=-1 --timeout=12s`);
  assert.deepEqual(submitDrainForm(f).options, {
    node: APP0,
    ignoreDaemonsets: true,
    deleteLocalData: false,
    force: false,
    gracePeriodSeconds: -1,
    timeoutSeconds: 12,
  });
  assert.equal(form([{ type: 'backspace' }], f).timeout, '1');
  assert.equal(form([{ type: 'clear' }], f).timeout, '');
  const bad = submitDrainForm({ ...initialDrainForm(APP0), grace: '-5' });
  assert.equal(bad.options, undefined);
  assert.match(bad.form.error!, /Grace period "-5"/);
  assert.equal(bad.form.field, 'grace');
});

test('drain form: --force starts only with the node name typed exactly; turning it off forgets the name', () => {
  let f = form([{ type: 'move', delta: 2 }, { type: 'toggle' }]);
  let r = submitDrainForm(f);
  assert.equal(r.options, undefined);
  assert.match(r.form.error!, /--force deletes bare pods for good: type app-node-0\.demo\.example\.com to go on/);
  assert.equal(r.form.field, 'confirm');
  f = form([{ type: 'text', text: 'app-node-1.demo.example.com' }], r.form);
  r = submitDrainForm(f);
  assert.equal(r.options, undefined);
  assert.match(r.form.error!, /"app-node-1\.demo\.example\.com" is not app-node-0\.demo\.example\.com: type the node name exactly/);
  r = submitDrainForm(form([{ type: 'clear' }, { type: 'text', text: ` ${APP0} ` }], r.form));
  assert.deepEqual(r.options, { node: APP0, ignoreDaemonsets: true, deleteLocalData: false, force: true, timeoutSeconds: 300 });
  const off = form([{ type: 'move', delta: -3 }, { type: 'toggle' }], r.form);
  assert.deepEqual([off.force, off.typed], [false, '']);
});

test('what the options do to the pods: blockers, emptyDir, bare pods lost for good', async () => {
  const { pods } = await demo();
  const f = initialDrainForm(APP0);
  const i = drainImpact(f, pods);
  assert.equal(i.daemonSets.length, 3);
  assert.deepEqual(
    i.lostForGood.map((p) => p.name),
    ['debug-shell'],
  );
  assert.deepEqual(
    i.emptyDir.map((p) => p.name.replace(/-[a-z0-9]{5}$/, '')),
    ['cache'],
  );
  assert.deepEqual(i.blockers.map((b) => b.flag).sort(), ['--delete-local-data', '--force']);
  assert.equal(checkboxHint('ignoreDaemonsets', f, i), '3 DaemonSet pods stay');
  assert.match(checkboxHint('deleteLocalData', f, i), /^refuses: emptyDir in cache-/);
  assert.equal(checkboxHint('force', f, i), 'refuses: 1 bare pod');
  const all = { ...f, deleteLocalData: true, force: true };
  const j = drainImpact(all, pods);
  assert.deepEqual(j.blockers, []);
  assert.equal(checkboxHint('force', all, j), 'deletes 1 bare pod for good');
  assert.match(checkboxHint('deleteLocalData', all, j), /^data lost: cache-/);
  const noDs = { ...f, ignoreDaemonsets: false };
  assert.equal(checkboxHint('ignoreDaemonsets', noDs, drainImpact(noDs, pods)), 'refuses: 3 DaemonSet pods');
});

test('per-pod drain marks: evicting, retrying on a budget, evicted, blocked, left because DaemonSet', async () => {
  const { pods } = await demo();
  const o = { node: APP0, ignoreDaemonsets: true, deleteLocalData: true, force: true };
  const frontend = pods.find((p) => p.name.startsWith('frontend'))!.name;
  const cache = pods.find((p) => p.name.startsWith('cache'))!.name;
  let pr: DrainProgress = initialProgress(o, pods);
  const text = (name: string) => podDrainText(pr.pods.find((p) => p.name === name)!);
  assert.equal(text(frontend), '· waiting');
  assert.equal(text(pods.find((p) => p.name.startsWith('sdn'))!.name), '- left: DaemonSet (stays)');
  pr = applyDrainLine(pr, `node "${APP0}" cordoned`);
  assert.equal(text(frontend), '… evicting');
  pr = applyDrainLine(
    pr,
    `error when evicting pod "${frontend}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
  );
  assert.equal(text(frontend), '↻ retrying (PodDisruptionBudget)');
  pr = applyDrainLine(
    pr,
    `error when evicting pod "${frontend}" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.`,
  );
  assert.equal(text(frontend), '↻ retrying ×2 (PodDisruptionBudget)');
  pr = applyDrainLine(pr, `pod "${cache}" evicted`);
  assert.equal(text(cache), '✓ evicted');
  assert.equal(drainCountsText(pr), '1/4 evicted · 2 evicting · 1 retrying · 3 stay (DaemonSet)');
  const refused = applyDrainLine(
    initialProgress({ ...o, deleteLocalData: false }, pods),
    `error: pods with local storage (use --delete-local-data to override): ${cache}`,
  );
  assert.equal(podDrainText(refused.pods.find((p) => p.name === cache)!), '✗ blocked: needs --delete-local-data');
  const done = finishDrain(applyDrainLine(pr, `node "${APP0}" drained`), { exitCode: 0 });
  assert.equal(drainCountsText(done), '4/4 evicted · 3 stay (DaemonSet)');
  assert.ok(drainPodRows(done).every((r) => r.tone === 'ok' || r.state.startsWith('- left')));
});

test('the drain headline: preparing, draining n/m, cancelling, and each end', () => {
  const o = { node: APP0, ignoreDaemonsets: true, deleteLocalData: false, force: false };
  const base: DrainSnapshot = {
    options: o,
    status: 'preparing',
    progress: initialProgress(o, []),
    log: [],
    notes: [],
    cancelRequested: false,
  };
  const phase = (p: DrainProgress['phase']): DrainSnapshot => ({
    ...base,
    status: 'done',
    command: 'oc adm drain',
    progress: { ...base.progress, phase: p },
  });
  assert.match(drainHeadline(base).text, /^… PREPARING/);
  assert.match(
    drainHeadline({ ...base, status: 'running', command: 'x', progress: { ...base.progress, phase: 'evicting' } }).text,
    /^… DRAINING: 0\/0 evicted/,
  );
  assert.match(drainHeadline({ ...base, status: 'running', cancelRequested: true }).text, /^… CANCELLING/);
  assert.deepEqual(drainHeadline(phase('drained')), { text: '✓ DRAINED', tone: 'ok' });
  assert.match(drainHeadline(phase('refused')).text, /^✗ REFUSED/);
  assert.match(drainHeadline(phase('cancelled')).text, /^! CANCELLED/);
  assert.match(drainHeadline(phase('timed-out')).text, /^✗ TIMED OUT/);
  assert.match(drainHeadline(phase('failed')).text, /^✗ FAILED/);
  assert.match(drainHeadline({ ...base, status: 'done', summary: 'Drain not run: bad' }).text, /^✗ NOT RUN/);
});

test("the drain view's rows: command, notes and summary whole when they fit, the log keeps 3, short terminals squeeze", () => {
  assert.deepEqual(drainLayout({ height: 20, commandRows: 2, noteRows: 1, summaryRows: 3, podCount: 7 }), {
    command: 2,
    notes: 1,
    summary: 3,
    pods: 8,
    log: 4,
  });
  assert.deepEqual(drainLayout({ height: 20, commandRows: 1, noteRows: 0, summaryRows: 0, podCount: 30 }), {
    command: 1,
    notes: 0,
    summary: 0,
    pods: 14,
    log: 3,
  });
  const short = drainLayout({ height: 10, commandRows: 2, noteRows: 4, summaryRows: 5, podCount: 7 });
  assert.ok(short.notes >= 1 && short.summary >= 1);
  assert.equal(short.command + short.notes + short.summary + short.pods + short.log + 2, 10);
});

test('text helpers: the log tail wraps from the end; wrapRows cuts with …; columns give way in order', () => {
  assert.deepEqual(logTail(['one', 'two two two two', 'three'], 8, 3), ['  two', '  two', 'three']);
  assert.deepEqual(logTail(['a', 'b', 'c'], 10, 2), ['b', 'c']);
  assert.deepEqual(logTail(['a'], 10, 0), []);
  const rows = wrapRows('aaa bbb ccc ddd eee', 8, 2);
  assert.equal(rows.length, 2);
  assert.match(rows[1]!, /…$/);
  assert.deepEqual(
    fitColumns(
      [
        { natural: 10, min: 4 },
        { natural: 10, min: 8 },
      ],
      21,
      [1, 0],
    ),
    [10, 10],
  );
  assert.deepEqual(
    fitColumns(
      [
        { natural: 10, min: 4 },
        { natural: 10, min: 8 },
      ],
      15,
      [1, 0],
    ),
    [6, 8],
  );
});

test('pods that are not in the list (arrived later) still get a row', () => {
  const o = { node: APP0, ignoreDaemonsets: true, deleteLocalData: false, force: false };
  const pr = applyDrainLine(applyDrainLine(initialProgress(o, [] as NodePod[]), `node "${APP0}" cordoned`), 'pod "late-1" evicted');
  assert.deepEqual(
    drainPodRows(pr).map((r) => [r.name, r.state]),
    [['late-1', '✓ evicted']],
  );
});
