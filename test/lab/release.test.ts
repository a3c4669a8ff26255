// The release (issue 15): `npm run release` writes dist/day2-tui, one file that needs nothing but `node`
// (ssh2 inside, with its JavaScript crypto), and a tarball with it, the README and the bundled licences;
// `scripts/release.mjs --sea` also builds a single executable that needs nothing at all. Each is copied
// alone into an empty directory and runs `check --json` against the lab as on a bastion. And the
// development bundle dist/day2-tui.js copied alone says once that ssh2 is missing, not as every check's error.
// Run with a lab: bash scripts/with-lab.sh node --import tsx --test test/lab/release.test.ts
// The SEA needs postject (a devDependency, or POSTJECT=/path/to/postject): without it its test fails saying so.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { assertLabUp, LAB_SH, labDir, MASTERS, type Result, ROOT, run, show } from '../procedures/lab-helpers.js';

const HOSTS = [...MASTERS, 'infra-0.lab.example.com', 'node-0.lab.example.com', 'node-1.lab.example.com', 'lb-0.lab.example.com'];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const RELEASE = join(ROOT, 'dist', 'day2-tui');
const SEA = join(ROOT, 'dist', `day2-tui-${pkg.version}-${process.platform}-${process.arch}`);
const TARBALL = join(ROOT, 'dist', `day2-tui-${pkg.version}.tar.gz`);

const scratch: string[] = [];
let home = '';

/** An empty directory of this test's own, removed at the end. */
function emptyDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
}

/** FILE copied alone into an empty directory: its path there. */
function alone(file: string): string {
  const copy = join(emptyDir('day2-release-alone-'), basename(file));
  copyFileSync(file, copy);
  return copy;
}

/**
 * `EXE check --json` on the lab's inventory, as on the lab's bastion, from EXE's own directory, with an
 * empty HOME and nothing on PATH but `node`'s directory and the system's (so no node_modules anywhere near).
 */
function checkWith(exe: string, only: string): Promise<Result> {
  const path = `${dirname(process.execPath)}:/usr/sbin:/usr/bin:/sbin:/bin`;
  const args = ['-i', join(labDir, 'hosts.ini'), '--known-hosts', join(labDir, 'known_hosts'), '--state-dir', join(home, 'state')];
  return run(
    'bash',
    [LAB_SH, 'bastion', '--dir', labDir, '--', 'env', '-C', dirname(exe), exe, 'check', '--json', '--only', only, ...args],
    120_000,
    {
      HOME: home,
      PATH: path,
    },
  );
}

interface Cell {
  check: string;
  host: string | null;
  status: string;
  message: string;
}

/** etcd-health ok on every master, ntp answered on every host: ssh2 connected, verified and ran commands. */
function assertAnswered(r: Result): void {
  let json: { results: Cell[] };
  try {
    json = JSON.parse(r.stdout) as { results: Cell[] };
  } catch {
    assert.fail(`check --json did not print JSON:\n${show(r)}`);
  }
  const cells = json.results.map((c) => `  ${c.check} ${c.host} ${c.status}: ${c.message}`).join('\n');
  for (const m of MASTERS) {
    const c = json.results.find((x) => x.check === 'etcd-health' && x.host === m);
    assert.equal(c?.status, 'ok', `etcd-health on ${m}:\n${cells}\n${r.stderr}`);
  }
  for (const h of HOSTS) {
    const c = json.results.find((x) => x.check === 'ntp' && x.host === h);
    assert.ok(c && c.status !== 'error', `ntp on ${h} did not run:\n${cells}\n${r.stderr}`);
  }
  assert.doesNotMatch(r.stdout + r.stderr, /ssh2|could not run/, show(r));
}

