// The 3 a.m. restore rehearsed where it is safe: `bin/day2-tui --demo=etcd-quorum-lost` in tmux at 80×24.
// Home says what to rehearse; Health shows etcd failing; `f` on the failed cell opens etcd-restore (no host
// filled in: a restore goes on the member holding the backup, the first by default); the backup is picked from
// the list the console found on it; the plan is confirmed and every gate answered from what the screen
// asks; the run ends with 3 healthy members in the cluster panel.
// Every capture fits 80×24 and shows none of the overlaps issue 14 found. No lab: the DEMO cluster never
// touches the network (it still is a terminal test, so it lives here).

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { answerGates, headline } from './gates.js';
import { RecordingSession, type TmuxSession } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');

/** The overlaps found at 80×24 before (issue 14, item 4): a header running into its counter, cut words. */
const OVERLAPS: [RegExp, string][] = [
  [/gat(?:es?)?lines \d/, 'the plan header runs into its line counter'],
  [/of \d+r you/, 'the run header overlaps the step title'],
  [/risk DE…|risk [A-Z]{1,3}…/, 'the procedure header cuts the risk word'],
  [/\$ \$ /, 'the log repeats the prompt'],
  [/Exit code: 0\b.*precondition|precondition[\s\S]{0,80}Exit code: 0\b/, 'a failed precondition shown with exit code 0'],
];

/** Every capture fits 80×24 (RecordingSession) and shows none of the overlaps. */
class Console extends RecordingSession {
  override screen(): string {
    const s = super.screen();
    for (const [re, what] of OVERLAPS) assert.doesNotMatch(s, re, `${what}:\n${s}`);
    return s;
  }
}

