import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { CONNECTIVITY_LABELS } from '../src/model/connectivity.js';
import { Help, helpLines, screenHelp, screenSections } from './Help.js';
import { GLOBAL_HELP } from './keymap.js';
import { stripAnsi, untilFrame } from './testing/fixtures.js';

afterEach(() => cleanup());

test('the help text names every key and every connectivity state with what to do', () => {
  const text = helpLines()
    .map((l) => l.text)
    .join('\n');
  assert.match(
    text,
    /✓ ! ✗ E - … · Health cells: ok, warn, fail, error \(could not check\), skipped, running, pending; blank: does not apply/,
  );
  for (const k of GLOBAL_HELP) assert.ok(text.includes(k.keys) && text.includes(k.what), k.keys);
  for (const s of screenSections())
    for (const k of s.entries) assert.ok(text.includes(`${k.keys.padEnd(16)} ${k.what}`), `${s.title}: ${k.keys}`);
  for (const l of Object.values(CONNECTIVITY_LABELS)) {
    assert.ok(text.includes(`${l.symbol} ${l.word}`), l.word);
    assert.ok(text.includes(l.meaning), l.meaning);
    assert.ok(text.includes(`What to do: ${l.action}`), l.action);
  }
});

test('the help scrolls at 80×24 and never overflows', async () => {
  const { lastFrame, stdin } = render(<Help width={80} height={21} active />);
  let f = stripAnsi(lastFrame());
  assert.match(f, /▶ HELP/);
  assert.match(f, /lines 1-18\/\d+ {2}j\/k scroll/);
  assert.equal(f.split('\n').length, 21);
  await untilFrame(lastFrame, /▶ HELP/);
  stdin.write('G');
  f = await untilFrame(lastFrame, /lines \d+-(\d+)\/\1 /, 'the last page');
  assert.match(f, /⚠ WARNING/);
  assert.doesNotMatch(f, /^║KEYS/m);
  for (const l of f.split('\n')) assert.ok([...l].length <= 80);
});

test("opened on a screen with a keymap, the help starts with that screen's keys, then the keys of every screen", () => {
  const nodes = screenHelp('nodes');
  assert.ok(nodes, 'the Nodes screen declares its keys');
  const lines = helpLines(false, 'nodes').map((l) => l.text);
  assert.equal(lines[0], 'KEYS HERE: NODES');
  for (const [i, e] of nodes.entries.entries())
    assert.ok(lines[1 + i]!.trim().startsWith(`${e.keys} `) && lines[1 + i]!.endsWith(e.what), `${e.keys}: ${lines[1 + i]}`);
  assert.equal(lines[2 + nodes.entries.length], 'KEYS ON EVERY SCREEN');
  assert.equal(lines.filter((l) => l.includes(nodes.entries[0]!.what)).length, 1, 'listed once, not again under the other screens');
  assert.deepEqual(helpLines(false, 'help'), helpLines(), 'a screen without a keymap: the help as opened anywhere');
});
