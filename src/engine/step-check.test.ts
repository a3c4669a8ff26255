import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ntpCheck } from '../checks/ntp.js';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { fromCheck } from './from-check.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { Step, StepCheck } from './types.js';

const ON_N0: Step['where'] = {
  on: 'hosts',
  describe: 'n0',
  mode: 'serial',
  hosts: (ctx) => ctx.inventory.hosts.filter((h) => h.name === 'n0.example.com'),
};

function runWith(step: Partial<Step>, answer: (where: string, script: string) => Answer, operator = new CannedOperator()) {
  const s: Step = { id: 'start', title: 'Start the service', where: ON_N0, commands: () => [sh`systemctl start foo`], ...step };
  const runner = FakeRunner.answering(answer);
  const run = startProcedureRun({
    procedure: toyProcedure('toy', [s]),
    params: {},
    inventory: toyInventory(),
    runner,
    operator,
    stateDir: tempStateDir(),
  });
  return { run, runner, operator };
}

const isUp = (upAfter: number) => {
  let asked = 0;
  const verify: StepCheck = {
    describe: 'foo is up',
    command: () => sh`systemctl is-active foo`,
    ok: (out) => (out.stdout.trim() === 'active' ? true : `foo is ${out.stdout.trim()}`),
    until: { everyMs: 10, withinMs: 60_000 },
  };
  const answer = (_w: string, script: string): Answer =>
    script.includes('is-active') ? { stdout: ++asked > upAfter ? 'active\n' : 'activating\n' } : {};
  return { verify, answer, asked: () => asked };
};

test('a verification with `until` is asked again while it says "not yet", and the run goes on when it passes', async () => {
  const c = isUp(2);
  const { run } = runWith({ verify: c.verify }, c.answer);
  const r = await run.result();
  assert.equal(r.status, 'ok');
  assert.equal(c.asked(), 3);
  const notYet = r.snapshot.log.filter((l) =>
    /^n0\.example\.com: not yet \(try \d: foo is activating\); asking again in 0\.01 s/.test(l.text),
  );
  assert.equal(notYet.length, 2);
  assert.ok(r.snapshot.log.some((l) => l.text === 'n0.example.com: verification passed: foo is up (try 3)'));
});

test('a verification that never passes fails with its own sentence once its time is up', async () => {
  const c = isUp(Infinity);
  const { run, operator } = runWith({ verify: { ...c.verify, until: { everyMs: 5, withinMs: 30 } } }, c.answer);
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.ok(c.asked() >= 2, `asked ${c.asked()} times`);
  assert.match(operator.failures[0]!.tail, /^verification failed: foo is up: foo is activating/);
  assert.match(operator.failures[0]!.tail, /\nfoo is up: not so within 0\.03 s$/);
  assert.equal(r.failure!.check, 'verification');
  assert.equal(r.failure!.describe, 'foo is up', 'what it wanted, for the failure box to name it');
});

test('a check that cannot run (the host is lost) is not asked again', async () => {
  const c = isUp(Infinity);
  const { run } = runWith({ verify: c.verify }, (_w, script) =>
    script.includes('is-active') ? { throws: new Error('connection to n0.example.com lost') } : {},
  );
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.match(r.failure!.tail, /verification could not run: connection to n0.example.com lost/);
  assert.equal(r.snapshot.log.filter((l) => l.text.includes('not yet')).length, 0);
});

test('cancelling the run during a wait ends it without asking again', async () => {
  const c = isUp(Infinity);
  const { run, runner } = runWith({ verify: { ...c.verify, until: { everyMs: 3_600_000, withinMs: 7_200_000 } } }, c.answer);
  while (c.asked() === 0) await new Promise((r) => setTimeout(r, 5));
  while (!run.getSnapshot().log.some((l) => l.text.includes('not yet'))) await new Promise((r) => setTimeout(r, 5));
  run.cancel();
  const r = await run.result();
  assert.notEqual(r.status, 'ok');
  assert.equal(c.asked(), 1);
  assert.equal(runner.commands.filter((x) => x.script.includes('is-active')).length, 1);
});

test('fromCheck: the health check itself verifies the step; its verdict and fix are the failure', async () => {
  const answer = (_w: string, script: string): Answer =>
    script === 'timedatectl'
      ? { stdout: 'NTP enabled: no\nNTP synchronized: no\n' }
      : script.startsWith('cut')
        ? { stdout: `${(Date.now() / 1000).toFixed(9)}\n` }
        : {};
  const { run, runner } = runWith({ verify: fromCheck(ntpCheck) }, answer);
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.match(r.failure!.tail, /^verification failed: the ntp check says ok \(NTP synchronisation\): fail: NTP is not enabled/);
  assert.match(r.failure!.tail, /\nfix: timedatectl set-ntp true/);
  assert.deepEqual(
    runner.commands.map((x) => x.script.split(';')[0]),
    ['systemctl start foo', 'timedatectl', "cut -d' ' -f1 /proc/uptime", "cut -d' ' -f1 /proc/uptime", "cut -d' ' -f1 /proc/uptime"],
  );
});

test('a host step left with no host is skipped: nothing runs on the bastion in its place', async () => {
  const { run, runner } = runWith({ where: { on: 'hosts', describe: 'the hosts flagged', mode: 'serial', hosts: () => [] } }, () => ({}));
  const r = await run.result();
  assert.equal(r.status, 'ok');
  assert.equal(runner.commands.length, 0);
  assert.equal(r.snapshot.steps[0]!.status, 'skipped');
});
