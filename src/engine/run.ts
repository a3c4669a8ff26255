// The procedure engine. For each step: skipIf → gate → precondition (on every host, before anything
// changes) → commands (per host, serial or parallel as the placement says; every line streamed;
// captures) → verify. A failure (a command's exit code, a timeout, a lost host, a failed precondition or
// verification) asks the Operator: retry, skip (never for a destructive step) or abort. Every change is
// written to the journal (atomically) before the engine goes on; every command to the audit log.
// Secrets (secret parameters and captures, tokens printed, well-known forms) are redacted from every event,
// line, record and prompt; the journal keeps the other parameters as given, for resume.
//
// This file is the orchestration: the run from its start to its end, its snapshot and its session. The
// parts: step-run.ts (one step), step-executor.ts (one command on a host), operator-channel.ts (gates and
// failures), run-log.ts, panel.ts, captures.ts, run-journal.ts, journal.ts, run-store.ts.
import { hostname as osHostname } from 'node:os';
import type { Inventory } from '../inventory/types.js';
import type { Runner } from '../transport/types.js';
import { type AuditEntry, type AuditInput, appendAudit, osUser } from './audit.js';
import { captureProblem, RunCaptures } from './captures.js';
import { readFacts, refusalOf } from './facts.js';
import { ensureStateDir, type Journal, journalPath, newRunId, readJournal, writeJournal, writerAlive } from './journal.js';
import { lockRun, type RunLock } from './lock.js';
import { failureText, OperatorChannel, type RunFailureInfo } from './operator-channel.js';
import { PanelObserver } from './panel.js';
import { ParamError } from './params.js';
import { pauseAtBoundary } from './pause.js';
import { planProcedure } from './plan.js';
import type { Redactor } from './redact.js';
import { openRunJournal, type RunParams, runParams } from './run-journal.js';
import { RunLog } from './run-log.js';
import { derivedStore, type RunStore } from './run-store.js';
import type { RunSession, RunSnapshot, StepView } from './session.js';
import { Cancelled, errMessage, StepExecutor } from './step-executor.js';
import { type RunParts, runStep, type StepOutcome } from './step-run.js';
import type {
  EngineEvent,
  HostFacts,
  Operator,
  PanelSnapshot,
  Params,
  PlanStep,
  Procedure,
  ResolvedGate,
  StepContext,
  StepProgress,
  StepStatus,
  WhereItStands,
} from './types.js';

export { captureProblem } from './captures.js';
export { failureText, type RunFailureInfo } from './operator-channel.js';
export { PANEL_STEP } from './panel.js';
export { PAUSE_ENV, PAUSE_MARKER, pauseAtBoundary } from './pause.js';
export { DEFAULT_STEP_TIMEOUT_MS } from './step-executor.js';

export const DEFAULT_LOG_LIMIT = 5000;

/** Per host, for Procedure.look after a run stopped: an unreachable host must not hold the report long. */
const LOOK_TIMEOUT_MS = 15_000;

export interface StartRunOptions {
  procedure: Procedure;
  /** As given; validated here (ParamError). On resume: the secret parameters, asked again. */
  params: Params;
  inventory: Inventory;
  runner: Runner;
  /** Who answers gates and failures: an Operator (the CLI), or 'session' (answerGate/answerFailure). */
  operator: Operator | 'session';
  stateDir: string;
  /** The OS user, for the audit log (default: this process's user). */
  operatorName?: string;
  /** Continue this run (see loadResumable). */
  resume?: Journal;
  /** The run's lock, when the caller took it already (resume takes it before asking secrets); else taken here. */
  lock?: RunLock;
  /** Recorded in the journal and audit log when a gate is approved: '--yes' for `run --yes`. */
  gateApprovedBy?: 'operator' | '--yes';
  /** Bounded log buffer of the snapshot (default 5000 lines). */
  logLimit?: number;
  /**
   * Stream the steps' follow commands (Step.follow; default true). A follow holds a command slot of the
   * runner while the step's commands run: pass false when the runner runs one command at a time.
   */
  follow?: boolean;
  now?: () => Date;
}

