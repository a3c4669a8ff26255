// The console as a person sees it: bin/day2-tui in tmux at 80×24 against the real lab.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TmuxSession } from './tmux.js';

const repo = new URL('../..', import.meta.url).pathname;
const bin = join(repo, 'bin/day2-tui');
const labDir = process.env.LAB_DIR;

interface LabHost {
  name: string;
  address: string;
}

function lab(): { dir: string; hosts: LabHost[] } {
  assert.ok(labDir, 'LAB_DIR is not set: start the lab with `bash test/lab/lab.sh up --dir DIR` and export LAB_DIR (npm test does both)');
  assert.ok(existsSync(join(labDir, 'lab.json')), `no lab in ${labDir}: run \`bash test/lab/lab.sh up --dir ${labDir}\``);
  const json = JSON.parse(readFileSync(join(labDir, 'lab.json'), 'utf8')) as { hosts: LabHost[] };
  return { dir: labDir, hosts: json.hosts };
}

const sessions: TmuxSession[] = [];
function session(name: string): TmuxSession {
  const s = new TmuxSession(name);
  sessions.push(s);
  return s;
}
after(() => {
  for (const s of sessions) s.stop();
});

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'day2-e2e-'));
});

const short = (name: string) => name.split('.')[0]!;
// The host's row in the HOSTS pane (inside its border; the summary line above may name the host too).
const hostLine = (screen: string, host: string) =>
  screen.split('\n').find((l) => /^[║│]/.test(l) && new RegExp(`\\b${short(host)}\\b`).test(l)) ?? '';

test('every lab host shows ok at 80×24, reached over real SSH with verified host keys', async () => {
  const { dir, hosts } = lab();
  const t = session('reach');
  t.start(`${bin} -i ${dir}/hosts.ini --known-hosts ${dir}/known_hosts`, { HOME: work });
  const screen = await t.waitFor((s) => hosts.every((h) => /✓ ok/.test(hostLine(s, h.name))), 'every host to show ✓ ok');
  assert.match(screen, new RegExp(`hosts ${hosts.length} · ✓ ok ${hosts.length}`));
  assert.doesNotMatch(screen, /DEMO/);
  const lines = screen.replace(/\n+$/, '').split('\n');
  assert.ok(lines.length <= 24 && lines.every((l) => [...l].length <= 80), 'fits 80×24');
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit on q');
  assert.equal(t.exited().status, 0);
});

