// The audit log: <stateDir>/audit.log, one JSON line per command run by a procedure (and one per gate
// answer / repeated destructive step), mode 0600, secrets redacted by the caller's redactor.
import { appendFileSync, chmodSync, closeSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

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
  kind: 'gate' | 'repeat-destructive' | 'run-start' | 'run-end' | 'resume' | 'failure-choice';
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
  const path = auditPath(stateDir);
  const fd = openSync(path, 'a', 0o600);
  try {
    appendFileSync(fd, JSON.stringify(entry) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
}

/** The last `lines` lines (at most `chars` characters) of a command's output. */
export function outputTail(stdout: string, stderr: string, lines = 20, chars = 4000): string {
  const all = [stdout.replace(/\n$/, ''), stderr.replace(/\n$/, '')].filter(Boolean).join('\n');
  let t = all.split('\n').slice(-lines).join('\n');
  if (t.length > chars) t = '…' + t.slice(-chars);
  return t;
}

type Stamped = 'time' | 'operator' | 'runId';
/** An entry before the time, operator and run id are added. */
export type AuditInput = Omit<AuditCommand, Stamped> | Omit<AuditNote, Stamped>;
