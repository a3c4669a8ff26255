// NO_COLOR on the Nodes screens: not one colour code in the list, the pods, the drain modal or the drain,
// while every state still reads as a mark and a word. Colour is forced on for this process (FORCE_COLOR,
// read when Ink's chalk loads) so that the check is not vacuous.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

process.env['FORCE_COLOR'] = '3';
const { cleanup } = await import('ink-testing-library');
const { renderNodesApp, APP0 } = await import('./testing/demo-nodes.js');
const { stripAnsi, waitFor } = await import('./testing/fixtures.js');

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
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

/** The raw frames of: the list, a node's pods, the drain modal with --force, a finished drain. */
async function frames(noColor: boolean): Promise<string[]> {
  const a = renderNodesApp({ noColor });
  disposers.push(a.dispose);
  const raw = () => a.lastFrame() ?? '';
  const out: string[] = [];
  await waitFor(() => a.frame().includes('HOSTS'), 'Home');
  await a.press('n');
  await waitFor(() => /master-2 /.test(a.frame()), 'the list');
  out.push(raw());
  await a.press('\r');
  await waitFor(() => a.frame().includes('debug-shell'), 'the pods');
  out.push(raw());
  await a.press('\x1b', 'd');
  await waitFor(() => a.frame().includes('DaemonSet pods stay'), 'the modal');
  await a.press('\x1b[B', ' ', '\x1b[B', ' ', '\x1b[B', '\x1b[B', '\x1b[B', APP0);
  out.push(raw());
  await a.press('\r');
  await waitFor(() => a.frame().includes('✓ DRAINED'), 'the drain');
  out.push(raw());
  return out;
}

test('with colour wanted, the Nodes screens write colour codes (the check below is not vacuous)', async () => {
  assert.ok(colourCodes((await frames(false)).join('\n')).length > 0);
});

test('noColor: no colour code on any Nodes screen; states read as marks and words', async () => {
  const out = await frames(true);
  for (const f of out) assert.deepEqual(colourCodes(f), []);
  const [list, pods, modal, drain] = out.map(stripAnsi);
  assert.match(list!, /app-node-2 +✗ NotReady/);
  assert.match(list!, /master-0 +✓ Ready,SchedulingDisabled +master +✗ no/);
  assert.match(pods!, /cache-\w{5} +Running +RC cache +emptyDir/);
  assert.match(modal!, /⚠ DRAIN --force/);
  assert.match(modal!, /\[x\] force/);
  assert.match(drain!, /✓ DRAINED/);
  assert.match(drain!, /✓ evicted/);
  assert.match(drain!, /- left: DaemonSet \(stays\)/);
});
