// etcd-restore (5.4.2.1 with 5.4.2.1.1) from the console, in tmux at 80×24, against the real lab — the
// guided restore an operator does at 3 a.m.:
//   back up (etcd-backup through the CLI, as test/procedures/etcd-restore.test.ts does), then (the test,
//   not the product) destroy the data of all three members; start `bin/day2-tui -i hosts.ini
//   --known-hosts known_hosts`, open etcd-restore from Home's procedure list, choose the member and type
//   the backup, read the plan, run it; at each gate read what the screen asks — the host name(s) to type
//   for a type-host gate — and answer it; see etcd's journal stream in its own pane while etcd starts, and
//   the cluster panel go from no member answering to 1, 2 and 3 members. At the end every step is ok,
//   3 healthy members with their names and https peer URLs, the same fingerprint as before.
//   bash scripts/with-lab.sh node --import tsx --test test/e2e/restore.test.ts   (after `npm run build`)
// Fails (never skips) without LAB_DIR or a lab there. Leaves 3 healthy members: when the console's run did
// not bring them back, `after` restores again from the backup with the CLI.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  BIN as bin,
  clusterState,
  day2,
  ensureHealthyEtcd,
  fingerprint,
  journals,
  labArgs,
  labDir,
  MASTERS,
  membershipOk,
  ROOT as repo,
  show,
  ssh,
  waitHealthy,
} from '../procedures/lab-helpers.js';
import { answerGates, headline } from './gates.js';
import { TmuxSession } from './tmux.js';

let tmp = '';
let backupDir = '';

// ---- the terminal --------------------------------------------------------------------------------------

/** Every capture of the console, checked to fit 80×24. */
const misfits: string[] = [];
const captures: string[] = [];
function fits(screen: string): boolean {
  const lines = screen.replace(/\n+$/, '').split('\n');
  return lines.length <= 24 && lines.every((l) => [...l].length <= 80);
}
class Console extends TmuxSession {
  override screen(): string {
    const s = super.screen();
    captures.push(s);
    if (!fits(s)) misfits.push(s);
    return s;
  }
}
const sessions: Console[] = [];
after(() => {
  for (const s of sessions) s.stop();
});

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: run `bash scripts/with-lab.sh node --import tsx --test test/e2e/restore.test.ts`');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  assert.ok(existsSync(join(repo, 'dist', 'day2-tui.js')), 'the console is not built: run `npm run build` first');
  tmp = mkdtempSync(join(tmpdir(), 'day2-e2e-restore-'));
  await ensureHealthyEtcd();
  // a backup dir of its own: same-day backups of other tests (member.old-* copies) stay out of this one
  backupDir = `/backup/etcd-e2e-restore-${process.pid}`;
  const r = await day2('etcd-backup', { host: MASTERS[0]!, 'backup-dir': backupDir }, join(tmp, 'state-backup'), { bin: true });
  assert.equal(r.code, 0, show(r));
  assert.ok(await waitHealthy(), 'etcd is not healthy after the backup');
});