export interface RunResult {
  runId: string;
  status: 'ok' | 'failed' | 'aborted' | 'stopped-at-gate';
  /** The gate the run stopped at (stopped-at-gate). */
  gate?: ResolvedGate;
  /** The failure that ended it (failed). */
  failure?: RunFailureInfo;
  message?: string;
  /** The procedure refused to start (Procedure.refuse), before any step ran (aborted): why. */
  refused?: string;
  /** When the run did not finish ok and the procedure says: where the cluster stands, what to do next. */
  whereItStands?: WhereItStands;
  /** The procedure's latest panel (Procedure.panel). */
  panel?: PanelSnapshot;
  snapshot: RunSnapshot;
}

export interface ProcedureRun extends RunSession {
  readonly runId: string;
  readonly journalPath: string;
  /** Every engine event, as it happens (redacted). */
  onEvent(listener: (event: EngineEvent) => void): () => void;
  result(): Promise<RunResult>;
}

/** A resume that cannot be done (still running elsewhere, finished, other procedure). */
export class ResumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResumeError';
  }
}
/** Whether the journal can be resumed now; throws ResumeError saying why not. */
export function checkResumable(journal: Journal, procedure?: Procedure): void {
  const alive = writerAlive(journal);
  if (journal.status === 'ok') throw new ResumeError(`run ${journal.runId} finished ok; there is nothing to resume`);
  if (journal.status === 'running' && alive === true) {
    throw new ResumeError(`run ${journal.runId} is still running (pid ${journal.pid}); stop that process first, or wait for it`);
  }
  if (journal.status === 'running' && alive === 'unknown') {
    throw new ResumeError(`run ${journal.runId} was started on ${journal.hostname}; resume it there (this is ${osHostname()})`);
  }
  if (procedure) {
    if (procedure.entry.id !== journal.procedure)
      throw new ResumeError(`run ${journal.runId} is a run of ${journal.procedure}, not ${procedure.entry.id}`);
    const ids = new Set(procedure.steps.map((s) => s.id));
    const gone = journal.steps.filter((s) => !ids.has(s.id) && s.status !== 'pending');
    if (gone.length > 0) {
      throw new ResumeError(
        `the procedure ${journal.procedure} changed since run ${journal.runId}: step ${gone.map((s) => s.id).join(', ')} ` +
          `is no longer in it; finish the run by hand`,
      );
    }
    checkCaptures(journal, procedure);
  }
}

/** Every captured value of the journal is one a step of this procedure captures, and still a usable value. */
function checkCaptures(journal: Journal, procedure: Procedure): void {
  for (const c of journal.captures) {
    const what = `the value '${c.name}' captured by step ${c.step}${c.host ? ` on ${c.host}` : ''}`;
    const step = procedure.steps.find((s) => s.id === c.step);
    const problem = step?.capture?.[c.name] ? captureProblem(c.value) : `is not one that step of ${procedure.entry.id} captures`;
    if (problem) throw new ResumeError(`run ${journal.runId}: ${what} ${problem}: the journal was changed; finish the run by hand`);
  }
}

/** The run's lock (lock.ts): the caller's or taken now. A resume goes on only from the journal as it is on disk now. */
function takeLock(options: StartRunOptions, runId: string, operatorName: string): RunLock {
  ensureStateDir(options.stateDir);
  const lock = options.lock ?? lockRun(options.stateDir, runId, { operator: operatorName, command: options.resume ? 'resume' : 'run' });
  try {
    if (options.resume) checkUnchanged(options.stateDir, options.resume);
  } catch (e) {
    lock.release();
    throw e;
  }
  return lock;
}

/** A process that held the lock before us may have resumed (or finished) the run since its journal was read. */
function checkUnchanged(stateDir: string, read: Journal): void {
  const now = readJournal(stateDir, read.runId);
  if (now.updatedAt === read.updatedAt && now.pid === read.pid && now.status === read.status) return;
  throw new ResumeError(
    `run ${read.runId} changed since it was read (now ${now.status}, written by pid ${now.pid} on ${now.hostname}): ` +
      'another process resumed it; see day2-tui runs',
  );
}

const iso = (d: Date): string => d.toISOString();

