// Step.downloads: SFTP copies after the commands, in the plan, the run log, the audit log and the
// recording like commands, failing the step like a command.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
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

/** A fake runner that can download: fails the first `failures` downloads; every command answers exit 0. */
function downloadingRunner(failures = 0): FakeRunner {
  const fake = new FakeRunner({ transfers: true });
  for (let i = 0; i < failures; i++)
    fake.expect(/^sftp get/).answers((where, script) => ({ throws: new Error(`${where}: No such file (${/:(\S+) →/.exec(script)![1]})`) }));
  fake.allow(/^sftp get/).answers({ bytes: 1234 });
  fake.allow(() => true).answers({});
  return fake;
}

const steps = (): Step[] => [
  {
    id: 'pack',
    title: 'Pack and fetch',
    where: { on: 'role', role: 'etcd', mode: 'serial' },
    commands: () => [sh`tar -czf /backup/x.tar.gz -C /backup x`],
    downloads: (ctx) => [{ remote: '/backup/x.tar.gz', local: `/srv/copy/${ctx.host!.name}/x.tar.gz` }],
  },
];
const proc = () => toyProcedure('toy-download', steps());

test('plan: a download reads like a command line after the commands', () => {
  const [p] = planProcedure(proc(), {}, toyInventory());
  assert.deepEqual(
    p!.commands.filter((c) => c.host === 'm0.example.com').map((c) => c.command),
    ['tar -czf /backup/x.tar.gz -C /backup x', 'sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz'],
  );
});

test('run: every download recorded, logged and audited (bytes, duration) after the commands', async () => {
  const stateDir = tempStateDir();
  const runner = downloadingRunner();
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
    'm0.example.com: tar -czf /backup/x.tar.gz -C /backup x',
    'm0.example.com: sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz',
    'm1.example.com: tar -czf /backup/x.tar.gz -C /backup x',
    'm1.example.com: sftp get m1.example.com:/backup/x.tar.gz → /srv/copy/m1.example.com/x.tar.gz',
  ]);
  assert.deepEqual(
    runner.commands.filter((c) => c.script.startsWith('sftp get')).map((c) => [c.where, c.script, c.bytes]),
    [
      ['m0.example.com', 'sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz', 1234],
      ['m1.example.com', 'sftp get m1.example.com:/backup/x.tar.gz → /srv/copy/m1.example.com/x.tar.gz', 1234],
    ],
  );
  const audit = readFileSync(auditPath(stateDir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditCommand)
    .filter((l) => l.kind === 'command');
  const get = audit.find((l) => l.command === 'sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz')!;
  assert.ok(get, JSON.stringify(audit));
  assert.equal(get.host, 'm0.example.com');
  assert.equal(get.exitCode, 0);
  assert.equal(typeof get.durationMs, 'number');
  assert.match(get.outputTail, /^1234 bytes in \d+\.\d s$/);
  assert.ok(
    r.snapshot.log.some(
      (l) => l.stream === 'command' && l.text === 'sftp get m1.example.com:/backup/x.tar.gz → /srv/copy/m1.example.com/x.tar.gz',
    ),
  );
});

test('a failed download fails the step like a command: retry repeats only the download', async () => {
  const stateDir = tempStateDir();
  const runner = downloadingRunner(1);
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
  assert.equal(operator.failures[0]!.command, 'sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz');
  assert.match(operator.failures[0]!.tail, /No such file/);
  assert.deepEqual(runner.scripts.slice(0, 3), [
    'm0.example.com: tar -czf /backup/x.tar.gz -C /backup x',
    'm0.example.com: sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz',
    'm0.example.com: sftp get m0.example.com:/backup/x.tar.gz → /srv/copy/m0.example.com/x.tar.gz',
  ]);
  const failed = readFileSync(auditPath(stateDir), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditCommand)
    .find((l) => l.kind === 'command' && l.error);
  assert.match(failed!.error!, /No such file/);
  assert.equal(failed!.exitCode, null);

  // a runner that cannot download: the step fails, abort ends the run
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
  assert.match(r2.failure!.tail, /cannot copy files/);
});

test('DemoRunner: a download copies the file of the demo host, mode 0600; a missing one is an error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'day2-demo-dl-'));
  const demo = new DemoRunner({ startDelayMs: 0 });
  const h = demo.cluster.hosts.find((x) => !x.down)!;
  const hostObj = toyInventory().hosts[0]!;
  const local = join(dir, 'sub', 'x.tar.gz');
  const target = { ...hostObj, name: h.name, address: h.name };
  await demo.run({ kind: 'host', host: target }, literal('mkdir -p /backup && echo archive > /backup/x.tar.gz'));
  const res = await demo.download(target, '/backup/x.tar.gz', local);
  assert.ok(existsSync(local));
  assert.equal(statSync(local).mode & 0o777, 0o600);
  assert.equal(res.bytes, statSync(local).size);
  assert.equal(readFileSync(local, 'utf8'), 'archive\n');
  await assert.rejects(demo.download(target, '/backup/none.tar.gz', local), /sftp get .*none\.tar\.gz: No such file/);
  await demo.close();
});
