// The run view as pure logic: step marks, durations, which steps fit, the headline, the gate and
// failure prompts. The screens render it; the engine's RunSession is the source of truth. No React.
import type { RunSnapshot, StepView } from '../engine/session.js';
import type { FailureChoice, StepStatus } from '../engine/types.js';

/** Mark and word of a step status (never colour alone). Running steps get a spinner on screen. */
export const STEP_MARKS: Record<StepStatus, { mark: string; word: string; tone?: 'ok' | 'bad' | 'warn' | 'busy' }> = {
  pending: { mark: '·', word: 'pending' },
  running: { mark: '…', word: 'running', tone: 'busy' },
  ok: { mark: '✓', word: 'ok', tone: 'ok' },
  failed: { mark: '✗', word: 'FAILED', tone: 'bad' },
  skipped: { mark: '-', word: 'skipped' },
  interrupted: { mark: '!', word: 'interrupted', tone: 'warn' },
};

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function isActive(status: RunSnapshot['status']): boolean {
  return status === 'running' || status === 'waiting-gate' || status === 'waiting-failure';
}

export function stepIndex(snapshot: RunSnapshot, id: string | undefined): number {
  return id === undefined ? -1 : snapshot.steps.findIndex((s) => s.id === id);
}

export function currentStep(snapshot: RunSnapshot): StepView | undefined {
  const i = stepIndex(snapshot, snapshot.current);
  return i >= 0 ? snapshot.steps[i] : undefined;
}

/** First step to show so the current (else the last finished) step is visible with one step of context. */
export function stepWindowStart(steps: readonly StepView[], current: string | undefined, height: number): number {
  if (steps.length <= height) return 0;
  let i = current === undefined ? -1 : steps.findIndex((s) => s.id === current);
  if (i < 0) {
    for (let j = steps.length - 1; j >= 0; j--) if (steps[j]!.status !== 'pending') { i = j; break; }
  }
  if (i < 0) return 0;
  return Math.max(0, Math.min(steps.length - height, i - 1));
}

/** The declined gate's step title, when the operator said no (the session ends 'aborted'). */
export interface RunNotes {
  declinedGate?: string;
}

/** One line: where the run stands, in words. */
export function runHeadline(snapshot: RunSnapshot, notes: RunNotes = {}): { text: string; tone?: 'ok' | 'bad' | 'warn' | 'busy' } {
  const n = snapshot.steps.length;
  const i = stepIndex(snapshot, snapshot.current);
  const step = i >= 0 ? `step ${i + 1}/${n} ${snapshot.steps[i]!.title}` : '';
  switch (snapshot.status) {
    case 'running':
      return { text: `RUNNING ${step}`.trim(), tone: 'busy' };
    case 'waiting-gate':
      return { text: `? GATE at step ${i + 1}/${n}: your answer`, tone: 'warn' };
    case 'waiting-failure':
      return { text: `✗ step ${i + 1}/${n} FAILED: retry, skip or abort?`, tone: 'bad' };
    case 'ok': {
      const done = snapshot.steps.filter((s) => s.status === 'ok').length;
      const skipped = snapshot.steps.filter((s) => s.status === 'skipped').length;
      return { text: `✓ FINISHED OK: ${done} step${done === 1 ? '' : 's'} done${skipped ? `, ${skipped} skipped` : ''}`, tone: 'ok' };
    }
    case 'failed': {
      const f = snapshot.steps.findIndex((s) => s.status === 'failed');
      return { text: `✗ FAILED${f >= 0 ? ` at step ${f + 1}/${n}` : ''}`, tone: 'bad' };
    }
    case 'aborted':
      if (notes.declinedGate) return { text: `■ STOPPED AT THE GATE of step ${i >= 0 ? `${i + 1}/${n}` : notes.declinedGate} (declined)`, tone: 'warn' };
      return { text: `■ ABORTED${i >= 0 ? ` at step ${i + 1}/${n}` : ''}`, tone: 'warn' };
  }
}

/** Why quitting needs a confirmation while this run is active; undefined when it is not. */
export function quitReason(snapshot: RunSnapshot): string | undefined {
  if (!isActive(snapshot.status)) return undefined;
  const i = stepIndex(snapshot, snapshot.current);
  const where = i >= 0 ? ` (step ${i + 1}/${snapshot.steps.length})` : '';
  return `${snapshot.procedure} is running${where}: quitting stops it`;
}

/** The choices offered on a failure: never skip for a destructive step, whatever the engine says. */
export function failureChoices(snapshot: RunSnapshot): FailureChoice[] {
  const f = snapshot.failure;
  if (!f) return [];
  const step = snapshot.steps.find((s) => s.id === f.step);
  const choices = f.choices.length ? f.choices : (['retry', 'skip', 'abort'] as FailureChoice[]);
  return step?.destructive ? choices.filter((c) => c !== 'skip') : choices;
}

export const FAILURE_KEYS: Record<FailureChoice, { key: string; label: string }> = {
  retry: { key: 'r', label: 'retry the command' },
  skip: { key: 's', label: 'skip this step and go on' },
  abort: { key: 'a', label: 'abort the run' },
};

/** The typed answer to a type-host gate is right: the exact name (surrounding spaces ignored). */
export function typedHostMatches(expect: string | undefined, typed: string): boolean {
  return expect !== undefined && expect !== '' && typed.trim() === expect;
}

/** The last `n` lines of an output tail. */
export function tailOf(text: string, n: number): string[] {
  const lines = text.replace(/\r/g, '').split('\n');
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.slice(-n);
}

/** Several hosts take part in this run: log lines carry their host. */
export function runHosts(snapshot: RunSnapshot): string[] {
  const set = new Set<string>();
  for (const s of snapshot.steps) for (const h of s.hosts) set.add(h);
  for (const l of snapshot.log) if (l.host) set.add(l.host);
  return [...set];
}

/** What the run's end means, in one sentence (under the steps of a finished run). */
export function endNote(snapshot: RunSnapshot, notes: RunNotes = {}): string | undefined {
  const i = stepIndex(snapshot, snapshot.current);
  const title = i >= 0 ? `"${snapshot.steps[i]!.title}"` : 'the current step';
  switch (snapshot.status) {
    case 'ok':
      return 'Every step finished. Esc: Home.';
    case 'failed':
      return 'The run failed; later steps did not run. The log shows why. Esc: Home.';
    case 'aborted':
      return notes.declinedGate
        ? `Gate declined: this step and the ones after it did not run. Esc: Home.`
        : `Aborted: ${title} did not finish; later steps did not run. Esc: Home.`;
    default:
      return undefined;
  }
}