/** How the run ended, with what ended it. */
type Ending = { gate?: ResolvedGate; failure?: RunFailureInfo; message?: string; refused?: string };

export function startProcedureRun(options: StartRunOptions): ProcedureRun {
  const run = new Run(options);
  // Starts after the caller has had the chance to subscribe.
  setImmediate(() => void run.loop());
  return run.session();
}

/** One run of a procedure: the journal, the parts that run it, and the snapshot the console renders. */
class Run {
  readonly runId: string;
  private readonly procedure: Procedure;
  private readonly stateDir: string;
  private readonly now: () => Date;
  private readonly operatorName: string;
  private readonly resume: Journal | undefined;
  private readonly p: RunParams;
  private readonly startedAt: Date;
  private readonly lock: RunLock;
  private readonly journal: Journal;
  private readonly abort = new AbortController();
  private readonly eventListeners = new Set<(e: EngineEvent) => void>();
  private readonly store: RunStore<RunSnapshot>;
  private readonly log: RunLog;
  private readonly captures: RunCaptures;
  private readonly executor: StepExecutor;
  private readonly channel: OperatorChannel;
  private readonly panel: PanelObserver;
  private readonly views: StepView[];
  private facts: HostFacts | undefined;
  private look: HostFacts | undefined;
  private plan: PlanStep[] = [];
  private current: string | undefined;
  private ended: 'ok' | 'failed' | 'aborted' | undefined;
  private standing: WhereItStands | undefined;
  private finalResult: RunResult | undefined;
  private resultWaiters: ((r: RunResult) => void)[] = [];

  constructor(private readonly options: StartRunOptions) {
    const { procedure, inventory, stateDir } = options;
    this.procedure = procedure;
    this.stateDir = stateDir;
    this.now = options.now ?? (() => new Date());
    this.operatorName = options.operatorName ?? osUser();
    this.resume = options.resume;
    if (this.resume) checkResumable(this.resume, procedure);
    this.p = runParams(procedure, options.params, inventory, this.resume);
    this.startedAt = this.resume ? new Date(this.resume.startedAt) : this.now();
    this.runId = this.resume ? this.resume.runId : newRunId(procedure.entry.id, this.startedAt);
    this.lock = takeLock(options, this.runId, this.operatorName);
    this.journal = openRunJournal({
      procedure,
      inventory,
      runId: this.runId,
      params: this.p,
      startedAt: this.startedAt,
      now: this.now(),
      operator: this.operatorName,
      resume: this.resume,
    });
    try {
      this.save(); // the journal exists before anything runs
    } catch (e) {
      this.lock.release();
      throw e;
    }
    const changed = () => this.store.changed();
    const emit = (e: EngineEvent) => this.emit(e);
    const { redactor } = this.p;
    const { signal } = this.abort;
    this.captures = new RunCaptures(this.journal, redactor);
    this.log = new RunLog(options.logLimit ?? DEFAULT_LOG_LIMIT, redactor, changed);
    const audit = (entry: AuditInput) => this.audit(entry);
    const follow = options.follow !== false;
    this.executor = new StepExecutor({ runner: options.runner, redactor, signal, log: this.log, emit, audit, changed, follow });
    this.channel = new OperatorChannel(options.operator, signal, emit, changed);
    this.panel = new PanelObserver({
      panel: procedure.panel,
      runner: options.runner,
      redactor,
      executor: this.executor,
      signal,
      runContext: () => this.runContext(),
      captured: (h) => this.captures.valuesFor(h),
      emit,
      audit,
      changed,
      now: this.now,
    });
    this.replan();
    this.views = this.stepViews();
    this.store = derivedStore(() => this.buildSnapshot());
  }

  private get redactor(): Redactor {
    return this.p.redactor;
  }

  private save(): void {
    this.journal.updatedAt = iso(this.now());
    writeJournal(this.stateDir, this.journal);
  }

  private audit(entry: AuditInput): void {
    appendAudit(this.stateDir, { time: iso(this.now()), operator: this.operatorName, runId: this.runId, ...entry } as AuditEntry);
  }

