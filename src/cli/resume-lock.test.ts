// Two `day2-tui resume` of one interrupted run at the same time, as real processes of the CLI against the
// DEMO cluster: exactly one proceeds (it pauses after its step, holding the lock), the other refuses at
// once saying who holds the run. Ten tries, each from a fresh copy of the interrupted journal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAUSE_ENV, PAUSE_MARKER } from '../engine/run.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TRIES = 10;
/** The resume that proceeds pauses here, holding the lock: after the first master of the serial config step. */
const AFTER = 'config@master-0.demo.example.com';

interface Cli {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function cli(args: string[], stateDir: string, pauseAfter: string): Cli {
  const env = { ...process.env, [PAUSE_ENV]: pauseAfter };
  const argv = ['--import', 'tsx', MAIN, ...args, '--demo', '--state-dir', stateDir, '--yes'];
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function waitFor(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A master-backup run of the demo killed -9 after its first step: the journal of an interrupted run. */
async function interruptedJournal(): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-lock-first-'));
  const first = cli(['run', 'master-backup'], stateDir, 'hostname');
  await waitFor('the first run to pause', () => existsSync(join(stateDir, PAUSE_MARKER)));
  first.child.kill('SIGKILL');
  await first.exit;
  const name = readdirSync(join(stateDir, 'runs')).find((n) => n.endsWith('.json'))!;
  return join(stateDir, 'runs', name);
}

async function oneTry(journal: string, runId: string): Promise<{ proceeded: Cli; refused: Cli }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-lock-try-'));
  mkdirSync(join(stateDir, 'runs'), { mode: 0o700 });
  copyFileSync(journal, join(stateDir, 'runs', `${runId}.json`));
  const both = [cli(['resume', runId], stateDir, AFTER), cli(['resume', runId], stateDir, AFTER)];
  try {
    const late = new Promise<number>((r) => setTimeout(() => r(-1), 30_000).unref());
    const first = await Promise.race([...both.map((c, i) => c.exit.then(() => i)), late]);
    assert.notEqual(first, -1, `neither resume was refused:\n${both.map((c) => c.out()).join('\n---\n')}`);
    const refused = both[first]!;
    const proceeded = both[1 - first]!;
    await waitFor('the resume that proceeded to pause', () => existsSync(join(stateDir, PAUSE_MARKER)));
    const paused = JSON.parse(readFileSync(join(stateDir, PAUSE_MARKER), 'utf8')) as { pid: number };
    assert.equal(paused.pid, proceeded.child.pid, 'the process that paused is the one still running');
    assert.equal(await refused.exit, 2);
    return { proceeded, refused };
  } finally {
    for (const c of both) c.child.kill('SIGKILL');
    await Promise.all(both.map((c) => c.exit));
    rmSync(stateDir, { recursive: true, force: true });
  }
}

test(`two resumes of one run at once: exactly one proceeds, in ${TRIES} of ${TRIES} tries`, { timeout: 300_000 }, async () => {
  const journal = await interruptedJournal();
  const runId = journal.slice(journal.lastIndexOf('/') + 1, -'.json'.length);
  for (let i = 0; i < TRIES; i++) {
    const { proceeded, refused } = await oneTry(journal, runId);
    assert.match(proceeded.out(), new RegExp(`Resuming run ${runId}`));
    assert.doesNotMatch(refused.out(), /Resuming run/);
    const holder = `locked by pid ${proceeded.child.pid} on \\S+ \\(\\S+, resume\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`;
    assert.match(refused.out(), new RegExp(`^day2-tui: run ${runId} is ${holder}: another day2-tui is driving it`), `try ${i + 1}`);
  }
});
