// The Nodes screen against the DEMO cluster through a real NodesService (screens/testing/demo-nodes.tsx):
// the list at 80×24, a node's pods, cordon / uncordon, and the drain options modal with its --force gate.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup } from 'ink-testing-library';
import { APP0, APP1, renderNodesApp } from './testing/demo-nodes.js';
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
const CTRL_U = '\x15';
/** The list line of a node (by its short name). */
const row = (f: string, short: string) => f.split('\n').find((l) => new RegExp(`^[› ] ${short} `).test(l)) ?? '';
/** The frame as one line of text (wrapped lines joined). */
const flat = (f: string) => f.replace(/[║\n]/g, ' ').replace(/\s+/g, ' ');

async function openNodes(a: ReturnType<typeof app>) {
  await waitFor(() => a.frame().includes('HOSTS'), 'Home');
  await a.press('n');
  await waitFor(() => /master-2 /.test(a.frame()), 'the node list');
}

test('n opens Nodes from Home: every DEMO node at 80×24 with status, roles, schedulable, pods, kubelet', async () => {
  const a = app();
  await waitFor(() => a.frame().includes('HOSTS'), 'Home');
  assert.match(a.frame(), /n nodes/, 'Home names the key in its footer');
  assert.equal(fits(a.frame()), undefined);
  await openNodes(a);
  const f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, /NODES — 9 nodes · ✗ 1 NotReady · 0 cordoned · 51 pods/);
  assert.match(f, /NAME +STATUS +ROLES +SCHED +PODS +KUBELET/);
  const { nodes } = await a.service.listNodes();
  assert.equal(nodes.length, 9);
  for (const n of nodes) {
    const short = n.name.replace('.demo.example.com', '');
    const status = `${n.ready === 'Ready' ? '✓ Ready' : '✗ NotReady'}${n.schedulable ? '' : ',SchedulingDisabled'}`;
    const sched = n.schedulable ? '✓ yes' : '✗ no';
    assert.match(
      row(f, short),
      new RegExp(`${short} +${status} +${n.roles.join(',')} +${sched} +${n.pods} +v1\\.10\\.0\\+b81c8f8$`),
      short,
    );
  }
  // the selected node in full under the list, with the keys in the footer
  assert.match(f, /^› app-node-0 /m);
  assert.match(f, /app-node-0\.demo\.example\.com {2}10\.0\.0\.21 {2}✓ Ready/);
  assert.match(f, /Enter pods {2}c cordon {2}u uncordon {2}d drain {2}r refresh {2}\/ filter {2}Esc back/);
  // the NotReady node says why
  await a.press('j', 'j');
  assert.match(a.frame(), /not Ready: Kubelet stopped posting node status\./);
  await a.press(ESC);
  assert.match(a.frame(), /▶ HOSTS/);
});

test("Enter shows the node's pods: namespace, name, status, owner kind and emptyDir; Esc back keeps the selection", async () => {
  const a = app();
  await openNodes(a);
  await a.press('\r');
  await waitFor(() => a.frame().includes('debug-shell'), 'the pods of app-node-0');
  let f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, new RegExp(`PODS ON ${APP0}`));
  assert.match(f, /7 pods · 3 DaemonSet · 1 bare · 1 emptyDir · 1 finished/);
  assert.match(f, /NAMESPACE +NAME +STATUS +OWNER +LOCAL DATA/);
  assert.match(f, /myproject +cache-\w{5} +Running +RC cache +emptyDir/);
  assert.match(f, /myproject +debug-shell +Running +bare +-/);
  assert.match(f, /myproject +frontend-1-\w{5} +Running +DC frontend +-/);
  assert.match(f, /myproject +nightly-report-\S+ +Succeeded +Job nightly-\S+ +-/);
  assert.match(f, /openshift-sdn +sdn-\w{5} +Running +DS sdn +-/);
  assert.match(f, /openshift-node +sync-\w{5} +Running +DS sync +-/);
  assert.match(
    flat(f),
    /myproject\/cache-\w{5} · owner ReplicationController cache · ready · \d restarts? · emptyDir: its local data is lost when it goes/,
  );
  await a.press('j');
  assert.match(a.frame(), /myproject\/debug-shell · bare: no controller recreates it/);
  await a.press(ESC);
  await a.press('j', '\r');
  await waitFor(() => a.frame().includes('redis-0'), 'the pods of app-node-1');
  f = a.frame();
  assert.match(f, /myproject +redis-0 +Running +StatefulSet redis +-/);
  assert.match(f, /myproject +postgresql-1-\w{5} +Running +DC postgresql +-/);
  await a.press(ESC);
  assert.match(a.frame(), /^› app-node-1 /m, 'back on the node it came from');
  // a master's control plane runs as static pods
  await a.press('G', '\r');
  await waitFor(() => a.frame().includes('master-api'), 'the pods of master-2');
  assert.match(a.frame(), /kube-system +master-api-\S+ +Running +static +-/);
});