  private emit(e: EngineEvent): void {
    for (const l of [...this.eventListeners]) {
      try {
        l(e);
      } catch {
        // a listener's bug must not stop the run
      }
    }
  }

  private info(step: string, text: string): void {
    this.log.info(step, text);
  }

  /** What a step, the panel, the refusal or whereItStands sees of the run (no host); the facts once read. */
  private runContext(): StepContext {
    const { params } = this.p;
    const base = { params, inventory: this.options.inventory, captured: this.captures.valuesFor(), startedAt: this.startedAt };
    return { ...base, planning: false, ...(this.facts ? { facts: this.facts } : {}) };
  }

  /** The plan the console shows (with the facts, once read); a plan that cannot be made shows none. */
  private replan(): void {
    try {
      this.plan = planProcedure(this.procedure, this.p.params, this.options.inventory, this.startedAt, this.facts);
    } catch (e) {
      if (!(e instanceof ParamError)) throw e;
    }
  }

  private stepViews(): StepView[] {
    return this.procedure.steps.map((s, i) => {
      const js = this.journal.steps[i]!;
      const v: StepView = { id: s.id, title: s.title, hosts: this.plan[i]?.hosts ?? [], status: js.status, destructive: !!s.destructive };
      if (s.section !== undefined) v.section = s.section;
      if (js.message) v.message = js.message;
      return v;
    });
  }

  private setStep(i: number, status: StepStatus, message?: string): void {
    const js = this.journal.steps[i]!;
    const view = this.views[i]!;
    js.status = status;
    if (message !== undefined) js.message = this.redactor(message);
    else delete js.message;
    view.status = status;
    if (js.message !== undefined) view.message = js.message;
    else delete view.message;
  }

  private buildSnapshot(): RunSnapshot {
    const { procedure, log, executor, channel } = this;
    const s: RunSnapshot = {
      runId: this.runId,
      procedure: procedure.entry.id,
      title: procedure.entry.title,
      params: this.p.shownParams,
      steps: this.views.map((v) => ({ ...v, hosts: [...v.hosts] })),
      status: this.ended ?? channel.waiting ?? 'running',
      log: log.lines,
      logFirstSeq: log.firstSeq,
      plan: this.plan,
    };
    if (this.current !== undefined) s.current = this.current;
    if (executor.current) s.command = executor.current;
    if (channel.gate) s.gate = channel.gate;
    if (channel.failure) s.failure = channel.failure;
    if (executor.follows.length > 0) s.follow = executor.follows;
    if (this.panel.snapshot) s.panel = this.panel.snapshot;
    if (this.standing) s.whereItStands = this.standing;
    return s;
  }

  /** What step-run.ts needs of the run. */
  private parts(): RunParts {
    return {
      procedure: this.procedure,
      stateDir: this.stateDir,
      journal: this.journal,
      views: this.views,
      redactor: this.redactor,
      executor: this.executor,
      channel: this.channel,
      panel: this.panel,
      log: this.log,
      captures: this.captures,
      signal: this.abort.signal,
      gateApprovedBy: this.options.gateApprovedBy ?? 'operator',
      now: this.now,
      save: () => this.save(),
      audit: (entry) => this.audit(entry),
      emit: (e) => this.emit(e),
      changed: () => this.store.changed(),
      runContext: () => this.runContext(),
      setStep: (i, status, message) => this.setStep(i, status, message),
      setCurrent: (step) => {
        this.current = step;
      },
    };
  }

  /** Ends the run: the journal, the audit log, the snapshot and whoever waits for the result hear how. */
  private finish(status: RunResult['status'], extra: Ending = {}): RunResult {
    const { journal } = this;
    journal.status = status;
    journal.endedAt = iso(this.now());
    const message = this.endMessage(status, extra);
    if (message) journal.message = message;
    else delete journal.message;
    if (status === 'ok') delete journal.currentStep;
    this.save();
    this.audit({ kind: 'run-end', text: status + (journal.message ? `: ${journal.message}` : '') });
    if (status !== 'ok') this.standing = this.describeStanding(status);
    this.ended = status === 'ok' ? 'ok' : status === 'failed' ? 'failed' : 'aborted';
    if (status === 'ok') this.current = undefined;
    this.emit({ type: 'run-end', status });
    this.store.changed();
    const r: RunResult = { runId: this.runId, status, snapshot: this.store.snapshot() };
    if (this.standing) r.whereItStands = this.standing;
    if (this.panel.snapshot) r.panel = this.panel.snapshot;
    if (extra.gate) r.gate = extra.gate;
    if (extra.failure) r.failure = extra.failure;
    if (extra.refused) r.refused = this.redactor(extra.refused);
    if (journal.message) r.message = journal.message;
    this.finalResult = r;
    this.lock.release();
    const waiters = this.resultWaiters;
    this.resultWaiters = [];
    for (const resolve of waiters) resolve(r);
    return r;
  }

