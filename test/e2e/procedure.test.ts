// etcd-backup run from the console, as an operator does it, in tmux at 80×24 against the real lab:
//   1. jump to etcd-backup, choose the member, plan, run, watch the log, answer the gate, every step ok;
//      the backup on the host passes `etcdctl snapshot status`, etcd healthy on every member, q quits 0.
//   2. the same run killed with kill -9 mid-run; the next day2-tui (same --state-dir) offers to resume it,
//      r resumes, every step ok.
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/e2e/procedure.test.ts
// Fails (never skips) when LAB_DIR is unset or no lab is running there. Whatever happens, etcd is started
// again on every member at the end.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { etcdBackup } from '../../procedures/etcd-backup.js';
import type { Journal } from '../../src/engine/journal.js';
import { journals } from '../procedures/lab-helpers.js';
import { TmuxSession } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');
const LAB_SH = join(repo, 'test', 'lab', 'lab.sh');
const labDir = process.env.LAB_DIR ?? '';
const MEMBER = 'master-0.lab.example.com';
const ORDER = etcdBackup.steps.map((s) => s.id);
const TITLE = new Map(etcdBackup.steps.map((s) => [s.id, s.title]));

interface LabHost {
  name: string;
}

function lab(): { dir: string; masters: string[] } {
  assert.ok(labDir, 'LAB_DIR is not set: start the lab with `bash test/lab/lab.sh up --dir DIR` and export LAB_DIR');
  assert.ok(existsSync(join(labDir, 'lab.json')), `no lab in ${labDir}: run \`bash test/lab/lab.sh up --dir ${labDir}\``);
  const json = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as { hosts: LabHost[] };
  return { dir: labDir, masters: json.hosts.map((h) => h.name).filter((n) => n.startsWith('master-')) };
}

