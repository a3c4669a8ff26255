import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OperatorChannel, type RunFailureInfo } from './operator-channel.js';
import type { ResolvedGate } from './types.js';

const gate = { step: 'stop-etcd', what: 'stop etcd on master-0' } as ResolvedGate;
const failure: RunFailureInfo = {
  step: 'stop-etcd',
  command: 'systemctl stop etcd',
  host: 'master-0',
  exitCode: 1,
  tail: 'no',
  choices: ['retry', 'abort'],
};

test('operator channel: the console answers the gate; the question is in the snapshot until then', async () => {
  const abort = new AbortController();
  let changes = 0;
  const channel = new OperatorChannel(
    'session',
    abort.signal,
    () => {},
    () => changes++,
  );
  const answer = channel.askGate(gate);
  assert.equal(channel.waiting, 'waiting-gate');
  assert.equal(channel.gate, gate);
  channel.answerGate(true);
  assert.equal(await answer, true);
  assert.equal(channel.waiting, undefined);
  assert.equal(changes, 2);
});

test('operator channel: a choice the failure does not offer is abort (a destructive step is never skipped)', async () => {
  const channel = new OperatorChannel(
    { gate: async () => true, failure: async () => 'skip' },
    new AbortController().signal,
    () => {},
    () => {},
  );
  assert.equal(await channel.askFailure(failure), 'abort');
});

test('operator channel: a cancel answers an open question with no / abort', async () => {
  const abort = new AbortController();
  const channel = new OperatorChannel(
    'session',
    abort.signal,
    () => {},
    () => {},
  );
  const g = channel.askGate(gate);
  abort.abort();
  assert.equal(await g, false);
  assert.equal(await channel.askFailure(failure), 'abort');
});
