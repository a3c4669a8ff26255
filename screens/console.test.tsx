import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ConsoleOptions, ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, readKeysOnceForeground, startConsole } from './console.js';
import { FakeRunner, stripAnsi, testCatalogue, testInventory, waitFor } from './testing/fixtures.js';

class FakeStdout extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  out = '';
  write = (s: string) => {
    this.out += s;
    return true;
  };
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read = () => {
    const d = this.data;
    this.data = null;
    return d;
  };
  type = (s: string) => {
    this.data = s;
    this.emit('readable');
  };
}

function start(extra: Partial<ConsoleOptions> = {}) {
  const stdout = new FakeStdout();
  const stderr = new FakeStdout();
  const stdin = new FakeStdin();
  const done = startConsole({
    inventory: testInventory(),
    runner: new FakeRunner().answerProbes(() => ({ state: 'ok' })),
    catalogue: testCatalogue(),
    version: '0.1.0',
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    env: {},
    exitAfterSignalMs: 0,
    ...extra,
  });
  const firstFrame = () => waitFor(() => /HOSTS/.test(stripAnsi(stdout.out)), 'the first frame of Home', 10_000);
  return { stdout, stderr, stdin, done, firstFrame };
}

test('q: the alternate screen is entered, then left with the cursor shown; exit code 0', async () => {
  const { stdout, stdin, done, firstFrame } = start();
  await firstFrame();
  assert.ok(stdout.out.startsWith(ENTER_ALT_SCREEN));
  assert.match(stripAnsi(stdout.out), /HOSTS \*\.example\.com/);
  stdin.type('q');
  assert.equal(await done, 0);
  assert.ok(stdout.out.endsWith(LEAVE_ALT_SCREEN) || stdout.out.lastIndexOf(LEAVE_ALT_SCREEN) > stdout.out.lastIndexOf('HOSTS'));
});

test('Ctrl-C goes through the quit path (exit code 130, terminal restored)', async () => {
  const { stdout, stdin, done, firstFrame } = start();
  await firstFrame();
  stdin.type('\x03');
  assert.equal(await done, 130);
  assert.ok(stdout.out.includes(LEAVE_ALT_SCREEN));
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const) {
  test(`${signal}: terminal restored, exit code ${code}`, async () => {
    const before = process.listeners(signal);
    const { stdout, done, firstFrame } = start();
    await firstFrame();
    const added = process.listeners(signal).filter((f) => !before.includes(f));
    process.emit(signal, signal);
    assert.equal(await done, code);
    assert.ok(stdout.out.includes(LEAVE_ALT_SCREEN));
    assert.ok(added.length > 0, 'a handler was installed');
    // removed on a later turn of the event loop (see console.tsx): wait for it, do not guess how long
    await waitFor(() => added.some((f) => !process.listeners(signal).includes(f)), 'our handler to be gone again');
  });
}

for (const [kind, message] of [
  ['exception', 'boom at somewhere'],
  ['rejection', 'lost connection'],
] as const) {
  test(`an uncaught ${kind}: terminal restored first, then the error on one line; exit code 1`, () => {
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./testing/console-child.tsx', import.meta.url)), kind],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout.trim().split('\n').pop()!) as { code: number; stdout: string; stderr: string };
    assert.equal(r.code, 1);
    assert.ok(r.stdout.startsWith(ENTER_ALT_SCREEN));
    assert.ok(r.stdout.includes(LEAVE_ALT_SCREEN));
    assert.equal(r.stderr, `day2-tui: error: ${message}\n`);
  });
}

test('without a terminal the console refuses with one line and exit code 2', async () => {
  const stdout = new FakeStdout();
  stdout.isTTY = false;
  const stderr = new FakeStdout();
  const code = await startConsole({
    inventory: testInventory(),
    runner: new FakeRunner().holdProbes(),
    catalogue: testCatalogue(),
    version: '0.1.0',
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
  });
  assert.equal(code, 2);
  assert.equal(stdout.out, '');
  assert.match(stderr.out, /needs a terminal/);
});

test('NO_COLOR in the environment: no colour code written', async () => {
  const { stdout, stdin, done, firstFrame } = start({ env: { NO_COLOR: '1' } });
  await firstFrame();
  stdin.type('q');
  await done;
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(stdout.out, /\x1b\[(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9]+)*m/);
});

test('inTerminalForeground: a process outside the terminal foreground group is told apart', async () => {
  const { inTerminalForeground } = await import('./console.js');
  // pid (comm) state ppid pgrp session tty_nr tpgid ...
  assert.equal(inTerminalForeground('42 (node) S 1 42 42 34816 42 4194304'), true);
  assert.equal(inTerminalForeground('42 (node) T 41 41 7 34816 7 4194304'), false, 'pgrp 41, foreground group 7');
  assert.equal(inTerminalForeground('42 (node a) b) S 1 42 42 0 -1 0'), true, 'no controlling terminal');
});

test('the NodesService given to the console is what the Nodes screen (n) reads', async () => {
  const { NodesService } = await import('../src/nodes/service.js');
  const { SteppedDemoRunner } = await import('./testing/demo-nodes.js');
  const runner = new SteppedDemoRunner();
  const { stdout, stdin, done, firstFrame } = start({ nodes: new NodesService({ runner }) });
  await firstFrame();
  stdin.type('n');
  await waitFor(() => /NODES — 9 nodes/.test(stripAnsi(stdout.out)), 'the DEMO nodes through the given service', 10_000);
  assert.ok(runner.scripts.includes('oc get nodes -o json'));
  stdin.type('q');
  assert.equal(await done, 0);
});

test(
  'readKeysOnceForeground: nothing taken while in the background; in the foreground raw mode ' +
    'and keys forwarded; clean-up gives the terminal back',
  async () => {
    const raw: boolean[] = [];
    const tty = new PassThrough() as unknown as NodeJS.ReadStream;
    tty.setRawMode = (on: boolean) => {
      raw.push(on);
      return tty;
    };
    const input = new PassThrough() as unknown as NodeJS.ReadStream;
    const got: string[] = [];
    input.on('data', (c: Buffer) => got.push(String(c)));
    let fg = false;
    let attached = 0;
    const stop = readKeysOnceForeground(input, () => attached++, { tty, foreground: () => fg, everyMs: 5 });
    (tty as unknown as PassThrough).write('x');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(raw, [], 'no raw mode in the background (it would stop the process)');
    assert.equal(attached, 0);
    fg = true;
    await waitFor(() => attached === 1, 'attached once in the foreground');
    assert.deepEqual(raw, [true]);
    (tty as unknown as PassThrough).write('?');
    await waitFor(() => got.includes('?'), 'the key forwarded');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(attached, 1, 'attached only once');
    stop();
    assert.deepEqual(raw, [true, false]);
    (tty as unknown as PassThrough).write('q');
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(!got.includes('q'), 'nothing forwarded after the clean-up');
  },
);

test('the background warning says how to get keys or get out by what started it: a shell’s &, timeout, another parent', async () => {
  const { backgroundHint } = await import('./console.js');
  assert.equal(backgroundHint('bash', 7), 'Started with &? Type fg to use it. Else stop it: kill 7.');
  assert.equal(backgroundHint('timeout', 7), 'Under timeout: use timeout --foreground to type keys. Stop it: kill 7.');
  assert.equal(backgroundHint('supervisord', 7), 'supervisord runs it in the background: no keys. Stop it: kill 7.');
  for (const p of ['bash', 'timeout', 'a-parent-with-a-long-name', undefined])
    assert.ok(backgroundHint(p, 4194304).length <= 80, String(p));
});