function run(file: string, args: string[], timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const labSsh = (host: string, command: string) => run('bash', [LAB_SH, 'ssh', '--dir', labDir, host, command]);

/** Every capture of the console must fit the 80×24 terminal. */
const misfits: string[] = [];
function fits(screen: string): boolean {
  const lines = screen.replace(/\n+$/, '').split('\n');
  return lines.length <= 24 && lines.every((l) => [...l].length <= 80);
}
class Console extends TmuxSession {
  override screen(): string {
    const s = super.screen();
    if (!fits(s)) misfits.push(s);
    return s;
  }
}

const sessions: Console[] = [];
function session(name: string): Console {
  const s = new Console(name, 80, 24);
  sessions.push(s);
  return s;
}
after(() => {
  for (const s of sessions) s.stop();
});

function consoleCommand(stateDir: string): string {
  return `${bin} -i ${labDir}/hosts.ini --known-hosts ${labDir}/known_hosts --state-dir ${stateDir}`;
}

/** Bounded polling of a condition that is not on the screen. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, deadlineMs = 60_000, everyMs = 200): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function etcdHealthy(): Promise<{ ok: boolean; out: string }> {
  const r = await run(bin, [
    'check',
    '--only',
    'etcd-health',
    '--json',
    '-i',
    join(labDir, 'hosts.ini'),
    '--known-hosts',
    join(labDir, 'known_hosts'),
    '--state-dir',
    mkdtempSync(join(tmpdir(), 'day2-e2eproc-check-')),
  ]);
  return { ok: r.code === 0, out: r.stdout + r.stderr };
}

/** etcd started on every master and the cluster healthy: the state the lab must be left in. */
async function restoreEtcd(masters: string[]): Promise<void> {
  for (const m of masters) await labSsh(m, 'systemctl start etcd');
  await until('etcd healthy on every member', async () => ((await etcdHealthy()).ok ? true : undefined), 120_000, 2_000);
}

/** Home → `:` etcd-backup → the form with `host` = MEMBER → p → the plan (shows `snapshot save`) → r → y. */
async function startBackup(t: Console): Promise<void> {
  await t.waitFor((s) => /PROCEDURES/.test(s) && /✓ ok/.test(s), 'Home with the hosts probed', 60_000);
  t.keys(':');
  await t.waitFor((s) => /procedure id:/.test(s), 'the jump prompt');
  t.type('etcd-backup');
  await t.waitFor((s) => /Enter opens etcd-backup/.test(s), 'the jump to resolve etcd-backup');
  t.keys('Enter');
  await t.waitFor((s) => /PROCEDURE etcd-backup/.test(s) && /PARAMETERS/.test(s), 'the etcd-backup form');
  // host is the first field, a list of the etcd members: move until master-0 is chosen.
  const chosen = (s: string) => s.split('\n').some((l) => l.includes(`● ${MEMBER}`));
  const selected = (s: string) => s.split('\n').find((l) => l.includes('●')) ?? '';
  for (let i = 0; i < 6 && !chosen(t.screen()); i++) {
    const before = selected(t.screen());
    t.keys('Down');
    await t.waitFor((s) => selected(s) !== before, 'the choice to move');
  }
  const form = await t.waitFor(chosen, `${MEMBER} chosen in the host field`);
  assert.match(form, /› host/);
  t.keys('p');
  let plan = await t.waitFor((s) => /PLAN etcd-backup/.test(s), 'the plan');
  // the plan is a pager: page down until the snapshot save command shows (bounded).
  for (let i = 0; i < 20 && !/snapshot save/.test(plan); i++) {
    t.keys('PageDown');
    await sleep(150);
    plan = t.screen();
  }
  assert.match(plan, /snapshot save/, `the plan does not show snapshot save:\n${plan}`);
  assert.match(plan, /master-0/);
  t.keys('r');
  const confirm = await t.waitFor((s) => /Run it now on/.test(s), 'the y/N confirmation');
  assert.match(confirm, /y\/N/);
  t.keys('y');
  await t.waitFor((s) => /RUN \S*etcd-backup/.test(s), 'the run view');
}

function assertAllOk(j: Journal): void {
  assert.equal(j.status, 'ok', `run ${j.runId}: ${j.status}`);
  for (const s of j.steps) assert.ok(s.status === 'ok' || s.status === 'skipped', `${s.id}: ${s.status}`);
  for (const id of ORDER.filter((id) => id !== 'copy-to-bastion'))
    assert.equal(j.steps.find((s) => s.id === id)?.status, 'ok', `${id} is not ok`);
}

/** The run view at its end: FINISHED OK, and no step marked other than ok / skipped. */
async function waitFinished(t: Console, deadlineMs = 180_000): Promise<string> {
  const headline = (s: string) => s.split('\n').find((l) => /^RUN \S*etcd-backup/.test(l)) ?? '';
  const done = await t.waitFor((s) => /FINISHED OK|FAILED|ABORTED|STOPPED|GATE/.test(headline(s)), 'the run to end', deadlineMs);
  assert.match(headline(done), /✓ FINISHED OK: 9 steps done, 1 skipped$/, done);
  assert.match(done, /Every step finished/);
  assert.doesNotMatch(done, /✗|failed|stopped|interrupted/);
  return done;
}

async function quit(t: Console): Promise<void> {
  t.keys('q');
  const s = await t.waitFor((s) => t.exited().dead || /Quit anyway\?/.test(s), 'the console to quit (or ask)');
  if (!t.exited().dead && /Quit anyway\?/.test(s)) t.keys('y');
  await t.waitFor(() => t.exited().dead, 'the console to exit');
  assert.equal(t.exited().status, 0, 'exit status of day2-tui');
}

/** The day2-tui node process of this state dir (not the tmux shell that started it). */
function consolePid(stateDir: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      if (!cmd.includes(stateDir)) continue;
      if (!/node/.test(readlinkSync(`/proc/${d}/exe`))) continue;
      return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

test('etcd-backup from the console at 80×24: plan, run, gate, every step ok; the backup is on the member', {
  timeout: 420_000,
}, async () => {
  const { masters } = lab();
  const home = mkdtempSync(join(tmpdir(), 'day2-e2eproc-home-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-e2eproc-state-'));
  const t = session('backup');
  try {
    t.start(consoleCommand(stateDir), { HOME: home });
    await startBackup(t);

    // the log streams: commands show up in the log pane while the run goes on
    // (the log pane is below the title, the step list and the command line)
    const logPane = (s: string) => s.split('\n').slice(8).join('\n');
    await t.waitFor(
      (s) => /API version|is healthy|got healthy result|Snapshot saved/.test(logPane(s)),
      'command output in the log pane',
      120_000,
    );

    // the gate before etcd stops: what changes, on which host, what protects it
    // the footer follows the modal by a frame (the run view reports its keys after it has drawn): wait for both
    const gate = await t.waitFor(
      (s) => /GATE/.test(s) && /What will change/.test(s) && /y yes/.test(s) && /\by\b go on/.test(s),
      'the gate of the v2 backup',
      120_000,
    );
    assert.match(gate, /GATE at step 7\/10/);
    assert.match(gate, /etcd on master-0/);
    assert.match(gate, /stops for the v2 backup/);
    assert.match(gate, /On: master-0/);
    assert.match(gate, /Protected by:/);
    assert.match(gate, /\by\b go on/); // the footer says the key
    console.log(`--- the gate at 80×24 ---\n${gate}\n---`);
    t.keys('y');
    await t.waitFor((s) => !/What will change/.test(s), 'the gate to close');

    await waitFinished(t);
    const j = journals(stateDir)[0]!;
    assertAllOk(j);

    // the backup on the member: a valid v3 snapshot and the v2 member/snap/db
    const date = j.runId.slice(0, 8);
    assert.match(date, /^\d{8}$/);
    const dir = `/backup/etcd-${date}`;
    const status = await labSsh(
      MEMBER,
      `ETCDCTL_API=3 etcdctl snapshot status ${dir}/db -w json && test -s ${dir}/member/snap/db && echo member-snap-db-present`,
    );
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /"revision"/);
    assert.match(status.stdout, /member-snap-db-present/);

    const health = await etcdHealthy();
    assert.ok(health.ok, health.out);

    await quit(t);
    assert.deepEqual(misfits, [], 'every capture fits 80×24');
  } finally {
    t.stop();
    await restoreEtcd(masters);
  }
});

test('kill -9 of the console mid-run: the next day2-tui offers to resume, r finishes it', { timeout: 480_000 }, async (tc) => {
  const { masters } = lab();
  const home = mkdtempSync(join(tmpdir(), 'day2-e2eproc-home-'));
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-e2eproc-kill-'));
  const t1 = session('killed');
  try {
    t1.start(consoleCommand(stateDir), { HOME: home });
    await startBackup(t1);
    const pid = consolePid(stateDir);
    assert.ok(pid, `no node process with ${stateDir} in its command line`);

    // kill -9 as soon as the journal shows a step under way after the snapshot was planned, before the
    // v2 backup stops etcd (at the latest: waiting at its gate, which nobody answers here)
    let killedAt: string | undefined;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const j = journals(stateDir)[0];
      const step = j?.currentStep;
      if (j && j.status === 'running' && step && ORDER.indexOf(step) >= ORDER.indexOf('health-v2')) {
        process.kill(pid, 'SIGKILL');
        killedAt = step;
        break;
      }
      if (j && j.status !== 'running') assert.fail(`the run ended (${j.status}) before it could be killed`);
      if (Date.now() > deadline) assert.fail(`the journal never showed a step under way:\n${t1.screen()}`);
      await sleep(2);
    }
    assert.ok(ORDER.indexOf(killedAt) <= ORDER.indexOf('v2-backup'), `killed at ${killedAt}: after the gate`);
    await until('the console to die', () => (t1.exited().dead ? true : undefined), 20_000, 100);
    assert.equal(t1.exited().status, 137, 'killed by SIGKILL');
    const j0 = journals(stateDir)[0]!;
    assert.equal(j0.status, 'running', 'the journal still says running: the process died');
    tc.diagnostic(`killed during ${killedAt}`);
    t1.stop();

    // the next day2-tui with the same state dir: the resume offer
    const t2 = session('resumed');
    t2.start(consoleCommand(stateDir), { HOME: home });
    const offer = await t2.waitFor((s) => /RUN INTERRUPTED/.test(s) && /r resume/.test(s), 'the resume offer', 60_000);
    const flat = offer.replace(/[│║\n ]+/g, ' ');
    // the run id names the procedure, so the offer names the run by its id alone
    assert.match(flat, new RegExp(`A run was interrupted: ${j0.runId} at step`));
    const title = TITLE.get(killedAt)!;
    assert.ok(flat.includes(title.slice(0, 30)), `the offer does not name the step "${title}":\n${offer}`);
    t2.keys('r');
    await t2.waitFor((s) => /RUN \S*etcd-backup/.test(s), 'the resumed run view');

    // if the kill came before the gate, the resumed run meets it: answer it
    const atGate = await t2.waitFor(
      (s) => /What will change/.test(s) || /^RUN \S*etcd-backup.*(FINISHED OK|FAILED|ABORTED)/m.test(s),
      'the gate or the end',
      180_000,
    );
    if (/What will change/.test(atGate)) {
      assert.match(atGate, /On: master-0/);
      t2.keys('y');
      await t2.waitFor((s) => !/What will change/.test(s), 'the gate to close');
    }
    await waitFinished(t2);
    const j = journals(stateDir)[0]!;
    assertAllOk(j);
    // steps done before the kill did not run again: one snapshot save in the audit log
    const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; command?: string });
    assert.ok(
      audit.filter((e) => e.kind === 'command' && /snapshot save/.test(e.command ?? '')).length <=
        (ORDER.indexOf(killedAt) <= ORDER.indexOf('snapshot-save') ? 2 : 1),
    );

    const health = await etcdHealthy();
    assert.ok(health.ok, health.out);
    await quit(t2);
    assert.deepEqual(misfits, [], 'every capture fits 80×24');
  } finally {
    for (const s of sessions) s.stop();
    await restoreEtcd(masters);
  }
});
