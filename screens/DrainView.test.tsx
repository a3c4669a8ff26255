// The drain view against the DEMO cluster through a real NodesService: the drain's lines are held by
// the test runner (screens/testing/demo-nodes.tsx) and let through one by one, so each stage is seen
// without timing anything.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { APP0, APP1, APP2, renderNodesApp } from './testing/demo-nodes.js';
import { waitFor } from './testing/fixtures.js';
import { fits } from './testing/run-app.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
});
const app = (o?: Parameters<typeof renderNodesApp>[0]) => {
  const a = renderNodesApp(o);
  disposers.push(a.dispose);
  return a;
};

const ESC = '\x1b';
const DOWN = '\x1b[B';
const flat = (f: string) => f.replace(/[║\n]/g, ' ').replace(/\s+/g, ' ');
const row = (f: string, short: string) => f.split('\n').find((l) => new RegExp(`^[› ] ${short} `).test(l)) ?? '';
/** The drain view's line of a pod (by the start of its name; the table is below the summary, which may name it too). */
const podRow = (f: string, name: string) =>
  f
    .split('\n')
    .filter((l) => new RegExp(`^ {2}\\S+/${name}`).test(l))
    .pop() ?? '';

async function openNodes(a: ReturnType<typeof app>) {
  await waitFor(() => a.frame().includes('HOSTS'), 'Home');
  await a.press('n');
  await waitFor(() => /master-2 /.test(a.frame()), 'the node list');
}

/** d on the selected node, once its pods are read. */
async function openModal(a: ReturnType<typeof app>) {
  await a.press('d');
  await waitFor(() => /\[x\] ignore daemonsets +--ignore-daemonsets +\d/.test(a.frame()), 'the drain options with the pods read');
}

test('a drain of app-node-0 with every option: per-pod progress as the lines come, then the summary', async () => {
  const a = app({ hold: true });
  await openNodes(a);
  await openModal(a);
  // the timeout field holds the procedures' 300 s: Ctrl-U empties it before 120 is typed
  await a.press(DOWN, ' ', DOWN, ' ', DOWN, DOWN, '\x15', '120', DOWN, APP0, '\r');
  await waitFor(() => a.runner.waiting !== undefined && a.frame().includes('DRAIN app-node-0'), 'the drain, its first line held');
  let f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(flat(f), new RegExp(`\\$ oc adm drain ${APP0} --ignore-daemonsets --delete-local-data --force --timeout=120s`));
  assert.match(f, /… STARTING: cordoning the node/);
  assert.match(podRow(f, 'cache-'), /RC cache +· waiting/);
  assert.match(podRow(f, 'sdn-'), /DS sdn +- left: DaemonSet \(stays\)/);
  assert.match(f, /0\/4 evicted · 4 waiting · 3 stay \(DaemonSet\)/);
  assert.match(f, /Esc cancel the drain/);

  a.runner.release(); // node "…" cordoned
  await waitFor(() => /… evicting/.test(podRow(a.frame(), 'cache-')), 'evicting after the cordon');
  f = a.frame();
  assert.match(f, /… DRAINING: 0\/4 evicted/);
  assert.match(podRow(f, 'debug-shell'), /bare +… evicting/);
  assert.match(f, new RegExp(`─ LOG 1 line ─+\\n node "${APP0.replace(/\./g, '\\.')}" cordoned`));

  a.runner.release(2); // the WARNING, then the budget refuses the frontend's eviction
  await waitFor(() => /↻ retrying \(PodDisruptionBudget\)/.test(podRow(a.frame(), 'frontend-')), 'the frontend retrying, visibly');
  f = a.frame();
  assert.match(f, /0\/4 evicted · 3 evicting · 1 retrying · 3 stay \(DaemonSet\)/);
  assert.match(
    flat(f),
    new RegExp(
      String.raw`error when evicting pod "frontend-1-\w{5}" \(will retry after 5s\): Cannot evict pod as ` +
        String.raw`it would violate the pod's disruption budget\.`,
    ),
  );

  a.runner.release(); // pod "cache-…" evicted
  await waitFor(() => /✓ evicted/.test(podRow(a.frame(), 'cache-')), 'the cache evicted');
  assert.match(a.frame(), /1\/4 evicted · 2 evicting · 1 retrying/);
  assert.match(podRow(a.frame(), 'frontend-'), /↻ retrying/, 'the frontend still waits for its budget');

  a.runner.releaseAll();
  await waitFor(() => a.frame().includes('✓ DRAINED'), 'drained');
  await waitFor(() => a.frame().includes('Esc back to Nodes'), 'the footer of a finished drain');
  f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, /4\/4 evicted · 3 stay \(DaemonSet\)/);
  for (const p of ['cache-', 'debug-shell', 'frontend-', 'nightly-report-']) assert.match(podRow(f, p), /✓ evicted/, p);
  assert.match(
    flat(f),
    new RegExp(
      `■ Drained: 4 pods evicted\\. ${APP0} is cordoned \\(SchedulingDisabled\\) — 3 DaemonSet ` +
        `or static pods \\(they stay\\)\\. u makes it schedulable again\\.`,
    ),
  );
  assert.match(f, new RegExp(`node "${APP0}" drained`));
  assert.deepEqual(a.runner.ended, ['exit 0']);

  // u uncordons from here; Esc is back on the list, read again after the drain
  await a.press('u');
  await waitFor(() => /schedulable again/.test(flat(a.frame())), 'uncordoned');
  await a.press(ESC);
  await waitFor(() => /✓ Ready +compute +✓ yes +3 /.test(row(a.frame(), 'app-node-0')), 'the list: app-node-0 schedulable, 3 pods left');
});

