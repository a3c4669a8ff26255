// The run view under NO_COLOR at 80×24: no colour code, nothing overflows, states as marks and words,
// search matches in inverse video. Colour is forced on for this process (as in color.test.tsx) so that
// the check is not vacuous.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

process.env['FORCE_COLOR'] = '3';
const { cleanup } = await import('ink-testing-library');
const { untilFrame } = await import('./testing/fixtures.js');
const { fits, openToy, renderRunApp } = await import('./testing/run-app.js');

const disposers: (() => void)[] = [];
afterEach(() => {
  cleanup();
  for (const d of disposers.splice(0)) d();
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

const H0 = 'master-0.example.com';
const H1 = 'master-1.example.com';

async function run(noColor: boolean) {
  const a = renderRunApp({ noColor });
  disposers.push(a.dispose);
  await openToy(a);
  const frames: string[] = [a.lastFrame() ?? ''];
  await a.press('p');
  frames.push(a.lastFrame() ?? '');
  await a.press('r', 'y');
  const s = a.sessions[0]!;
  s.startStep('copy-config');
  for (let i = 0; i < 30; i++) s.line(i % 2 ? H1 : H0, `${i === 20 ? 'ERROR ' : ''}${'x'.repeat(200)}`);
  s.endStep('copy-config', 'ok', 3100);
  s.startStep('wipe');
  await untilFrame(a.frame, /running Move the old data directory aside/);
  await a.press('/', 'ERROR', '\r');
  frames.push(a.lastFrame() ?? '');
  s.gate({
    step: 'wipe',
    kind: 'type-host',
    what: 'Moves /var/lib/etcd aside. '.repeat(6),
    hosts: [H0],
    protectedBy: 'the snapshot',
    expect: H0,
  });
  await untilFrame(a.frame, /DESTRUCTIVE GATE/);
  frames.push(a.lastFrame() ?? '');
  await a.press('\x1b');
  frames.push(a.lastFrame() ?? '');
  return { frames, frame: a.frame };
}

test('with colour wanted the run view uses colour (the check below is not vacuous)', async () => {
  const { frames } = await run(false);
  assert.ok(colourCodes(frames.join('\n')).length > 0);
});

test('NO_COLOR: no colour code in form, plan, run, gate; 80×24 never overflows; marks and words; match in inverse', async () => {
  const { frames, frame } = await run(true);
  for (const f of frames) {
    assert.deepEqual(colourCodes(f), []);
    // eslint-disable-next-line no-control-regex
    const plain = f.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.equal(fits(plain), undefined, fits(plain));
  }
  assert.match(frames[2]!, /\x1b\[7m(\x1b\[1m)?ERROR/, 'the match in inverse video');
  const gate = frames[3]!.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex
  assert.match(gate, /1\. ✓ ok Save the etcd configuration/);
  assert.match(gate, /3\. \? waiting for you Move the old data directory aside/);
  assert.match(gate, /⚠ DESTRUCTIVE GATE/);
  assert.match(frame(), /STOPPED AT THE GATE/);
});
