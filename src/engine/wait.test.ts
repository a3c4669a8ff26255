import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../transport/shell.js';
import type { CommandResult } from '../transport/types.js';
import { describeWait, isRepeated, retryOn, runRepeated, until, type Wait } from './wait.js';

const answer = (exitCode: number | null, stdout = '', extra: Partial<CommandResult> = {}): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
  truncated: false,
  timedOut: false,
  cancelled: false,
  durationMs: 1,
  ...extra,
});

/** A clock that moves only when the wait pauses, and the answers given in turn. */
function io(answers: CommandResult[]) {
  let t = 0;
  const said: string[] = [];
  let tries = 0;
  return {
    said,
    tries: () => tries,
    io: {
      exec: async () => ({ result: answers[Math.min(tries++, answers.length - 1)]! }),
      info: (text: string) => said.push(text),
      pause: async (ms: number) => {
        t += ms;
      },
      now: () => t,
    },
  };
}

const wait = (o: Partial<Wait> = {}): Wait => ({ everyMs: 2_000, withinMs: 10_000, what: 'etcd did not stop', ...o });

test('until: asked again while it fails, done at the first success (each "not yet" is logged)', async () => {
  const f = io([answer(1), answer(1), answer(0, 'gone\n')]);
  const r = await runRepeated(wait(), f.io);
  assert.equal(r.result?.exitCode, 0);
  assert.equal(f.tries(), 3);
  assert.equal(f.said.length, 2);
  assert.match(f.said[0]!, /not yet \(try 1\)/);
});

test('until: when the time is up the step fails, saying what did not happen and in how long', async () => {
  const f = io([answer(1, 'still listening\n')]);
  const r = await runRepeated(wait(), f.io);
  assert.equal(r.result?.exitCode, 1);
  assert.match(r.result!.stdout, /still listening\netcd did not stop within 10 s/);
  assert.equal(f.tries(), 6); // at 0, 2, … 10 s
});

test('a try that could not run or timed out is not repeated', async () => {
  const lost = io([answer(null, '', { timedOut: true })]);
  assert.equal((await runRepeated(wait(), lost.io)).result?.timedOut, true);
  assert.equal(lost.tries(), 1);
  const e = { exec: async () => ({ error: 'connection lost' }), info: () => {}, pause: async () => {} };
  assert.equal((await runRepeated(wait(), e)).error, 'connection lost');
});

test('retryOn: only the refusals it names are retried; another failure stands at once', async () => {
  const cmd = retryOn(sh`etcdctl member add`, /unhealthy cluster/, { withinMs: 60_000, what: 'member add still refused' });
  const busy = io([answer(1, 'etcdserver: unhealthy cluster'), answer(0, 'Added member')]);
  assert.equal((await runRepeated(cmd.wait, busy.io)).result?.exitCode, 0);
  assert.equal(busy.tries(), 2);
  const wrong = io([answer(2, 'permission denied')]);
  assert.equal((await runRepeated(cmd.wait, wrong.io)).result?.exitCode, 2);
  assert.equal(wrong.tries(), 1);
});

test('whenTimeIsUp report: the last answer stands as a success, with the note', async () => {
  const f = io([answer(3, 'router-1 Pending\n')]);
  const r = await runRepeated(
    wait({ notYet: (a) => a.exitCode === 3, whenTimeIsUp: 'report', what: 'some pods are still starting' }),
    f.io,
  );
  assert.equal(r.result?.exitCode, 0);
  assert.match(r.result!.stdout, /router-1 Pending\nsome pods are still starting within 10 s/);
});

test('a repeated command is a plain command to a runner; the plan says how it repeats', () => {
  const c = until(sh`ss -ltn`, { withinMs: 90_000, what: 'x' });
  assert.equal(c.script, 'ss -ltn');
  assert.ok(isRepeated(c) && !isRepeated(sh`ss -ltn`));
  assert.equal(describeWait(c.wait), '  # until it succeeds: every 2 s, up to 90 s');
});
