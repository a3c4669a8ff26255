import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Key } from 'ink';
import { splitKeypresses } from './splitKeypresses.js';

const none: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
} as Key;

test('a chunk of typed text and Enter presses becomes one keypress each', () => {
  const keys = splitKeypresses('ab\r\r', none);
  assert.deepEqual(
    keys.map(([i, k]) => [i, k.return]),
    [
      ['a', false],
      ['b', false],
      ['', true],
      ['', true],
    ],
  );
});

test('single keys, escape sequences and ctrl combinations pass through', () => {
  assert.equal(splitKeypresses('j', none).length, 1);
  assert.equal(splitKeypresses('\x1b[A', { ...none, upArrow: true }).length, 1);
  assert.equal(splitKeypresses('c', { ...none, ctrl: true }).length, 1);
});

test('tab and backspace inside a chunk keep their meaning', () => {
  const keys = splitKeypresses('x\t\x7f', none);
  assert.equal(keys[1]![1].tab, true);
  assert.equal(keys[2]![1].backspace, true);
});

test('Esc and a key in one read (Ink: Meta-key) are the two presses: Esc, then the key', () => {
  const keys = splitKeypresses('q', { ...none, meta: true });
  assert.deepEqual(
    keys.map(([i, k]) => [i, k.escape, k.meta]),
    [
      ['', true, false],
      ['q', false, false],
    ],
  );
  assert.equal(splitKeypresses('c', { ...none, meta: true, ctrl: true }).length, 1, 'Ctrl-Meta stays as Ink read it');
});
