import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Answer, FakeRunner } from '../testing/fake-runner.js';
import { sh } from '../transport/shell.js';
import { auditPath } from './audit.js';
import { type Journal, journalPath, listRuns, readJournal } from './journal.js';
import { ParamError } from './params.js';
import { planProcedure } from './plan.js';
import { type StartRunOptions, startProcedureRun } from './run.js';
import { CannedOperator, filesUnder, HOST_AND_PASSWORD, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { EngineEvent, ParameterSpec, Procedure, Step } from './types.js';

const SECRET = 'S3cr3t-pa55';
const PARAMS = HOST_AND_PASSWORD;

function backupSteps(): Step[] {
  return [
    {
      id: 'snapshot',
      title: 'Take a snapshot',
      section: '4.9.1',
      where: { on: 'param', param: 'host' },
      commands: (ctx) => [sh`mkdir -p /backup`, sh`etcdctl snapshot save /backup/s.db --docker-password=${ctx.params.password!}`],
      capture: {
        rev: (outs) =>
          /revision: (\d+)/.exec(outs.at(-1)?.stdout ?? '')?.[1] ??
          (() => {
            throw new Error('no revision');
          })(),
      },
      verify: {
        describe: 'the snapshot file exists',
        command: () => sh`test -s /backup/s.db`,
        ok: (o) => (o.exitCode === 0 ? true : 'no snapshot file'),
      },
    },
    {
      id: 'copy',
      title: 'Copy it to the bastion',
      where: { on: 'bastion' },
      commands: (ctx) => [sh`scp ${ctx.params.host!}:/backup/s.db /safe/rev-${ctx.captured.get('rev')}.db`],
    },
    {
      id: 'wipe',
      title: 'Move the data directories aside',
      where: { on: 'role', role: 'etcd', mode: 'serial' },
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) => `moves /var/lib/etcd aside on ${ctx.host?.name ?? 'every member'}`,
        protectedBy: () => '/safe snapshot',
      },
      commands: (ctx) => [sh`mv /var/lib/etcd /var/lib/etcd.old-${ctx.startedAt.getTime()}`],
    },
    {
      id: 'restart',
      title: 'Restart etcd',
      where: { on: 'role', role: 'etcd', mode: 'parallel' },
      commands: () => [sh`systemctl stop etcd`, sh`systemctl start etcd`],
    },
  ];
}

const proc = (steps = backupSteps()): Procedure => toyProcedure('toy-backup', steps, PARAMS);

function happy(where: string, script: string): Answer {
  if (script.startsWith('etcdctl snapshot save')) return { stdout: `saving with --password=${SECRET}\nrevision: 42\n` };
  if (script.startsWith('systemctl')) return { delayMs: 5, stdout: 'ok\n' };
  void where;
  return { stdout: '' };
}

function start(options: Partial<StartRunOptions> & { answer?: (w: string, s: string) => Answer }) {
  const stateDir = options.stateDir ?? tempStateDir();
  const runner = FakeRunner.answering(options.answer ?? happy);
  const operator = (options.operator ?? new CannedOperator()) as CannedOperator;
  const run = startProcedureRun({
    procedure: options.procedure ?? proc(),
    params: options.params ?? { host: 'm0.example.com', password: SECRET },
    inventory: toyInventory(),
    runner,
    operator,
    stateDir,
    operatorName: 'tester',
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.gateApprovedBy ? { gateApprovedBy: options.gateApprovedBy } : {}),
  });
  const events: EngineEvent[] = [];
  run.onEvent((e) => events.push(e));
  return { run, runner, stateDir, operator, events };
}

const files = filesUnder;

