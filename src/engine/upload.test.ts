// Step.uploads: SFTP copies from the bastion to the step's host, after the commands and before the
// downloads, in the plan, the run log, the audit log and the recording like commands, failing the step
// like a command.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DemoRunner } from '../demo/runner.js';
import { FakeRunner } from '../testing/fake-runner.js';
import { literal, sh } from '../transport/shell.js';
import { type AuditCommand, auditPath } from './audit.js';
import { planProcedure } from './plan.js';
import { startProcedureRun } from './run.js';
import { CannedOperator, tempStateDir, toyInventory, toyProcedure } from './test-helpers.js';
import type { Step } from './types.js';

/** A fake runner that can upload and download: fails the first `failures` uploads; every command answers exit 0. */
function copyingRunner(failures = 0): FakeRunner {
  const fake = new FakeRunner({ transfers: true });
  for (let i = 0; i < failures; i++)
    fake.expect(/^sftp put/).answers((_w, script) => ({ throws: new Error(`${script}: Permission denied`) }));
  fake.allow(/^sftp put/).answers({ bytes: 321 });
  fake.allow(/^sftp get/).answers({ bytes: 1234 });
  fake.allow(() => true).answers({});
  return fake;
}

const steps = (): Step[] => [
  {
    id: 'push',
    title: 'Push an archive',
    where: { on: 'role', role: 'etcd', mode: 'serial' },
    commands: () => [sh`rm -f /tmp/x.tgz`],
    uploads: () => [{ local: '/srv/stage/x.tgz', remote: '/tmp/x.tgz' }],
    downloads: (ctx) => [{ remote: '/tmp/y.tgz', local: `/srv/copy/${ctx.host!.name}/y.tgz` }],
  },
];
const proc = () => toyProcedure('toy-upload', steps());

test('plan: an upload reads like a command line after the commands, before the downloads', () => {
  const [p] = planProcedure(proc(), {}, toyInventory());
  assert.deepEqual(
    p!.commands.filter((c) => c.host === 'm0.example.com').map((c) => c.command),
    [
      'rm -f /tmp/x.tgz',
      'sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz',
      'sftp get m0.example.com:/tmp/y.tgz → /srv/copy/m0.example.com/y.tgz',
    ],
  );
});

test('run: every upload recorded, logged and audited (bytes) in order: commands, uploads, downloads', async () => {
  const stateDir = tempStateDir();
  const runner = copyingRunner();
  const run = startProcedureRun({
    procedure: proc(),
    params: {},
    inventory: toyInventory(),
    runner,
    operator: new CannedOperator(),
    stateDir,
    operatorName: 'tester',
  });
  const r = await run.result();
  assert.equal(r.status, 'ok');
  assert.deepEqual(runner.scripts, [
    'm0.example.com: rm -f /tmp/x.tgz',
    'm0.example.com: sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz',
    'm0.example.com: sftp get m0.example.com:/tmp/y.tgz → /srv/copy/m0.example.com/y.tgz',
    'm1.example.com: rm -f /tmp/x.tgz',
    'm1.example.com: sftp put /srv/stage/x.tgz → m1.example.com:/tmp/x.tgz',
    'm1.example.com: sftp get m1.example.com:/tmp/y.tgz → /srv/copy/m1.example.com/y.tgz',
  ]);
  assert.deepEqual(
    runner.commands.filter((c) => c.script.startsWith('sftp put')).map((c) => [c.where, c.script, c.bytes]),
    [
      ['m0.example.com', 'sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz', 321],
      ['m1.example.com', 'sftp put /srv/stage/x.tgz → m1.example.com:/tmp/x.tgz', 321],
    ],
  );
  const audit = readFileSync(auditPath(stateDir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditCommand)
    .filter((l) => l.kind === 'command');
  const put = audit.find((l) => l.command === 'sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz');
  assert.ok(put, JSON.stringify(audit));
  assert.equal(put.exitCode, 0);
  assert.match(put.outputTail, /^321 bytes in \d+\.\d s$/);
  assert.ok(r.snapshot.log.some((l) => l.stream === 'command' && l.text === 'sftp put /srv/stage/x.tgz → m1.example.com:/tmp/x.tgz'));
});

test('a failed upload fails the step like a command: retry repeats only the upload; a runner without upload fails', async () => {
  const stateDir = tempStateDir();
  const runner = copyingRunner(1);
  const operator = new CannedOperator([], ['retry']);
  const run = startProcedureRun({
    procedure: proc(),
    params: {},
    inventory: toyInventory(),
    runner,
    operator,
    stateDir,
    operatorName: 'tester',
  });
  const r = await run.result();
  assert.equal(r.status, 'ok');
  assert.equal(operator.failures.length, 1);
  assert.equal(operator.failures[0]!.command, 'sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz');
  assert.match(operator.failures[0]!.tail, /Permission denied/);
  assert.deepEqual(runner.scripts.slice(0, 4), [
    'm0.example.com: rm -f /tmp/x.tgz',
    'm0.example.com: sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz',
    'm0.example.com: sftp put /srv/stage/x.tgz → m0.example.com:/tmp/x.tgz',
    'm0.example.com: sftp get m0.example.com:/tmp/y.tgz → /srv/copy/m0.example.com/y.tgz',
  ]);

  const plain = startProcedureRun({
    procedure: proc(),
    params: {},
    inventory: toyInventory(),
    runner: FakeRunner.answering(),
    operator: new CannedOperator(),
    stateDir: tempStateDir(),
    operatorName: 'tester',
  });
  const r2 = await plain.result();
  assert.equal(r2.status, 'failed');
  assert.match(r2.failure!.tail, /cannot copy files to a host/);
});

test('DemoRunner: an upload reads the local file and reports its size; a missing file is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-demo-up-'));
  const local = join(dir, 'x.tgz');
  writeFileSync(local, 'twelve bytes');
  const demo = new DemoRunner({ startDelayMs: 0 });
  const h = demo.cluster.hosts.find((x) => !x.down)!;
  const hostObj = { ...toyInventory().hosts[0]!, name: h.name, address: h.name };
  assert.deepEqual(await demo.upload(hostObj, local, '/tmp/x.tgz'), { bytes: 12 });
  assert.equal((await demo.run({ kind: 'host', host: hostObj }, literal('cat /tmp/x.tgz'))).stdout, 'twelve bytes');
  await assert.rejects(demo.upload(hostObj, join(dir, 'missing.tgz'), '/tmp/x.tgz'), /sftp put .*missing\.tgz/);
});
