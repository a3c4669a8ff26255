import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { delay, stripAnsi, untilFrame, waitFor } from '../testing/fixtures.js';
import { Pager } from './Pager.js';

afterEach(() => cleanup());

const lines = Array.from({ length: 30 }, (_, i) => ({ text: `line ${i + 1}` }));

test('j/k, G and g scroll; inactive, it ignores keys', async () => {
  const { lastFrame, stdin, rerender } = render(<Pager title='T' lines={lines} width={40} height={8} active />);
  const shows = (re: RegExp) => waitFor(() => re.test(stripAnsi(lastFrame())), `a frame with ${re}`, 10_000);
  await shows(/lines 1-5\/30/);
  stdin.write('j');
  await shows(/lines 2-6\/30/);
  stdin.write('G');
  await shows(/line 30/);
  stdin.write('g');
  await shows(/lines 1-5\/30/);
  rerender(<Pager title='T' lines={lines} width={40} height={8} active={false} />);
  await delay();
  stdin.write('j');
  await delay();
  assert.match(stripAnsi(lastFrame()), /lines 1-5\/30/);
});

test('long lines wrap with their indent, within the width', () => {
  const { lastFrame } = render(
    <Pager title='T' lines={[{ text: `What to do: ${'word '.repeat(20)}`, indent: '    ' }]} width={30} height={10} active={false} />,
  );
  const f = stripAnsi(lastFrame());
  assert.match(f, /║ {4}word/);
  for (const l of f.split('\n')) assert.ok([...l].length <= 30);
});

test('a title too long even for the bare counter is cut, with a space before the counter', () => {
  const lines = Array.from({ length: 40 }, (_, i) => ({ key: String(i), text: `line ${i}` }));
  const { lastFrame } = render(
    <Pager title={`PLAN etcd-restore — 28 steps, 2 gates${'x'.repeat(60)}`} lines={lines} width={80} height={10} active />,
  );
  const top = lastFrame()!.split('\n')[1]!;
  assert.match(top, /… 1-\d+\/40║/);
  assert.doesNotMatch(top, /j\/k scroll/);
});

test('at 80 columns the plan title stays whole: the counter drops "j/k scroll" rather than cut it', () => {
  const lines = Array.from({ length: 428 }, (_, i) => ({ key: String(i), text: `line ${i}` }));
  const title = 'PLAN etcd-restore — 28 steps, 3 DESTRUCTIVE, 3 gates';
  const { lastFrame } = render(<Pager title={title} lines={lines} width={80} height={20} active />);
  const top = stripAnsi(lastFrame()).split('\n')[1]!;
  assert.match(top, /▶ PLAN etcd-restore — 28 steps, 3 DESTRUCTIVE, 3 gates +lines 1-17\/428║/);
  assert.doesNotMatch(top, /j\/k scroll|…/);
  // with room, the hint is there
  const wide = render(<Pager title='T' lines={lines} width={80} height={20} active />);
  assert.match(stripAnsi(wide.lastFrame()).split('\n')[1]!, /lines 1-17\/428 {2}j\/k scroll/);
});

test(
  'the common movement keys: PgDn / Space a page, Ctrl-D / Ctrl-U half of one, End / Home ' + 'the ends, also several in one read',
  async () => {
    const { lastFrame, stdin } = render(<Pager title='T' lines={lines} width={40} height={14} active />);
    const top = (f: string) => /lines (\d+)-/.exec(f)?.[1];
    /** Waits until the first line shown is `expected`; then the check says which line it is. */
    const where = async (expected: string) => {
      await untilFrame(lastFrame, (f) => top(f) === expected).catch(() => undefined);
      return top(stripAnsi(lastFrame()));
    };
    assert.equal(await where('1'), '1');
    stdin.write('\x1b[6~');
    assert.equal(await where('11'), '11', 'a page: the 11 lines shown less one');
    stdin.write('\x15');
    assert.equal(await where('6'), '6', 'half a page up');
    stdin.write('\x04');
    assert.equal(await where('11'), '11');
    stdin.write(' ');
    assert.equal(await where('20'), '20', 'Space: a page down, at most to the last page');
    stdin.write('\x1b[H');
    assert.equal(await where('1'), '1');
    stdin.write('jjj');
    assert.equal(await where('4'), '4', 'jjj in one read: three lines');
  },
);