/** A pid that is certainly not running now. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

test('runs every command in order: serial role one host after the other, parallel all at once; captures flow', async () => {
  const { run, runner, operator } = start({});
  const r = await run.result();
  assert.equal(r.status, 'ok');
  const stamp = new Date(readJournal(run.journalPath.replace(/\/runs\/.*$/, ''), run.runId).startedAt).getTime();
  assert.deepEqual(runner.scripts, [
    'm0.example.com: mkdir -p /backup',
    `m0.example.com: etcdctl snapshot save /backup/s.db --docker-password=${SECRET}`,
    'm0.example.com: test -s /backup/s.db',
    'bastion: scp m0.example.com:/backup/s.db /safe/rev-42.db',
    `m0.example.com: mv /var/lib/etcd /var/lib/etcd.old-${stamp}`,
    `m1.example.com: mv /var/lib/etcd /var/lib/etcd.old-${stamp}`,
    'm0.example.com: systemctl stop etcd',
    'm1.example.com: systemctl stop etcd',
    'm0.example.com: systemctl start etcd',
    'm1.example.com: systemctl start etcd',
  ]);
  // the type-host gate names the hosts to type
  assert.equal(operator.gates.length, 1);
  assert.equal(operator.gates[0]!.kind, 'type-host');
  assert.equal(operator.gates[0]!.expect, 'm0.example.com,m1.example.com');
  assert.deepEqual(
    r.snapshot.steps.map((s) => s.status),
    ['ok', 'ok', 'ok', 'ok'],
  );
});

test('plan: resolved commands, captures as <placeholders>, secrets redacted, nothing runs', () => {
  const plan = planProcedure(proc(), { host: 'm1.example.com', password: SECRET }, toyInventory(), new Date(0));
  assert.equal(plan.length, 4);
  assert.deepEqual(plan[0]!.hosts, ['m1.example.com']);
  assert.deepEqual(plan[0]!.commands, [
    { host: 'm1.example.com', command: 'mkdir -p /backup' },
    { host: 'm1.example.com', command: 'etcdctl snapshot save /backup/s.db --docker-password=«redacted»' },
  ]);
  assert.deepEqual(plan[1]!.commands, [{ host: null, command: 'scp m1.example.com:/backup/s.db /safe/rev-<rev>.db' }]);
  assert.equal(plan[2]!.destructive, true);
  assert.equal(plan[2]!.gate?.kind, 'type-host');
  assert.deepEqual(plan[3]!.hosts, ['m0.example.com', 'm1.example.com']);
  assert.equal(plan[0]!.verify, 'the snapshot file exists');
  assert.doesNotMatch(JSON.stringify(plan), new RegExp(SECRET));
  // a missing secret is fine in a plan
  const p2 = planProcedure(proc(), { host: 'm1.example.com' }, toyInventory());
  assert.match(p2[0]!.commands[1]!.command, /--docker-password=«redacted»/);
});

test('parameters: required, role choices, unknown names — each error names the parameter and what to do', () => {
  assert.throws(
    () => planProcedure(proc(), {}, toyInventory()),
    (e: unknown) => e instanceof ParamError && /parameter 'host' is required.*m0\.example\.com, m1\.example\.com/.test(e.message),
  );
  assert.throws(
    () => planProcedure(proc(), { host: 'n0.example.com' }, toyInventory()),
    /'n0\.example\.com' is not a etcd host .*choose one of: m0\.example\.com/,
  );
  assert.throws(
    () => planProcedure(proc(), { host: 'm0.example.com', colour: 'red' }, toyInventory()),
    /toy-backup has no parameter 'colour'/,
  );
  assert.throws(
    () =>
      startProcedureRun({
        procedure: proc(),
        params: { host: 'm0.example.com' },
        inventory: toyInventory(),
        runner: FakeRunner.answering(),
        operator: new CannedOperator(),
        stateDir: tempStateDir(),
      }),
    /parameter 'password' is required/,
  );
});

test('a failed precondition stops the step before any of its commands; a destructive step offers no skip', async () => {
  const steps = backupSteps();
  steps[2] = {
    ...steps[2]!,
    precondition: {
      describe: 'a verified backup exists',
      command: () => sh`etcdctl snapshot status /safe/s.db`,
      ok: (o) => (o.exitCode === 0 ? true : 'no verified backup'),
    },
  };
  const { run, runner, operator, stateDir } = start({
    procedure: proc(steps),
    answer: (w, s) => (s.includes('snapshot status') ? { exitCode: 2, stderr: 'Error: no such file' } : happy(w, s)),
  });
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.equal(operator.failures.length, 1);
  assert.deepEqual(operator.failures[0]!.choices, ['retry', 'abort']);
  assert.match(operator.failures[0]!.tail, /precondition failed: a verified backup exists: no verified backup/);
  assert.match(operator.failures[0]!.tail, /no such file/);
  assert.ok(!runner.scripts.some((s) => s.includes('mv /var/lib/etcd')), 'nothing changed');
  assert.equal(runner.scripts.at(-1), 'm0.example.com: etcdctl snapshot status /safe/s.db');
  assert.deepEqual(
    r.snapshot.steps.map((s) => s.status),
    ['ok', 'ok', 'failed', 'pending'],
  );
  // it is said as the check that did not hold, not as a command with an exit code; the audit says 'failed' once
  assert.equal(r.failure!.check, 'precondition');
  assert.equal(r.message, 'precondition failed: a verified backup exists: no verified backup');
  const ends = readFileSync(auditPath(stateDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; text?: string })
    .filter((e) => e.kind === 'run-end');
  assert.deepEqual(
    ends.map((e) => e.text),
    ['failed: precondition failed: a verified backup exists: no verified backup'],
  );
});

test('a failed command is said by its command and exit code, once: journal "cmd (exit N)", audit "failed: cmd (exit N)"', async () => {
  const { run, stateDir } = start({
    answer: (w, s) => (s.startsWith('etcdctl') ? { exitCode: 1, stderr: 'etcdserver: request timed out' } : happy(w, s)),
    operator: new CannedOperator([], ['abort']),
  });
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.equal(r.failure!.check, undefined);
  assert.match(r.message!, /^etcdctl .* \(exit 1\)$/);
  const end = readFileSync(auditPath(stateDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; text?: string })
    .find((e) => e.kind === 'run-end');
  assert.equal(end!.text, `failed: ${r.message}`);
});

test('failure: retry re-runs the failed command (not the ones before), skip goes on, abort ends the run', async () => {
  let fails = 1;
  const answer = (w: string, s: string): Answer =>
    s === 'mkdir -p /backup'
      ? {}
      : s.startsWith('etcdctl') && fails-- > 0
        ? { exitCode: 1, stderr: 'etcdserver: request timed out' }
        : happy(w, s);
  const retry = start({ answer, operator: new CannedOperator([], ['retry']) });
  const r1 = await retry.run.result();
  assert.equal(r1.status, 'ok');
  assert.deepEqual(retry.runner.scripts.slice(0, 4), [
    'm0.example.com: mkdir -p /backup',
    `m0.example.com: etcdctl snapshot save /backup/s.db --docker-password=${SECRET}`,
    `m0.example.com: etcdctl snapshot save /backup/s.db --docker-password=${SECRET}`,
    'm0.example.com: test -s /backup/s.db',
  ]);
  const f = (retry.operator as CannedOperator).failures[0]!;
  assert.deepEqual(f.choices, ['retry', 'skip', 'abort']);
  assert.equal(f.exitCode, 1);
  assert.match(f.command, /--docker-password=«redacted»/);
  assert.match(f.tail, /request timed out/);

  // skip a non-destructive failing step: the run goes on (the next step cannot use its capture: a failure too)
  const steps = backupSteps();
  steps[1] = { ...steps[1]!, commands: () => [sh`false`] };
  const skip = start({
    procedure: proc(steps),
    answer: (w, s) => (s === 'false' ? { exitCode: 1 } : happy(w, s)),
    operator: new CannedOperator([], ['skip']),
  });
  const r2 = await skip.run.result();
  assert.equal(r2.status, 'ok');
  assert.deepEqual(
    r2.snapshot.steps.map((s) => s.status),
    ['ok', 'skipped', 'ok', 'ok'],
  );

  // a failing verification is a failure too; abort ends the run there
  const abort = start({
    answer: (w, s) => (s.startsWith('test -s') ? { exitCode: 1 } : happy(w, s)),
    operator: new CannedOperator([], ['abort']),
  });
  const r3 = await abort.run.result();
  assert.equal(r3.status, 'failed');
  assert.match(r3.failure!.tail, /verification failed: the snapshot file exists: no snapshot file/);
  assert.equal(abort.runner.commands.length, 3);
});

test('a destructive step is never skipped, even when the operator answers skip', async () => {
  const { run, operator } = start({
    answer: (w, s) => (s.startsWith('mv ') ? { exitCode: 1, stderr: 'mv: cannot move' } : happy(w, s)),
    operator: new CannedOperator([true], ['skip']),
  });
  const r = await run.result();
  assert.deepEqual((operator as CannedOperator).failures[0]!.choices, ['retry', 'abort']);
  assert.equal(r.status, 'failed');
  assert.equal(r.snapshot.steps[2]!.status, 'failed');
});

test('a gate not approved stops the run before the step runs anything', async () => {
  const { run, runner } = start({ operator: new CannedOperator([false]) });
  const r = await run.result();
  assert.equal(r.status, 'stopped-at-gate');
  assert.equal(r.gate?.step, 'wipe');
  assert.match(r.gate!.what, /moves \/var\/lib\/etcd aside/);
  assert.ok(!runner.scripts.some((s) => s.includes('mv ')));
  const j = readJournal(run.journalPath.replace(/\/runs\/.*$/, ''), run.runId);
  assert.equal(j.status, 'stopped-at-gate');
  assert.equal(j.steps[2]!.status, 'pending');
});

test('session operator: the console answers the gate through the session', async () => {
  const stateDir = tempStateDir();
  const run = startProcedureRun({
    procedure: proc(),
    params: { host: 'm0.example.com', password: SECRET },
    inventory: toyInventory(),
    runner: FakeRunner.answering(happy),
    operator: 'session',
    stateDir,
  });
  await new Promise<void>((resolve) => {
    const off = run.subscribe(() => {
      if (run.getSnapshot().status === 'waiting-gate') {
        off();
        resolve();
      }
    });
  });
  const s = run.getSnapshot();
  assert.equal(s.current, 'wipe');
  assert.equal(s.gate?.expect, 'm0.example.com,m1.example.com');
  assert.ok(s.log.some((l) => l.stream === 'command' && l.text.includes('«redacted»')));
  run.answerGate(true);
  const done = await run.finished();
  assert.equal(done.status, 'ok');
});

test('the journal is written before and after every command (atomic, 0600), so a crash leaves the truth', async () => {
  const stateDir = tempStateDir();
  const seen: Journal[] = [];
  let path = '';
  const { run } = start({
    stateDir,
    answer: (w, s) => {
      // what a crash at this moment would leave on disk
      seen.push(JSON.parse(readFileSync(path, 'utf8')) as Journal);
      return happy(w, s);
    },
  });
  path = run.journalPath;
  await run.result();
  // before `copy` runs: snapshot ok with its capture, copy running at command 0
  const beforeCopy = seen[3]!;
  assert.equal(beforeCopy.steps[0]!.status, 'ok');
  assert.deepEqual(beforeCopy.captures, [{ step: 'snapshot', host: 'm0.example.com', name: 'rev', value: '42' }]);
  assert.equal(beforeCopy.steps[1]!.status, 'running');
  assert.deepEqual(beforeCopy.steps[1]!.hosts['(bastion)'], { status: 'running', commandIndex: 0, commandCount: 1 });
  assert.equal(beforeCopy.status, 'running');
  assert.equal(beforeCopy.pid, process.pid);
  // before the destructive command: it is marked as begun
  const beforeWipe = seen[4]!;
  assert.equal(beforeWipe.currentStep, 'wipe');
  assert.equal(beforeWipe.steps[2]!.destructiveBegun, true);
  // the second snapshot command: the first is done
  assert.equal(seen[1]!.steps[0]!.hosts['m0.example.com']!.commandIndex, 1);
  const final = readJournal(stateDir, run.runId);
  assert.equal(final.status, 'ok');
  assert.match(run.runId, /^\d{8}-\d{6}-toy-backup-[a-z0-9]{4}$/);
  assert.equal(final.params.password, '«secret: asked again on resume»');
  for (const f of files(stateDir)) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  assert.ok(!files(stateDir).some((f) => f.endsWith('.tmp')));
});

/** Says the runner got there, and never answers. */
function reachedAndHang(reached: () => void): Answer {
  reached();
  return { hang: true };
}

