// The operator's ~/.ssh/config against the lab's jump topology (`lab.sh up --jump`): lb-1 (10.251.1.2) is
// reachable only from jump-0 (10.251.0.2). `day2-tui check --json --limit lb-1…` with a temporary HOME:
// without a config it cannot reach lb-1; with `ProxyJump jump-0` (one hop, then two: lb-0,jump-0) it passes;
// a wrong jump host key names the hop.
//   LAB_UP_ARGS='--control-plane systemd --jump' bash scripts/with-lab.sh node --import tsx --test test/lab/ssh-config.test.ts
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const labDir = process.env.LAB_DIR ? resolve(process.env.LAB_DIR) : '';
const HIDDEN = 'lb-1.lab.example.com';
let home = '';

interface CellResult {
  check: string;
  host: string | null;
  status: string;
  message: string;
  fix?: { text: string };
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.SSH_AUTH_SOCK;
  return new Promise((done) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env, timeout: 120_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** `check --json --limit lb-1` on the lab's inventory, with HOME's ssh config (no --known-hosts: the config says). */
async function checkHidden(): Promise<{ code: number; results: CellResult[]; raw: string }> {
  const r = await run(['check', '--json', '-i', join(labDir, 'hosts.ini'), '--limit', HIDDEN]);
  let results: CellResult[] = [];
  try {
    results = (JSON.parse(r.stdout) as { results: CellResult[] }).results;
  } catch {
    assert.fail(`check: exit ${r.code}, output is not JSON:\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  return { code: r.code, results, raw: results.map((c) => `${c.check} ${c.host} ${c.status}: ${c.message}`).join('\n') };
}

function sshConfig(lines: string[]): void {
  writeFileSync(join(home, '.ssh', 'config'), `${lines.join('\n')}\n`);
}

const hostResults = (results: CellResult[]) => results.filter((c) => c.host === HIDDEN);

before(() => {
  assert.ok(labDir, 'LAB_DIR is not set: LAB_UP_ARGS=--jump bash scripts/with-lab.sh …');
  const lab = join(labDir, 'lab.json');
  assert.ok(existsSync(lab), `no lab in ${labDir}`);
  const hosts = (JSON.parse(readFileSync(lab, 'utf8')) as { hosts: { name: string }[] }).hosts.map((h) => h.name);
  assert.ok(
    hosts.includes(HIDDEN) && hosts.includes('jump-0.lab.example.com'),
    `the lab was not started with --jump (hosts: ${hosts.join(' ')})`,
  );
  home = mkdtempSync(join(tmpdir(), 'day2-ssh-config-home-'));
  mkdirSync(join(home, '.ssh'));
});
after(() => rmSync(home, { recursive: true, force: true }));

const common = (knownHosts: string) => [
  'Host *',
  `  IdentityFile ${join(labDir, 'id_ed25519')}`,
  `  UserKnownHostsFile ${knownHosts}`,
  '  User root',
];

test('without a jump host lb-1 cannot be reached, and the message says what to check', async () => {
  sshConfig(common(join(labDir, 'known_hosts')));
  const { code, results, raw } = await checkHidden();
  assert.notEqual(code, 0, raw);
  const cells = hostResults(results);
  assert.ok(cells.length > 0, raw);
  assert.ok(
    cells.every(
      (c) =>
        c.status === 'error' &&
        /^lb-1\.lab\.example\.com \(10\.251\.1\.2\) port 22: (no route to host|timed out)/.test(c.message) &&
        /nc -zv 10\.251\.1\.2 22.*ProxyJump/.test(c.fix?.text ?? ''),
    ),
    raw,
  );
});

test('with ProxyJump jump-0 in ~/.ssh/config, check passes for lb-1', async () => {
  sshConfig([`Host 10.251.1.2`, '  ProxyJump jump-0', 'Host jump-0', '  HostName 10.251.0.2', ...common(join(labDir, 'known_hosts'))]);
  const { code, results, raw } = await checkHidden();
  assert.equal(code, 0, raw);
  const cells = hostResults(results);
  assert.ok(cells.length > 0 && cells.every((c) => c.status === 'ok'), raw);
});

test('a two-hop chain (lb-0, then jump-0) works too', async () => {
  sshConfig([
    `Host 10.251.1.2`,
    '  ProxyJump lb-0,jump-0',
    'Host jump-0',
    '  HostName 10.251.0.2',
    'Host lb-0',
    '  HostName 127.0.13.1',
    ...common(join(labDir, 'known_hosts')),
  ]);
  const { code, results, raw } = await checkHidden();
  assert.equal(code, 0, raw);
  assert.ok(
    hostResults(results).every((c) => c.status === 'ok'),
    raw,
  );
});

test('a wrong key for the jump host names the hop', async () => {
  const wrong = join(home, 'wrong_known_hosts');
  const lines = readFileSync(join(labDir, 'known_hosts'), 'utf8').split('\n');
  const other = lines
    .find((l) => l.startsWith('lb-0.'))!
    .split(' ')
    .slice(1)
    .join(' ');
  writeFileSync(wrong, `${lines.filter((l) => !l.startsWith('jump-0.')).join('\n')}\njump-0.lab.example.com,10.251.0.2 ${other}\n`);
  sshConfig([`Host 10.251.1.2`, '  ProxyJump jump-0', 'Host jump-0', '  HostName 10.251.0.2', ...common(wrong)]);
  const { code, results, raw } = await checkHidden();
  assert.notEqual(code, 0, raw);
  const cells = hostResults(results);
  assert.ok(cells.length > 0 && cells.every((c) => /via jump-0: HOST KEY CHANGED for jump-0 \(10\.251\.0\.2\)/.test(c.message)), raw);
});
