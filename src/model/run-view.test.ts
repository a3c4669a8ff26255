import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSnapshot } from '../engine/session.js';
import { failureChoices, formatDuration, quitReason, runHeadline, stepWindowStart, tailOf, typedHostMatches } from './run-view.js';

function snap(patch: Partial<RunSnapshot> = {}): RunSnapshot {
  return {
    runId: 'r1',
    procedure: 'etcd-restore',
    title: 'Restore etcd',
    params: {},
    steps: [
      { id: 'a', title: 'Stop etcd', hosts: ['m0'], status: 'ok', destructive: false },
      { id: 'b', title: 'Wipe data', hosts: ['m0'], status: 'running', destructive: true },
      { id: 'c', title: 'Start etcd', hosts: ['m0'], status: 'pending', destructive: false },
    ],
    current: 'b',
    status: 'running',
    log: [],
    logFirstSeq: 0,
    plan: [],
    ...patch,
  };
}

test('durations read at a glance', () => {
  assert.equal(formatDuration(400), '0.4s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(185_000), '3m05s');
  assert.equal(formatDuration(3_720_000), '1h02m');
  assert.equal(formatDuration(undefined), '');
});

test('headline and quit reason follow the status', () => {
  assert.match(runHeadline(snap()).text, /RUNNING step 2\/3 Wipe data/);
  assert.match(runHeadline(snap({ status: 'waiting-gate' })).text, /GATE at step 2\/3/);
  assert.match(runHeadline(snap({ status: 'aborted' }), { declinedGate: 'Wipe data' }).text, /STOPPED AT THE GATE of step 2\/3/);
  assert.equal(quitReason(snap()), 'etcd-restore is running (step 2/3): quitting stops it');
  assert.equal(quitReason(snap({ status: 'ok' })), undefined);
});

test('failure choices: never skip for a destructive step', () => {
  const failure = { step: 'b', command: 'mv', host: 'm0', exitCode: 1, tail: '', choices: ['retry', 'skip', 'abort'] as const };
  assert.deepEqual(failureChoices(snap({ failure: { ...failure, choices: [...failure.choices] } })), ['retry', 'abort']);
  assert.deepEqual(failureChoices(snap({ failure: { ...failure, step: 'a', choices: [...failure.choices] } })), ['retry', 'skip', 'abort']);
});

test('type-host answers must be the exact name', () => {
  assert.equal(typedHostMatches('master-0.example.com', 'master-0.example.com'), true);
  assert.equal(typedHostMatches('master-0.example.com', ' master-0.example.com '), true);
  assert.equal(typedHostMatches('master-0.example.com', 'master-0'), false);
  assert.equal(typedHostMatches('master-0.example.com', 'MASTER-0.example.com'), false);
  assert.equal(typedHostMatches(undefined, ''), false);
});

test('step window keeps the current step in view; tails drop trailing blank lines', () => {
  const steps = Array.from({ length: 10 }, (_, i) => ({ id: `s${i}`, title: `S${i}`, hosts: [], status: 'pending' as const, destructive: false }));
  assert.equal(stepWindowStart(steps, 's7', 4), 6);
  assert.equal(stepWindowStart(steps, 's0', 4), 0);
  assert.deepEqual(tailOf('a\nb\nc\n\n', 2), ['b', 'c']);
});
