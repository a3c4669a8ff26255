import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import type { Procedure } from '../src/engine/types.js';
import { ConnectivityMonitor } from '../src/model/connectivity.js';
import { App } from './App.js';
import { FakeHealthRun } from './testing/fake-health.js';
import { FakeRunner, settle, stripAnsi, testCatalogue, testInventory, untilFrame, waitFor } from './testing/fixtures.js';

const monitors: ConnectivityMonitor[] = [];
afterEach(() => {
  cleanup();
  for (const m of monitors.splice(0)) m.dispose();
});

const ESC = '\x1b';
const RIGHT = '\x1b[C';
const M0 = 'master-0.example.com';

function renderApp(opts: { columns?: number; rows?: number; noColor?: boolean; procedures?: Procedure[] } = {}) {
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  monitors.push(monitor);
  const runs: FakeHealthRun[] = [];
  const r = render(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={opts.columns ?? 80}
      rows={opts.rows ?? 24}
      noColor={opts.noColor}
      procedures={opts.procedures}
      startHealth={() => {
        const run = FakeHealthRun.forInventory(inventory);
        runs.push(run);
        return run;
      }}
    />,
  );
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  const run = () => {
    const x = runs[0];
    if (!x) throw new Error('no health run started');
    return x;
  };
  return { ...r, frame, press, runs, run };
}

/** The matrix line of a row (by its short name). */
const rowLine = (f: string, label: string) => f.split('\n').find((l) => new RegExp(`║[› ] ${label} `).test(l)) ?? '';

function assertFits(f: string, columns: number, rows: number) {
  const lines = f.split('\n');
  assert.ok(lines.length <= rows - 1, `${lines.length} lines`);
  for (const l of lines) assert.ok([...l].length <= columns, `too wide (${[...l].length}): ${l}`);
}

test('h starts the run once and shows the matrix; cells fill in as results arrive', async () => {
  const { frame, press, runs, run } = renderApp();
  await untilFrame(frame, /h health/);
  assert.equal(runs.length, 0, 'nothing runs before Health is opened');
  assert.match(frame(), /h health/);
  await press('h');
  await waitFor(() => frame().includes('HEALTH'), 'health screen');
  assert.equal(runs.length, 1);
  let f = frame();
  assert.match(f, /17 checks × 5 hosts/);
  assert.match(f, /host \\ check\s+ntp entrpy sclass/);
  assert.match(f, /· \d+ pending/);
  assert.match(rowLine(f, 'master-0'), /· +·/, 'pending cells');
  assert.match(rowLine(f, 'lb-0'), /lb-0 +· +· *║/, 'lb: only ntp and entropy apply');
  run().set('ntp', M0, { status: 'running' });
  await untilFrame(frame, /running 1/);
  assert.match(rowLine(frame(), 'master-0'), /master-0 +… +·/);
  assert.match(frame(), /running 1/);
  run().set('ntp', M0, { status: 'ok', message: 'synchronised' });
  run().set('entropy', M0, { status: 'fail', message: 'only 120 bits' });
  f = await untilFrame(frame, /✗ 1 fail/);
  assert.match(rowLine(f, 'master-0'), /master-0 +✓ +✗/);
  assert.match(f, /✓ 1 ok {2}! 0 warn {2}✗ 1 fail/);
  // Leaving and coming back keeps the same run.
  await press(ESC, 'h');
  assert.equal(runs.length, 1);
  assertFits(frame(), 80, 24);
});

test('at 80 columns the checks scroll sideways with the host column fixed, and say how many are hidden', async () => {
  const { frame, press } = renderApp();
  await press('h');
  let f = frame();
  assert.match(f, /\d+ more ›/);
  assert.doesNotMatch(f, /‹ \d+ more/);
  assert.doesNotMatch(f, / mtu /);
  await press('j'); // master-0
  await press(...Array(16).fill('l'));
  f = frame();
  assert.match(f, /‹ \d+ more/);
  assert.doesNotMatch(f, /more ›/);
  assert.match(f, / mtu /);
  assert.match(f, /› master-0/, 'the host column stays');
  assert.match(f, /mtu \(MTU of the SDN, §3\.10\) on master-0: · pending/);
  assertFits(f, 80, 24);
  await press('h', RIGHT, '0');
  assert.doesNotMatch(frame(), /‹ \d+ more/);
});