/** Runs until the runner reaches `hangOn`, captures the journal as a crash would leave it, then ends the run. */
async function crashAt(stateDir: string, hangOn: RegExp, operator = new CannedOperator()): Promise<Journal> {
  let reached: () => void = () => {};
  const atHang = new Promise<void>((r) => (reached = r));
  const { run } = start({
    stateDir,
    operator,
    answer: (w, s) => {
      if (hangOn.test(s)) {
        reached();
        return { hang: true };
      }
      return happy(w, s);
    },
  });
  await atHang;
  const onDisk = JSON.parse(readFileSync(run.journalPath, 'utf8')) as Journal;
  run.cancel();
  await run.result();
  // the process that wrote it is gone: kill -9 leaves exactly this file, with a dead pid
  const crashed: Journal = { ...onDisk, pid: deadPid() };
  delete crashed.pidStart;
  writeFileSync(run.journalPath, JSON.stringify(crashed));
  return crashed;
}

test('resume: the interrupted step verifies → marked ok, not re-run; the run goes on from the next step', async () => {
  const stateDir = tempStateDir();
  const crashed = await crashAt(stateDir, /^systemctl start/);
  assert.equal(listRuns(stateDir).runs[0]!.status, 'interrupted');
  assert.equal(listRuns(stateDir).runs[0]!.currentStep, 'restart');

  // restart has no verify: it runs again (not destructive: no gate)
  const again = start({ stateDir, resume: crashed, params: { password: SECRET } });
  const r = await again.run.result();
  assert.equal(r.status, 'ok');
  assert.deepEqual(again.runner.scripts, [
    'm0.example.com: systemctl stop etcd',
    'm1.example.com: systemctl stop etcd',
    'm0.example.com: systemctl start etcd',
    'm1.example.com: systemctl start etcd',
  ]);
  assert.equal((again.operator as CannedOperator).gates.length, 0);

  // snapshot interrupted in its second command: its verification passes, but the value it captures was
  // never recorded, so the step runs again (from its first command) to capture it.
  const stateDir2 = tempStateDir();
  const crashed2 = await crashAt(stateDir2, /^etcdctl snapshot save/);
  const resumed2 = start({ stateDir: stateDir2, resume: crashed2, params: { password: SECRET } });
  assert.equal((await resumed2.run.result()).status, 'ok');
  assert.deepEqual(resumed2.runner.scripts.slice(0, 5), [
    'm0.example.com: test -s /backup/s.db',
    'm0.example.com: mkdir -p /backup',
    `m0.example.com: etcdctl snapshot save /backup/s.db --docker-password=${SECRET}`,
    'm0.example.com: test -s /backup/s.db',
    'bastion: scp m0.example.com:/backup/s.db /safe/rev-42.db',
  ]);
});