test('c cordons the selected node and u uncordons it: SCHED and STATUS follow, and the outcome is said', async () => {
  const a = app();
  await openNodes(a);
  await a.press('j');
  assert.match(row(a.frame(), 'app-node-1'), /✓ Ready +compute +✓ yes/);
  await a.press('c');
  await waitFor(() => /Ready,SchedulingDisabled +compute +✗ no/.test(row(a.frame(), 'app-node-1')), 'app-node-1 cordoned in the list');
  assert.match(flat(a.frame()), new RegExp(`✓ ${APP1} is cordoned: no new pods are placed on it \\(Ready,SchedulingDisabled\\)\\.`));
  assert.match(a.frame(), /1 cordoned/);
  assert.ok(a.runner.scripts.includes(`oc adm manage-node ${APP1} --schedulable=false`));
  // again: nothing is sent, the screen says why
  const sent = a.runner.scripts.length;
  await a.press('c');
  assert.match(a.frame(), /app-node-1\.demo\.example\.com is already cordoned \(u uncordons it; d drains it\)/);
  assert.equal(a.runner.scripts.length, sent);
  await a.press('u');
  await waitFor(() => /✓ Ready +compute +✓ yes/.test(row(a.frame(), 'app-node-1')), 'app-node-1 schedulable again');
  assert.match(flat(a.frame()), new RegExp(`✓ ${APP1} is schedulable again \\(Ready\\)\\.`));
  assert.ok(a.runner.scripts.includes(`oc adm manage-node ${APP1} --schedulable=true`));
  assert.equal(fits(a.frame()), undefined);
});

test('/ filters the list by name, role or status; Esc clears the filter', async () => {
  const a = app();
  await openNodes(a);
  await a.press('/', 'infra');
  let f = a.frame();
  assert.match(f, /NODES \/infra█/);
  assert.deepEqual(
    f
      .split('\n')
      .filter((l) => /^[› ] \S+-\S+ +[✓✗]/.test(l))
      .map((l) => l.slice(2).split(' ')[0]),
    ['infra-node-0', 'infra-node-1', 'infra-node-2'],
  );
  await a.press('\r', ESC);
  await a.press('/', 'NotReady', '\r');
  f = a.frame();
  assert.match(row(f, 'app-node-2'), /✗ NotReady/);
  assert.equal(row(f, 'app-node-0'), '');
  await a.press(ESC);
  assert.match(a.frame(), /Filter cleared/);
  assert.match(row(a.frame(), 'app-node-0'), /✓ Ready/);
});

