import assert from 'node:assert/strict';
import { test } from 'node:test';
import { delay, FakeRunner, testInventory } from '../../screens/testing/fixtures.js';
import { TransportError } from '../transport/types.js';
import { ConnectivityMonitor, type ConnectivitySnapshot, summarize } from './connectivity.js';

const M0 = 'master-0.example.com';
const LB = 'lb-0.example.com';

test('every host starts checking and is probed at once', () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  assert.equal(runner.probes.length, 5);
  assert.deepEqual(
    [...m.getSnapshot().values()].map((c) => c.state),
    Array(5).fill('checking'),
  );
  assert.deepEqual(m.summary(), { total: 5, ok: 0, checking: 5, problems: 0 });
  m.dispose();
});

test('subscribers hear every answer; the snapshot is a new map each time', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  const seen: ConnectivitySnapshot[] = [];
  m.subscribe((s) => seen.push(s));
  const before = m.getSnapshot();
  runner.answerProbe(M0, { state: 'ok' });
  runner.answerProbe(LB, { state: 'host-key-changed', reason: 'key differs', hint: 'ssh-keygen -R lb-0' });
  await delay(0);
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0], before);
  assert.equal(m.get(M0).state, 'ok');
  assert.deepEqual(m.get(LB), { state: 'host-key-changed', reason: 'key differs', hint: 'ssh-keygen -R lb-0' });
  assert.deepEqual(summarize(m.getSnapshot()), { total: 5, ok: 1, checking: 3, problems: 1 });
  m.dispose();
});

test('reprobe(host) sets it back to checking, and an older answer arriving late is ignored', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  runner.answerProbe(M0, { state: 'unreachable', reason: 'timeout' });
  await delay(0);
  m.reprobe(M0);
  assert.equal(m.get(M0).state, 'checking');
  assert.equal(runner.probes.filter((p) => p === M0).length, 2);
  m.reprobe(M0); // a third probe while the second is in flight
  runner.answerProbe(M0, { state: 'unreachable', reason: 'stale' }); // the second: superseded
  await delay(0);
  assert.equal(m.get(M0).state, 'checking');
  runner.answerProbe(M0, { state: 'ok' });
  await delay(0);
  assert.equal(m.get(M0).state, 'ok');
  m.dispose();
});

test('reprobe() re-probes every host; an unknown host is ignored', async () => {
  const runner = new FakeRunner().answerProbes(() => ({ state: 'ok' }));
  const m = new ConnectivityMonitor(testInventory(), runner);
  await delay(0);
  assert.equal(m.summary().ok, 5);
  m.reprobe();
  assert.equal(m.summary().checking, 5);
  await delay(0);
  assert.equal(m.summary().ok, 5);
  m.reprobe('nope.example.com');
  assert.equal(runner.probes.length, 10);
  m.dispose();
});

test('a rejected probe becomes a state with a reason, never an exception', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  runner.failProbe(M0, new TransportError(M0, 'host-key-unknown', 'not in known_hosts', 'ssh-keyscan master-0 >> ~/.ssh/known_hosts'));
  runner.failProbe(LB, new Error('getaddrinfo ENOTFOUND lb-0.example.com\nmore'));
  await delay(0);
  assert.deepEqual(m.get(M0), {
    state: 'host-key-unknown',
    reason: 'not in known_hosts',
    hint: 'ssh-keyscan master-0 >> ~/.ssh/known_hosts',
  });
  assert.equal(m.get(LB).state, 'unreachable');
  assert.equal(m.get(LB).reason, 'getaddrinfo ENOTFOUND lb-0.example.com');
  m.dispose();
});

test('a probe that never answers turns unreachable after the timeout', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner, { timeoutMs: 30 });
  await delay(80);
  assert.equal(m.get(M0).state, 'unreachable');
  assert.match(m.get(M0).reason ?? '', /no answer/);
  m.dispose();
});

test('concurrency limits the probes in flight', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner, { concurrency: 2 });
  assert.equal(runner.probes.length, 2);
  runner.answerProbe(runner.waitingProbes()[0]!, { state: 'ok' });
  await delay(0);
  assert.equal(runner.probes.length, 3);
  m.dispose();
});

test('after dispose nothing is probed or reported', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  let calls = 0;
  m.subscribe(() => calls++);
  m.dispose();
  runner.answerProbe(M0, { state: 'ok' });
  m.reprobe();
  await delay(0);
  assert.equal(calls, 0);
  assert.equal(runner.probes.length, 5);
  assert.equal(m.get(M0).state, 'checking');
});

test('unsubscribe stops the notifications of that listener only', async () => {
  const runner = new FakeRunner().holdProbes();
  const m = new ConnectivityMonitor(testInventory(), runner);
  let a = 0;
  let b = 0;
  const offA = m.subscribe(() => a++);
  m.subscribe(() => b++);
  offA();
  runner.answerProbe(M0, { state: 'ok' });
  await delay(0);
  assert.deepEqual([a, b], [0, 1]);
  m.dispose();
});
