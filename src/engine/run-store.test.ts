import assert from 'node:assert/strict';
import { test } from 'node:test';
import { derivedStore, valueStore } from './run-store.js';

test('run store: the snapshot is built once per change, and listeners hear of every change', () => {
  let builds = 0;
  let count = 0;
  const store = derivedStore(() => {
    builds++;
    return { count };
  });
  const first = store.snapshot();
  assert.equal(store.snapshot(), first, 'the same object until something changes');
  assert.equal(builds, 1);
  let heard = 0;
  store.subscribe(() => heard++);
  count = 2;
  store.changed();
  assert.equal(heard, 1);
  assert.notEqual(store.snapshot(), first);
  assert.deepEqual(store.snapshot(), { count: 2 });
  assert.equal(builds, 2);
});

test('run store: unsubscribe stops one listener, a throwing listener stops no other', () => {
  const store = derivedStore(() => 0);
  const calls: string[] = [];
  const offA = store.subscribe(() => calls.push('a'));
  store.subscribe(() => {
    throw new Error('a screen bug');
  });
  store.subscribe(() => calls.push('c'));
  store.changed();
  offA();
  store.changed();
  assert.deepEqual(calls, ['a', 'c', 'c']);
});

test('run store: once closed, no listener is called and subscribe is a no-op', () => {
  const store = derivedStore(() => 0);
  let calls = 0;
  store.subscribe(() => calls++);
  store.close();
  store.changed();
  const off = store.subscribe(() => calls++);
  store.changed();
  off();
  assert.equal(calls, 0);
});

test('value store: update replaces the value and tells the listeners', () => {
  const store = valueStore({ n: 1 });
  const seen: number[] = [];
  store.subscribe(() => seen.push(store.snapshot().n));
  const before = store.snapshot();
  store.update((s) => ({ n: s.n + 1 }));
  assert.deepEqual(seen, [2]);
  assert.notEqual(store.snapshot(), before);
});
