// What the two fault matrices of etcd-restore share (etcd-restore-kill.test.ts: kill -9 at each boundary;
// etcd-restore-ssh-drop.test.ts: the next command's connection dropped): the boundaries of the plan, the
// lost data each cycle starts from, one backup taken with the product, a run started as a child that
// pauses at a boundary, the resume and its checks, and leaving the lab as it was found.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { etcdRestore } from '../../procedures/etcd-restore.js';
import { isParallel, planProcedure } from '../../src/engine/plan.js';
import { PAUSE_ENV, PAUSE_MARKER } from '../../src/engine/run.js';
import type { Inventory } from '../../src/inventory/types.js';
import {
  BIN,
  clusterState,
  ensureHealthyEtcd,
  fingerprint,
  journals,
  LAB_SH,
  labArgs,
  labDir,
  MASTERS,
  ROOT,
  run,
  show,
  sleep,
  ssh,
  stopEtcdByHand,
  waitHealthy,
} from '../procedures/lab-helpers.js';

const BUNDLE = join(ROOT, 'dist', 'day2-tui.js');

export interface Boundary {
  /** The DAY2_PAUSE_AFTER_STEP value: step id, or step id@host, or step id@host:before-verify. */
  point: string;
  /** Inside the step: its commands ran on `host`, its verification has not (e.g. a member added, not yet verified). */
  beforeVerify?: boolean;
  /** Index of the step in the procedure. */
  step: number;
  /** Host boundary: the host whose part just ended and the host that comes next. */
  host?: string;
  next?: string;
  /** Host boundary: the hosts whose part of the step had ended (b.host and those before it). */
  doneHosts?: string[];
  describe: string;
}

/** Every boundary of etcd-restore as planned for the lab, in order; `last`: with the one after the last step. */
export function boundaries(inventory: Inventory, backupDir: string, last: boolean): Boundary[] {
  const plan = planProcedure(etcdRestore, { host: MASTERS[0]!, backup: backupDir }, inventory);
  const out: Boundary[] = [];
  etcdRestore.steps.forEach((step, i) => {
    const p = plan[i]!;
    if (!p.skipped && !isParallel(step.where) && p.hosts.length > 1) {
      for (let h = 0; h + 1 < p.hosts.length; h++) {
        out.push({
          point: `${step.id}@${p.hosts[h]}`,
          step: i,
          host: p.hosts[h]!,
          next: p.hosts[h + 1]!,
          doneHosts: p.hosts.slice(0, h + 1),
          describe: `${step.id} on ${p.hosts[h]}, before ${p.hosts[h + 1]}`,
        });
      }
    }
    // a member added and not yet verified: with one member started, the cluster has no leader until the join
    if (!p.skipped && /^member-add-\d+$/.test(step.id)) {
      out.push({
        point: `${step.id}@${p.hosts[0]}:before-verify`,
        step: i,
        host: p.hosts[0]!,
        beforeVerify: true,
        describe: `${step.id}'s member add, before its verification`,
      });
    }
    const next = etcdRestore.steps[i + 1]?.id;
    if (next || last)
      out.push({
        point: step.id,
        step: i,
        describe: `${step.id}${p.skipped ? ' (skipped)' : ''}, ${next ? `before ${next}` : 'the last step, before the run is marked ok'}`,
      });
  });
  return out;
}

/** The test (not the product) loses every member's data: etcd stopped (as the lab runs it), data dir emptied, no force-new-cluster left. */
export async function destroyAll(): Promise<void> {
  for (const m of MASTERS) {
    const r = await ssh(
      m,
      `${await stopEtcdByHand(m)}; rm -f /etc/systemd/system/etcd.service.d/temp.conf; systemctl ` +
        `daemon-reload; sed -i '/^ETCD_FORCE_NEW_CLUSTER=/d' /etc/etcd/etcd.conf; rm -rf ` +
        `/var/lib/etcd/* /var/lib/etcd/.[!.]*; ls -A /var/lib/etcd | wc -l`,
    );
    assert.equal(r.stdout.trim(), '0', `${m}: ${show(r)}`);
  }
}