test('Esc cancels a running drain of the NotReady node: its notes first, then the state the node is left in', async () => {
  const a = app({ hold: true });
  await openNodes(a);
  await a.press('j', 'j');
  await openModal(a);
  assert.match(
    flat(a.frame()),
    new RegExp(`⚠ ${APP2} is NotReady \\(Kubelet stopped posting node status\\.\\): evicted pods may stay Terminating`),
  );
  // no timeout: the field emptied (Ctrl-U) — such a drain can wait for ever, and the notes say so
  await a.press(DOWN, DOWN, DOWN, DOWN, '\x15', '\r');
  await waitFor(() => a.runner.waiting !== undefined && a.frame().includes('DRAIN app-node-2'), 'the drain, held');
  let f = a.frame();
  assert.match(flat(f), new RegExp(`! ${APP2} is NotReady \\(Kubelet stopped posting node status\\.\\): its kubelet cannot stop the pods`));
  assert.match(flat(f), /without a --timeout it can wait for ever \(Esc cancels\)/);
  assert.equal(fits(f), undefined);
  a.runner.release();
  await waitFor(() => /… evicting/.test(podRow(a.frame(), 'jenkins-')), 'evicting');
  await a.press(ESC);
  await waitFor(() => a.frame().includes('! CANCELLED'), 'cancelled');
  await waitFor(() => a.frame().includes('Esc back to Nodes'), 'the footer of a finished drain');
  f = a.frame();
  assert.doesNotMatch(f, /Cancelling the drain/, 'the summary replaces the cancelling note');
  assert.deepEqual(a.runner.ended, ['cancelled']);
  assert.match(
    flat(f),
    new RegExp(
      `■ Drain cancelled: 0 pods evicted before it stopped\\. ${APP2} is cordoned ` +
        `\\(SchedulingDisabled\\), NotReady — 2 pods still on it: myproject/jenkins-1-\\w{5}, ` +
        `myproject/worker-`,
    ),
  );
  assert.match(podRow(f, 'jenkins-'), /! still on the node/);
  assert.match(podRow(f, 'worker-'), /! still on the node/);
  assert.equal(fits(f), undefined);
  await a.press(ESC);
  await waitFor(() => /✗ NotReady,SchedulingDisabled/.test(row(a.frame(), 'app-node-2')), 'back on the list, the node cordoned');
});

