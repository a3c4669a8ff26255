// The run journal: one JSON file per run, <stateDir>/runs/<runId>.json, mode 0600, rewritten atomically
// (temp file in the same directory, fsync, rename, fsync of the directory) after every change, so that
// a crash (kill -9, a dropped SSH session, a power cut) leaves either the previous or the new state.
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { quoteWord } from '../transport/shell.js';
import { checkAuditLog } from './audit.js';
import { checkJournalShape } from './journal-schema.js';
import type { Capture } from './plan.js';
import type { StepStatus } from './types.js';

export const JOURNAL_VERSION = 1;
/** Stands for a secret parameter's value in the journal: it is asked again on resume. */
export const SECRET_MARKER = '«secret: asked again on resume»';

export type RunStatus = 'running' | 'ok' | 'failed' | 'aborted' | 'stopped-at-gate';
/** As listed: a `running` journal whose process is gone is `interrupted`. */
export type ListedStatus = Exclude<RunStatus, 'running'> | 'running' | 'interrupted';

export interface HostProgress {
  status: StepStatus;
  /** Commands of this step completed on this host; the command at this index is the one running (or next). */
  commandIndex: number;
  commandCount?: number;
  exitCode?: number | null;
  message?: string;
}

export interface JournalStep {
  id: string;
  title: string;
  status: StepStatus;
  destructive: boolean;
  /** A destructive step's first command was started (so it must not be repeated without a fresh gate). */
  destructiveBegun: boolean;
  /** Per host; the key `bastion` (hostKey) stands for the bastion. */
  hosts: Record<string, HostProgress>;
  startedAt?: string;
  endedAt?: string;
  message?: string;
  /** Every time this step was repeated after an interruption, and how the repeat was approved. */
  repeats?: { at: string; approvedBy: 'operator' | '--yes'; reason: string }[];
}

export interface Journal {
  version: typeof JOURNAL_VERSION;
  runId: string;
  procedure: string;
  title: string;
  /** Secret values are replaced by SECRET_MARKER. */
  params: Record<string, string>;
  secretParams: string[];
  inventory: { kind: 'file'; path: string } | { kind: 'demo'; scenario?: string };
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
  status: RunStatus;
  /** The step running now, or where the run stopped. */
  currentStep?: string;
  message?: string;
  operator: string;
  pid: number;
  /** /proc start time of the process (Linux), so that a reused pid is not taken for the run's. */
  pidStart?: string;
  hostname: string;
  steps: JournalStep[];
  captures: Capture[];
  /** Earlier processes of this run (a resume adds the previous one here). */
  history: { pid: number; hostname: string; from: string; to: string; status: string }[];
}

/** Key of the bastion in JournalStep.hosts (inventory host names contain no spaces). */
export const BASTION_KEY = '(bastion)';
export const hostKey = (host: string | null): string => host ?? BASTION_KEY;

export function runsDir(stateDir: string): string {
  return join(stateDir, 'runs');
}

export function journalPath(stateDir: string, runId: string): string {
  return join(runsDir(stateDir), `${runId}.json`);
}

/**
 * Creates the state directory and its runs/ (0700) and refuses them when another user could write there:
 * a journal planted in runs/ would be resumed, an audit log swapped for a link. `uid`: whose they must be.
 */
export function ensureStateDir(stateDir: string, uid: number | undefined = process.geteuid?.()): void {
  mkdirSync(runsDir(stateDir), { recursive: true, mode: 0o700 });
  for (const dir of [stateDir, runsDir(stateDir)]) checkPrivateDir(dir, uid);
  checkAuditLog(stateDir);
}

