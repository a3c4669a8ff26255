// NO_COLOR / --no-color: not one colour code in the output, while the states stay readable.
// Colour is forced on for this process (FORCE_COLOR, read when Ink's chalk loads) so that the
// check is not vacuous: with colour wanted, colour codes do appear.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

process.env['FORCE_COLOR'] = '3';
const { cleanup, render } = await import('ink-testing-library');
const { App } = await import('./App.js');
const { colorWanted } = await import('./theme.js');
const { ConnectivityMonitor } = await import('../src/model/connectivity.js');
const { FakeRunner, stripAnsi, testCatalogue, testInventory, untilFrame } = await import('./testing/fixtures.js');

const monitors: InstanceType<typeof ConnectivityMonitor>[] = [];
afterEach(() => {
  cleanup();
  for (const m of monitors.splice(0)) m.dispose();
});

/** SGR sequences that set a colour: 30–37, 38;…, 39, 40–47, 48;…, 49, 90–97, 100–107. */
function colourCodes(s: string): string[] {
  const out: string[] = [];
  // eslint-disable-next-line no-control-regex
  for (const m of s.matchAll(/\x1b\[([0-9;]*)m/g)) {
    const params = (m[1] ?? '').split(';').map(Number);
    if (params.some((p) => (p >= 30 && p <= 49) || (p >= 90 && p <= 107))) out.push(m[0]);
  }
  return out;
}

async function frames(noColor: boolean, demo: boolean) {
  const inventory = testInventory(demo ? { kind: 'demo' } : undefined);
  const runner = new FakeRunner().answerProbes((h) =>
    h.name.startsWith('lb')
      ? { state: 'unreachable', reason: 'timeout' }
      : h.name.startsWith('node')
        ? { state: 'host-key-unknown' }
        : { state: 'ok' },
  );
  const monitor = new ConnectivityMonitor(inventory, runner);
  monitors.push(monitor);
  const r = render(
    <App inventory={inventory} catalogue={testCatalogue()} monitor={monitor} version='0.1.0' columns={80} rows={24} noColor={noColor} />,
  );
  // Home once every probe answered (the states are read from it), then the screen each key leads to.
  await untilFrame(r.lastFrame, (f) => /master-0 \+etcd,node\s+✓ ok/.test(f) && /node-0\s+\? host key/.test(f) && /lb-0\s+✗/.test(f));
  const out: string[] = [r.lastFrame() ?? ''];
  for (const [k, shows] of [
    ['\t', /▶ PROCEDURES/],
    ['\r', /Esc back/],
    ['\x1b', /▶ PROCEDURES/],
    ['?', /▶ HELP/],
  ] as const) {
    const before = r.lastFrame();
    r.stdin.write(k);
    await untilFrame(r.lastFrame, (f) => r.lastFrame() !== before && shows.test(f));
    out.push(r.lastFrame() ?? '');
  }
  r.unmount();
  return out;
}

test('with colour wanted, colour codes are written (the check below is not vacuous)', async () => {
  const all = (await frames(false, true)).join('\n');
  assert.ok(colourCodes(all).length > 0);
});

test('noColor: no colour code on any screen, and every state still reads as symbol + word', async () => {
  const out = await frames(true, true);
  for (const f of out) assert.deepEqual(colourCodes(f), []);
  const home = stripAnsi(out[0]);
  assert.match(home, /master-0 \+etcd,node\s+✓ ok/, 'at 80 columns the other roles are whole beside the badge');
  assert.match(home, /node-0\s+\? host key unknown/);
  assert.match(home, /lb-0\s+✗ unreachable/);
  assert.match(home, /DEMO — simulated cluster, no host is contacted/);
  assert.match(home, /fix-ntp ○/);
});

test('NO_COLOR non-empty or --no-color turn colour off; NO_COLOR empty does not', () => {
  assert.equal(colorWanted({}), true);
  assert.equal(colorWanted({ NO_COLOR: '' }), true);
  assert.equal(colorWanted({ NO_COLOR: '1' }), false);
  assert.equal(colorWanted({}, true), false);
});