test('an already cordoned node: the notes say so; the NotReady node with a timeout ends at it, never hangs', async () => {
  const a = app();
  await openNodes(a);
  await a.press('j', 'c');
  await waitFor(() => /SchedulingDisabled/.test(row(a.frame(), 'app-node-1')), 'app-node-1 cordoned');
  await openModal(a);
  assert.match(flat(a.frame()), new RegExp(`ℹ ${APP1} is already cordoned \\(SchedulingDisabled\\): the drain evicts its pods\\.`));
  await a.press('\r');
  await waitFor(() => a.frame().includes('✓ DRAINED'), 'drained');
  let f = a.frame();
  assert.match(flat(f), new RegExp(`! ${APP1} is already cordoned \\(SchedulingDisabled\\)\\.`));
  assert.match(podRow(f, 'redis-0'), /StatefulSet/);
  assert.match(podRow(f, 'redis-0'), /✓ evicted/);

  await a.press(ESC);
  await waitFor(() => /master-2 /.test(a.frame()) && !a.frame().includes('DRAIN '), 'the list');
  await a.press('j');
  await openModal(a);
  await a.press(DOWN, DOWN, DOWN, DOWN, '\x15', '30', '\r');
  await waitFor(() => a.frame().includes('✗ TIMED OUT'), 'timed out');
  f = a.frame();
  assert.match(flat(f), /! app-node-2\.demo\.example\.com is NotReady .*it gives up after its --timeout of 30 s/);
  assert.match(
    flat(f),
    new RegExp(
      `■ Drain gave up after its timeout of 30 s: 0 pods evicted\\. ${APP2} is cordoned ` +
        `\\(SchedulingDisabled\\), NotReady — 2 pods still on it`,
    ),
  );
  assert.match(f, /error: Drain did not complete within 30s/);
  assert.equal(fits(f), undefined);
});

test('q during a drain asks first; y cancels the drain and quits', async () => {
  const a = app({ hold: true });
  await openNodes(a);
  await openModal(a);
  await a.press('\r');
  await waitFor(() => a.runner.waiting !== undefined && a.frame().includes('DRAIN app-node-0'), 'the drain, held');
  await a.press('q');
  assert.match(a.frame(), /The drain of app-node-0 is running\. Quit anyway\? +y quit +any other key stay/);
  assert.equal(a.quits(), 0);
  await a.press('n');
  assert.equal(a.quits(), 0);
  assert.deepEqual(a.runner.ended, []);
  await a.press('q', 'y');
  await waitFor(() => a.quits() === 1, 'quit');
  await waitFor(() => a.runner.ended.length === 1, 'the drain ended');
  assert.deepEqual(a.runner.ended, ['cancelled']);
});

test('? during a drain lists the Drain keys first; ? again is back on the drain, which went on', async () => {
  const a = app({ hold: true });
  await openNodes(a);
  await openModal(a);
  await a.press('\r');
  await waitFor(() => a.runner.waiting !== undefined && a.frame().includes('DRAIN app-node-0'), 'the drain, its first line held');
  await waitFor(() => /^Esc cancel the drain/.test(a.frame().split('\n').at(-1) ?? ''), 'the footer of a running drain').catch(
    () => undefined,
  );
  assert.match(a.frame().split('\n').at(-1) ?? '', /^Esc cancel the drain {2}jk scroll pods {2}\? help {2}q quit/);
  await a.press('?');
  const f = a.frame();
  assert.match(f, /HELP — Drain/);
  assert.ok(f.indexOf('KEYS HERE: DRAIN') >= 0 && f.indexOf('KEYS HERE: DRAIN') < f.indexOf('while it runs: cancel the drain'));
  assert.equal(fits(f), undefined);
  a.runner.releaseAll();
  await a.press('?');
  await waitFor(() => a.frame().includes('Esc back to Nodes'), 'the finished drain, with its footer');
  assert.match(a.frame().split('\n').at(-1) ?? '', /^Esc back to Nodes {2}u uncordon {2}jk scroll pods {2}\? help {2}q quit/);
});
