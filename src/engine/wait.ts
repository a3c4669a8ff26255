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

/** Every how long a "not yet" is asked again, and for how long in all (a step check's `until` has this shape). */
export interface Repetition {
  everyMs: number;
  withinMs: number;
}

/**
 * One try of a repetition: "not yet" (it ran and the state is not there yet: worth asking again; `said` is
 * what it said, for the log), or the end (it passed, or it could not run: that is not asked again).
 */
export type Try<T> = { notYet: false; value: T } | { notYet: true; value: T; said?: string };

/** What the run lends a repetition: its log, its cancellable pause, its clock. */
export interface RepeatIo {
  info(text: string): void;
  pause(ms: number): Promise<void>;
  now?: () => number;
}

/**
 * The engine's one wait loop, for a command of a step's list (runRepeated) and for a step's precondition or
 * verification (step-check.ts): tries until a try is no longer "not yet", or the time is up. Each "not yet"
 * is logged the same way (the try's number, what it said, when it is asked again). Returns the last try's
 * value, how many tries there were, and whether the time ran out.
 */
export async function repeat<T>(
  r: Repetition,
  attempt: () => Promise<Try<T>>,
  io: RepeatIo,
): Promise<{ last: T; tries: number; timeIsUp: boolean }> {
  const now = io.now ?? Date.now;
  const deadline = now() + r.withinMs;
  for (let tries = 1; ; tries++) {
    const t = await attempt();
    if (!t.notYet) return { last: t.value, tries, timeIsUp: false };
    if (now() + r.everyMs > deadline) return { last: t.value, tries, timeIsUp: true };
    const said = t.said ? `: ${t.said}` : '';
    io.info(`not yet (try ${tries}${said}); asking again in ${r.everyMs / 1000} s, for up to ${r.withinMs / 1000} s in all`);
    await io.pause(r.everyMs);
  }
}

/** What did not happen when the time is up, the last line of the failure ("etcd on m0 did not stop within 90 s"). */
export function timeIsUpSentence(what: string, r: Repetition): string {
  return `${what} within ${r.withinMs / 1000} s`;
}

/** What the run lends a repeated command: its command execution, and the rest of a repetition's (RepeatIo). */
export interface WaitIo extends RepeatIo {
  exec(): Promise<{ result?: CommandResult; error?: string }>;
}

/**
 * Runs the command until its answer is no longer "not yet", or the time is up. Returns the last try's
 * result — when the time is up and the wait fails, with `what` added to its output and a nonzero exit.
 */
export async function runRepeated(w: Wait, io: WaitIo): Promise<{ result?: CommandResult; error?: string }> {
  const notYet = w.notYet ?? ((a: CommandAnswer) => a.exitCode !== 0);
  const attempt = async (): Promise<Try<{ result?: CommandResult; error?: string }>> => {
    const r = await io.exec();
    const ran = r.error === undefined && r.result && !r.result.timedOut && !r.result.cancelled;
    return { notYet: Boolean(ran && notYet(r.result!)), value: r };
  };
  const { last, timeIsUp } = await repeat(w, attempt, io);
  return timeIsUp ? timeIsUpResult(w, last.result!) : last;
}

function timeIsUpResult(w: Wait, last: CommandResult): { result: CommandResult } {
  const stdout = `${last.stdout}${timeIsUpSentence(w.what, w)}\n`;
  if (w.whenTimeIsUp === 'report') return { result: { ...last, exitCode: 0, stdout } };
  return { result: { ...last, exitCode: last.exitCode || 1, stdout } };
}
