// The values a run's steps captured (Step.capture), for the later steps' commands. The journal keeps them
// for resume; a secret one is in the journal as SECRET_MARKER and its value lives only in this process.
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import { type Journal, SECRET_MARKER } from './journal.js';
import { type Capture, capturedValues } from './plan.js';
import { printsSecret, type Redactor } from './redact.js';
import type { CapturedValues, Step } from './types.js';

const MAX_CAPTURE_CHARS = 1024 * 1024;

/** Captured values go into later commands as they are: checked when captured and again when read back. */
export function captureProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'holds a NUL byte, which no command can carry';
  if (value.length > MAX_CAPTURE_CHARS) return `is longer than ${MAX_CAPTURE_CHARS} characters`;
  return undefined;
}

const captureKey = (c: Capture): string => JSON.stringify([c.step, c.host, c.name]);

export class RunCaptures {
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly journal: Journal,
    private readonly redactor: Redactor,
  ) {}

  /** Every capture of the run with its value (the secret ones from this process). */
  known(): Capture[] {
    return this.journal.captures.map((c) => {
      const value = c.value === SECRET_MARKER ? this.secrets.get(captureKey(c)) : undefined;
      return value === undefined ? c : { ...c, value };
    });
  }

  /** What a step sees of the captured values (on `host`, or of the run). */
  valuesFor(host?: Host): CapturedValues {
    return capturedValues(this.known(), host);
  }

  /** Whether `name` was captured by `step` on `host` (null: the bastion). */
  has(step: string, host: string | null, name: string): boolean {
    return this.journal.captures.some((c) => c.step === step && c.host === host && c.name === name);
  }

  /** A fresh run of the step on these hosts: what it captured there before is forgotten. */
  forget(step: string, hosts: readonly (string | null)[]): void {
    this.journal.captures = this.journal.captures.filter((c) => !(c.step === step && hosts.includes(c.host)));
  }

  /** Records a value the step captured on `host` (a newer value takes the place of the older). */
  record(step: Step, host: string | null, name: string, value: string, commands: readonly ShellCommand[]): void {
    const c: Capture = { step: step.id, host, name, value };
    if (this.isSecret(step, name, value, commands)) {
      this.redactor.add(value);
      this.secrets.set(captureKey(c), value);
      c.value = SECRET_MARKER;
    }
    this.journal.captures = [...this.journal.captures.filter((x) => !(x.step === c.step && x.host === c.host && x.name === c.name)), c];
  }

  /** Marked secret by the step, printed by a command that prints tokens, or holding a secret value. */
  private isSecret(step: Step, name: string, value: string, commands: readonly ShellCommand[]): boolean {
    return !!step.secretCaptures?.includes(name) || commands.some((c) => printsSecret(c.script)) || this.redactor.knows(value);
  }
}
