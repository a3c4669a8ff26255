// A guide info page in the DEMO at 80×24 (no lab: the DEMO never touches the network): `:info-pruning`
// opens the page, n selects the next command (▶), y puts it on the clipboard through tmux (OSC 52),
// ? shows the page's keys first, Enter opens the prune procedure it offers.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { RecordingSession, tempDirs } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');

const dirs = tempDirs();
const sessions: RecordingSession[] = [];
after(() => {
  for (const s of sessions) s.stop();
  dirs.removeAll();
});
const tmp = dirs.make;

test('DEMO info-pruning at 80×24: the page, a command copied with y, its keys on ?, Enter opens prune', { timeout: 120_000 }, async () => {
  const t = new RecordingSession('info-page');
  sessions.push(t);
  t.start(`env -u DAY2_INVENTORY ${bin} --demo --state-dir ${tmp('state')}`, { HOME: tmp('home') });
  execFileSync('tmux', ['-L', t.socket, 'set-option', '-g', 'set-clipboard', 'on']);
  await t.waitFor((s) => /DEMO/.test(s) && /PROCEDURES/.test(s), 'the demo Home');

  t.keys(':');
  t.type('info-pruning');
  t.keys('Enter');
  const s = await t.waitFor((x) => /GUIDE 6\.5 Pruning/.test(x) && /y copy cmd/.test(x), 'the pruning page and its footer');
  assert.match(s, /▶ \$ oc adm prune builds --orphans/);

  t.keys('n');
  await t.waitFor((x) => /▶ \$ oc adm prune deployments/.test(x), 'the second command selected');
  t.keys('y');
  await t.waitFor((x) => /Copied: oc adm prune deployments/.test(x), 'the copy confirmed');
  const buffer = execFileSync('tmux', ['-L', t.socket, 'show-buffer'], { encoding: 'utf8' });
  assert.match(buffer, /^oc adm prune deployments --orphans --keep-complete=5 --keep-failed=1 --keep-younger-than=60m$/);

  t.keys('?');
  await t.waitFor((x) => /KEYS HERE: AN INFO PAGE OF THE GUIDE/.test(x), "the page's keys on ?");
  t.keys('Escape');
  await t.waitFor((x) => /GUIDE 6\.5 Pruning/.test(x), 'back on the page');
  t.keys('Enter');
  await t.waitFor((x) => /keep-complete/.test(x) && /prune/.test(x) && !/GUIDE 6\.5/.test(x), 'the prune procedure form');
  t.keys('Escape');
  await t.waitFor((x) => /GUIDE 6\.5 Pruning/.test(x), 'back on the page from the form');
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit on q');
});
