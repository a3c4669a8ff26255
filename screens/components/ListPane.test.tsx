import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { stripAnsi } from '../testing/fixtures.js';
import { ListPane, type PaneRow } from './ListPane.js';

afterEach(() => cleanup());

const rows = (n: number): PaneRow[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `r${i}`,
    selectable: i % 5 !== 0,
    render: ({ selected }) => <Text>{`${selected ? '›' : ' '} row ${i}`}</Text>,
  }));

test('a long list shows a window around the selection, the header above it, and where it is', () => {
  const { lastFrame, rerender } = render(
    <ListPane title='LIST' focused width={30} height={10} rows={rows(40)} selectedKey='r1' empty='none' />,
  );
  let f = stripAnsi(lastFrame());
  assert.equal(f.split('\n').length, 10);
  assert.match(f, /▶ LIST/);
  assert.match(f, /› row 1/);
  assert.match(f, /rows 1-6 of 40 ↓34/);
  rerender(<ListPane title='LIST' focused width={30} height={10} rows={rows(40)} selectedKey='r21' empty='none' />);
  f = stripAnsi(lastFrame());
  assert.match(f, /› row 21/);
  assert.match(f, / row 20/, "the group's header is kept in view");
  assert.equal(f.split('\n').length, 10);
});

test('an empty list says why; an unfocused pane has a single border and no ▶', () => {
  const { lastFrame } = render(<ListPane title='LIST' focused={false} width={30} height={5} rows={[]} empty='nothing matches' />);
  const f = stripAnsi(lastFrame());
  assert.match(f, /nothing matches/);
  assert.match(f, /┌/);
  assert.doesNotMatch(f, /▶/);
});

test("opened on an entry far down a long group, the group's heading is pinned on the first line", () => {
  const long: PaneRow[] = Array.from({ length: 30 }, (_, i) => ({
    key: `r${i}`,
    selectable: i !== 0,
    render: ({ selected }) => <Text>{`${selected ? '›' : ' '} row ${i}`}</Text>,
  }));
  const { lastFrame } = render(<ListPane title='LIST' focused width={30} height={10} rows={long} selectedKey='r20' empty='none' />);
  const lines = stripAnsi(lastFrame()).split('\n');
  assert.equal(lines.length, 10);
  assert.match(lines[2]!, / row 0 /, 'the heading first');
  assert.ok(
    lines.some((l) => /› row 20/.test(l)),
    'the selection still in view',
  );
});
