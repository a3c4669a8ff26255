// A procedure run as the console sees it: a snapshot to render and the operator's answers. The engine
// (src/engine/run.ts) implements it; screens subscribe, render, and answer gates — they never run commands.
import type { FailureChoice, PlanStep, ResolvedGate, StepStatus } from './types.js';

export interface LogLine {
  /** Monotonic line number within the run (survives trimming of the bounded buffer). */
  seq: number;
  step: string;
  host: string | null;
  stream: 'stdout' | 'stderr' | 'command' | 'info';
  text: string;
}

export interface StepView {
  id: string;
  title: string;
  section?: string;
  hosts: string[];
  status: StepStatus;
  destructive: boolean;
  message?: string;
  durationMs?: number;
}

export interface RunSnapshot {
  runId: string;
  procedure: string;
  title: string;
  params: Readonly<Record<string, string>>;
  steps: StepView[];
  /** The step running now (or waiting at its gate / failure prompt). */
  current?: string;
  /** The exact command running now, as shown to the operator (secrets redacted). */
  command?: { host: string | null; text: string };
  status: 'running' | 'waiting-gate' | 'waiting-failure' | 'ok' | 'failed' | 'aborted';
  gate?: ResolvedGate;
  failure?: { step: string; command: string; host: string | null; exitCode: number | null; tail: string; choices: FailureChoice[] };
  /** The newest lines (bounded); `firstSeq` says how many were trimmed before them. */
  log: readonly LogLine[];
  logFirstSeq: number;
  plan: PlanStep[];
}

export interface RunSession {
  getSnapshot(): RunSnapshot;
  subscribe(listener: () => void): () => void;
  answerGate(approved: boolean): void;
  answerFailure(choice: FailureChoice): void;
  /** Stops the run at the next safe point (the running command is cancelled; the journal says where it stood). */
  cancel(): void;
  finished(): Promise<RunSnapshot>;
}
