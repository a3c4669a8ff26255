// A procedure run as the console sees it: a snapshot to render and the operator's answers. The engine
// (src/engine/run.ts) implements it; screens subscribe, render, and answer gates — they never run commands.
import type { FailureChoice, PanelSnapshot, PlanStep, ResolvedGate, StepStatus, WhereItStands } from './types.js';

export interface LogLine {
  /** Monotonic line number within the run (survives trimming of the bounded buffer). */
  seq: number;
  step: string;
  host: string | null;
  /** 'journal': a line of a step's follow command (e.g. the service journal), shown apart from the output. */
  stream: 'stdout' | 'stderr' | 'command' | 'info' | 'journal';
  text: string;
  /** When the line arrived (ms since the epoch), for the log pane's timestamps (`t`). */
  at?: number;
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
  failure?: {
    step: string;
    command: string;
    host: string | null;
    exitCode: number | null;
    tail: string;
    choices: FailureChoice[];
    check?: 'precondition' | 'verification';
    /** With `check`: what the check wanted, in words. */
    describe?: string;
  };
  /** The newest lines (bounded); `firstSeq` says how many were trimmed before them. */
  log: readonly LogLine[];
  logFirstSeq: number;
  plan: PlanStep[];
  /** The follow commands streaming now (Step.follow), one per host of the running step. */
  follow?: { step: string; host: string | null; command: string }[];
  /** The latest observation of the procedure's panel (e.g. the etcd members), with when it was taken. */
  panel?: PanelSnapshot;
  /** After a failed / aborted / gate-stopped run: where the cluster stands and the next safe action. */
  whereItStands?: WhereItStands;
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