test('d opens the drain options: ignore daemonsets on, the rest off; what they mean for the pods; Esc starts nothing', async () => {
  const a = app();
  await openNodes(a);
  await a.press('d');
  await waitFor(() => a.frame().includes('DaemonSet pods stay'), 'the modal with the pods read');
  const f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, new RegExp(`DRAIN {2}${APP0}`));
  assert.match(f, /› \[x\] ignore daemonsets +--ignore-daemonsets +3 DaemonSet pods stay/);
  assert.match(f, / {3}\[ \] delete local data +--delete-local-data +refuses: emptyDir in cache-\w{5} /);
  assert.match(f, / {3}\[ \] force +--force +refuses: 1 bare pod/);
  assert.match(f, /grace period +\[ {2}\] +s {2}empty: each pod's own/);
  assert.match(f, /timeout +\[ 300 \] +s {2}empty: none/, 'the procedures’ drain timeout by default');
  assert.match(f, new RegExp(`\\$ oc adm drain ${APP0} --ignore-daemonsets +║`));
  assert.match(
    flat(f),
    /the drain cordons the node, then refuses and evicts nothing: cache-\w{5} needs --delete-local-data, debug-shell needs --force\./,
  );
  assert.doesNotMatch(f, /type the node name/, 'no typed name without --force');
  assert.match(f, /Space toggle {2}Enter start the drain {2}Esc cancel/);
  // moving and toggling changes the command shown
  await a.press(DOWN, ' ');
  assert.match(a.frame(), /› \[x\] delete local data +--delete-local-data +data lost: cache-\w{5} /);
  assert.match(flat(a.frame()), new RegExp(`\\$ oc adm drain ${APP0} --ignore-daemonsets --delete-local-data `));
  await a.press(DOWN, DOWN, 'x');
  assert.match(a.frame(), /Grace period: whole seconds only/);
  await a.press('-1');
  assert.match(flat(a.frame()), /--delete-local-data --grace-period=-1/);
  await a.press(ESC);
  assert.match(a.frame(), new RegExp(`Drain of ${APP0} not started\\.`));
  assert.deepEqual(a.runner.drains(), []);
  assert.match(a.frame(), /^› app-node-0 /m);
});

test('--force lists the bare pods lost for good and wants the node name typed exactly: a wrong name refuses', async () => {
  const a = app();
  await openNodes(a);
  await a.press('d');
  await waitFor(() => a.frame().includes('DaemonSet pods stay'), 'the modal');
  await a.press(DOWN, DOWN, ' ');
  let f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, /⚠ DRAIN --force/);
  assert.match(f, /› \[x\] force +--force +deletes 1 bare pod for good/);
  assert.match(flat(f), /⚠ --force deletes these bare pods for good \(nothing recreates them\): myproject\/debug-shell/);
  assert.match(f, new RegExp(`To go on, type the node name exactly: ${APP0}`));
  // Enter without the name, then with a wrong one: refused, nothing runs
  await a.press('\r');
  assert.match(flat(a.frame()), new RegExp(`✗ --force deletes bare pods for good: type ${APP0} to go on`));
  await a.press(APP1, '\r');
  assert.match(flat(a.frame()), new RegExp(`✗ "${APP1}" is not ${APP0}: type the node name exactly`));
  await a.press(CTRL_U, 'app-node-0', '\r');
  assert.match(flat(a.frame()), new RegExp(`✗ "app-node-0" is not ${APP0}`), 'the short name is not enough');
  assert.deepEqual(a.runner.drains(), []);
  // force off forgets the name; on again asks again
  await a.press('\x1b[A', '\x1b[A', '\x1b[A', ' ', ' ');
  assert.match(a.frame(), /\[ {2}\]\s+║\n║ ↑↓ Tab/);
  await a.press(DOWN, DOWN, DOWN, APP0, '\r');
  await waitFor(() => /Drain refused/.test(flat(a.frame())), 'the drain ran, and was refused (no --delete-local-data)');
  assert.deepEqual(a.runner.drains(), [`oc adm drain ${APP0} --ignore-daemonsets --force --timeout=300s`]);
  f = a.frame();
  assert.match(f, /DRAIN app-node-0\.demo\.example\.com ✗ REFUSED: nothing evicted/);
  assert.match(
    flat(f),
    new RegExp(
      String.raw`■ Drain refused, nothing evicted: myproject\/cache-\w{5} needs an option ` +
        String.raw`\(--delete-local-data\)\. app-node-0\.demo\.example\.com is cordoned ` +
        String.raw`\(SchedulingDisabled\)`,
    ),
  );
  assert.match(f, /myproject\/cache-\w{5} +RC cache +✗ blocked: needs --delete-local-data/);
  assert.equal(fits(f), undefined);
});

