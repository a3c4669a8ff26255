// The step executor: runs one command (or one file copy) of a step on its host through the runner, streams
// every line (redacted) to the log and the events, writes it to the audit log, and follows a step's
// `follow` command beside its commands. It decides nothing: what a result means is the run's business.
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import { type CommandResult, downloadText, type Runner, type Target, uploadText } from '../transport/types.js';
import { type AuditInput, commandEntry, outputTail } from './audit.js';
import { LineRedactor, outputRedactor, type Redactor } from './redact.js';
import type { RunLog } from './run-log.js';
import type { RunSnapshot } from './session.js';
import { runStepCheck } from './step-check.js';
import type { EngineEvent, Step, StepCheck, StepContext } from './types.js';
import { isRepeated, runRepeated } from './wait.js';

export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;

/** The Operator cancelled the run: whatever runs stops, the run ends 'aborted'. */
export class Cancelled extends Error {}

/** `check`: the step's precondition or verification ran and said no (its exit code is not the failure). */
export type Problem = {
  host: string | null;
  command: string;
  exitCode: number | null;
  tail: string;
  check?: 'precondition' | 'verification';
  /** With `check`: what the check wanted, in words (its `describe`). */
  describe?: string;
};

/** A file copied between the bastion and a step's host (SFTP): a download, or an upload with `put`. */
export type FileCopy = { remote: string; local: string; put?: boolean };

export interface ExecutorDeps {
  runner: Runner;
  redactor: Redactor;
  /** Aborted when the Operator cancels the run. */
  signal: AbortSignal;
  log: RunLog;
  emit(e: EngineEvent): void;
  audit(entry: AuditInput): void;
  changed(): void;
  /** Stream the steps' follow commands (StartRunOptions.follow). */
  follow: boolean;
}

export class StepExecutor {
  /** The command running now (the snapshot's `command`). */
  current: RunSnapshot['command'];
  /** The follow commands running now (the snapshot's `follow`). */
  follows: NonNullable<RunSnapshot['follow']> = [];

  constructor(private readonly d: ExecutorDeps) {}

  get cancelled(): boolean {
    return this.d.signal.aborted;
  }

  /** One audit line for a command that ran (its redacted text, exit code, duration, output tail; timed out or cancelled). */
  auditCommand(
    step: string,
    host: string | null,
    text: string,
    command: ShellCommand,
    result: CommandResult,
    started: number,
    lines?: number,
  ): void {
    const durationMs = result.durationMs ?? Date.now() - started;
    this.d.audit(commandEntry({ step, host, command: text, result, durationMs, outputTail: this.tailOf(command, result, lines) }));
  }

  /** One audit line for a command (or copy) that could not run at all. */
  auditError(step: string, host: string | null, text: string, started: number, message: string): void {
    this.d.audit({
      kind: 'command',
      step,
      host,
      command: text,
      exitCode: null,
      durationMs: Date.now() - started,
      outputTail: '',
      error: message,
    });
  }

  /** A command's output tail as it may be written: all of its stdout is secret when it prints a token. */
  tailOf(command: ShellCommand, res: { stdout: string; stderr: string }, lines?: number): string {
    const { redactor } = this.d;
    return outputTail(outputRedactor(redactor, command.script)(res.stdout), redactor(res.stderr), lines);
  }

  /** Shows and records that a command (or copy) starts. */
  private announce(step: Step, host: string | null, text: string): void {
    this.current = { host, text };
    this.d.emit({ type: 'command', step: step.id, host, command: text });
    // bare: the view puts the one "$ " before it (lineText)
    this.d.log.add(step.id, host, 'command', text);
  }

  /** Streams a command's lines (redacted as they come) to the events and the log. */
  private lineSink(step: Step, host: string | null, stream: 'stdout' | 'stderr' | 'journal', redactor: LineRedactor) {
    return (raw: string): void => {
      const line = redactor.line(raw);
      if (line === undefined) return;
      this.d.emit({ type: 'line', step: step.id, host, stream, text: line });
      this.d.log.add(step.id, host, stream, line);
    };
  }

  /** Runs one command of a step; its result, or the error that kept it from running. */
  async exec(step: Step, host: Host | undefined, command: ShellCommand): Promise<{ result?: CommandResult; error?: string }> {
    if (this.cancelled) throw new Cancelled();
    const { redactor } = this.d;
    const hostName = host?.name ?? null;
    const text = redactor(command.script);
    this.announce(step, hostName, text);
    const target: Target = host ? { kind: 'host', host } : { kind: 'bastion' };
    const started = Date.now();
    try {
      const result = await this.d.runner.run(target, command, {
        timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        signal: this.d.signal,
        onStdout: this.lineSink(step, hostName, 'stdout', new LineRedactor(outputRedactor(redactor, command.script))),
        onStderr: this.lineSink(step, hostName, 'stderr', new LineRedactor(redactor)),
      });
      this.auditCommand(step.id, hostName, text, command, result, started);
      return { result };
    } catch (e) {
      const message = redactor(errMessage(e));
      this.auditError(step.id, hostName, text, started, message);
      return { error: message };
    } finally {
      this.current = undefined;
      this.d.changed();
    }
  }

