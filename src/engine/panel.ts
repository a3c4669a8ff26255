// The procedure's panel (Procedure.panel): one read-only observation of the cluster, taken at the start,
// after every step that ran and after a failure, from the first of its hosts that answers.
import type { Host } from '../inventory/types.js';
import type { CommandResult, Runner } from '../transport/types.js';
import type { AuditInput } from './audit.js';
import type { Redactor } from './redact.js';
import { errMessage, type StepExecutor } from './step-executor.js';
import type { CapturedValues, EngineEvent, Panel, PanelSnapshot, PanelView, StepContext } from './types.js';

/** The `step` of the panel's observations in the audit log (Procedure.panel). */
export const PANEL_STEP = '(panel)';

export interface PanelDeps {
  panel: Panel | undefined;
  runner: Runner;
  redactor: Redactor;
  executor: StepExecutor;
  signal: AbortSignal;
  runContext(): StepContext;
  captured(host: Host): CapturedValues;
  emit(e: EngineEvent): void;
  /** The audit log: every observation is kept there, for the run's report (the cluster before and after). */
  audit(entry: AuditInput): void;
  changed(): void;
  now(): Date;
}

export class PanelObserver {
  /** The latest observation. */
  snapshot: PanelSnapshot | undefined;
  /** Settles once every observation asked for so far has been taken. */
  settled: Promise<void> = Promise.resolve();
  private queued: { when: string } | undefined;

  constructor(private readonly d: PanelDeps) {}

  /** Queues an observation (at most one waiting: a newer request takes its place); resolves when taken. */
  observe(when: string): Promise<void> {
    if (!this.d.panel || this.d.signal.aborted) return this.settled;
    if (this.queued) {
      this.queued.when = when;
      return this.settled;
    }
    const q = { when };
    this.queued = q;
    this.settled = this.settled.then(async () => {
      this.queued = undefined;
      try {
        await this.take(q.when);
      } catch (e) {
        this.set({ summary: { text: `could not observe: ${errMessage(e)}`, tone: 'bad' }, rows: [] }, null, q.when);
      }
    });
    return this.settled;
  }

  private set(view: PanelView, host: string | null, when: string): void {
    const { redactor } = this.d;
    const clean = (l: PanelView['summary']) => ({
      ...l,
      text: redactor(l.text),
      ...(l.label !== undefined ? { label: redactor(l.label) } : {}),
    });
    this.snapshot = {
      title: this.d.panel!.title,
      view: { summary: clean(view.summary), rows: view.rows.map(clean) },
      takenAt: this.d.now().toISOString(),
      host,
      when,
    };
    this.d.emit({ type: 'panel', panel: this.snapshot });
    const { summary, rows } = this.snapshot.view;
    const text = [
      `${when}${host ? ` (from ${host})` : ''}: ${summary.text}`,
      ...rows.map((r) => `${r.label ? `${r.label}  ` : ''}${r.text}`),
    ];
    this.d.audit({ kind: 'panel', step: PANEL_STEP, text: text.join('\n') });
    this.d.changed();
  }

  /** Tries the panel's hosts in turn until one answers; says so when none could. */
  private async take(when: string): Promise<void> {
    const panel = this.d.panel!;
    const base = this.d.runContext();
    const hosts = panel.where(base);
    const tried: string[] = [];
    for (const h of hosts) {
      if (this.d.signal.aborted) return;
      const ctx: StepContext = { ...base, host: h, captured: this.d.captured(h) };
      const seen = await this.readOn(h, ctx);
      if ('cancelled' in seen) return;
      if ('problem' in seen) {
        tried.push(`${h.name}: ${seen.problem}`);
        continue;
      }
      this.set(seen.view, h.name, when);
      return;
    }
    const text = hosts.length === 0 ? 'no host to observe from' : `no host could run the observation (${tried.join('; ')})`;
    this.set({ summary: { text, tone: 'bad' }, rows: [] }, null, when);
  }

  /** The panel's view from one host, or why that host could not give one. */
  private async readOn(h: Host, ctx: StepContext): Promise<{ view: PanelView } | { problem: string } | { cancelled: true }> {
    const panel = this.d.panel!;
    const command = panel.command(ctx);
    const text = this.d.redactor(command.script);
    const started = Date.now();
    let result: CommandResult;
    try {
      result = await this.d.runner.run({ kind: 'host', host: h }, command, { timeoutMs: panel.timeoutMs ?? 30_000, signal: this.d.signal });
    } catch (e) {
      const message = this.d.redactor(errMessage(e));
      this.d.executor.auditError(PANEL_STEP, h.name, text, started, message);
      return { problem: message };
    }
    this.d.executor.auditCommand(PANEL_STEP, h.name, text, command, result, started, 8);
    if (result.cancelled) return { cancelled: true };
    if (result.exitCode === null) return { problem: result.timedOut ? 'timed out' : 'ended without an exit status' };
    try {
      return { view: panel.parse({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }, ctx) };
    } catch (e) {
      return { view: { summary: { text: `could not read the output: ${errMessage(e)}`, tone: 'bad' }, rows: [] } };
    }
  }
}