test('resume: verification passes → the step is ok without running again; fails → the step runs again', async () => {
  const steps = backupSteps();
  steps[1] = {
    ...steps[1]!,
    verify: { describe: 'the copy exists', command: () => sh`test -s /safe/rev-42.db`, ok: (o) => (o.exitCode === 0 ? true : 'no copy') },
  };
  const p = proc(steps);
  const mk = async () => {
    const stateDir = tempStateDir();
    let reached: () => void = () => {};
    const at = new Promise<void>((r) => (reached = r));
    const first = start({ stateDir, procedure: p, answer: (w, s) => (s.startsWith('scp') ? reachedAndHang(reached) : happy(w, s)) });
    await at;
    const onDisk = { ...(JSON.parse(readFileSync(first.run.journalPath, 'utf8')) as Journal), pid: deadPid() };
    first.run.cancel();
    await first.run.result();
    writeFileSync(first.run.journalPath, JSON.stringify(onDisk));
    return { stateDir, journal: onDisk };
  };
  const a = await mk();
  const passes = start({ stateDir: a.stateDir, procedure: p, resume: a.journal, params: { password: SECRET } });
  assert.equal((await passes.run.result()).status, 'ok');
  assert.equal(passes.runner.scripts[0], 'bastion: test -s /safe/rev-42.db');
  assert.ok(!passes.runner.scripts.some((s) => s.includes('scp')), 'verified: not copied again');
  assert.ok(!passes.runner.scripts.some((s) => s.includes('etcdctl')), 'steps already ok are not re-run');
  assert.equal(passes.run.getSnapshot().steps[1]!.message, 'verified on resume');

  const b = await mk();
  let verifies = 0;
  const fails = start({
    stateDir: b.stateDir,
    procedure: p,
    resume: b.journal,
    params: { password: SECRET },
    answer: (w, s) => (s.startsWith('test -s /safe') ? { exitCode: verifies++ === 0 ? 1 : 0 } : happy(w, s)),
  });
  assert.equal((await fails.run.result()).status, 'ok');
  assert.deepEqual(fails.runner.scripts.slice(0, 3), [
    'bastion: test -s /safe/rev-42.db',
    'bastion: scp m0.example.com:/backup/s.db /safe/rev-42.db',
    'bastion: test -s /safe/rev-42.db',
  ]);
});

