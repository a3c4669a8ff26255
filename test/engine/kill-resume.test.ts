// Lab: `day2-tui run etcd-backup --yes` against real sshd + real etcd, kill -9 of the day2-tui process in
// the middle of the run (while etcd is stopped for the v2 backup when the timing allows), then
// `day2-tui resume <id> --yes`: it re-checks the interrupted step, finishes, and the result is the same
// as an uninterrupted backup: etcd healthy on every member, the data unchanged, the backup verified.
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/engine/kill-resume.test.ts
// Fails (never skips) when LAB_DIR is unset or no lab is running there.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { journals } from '../procedures/lab-helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const LAB_SH = join(ROOT, 'test', 'lab', 'lab.sh');
const labDir = process.env.LAB_DIR ?? '';

function run(file: string, args: string[], timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function day2(stateDir: string, args: string[]): string[] {
  return [
    '--import',
    'tsx',
    MAIN,
    ...args,
    '-i',
    join(labDir, 'hosts.ini'),
    '--known-hosts',
    join(labDir, 'known_hosts'),
    '--identity',
    join(labDir, 'id_ed25519'),
    '--state-dir',
    stateDir,
  ];
}

const ORDER = [
  'preflight',
  'config-backup',
  'health-v2',
  'health-v3',
  'member-list',
  'snapshot-save',
  'v2-backup',
  'start-etcd',
  'verify-backup',
  'copy-to-bastion',
];

test('kill -9 of day2-tui during etcd-backup, then resume --yes: same result as an uninterrupted run', { timeout: 300_000 }, async (t) => {
  assert.ok(labDir && existsSync(join(labDir, 'hosts.ini')), `no lab in '${labDir}': bash test/lab/lab.sh up --dir DIR, then LAB_DIR=DIR`);
  const fingerprint = async () => {
    const r = await run('bash', [LAB_SH, 'fingerprint', '--dir', labDir]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const before = await fingerprint();
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-lab-kill-'));

  const child = spawn(process.execPath, day2(stateDir, ['run', 'etcd-backup', '--yes']), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let killedAt: string | undefined;
  let commandIndex = -1;
  // As soon as the journal shows the v2 backup under way (etcd being stopped), kill -9.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const j = journals(stateDir)[0];
    const step = j?.currentStep;
    if (j && j.status === 'running' && step && ORDER.indexOf(step) >= ORDER.indexOf('v2-backup')) {
      child.kill('SIGKILL');
      killedAt = step;
      commandIndex = Object.values(j.steps.find((s) => s.id === step)?.hosts ?? {})[0]?.commandIndex ?? -1;
      break;
    }
    if (j && j.status !== 'running') break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      assert.fail(`the run did not reach the v2 backup within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const ended = await exited;
  assert.equal(ended.signal, 'SIGKILL', `the run finished before it could be killed:\n${out}`);
  assert.ok(killedAt);
  const j0 = journals(stateDir)[0]!;
  assert.equal(j0.status, 'running', 'the journal still says running: the process died');

  const runs = await run(process.execPath, day2(stateDir, ['runs', '--json']));
  assert.equal(runs.code, 0, runs.stderr);
  const listed = (JSON.parse(runs.stdout) as { runs: { id: string; status: string; currentStep: string }[] }).runs;
  assert.equal(listed.length, 1);
  assert.equal(listed[0]!.status, 'interrupted');

  t.diagnostic(`killed during ${killedAt}, command index ${commandIndex}`);
  const resumed = await run(process.execPath, day2(stateDir, ['resume', listed[0]!.id, '--yes']));
  assert.equal(resumed.code, 0, `resume failed (killed in ${killedAt} at command ${commandIndex}):\n${resumed.stdout}\n${resumed.stderr}`);
  assert.match(resumed.stdout, /resuming: checking|verified|runs again/);

  const j = journals(stateDir)[0]!;
  assert.equal(j.status, 'ok');
  assert.equal(j.history.length, 1);
  for (const s of j.steps) assert.ok(s.status === 'ok' || s.status === 'skipped', `${s.id}: ${s.status}`);
  // steps finished before the kill were not run again: one snapshot save in the audit log
  const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; command?: string });
  assert.equal(audit.filter((e) => e.kind === 'command' && /snapshot save/.test(e.command ?? '')).length, 1);

  // the same result as an uninterrupted backup: etcd healthy everywhere, data unchanged, backup verified
  const health = await run(process.execPath, day2(stateDir, ['check', '--only', 'etcd-health', '--json']));
  assert.equal(health.code, 0, health.stdout + health.stderr);
  assert.equal(await fingerprint(), before);
  const verify = j.steps.find((s) => s.id === 'verify-backup')!;
  assert.equal(verify.status, 'ok');
});
