// Past and interrupted runs (the Runs screen and the start-up resume offer). No React.

/** A run the journal says was interrupted (the console offers to resume it). */
export interface InterruptedRun {
  runId: string;
  procedure: string;
  startedAt: Date | string;
  /** Title of the step it stood at. */
  step: string;
}

/** One journal (`listRuns`). */
/** A run's record for the ticket (src/engine/report.ts): its Markdown, or the path it was written to. Both throw a sentence. */
export interface RunReportAccess {
  read(runId: string): string;
  write(runId: string): string;
}

export interface RunSummary {
  runId: string;
  procedure: string;
  startedAt: Date | string;
  status: 'ok' | 'failed' | 'aborted' | 'stopped-at-gate' | 'interrupted' | 'running';
  /** Title of the step it ended or stood at. */
  step?: string;
}

export const RUN_STATUS_MARKS: Record<RunSummary['status'], { mark: string; word: string; tone?: 'ok' | 'bad' | 'warn' | 'busy' }> = {
  ok: { mark: '✓', word: 'ok', tone: 'ok' },
  failed: { mark: '✗', word: 'failed', tone: 'bad' },
  aborted: { mark: '■', word: 'aborted', tone: 'warn' },
  'stopped-at-gate': { mark: '■', word: 'stopped at gate', tone: 'warn' },
  interrupted: { mark: '!', word: 'INTERRUPTED', tone: 'warn' },
  running: { mark: '…', word: 'running', tone: 'busy' },
};

/** "2024-05-01 03:12" in local time; text that is not a date is shown as given. */
export function formatStarted(at: Date | string): string {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Newest first; interrupted ones before the others of the same age. */
export function sortRuns(runs: readonly RunSummary[]): RunSummary[] {
  const t = (r: RunSummary) => new Date(r.startedAt).getTime() || 0;
  return [...runs].sort((a, b) => t(b) - t(a));
}

export function resumable(run: RunSummary): boolean {
  return run.status === 'interrupted';
}

/** A run as one name: its id alone when the id carries the procedure (20261125-042150-etcd-backup-unjo). */
export function runName(run: Pick<RunSummary, 'runId' | 'procedure'>): string {
  return run.runId.includes(run.procedure) ? run.runId : `${run.procedure} ${run.runId}`;
}

/** The Runs screen's columns: marker 2, status 15, started 17, procedure 18, then the run id (never cut). */
export interface RunsColumns {
  started: boolean;
  procedure: boolean;
}

/**
 * Which columns fit beside the run ids at `width`, the ids whole: the procedure column goes first when every
 * id names its procedure (else the start time goes first), then the other one.
 */
export function runsColumns(runs: readonly Pick<RunSummary, 'runId' | 'procedure'>[], width: number): RunsColumns {
  const idWidth = Math.max(6, ...runs.map((r) => [...r.runId].length));
  const need = (c: RunsColumns) => 2 + 15 + 1 + (c.started ? 18 : 0) + (c.procedure ? 19 : 0) + idWidth;
  const named = runs.every((r) => r.runId.includes(r.procedure));
  const order: RunsColumns[] = [
    { started: true, procedure: true },
    named ? { started: true, procedure: false } : { started: false, procedure: true },
    { started: false, procedure: false },
  ];
  return order.find((c) => need(c) <= width) ?? order[order.length - 1]!;
}