test('resume: a destructive serial step whose next host was never sent a command is no repeat there; the host that was is', async () => {
  const stateDir = tempStateDir();
  const crashed = await crashAt(stateDir, /^mv /);
  // as a crash (or a dropped connection) right after m0's part ended: m0 ok, m1 still pending at command 0
  const wipe = crashed.steps[2]!;
  assert.equal(wipe.hosts['m1.example.com']?.status, 'pending');
  wipe.hosts['m0.example.com'] = { ...wipe.hosts['m0.example.com']!, status: 'ok', commandIndex: 1, exitCode: 0 };
  writeFileSync(journalPath(stateDir, crashed.runId), JSON.stringify(crashed));
  const r = start({ stateDir, resume: crashed, params: { password: SECRET }, operator: new CannedOperator([false]) });
  const res = await r.run.result();
  assert.equal(res.status, 'stopped-at-gate');
  // the step's own gate for m1 (a first run there), without a REPEAT claim about a host that never began
  assert.doesNotMatch(res.gate!.what, /REPEAT/);
  assert.equal(res.gate!.expect, 'm1.example.com');
  assert.deepEqual(r.runner.scripts, []);

  // m1 sent its command (running, command 0), m0 ok: the repeat is m1's, and only m1's
  const stateDir2 = tempStateDir();
  const crashed2 = await crashAt(stateDir2, /^mv /);
  const wipe2 = crashed2.steps[2]!;
  wipe2.hosts['m0.example.com'] = { ...wipe2.hosts['m0.example.com']!, status: 'ok', commandIndex: 1, exitCode: 0 };
  wipe2.hosts['m1.example.com'] = { status: 'running', commandIndex: 0, commandCount: 1 };
  writeFileSync(journalPath(stateDir2, crashed2.runId), JSON.stringify(crashed2));
  const r2 = start({ stateDir: stateDir2, resume: crashed2, params: { password: SECRET }, operator: new CannedOperator([false]) });
  const res2 = await r2.run.result();
  assert.match(res2.gate!.what, /REPEAT OF A DESTRUCTIVE STEP: .*\(m1\.example\.com had reached command 1 of 1\)/);
  assert.doesNotMatch(res2.gate!.what, /m0\.example\.com had reached/);
});

