import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE } from '../../procedures/catalogue.js';
import { errorLine, main } from './main.js';

async function call(argv: string[], env: Record<string, string> = {}, isTTY = false) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    env: { HOME: '/home/op', ...env },
    isTTY,
  });
  return { code, stdout, stderr };
}

test('main: list --json', async () => {
  const r = await call(['list', '--json']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const doc = JSON.parse(r.stdout) as { procedures: { id: string }[] };
  assert.equal(doc.procedures.length, CATALOGUE.length);
});

test('main: list (table)', async () => {
  const r = await call(['--demo', 'list']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /Chapter 5 — Host-level tasks/);
});

test('main: unknown command → one line, exit 2', async () => {
  const r = await call(['frobnicate']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, "day2-tui: unknown command 'frobnicate' (see day2-tui --help)\n");
});

test('main: unknown option → one line, exit 2', async () => {
  const r = await call(['list', '--frobnicate']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.split('\n').length, 2);
  assert.match(r.stderr, /^day2-tui: unknown option '--frobnicate'/);
});

test('main: --help and --version exit 0 on stdout', async () => {
  const help = await call(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: day2-tui/);
  const version = await call(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});

test('main: a procedure not built yet, or an unknown run, is one line and exit 2', async () => {
  for (const argv of [
    ['plan', 'etcd-restore', '--demo'],
    ['run', 'etcd-restore', '--yes', '--demo'],
    ['resume', 'no-such-run', '--demo'],
  ]) {
    const r = await call(argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.match(r.stderr, /^day2-tui: /);
  }
});

test('main: the console needs a terminal', async () => {
  const r = await call([], {}, false);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^day2-tui: the console needs a terminal/);
  assert.equal(r.stderr.split('\n').length, 2);
});

test('errorLine: one line, no stack', () => {
  const err = new Error('bad inventory\n  at line 3');
  assert.equal(errorLine(err), 'day2-tui: bad inventory at line 3\n');
  assert.equal(errorLine('plain'), 'day2-tui: plain\n');
});
