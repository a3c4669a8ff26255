// Waits and retries inside a step's command list, as engine features rather than shell loops: a command
// marked with `until` (or `retryOn`) is run again while its answer says "not yet", every `everyMs` until
// `withinMs` have passed. Each try is a command of its own (logged, audited, cancellable in the pause); a
// try that could not run (a lost host, a timeout) is not repeated: that is a failure of its own.
import type { ShellCommand } from '../transport/shell.js';
import type { CommandResult } from '../transport/types.js';

export interface CommandAnswer {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export interface Wait {
  everyMs: number;
  withinMs: number;
  /** What did not happen, for the operator when the time is up ("etcd on m0 did not stop"). */
  what: string;
  /** Whether an answer means "not yet, ask again" (default: any exit code but 0). */
  notYet?: (answer: CommandAnswer) => boolean;
  /** When the time is up: fail the step (default), or let the last answer stand as a success ("report"). */
  whenTimeIsUp?: 'fail' | 'report';
}

/** A command the engine repeats (see Wait). Still a ShellCommand: a Runner only sees its script. */
export interface RepeatedCommand extends ShellCommand {
  readonly wait: Wait;
}

export function isRepeated(command: ShellCommand): command is RepeatedCommand {
  return typeof (command as RepeatedCommand).wait === 'object';
}

const EVERY_MS = 2_000;

/** Run `check` until it exits 0 (every 2 s unless told), for at most `withinMs`; then fail saying `what`. */
export function until(check: ShellCommand, o: { withinMs: number; what: string; everyMs?: number }): RepeatedCommand {
  return { script: check.script, wait: { everyMs: o.everyMs ?? EVERY_MS, withinMs: o.withinMs, what: o.what } };
}

/** Run `command` again while it fails with an answer matching `on` (a refusal known to pass), for at most `withinMs`. */
export function retryOn(command: ShellCommand, on: RegExp, o: { withinMs: number; what: string; everyMs?: number }): RepeatedCommand {
  const notYet = (a: CommandAnswer) => a.exitCode !== 0 && on.test(`${a.stdout}\n${a.stderr}`);
  return { script: command.script, wait: { everyMs: o.everyMs ?? EVERY_MS, withinMs: o.withinMs, what: o.what, notYet } };
}

/** How a plan shows the repetition after the command (a shell comment, so the line can still be copied). */
export function describeWait(w: Wait): string {
  const when = w.notYet ? 'asked again while it answers "not yet"' : 'until it succeeds';
  return `  # ${when}: every ${w.everyMs / 1000} s, up to ${w.withinMs / 1000} s`;
}

/** What the run lends a repetition: its command execution, its log, its cancellable pause, its clock. */
export interface WaitIo {
  exec(): Promise<{ result?: CommandResult; error?: string }>;
  info(text: string): void;
  pause(ms: number): Promise<void>;
  now?: () => number;
}

/**
 * Runs the command until its answer is no longer "not yet", or the time is up. Returns the last try's
 * result — when the time is up and the wait fails, with `what` added to its output and a nonzero exit.
 */
export async function runRepeated(w: Wait, io: WaitIo): Promise<{ result?: CommandResult; error?: string }> {
  const now = io.now ?? Date.now;
  const notYet = w.notYet ?? ((a: CommandAnswer) => a.exitCode !== 0);
  const deadline = now() + w.withinMs;
  for (let attempt = 1; ; attempt++) {
    const r = await io.exec();
    if (r.error !== undefined || !r.result || r.result.timedOut || r.result.cancelled) return r;
    if (!notYet(r.result)) return r;
    if (now() + w.everyMs > deadline) return timeIsUp(w, r.result);
    io.info(`not yet (try ${attempt}); asking again in ${w.everyMs / 1000} s, for up to ${w.withinMs / 1000} s in all`);
    await io.pause(w.everyMs);
  }
}

function timeIsUp(w: Wait, last: CommandResult): { result: CommandResult } {
  const said = `${w.what} within ${w.withinMs / 1000} s`;
  if (w.whenTimeIsUp === 'report') return { result: { ...last, exitCode: 0, stdout: `${last.stdout}${said}\n` } };
  return { result: { ...last, exitCode: last.exitCode || 1, stdout: `${last.stdout}${said}\n` } };
}