test('a changed host key refuses that host — shown as "host key changed", no command runs on it', async () => {
  const { dir, hosts } = lab();
  const victim = hosts.find((h) => h.name.startsWith('node-0'))!;
  // known_hosts where the victim's entry carries some other key: what a reinstalled or spoofed host looks like.
  const otherKey = join(work, 'other');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
  const other = readFileSync(`${otherKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const known = readFileSync(join(dir, 'known_hosts'), 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[0]!.split(',').includes(victim.name) ? `${l.split(' ')[0]} ${other}` : l))
    .join('\n');
  const knownPath = join(work, 'known_hosts.changed');
  writeFileSync(knownPath, known);
  const sshdLog = join(dir, 'logs', `${victim.name}.sshd.log`);
  const logBefore = existsSync(sshdLog) ? statSync(sshdLog).size : 0;

  const t = session('changed');
  t.start(`${bin} -i ${dir}/hosts.ini --known-hosts ${knownPath}`, { HOME: work });
  const screen = await t.waitFor(
    (s) =>
      /host key changed/.test(hostLine(s, victim.name)) && hosts.filter((h) => h !== victim).every((h) => /✓ ok/.test(hostLine(s, h.name))),
    `${victim.name} to show host key changed and the others ok`,
  );
  assert.match(hostLine(screen, victim.name), /! host key changed/);
  // the summary line names the host with the problem
  assert.match(screen, new RegExp(`✗ 1 problem: ${short(victim.name)} host key changed`));

  // Enter on the host: the reason and what to do.
  t.keys('/');
  t.type(short(victim.name));
  t.keys('Enter');
  t.keys('Enter');
  const detail = await t.waitFor((s) => /What to do:/.test(s) && /ssh-keygen/.test(s), 'the host detail with the fix');
  assert.match(detail, /host key changed/);
  assert.match(detail, new RegExp(short(victim.name)));
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit');

  // sshd saw the connection but no login: nothing authenticated, so nothing ran.
  const log = existsSync(sshdLog) ? readFileSync(sshdLog, 'utf8').slice(logBefore) : '';
  assert.doesNotMatch(log, /Accepted (publickey|password)/, `sshd of ${victim.name} accepted a login:\n${log}`);
});

test('with no inventory the console opens the labelled DEMO cluster', async () => {
  const t = session('demo');
  // No -i, no $DAY2_INVENTORY; --demo stands in for "no /etc/ansible/hosts" on machines that have one.
  // CI=true as CI runners set it: Ink would withhold every frame until exit; the console must still draw.
  t.start(`env -u DAY2_INVENTORY ${bin} --demo`, { HOME: work, CI: 'true' });
  const screen = await t.waitFor((s) => /DEMO/.test(s) && /PROCEDURES/.test(s) && /✓ ok/.test(s), 'the demo Home (with CI=true)');
  assert.match(screen, /DEMO — simulated cluster/);
  t.keys('?');
  await t.waitFor((s) => /DEMO/.test(s) && /help/i.test(s), 'help, still labelled DEMO');
  t.keys('Escape');
  t.keys('q');
  await t.waitFor(() => t.exited().dead, 'the console to quit');
});

test('started with & the console says keys are not read; brought back with fg, it reads them', async () => {
  const t = session('fg');
  t.start('bash --norc --noprofile -i', { HOME: work, PS1: 'shell$ ' });
  await t.waitFor((s) => /shell\$/.test(s), 'the shell prompt');
  t.type(`env -u DAY2_INVENTORY ${bin} --demo &`);
  t.keys('Enter');
  const bg = await t.waitFor((s) => /Keys are not read/.test(s) && /DEMO/.test(s), 'the background warning');
  assert.match(bg, /Started with &\? Type fg to use it\. Else stop it: kill \d+\./);
  // the key list stays (dim) under the notice: what the console can do once it is in the foreground
  assert.match(bg, /kill \d+\.\n[^\n]*\? help/, 'the key list under how to stop it');
  t.type('fg');
  t.keys('Enter');
  const fg = await t.waitFor(
    (s) => /\? help +q quit/.test(s) && /In the foreground now/.test(s),
    'the key list in the footer and the note, once in the foreground',
  );
  assert.match(fg, /In the foreground now: keys are read\./);
  assert.doesNotMatch(fg, /Keys are not read/);
  t.keys('?');
  await t.waitFor((s) => /▶ HELP/.test(s) && /KEYS/.test(s), 'help opened by a key typed after fg');
  t.keys('Escape');
  t.keys('q');
  await t.waitFor((s) => /shell\$ *$/m.test(s) && !/DEMO/.test(s), 'the console to quit back to the shell');
  t.type('exit');
  t.keys('Enter');
  await t.waitFor(() => t.exited().dead, 'the shell to end');
});

test('list --json lists the whole catalogue', () => {
  const out = execFileSync(bin, ['list', '--json'], { encoding: 'utf8' });
  const json = JSON.parse(out) as { procedures: { id: string }[] };
  const ids = json.procedures.map((p) => p.id);
  for (const id of [
    'etcd-backup',
    'etcd-restore',
    'etcd-peerurl-fix',
    'node-evacuate',
    'docker-storage-overlay2',
    'ntp',
    'reencrypt-route',
  ]) {
    assert.ok(ids.includes(id), `${id} missing from list --json`);
  }
});

test('unknown command or option: one clear line, exit 2', () => {
  for (const args of [['frobnicate'], ['--frobnicate']]) {
    try {
      execFileSync(bin, args, { encoding: 'utf8', stdio: 'pipe' });
      assert.fail(`${args.join(' ')} should fail`);
    } catch (e) {
      const err = e as { status: number; stderr: string };
      assert.equal(err.status, 2);
      assert.equal(err.stderr.trim().split('\n').length, 1, err.stderr);
    }
  }
});