after(async () => {
  try {
    if (labDir && backupDir && !(await waitHealthy(5))) {
      // never leave the lab broken: stop etcd, move whatever is left aside, restore again from the backup
      for (const m of MASTERS)
        await ssh(
          m,
          'systemctl stop etcd.service; rm -f /etc/systemd/system/etcd.service.d/temp.conf; ' +
            'systemctl daemon-reload; T=/var/lib/etcd.broken-$(date +%s); mkdir -p $T; mv ' +
            '/var/lib/etcd/* $T/ 2>/dev/null; true',
        );
      const r = await day2('etcd-restore', { host: MASTERS[0]!, backup: backupDir }, join(tmp, 'state-repair'), { bin: true });
      if (!(await waitHealthy(30))) console.error(`after: the lab could not be repaired; run lab.sh down/up\n${show(r)}`);
    }
  } finally {
    if (labDir && backupDir) await ssh(MASTERS[0]!, `rm -rf ${backupDir}`).catch(() => undefined);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('etcd-restore from the console at 80×24: gates with the names to type, etcd’s journal ' +
  'during start-ups, the cluster panel from 0 to 3 members', {
  timeout: 600_000,
}, async (tc) => {
  const fp0 = await fingerprint();
  // the test destroys the data of every member (not the product)
  for (const m of MASTERS) {
    const r = await ssh(m, 'systemctl stop etcd.service; rm -rf /var/lib/etcd/*; ls -A /var/lib/etcd | wc -l');
    assert.equal(r.stdout.trim(), '0', `${m}: ${show(r)}`);
  }

  const stateDir = join(tmp, 'state-console');
  const t = new Console('restore', 80, 24);
  sessions.push(t);
  t.start(`${bin} ${labArgs(stateDir).join(' ')}`, { HOME: mkdtempSync(join(tmpdir(), 'day2-e2e-restore-home-')) });

  // Home → the procedure list → etcd-restore
  await t.waitFor((s) => /PROCEDURES/.test(s) && /✓ ok/.test(s), 'Home with the hosts probed', 60_000);
  t.keys('Tab');
  await t.waitFor((s) => /▶ PROCEDURES/.test(s), 'the procedures pane');
  t.keys('/');
  await t.waitFor((s) => /filter procedures:/.test(s), 'the filter prompt');
  t.type('etcd-restore');
  await t.waitFor((s) => /› §[\d.]+\+? etcd-restore/.test(s), 'etcd-restore selected in the list');
  t.keys('Enter');
  await t.waitFor((s) => /Enter keep filter/.test(s) === false, 'the filter kept');
  t.keys('Enter');
  await t.waitFor((s) => /PROCEDURE etcd-restore/.test(s) && /PARAMETERS/.test(s), 'the etcd-restore form');

  // host: the first etcd member is chosen by default; backup: typed
  const form = await t.waitFor((s) => s.split('\n').some((l) => l.includes(`● ${MASTERS[0]}`)), `${MASTERS[0]} chosen`);
  assert.match(form, /› host/);
  t.keys('Tab');
  await t.waitFor((s) => /› backup/.test(s), 'the backup field');
  t.type(backupDir);
  await t.waitFor((s) => s.includes(backupDir), 'the backup typed');
  t.keys('Enter');
  const plan = await t.waitFor((s) => /PLAN etcd-restore/.test(s), 'the plan');
  assert.match(plan, /28 steps, 3 DESTRUCTIVE/);
  assert.match(plan, new RegExp(`backup=${backupDir}`));
  t.keys('r');
  await t.waitFor((s) => /Run it now on/.test(s), 'the y/N confirmation');
  t.keys('y');
  await t.waitFor((s) => /^RUN \S*etcd-restore/m.test(s), 'the run view');

  // the run: answer each gate from what the screen says, until the run ends
  const { answered, end } = await answerGates(t, 'etcd-restore', 480_000, async (step, screen) =>
    // the move aside: the panel says that no member answers (etcd is stopped everywhere) — as the operator reads it
    step === 'step 5/28'
      ? t.waitFor((s) => /◆ ETCD CLUSTER no member answers/.test(s), 'the panel at the move-aside gate', 30_000)
      : screen,
  );
  console.log(`--- the end at 80×24 ---\n${end}\n---`);
  assert.match(headline(end, 'etcd-restore'), /✓ FINISHED OK: \d+ steps done, \d+ skipped$/, end);

  // the gates: the stop (confirm), the move aside on every member (all three names), the force-new-cluster (master-0)
  assert.deepEqual(
    answered.map((a) => [a.step, a.kind, a.typed]),
    [
      ['step 4/28', 'confirm', undefined],
      ['step 5/28', 'type-host', MASTERS.join(',')],
      ['step 7/28', 'type-host', MASTERS[0]],
    ],
  );
  console.log(`--- the type-host gate at 80×24 ---\n${answered[1]!.screen}\n---`);

  // etcd's journal streamed in its own pane during a start-up
  const journalScreens = captures.filter(
    (s) => /┄ JOURNAL master-\d: journalctl -f -n 0 -u etcd\.service/.test(s) && /^┆ \d\d:\d\d:\d\d \S+/m.test(s),
  );
  assert.ok(journalScreens.length > 0, 'no screen showed journal lines in the journal pane');
  console.log(`--- a start-up with its journal ---\n${journalScreens[0]}\n---`);
  tc.diagnostic(`${journalScreens.length} captures showed journal lines`);

  // the cluster panel went from 1 to 3 members (2 healthy while the third was being added or started)
  const healthy = (n: number) => captures.some((s) => new RegExp(`◆ ETCD CLUSTER \\d members? · ${n} healthy`).test(s));
  assert.ok(
    captures.some((s) => /◆ ETCD CLUSTER 1 member · 1 healthy/.test(s)),
    'the panel never showed the single restored member',
  );
  assert.ok(healthy(2), 'the panel never showed 2 healthy members');
  assert.match(end, /◆ ETCD CLUSTER 3 members · 3 healthy · quorum 2 · tolerates 1 failure/);
  assert.equal((end.match(/^ {2}master-\d {2}✓ healthy/gm) ?? []).length, 3, end);
  assert.match(end, /^ {2}master-0 {2}✓ healthy .*peer https:\/\/127\.0\.10\.1:2380/m);

  // every step ok (or skipped: members 4-7 do not exist); the cluster is whole again
  const j = journals(stateDir)[0]!;
  assert.equal(j.status, 'ok');
  for (const s of j.steps) assert.ok(s.status === 'ok' || s.status === 'skipped', `${s.id}: ${s.status}`);
  const state = await clusterState();
  assert.ok(state.healthy, `not healthy:\n${state.list}`);
  assert.ok(membershipOk(state.list), `membership:\n${state.list}`);
  assert.equal(await fingerprint(), fp0, 'fingerprint differs after the restore');

  // the follow is in the audit log like a command, ended by the engine
  const audit = readFileSync(join(stateDir, 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; command?: string; cancelled?: boolean });
  assert.ok(
    audit.some((e) => e.kind === 'command' && e.command === 'journalctl -f -n 0 -u etcd.service --no-pager' && e.cancelled === true),
  );

  t.keys('q');
  const q = await t.waitFor((s) => t.exited().dead || /Quit anyway\?/.test(s), 'the console to quit (or ask)');
  if (!t.exited().dead && /Quit anyway\?/.test(q)) t.keys('y');
  await t.waitFor(() => t.exited().dead, 'the console to exit');
  assert.equal(t.exited().status, 0, 'exit status of day2-tui');
  assert.deepEqual(misfits, [], 'every capture fits 80×24');
});