function checkPrivateDir(dir: string, uid: number | undefined): void {
  const st = statSync(dir);
  const fix = 'or pass --state-dir with a directory of your own';
  if (!st.isDirectory()) throw new JournalError(`the state directory ${dir} is not a directory: remove it, ${fix}`);
  if (uid !== undefined && st.uid !== uid) {
    throw new JournalError(`the state directory ${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): ${fix}`);
  }
  if ((st.mode & 0o022) !== 0) {
    const who = st.mode & 0o002 ? 'every user' : 'its group';
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new JournalError(`the state directory ${dir} can be written by ${who} (mode ${mode}): chmod 700 ${quoteWord(dir)}, ${fix}`);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `20261125-031500-etcd-backup-ab12` (local time, like the operator's clock). */
export function newRunId(procedure: string, now: Date = new Date(), random: () => number = Math.random): string {
  const day = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const stamp = `${day}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const suffix = Array.from({ length: 4 }, () => '0123456789abcdefghijklmnopqrstuvwxyz'[Math.floor(random() * 36)]).join('');
  return `${stamp}-${procedure}-${suffix}`;
}

/** `2026-11-25 03:15:00` in the operator's local time (the text itself when it is not a time). */
export function localTime(isoTime: string): string {
  const d = new Date(isoTime);
  if (Number.isNaN(d.getTime())) return isoTime;
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function isValidRunId(runId: string): boolean {
  return /^[0-9]{8}-[0-9]{6}-[a-z0-9][a-z0-9-]*-[a-z0-9]{4}$/.test(runId);
}

/** Writes `data` to `path` atomically: temp file (0600) + fsync + rename + fsync of the directory. */
export function writeFileAtomic(path: string, data: string): void {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600); // in case the file existed with other bits (openSync's mode applies on creation only)
  renameSync(tmp, path);
  const dfd = openSync(dir, 'r');
  try {
    fsyncSync(dfd);
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    closeSync(dfd);
  }
}

export function writeJournal(stateDir: string, journal: Journal): void {
  mkdirSync(runsDir(stateDir), { recursive: true, mode: 0o700 }); // checked once when the run started (ensureStateDir)
  writeFileAtomic(journalPath(stateDir, journal.runId), `${JSON.stringify(journal, null, 2)}\n`);
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

export function readJournal(stateDir: string, runId: string): Journal {
  if (!isValidRunId(runId)) throw new JournalError(`'${runId}' is not a run id (see day2-tui runs)`);
  const path = journalPath(stateDir, runId);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new JournalError(`no run '${runId}' in ${runsDir(stateDir)} (see day2-tui runs)`);
    throw new JournalError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw notAJournal(path, `not JSON: ${(e as Error).message}`);
  }
  const checked = checkJournalShape(data);
  if ('problem' in checked) throw notAJournal(path, checked.problem);
  if (checked.journal.runId !== runId) throw notAJournal(path, `it names run ${checked.journal.runId}, not ${runId}`);
  return checked.journal;
}

/** A journal that cannot be used: its path, what is wrong, and how to get it out of the way. */
function notAJournal(path: string, problem: string): JournalError {
  const aside = `mv ${quoteWord(path)} ${quoteWord(`${path}.bad`)}`;
  return new JournalError(`${path} is not a journal of version ${JOURNAL_VERSION} (${problem}); look at it, then move it aside: ${aside}`);
}

/** The start time of a process (field 22 of /proc/<pid>/stat), or undefined where there is no /proc. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote the journal is still running (on this machine). */
export function writerAlive(j: Pick<Journal, 'pid' | 'pidStart' | 'hostname'>): boolean | 'unknown' {
  if (j.hostname !== osHostname()) return 'unknown';
  if (j.pid === process.pid) return true;
  try {
    process.kill(j.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (j.pidStart !== undefined) {
    const now = processStart(j.pid);
    if (now !== undefined && now !== j.pidStart) return false; // the pid was reused
  }
  return true;
}

export function listedStatus(j: Journal): ListedStatus {
  if (j.status !== 'running') return j.status;
  return writerAlive(j) === false ? 'interrupted' : 'running';
}

export interface ListedRun {
  runId: string;
  procedure: string;
  title: string;
  startedAt: string;
  updatedAt: string;
  status: ListedStatus;
  currentStep?: string;
  currentStepTitle?: string;
  message?: string;
  operator: string;
  path: string;
}

/** Every journal under the state dir, newest first. Unreadable files are reported as problems. */
export function listRuns(stateDir: string): { runs: ListedRun[]; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(runsDir(stateDir)).filter((n) => n.endsWith('.json'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems: [] };
    throw e;
  }
  const runs: ListedRun[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const runId = name.slice(0, -'.json'.length);
    try {
      const j = readJournal(stateDir, runId);
      const r: ListedRun = {
        runId,
        procedure: j.procedure,
        title: j.title,
        startedAt: j.startedAt,
        updatedAt: j.updatedAt,
        status: listedStatus(j),
        operator: j.operator,
        path: journalPath(stateDir, runId),
      };
      if (j.currentStep) {
        r.currentStep = j.currentStep;
        const t = j.steps.find((s) => s.id === j.currentStep)?.title;
        if (t) r.currentStepTitle = t;
      }
      if (j.message) r.message = j.message;
      runs.push(r);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  runs.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.runId < b.runId ? 1 : -1));
  return { runs, problems };
}

/** The runs a console start should offer to resume. */
export function interruptedRuns(stateDir: string): ListedRun[] {
  return listRuns(stateDir).runs.filter((r) => r.status === 'interrupted');
}

/** Removes temp files a crash left behind (never a journal). */
export function cleanTempFiles(stateDir: string): void {
  try {
    for (const n of readdirSync(runsDir(stateDir))) {
      const m = /\.(\d+)\.tmp$/.exec(n);
      if (m && writerAlive({ pid: Number(m[1]), hostname: osHostname() }) === false) unlinkSync(join(runsDir(stateDir), n));
    }
  } catch {
    // nothing to clean
  }
}