/** The moved-aside data dirs and etcd.conf copies on master `m`. */
async function leftovers(m: string): Promise<string[]> {
  const r = await ssh(m, 'ls -d /var/lib/etcd.old-* /etc/etcd/etcd.conf.bak-* 2>/dev/null; true');
  return r.stdout.split('\n').filter(Boolean);
}

/** The process is there and not a zombie (the supervisor may not have reaped it yet). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The day2-tui arguments against the lab, with a state dir of its own. */
export const day2Args = (stateDir: string, args: string[]): string[] => [...args, ...labArgs(stateDir)];

/** What a matrix works with: its temp dir, the backup every cycle restores, the fingerprint of the start. */
export interface Matrix {
  tmp: string;
  backupDir: string;
  fp0: string;
  /** Per master: the moved-aside dirs and etcd.conf.bak-* files there before the test. */
  leftoversBefore: Map<string, Set<string>>;
}

/**
 * before(): the lab up, the console built, etcd healthy; one backup taken with the product, in a dir of its own.
 * Fills `into` as it goes, so that after() cleans up whatever a failed set-up had made.
 */
export async function setUpMatrix(into: Matrix, tag: string, testFile: string): Promise<void> {
  assert.ok(labDir, `LAB_DIR is not set: run this test with bash scripts/with-lab.sh node --import tsx --test ${testFile}`);
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  assert.ok(
    existsSync(BUNDLE) && readFileSync(BUNDLE, 'utf8').includes(PAUSE_ENV),
    `${BUNDLE} is missing or older than the engine's pause hook: run npm run build first`,
  );
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
  into.tmp = mkdtempSync(join(tmpdir(), `day2-etcd-restore-${tag}-`));
  await ensureHealthyEtcd();
  for (const m of MASTERS) into.leftoversBefore.set(m, new Set(await leftovers(m)));
  into.fp0 = await fingerprint();
  // a backup dir of its own: same-day backups of other tests (member.old-* copies) stay out of this one
  into.backupDir = `/backup/etcd-${tag}-test-${process.pid}`;
  const r = await run(
    BIN,
    day2Args(join(into.tmp, 'state-backup'), [
      'run',
      'etcd-backup',
      '--param',
      `host=${MASTERS[0]}`,
      '--param',
      `backup-dir=${into.backupDir}`,
      '--yes',
    ]),
    300_000,
  );
  assert.equal(r.code, 0, show(r));
  assert.ok(await waitHealthy(), 'etcd is not healthy after the backup');
  assert.equal(await fingerprint(), into.fp0, 'the backup changed the data');
}

/** An empty Matrix for setUpMatrix to fill. */
export const newMatrix = (): Matrix => ({ tmp: '', backupDir: '', fp0: '', leftoversBefore: new Map() });

/** after(): never leave the lab broken (restored with the product, uninterrupted); what the cycles left removed. */
export async function tearDownMatrix(m: Matrix): Promise<void> {
  try {
    if (labDir && m.backupDir && !(await waitHealthy(5))) {
      await destroyAll().catch(() => undefined);
      const r = await run(
        BIN,
        day2Args(join(m.tmp, 'state-repair'), [
          'run',
          'etcd-restore',
          '--param',
          `host=${MASTERS[0]}`,
          '--param',
          `backup=${m.backupDir}`,
          '--yes',
        ]),
        400_000,
      );
      if (!(await waitHealthy(30))) console.error(`after: the lab could not be repaired; run lab.sh down/up\n${show(r)}`);
    }
    // the moved-aside dirs (empty: the test had emptied the data dirs) and the .bak copies, once it is known what was there before
    if (labDir && m.leftoversBefore.size === MASTERS.length) {
      for (const host of MASTERS) {
        const extra = (await leftovers(host)).filter((p) => !m.leftoversBefore.get(host)?.has(p));
        const dirs = extra.filter((p) => p.startsWith('/var/lib/etcd.old-'));
        const baks = extra.filter((p) => p.startsWith('/etc/etcd/etcd.conf.bak-'));
        if (dirs.length) await ssh(host, `rmdir ${dirs.join(' ')} 2>/dev/null; true`);
        if (baks.length) await ssh(host, `rm -f ${baks.join(' ')}`);
      }
    }
  } finally {
    if (labDir && m.backupDir) await ssh(MASTERS[0]!, `rm -rf ${m.backupDir}`).catch(() => undefined);
    if (m.tmp) rmSync(m.tmp, { recursive: true, force: true });
  }
}

