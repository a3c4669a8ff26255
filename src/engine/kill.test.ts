// kill -9 of a real process in the middle of a (destructive) step, then resume: the same result as a
// run that was never interrupted, and the repeat of the destructive step went through a fresh gate.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalRunner } from '../transport/local.js';
import { listRuns, readJournal } from './journal.js';
import { killProcedure } from './kill-fixture.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, runToEnd, toyInventory } from './test-helpers.js';

const FIXTURE = fileURLToPath(new URL('./kill-fixture.ts', import.meta.url));

async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function results(workDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of ['a', 'b', 'c']) out[n] = existsSync(join(workDir, n)) ? readFileSync(join(workDir, n), 'utf8') : '';
  return out;
}

test('kill -9 in the middle of a destructive step; resume re-checks, asks again, finishes with the same result', {
  timeout: 60_000,
}, async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-kill-state-'));
  const workDir = mkdtempSync(join(tmpdir(), 'day2-kill-work-'));
  writeFileSync(join(workDir, 'sleep'), '60');
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, stateDir, workDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
  try {
    await waitFor('the pause of step two', () => existsSync(join(workDir, 'sleep.pid')));
    const runId = stdout.trim();
    const before = readJournal(stateDir, runId);
    assert.equal(before.currentStep, 'two');
    assert.equal(before.steps[1]!.hosts['(bastion)']!.commandIndex, 1, 'the journal says: command 2 of 3 running');
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  } finally {
    child.kill('SIGKILL');
    // the command the dead process started is still sleeping (kill -9 does not reach it): end it
    const pidFile = join(workDir, 'sleep.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  const runId = stdout.trim();
  const listed = listRuns(stateDir).runs;
  assert.equal(listed[0]!.status, 'interrupted');
  assert.equal(listed[0]!.currentStepTitle, 'Write b after a pause');

  // resume (in this process): verify of step two fails (no b) → destructive and begun → fresh gate
  writeFileSync(join(workDir, 'sleep'), '0');
  const operator = new CannedOperator([true]);
  const run = startProcedureRun({
    procedure: killProcedure(workDir),
    params: { password: 'kill-test-secret' },
    inventory: toyInventory(),
    runner: new LocalRunner(),
    operator,
    gateApprovedBy: '--yes',
    stateDir,
    resume: readJournal(stateDir, runId),
  });
  const r = await run.result();
  assert.equal(r.status, 'ok', JSON.stringify(r.failure));
  assert.equal(operator.gates.length, 1);
  assert.match(
    operator.gates[0]!.what,
    /^REPEAT OF A DESTRUCTIVE STEP: "Write b after a pause" was interrupted after it began \(bastion had reached command 2 of 3\)/,
  );
  const j = readJournal(stateDir, runId);
  assert.equal(j.status, 'ok');
  assert.equal(j.steps[1]!.repeats?.length, 1);
  assert.equal(j.history.length, 1);
  assert.equal(readFileSync(join(workDir, 'started'), 'utf8'), 'started\nstarted\n', 'step two ran again from its first command');

  // the same result as a run never interrupted
  const cleanWork = mkdtempSync(join(tmpdir(), 'day2-kill-work-'));
  writeFileSync(join(cleanWork, 'sleep'), '0');
  assert.equal(await runToEnd(killProcedure(cleanWork), new LocalRunner(), { password: 'kill-test-secret' }), 'ok');
  assert.deepEqual(results(workDir), results(cleanWork));
  assert.deepEqual(results(workDir), { a: 'one\n', b: 'two\n', c: 'three\n' });
  // step one was not run again: one `echo one` in the audit log, from the first process
  const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8');
  assert.equal(audit.split('\n').filter((l) => l.includes('"command":"echo one')).length, 1);
  for (const f of [join(stateDir, 'audit.log'), ...readdirSync(join(stateDir, 'runs')).map((n) => join(stateDir, 'runs', n))]) {
    assert.ok(!readFileSync(f, 'utf8').includes('kill-test-secret'), f);
  }
});
