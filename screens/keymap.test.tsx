import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { type Key, Text } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useState } from 'react';
import { useKeymap, useListMovement } from './hooks/useKeymap.js';
import { dispatchKey, footerOf, helpKey, helpOf, type Keymap, keyNames, movementKeys, quitKey } from './keymap.js';
import { delay, stripAnsi, untilFrame } from './testing/fixtures.js';

afterEach(() => cleanup());

const none = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
} as Key;

test('a press is named as the keymaps write it', () => {
  assert.deepEqual(keyNames('j', none), ['j']);
  assert.deepEqual(keyNames('G', { ...none, shift: true }), ['G']);
  assert.deepEqual(keyNames('', { ...none, downArrow: true }), ['down']);
  assert.deepEqual(keyNames('\r', { ...none, return: true }), ['enter']);
  assert.deepEqual(keyNames('', { ...none, escape: true, meta: true }), ['esc']);
  assert.deepEqual(keyNames('', { ...none, tab: true, shift: true }), ['shift-tab']);
  assert.deepEqual(keyNames('', { ...none, pageDown: true }), ['pgdn']);
  assert.deepEqual(keyNames('d', { ...none, ctrl: true }), ['ctrl-d'], 'Ctrl-D is not d');
  assert.deepEqual(keyNames('\x15', none), ['ctrl-u'], 'Ctrl-U inside a chunk');
  assert.deepEqual(keyNames(' ', none), ['space']);
});

interface Ctx {
  mode: 'list' | 'filter';
  log: string[];
  onGlobal: (what: 'quit' | 'help') => void;
}

const KEYS: Keymap<Ctx> = [
  {
    keys: ['enter'],
    when: (c) => c.mode === 'filter',
    footer: 'keep filter',
    description: 'keep the filter',
    action: (c) => c.log.push('keep'),
  },
  { keys: ['text'], when: (c) => c.mode === 'filter', description: 'type the filter', action: (c, p) => c.log.push(`type ${p.text}`) },
  {
    keys: ['enter'],
    when: (c) => c.mode === 'list',
    footer: 'open',
    description: 'open the selected row',
    action: (c) => c.log.push('open'),
  },
  { keys: ['/'], when: (c) => c.mode === 'list', footer: 'filter', description: 'filter the list', action: (c) => c.log.push('filter') },
  ...movementKeys<Ctx>({ when: (c) => c.mode === 'list', move: (c, d) => c.log.push(`move ${d}`), page: () => 10 }),
  helpKey<Ctx>({ when: (c) => c.mode === 'list', footer: 'help' }),
  quitKey<Ctx>({ when: (c) => c.mode === 'list' }),
];

const ctx = (mode: Ctx['mode']): Ctx => {
  const log: string[] = [];
  return { mode, log, onGlobal: (w) => log.push(w) };
};

test('one keymap: the press runs the first entry that applies in this state; the footer lists those with a word', () => {
  const list = ctx('list');
  for (const [input, key] of [
    ['/', none],
    ['\r', { ...none, return: true }],
    ['j', none],
    ['', { ...none, upArrow: true }],
    ['G', none],
    ['?', none],
    ['x', none],
  ] as [string, Key][])
    dispatchKey(KEYS, list, input, key);
  assert.deepEqual(list.log, ['filter', 'open', 'move 1', 'move -1', `move ${Infinity}`, 'help']);
  const filter = ctx('filter');
  for (const [input, key] of [
    ['j', none],
    ['?', none],
    ['\r', { ...none, return: true }],
  ] as [string, Key][])
    dispatchKey(KEYS, filter, input, key);
  assert.deepEqual(filter.log, ['type j', 'type ?', 'keep'], 'in the filter, j and ? are text');
  assert.deepEqual(footerOf(KEYS, list), [
    ['Enter', 'open'],
    ['/', 'filter'],
    ['?', 'help'],
  ]);
  assert.deepEqual(footerOf(KEYS, filter), [['Enter', 'keep filter']]);
});

test('the movement keys: a row, a page, half a page, the ends', () => {
  const c = ctx('list');
  const keys: [string, Key][] = [
    ['', { ...none, pageDown: true }],
    ['', { ...none, pageUp: true }],
    [' ', none],
    ['d', { ...none, ctrl: true }],
    ['u', { ...none, ctrl: true }],
    ['g', none],
    ['', { ...none, end: true }],
  ];
  for (const [i, k] of keys) dispatchKey(KEYS, c, i, k);
  assert.deepEqual(c.log, ['move 10', 'move -10', 'move 10', 'move 5', 'move -5', `move ${-Infinity}`, `move ${Infinity}`]);
});

test("the help section: the screen's own keys with their words, the global ones left to the global list", () => {
  const s = helpOf('Test', KEYS);
  assert.equal(s.title, 'Test');
  const keys = s.entries.map((e) => e.keys);
  assert.deepEqual(keys, ['Enter', 'type', 'Enter', '/', 'j k ↓ ↑', 'PgDn PgUp Space', 'g G Home End']);
  assert.ok(s.entries.every((e) => e.what.length > 0));
});

function Counter({ active }: { active: boolean }) {
  const [n, setN] = useState(0);
  const [log] = useState<string[]>([]);
  useKeymap<{ n: number; onGlobal: () => void }>(
    [{ keys: ['+'], description: 'add one', action: () => setN((x) => x + 1) }],
    () => ({ n, onGlobal: () => log.push('g') }),
    active,
  );
  return <Text>{`n=${n}`}</Text>;
}

function List() {
  const [top, setTop] = useState(0);
  useListMovement({ move: (d) => setTop((t) => Math.max(0, Math.min(30, t + d))), page: 8 }, true);
  return <Text>{`top=${top}`}</Text>;
}

test('useKeymap and useListMovement take the keys from Ink (one press at a time, also in one chunk)', async () => {
  const a = render(<Counter active />);
  await untilFrame(a.lastFrame, /n=0/);
  a.stdin.write('+++');
  await untilFrame(a.lastFrame, /n=3/);
  assert.equal(stripAnsi(a.lastFrame()), 'n=3');
  a.rerender(<Counter active={false} />);
  await delay();
  a.stdin.write('+');
  await delay(); // an absence (the key is not taken): give it a moment
  assert.equal(stripAnsi(a.lastFrame()), 'n=3', 'inactive: no keys');
  cleanup();
  const b = render(<List />);
  await untilFrame(b.lastFrame, /top=0/);
  b.stdin.write('jjj');
  await untilFrame(b.lastFrame, /top=3/);
  assert.equal(stripAnsi(b.lastFrame()), 'top=3');
  b.stdin.write('\x1b[6~');
  await untilFrame(b.lastFrame, /top=11/);
  assert.equal(stripAnsi(b.lastFrame()), 'top=11');
  b.stdin.write('G');
  await untilFrame(b.lastFrame, /top=30/);
  assert.equal(stripAnsi(b.lastFrame()), 'top=30');
  b.stdin.write('g');
  await untilFrame(b.lastFrame, /top=0/);
  assert.equal(stripAnsi(b.lastFrame()), 'top=0');
});