/** A restore started as a child process that pauses at a boundary (the engine's test-only pause). */
export interface PausedRun {
  child: ChildProcess;
  /** What it printed so far. */
  out: () => string;
  /** Set once it exited. */
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pause marker; its removal lets the run go on. */
  marker: string;
}

export function startRestore(m: Matrix, stateDir: string, point: string): PausedRun {
  const child = spawn(
    BIN,
    day2Args(stateDir, ['run', 'etcd-restore', '--param', `host=${MASTERS[0]}`, '--param', `backup=${m.backupDir}`, '--yes']),
    {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', [PAUSE_ENV]: point },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done((exit = { code, signal }))),
  );
  return { child, out: () => out, exit: () => exit, exited, marker: join(stateDir, PAUSE_MARKER) };
}

/** Until the run has written its pause marker: undefined, or why it did not get there. */
export async function untilPaused(p: PausedRun): Promise<string | undefined> {
  const deadline = Date.now() + 240_000;
  while (!existsSync(p.marker)) {
    const exit = p.exit();
    if (exit) return `the run ended (exit ${exit.code}) before it reached the boundary:\n${p.out().slice(-4000)}`;
    if (Date.now() > deadline) return `the run did not reach the boundary within 240 s:\n${p.out().slice(-4000)}`;
    await sleep(20);
  }
  return undefined;
}

/** Commands the resumed process ran for what had ended before the fault (from the audit log): none expected. */
function rerunAfterResume(stateDir: string, b: Boundary): string[] {
  const entries = readFileSync(join(stateDir, 'audit.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; step?: string; host?: string | null; command?: string });
  const from = entries.findIndex((e) => e.kind === 'resume');
  if (from < 0) return ['(no resume entry in the audit log)'];
  // an interrupted step runs again on resume (its member add finds the member there and adds nothing)
  const ended = new Set(etcdRestore.steps.slice(0, b.host ? b.step : b.step + 1).map((s) => s.id));
  const endedHosts = new Set(b.doneHosts ?? []);
  return entries
    .slice(from)
    .filter(
      (e) =>
        e.kind === 'command' &&
        (ended.has(e.step ?? '') ||
          (b.doneHosts !== undefined && e.step === etcdRestore.steps[b.step]!.id && endedHosts.has(e.host ?? ''))),
    )
    .map((e) => `${e.step} on ${e.host}: ${e.command}`);
}

/** resume --yes: exit 0, the run ok, nothing that had ended run again, 3 healthy members, the same data; else why not. */
export async function resumeHealthy(m: Matrix, stateDir: string, b: Boundary, fault: string): Promise<string | undefined> {
  const runId = journals(stateDir)[0]!.runId;
  const r = await run(BIN, day2Args(stateDir, ['resume', runId, '--yes']), 400_000);
  if (r.code !== 0) return `resume ${runId} failed:\n${show(r)}`;
  const j = journals(stateDir)[0]!;
  if (j.status !== 'ok' || j.history.length !== 1)
    return `the journal after the resume: status ${j.status}, ${j.history.length} earlier processes`;
  const again = rerunAfterResume(stateDir, b);
  if (again.length > 0) return `the resume ran again what had ended before the ${fault}: ${again.slice(0, 3).join('; ')}`;
  if (!(await waitHealthy(10))) {
    const s = await clusterState();
    return `not 3 healthy members with their names and https peer URLs after the resume:\n${s.list}\n${show(r)}`;
  }
  const fp = await fingerprint();
  if (fp !== m.fp0) return `the fingerprint changed: ${fp} (was ${m.fp0})`;
  return undefined;
}