test('Enter on a failed cell shows the verdict, the fix and the raw output; Esc goes back', async () => {
  const { frame, press, run } = renderApp();
  await press('h');
  run().set('etcd-health', M0, {
    status: 'fail',
    message: 'member master-1 is unhealthy',
    fix: { procedure: 'etcd-restore', text: 'Restore the member from its last backup.' },
    details: { healthy: 1, members: 2 },
    raw: {
      health: {
        command: 'etcdctl3 endpoint health',
        exitCode: 1,
        stdout: 'https://10.0.0.10:2379 is healthy',
        stderr: 'https://10.0.0.11:2379 is unhealthy',
      },
    },
    durationMs: 1500,
  });
  await press('j', '0', ...Array(4).fill('l'));
  assert.match(frame(), /etcd-health on master-0: ✗ fail — member master-1 is unhealthy/);
  await press('\r');
  const f = frame();
  assert.match(f, /CHECK etcd-health on master-0\.example\.com/);
  assert.match(f, /etcd member health — guide section 3\.3/);
  assert.match(f, /Status: {2}✗ FAIL/);
  assert.match(f, /Message: member master-1 is unhealthy/);
  assert.match(f, /Fix: {5}Restore the member from its last backup\./);
  assert.match(f, /run: etcd-restore/);
  assert.match(f, /"healthy": 1/);
  assert.match(f, /Esc back/);
  await press('G');
  const g = frame();
  assert.match(g, /\$ etcdctl3 endpoint health/);
  assert.match(g, /exit 1/);
  assert.match(g, /10\.0\.0\.10:2379 is healthy/);
  assert.match(g, /stderr:/);
  assert.match(g, /10\.0\.0\.11:2379 is unhealthy/);
  assertFits(g, 80, 24);
  await press(ESC);
  assert.match(frame(), /▶ HEALTH/);
});

/** A built etcd-restore with a host parameter of role etcd (the form is all this test needs of it). */
function restoreProcedure(): Procedure {
  const entry = testCatalogue().find((e) => e.id === 'etcd-restore')!;
  return {
    entry: { ...entry, built: true },
    parameters: [{ name: 'host', description: 'Member that gets the backup data', required: true, choices: { fromRole: 'etcd' } }],
    steps: [],
  };
}

test('f on a failed cell opens its fix with the host filled in (also from its detail); Esc returns to Health', async () => {
  const { frame, press, run } = renderApp({ procedures: [restoreProcedure()] });
  await press('h');
  const fail = { status: 'fail' as const, message: 'etcd does not answer', fix: { procedure: 'etcd-restore', text: 'Restore it.' } };
  run().set('etcd-health', 'master-1.example.com', fail);
  await press('j', 'j', '0', ...Array(4).fill('l'));
  assert.match(frame(), /etcd-health on master-1: ✗ fail/);
  await press('f');
  assert.match(frame(), /Restore etcd/);
  assert.match(frame(), /● master-1\.example\.com/);
  await press(ESC);
  assert.match(frame(), /▶ HEALTH/);
  await press('\r', 'f');
  assert.match(frame(), /● master-1\.example\.com/);
  await press(ESC, ESC, '0', 'f');
  assert.match(frame(), /no procedure repairs this|does not apply here/);
});

test('r re-runs the selected cell (also from its detail), R every cell; a blank cell is not re-run', async () => {
  const { frame, press, run } = renderApp();
  await press('h');
  await press('r');
  assert.deepEqual(run().reruns, [[{ check: 'default-storageclass', host: null }]]);
  assert.match(frame(), /Re-running default-storageclass on the cluster/);
  await press('j', 'r');
  assert.match(frame(), /does not apply here \(blank cell\)/);
  assert.equal(run().reruns.length, 1);
  await press('0', 'l', 'r');
  assert.deepEqual(run().reruns[1], [{ check: 'entropy', host: M0 }]);
  await press('\r', 'r');
  assert.deepEqual(run().reruns[2], [{ check: 'entropy', host: M0 }]);
  await press(ESC, 'R');
  assert.equal(run().reruns[3], 'all');
  assert.match(frame(), /Re-running every check/);
});

