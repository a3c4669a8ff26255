// The Health screen as a person uses it: bin/day2-tui --demo=showcase in tmux at 80×24, `h` from Home,
// watch the matrix fill in, walk to the failed cell, read its detail, back, problems only, quit. No lab
// needed (the DEMO cluster never touches the network), but it is a terminal test, so it lives here.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { RecordingSession, type TmuxSession } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');

const sessions: TmuxSession[] = [];
after(() => {
  for (const s of sessions) s.stop();
});

const lines = (screen: string) => screen.split('\n');
/** The counts line above the matrix: "✓ 3 ok  ! 0 warn  ✗ 0 fail  E 0 error  · 58 pending  ⠙ running 14". */
type Status = 'ok' | 'warn' | 'fail' | 'error' | 'pending' | 'skipped' | 'running';
function counts(screen: string): Record<Status, number> & { done: boolean } {
  const line = lines(screen).find((l) => /\d+ ok\b/.test(l) && /\d+ warn\b/.test(l)) ?? '';
  const c: Record<Status, number> = { ok: 0, warn: 0, fail: 0, error: 0, pending: 0, skipped: 0, running: 0 };
  for (const m of line.matchAll(/(\d+) (ok|warn|fail|error|pending|skipped)\b/g)) c[m[2] as Status] = Number(m[1]);
  const running = /running (\d+)/.exec(line);
  if (running) c.running = Number(running[1]);
  return { ...c, done: /\bdone\b/.test(line) };
}
/** The matrix row of a host (or the cluster row): the line inside the border that starts with its label. */
const rowOf = (screen: string, label: string) => lines(screen).find((l) => new RegExp(`^║[› ] ${label}\\s`).test(l));
/** The cells of a row: what follows the host column (everything after the label), border stripped. */
const cellsOf = (row: string, label: string) => row.replace(/║$/, '').slice(row.indexOf(label) + label.length);
/** The selected cell's one-line summary, just above the matrix's bottom border. */
function infoLine(screen: string): string {
  const ls = lines(screen);
  const bottom = ls.findIndex((l) => l.startsWith('╚'));
  return bottom > 0 ? ls[bottom - 1]!.replace(/^║|║$/g, '').trim() : '';
}
const isHealth = (s: string) => /▶ HEALTH {2}\d+ checks × \d+ hosts/.test(s);
const hostRows = [
  'master-0',
  'master-1',
  'master-2',
  'infra-node-0',
  'infra-node-1',
  'infra-node-2',
  'app-node-0',
  'app-node-1',
  'app-node-2',
  'lb',
];

