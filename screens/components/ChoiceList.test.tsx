import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { cleanup, render } from 'ink-testing-library';
import { useKeys, useLatestState } from '../hooks/useKeys.js';
import { settle, stripAnsi } from '../testing/fixtures.js';
import { ChoiceList, type ChoiceOption, choiceAfterKey, choiceListHeight } from './ChoiceList.js';

afterEach(() => cleanup());

const DOWN = '\x1b[B';
const UP = '\x1b[A';
const opts = (...values: string[]): ChoiceOption[] => values.map((v) => ({ value: v, label: v }));

/**
 * The list as the form uses it: its keys through choiceAfterKey (useKeys splits "jj" into two presses);
 * each value picked goes to `picked`.
 */
function Form({ options, start, width, picked }: { options: ChoiceOption[]; start: string; width: number; picked: string[] }) {
  const [value, getValue, setValue] = useLatestState(() => start);
  useKeys((input, key) => {
    const v = choiceAfterKey(options, getValue(), input, key);
    if (v === undefined) return;
    picked.push(v);
    setValue(v);
  }, true);
  return <ChoiceList options={options} value={value} width={width} />;
}

/** The list in a form, the value kept outside. */
function list(options: ChoiceOption[], start: string, width = 40) {
  const picked: string[] = [];
  const r = render(<Form options={options} start={start} width={width} picked={picked} />);
  const frame = () => stripAnsi(r.lastFrame());
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      r.stdin.write(k);
      await settle(() => r.lastFrame());
    }
  };
  const marked = () =>
    frame()
      .split('\n')
      .filter((l) => l.includes('●'))
      .map((l) => l.replace('●', '').trim());
  return { frame, press, picked, marked, last: () => picked.at(-1) };
}

test('↓ ↑ and j k move the ● and pick the value; at the ends they stop (no going round)', async () => {
  const l = list(opts('yes', 'no', 'maybe'), 'yes');
  assert.deepEqual(l.marked(), ['yes']);
  assert.match(l.frame(), /○ no/);
  await l.press(DOWN);
  assert.deepEqual([l.marked(), l.last()], [['no'], 'no']);
  await l.press('j');
  assert.deepEqual([l.marked(), l.last()], [['maybe'], 'maybe']);
  await l.press('j', DOWN);
  assert.deepEqual([l.marked(), l.last()], [['maybe'], 'maybe'], 'the last stays picked');
  await l.press('k');
  assert.deepEqual([l.marked(), l.last()], [['no'], 'no']);
  await l.press(UP, UP, 'k');
  assert.deepEqual([l.marked(), l.last()], [['yes'], 'yes'], 'the first stays picked');
  const n = l.picked.length;
  await l.press('x', '\t', '\r', '1');
  assert.equal(l.picked.length, n, 'other keys (Tab, Enter, digits) are not the list’s');
  assert.deepEqual(l.marked(), ['yes']);
});

test('several presses in one read ("jj", as over SSH) move that many', async () => {
  const l = list(opts('a', 'b', 'c', 'd'), 'a');
  await l.press('jj');
  assert.deepEqual([l.marked(), l.last()], [['c'], 'c']);
});

test('a long list shows 5 rows around the value, "i of n" under them; exactly one row is ●, the others ○', async () => {
  const hosts = opts(...Array.from({ length: 7 }, (_, i) => `node-${i}.example.com`));
  const l = list(hosts, 'node-0.example.com');
  let rows = l.frame().split('\n');
  assert.equal(rows.length, choiceListHeight(hosts.length));
  assert.match(l.frame(), /1 of 7 \(↑↓\)/);
  assert.doesNotMatch(l.frame(), /node-5/);
  await l.press(...Array(6).fill('j'));
  rows = l.frame().split('\n');
  assert.equal(l.last(), 'node-6.example.com');
  assert.deepEqual(l.marked(), ['node-6.example.com']);
  assert.equal(rows.filter((r) => r.includes('○')).length, 4);
  assert.doesNotMatch(l.frame(), /node-0|node-1/, 'scrolled to keep the value in view');
  assert.match(l.frame(), /7 of 7 \(↑↓\)/);
  assert.equal(rows.length, choiceListHeight(hosts.length));
  assert.ok(
    rows.every((r) => [...r].length <= 40),
    'no row wider than the list',
  );
});

test('a value that is none of the choices: the first is shown, ↓ goes to the second (as the form always did)', async () => {
  assert.equal(choiceAfterKey(opts('a', 'b'), '', 'j', {} as never), 'b');
  assert.equal(choiceAfterKey([], '', 'j', {} as never), undefined);
  const l = list(opts('a', 'b'), 'zzz');
  assert.deepEqual(l.marked(), ['a']);
});