  /** The journal's one line on how the run ended (none when it finished ok). */
  private endMessage(status: RunResult['status'], extra: Ending): string | undefined {
    if (extra.message) return this.redactor(extra.message);
    if (status === 'stopped-at-gate' && extra.gate) {
      const title = this.procedure.steps.find((s) => s.id === extra.gate!.step)?.title ?? extra.gate.step;
      return `stopped at the gate of "${title}"`;
    }
    if (status === 'failed' && extra.failure) return failureText(extra.failure);
    return undefined;
  }

  /** The procedure's facts, read from the hosts as they are now (at the start, and again on resume). */
  private async readProcedureFacts(): Promise<void> {
    const probes = this.procedure.facts ?? [];
    if (probes.length === 0) return;
    const read = await readFacts(probes, this.runContext(), this.options.runner);
    this.facts = read.facts;
    for (const line of read.lines) this.info(this.journal.currentStep ?? '', line);
    try {
      this.plan = planProcedure(this.procedure, this.p.params, this.options.inventory, this.startedAt, this.facts);
      this.store.changed();
    } catch (e) {
      if (!(e instanceof ParamError)) throw e;
    }
  }

  /** Procedure.look, read once the run has stopped without finishing (for whereItStands), each line logged. */
  private async lookAtHosts(): Promise<void> {
    const probes = this.procedure.look ?? [];
    if (probes.length === 0 || !this.procedure.whereItStands) return;
    const at = this.journal.currentStep ?? '';
    this.info(at, 'looking at the hosts as they are now, for where the cluster stands…');
    const read = await readFacts(probes, this.runContext(), this.options.runner, LOOK_TIMEOUT_MS);
    this.look = read.facts;
    for (const line of read.lines) this.info(at, `now: ${line}`);
  }

  /** After a run that did not finish: where the cluster stands (Procedure.whereItStands). */
  private describeStanding(outcome: 'failed' | 'aborted' | 'stopped-at-gate'): WhereItStands | undefined {
    const { procedure, journal, redactor, runId } = this;
    if (!procedure.whereItStands) return undefined;
    const steps: Record<string, StepProgress> = {};
    for (const js of journal.steps) {
      const hosts: Record<string, StepStatus> = {};
      for (const [k, h] of Object.entries(js.hosts)) hosts[k] = h.status;
      steps[js.id] = { status: js.status, destructiveBegun: js.destructiveBegun, hosts };
    }
    const panel = this.panel.snapshot ? { panel: this.panel.snapshot } : {};
    const ctx = { ...this.runContext(), runId, outcome, steps, ...panel, ...(this.look ? { look: this.look } : {}) };
    try {
      const w = procedure.whereItStands(ctx, journal.currentStep);
      const out: WhereItStands = { state: w.state.map(redactor), next: redactor(w.next) };
      if (w.cautions?.length) out.cautions = w.cautions.map(redactor);
      return out;
    } catch (e) {
      return {
        state: [`(could not work out where the cluster stands: ${redactor(errMessage(e))})`],
        next:
          `read the journal ${journalPath(this.stateDir, runId)} and the log above before going on; \`day2-tui ` +
          `resume ${runId}\` continues the run`,
      };
    }
  }

