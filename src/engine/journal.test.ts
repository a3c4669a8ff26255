// The state directory and what is read back from it: private directories, an audit log that is no link,
// journals of the right shape, captured values checked again on resume.

import assert from 'node:assert/strict';
import { chmodSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { appendAudit, auditPath } from './audit.js';
import { ensureStateDir, type Journal, journalPath, listRuns, readJournal, writeJournal } from './journal.js';
import { checkResumable, startProcedureRun } from './run.js';
import { CannedOperator, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';

const mode = (p: string) => statSync(p).mode & 0o777;

test('the state directory is created 0700, runs/ too', () => {
  const stateDir = join(tempStateDir(), 'day2-tui');
  ensureStateDir(stateDir);
  assert.equal(mode(stateDir), 0o700);
  assert.equal(mode(join(stateDir, 'runs')), 0o700);
});

test('a state directory others can write to, or that is not ours, is refused with its path and the fix', () => {
  const stateDir = tempStateDir();
  chmodSync(stateDir, 0o777);
  const everyone = `the state directory ${stateDir} can be written by every user \\(mode 0777\\): chmod 700 ${stateDir}`;
  assert.throws(() => ensureStateDir(stateDir), new RegExp(everyone));
  chmodSync(stateDir, 0o770);
  assert.throws(() => ensureStateDir(stateDir), /can be written by its group \(mode 0770\)/);
  chmodSync(stateDir, 0o700);
  chmodSync(join(stateDir, 'runs'), 0o757);
  assert.throws(() => ensureStateDir(stateDir), new RegExp(`the state directory ${stateDir}/runs can be written by every user`));
  chmodSync(join(stateDir, 'runs'), 0o700);
  const owner = statSync(stateDir).uid;
  const notOurs = new RegExp(`belongs to uid ${owner}, not to you \\(uid ${owner + 1}\\): .*--state-dir`);
  assert.throws(() => ensureStateDir(stateDir, owner + 1), notOurs);
  ensureStateDir(stateDir);
});

test('audit.log is written 0600 and never through a symbolic link', () => {
  const stateDir = tempStateDir();
  const entry = { kind: 'run-start', time: new Date().toISOString(), operator: 'op', runId: 'r', text: 'x' } as const;
  appendAudit(stateDir, entry);
  assert.equal(mode(auditPath(stateDir)), 0o600);
  const other = tempStateDir();
  const target = join(other, 'elsewhere');
  writeFileSync(target, '');
  const linked = tempStateDir();
  symlinkSync(target, auditPath(linked));
  assert.throws(() => appendAudit(linked, entry), /audit log .*audit\.log is a symbolic link.*remove the link \(rm /);
  assert.throws(() => ensureStateDir(linked), /is a symbolic link/);
  assert.equal(readFileSync(target, 'utf8'), '', 'nothing written through the link');
});

// ---- journals read back

const procedure = toyProcedure('toy-capture', [
  {
    id: 'read',
    title: 'Read the id',
    where: { on: 'bastion' },
    commands: () => [sh`echo id`],
    capture: { id: (o) => o.at(-1)!.stdout.trim() },
  },
  { id: 'use', title: 'Use it', where: { on: 'bastion' }, commands: (ctx) => [sh`use ${ctx.captured.get('id')}`] },
]);

/** A run that failed at its second step (resumable), with 'id' captured by the first. */
async function failedRun(capture = 'abc'): Promise<{ stateDir: string; journal: Journal }> {
  const stateDir = tempStateDir();
  const runner = FakeRunner.answering((_w, s) => (s.startsWith('use') ? { exitCode: 1 } : { stdout: `${capture}\n` }));
  const operator = new CannedOperator([], ['abort']);
  const run = startProcedureRun({ procedure, params: {}, inventory: toyInventory(), runner, operator, stateDir });
  await run.result();
  return { stateDir, journal: readJournal(stateDir, run.runId) };
}

test('a journal of the wrong shape is refused with its path, what is wrong and how to move it aside', async () => {
  const { stateDir, journal } = await failedRun();
  const path = journalPath(stateDir, journal.runId);
  const bad = JSON.parse(readFileSync(path, 'utf8')) as { steps: { hosts: Record<string, { commandIndex: unknown }> }[] };
  bad.steps[1]!.hosts['(bastion)']!.commandIndex = '1';
  writeFileSync(path, JSON.stringify(bad));
  const field = 'steps\\.1\\.hosts\\.\\(bastion\\)\\.commandIndex';
  const at = new RegExp(`${path} is not a journal of version 1 \\(${field}: .*number.*\\); .*mv ${path} ${path}\\.bad`);
  assert.throws(() => readJournal(stateDir, journal.runId), at);
  writeFileSync(path, JSON.stringify({ ...journal, captures: undefined }));
  assert.throws(() => readJournal(stateDir, journal.runId), /\(captures: /);
  writeFileSync(path, JSON.stringify(journal).slice(0, 200));
  assert.throws(() => readJournal(stateDir, journal.runId), /\(not JSON: /);
  assert.match(listRuns(stateDir).problems[0]!, /not JSON/);
});

test('captured values are checked again on resume: one no step captures, or a NUL byte, refuses the resume', async () => {
  const { stateDir, journal } = await failedRun();
  checkResumable(journal, procedure);
  const edited = (captures: Journal['captures']) => {
    writeJournal(stateDir, { ...journal, captures });
    return readJournal(stateDir, journal.runId);
  };
  const planted = edited([...journal.captures, { step: 'read', host: null, name: 'backup-dir', value: '/' }]);
  assert.throws(() => checkResumable(planted, procedure), /the value 'backup-dir' captured by step read is not one that step of/);
  const nul = edited([{ ...journal.captures[0]!, value: 'abc\u0000 --force' }]);
  assert.throws(() => checkResumable(nul, procedure), /the value 'id' captured by step read holds a NUL byte/);
});

test('a captured value with a NUL byte is a failure of the step when it is captured', async () => {
  const { journal } = await failedRun('a\u0000b');
  assert.equal(journal.steps[0]!.status, 'failed');
  assert.match(journal.message ?? '', /capturing id/);
  assert.equal(journal.captures.length, 0);
});
