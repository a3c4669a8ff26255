// The run view as pure logic: step marks, durations, which steps fit, the headline, the gate and
// failure prompts. The screens render it; the engine's RunSession is the source of truth. No React.
import type { LogLine, RunSnapshot, StepView } from '../engine/session.js';
import type { FailureChoice, StepStatus } from '../engine/types.js';
import { truncate, wrap } from './text.js';

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
    for (let j = steps.length - 1; j >= 0; j--)
      if (steps[j]!.status !== 'pending') {
        i = j;
        break;
      }
  }
  if (i < 0) return 0;
  return Math.max(0, Math.min(steps.length - height, i - (height >= 3 ? 1 : 0)));
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
      if (notes.declinedGate)
        return { text: `■ STOPPED AT THE GATE of step ${i >= 0 ? `${i + 1}/${n}` : notes.declinedGate} (declined)`, tone: 'warn' };
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

// ---- the panel, the journal pane, the where-it-stands box, and how the rows are shared ---------------

/** How many rows each part of the run view gets (see runLayout). */
export interface RunLayout {
  /** The step list (the left column when side by side). */
  steps: number;
  /** The cluster panel (summary line + one per row). */
  panel: number;
  /** The gate / failure modal. */
  modal: number;
  /** The where-it-stands box of a run that did not finish. */
  standing: number;
  /** The log pane (its rule included). */
  log: number;
  /** The journal pane of a step's follow (its rule included). */
  journal: number;
}

export interface RunLayoutInput {
  /** The run view's rows. */
  height: number;
  /** Steps left, the rest right (wide terminals). */
  side: boolean;
  stepCount: number;
  /** Rows the panel would like (1 + its rows); 0 without a panel. */
  panelRows: number;
  /** Rows the open modal would like; 0 without one. */
  modal: number;
  /** Rows the where-it-stands box would like; 0 without one. */
  standing: number;
  /** A journal pane is wanted (a step's follow streams, or the current step has journal lines). */
  journal: boolean;
  /** Rows under everything (search prompt, note). */
  bottom: number;
}

/** Lines of log a run that has ended keeps beside the where-it-stands box (its rule not counted). */
export const LOG_ROWS_AFTER_END = 6;

/**
 * Shares the rows: title and command line 1 each; the steps (up to 6, 5 beside a panel, 4 on short
 * terminals); the panel; then the modal or the where-it-stands box, which may take rows from the steps
 * (down to 3) and the panel (down to its summary) to be shown whole; beside the where-it-stands box the
 * log keeps its rule and LOG_ROWS_AFTER_END lines (the box is cut, Next kept, rather than the log); a
 * journal pane takes half of the log's rows when they are 7 or more.
 */
export function runLayout(o: RunLayoutInput): RunLayout {
  const h = Math.max(4, o.height);
  let steps = o.side ? Math.max(1, h - 1 - o.bottom) : Math.min(o.stepCount, h >= 20 ? (o.panelRows > 0 ? 5 : 6) : 4);
  let panel = h < 16 ? Math.min(o.panelRows, 1) : o.panelRows;
  const fixed = () => 1 + o.bottom + 1 + (o.side ? 0 : steps) + panel;
  let rest = h - fixed();
  // after the end the log keeps its rule and LOG_ROWS_AFTER_END lines (the last thing the run said)
  const need = o.modal > 0 ? o.modal : o.standing > 0 ? o.standing + 1 + LOG_ROWS_AFTER_END : 0;
  // the modal (or the box) is shown whole: the steps give rows down to 3, the panel down to its summary,
  // then (a modal names its step anyway) the steps down to the current one, the panel to nothing
  const shrink = (floorSteps: number, floorPanel: number) => {
    while (need > rest && !o.side && steps > Math.min(floorSteps, o.stepCount)) {
      steps--;
      rest++;
    }
    while (need > rest && panel > floorPanel) {
      panel--;
      rest++;
    }
  };
  shrink(3, Math.min(1, panel));
  if (o.modal > 0) shrink(1, 0);
  else if (o.standing > 0) shrink(1, Math.min(1, panel)); // the headline names the step that failed
  // on very short terminals the panel gives way to the log
  while (rest < 3 && panel > 0) {
    panel--;
    rest++;
  }
  rest = Math.max(0, rest);
  let modal = 0;
  let standing = 0;
  if (o.modal > 0) modal = rest - o.modal >= 4 ? o.modal : rest;
  else if (o.standing > 0) standing = Math.max(0, Math.min(o.standing, rest - 1 - LOG_ROWS_AFTER_END));
  let log = rest - modal - standing;
  let journal = 0;
  if (o.journal && log >= 7) {
    journal = Math.max(4, Math.floor(log / 2));
    log -= journal;
  }
  return { steps, panel, modal, standing, log, journal };
}