test('resume: a destructive step that had begun is repeated only through a fresh gate, recorded in journal and audit', async () => {
  const stateDir = tempStateDir();
  const crashed = await crashAt(stateDir, /^mv /);
  assert.equal(crashed.steps[2]!.destructiveBegun, true);
  // declined: nothing runs
  const no = start({ stateDir, resume: crashed, params: { password: SECRET }, operator: new CannedOperator([false]) });
  const r0 = await no.run.result();
  assert.equal(r0.status, 'stopped-at-gate');
  assert.match(r0.gate!.what, /REPEAT OF A DESTRUCTIVE STEP.*m0\.example\.com had reached command 1 of 1/);
  assert.deepEqual(no.runner.scripts, []);

  const j = readJournal(stateDir, crashed.runId);
  const yes = start({ stateDir, resume: j, params: { password: SECRET }, operator: new CannedOperator([true]), gateApprovedBy: '--yes' });
  const r = await yes.run.result();
  assert.equal(r.status, 'ok');
  assert.equal((yes.operator as CannedOperator).gates.length, 1);
  assert.equal((yes.operator as CannedOperator).gates[0]!.expect, 'm0.example.com,m1.example.com');
  assert.match(yes.runner.scripts[0]!, /^m0\.example\.com: mv \/var\/lib\/etcd/);
  const final = readJournal(stateDir, crashed.runId);
  assert.equal(final.steps[2]!.repeats?.length, 1);
  assert.equal(final.steps[2]!.repeats![0]!.approvedBy, '--yes');
  assert.equal(final.history.length, 2);
  const audit = readFileSync(auditPath(stateDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; text?: string });
  assert.ok(audit.some((e) => e.kind === 'repeat-destructive' && /Approved by --yes/.test(e.text ?? '')));
});

