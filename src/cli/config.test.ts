// `day2-tui config …` end to end: the built bin/day2-tui (node scripts/build.mjs first) with a temp HOME,
// and what the settings change for `check` (the oc it runs, its concurrency, the kubeconfig oc gets).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(repo, 'bin/day2-tui');
const dirs: string[] = [];

before(() => assert.ok(existsSync(join(repo, 'dist/day2-tui.js')), 'no dist/day2-tui.js: run `node scripts/build.mjs` first'));
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'day2-config-'));
  dirs.push(dir);
  return dir;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** bin/day2-tui in `cwd` with HOME there and nothing of this machine's own settings. */
function day2(home: string, args: string[], env: Record<string, string> = {}): Ran {
  const clean = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...env };
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: home, env: clean, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('config path, set, get, list, unset: the file under $HOME/.config, or $XDG_CONFIG_HOME', () => {
  const home = tempDir();
  const file = join(home, '.config/day2-tui/config.json');
  assert.equal(day2(home, ['config', 'path']).stdout, `${file}\n`);
  assert.equal(
    day2(home, ['config', 'path'], { XDG_CONFIG_HOME: join(home, 'xdg') }).stdout,
    `${join(home, 'xdg/day2-tui/config.json')}\n`,
  );

  assert.equal(day2(home, ['config', 'get', 'identity']).status, 1, 'no value: exit 1, nothing printed');
  assert.equal(day2(home, ['config', 'get', 'concurrency']).stdout, '20\n');
  for (const [key, value] of [
    ['concurrency', '4'],
    ['oc', 'bin/oc'],
    ['color', 'false'],
    ['known-hosts', 'kh'],
  ]) {
    assert.equal(day2(home, ['config', 'set', key as string, value as string]).status, 0);
  }
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
    concurrency: 4,
    oc: join(home, 'bin/oc'),
    color: false,
    'known-hosts': join(home, 'kh'),
  });
  assert.equal(day2(home, ['config', 'get', 'oc']).stdout, `${join(home, 'bin/oc')}\n`);

  const list = day2(home, ['--oc', '/flag/oc', 'config', 'list'], { DAY2_CONCURRENCY: '9' });
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /^oc +\/flag\/oc +flag --oc$/m);
  assert.match(list.stdout, /^concurrency +9 +env \$DAY2_CONCURRENCY$/m);
  assert.match(list.stdout, new RegExp(`^color +false +config file ${file}$`, 'm'));
  assert.match(list.stdout, /^identity +\(ssh-agent and ~\/\.ssh\/id_\*\) +default$/m);
  assert.match(list.stdout, /^inventory +DEMO +default$/m);
  assert.equal(list.stdout.trimEnd().split('\n').length, 7);

  const json = JSON.parse(day2(home, ['config', 'list', '--json', '--kubeconfig', '/k']).stdout) as Record<string, unknown>;
  assert.deepEqual(json.concurrency, { value: 4, from: 'file', name: file });
  assert.deepEqual(json.kubeconfig, { value: '/k', from: 'flag', name: '--kubeconfig' });
  assert.deepEqual(json.identity, { value: null, from: 'default' });

  assert.equal(day2(home, ['config', 'unset', 'color']).status, 0);
  assert.equal(day2(home, ['config', 'get', 'color']).stdout, 'true\n');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).color, undefined);
});

test('config refusals: one line, exit 2, the file untouched', () => {
  const home = tempDir();
  assert.equal(day2(home, ['config', 'set', 'concurrency', '2']).status, 0);
  const file = join(home, '.config/day2-tui/config.json');
  const before = readFileSync(file, 'utf8');
  const cases: [string[], RegExp][] = [
    [
      ['config', 'set', 'colour', 'false'],
      /^day2-tui: unknown setting 'colour' \(the keys: inventory, known-hosts, identity, oc, kubeconfig, concurrency, color\)/,
    ],
    [
      ['config', 'set', 'concurrency', 'many'],
      /^day2-tui: concurrency must be a positive integer \(hosts worked on at once\), not 'many'$/,
    ],
    [['config', 'set', 'color', 'off'], /^day2-tui: color must be true or false, not 'off'$/],
    [['config', 'get'], /missing required argument 'key'/],
    [['config', 'frob'], /unknown command 'frob'/],
  ];
  for (const [args, message] of cases) {
    const r = day2(home, args);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr.trimEnd(), message);
  }
  assert.equal(readFileSync(file, 'utf8'), before);
  const env = day2(home, ['config', 'list'], { DAY2_CONCURRENCY: 'abc' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /\$DAY2_CONCURRENCY must be a positive integer/);
});