test('Health in the DEMO: fills in, the failed nodes-ready cell explains itself, problems only, quit', async () => {
  const t = new RecordingSession('health');
  sessions.push(t);
  const home = mkdtempSync(join(tmpdir(), 'day2-e2e-health-'));
  t.start(`env -u DAY2_INVENTORY ${bin} --demo=showcase`, { HOME: home });
  await t.waitFor((s) => /DEMO/.test(s) && /h health/.test(s), 'the demo Home with "h health" in the footer');
  assert.equal(t.modes().alternate, true, 'the console runs on the alternate screen');

  // h: the matrix appears and fills in. Poll (no timing assumptions): every capture until "done".
  t.keys('h');
  const first = await t.waitFor(isHealth, 'the Health matrix');
  const seen: string[] = [first];
  const until = Date.now() + 60_000;
  while (!counts(seen.at(-1)!).done) {
    assert.ok(Date.now() < until, `the health run never finished; the screen was:\n${seen.at(-1)}`);
    await sleep(50);
    seen.push(t.screen());
  }
  const final = seen.at(-1)!;
  const unfinished = (s: string) => counts(s).pending + counts(s).running;
  const early = seen.find((s) => isHealth(s) && unfinished(s) > 0);
  assert.ok(early, `no capture ever showed a pending or running check (the demo finished before the first capture?):\n${first}`);
  // The early capture shows it in the matrix too: some cell is … (running) or · (pending).
  assert.ok(
    hostRows.concat('cluster').some((h) => /[…·]/.test(cellsOf(rowOf(early, h) ?? '', h))),
    `no … or · cell in the early capture:\n${early}`,
  );
  assert.equal(unfinished(final), 0, `still pending/running after "done":\n${final}`);
  const finished = (s: string) => counts(s).ok + counts(s).warn + counts(s).fail + counts(s).error + counts(s).skipped;
  assert.ok(finished(final) > finished(early), 'more cells finished at the end than in the early capture');
  // The final state of the DEMO: app-node-2 unreachable (every cell E), one warn (docker-storage on app-node-1), failures.
  const c = counts(final);
  assert.ok(c.warn >= 1 && c.fail >= 1 && c.error >= 1, `the DEMO's final counts: ${JSON.stringify(c)}`);
  for (const h of hostRows.concat('cluster')) {
    const row = rowOf(final, h);
    assert.ok(row, `no ${h} row in the final matrix:\n${final}`);
    assert.doesNotMatch(cellsOf(row, h), /[…·]/, `${h} still has a pending/running cell when done:\n${final}`);
  }
  const node2 = cellsOf(rowOf(final, 'app-node-2')!, 'app-node-2');
  assert.match(node2, /E/);
  assert.match(node2.replace(/[E\s]/g, ''), /^$/, `app-node-2 (unreachable) shows something other than E: ${node2}`);

  // Walk to nodes-ready in the cluster row with the keys a person would use: k to the top row, then l.
  t.keys('k', 'k');
  await t.waitFor((s) => / on cluster-wide: /.test(infoLine(s)), 'the cluster row to be selected');
  for (let i = 0; !infoLine(t.screen()).startsWith('nodes-ready '); i++) {
    assert.ok(i < 20, `l never reached nodes-ready; the screen was:\n${t.captures.at(-1)}`);
    const before = infoLine(t.captures.at(-1)!);
    t.keys('l');
    await t.waitFor((s) => infoLine(s) !== before, 'l to move the selection');
  }
  const onCell = t.captures.at(-1)!;
  assert.match(infoLine(onCell), /^nodes-ready .*on cluster-wide: ✗ fail — .*app-node-2/);
  assert.match(rowOf(onCell, 'cluster')!, /\[✗\]/, 'the selected cell is bracketed and shows ✗');

  // Enter: the cell in full — status, the message naming the node, and what to do.
  t.keys('Enter');
  const detail = await t.waitFor((s) => /CHECK nodes-ready on cluster/.test(s) && /Fix:/.test(s), 'the nodes-ready detail with its fix');
  assert.match(detail, /Status: +✗ FAIL/);
  assert.match(detail, /Message: .*app-node-2/);
  assert.match(detail, /Fix: +\S+/);
  assert.match(detail, /Esc back/);

  // Esc: back to the matrix, on the same cell.
  t.keys('Escape');
  const back = await t.waitFor((s) => isHealth(s) && !/CHECK nodes-ready/.test(s), 'the matrix again after Esc');
  assert.match(infoLine(back), /^nodes-ready .*on cluster-wide: ✗ fail/);

  // p: problems only — the rows with a ! ✗ or E cell, and only those.
  t.keys('p');
  const problems = await t.waitFor((s) => /PROBLEMS ONLY/.test(s), 'the problems-only matrix');
  assert.match(rowOf(problems, 'cluster') ?? '', /✗/, 'the cluster row (nodes-ready ✗) is a problem row');
  assert.match(cellsOf(rowOf(problems, 'app-node-2') ?? '', 'app-node-2'), /E/, 'app-node-2 (unreachable) is a problem row');
  assert.match(cellsOf(rowOf(problems, 'app-node-1') ?? '', 'app-node-1'), /!/, 'app-node-1 (docker-storage warn) is a problem row');
  for (const h of hostRows) {
    const row = rowOf(problems, h);
    if (row) assert.match(cellsOf(row, h), /[!✗E]/, `${h} is listed under problems only but has no ! ✗ or E:\n${problems}`);
  }
  for (const h of ['app-node-0', 'infra-node-0', 'lb'])
    assert.equal(rowOf(problems, h), undefined, `${h} (all ✓) is listed under problems only:\n${problems}`);

  // q: quits with 0 and gives the terminal back (main screen, cursor shown, no console left on it).
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit on q');
  assert.equal(t.exited().status, 0);
  const shell = t.screen();
  assert.doesNotMatch(shell, /HEALTH|DEMO|╔|Esc back/, `the console's screen is still showing after quit:\n${shell}`);
  assert.deepEqual(t.modes(), { alternate: false, cursorVisible: true });
  assert.ok(t.captures.length > 5);
});