test('resume refuses a run whose process is alive, or one that finished ok', async () => {
  const stateDir = tempStateDir();
  const { run } = start({ stateDir });
  await run.result();
  const j = readJournal(stateDir, run.runId);
  assert.throws(() => start({ stateDir, resume: j, params: { password: SECRET } }), /finished ok/);
  assert.throws(
    () => start({ stateDir, resume: { ...j, status: 'running', pid: process.pid }, params: { password: SECRET } }),
    /still running \(pid/,
  );
});

test('redaction: the secret, a bearer token and a private key never reach a file, an event or the snapshot', async () => {
  const stateDir = tempStateDir();
  const KEY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC';
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.tokenbody';
  const steps = backupSteps();
  steps.push({
    id: 'leak',
    title: 'A step whose output shows secrets',
    where: { on: 'bastion' },
    commands: (ctx) => [sh`oc login --token=${TOKEN} -u admin`, sh`printf %s ${ctx.params.password!}`],
    verify: { describe: 'always fails', command: () => sh`cat key`, ok: () => `bad key ${SECRET}` },
  });
  const { run, events } = start({
    stateDir,
    procedure: proc(steps),
    operator: new CannedOperator([true], ['abort']),
    answer: (w, s) =>
      s.startsWith('oc login')
        ? { stdout: `Authorization: Bearer ${TOKEN}\ntoken: ${TOKEN}\n` }
        : s.startsWith('printf')
          ? { stdout: `${SECRET}\n`, stderr: `password=${SECRET}\n` }
          : s === 'cat key'
            ? { stdout: `-----BEGIN RSA PRIVATE KEY-----\n${KEY}\nabcdef\n-----END RSA PRIVATE KEY-----\n` }
            : happy(w, s),
  });
  const r = await run.result();
  assert.equal(r.status, 'failed');
  const everything = [
    ...files(stateDir).map((f) => readFileSync(f, 'utf8')),
    JSON.stringify(events),
    JSON.stringify(run.getSnapshot()),
    JSON.stringify(r),
  ].join('\n');
  for (const secret of [SECRET, TOKEN, KEY, 'abcdef']) assert.ok(!everything.includes(secret), `${secret} leaked`);
  assert.match(everything, /«redacted»/);
  assert.match(everything, /-----BEGIN RSA PRIVATE KEY----- «redacted»/);
  const audit = readFileSync(auditPath(stateDir), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const cmd = audit.find((e) => e.kind === 'command' && String(e.command).startsWith('printf'))!;
  assert.equal(cmd.operator, 'tester');
  assert.equal(cmd.host, null);
  assert.equal(cmd.exitCode, 0);
  assert.equal(typeof cmd.durationMs, 'number');
  assert.equal(cmd.outputTail, '«redacted»\npassword=«redacted»');
  for (const f of files(stateDir)) assert.equal(statSync(f).mode & 0o777, 0o600, f);
});

test('cancel: the running command is cancelled, the run ends aborted and the journal says where it stood', async () => {
  const stateDir = tempStateDir();
  let reached: () => void = () => {};
  const at = new Promise<void>((r) => (reached = r));
  const { run } = start({ stateDir, answer: (w, s) => (s.startsWith('scp') ? reachedAndHang(reached) : happy(w, s)) });
  await at;
  run.cancel();
  const r = await run.result();
  assert.equal(r.status, 'aborted');
  const j = readJournal(stateDir, run.runId);
  assert.equal(j.status, 'aborted');
  assert.equal(j.currentStep, 'copy');
  assert.equal(j.steps[1]!.status, 'interrupted');
  assert.equal(j.steps[1]!.hosts['(bastion)']!.status, 'interrupted');
  assert.equal(listRuns(stateDir).runs[0]!.status, 'aborted');
});

test('a lost host (the runner rejects) is a failure with its message', async () => {
  const { run } = start({
    answer: (w, s) => (s.startsWith('mkdir') ? { throws: new Error('m0.example.com: connection lost') } : happy(w, s)),
  });
  const r = await run.result();
  assert.equal(r.status, 'failed');
  assert.equal(r.failure!.exitCode, null);
  assert.match(r.failure!.tail, /connection lost/);
});

test('journal path and listing', async () => {
  const stateDir = tempStateDir();
  assert.deepEqual(listRuns(stateDir), { runs: [], problems: [] });
  const { run } = start({ stateDir });
  await run.result();
  assert.equal(run.journalPath, journalPath(stateDir, run.runId));
  const listed = listRuns(stateDir).runs;
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.status, 'ok');
  assert.equal(listed[0]!.procedure, 'toy-backup');
});

test('the journal keeps a parameter as given, though it looks like a secret; resume uses it; the audit log redacts it', async () => {
  const stateDir = tempStateDir();
  const params: ParameterSpec[] = [{ name: 'backup-dir', description: 'where', required: true }, PARAMS[1]!];
  const steps: Step[] = [
    { id: 'save', title: 'Save', where: { on: 'bastion' }, commands: (ctx) => [sh`cp s.db ${ctx.params['backup-dir']!}`] },
    { id: 'check', title: 'Check', where: { on: 'bastion' }, commands: (ctx) => [sh`test -s ${ctx.params['backup-dir']!}/s.db`] },
  ];
  const procedure = toyProcedure('toy-dir', steps, params);
  const given = { 'backup-dir': '/backup/secret=weekly', password: SECRET };
  const first = start({ stateDir, procedure, params: given, answer: (_w, s) => (s.startsWith('test') ? { exitCode: 1 } : {}) });
  assert.equal((await first.run.result()).status, 'failed');
  const j = readJournal(stateDir, first.run.runId);
  assert.equal(j.params['backup-dir'], '/backup/secret=weekly');
  assert.equal(j.params.password, '«secret: asked again on resume»');
  const again = start({ stateDir, procedure, resume: j, params: { password: SECRET } });
  assert.equal((await again.run.result()).status, 'ok');
  assert.deepEqual(again.runner.scripts, ['bastion: test -s /backup/secret=weekly/s.db']);
  assert.ok(!readFileSync(auditPath(stateDir), 'utf8').includes('secret=weekly'));
});

test('a guard step (it protects a destructive one) offers retry or abort, never skip, whatever the operator answers', async () => {
  const steps = backupSteps();
  steps[1] = { ...steps[1]!, guard: true, commands: () => [sh`false`] };
  const { run, operator } = start({
    procedure: proc(steps),
    answer: (w, s) => (s === 'false' ? { exitCode: 1 } : happy(w, s)),
    operator: new CannedOperator([], ['skip']),
  });
  const r = await run.result();
  assert.deepEqual((operator as CannedOperator).failures[0]!.choices, ['retry', 'abort']);
  assert.equal(r.status, 'failed');
  assert.deepEqual(
    r.snapshot.steps.map((s) => s.status),
    ['ok', 'failed', 'pending', 'pending'],
    'the guarded steps never ran',
  );
});
