import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { lockRun, RunLockedError } from './lock.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';

const RUN = '20261125-031500-etcd-backup-ab12';
const who = { operator: 'tester', command: 'resume' };

function runsDir(): string {
  const stateDir = tempStateDir();
  mkdirSync(join(stateDir, 'runs'), { recursive: true });
  return stateDir;
}

test('a second lock of a run is refused at once, naming pid, host and since; released, it can be taken again', () => {
  const stateDir = runsDir();
  const first = lockRun(stateDir, RUN, who);
  const err = (() => {
    try {
      lockRun(stateDir, RUN, who);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof RunLockedError);
  const since = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d';
  assert.match(err.message, new RegExp(`locked by pid ${process.pid} on ${hostname()} \\(tester, resume\\) since ${since}`));
  first.release();
  first.release(); // idempotent
  lockRun(stateDir, RUN, who).release();
});

test('the lock goes with its process: kill -9 of the holder frees it', async () => {
  const stateDir = runsDir();
  const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));
  const script = [
    `const { lockRun } = await import(${JSON.stringify(lockModule)});`,
    `lockRun(${JSON.stringify(stateDir)}, '${RUN}', { operator: 'x', command: 'run' });`,
    "console.log('locked'); setInterval(() => {}, 1000);",
  ].join(' ');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  assert.throws(() => lockRun(stateDir, RUN, who), new RegExp(`locked by pid ${child.pid} `));
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
  lockRun(stateDir, RUN, who).release();
});

test('a fresh run holds its lock until it ends', async () => {
  const stateDir = tempStateDir();
  const runner = FakeRunner.answering(() => ({ delayMs: 200 }));
  const procedure = toyProcedure('toy-lock', [{ id: 'one', title: 'One', where: { on: 'bastion' }, commands: () => [sh`true`] }]);
  const r = startProcedureRun({ procedure, params: {}, inventory: toyInventory(), runner, operator: new CannedOperator([]), stateDir });
  assert.throws(() => lockRun(stateDir, r.runId, who), RunLockedError);
  assert.equal((await r.result()).status, 'ok');
  lockRun(stateDir, r.runId, who).release();
});