  /** One SFTP upload or download of a step, logged and audited like a command; the error text when it fails. */
  async copyFile(step: Step, host: Host, d: FileCopy): Promise<string | undefined> {
    if (this.cancelled) throw new Cancelled();
    const { redactor } = this.d;
    const text = redactor(d.put ? uploadText(host.name, d.local, d.remote) : downloadText(host.name, d.remote, d.local));
    this.announce(step, host.name, text);
    const started = Date.now();
    try {
      const { bytes } = await this.copy(host, d);
      const durationMs = Date.now() - started;
      const line = `${bytes} bytes in ${(durationMs / 1000).toFixed(1)} s`;
      this.d.log.add(step.id, host.name, 'stdout', line);
      this.d.audit({ kind: 'command', step: step.id, host: host.name, command: text, exitCode: 0, durationMs, outputTail: line });
      return undefined;
    } catch (e) {
      if (this.cancelled) {
        const durationMs = Date.now() - started;
        this.d.audit({
          kind: 'command',
          step: step.id,
          host: host.name,
          command: text,
          exitCode: null,
          durationMs,
          outputTail: '',
          cancelled: true,
        });
        throw new Cancelled();
      }
      const message = redactor(errMessage(e));
      this.auditError(step.id, host.name, text, started, message);
      this.d.log.add(step.id, host.name, 'stderr', message);
      return message;
    } finally {
      this.current = undefined;
      this.d.changed();
    }
  }

  private copy(host: Host, d: FileCopy): Promise<{ bytes: number }> {
    const { runner, signal } = this.d;
    if (d.put) {
      if (!runner.upload) throw new Error('this runner cannot copy files to a host (no SFTP upload)');
      return runner.upload(host, d.local, d.remote, { signal });
    }
    if (!runner.download) throw new Error('this runner cannot copy files (no SFTP download)');
    return runner.download(host, d.remote, d.local, { signal });
  }

  /** A command of a step's list: run once, or again while it answers "not yet" (wait.ts), each try logged and audited. */
  execStepCommand(step: Step, host: Host | undefined, command: ShellCommand): Promise<{ result?: CommandResult; error?: string }> {
    if (!isRepeated(command)) return this.exec(step, host, command);
    return runRepeated(command.wait, {
      exec: () => this.exec(step, host, command),
      info: (text) => this.d.log.info(step.id, `${host ? `${host.name}: ` : ''}${text}`),
      pause: (ms) => this.pauseUnlessCancelled(ms),
    });
  }

  /** Runs a check on one host (step-check.ts); undefined when it passes, else the problem. */
  runCheck(step: Step, check: StepCheck, kind: 'precondition' | 'verification', ctx: StepContext): Promise<Problem | undefined> {
    return runStepCheck(check, kind, ctx, {
      exec: (command) => this.exec(step, ctx.host, command),
      info: (text) => this.d.log.info(step.id, text),
      redact: (text) => this.d.redactor(text),
      stopIfCancelled: (result) => {
        if (this.cancelled || result?.cancelled) throw new Cancelled();
      },
      pause: (ms) => this.pauseUnlessCancelled(ms),
      tail: (command, out) => this.tailOf(command, out, 10),
    });
  }

  private pauseUnlessCancelled(ms: number): Promise<void> {
    const { signal } = this.d;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Starts the follow of `step` on `host` (Step.follow); the returned function ends it (and waits until it has ended). */
  startFollow(step: Step, host: Host | undefined, ctx: StepContext): () => Promise<void> {
    if (!step.follow || !this.d.follow || this.cancelled) return () => Promise.resolve();
    const { redactor, log } = this.d;
    const hostName = host?.name ?? null;
    const on = hostName ? `${hostName}: ` : '';
    let command: ShellCommand;
    try {
      command = step.follow(ctx);
    } catch (e) {
      log.info(step.id, `${on}not following: ${errMessage(e)}`);
      return () => Promise.resolve();
    }
    const text = redactor(command.script);
    const entry = { step: step.id, host: hostName, command: text };
    this.follows = [...this.follows, entry];
    log.info(step.id, `${on}following beside the commands: ${text}`);
    const stop = new AbortController();
    const onRunAbort = (): void => stop.abort();
    this.d.signal.addEventListener('abort', onRunAbort, { once: true });
    const done = this.runFollow(step, host, command, text, stop.signal).finally(() => {
      this.d.signal.removeEventListener('abort', onRunAbort);
      this.follows = this.follows.filter((f) => f !== entry);
      this.d.changed();
    });
    this.d.changed();
    return () => {
      stop.abort();
      return done;
    };
  }

  /** The follow command itself: its lines go to the log as 'journal'; how it ended is noted unless we ended it. */
  private runFollow(step: Step, host: Host | undefined, command: ShellCommand, text: string, stop: AbortSignal): Promise<void> {
    const { redactor, log } = this.d;
    const hostName = host?.name ?? null;
    const on = hostName ? `${hostName}: ` : '';
    const target: Target = host ? { kind: 'host', host } : { kind: 'bastion' };
    const started = Date.now();
    return this.d.runner
      .run(target, command, {
        timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        signal: stop,
        onStdout: this.lineSink(step, hostName, 'journal', new LineRedactor(outputRedactor(redactor, command.script))),
        onStderr: this.lineSink(step, hostName, 'journal', new LineRedactor(redactor)),
      })
      .then(
        (result) => {
          this.auditCommand(step.id, hostName, text, command, result, started);
          if (!stop.aborted && result.exitCode !== 0)
            log.info(
              step.id,
              `${on}the followed output ended by itself (${result.timedOut ? 'timed out' : `exit ${result.exitCode ?? 'none'}`})`,
            );
        },
        (e: unknown) => {
          const message = redactor(errMessage(e));
          this.auditError(step.id, hostName, text, started, message);
          if (!stop.aborted) log.info(step.id, `${on}could not follow: ${message}`);
        },
      );
  }
}

export function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
