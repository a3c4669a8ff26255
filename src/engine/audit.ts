// The audit log: <stateDir>/audit.log, one JSON line per command run by a procedure (and one per gate
// answer / repeated destructive step), mode 0600, secrets redacted by the caller's redactor.
import { appendFileSync, closeSync, constants, fchmodSync, fstatSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { NodeAction } from '../nodes/service.js';
import { quoteWord } from '../transport/shell.js';
import type { CommandResult } from '../transport/types.js';

export interface AuditCommand {
  kind: 'command';
  time: string;
  operator: string;
  runId: string;
  step: string;
  host: string | null;
  command: string;
  exitCode: number | null;
  durationMs: number;
  outputTail: string;
  timedOut?: boolean;
  cancelled?: boolean;
  error?: string;
}

export interface AuditNote {
  /** 'panel': the procedure's panel as observed (its summary, then its rows, a line each). */
  kind: 'gate' | 'repeat-destructive' | 'run-start' | 'run-end' | 'resume' | 'failure-choice' | 'panel';
  time: string;
  operator: string;
  runId: string;
  step?: string;
  text: string;
}

export type AuditEntry = AuditCommand | AuditNote;

export function auditPath(stateDir: string): string {
  return join(stateDir, 'audit.log');
}

/** The operating-system user running day2-tui. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Appends one line (synchronously, fsync'd: the record must survive a crash right after the command). */
export function appendAudit(stateDir: string, entry: AuditEntry): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const fd = openAudit(auditPath(stateDir));
  try {
    if ((fstatSync(fd).mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
    appendFileSync(fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Refuses an audit log that is a link before a run starts (appendAudit refuses it too, mid-run). */
export function checkAuditLog(stateDir: string): void {
  closeSync(openAudit(auditPath(stateDir)));
}

/** Opened without following a link: a link put in place of audit.log would send the records (and the mode) elsewhere. */
function openAudit(path: string): number {
  const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;
  try {
    return openSync(path, flags, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ELOOP') throw e;
    const fix = `look at it, then remove the link (rm ${quoteWord(path)})`;
    throw new Error(`the audit log ${path} is a symbolic link; day2-tui writes only to a file of its own: ${fix}`);
  }
}

/** The last `lines` lines (at most `chars` characters) of a command's output. */
export function outputTail(stdout: string, stderr: string, lines = 20, chars = 4000): string {
  const all = [stdout.replace(/\n$/, ''), stderr.replace(/\n$/, '')].filter(Boolean).join('\n');
  let t = all.split('\n').slice(-lines).join('\n');
  if (t.length > chars) t = `…${t.slice(-chars)}`;
  return t;
}

type Stamped = 'time' | 'operator' | 'runId';
/** An entry before the time, operator and run id are added. */
export type AuditInput = Omit<AuditCommand, Stamped> | Omit<AuditNote, Stamped>;

/** The command line of the audit log for a command that ran (or could not: no result, `error`), before it is stamped. */
export function commandEntry(o: {
  step: string;
  host: string | null;
  command: string;
  result?: CommandResult;
  durationMs: number;
  outputTail: string;
  error?: string;
}): Omit<AuditCommand, Stamped> {
  const entry: Omit<AuditCommand, Stamped> = {
    kind: 'command',
    step: o.step,
    host: o.host,
    command: o.command,
    exitCode: o.result ? o.result.exitCode : null,
    durationMs: o.durationMs,
    outputTail: o.outputTail,
  };
  if (o.result?.timedOut) entry.timedOut = true;
  if (o.result?.cancelled) entry.cancelled = true;
  if (o.error) entry.error = o.error;
  return entry;
}

/**
 * The audit sink of the Nodes screen: each cordon, uncordon or drain it runs becomes a command line of
 * audit.log like a procedure's, under the run id `nodes-screen` and the action as its step.
 */
export function nodeActionAuditor(stateDir: string, redact: (s: string) => string = (s) => s): (a: NodeAction) => void {
  return (a) => {
    const r = a.result;
    const entry = commandEntry({
      step: `${a.action} ${a.node}`,
      host: a.target.kind === 'host' ? a.target.host.name : null,
      command: redact(a.command.script),
      ...(r ? { result: r } : {}),
      durationMs: a.durationMs,
      outputTail: redact(r ? outputTail(r.stdout, r.stderr) : ''),
      ...(a.error ? { error: redact(a.error) } : {}),
    });
    appendAudit(stateDir, { ...entry, time: new Date().toISOString(), operator: osUser(), runId: 'nodes-screen' });
  };
}
