// One process at a time drives a run: `run` and `resume` hold an exclusive flock(2) on
// <stateDir>/runs/<runId>.lock for as long as they drive it. The kernel drops the lock when the process
// dies (kill -9 included), so there is never a stale lock to guess about or take over.
// Node has no flock(): flock(1) (util-linux) takes it on our descriptor, which the child shares and we
// keep open. Node opens files close-on-exec, so the commands a run starts later never hold the lock.
// The file is never removed: removing a flock file lets two processes lock two different files.
import { spawnSync } from 'node:child_process';
import { closeSync, constants, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { localTime } from './journal.js';

/** A lock on one run; release() is idempotent. */
export interface RunLock {
  readonly path: string;
  release(): void;
}

/** Who holds a run's lock, as its holder wrote it into the lock file. */
export interface LockHolder {
  pid: number;
  hostname: string;
  since: string;
  operator: string;
  command: string;
}

/** The run is being driven by another process (or the lock cannot be taken). */
export class RunLockedError extends Error {
  constructor(
    message: string,
    readonly holder?: LockHolder,
  ) {
    super(message);
    this.name = 'RunLockedError';
  }
}

/** flock(1)'s exit code when the lock is held elsewhere (-E). */
const CONFLICT = 75;

export function lockPath(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', `${runId}.lock`);
}

/** Takes the run's lock at once or throws RunLockedError saying who holds it. The runs dir must exist. */
export function lockRun(stateDir: string, runId: string, who: { operator: string; command: string }): RunLock {
  const path = lockPath(stateDir, runId);
  const fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  const taken = flock(fd);
  if (taken !== true) {
    closeSync(fd);
    throw taken === 'held' ? heldError(runId, path) : new RunLockedError(`cannot lock run ${runId} (${path}): ${taken}`);
  }
  const holder: LockHolder = { pid: process.pid, hostname: osHostname(), since: new Date().toISOString(), ...who };
  ftruncateSync(fd, 0);
  writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  let open = true;
  return {
    path,
    release() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** true, 'held', or why flock(1) could not run. */
function flock(fd: number): true | 'held' | string {
  const r = spawnSync('flock', ['-n', '-x', '-E', String(CONFLICT), '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === 'ENOENT';
    return missing ? 'flock(1) is not installed: install util-linux' : r.error.message;
  }
  if (r.status === 0) return true;
  if (r.status === CONFLICT) return 'held';
  return `flock(1) failed (${r.stderr.trim() || `exit ${r.status ?? r.signal}`})`;
}

function heldError(runId: string, path: string): RunLockedError {
  const h = readHolder(path);
  if (!h) return new RunLockedError(`run ${runId} is locked by another day2-tui process (${path}); wait for it to end, or stop it first`);
  const by = `pid ${h.pid} on ${h.hostname} (${h.operator}, ${h.command}) since ${localTime(h.since)}`;
  const what = 'another day2-tui is driving it; wait for it to end, or stop that process first';
  return new RunLockedError(`run ${runId} is locked by ${by}: ${what}`, h);
}

/** The holder's record; it writes it right after taking the lock, so an empty file is retried briefly. */
function readHolder(path: string): LockHolder | undefined {
  for (let i = 0; i < 10; i++) {
    try {
      const h = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
      if (typeof h.pid === 'number') return h;
    } catch {
      // not written yet
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return undefined;
}