test('a broken settings file: every command says which file and key, exit 2, no stack; config path still answers', () => {
  const home = tempDir();
  const file = join(home, '.config/day2-tui/config.json');
  mkdirSync(join(home, '.config/day2-tui'), { recursive: true });
  for (const [text, message] of [
    ['{"concurrency": "lots"', /the settings file .* is not valid JSON/],
    ['{"concurrency": -2}', /has a wrong value for "concurrency" .*: it must be a positive integer/],
  ] as const) {
    writeFileSync(file, text);
    for (const args of [['list'], ['check', '--demo'], ['config', 'list']]) {
      const r = day2(home, args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.ok(r.stderr.includes(file), r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
    assert.equal(day2(home, ['config', 'path']).stdout, `${file}\n`);
    assert.equal(readFileSync(file, 'utf8'), text, 'never cleared');
  }
});

/** An `oc` that notes each call (its words, $KUBECONFIG, whether another call was running) and then runs `oc`. */
function recordingOc(dir: string, then: string): string {
  const path = join(dir, 'my-oc');
  writeFileSync(
    path,
    `#!/bin/sh
log=${dir}/oc.log
mkdir ${dir}/busy 2>/dev/null || echo overlap >> $log
echo "oc $* KUBECONFIG=$KUBECONFIG" >> $log
${then}
rc=$?
rmdir ${dir}/busy
exit $rc
`,
  );
  chmodSync(path, 0o755);
  return path;
}

test('check uses the oc of the settings file (DEMO: it knows only its own oc paths)', () => {
  const home = tempDir();
  const check = ['check', '--demo', '--json', '--only', 'nodes-ready'];
  assert.equal(day2(home, ['config', 'set', 'oc', '/opt/missing/oc']).status, 0);
  const missing = JSON.parse(day2(home, check).stdout) as { results: { status: string; message: string }[] };
  assert.equal(missing.results[0]?.status, 'error');
  assert.match(missing.results[0]?.message ?? '', /^\/opt\/missing\/oc is not installed or not in PATH/);
  assert.equal(day2(home, ['config', 'set', 'oc', '/usr/local/bin/oc']).status, 0);
  const found = JSON.parse(day2(home, check).stdout) as { results: { status: string }[] };
  assert.equal(found.results[0]?.status, 'ok');
});

/** An inventory whose one host is never reached: only the cluster-wide checks (oc on the bastion) run. */
function bastionOnlyInventory(home: string): string {
  const inventory = join(home, 'hosts');
  writeFileSync(
    inventory,
    '[OSEv3:children]\nmasters\nnodes\n[masters]\nmaster-1 ansible_host=127.0.0.1 ansible_port=1\n[nodes]\nmaster-1\n',
  );
  return inventory;
}

/** bin/day2-tui without blocking this process (a server of the test answers it meanwhile). */
function day2Async(home: string, args: string[]): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: home, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d));
    child.stderr.on('data', (d: Buffer) => void (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A port that takes SSH connections, holds each a moment and closes it; counts how many were open at once. */
async function holdingPort(): Promise<{ port: number; connections: () => number; mostAtOnce: () => number; close: () => void }> {
  let open = 0;
  let most = 0;
  let total = 0;
  const server = createServer((socket) => {
    total++;
    most = Math.max(most, ++open);
    socket.on('error', () => {});
    socket.on('close', () => open--);
    setTimeout(() => socket.destroy(), 150);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, connections: () => total, mostAtOnce: () => most, close: () => server.close() };
}

test('check runs the oc and keeps the concurrency of the settings file (a real inventory)', async () => {
  const home = tempDir();
  const server = await holdingPort();
  try {
    const hosts = ['master-1', 'master-2', 'master-3'];
    const inventory = join(home, 'hosts');
    const lines = hosts.map((h) => `${h} ansible_host=127.0.0.1 ansible_port=${server.port}`);
    writeFileSync(inventory, `[OSEv3:children]\nmasters\nnodes\n[masters]\n${lines.join('\n')}\n[nodes]\n${hosts.join('\n')}\n`);
    const oc = recordingOc(home, 'exit 1');
    for (const [key, value] of [
      ['oc', oc],
      ['concurrency', '1'],
      ['inventory', inventory],
      ['known-hosts', join(home, 'known_hosts')],
    ]) {
      assert.equal(day2(home, ['config', 'set', key as string, value as string]).status, 0);
    }
    const r = await day2Async(home, ['check', '--json', '--only', 'nodes-ready,ntp']);
    const json = JSON.parse(r.stdout) as { results: { check: string; host: string | null }[] };
    assert.deepEqual(json.results.map((x) => x.host).sort(), [...hosts, null].sort(), r.stderr);
    assert.match(readFileSync(join(home, 'oc.log'), 'utf8'), /^oc get nodes /m, 'the configured oc ran');
    assert.ok(server.connections() >= hosts.length, `every host was tried (${server.connections()} connections)`);
    assert.equal(server.mostAtOnce(), 1, 'concurrency 1: one host at a time');
  } finally {
    server.close();
  }
});

test('--kubeconfig, $KUBECONFIG or the settings file: every oc on the bastion gets it; a missing one is said first', () => {
  const home = tempDir();
  const inventory = bastionOnlyInventory(home);
  const oc = recordingOc(home, 'exit 1');
  const kubeconfig = join(home, 'admin.kubeconfig');
  writeFileSync(kubeconfig, 'apiVersion: v1\n');
  const check = ['check', '-i', inventory, '--oc', oc, '--only', 'nodes-ready', '--json'];

  assert.equal(day2(home, ['config', 'set', 'kubeconfig', 'admin.kubeconfig']).status, 0);
  day2(home, check);
  assert.match(readFileSync(join(home, 'oc.log'), 'utf8'), new RegExp(`^oc get nodes KUBECONFIG=${kubeconfig}$`, 'm'));

  const fromEnv = join(home, 'env.kubeconfig');
  writeFileSync(fromEnv, 'apiVersion: v1\n');
  day2(home, check, { KUBECONFIG: fromEnv });
  assert.match(readFileSync(join(home, 'oc.log'), 'utf8'), new RegExp(`^oc get nodes KUBECONFIG=${fromEnv}$`, 'm'));

  rmSync(join(home, 'oc.log'));
  const missing = day2(home, [...check, '--kubeconfig', '/nonexistent/kc']);
  assert.equal(missing.status, 2);
  assert.equal(
    missing.stderr,
    'day2-tui: the kubeconfig /nonexistent/kc (from flag --kubeconfig) does not exist: give the file `oc login` wrote, or leave it out\n',
  );
  assert.equal(existsSync(join(home, 'oc.log')), false, 'no oc ran');

  // the DEMO answers oc itself: a kubeconfig does not stop it
  assert.equal(day2(home, ['check', '--demo', '--only', 'nodes-ready', '--kubeconfig', '/nonexistent/kc']).status, 0);
});
