// The Nodes screen as a person uses it: bin/day2-tui in tmux at 80×24 against the lab, `oc` being the lab's
// (the real kubectl 1.20 against the lab's cluster API). Open Nodes (n), pick node-0 (/ filter), look at its
// pods (Enter), drain it from the keyboard (d; delete local data and force on; the node name typed), watch
// the per-pod progress to "drained", make it schedulable again (u). The cluster API is reset afterwards.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TmuxSession } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');
const labDir = process.env.LAB_DIR ?? '';
const NODE0 = 'node-0.lab.example.com';

const sessions: TmuxSession[] = [];
const captures: string[] = [];
class Console extends TmuxSession {
  override screen(): string {
    const s = super.screen();
    captures.push(s);
    return s;
  }
}
after(() => {
  for (const s of sessions) s.stop();
  if (labDir) execFileSync('bash', [join(repo, 'test/lab/api/ctl.sh'), join(labDir, 'api'), 'reset'], { stdio: 'ignore' });
});
before(() => {
  assert.ok(
    labDir && existsSync(join(labDir, 'hosts.ini')),
    'LAB_DIR is not set or has no lab: run through bash scripts/with-lab.sh (npm test does)',
  );
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab in ${labDir} has no cluster API`);
});

const fits = (s: string) => {
  const lines = s.replace(/\n+$/, '').split('\n');
  return lines.length <= 24 && lines.every((l) => [...l].length <= 80);
};
const row = (s: string, name: string) => s.split('\n').find((l) => new RegExp(`^[›\\s]\\s*${name}\\b`).test(l)) ?? '';

test('a keyboard-driven drain of node-0 at 80×24: options, the name typed, per-pod progress to drained, then u', {
  timeout: 180_000,
}, async () => {
  const t = new Console('nodes', 80, 24);
  sessions.push(t);
  const home = mkdtempSync(join(tmpdir(), 'day2-e2e-nodes-'));
  t.start(
    `${bin} -i ${labDir}/hosts.ini --known-hosts ${labDir}/known_hosts --oc ${labDir}/api/bin/oc --state-dir ${join(home, 'state')}`,
    { HOME: home },
  );
  await t.waitFor((s) => /HOSTS/.test(s) && /n nodes/.test(s), 'Home with "n nodes" in the footer');

  t.keys('n');
  let s = await t.waitFor((x) => /NODES — 6 nodes/.test(x) && /node-0/.test(x), 'the Nodes screen with the lab’s 6 nodes');
  assert.match(row(s, 'node-0'), /✓ Ready\s+compute\s+✓ yes\s+\d+\s+v1\.\d+/, s);
  assert.match(row(s, 'master-0'), /SchedulingDisabled/, s);

  t.keys('/');
  t.type('node-0');
  t.keys('Enter');
  s = await t.waitFor((x) => /› node-0/.test(x), 'node-0 selected by the filter');

  t.keys('Enter');
  s = await t.waitFor((x) => /PODS ON node-0\.lab\.example\.com/.test(x) && /bare/.test(x), 'node-0’s pods');
  assert.match(s, /DS /, 'a daemon set pod');
  t.keys('Escape');
  await t.waitFor((x) => /NODES .*— \d+ nodes/.test(x), 'back on Nodes');

  t.keys('d');
  s = await t.waitFor(
    (x) => /DRAIN\s+node-0\.lab\.example\.com/.test(x) && /\[x\] ignore daemonsets/.test(x),
    'the drain options, ignore daemonsets on',
  );
  assert.match(s, /\[ \] force/);
  t.keys('Down', 'Space', 'Down', 'Space');
  // the modal reads the node's pods when it opens: the bare pods are listed before the name can confirm them
  s = await t.waitFor(
    (x) => /deletes these bare pods for good/.test(x) && /type the node name exactly/.test(x),
    'force on: the bare pods listed, the name asked for',
  );
  assert.match(s, /bare-httpd/);
  // Enter before the name is typed starts nothing
  t.keys('Enter');
  await t.waitFor((x) => /type the node name exactly/.test(x), 'still asking for the name');
  t.keys('Tab', 'Tab', 'Tab');
  t.type(NODE0);
  t.keys('Enter');
  s = await t.waitFor((x) => /DRAINED/.test(x), 'the drain to end: drained', 120_000);
  assert.match(s, /evicted/);
  assert.match(s, /left: DaemonSet/);
  assert.ok(
    captures.some((c) => /evicting|retrying/.test(c)),
    'per-pod progress was shown while it ran',
  );

  t.keys('u');
  // the sentence of the uncordon itself (the drain's summary already says "u makes it schedulable again")
  await t.waitFor((x) => /node-0\.lab\.example\.com is\s+schedulable again/.test(x), 'u: node-0 is schedulable again', 30_000);
  const unsched = execFileSync(join(labDir, 'api', 'bin', 'oc'), ['get', 'node', NODE0, '-o', 'jsonpath={.spec.unschedulable}'], {
    encoding: 'utf8',
  });
  assert.equal(unsched.trim(), '', 'node-0 is schedulable in the cluster API');
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit');
  const misfit = captures.find((c) => !fits(c));
  assert.equal(misfit, undefined, `a screen did not fit 80×24:\n${misfit}`);
  // the drain and the uncordon are in the audit log, like every procedure command
  const audit = readFileSync(join(home, 'state', 'audit.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { runId: string; step: string; command: string });
  const screen = audit.filter((a) => a.runId === 'nodes-screen').map((a) => `${a.step}: ${a.command}`);
  assert.ok(
    screen.some((l) => l.startsWith(`drain ${NODE0}: `) && l.includes(`adm drain ${NODE0} `)),
    screen.join('\n'),
  );
  assert.ok(
    screen.some((l) => l.startsWith(`uncordon ${NODE0}: `) && l.endsWith(`adm manage-node ${NODE0} --schedulable=true`)),
    screen.join('\n'),
  );
});