test('without a NodesService the Nodes screen says node operations are not available', async () => {
  const a = app({ withoutNodes: true });
  await waitFor(() => a.frame().includes('HOSTS'), 'Home');
  await a.press('n');
  assert.match(flat(a.frame()), /! Node operations are not available in this console/);
  await a.press('c', 'd');
  assert.deepEqual(a.runner.scripts, []);
  await a.press(ESC);
  assert.match(a.frame(), /▶ HOSTS/);
});

test("? on Nodes lists the Nodes screen's keys first, then those of every screen; ? again is back on Nodes", async () => {
  const a = app();
  await openNodes(a);
  await a.press('j', '?');
  const f = a.frame();
  assert.equal(fits(f), undefined);
  assert.match(f, /HELP — Nodes/);
  const lines = f.split('\n');
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const here = at(/KEYS HERE: NODES/);
  assert.ok(here >= 0 && here < 4, 'the Nodes keys open the page');
  // the Nodes keys in the order the screen declares them, each with what it does
  const order = [
    /^║? *Enter +the selected node's pods/,
    /^║? *c +cordon the selected node/,
    /^║? *u +uncordon the selected node/,
    /^║? *d +drain the selected node/,
    /^║? *r +read the nodes again/,
    /^║? *\/ +filter the list/,
    /^║? *Esc +clear the filter; without one, back to Home/,
    /^║? *j k ↓ ↑ +move the selection/,
  ];
  const found = order.map(at);
  for (const [i, n] of found.entries()) assert.ok(n > here, `${order[i]} on the first page`);
  assert.deepEqual(
    [...found].sort((x, y) => x - y),
    found,
    'in the declared order',
  );
  assert.doesNotMatch(f.split('KEYS HERE')[1]!.split(/j k ↓ ↑/)[0]!, /KEYS ON EVERY SCREEN/, 'the global keys come after');
  await a.press('G');
  assert.match(a.frame(), /⚠ WARNING/, 'the rest of the page is still there');
  await a.press('?');
  assert.match(a.frame(), /^› app-node-1 /m, 'back on Nodes, on the node it was on');
});

test("a node's pods: the footer as before; g / G to the ends; ? lists the keys of the pods first", async () => {
  const a = app();
  await openNodes(a);
  await a.press('\r');
  await waitFor(() => a.frame().includes('debug-shell'), 'the pods of app-node-0');
  await waitFor(() => /^↑↓ move/.test(a.frame().split('\n').at(-1) ?? ''), 'the footer of the pods').catch(() => undefined);
  assert.match(a.frame().split('\n').at(-1) ?? '', /^↑↓ move {2}r refresh {2}Esc nodes {2}\? help {2}q quit/);
  await a.press('G');
  assert.match(a.frame(), /^› openshift-sdn +sdn-\w{5} /m, 'the last pod');
  await a.press('g');
  assert.match(a.frame(), /^› myproject +cache-\w{5} /m, 'the first pod');
  await a.press('?');
  const f = a.frame();
  assert.match(f, /HELP — A node's pods/);
  assert.ok(f.indexOf("KEYS HERE: A NODE'S PODS") >= 0 && f.indexOf('KEYS HERE') < f.indexOf("read the node's pods again"));
  await a.press('?');
  assert.match(a.frame(), new RegExp(`PODS ON ${APP0}`));
});