test('/ filters by host or check id; p shows only rows and columns with a problem', async () => {
  const { frame, press, run } = renderApp();
  await press('h');
  await press('/', 'etcd');
  let f = frame();
  assert.match(f, /\/ filter health: etcd█/);
  assert.match(f, /etcd +member/);
  assert.doesNotMatch(f, /ntp/);
  assert.doesNotMatch(f, /lb-0/);
  await press('\r', ESC);
  assert.match(frame(), /Filter cleared/);
  for (const c of run().cells()) run().set(c.check, c.host, { status: 'ok' });
  run().set('disk', 'node-0.example.com', { status: 'warn', message: '/var is 85% full' });
  await press('p');
  f = frame();
  assert.match(f, /PROBLEMS ONLY/);
  assert.match(rowLine(f, 'node-0'), /\[!\]/);
  assert.doesNotMatch(f, /master-0|cluster/);
  assert.match(f, /disk on node-0: ! warn — \/var is 85% full/);
  run().set('disk', 'node-0.example.com', { status: 'ok' });
  await untilFrame(frame, /every check passed/);
  assert.match(frame(), /every check passed/);
  await press('p');
  assert.match(frame(), /master-0/);
});

test('Home shows a verdict per host once a run exists, and the run counts in its summary line', async () => {
  const { frame, press, run } = renderApp();
  await untilFrame(frame, /▶ HOSTS/);
  assert.doesNotMatch(frame(), /│ health/);
  await press('h');
  for (const c of run().cells()) run().set(c.check, c.host, { status: 'ok' });
  run().set('etcd-health', M0, { status: 'fail' });
  run().set('disk', M0, { status: 'fail' });
  await press(ESC);
  const f = frame();
  assert.match(f, /│ health ✗ 2 fail/);
  assert.match(f, /master-0 \+etcd,node\s+✓ ok\s+✗ 2 fail/);
  assert.match(f, /lb-0\s+✓ ok\s+✓ 2 ok/);
  assert.match(f, /ssh · checks/);
  assertFits(f, 80, 24);
  await press('\r');
  assert.match(frame(), /Health: {3}✗ 2 fail: etcd-health, disk/);
});

test('80×24 and smaller never overflow, whatever the screen', async () => {
  for (const [columns, rows] of [
    [80, 24],
    [60, 20],
  ] as const) {
    const { frame, press, run, unmount } = renderApp({ columns, rows });
    await press('h');
    for (const c of run().cells()) run().set(c.check, c.host, { status: 'fail', message: 'x'.repeat(200), fix: { text: 'y '.repeat(80) } });
    await untilFrame(frame, /✗ [1-9]\d* fail/);
    assertFits(frame(), columns, rows);
    await press('j', 'l', 'l', 'p');
    assertFits(frame(), columns, rows);
    await press('\r');
    assertFits(frame(), columns, rows);
    unmount();
  }
});

test('without a health runner the screen says so', async () => {
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  monitors.push(monitor);
  const r = render(<App inventory={inventory} catalogue={testCatalogue()} monitor={monitor} version='0.1.0' columns={80} rows={24} />);
  await untilFrame(r.lastFrame, /▶ HOSTS/);
  r.stdin.write('h');
  await untilFrame(r.lastFrame, /Health checks are not available/);
  r.stdin.write('r');
  await untilFrame(r.lastFrame, /No health run yet/);
});

test(
  'Health: the footer as before; G / g to the last / first row, $ / 0 to the last / first ' + 'check; ? lists the Health keys first',
  async () => {
    const { frame, press } = renderApp();
    await press('h');
    await waitFor(() => frame().includes('HEALTH'), 'health screen');
    assert.match(frame(), /↑↓←→ cell {2}Enter detail {2}f fix {2}r re-run {2}p problems {2}\/ filter {2}Esc back {2}\? help/);
    await press('G');
    assert.match(frame(), /║› lb-0 /);
    await press('g', 'j', '$');
    assert.match(frame(), /› master-0/);
    assert.match(frame(), /‹ \d+ more/);
    await press('0');
    assert.doesNotMatch(frame(), /‹ \d+ more/);
    await press('?');
    const f = frame();
    assert.match(f, /HELP — Health/);
    const at = (s: string) => f.indexOf(s);
    assert.ok(at('KEYS HERE: HEALTH') >= 0);
    assert.ok(at('KEYS HERE: HEALTH') < at('h l ← →          move between checks'));
    assert.ok(at('h l ← →          move between checks') < at('p                problems only'));
    await press('?');
    assert.match(frame(), /› master-0/, 'back on Health, on the row it was on');
  },
);
