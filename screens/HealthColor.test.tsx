// NO_COLOR on the Health screens: not one colour code, and every cell still reads as a symbol.
// Colour is forced on for this process (as in color.test.tsx) so that the check is not vacuous.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

process.env['FORCE_COLOR'] = '3';
const { cleanup, render } = await import('ink-testing-library');
const { App } = await import('./App.js');
const { ConnectivityMonitor } = await import('../src/model/connectivity.js');
const { FakeHealthRun } = await import('./testing/fake-health.js');
const { FakeRunner, settle, stripAnsi, testCatalogue, testInventory, waitFor } = await import('./testing/fixtures.js');

const monitors: InstanceType<typeof ConnectivityMonitor>[] = [];
afterEach(() => {
  cleanup();
  for (const m of monitors.splice(0)) m.dispose();
});

function colourCodes(s: string): string[] {
  const out: string[] = [];
  // eslint-disable-next-line no-control-regex
  for (const m of s.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const params = (m[1] ?? '').split(';').map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) out.push(m[0]);
  }
  return out;
}

async function frames(noColor: boolean) {
  const inventory = testInventory();
  const monitor = new ConnectivityMonitor(
    inventory,
    new FakeRunner().answerProbes(() => ({ state: 'ok' })),
  );
  monitors.push(monitor);
  const run = FakeHealthRun.forInventory(inventory);
  const statuses = ['ok', 'warn', 'fail', 'error', 'skipped', 'running', 'pending'] as const;
  run.update(
    run.cells().map((c, i) => ({
      ...c,
      result: { status: statuses[i % statuses.length]!, message: 'm', fix: { text: 'f', procedure: 'etcd-restore' } },
    })),
  );
  const r = render(
    <App
      inventory={inventory}
      catalogue={testCatalogue()}
      monitor={monitor}
      version='0.1.0'
      columns={80}
      rows={24}
      noColor={noColor}
      startHealth={() => run}
    />,
  );
  await settle(() => r.lastFrame());
  const out: string[] = [];
  // each key, and what its screen shows once it is handled (waited for: a busy machine may take its time)
  const keys: [string, RegExp | undefined][] = [
    ['h', /Home › Health/],
    ['j', undefined],
    ['0', undefined],
    ['\r', /Status: /],
    ['\x1b', /Home › Health\n/],
    ['p', /PROBLEMS ONLY/],
    ['\x1b', undefined],
  ];
  for (const [k, shows] of keys) {
    r.stdin.write(k);
    if (shows) await waitFor(() => shows.test(stripAnsi(r.lastFrame())), `${JSON.stringify(k)} → ${shows}`, 10_000);
    await settle(() => r.lastFrame());
    out.push(r.lastFrame() ?? '');
  }
  r.unmount();
  return out;
}

test('with colour wanted, the health screens write colour codes (the check below is not vacuous)', async () => {
  assert.ok(colourCodes((await frames(false)).join('\n')).length > 0);
});

test('noColor: no colour code on the matrix, the detail or Home; every status still has its symbol', async () => {
  const out = await frames(true);
  for (const f of out) assert.deepEqual(colourCodes(f), []);
  const matrix = stripAnsi(out[0]);
  for (const sym of ['✓', '!', '✗', 'E', '-', '…', '·']) assert.ok(matrix.includes(sym), `symbol ${sym}`);
  assert.match(stripAnsi(out[3]), /Status: {2}\S [A-Z]+/);
  assert.match(stripAnsi(out[5]), /PROBLEMS ONLY/);
  assert.match(stripAnsi(out[6]), /│ health/);
});