  /** The whole run: the facts, the refusal, then every step not done yet. */
  async loop(): Promise<void> {
    const { procedure, resume, journal } = this;
    this.emit({ type: 'run-start', runId: this.runId, procedure: procedure.entry.id });
    const shown = Object.entries(this.p.shownParams).map(([k, v]) => `${k}=${v}`);
    this.audit({ kind: resume ? 'resume' : 'run-start', text: `${procedure.entry.id} ${shown.join(' ')}`.trim() });
    if (resume) this.info(journal.currentStep ?? '', `resuming run ${this.runId} (previous process ${resume.pid} on ${resume.hostname})`);
    await this.readProcedureFacts();
    const refusal = refusalOf(procedure, this.runContext());
    if (refusal) {
      this.info(journal.currentStep ?? '', `refused before anything ran: ${refusal}`);
      this.finish('aborted', { message: `refused before anything ran: ${refusal}`, refused: refusal });
      return;
    }
    void this.panel.observe(resume ? 'at the resume' : 'at the start');
    try {
      await this.runSteps();
    } catch (e) {
      const message = e instanceof Cancelled ? 'cancelled by the operator' : errMessage(e);
      const idx = procedure.steps.findIndex((s) => s.id === journal.currentStep);
      if (idx >= 0 && journal.steps[idx]!.status === 'running') this.setStep(idx, 'interrupted', message);
      await this.lookAtHosts().catch(() => undefined);
      this.finish('aborted', { message: e instanceof Cancelled ? message : `internal error: ${message}` });
    }
  }

  /** The step that was under way when the run stopped is resumed with its verification first (-1: none). */
  private resumeIndex(): number {
    if (!this.resume) return -1;
    const index = this.journal.steps.findIndex((s) => s.status !== 'ok' && s.status !== 'skipped');
    const s = this.journal.steps[index];
    const begun =
      !!s &&
      (['interrupted', 'failed', 'running'].includes(s.status) ||
        s.destructiveBegun ||
        Object.values(s.hosts).some((h) => h.commandIndex > 0 || h.status === 'ok'));
    return s && !begun ? -1 : index;
  }

  private async runSteps(): Promise<void> {
    const { procedure, journal } = this;
    const resumeIndex = this.resumeIndex();
    for (let i = 0; i < procedure.steps.length; i++) {
      const js = journal.steps[i]!;
      if (js.status === 'ok' || js.status === 'skipped') continue;
      const outcome = await runStep(this.parts(), i, i === resumeIndex);
      if (outcome !== 'continue')
        await this.panel.settled; // the observation after the failure, before the end
      else if (journal.steps[i]!.status === 'ok') void this.panel.observe(`after step ${i + 1}/${procedure.steps.length}`);
      if (outcome === 'continue') {
        await pauseAtBoundary(this.stateDir, procedure.steps[i]!.id); // test-only, see pauseAtBoundary
        continue;
      }
      await this.lookAtHosts().catch(() => undefined);
      this.end(outcome);
      return;
    }
    await this.panel.settled;
    this.finish('ok');
  }

  private end(outcome: Exclude<StepOutcome, 'continue'>): void {
    if (outcome.end === 'failed') this.finish('failed', { failure: outcome.failure });
    else if (outcome.end === 'stopped-at-gate') this.finish('stopped-at-gate', { gate: outcome.gate });
    else this.finish('aborted', { message: outcome.message });
  }

  /** The run as the console and the CLI hold it. */
  session(): ProcedureRun {
    const session: ProcedureRun = {
      runId: this.runId,
      journalPath: journalPath(this.stateDir, this.runId),
      getSnapshot: () => this.store.snapshot(),
      subscribe: (listener) => this.store.subscribe(listener),
      onEvent: (listener) => {
        this.eventListeners.add(listener);
        return () => this.eventListeners.delete(listener);
      },
      answerGate: (approved) => this.channel.answerGate(approved),
      answerFailure: (choice) => this.channel.answerFailure(choice),
      cancel: () => {
        if (this.abort.signal.aborted || this.finalResult) return;
        this.abort.abort();
      },
      finished: () => session.result().then((r) => r.snapshot),
      result: () => {
        if (this.finalResult) return Promise.resolve(this.finalResult);
        return new Promise<RunResult>((resolve) => this.resultWaiters.push(resolve));
      },
    };
    return session;
  }
}
