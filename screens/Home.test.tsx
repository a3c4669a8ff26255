import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { Inventory } from '../src/inventory/types.js';
import { ConnectivityMonitor } from '../src/model/connectivity.js';
import type { Connectivity } from '../src/transport/types.js';
import { App, type AppProps, DEMO_LABEL } from './App.js';
import { Home, SummaryLine, startHere } from './Home.js';
import { FakeHealthRun } from './testing/fake-health.js';
import { FakeRunner, settle, stripAnsi, testCatalogue, testInventory, untilFrame } from './testing/fixtures.js';

const monitors: ConnectivityMonitor[] = [];
afterEach(() => {
  cleanup();
  for (const m of monitors.splice(0)) m.dispose();
});

function renderApp(inventory: Inventory = testInventory(), size = { columns: 80, rows: 24 }, more: Partial<AppProps> = {}) {
  const runner = new FakeRunner().holdProbes();
  const monitor = new ConnectivityMonitor(inventory, runner);
  monitors.push(monitor);
  const r = render(
    <App inventory={inventory} catalogue={testCatalogue()} monitor={monitor} version='0.1.0' {...size} onQuit={() => {}} {...more} />,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  return { ...r, runner, monitor, frame, press };
}

function assertFits(frame: string, columns: number, rows: number) {
  const lines = frame.split('\n');
  assert.ok(lines.length <= rows - 1, `${lines.length} lines for ${rows} rows`);
  for (const l of lines) assert.ok([...l].length <= columns, `too wide (${[...l].length}): ${l}`);
}

test('hosts are grouped by role with live states: checking, then ok / host key changed', async () => {
  const { frame, runner, press } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  let f = frame();
  const order = ['MASTER (2)', 'INFRA (1)', 'NODE (1)', 'LB (1)'].map((h) => f.indexOf(h));
  assert.ok(
    order.every((i) => i >= 0),
    f,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
    'roles in ROLE_ORDER',
  );
  assert.match(f, /master-0 \+etcd,node/);
  assert.match(f, /HOSTS \*\.example\.com/);
  assert.equal((f.match(/checking/g) ?? []).length >= 5, true, 'every host checking at first');
  assert.match(f, /hosts 5 · ✓ ok 0 · 0 problems · … checking 5/);

  runner.answerProbe('master-0.example.com', { state: 'ok' });
  runner.answerProbe('master-1.example.com', {
    state: 'host-key-changed',
    reason: 'host key for 10.0.0.11 differs from known_hosts:14',
    hint: 'ssh-keygen -R 10.0.0.11, then verify and add the new key',
  });
  f = await untilFrame(frame, /… checking 3/);
  assert.match(f, /master-0 \+etcd,node +✓ ok/, 'the other roles whole before the badge');
  assert.match(f, /master-1 \+etcd… ! host key changed/, 'a long badge of its own cuts its roles');
  assert.match(f, /hosts 5 · ✓ ok 1 · ✗ 1 problem: master-1 host key changed · … checking 3/);

  assert.match(f, /║› master-1 /, 'the cursor starts on the first host with a problem');
  await press('\r');
  f = frame();
  assert.match(f, /HOST master-1\.example\.com/);
  assert.match(f, /Connection: ! host key changed/);
  assert.match(f, /Reason: host key for 10\.0\.0\.11 differs/);
  assert.match(f, /What to do: ssh-keygen -R 10\.0\.0\.11/);
  assert.match(f, /Address: {2}10\.0\.0\.11:22/);
  assert.match(f, /User: {5}cloud-user/);
  assert.match(f, /Roles: {4}master, etcd, node/);
  assert.match(f, /Groups: {3}OSEv3, masters, etcd, nodes/);
  assertFits(f, 80, 24);
});

test('the inventory warning is a visible line on Home', async () => {
  const { frame } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.match(frame(), /⚠ WARNING: etcd has 2 members \(an even number\)/);
});

test('procedures are listed under ruled chapter headings; unbuilt ones carry the ○ mark the legend explains', async () => {
  const { frame } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  const f = frame();
  for (const h of ['2 Run-once tasks', '3 Health checks', '4 Backups', '5 Host tasks'])
    assert.match(f, new RegExp(`[│║]── ${h} ─+[│║]`), h);
  assert.match(f, /PROCEDURES & CHECKS +○ = not built yet[│║]/, 'the legend, at the right end of the title line');
  assert.match(f, / ntp {2,}/, 'built: no mark');
  assert.match(f, /fix-ntp ○/);
  assert.match(f, /etcd-health {2,}/);
  assert.match(f, /etcd-backup ○/);
  assert.ok(f.indexOf('2 Run-once tasks') < f.indexOf('fix-ntp ○') && f.indexOf('fix-ntp ○') < f.indexOf('3 Health checks'));
});

test('the DEMO label is on every screen of a demo inventory', async () => {
  const { frame, press } = renderApp(testInventory({ kind: 'demo' }));
  await untilFrame(frame, /▶ HOSTS/);
  assert.ok(frame().includes(DEMO_LABEL), 'home');
  await press('\r');
  assert.ok(frame().includes(DEMO_LABEL), 'host detail');
  await press('\x1b', '\t', '\r');
  assert.ok(frame().includes(DEMO_LABEL), 'procedure detail');
  await press('?');
  assert.ok(frame().includes(DEMO_LABEL), 'help');
});

test('a file inventory names its path and no DEMO label', async () => {
  const { frame } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.match(frame(), /day2-tui 0\.1\.0 │ inventory \/etc\/ansible\/hosts/);
  assert.ok(!frame().includes('DEMO'));
});

test('80×24, 100×30 and 60×20: nothing overflows, long lists scroll to keep the selection visible', async () => {
  const big: Inventory = testInventory();
  big.hosts = Array.from({ length: 40 }, (_, i) => ({ ...big.hosts[1]!, name: `node-${i}.example.com` }));
  for (const size of [
    { columns: 80, rows: 24 },
    { columns: 100, rows: 30 },
    { columns: 60, rows: 20 },
  ]) {
    const { frame, press, unmount } = renderApp(big, size);
    await untilFrame(frame, /rows 1-\d+ of 41/);
    assertFits(frame(), size.columns, size.rows);
    assert.match(frame(), /rows 1-\d+ of 41 ↓\d+/);
    await press(...Array(30).fill('j'));
    const f = frame();
    assertFits(f, size.columns, size.rows);
    assert.match(f, /› node-30 /, `selection visible at ${size.columns}×${size.rows}`);
    assert.match(f, /↑\d+ rows/);
    unmount();
  }
});

test('Home alone renders states from a snapshot (no App)', () => {
  const inv = testInventory();
  const snap = new Map<string, Connectivity>(inv.hosts.map((h) => [h.name, { state: 'ok' }]));
  snap.set('lb-0.example.com', { state: 'auth-failed' });
  const { lastFrame } = render(
    <Home
      inventory={inv}
      catalogue={testCatalogue()}
      connectivity={snap}
      focus='procedures'
      selected={{ hosts: undefined, procedures: 'etcd-backup' }}
      filter={{ hosts: '', procedures: '' }}
      width={80}
      height={21}
    />,
  );
  const f = stripAnsi(lastFrame());
  assert.match(f, /lb-0\s+✗ auth failed/);
  assert.match(f, /hosts 5 · ✓ ok 4 · ✗ 1 problem: lb-0 auth failed/);
  assert.match(f, /▶ PROCEDURES/);
  assert.match(f, /› §4\.6 etcd-backup ○/);
});

test('the status line names the host with a problem, and the first of many with +N more, within 80 columns', () => {
  const line = (props: Parameters<typeof SummaryLine>[0]) => stripAnsi(render(<SummaryLine {...props} />).lastFrame() ?? '');
  const inv = testInventory();
  const order = inv.hosts.map((h) => h.name);
  const snap = new Map<string, Connectivity>(inv.hosts.map((h) => [h.name, { state: 'ok' }]));
  snap.set('node-0.example.com', { state: 'unreachable' });
  let f = line({ connectivity: snap, order, domain: '.example.com', width: 80 });
  assert.match(f, /^hosts 5 · ✓ ok 4 · ✗ 1 problem: node-0 unreachable {2}\(Enter on a host: why/);
  assert.ok([...f].length <= 80, f);

  // Many problems: the first in the order Home lists the hosts (node-0 before lb-0), and how many more.
  snap.set('lb-0.example.com', { state: 'auth-failed' });
  snap.set('master-1.example.com', { state: 'host-key-changed' });
  f = line({
    connectivity: snap,
    order: ['master-0.example.com', 'node-0.example.com', 'lb-0.example.com', 'master-1.example.com'],
    domain: '.example.com',
    width: 80,
  });
  assert.match(f, /✗ 3 problems: node-0 unreachable \+2 more/);
  assert.ok([...f].length <= 80, f);

  // With long names and health counts the name stays, cut if it must; nothing passes 80 columns.
  const long = new Map<string, Connectivity>([
    ['a-very-long-application-node-name-number-0042.prod.eu-west.corp', { state: 'host-key-changed' }],
    ['b', { state: 'ok' }],
  ]);
  const health = FakeHealthRun.forInventory(inv).getSnapshot();
  f = line({ connectivity: long, health, width: 80 });
  assert.match(f, /✗ 1 problem: a-very-long-application/);
  assert.match(f, /│ health · \d+$/, 'compact counts: symbol and number');
  assert.ok([...f].length <= 80, f);
});

test('80 columns, DEMO, real catalogue: a hosts pane of 37, names and roles whole; procedures as "§5.4.2.1 etcd-restore  Title"', async () => {
  const { CATALOGUE } = await import('../procedures/catalogue.js');
  const { demoInventory } = await import('../src/demo/inventory.js');
  const inv = demoInventory();
  const snap = new Map<string, Connectivity>(inv.hosts.map((h) => [h.name, { state: 'ok' }]));
  snap.set(inv.hosts.find((h) => h.name.startsWith('app-node-2'))!.name, { state: 'unreachable' });
  const home = (filter: string) =>
    stripAnsi(
      render(
        <Home
          inventory={inv}
          catalogue={CATALOGUE}
          connectivity={snap}
          focus='procedures'
          selected={{ hosts: undefined, procedures: undefined }}
          filter={{ hosts: '', procedures: filter }}
          width={80}
          height={21}
        />,
      ).lastFrame(),
    );
  let f = home('');
  assertFits(f, 80, 22);
  const top = f.split('\n')[2]!;
  assert.equal(top.indexOf('┐'), 36, `a hosts pane of 37 columns: ${top}`);
  assert.match(f, /│ {2}master-0 \+etcd,node ✓ ok/, 'the other roles whole');
  assert.match(f, /│ {2}infra-node-0 \+node +✓ ok/, 'names whole');
  assert.match(f, /│› app-node-2 +✗ unreachable│/, 'the cursor starts on the host with a problem');
  assert.match(f, /║› §2\.1 ntp {2}check: Time synchronisation… ║/, 'a check says so before its title');
  assert.match(f, /║ {2}§2\.1 fix-ntp {2}Turn on time/, 'a procedure does not');
  assert.match(f, /§3\.3\+ etcd-members {2}check: etcd members/, 'the first section, + when it follows more');
  f = home('etcd-restore');
  assert.match(f, /║› §5\.4\.2\.1 etcd-restore {2}Restore etcd fr…║/);
});

test('a start-here line on Home says what to press; on the DEMO cluster first its scenario and what to rehearse', async () => {
  const demo = renderApp(testInventory({ kind: 'demo' }));
  let f = await untilFrame(demo.frame, /▶ HOSTS/);
  assert.match(f, /^DEMO healthy — rehearse: etcd-backup · h health · Tab\+Enter a procedure · \? keys$/m);
  assertFits(f, 80, 24);
  demo.unmount();
  const quorum = renderApp(testInventory({ kind: 'demo', scenario: 'etcd-quorum-lost' }));
  f = await untilFrame(quorum.frame, /▶ HOSTS/);
  assert.match(f, /^DEMO etcd-quorum-lost — rehearse: etcd-restore · h health · \? keys$/m);
  assertFits(f, 80, 24);
  // Tab, then Enter, opens the procedure to rehearse: it is the one selected in the procedures pane
  await quorum.press('\t');
  assert.match(quorum.frame(), /║› §5\.4\.2\.1 etcd-restore /);
  await quorum.press('\r');
  assert.match(quorum.frame(), /PROCEDURE etcd-restore/);
  quorum.unmount();
  const file = renderApp();
  f = await untilFrame(file.frame, /▶ HOSTS/);
  assert.match(f, /^Start here: h health checks of every host · Tab, Enter a procedure · \? keys$/m);
  assert.doesNotMatch(f, /rehearse/);
  assertFits(f, 80, 24);
});

test('startHere: the DEMO scenario line is shortened to fit, the scenario id kept to the last', () => {
  const s = { id: 'node-notready', rehearse: ['node-evacuate', 'node-decommission'] };
  assert.equal(
    startHere(200, s).startsWith('DEMO node-notready — rehearse: node-evacuate, node-decommission · Start here: h = health'),
    true,
  );
  assert.equal(startHere(80, s), 'DEMO node-notready — rehearse: node-evacuate, node-decommission');
  for (const w of [120, 100, 80, 64, 40, 20]) assert.ok([...startHere(w, s)].length <= w, `width ${w}: ${startHere(w, s)}`);
  assert.equal(startHere(63, s), 'DEMO node-notready — rehearse: node-evacuate, node-decommission');
  assert.equal(startHere(62, s), 'DEMO node-notready · h health · Tab+Enter a procedure · ? keys');
  assert.equal(startHere(20, s), 'DEMO node-notready');
  assert.equal(startHere(80, false), 'Start here: h health checks of every host · Tab, Enter a procedure · ? keys');
});

test('Home says who the oc login is, and warns in one line when it cannot read what the checks need', async () => {
  const { ocLoginVerdict } = await import('../src/model/oc-login.js');
  const { OC_READS } = await import('../src/ocp/oc-login.js');
  const facts = (no: string[]) => ({
    whoami: { exitCode: 0, stdout: 'dev\n', stderr: '' },
    server: { exitCode: 0, stdout: 'https://master.example.com:8443\n', stderr: '' },
    canI: OC_READS.map((read) => ({
      read,
      out: { exitCode: no.includes(read.resource) ? 1 : 0, stdout: no.includes(read.resource) ? 'no' : 'yes', stderr: '' },
    })),
  });
  let answer: (v: ReturnType<typeof ocLoginVerdict>) => void = () => {};
  const pending = new Promise<ReturnType<typeof ocLoginVerdict>>((res) => (answer = res));
  const { frame } = renderApp(testInventory(), undefined, { readOcLogin: () => pending });
  await untilFrame(frame, /oc: … reading the login/);
  answer(ocLoginVerdict(facts(['nodes'])));
  const f = await untilFrame(frame, /⚠ oc: dev/);
  assert.match(f, /⚠ oc: dev cannot list nodes — nodes-ready fail; oc login as a cluster-admin/);
  assertFits(f, 80, 24);
  assert.match(f, /▶ HOSTS/);
});

test('Home shows a cluster-admin login as who on which server', async () => {
  const { ocLoginVerdict } = await import('../src/model/oc-login.js');
  const verdict = ocLoginVerdict({
    whoami: { exitCode: 0, stdout: 'system:admin\n', stderr: '' },
    server: { exitCode: 0, stdout: 'https://master.example.com:8443\n', stderr: '' },
    canI: [],
  });
  const { frame } = renderApp(testInventory(), undefined, { readOcLogin: async () => verdict });
  const f = await untilFrame(frame, /✓ oc: system:admin on https:\/\/master\.example\.com:8443/);
  assertFits(f, 80, 24);
});