export type LineTone = 'ok' | 'bad' | 'warn' | 'busy';

/** One display line of the where-it-stands box. */
export interface StandingLine {
  text: string;
  kind: 'title' | 'state' | 'next' | 'caution';
}

/**
 * The where-it-stands box as display lines at `width`, at most `maxRows`: the title, then "Next:" (never
 * dropped), then as many state lines and cautions as fit (a last line says how many were left out).
 */
export function standingLines(
  w: { state: string[]; next: string; cautions?: string[] },
  width: number,
  maxRows = Infinity,
): StandingLine[] {
  const wrapAll = (items: string[], first: string, rest: string, kind: StandingLine['kind']): StandingLine[][] =>
    items.map((t) => wrap(`${first}${t}`, width, rest).map((text) => ({ text, kind })));
  const title: StandingLine = { text: 'WHERE THE CLUSTER STANDS NOW', kind: 'title' };
  const next = wrap(`Next: ${w.next}`, width, '      ').map((text): StandingLine => ({ text, kind: 'next' }));
  const state = wrapAll(w.state, '• ', '  ', 'state');
  const cautions = wrapAll(w.cautions ?? [], '! ', '  ', 'caution');
  const all = [[title], ...state, next, ...cautions];
  const total = all.reduce((n, g) => n + g.length, 0);
  if (total <= maxRows) return all.flat();
  // keep the title and Next; fill the rest with whole state items, then say what was left out
  const room = Math.max(0, maxRows - 1 - next.length - 1);
  const kept: StandingLine[] = [];
  let shown = 0;
  for (const g of [...state, ...cautions]) {
    if (kept.length + g.length > room) break;
    kept.push(...g);
    shown++;
  }
  const left = state.length + cautions.length - shown;
  const out = [title, ...kept.filter((l) => l.kind === 'state'), ...next, ...kept.filter((l) => l.kind === 'caution')];
  if (left > 0 && out.length < maxRows)
    out.push({
      text: truncate(
        `(+${left} more: a taller terminal shows ${left === 1 ? 'it' : 'them'}; \`day2-tui run\` prints ${left === 1 ? 'it' : 'them'} too)`,
        width,
      ),
      kind: 'caution',
    });
  return out.slice(0, Math.max(1, maxRows));
}

/**
 * What a type-host gate asks to type, as display lines at `width`: `label expect` on one line when it
 * fits; else the label, then the name(s) broken after commas (the commas are part of what is typed).
 */
export function expectLines(label: string, expect: string, width: number): { label: string; names: string[] } {
  if ([...label].length + 1 + [...expect].length <= width) return { label: `${label} `, names: [expect] };
  const names: string[] = [];
  let line = '';
  for (const part of expect.split(/(?<=,)/)) {
    if (line !== '' && [...line].length + [...part].length > width) {
      names.push(line);
      line = '';
    }
    line += part;
    while ([...line].length > width) {
      names.push([...line].slice(0, width).join(''));
      line = [...line].slice(width).join('');
    }
  }
  if (line) names.push(line);
  return { label, names };
}

/** The journal pane: the follow lines of the step that streams them now (else of the current step). */
export interface JournalView {
  show: boolean;
  /** A follow streams now. */
  live: boolean;
  /** The hosts whose journal it is (null: the bastion). */
  hosts: (string | null)[];
  /** The follow command ("journalctl -f -n 0 -u etcd.service --no-pager"). */
  command: string;
  lines: LogLine[];
}

export function journalView(snapshot: RunSnapshot): JournalView {
  const active = snapshot.follow ?? [];
  const step = active[0]?.step ?? snapshot.current;
  const lines = step === undefined ? [] : snapshot.log.filter((l) => l.stream === 'journal' && l.step === step);
  const show = isActive(snapshot.status) && (active.length > 0 || lines.length > 0);
  const hosts = [...new Set(active.length ? active.map((f) => f.host) : lines.map((l) => l.host))];
  const command = active[0]?.command ?? snapshot.plan.find((p) => p.id === step)?.follow ?? '';
  return { show, live: active.length > 0, hosts, command, lines };
}