const dirs: string[] = [];
const sessions: TmuxSession[] = [];
after(() => {
  for (const s of sessions) s.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (what: string) => {
  const d = mkdtempSync(join(tmpdir(), `day2-e2e-${what}-`));
  dirs.push(d);
  return d;
};

const lines = (screen: string) => screen.split('\n');
/** The selected cell's one-line summary, just above the matrix's bottom border. */
function infoLine(screen: string): string {
  const ls = lines(screen);
  const bottom = ls.findIndex((l) => l.startsWith('╚'));
  return bottom > 0 ? ls[bottom - 1]!.replace(/^║|║$/g, '').trim() : '';
}
const healthDone = (s: string) => /▶ HEALTH/.test(s) && /\bdone\b/.test(s);

test('DEMO etcd-quorum-lost at 80×24: Health → f → etcd-restore with the backup picked → gates → 3 healthy members', {
  timeout: 300_000,
}, async () => {
  const t = new Console('rehearsal');
  sessions.push(t);
  t.start(`env -u DAY2_INVENTORY ${bin} --demo=etcd-quorum-lost --state-dir ${tmp('state')}`, { HOME: tmp('home') });

  const home = await t.waitFor((s) => /DEMO/.test(s) && /PROCEDURES/.test(s), 'the demo Home');
  assert.match(home, /etcd-quorum-lost/, 'Home names the scenario');
  assert.match(home, /rehearse:? .*etcd-restore/, 'Home says what to rehearse');

  // Health: etcd fails on the masters; walk along master-0's row to the failed etcd cell.
  t.keys('h');
  const health = await t.waitFor(healthDone, 'the health run to finish', 90_000);
  assert.match(health, /✗ [1-9]\d* fail/);
  t.keys('/');
  await t.waitFor((s) => /filter/.test(s), 'the filter prompt');
  t.type('master-0');
  t.keys('Enter');
  await t.waitFor((s) => healthDone(s) && / on master-0/.test(infoLine(s)), 'the master-0 row selected');
  for (let i = 0; !/^etcd-\S+ .*on master-0.*✗ fail/.test(infoLine(t.captures.at(-1)!)); i++) {
    assert.ok(i < 25, `no failed etcd cell on master-0; the screen was:\n${t.captures.at(-1)}`);
    const before = infoLine(t.captures.at(-1)!);
    t.keys('l');
    await t.waitFor((s) => infoLine(s) !== before, 'l to move the selection');
  }

  // f: the fix — etcd-restore's form with master-0 chosen; the backup found on it is listed and picked.
  t.keys('f');
  await t.waitFor((s) => /PROCEDURE etcd-restore/.test(s) && /● master-0\./.test(s), 'etcd-restore with master-0 filled in');
  t.keys('Tab');
  const found = await t.waitFor((s) => /\d+ found on master-0/.test(s), 'the backups found on master-0', 30_000);
  const backup = /○ (\/backup\/\S+)/.exec(found)?.[1];
  assert.ok(backup, `no backup listed:\n${found}`);
  t.keys('Down');
  await t.waitFor((s) => s.includes(`● ${backup}`), 'the backup picked');
  t.keys('Enter');
  const plan = await t.waitFor((s) => /PLAN etcd-restore/.test(s), 'the plan');
  assert.match(plan, /\d+ steps, \d+ DESTRUCTIVE/);
  t.keys('r');
  await t.waitFor((s) => /Run it now on/.test(s), 'the y/N confirmation');
  t.keys('y');
  await t.waitFor((s) => /^RUN \S*etcd-restore/m.test(s), 'the run view');

  const { answered, end } = await answerGates(t, 'etcd-restore', 240_000);
  assert.match(headline(end, 'etcd-restore'), /✓ FINISHED OK/, end);
  assert.ok(
    answered.some((a) => a.kind === 'type-host'),
    'a gate asked for a host name to type',
  );
  assert.match(end, /◆ ETCD CLUSTER 3 members · 3 healthy/);

  t.keys('q');
  const q = await t.waitFor((s) => t.exited().dead || /Quit anyway\?/.test(s), 'the console to quit (or ask)');
  if (!t.exited().dead && /Quit anyway\?/.test(q)) t.keys('y');
  await t.waitFor(() => t.exited().dead, 'the console to exit');
  assert.equal(t.exited().status, 0);
});

test('DEMO healthy: etcd-backup from the console, then etcd-restore’s backup picker lists the backup just taken', {
  timeout: 300_000,
}, async () => {
  const t = new Console('backup-then-restore');
  sessions.push(t);
  t.start(`env -u DAY2_INVENTORY ${bin} --demo --state-dir ${tmp('state')}`, { HOME: tmp('home') });
  await t.waitFor((s) => /DEMO healthy/.test(s) && /PROCEDURES/.test(s), 'the demo Home');

  // Tab, Enter: etcd-backup, the healthy scenario's rehearsal; its fields keep their defaults; plan, run
  t.keys('Tab');
  await t.waitFor((s) => /› §[\d.]+\+? etcd-backup/.test(s), 'etcd-backup selected in the procedures pane');
  t.keys('Enter');
  await t.waitFor((s) => /PROCEDURE etcd-backup/.test(s) && /PARAMETERS/.test(s), 'the etcd-backup form');
  t.keys('p');
  await t.waitFor((s) => /PLAN etcd-backup/.test(s), 'the plan');
  t.keys('r');
  await t.waitFor((s) => /Run it now on/.test(s), 'the y/N confirmation');
  t.keys('y');
  const { end } = await answerGates(t, 'etcd-backup', 240_000);
  assert.match(headline(end, 'etcd-backup'), /✓ FINISHED OK/, end);

  // Esc home, : etcd-restore: on master-0 (chosen first), the backup just taken is listed
  t.keys('Escape');
  await t.waitFor((s) => /PROCEDURES/.test(s) && /DEMO healthy/.test(s), 'Home again');
  t.keys(':');
  await t.waitFor((s) => /jump|procedure id/i.test(s), 'the jump prompt');
  t.type('etcd-restore');
  t.keys('Enter');
  await t.waitFor((s) => /PROCEDURE etcd-restore/.test(s) && /● master-0\./.test(s), 'the etcd-restore form');
  t.keys('Tab');
  const d = new Date();
  const today = `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
  const found = await t.waitFor((s) => /\d+ found on master-0/.test(s), 'the backups found on master-0', 30_000);
  assert.match(found, new RegExp(`○ /backup/etcd-${today}\\b`), 'the backup just taken is in the picker');
  t.keys('Escape');
  await t.waitFor((s) => /PROCEDURES/.test(s) && /DEMO healthy/.test(s), 'Home again');
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to exit');
});
