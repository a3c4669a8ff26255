// A step's precondition or verification on one host: a command and its `ok`, or a health check's verdict
// (fromCheck). With `until`, a check that says "not yet" is asked again every `everyMs` until `withinMs`
// have passed — the engine's one wait loop (wait.ts's `repeat`: each try logged, the pause cancellable),
// not a shell loop. A check that could not run (a lost host, a timeout) is not asked again: that is a
// failure of its own; when the time is up, the failure ends with what did not come about.
import type { CommandOutput } from '../checks/types.js';
import type { ShellCommand } from '../transport/shell.js';
import type { CommandResult } from '../transport/types.js';
import { checkVerdict } from './from-check.js';
import type { CheckVerification, CommandCheck, StepCheck, StepContext } from './types.js';
import { repeat, type Try, timeIsUpSentence } from './wait.js';

export type CheckKind = 'precondition' | 'verification';

/** Why a check did not pass, as the run reports a failure. */
export interface CheckProblem {
  host: string | null;
  command: string;
  exitCode: number | null;
  tail: string;
  check?: CheckKind;
  /** With `check`: what the check wanted, in words (its `describe`). */
  describe?: string;
}

/** What the run lends a check: its command execution (logged, audited), its log, its redaction, its cancel. */
export interface CheckIo {
  exec(command: ShellCommand): Promise<{ result?: CommandResult; error?: string }>;
  info(text: string): void;
  redact(text: string): string;
  /** Throws the run's cancellation when it was cancelled (or the result says so). */
  stopIfCancelled(result?: CommandResult): void;
  /** Resolves after `ms`, or at once when the run is cancelled. */
  pause(ms: number): Promise<void>;
  /** The last lines of a command's output, redacted. */
  tail(command: ShellCommand, out: { stdout: string; stderr: string }): string;
}

/** One try: passed, said no (the state is not there yet: worth asking again), or could not run. */
type CheckTry = { passed: true } | { passed: false; saidNo: boolean; problem: CheckProblem };

class CouldNotRun extends Error {}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function tryCommandCheck(check: CommandCheck, kind: CheckKind, ctx: StepContext, io: CheckIo): Promise<CheckTry> {
  const host = ctx.host?.name ?? null;
  let command: ShellCommand;
  try {
    command = check.command(ctx);
  } catch (e) {
    return {
      passed: false,
      saidNo: false,
      problem: { host, command: `(${kind})`, exitCode: null, tail: `${check.describe}: ${errMessage(e)}` },
    };
  }
  const r = await io.exec(command);
  io.stopIfCancelled(r.result);
  const text = io.redact(command.script);
  if (r.error !== undefined)
    return { passed: false, saidNo: false, problem: { host, command: text, exitCode: null, tail: `${kind} could not run: ${r.error}` } };
  const res = r.result!;
  if (res.timedOut) return { passed: false, saidNo: false, problem: { host, command: text, exitCode: null, tail: `${kind} timed out` } };
  let verdict: true | string;
  try {
    verdict = check.ok({ exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr }, ctx);
  } catch (e) {
    verdict = `could not understand the output: ${errMessage(e)}`;
  }
  if (verdict === true) return { passed: true };
  const tail = io.tail(command, res);
  const said = io.redact(`${kind} failed: ${check.describe}: ${verdict}`) + (tail ? `\n${tail}` : '');
  return {
    passed: false,
    saidNo: true,
    problem: { host, command: text, exitCode: res.exitCode, check: kind, describe: check.describe, tail: said },
  };
}

async function tryHealthCheck(check: CheckVerification, kind: CheckKind, ctx: StepContext, io: CheckIo): Promise<CheckTry> {
  const host = ctx.host?.name ?? null;
  const command = `(the ${check.fromCheck.id} check)`;
  if (!ctx.host)
    return {
      passed: false,
      saidNo: false,
      problem: { host, command, exitCode: null, tail: `${check.describe}: a health check verifies a step on a host, not on the bastion` },
    };
  const run = async (c: ShellCommand): Promise<CommandOutput> => {
    const r = await io.exec(c);
    io.stopIfCancelled(r.result);
    if (r.error !== undefined) throw new CouldNotRun(`${kind} could not run: ${r.error}`);
    if (r.result!.timedOut) throw new CouldNotRun(`${kind} timed out`);
    return { exitCode: r.result!.exitCode, stdout: r.result!.stdout, stderr: r.result!.stderr };
  };
  try {
    const v = await checkVerdict(check.fromCheck, ctx.host, ctx.inventory, run, (ms) => io.pause(ms));
    if (v.status === 'ok') return { passed: true };
    const fix = v.fix ? `\nfix: ${v.fix.text}` : '';
    return {
      passed: false,
      saidNo: true,
      problem: {
        host,
        command,
        exitCode: null,
        check: kind,
        describe: check.describe,
        tail: io.redact(`${kind} failed: ${check.describe}: ${v.status}: ${v.message}${fix}`),
      },
    };
  } catch (e) {
    if (!(e instanceof CouldNotRun)) throw e;
    return { passed: false, saidNo: false, problem: { host, command, exitCode: null, tail: e.message } };
  }
}

function tryOnce(check: StepCheck, kind: CheckKind, ctx: StepContext, io: CheckIo): Promise<CheckTry> {
  return 'fromCheck' in check ? tryHealthCheck(check, kind, ctx, io) : tryCommandCheck(check, kind, ctx, io);
}

/** The check on the context's host: undefined when it passed, else why not (after the waits `until` allows). */
export async function runStepCheck(
  check: StepCheck,
  kind: CheckKind,
  ctx: StepContext,
  io: CheckIo,
  now = Date.now,
): Promise<CheckProblem | undefined> {
  const who = ctx.host ? `${ctx.host.name}: ` : '';
  const once = () => tryOnce(check, kind, ctx, io);
  const u = check.until;
  const attempt = async (): Promise<Try<CheckTry>> => {
    const t = await once();
    if (t.passed || !t.saidNo) return { notYet: false, value: t };
    return { notYet: true, value: t, said: t.problem.tail.split('\n')[0]!.replace(`${kind} failed: ${check.describe}: `, '') };
  };
  const pause = async (ms: number) => {
    await io.pause(ms);
    io.stopIfCancelled();
  };
  const { last, tries, timeIsUp } = u
    ? await repeat(u, attempt, { info: (text) => io.info(`${who}${text}`), pause, now })
    : { last: await once(), tries: 1, timeIsUp: false };
  if (last.passed) {
    io.info(`${who}${kind} passed: ${check.describe}${tries > 1 ? ` (try ${tries})` : ''}`);
    return undefined;
  }
  if (!timeIsUp || !u) return last.problem;
  return { ...last.problem, tail: `${last.problem.tail}\n${timeIsUpSentence(`${check.describe}: not so`, u)}` };
}
