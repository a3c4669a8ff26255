// The operator channel: how the engine asks the Operator at a gate or after a failure, and waits. The
// Operator is the CLI's (an object with gate/failure) or the console's: then the question waits in the
// snapshot until the screen calls answerGate/answerFailure. A cancel answers every question with no/abort.
import type { EngineEvent, FailureChoice, Operator, ResolvedGate } from './types.js';

export interface RunFailureInfo {
  step: string;
  command: string;
  host: string | null;
  exitCode: number | null;
  tail: string;
  choices: FailureChoice[];
  /** The step's precondition or verification said no: `command` is the check, `exitCode` only what it exited with. */
  check?: 'precondition' | 'verification';
  /** With `check`: what the check wanted, in words (its `describe`), redacted. */
  describe?: string;
}

/**
 * A failure in one line (journal, audit): a check that said no by its verdict (its command exited as it did,
 * often 0), anything else by its command and exit code.
 */
export function failureText(f: Pick<RunFailureInfo, 'command' | 'exitCode' | 'tail' | 'check'>): string {
  if (f.check) return f.tail.split('\n')[0] ?? `${f.check} failed`;
  return `${f.command} (exit ${f.exitCode ?? 'none'})`;
}

export class OperatorChannel {
  /** The gate waiting for an answer (shown by the console). */
  gate: ResolvedGate | undefined;
  /** The failure waiting for a decision (shown by the console). */
  failure: RunFailureInfo | undefined;
  private gateAnswer: ((ok: boolean) => void) | undefined;
  private failureAnswer: ((c: FailureChoice) => void) | undefined;
  private readonly operator: Operator;
  private readonly cancelledPromise: Promise<void>;

  constructor(
    operator: Operator | 'session',
    private readonly signal: AbortSignal,
    private readonly emit: (e: EngineEvent) => void,
    private readonly changed: () => void,
  ) {
    this.operator =
      operator === 'session'
        ? {
            gate: () => new Promise<boolean>((resolve) => (this.gateAnswer = resolve)),
            failure: () => new Promise<FailureChoice>((resolve) => (this.failureAnswer = resolve)),
          }
        : operator;
    this.cancelledPromise = new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  }

  /** What the run is waiting for, if anything: the snapshot's status while a question is open. */
  get waiting(): 'waiting-gate' | 'waiting-failure' | undefined {
    if (this.gate) return 'waiting-gate';
    if (this.failure) return 'waiting-failure';
    return undefined;
  }

  answerGate(approved: boolean): void {
    this.gateAnswer?.(approved);
  }

  answerFailure(choice: FailureChoice): void {
    this.failureAnswer?.(choice);
  }

  /** Whether the Operator approves the gate; never after a cancel. */
  async askGate(gate: ResolvedGate): Promise<boolean> {
    this.gate = gate;
    this.emit({ type: 'gate', step: gate.step, gate });
    this.changed();
    const cancelled = this.cancelledPromise.then(() => false);
    const ok = this.signal.aborted ? false : await Promise.race([this.operator.gate(gate), cancelled]);
    this.gateAnswer = undefined;
    this.gate = undefined;
    this.changed();
    return ok && !this.signal.aborted;
  }

  /** Retry, skip or abort; only one of the failure's choices, and abort after a cancel. */
  async askFailure(failure: RunFailureInfo): Promise<FailureChoice> {
    this.failure = failure;
    this.emit({ type: 'failure', ...failure });
    this.changed();
    const info = { step: failure.step, command: failure.command, exitCode: failure.exitCode, tail: failure.tail };
    const cancelled = this.cancelledPromise.then(() => 'abort' as const);
    let choice = this.signal.aborted ? 'abort' : await Promise.race([this.operator.failure(failure.choices, info), cancelled]);
    if (!failure.choices.includes(choice)) choice = 'abort'; // never skip a destructive step or a guard, whatever the answer
    this.failureAnswer = undefined;
    this.failure = undefined;
    this.changed();
    return this.signal.aborted ? 'abort' : choice;
  }
}
