// Two `day2-tui resume` of one interrupted run at the same time, as real processes of the CLI: exactly one
// proceeds (it pauses after a step, holding the run's lock), the other refuses at once saying who holds the
// run. Shared by the DEMO test (src/cli/resume-lock.test.ts) and the lab test (test/engine/resume-lock-lab.test.ts).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAUSE_ENV, PAUSE_MARKER } from '../../src/engine/run.js';

const MAIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'src', 'cli', 'main.ts');

/** Where the runs go: the CLI options naming the cluster (`--demo`, or the lab's `-i … --known-hosts …`). */
export interface RaceTarget {
  clusterArgs: string[];
  /** The interrupted run: this procedure with these parameters, killed -9 at the pause after `firstPause`. */
  run: string[];
  firstPause: string;
  /** Where the resume that proceeds pauses, holding the lock (a `step@host` point). */
  resumePause: string;
}

interface Cli {
  child: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function cli(target: RaceTarget, args: string[], stateDir: string, pauseAfter: string): Cli {
  const env = { ...process.env, [PAUSE_ENV]: pauseAfter };
  const argv = ['--import', 'tsx', MAIN, ...args, ...target.clusterArgs, '--state-dir', stateDir, '--yes'];
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, exit };
}

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The run killed -9 at its first pause: the journal of an interrupted run, and its id. */
export async function interruptedRun(target: RaceTarget): Promise<{ journal: string; runId: string }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-lock-first-'));
  const first = cli(target, ['run', ...target.run], stateDir, target.firstPause);
  await waitFor(`the first run to pause:\n${first.out()}`, () => existsSync(join(stateDir, PAUSE_MARKER)));
  first.child.kill('SIGKILL');
  await first.exit;
  const name = readdirSync(join(stateDir, 'runs')).find((n) => n.endsWith('.json'))!;
  return { journal: join(stateDir, 'runs', name), runId: name.slice(0, -'.json'.length) };
}

/** Both resumes at once from a fresh copy of the journal: the one that proceeded and the one refused. */
export async function raceTwoResumes(target: RaceTarget, journal: string, runId: string): Promise<{ proceeded: Cli; refused: Cli }> {
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-lock-try-'));
  mkdirSync(join(stateDir, 'runs'), { mode: 0o700 });
  copyFileSync(journal, join(stateDir, 'runs', `${runId}.json`));
  const both = [cli(target, ['resume', runId], stateDir, target.resumePause), cli(target, ['resume', runId], stateDir, target.resumePause)];
  try {
    const late = new Promise<number>((r) => setTimeout(() => r(-1), 60_000).unref());
    const first = await Promise.race([...both.map((c, i) => c.exit.then(() => i)), late]);
    assert.notEqual(first, -1, `neither resume was refused:\n${both.map((c) => c.out()).join('\n---\n')}`);
    const refused = both[first]!;
    const proceeded = both[1 - first]!;
    await waitFor(`the resume that proceeded to pause:\n${proceeded.out()}`, () => existsSync(join(stateDir, PAUSE_MARKER)));
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

/** `tries` races: each time one resume proceeded (it says so) and the other refused naming the holder. */
export async function resumeRaces(target: RaceTarget, tries: number): Promise<void> {
  const { journal, runId } = await interruptedRun(target);
  try {
    for (let i = 0; i < tries; i++) {
      const { proceeded, refused } = await raceTwoResumes(target, journal, runId);
      assert.match(proceeded.out(), new RegExp(`Resuming run ${runId}`));
      assert.doesNotMatch(refused.out(), /Resuming run/);
      const holder = `locked by pid ${proceeded.child.pid} on \\S+ \\(\\S+, resume\\) since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d`;
      assert.match(refused.out(), new RegExp(`^day2-tui: run ${runId} is ${holder}: another day2-tui is driving it`), `try ${i + 1}`);
    }
  } finally {
    rmSync(dirname(dirname(journal)), { recursive: true, force: true });
  }
}