before(async () => {
  await assertLabUp();
  home = emptyDir('day2-release-home-');
  const t0 = Date.now();
  const rel = await run(process.execPath, [join(ROOT, 'scripts', 'release.mjs')], 300_000);
  assert.equal(rel.code, 0, `npm run release failed:\n${show(rel)}`);
  process.stderr.write(`# release built in ${Date.now() - t0} ms\n`);
  if (!existsSync(join(ROOT, 'dist', 'day2-tui.js'))) {
    const b = await run(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], 300_000);
    assert.equal(b.code, 0, `npm run build failed:\n${show(b)}`);
  }
});

after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

test('dist/day2-tui: executable, with a shebang, its version and commit, no native addon; alone it checks the lab', async () => {
  const text = readFileSync(RELEASE, 'utf8');
  assert.ok(text.startsWith('#!/usr/bin/env node\n'), 'no #!/usr/bin/env node line');
  assert.doesNotMatch(text, /sshcrypto\.node['"]\)/, 'the release still requires the native sshcrypto.node');
  const exe = alone(RELEASE);
  const v = await run(exe, ['--version'], 30_000);
  assert.equal(v.code, 0, show(v));
  assert.match(v.stdout, new RegExp(`^${pkg.version.replaceAll('.', '\\.')} \\([0-9a-f]{7,}(-dirty)?\\)\\n$`));
  assertAnswered(await checkWith(exe, 'etcd-health,ntp'));
});

test('the tarball holds the file, the README and the licence texts of every bundled package', async () => {
  const dir = emptyDir('day2-release-tar-');
  const x = await run('tar', ['-xzf', TARBALL, '-C', dir], 30_000);
  assert.equal(x.code, 0, show(x));
  const top = join(dir, `day2-tui-${pkg.version}`);
  for (const f of ['day2-tui', 'README.md', 'THIRD-PARTY-LICENSES.txt']) assert.ok(existsSync(join(top, f)), `${f} is not in the tarball`);
  const licences = readFileSync(join(top, 'THIRD-PARTY-LICENSES.txt'), 'utf8');
  for (const p of ['ssh2', 'ink', 'react', 'commander', 'asn1', 'bcrypt-pbkdf'])
    assert.match(licences, new RegExp(`^  ${p}@`, 'm'), `${p} not listed`);
  assert.match(licences, /Permission is hereby granted/, 'no MIT licence text');
  const v = await run(join(top, 'day2-tui'), ['--version'], 30_000);
  assert.equal(v.code, 0, show(v));
});

test('the single executable (Node SEA), alone, checks the lab', async () => {
  const t0 = Date.now();
  const sea = await run(process.execPath, [join(ROOT, 'scripts', 'release.mjs'), '--sea'], 300_000);
  assert.equal(sea.code, 0, `the single executable could not be built:\n${sea.stderr || sea.stdout}`);
  process.stderr.write(`# release with the single executable built in ${Date.now() - t0} ms\n`);
  const exe = alone(SEA);
  const v = await run(exe, ['--version'], 30_000);
  assert.equal(v.code, 0, show(v));
  assert.match(v.stdout, new RegExp(`^${pkg.version.replaceAll('.', '\\.')} \\(`));
  assert.equal(v.stderr, '', 'the single executable printed warnings');
  assertAnswered(await checkWith(exe, 'etcd-health,ntp'));
});

test('dist/day2-tui.js copied alone: ssh2 missing is said once, as a dependency, not as every check', async () => {
  const exe = alone(join(ROOT, 'dist', 'day2-tui.js'));
  const r = await run(
    'bash',
    [
      '-c',
      'cd "$(dirname "$1")" && exec "$2" "$1" "${@:3}"',
      'x',
      exe,
      process.execPath,
      'check',
      '--json',
      '-i',
      join(labDir, 'hosts.ini'),
    ],
    60_000,
    {
      HOME: home,
    },
  );
  assert.equal(r.code, 2, show(r));
  assert.equal(r.stdout, '', 'check results were printed');
  assert.match(
    r.stderr,
    /^day2-tui: ssh2 could not be loaded \(Cannot find package 'ssh2'[^\n]*\): run from the release file dist\/day2-tui or `npm install`\n$/,
  );
});
