// The procedure engine. For each step: skipIf → gate → precondition (on every host, before anything
// changes) → commands (per host, serial or parallel as the placement says; every line streamed;
// captures) → verify. A failure (a command's exit code, a timeout, a lost host, a failed precondition or
// verification) asks the Operator: retry, skip (never for a destructive step) or abort. Every change is
// written to the journal (atomically) before the engine goes on; every command to the audit log.
// Secrets (secret parameters and captures, tokens printed, well-known forms) are redacted from every event,
// line, record and prompt; the journal keeps the other parameters as given, for resume.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import type { Host, Inventory } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import { type CommandResult, downloadText, type Runner, type Target, uploadText } from '../transport/types.js';
import { type AuditEntry, type AuditInput, appendAudit, commandEntry, osUser, outputTail } from './audit.js';
import { readFacts, refusalOf } from './facts.js';
import {
  ensureStateDir,
  type HostProgress,
  hostKey,
  JOURNAL_VERSION,
  type Journal,
  type JournalStep,
  journalPath,
  newRunId,
  processStart,
  type RunStatus,
  readJournal,
  SECRET_MARKER,
  writeJournal,
  writerAlive,
} from './journal.js';
import { lockRun, type RunLock } from './lock.js';
import { ParamError, validateParams } from './params.js';
import { type Capture, capturedValues, isParallel, planProcedure, resolveGate, resolvePlacement } from './plan.js';
import { LineRedactor, makeRedactor, outputRedactor, printsSecret, type Redactor, secretValues } from './redact.js';
import type { LogLine, RunSession, RunSnapshot, StepView } from './session.js';
import { runStepCheck } from './step-check.js';
import type {
  CapturedValues,
  EngineEvent,
  FailureChoice,
  HostFacts,
  Operator,
  PanelSnapshot,
  PanelView,
  Params,
  PlanStep,
  Procedure,
  ResolvedGate,
  Step,
  StepCheck,
  StepContext,
  StepProgress,
  StepStatus,
  WhereItStands,
} from './types.js';
import { isRepeated, type RepeatedCommand, runRepeated } from './wait.js';

export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_LOG_LIMIT = 5000;
/** The `step` of the panel's observations in the audit log (Procedure.panel). */
export const PANEL_STEP = '(panel)';
/**
 * A failure in one line (journal, audit): a check that said no by its verdict (its command exited as it did,
 * often 0), anything else by its command and exit code.
 */
export function failureText(f: Pick<RunFailureInfo, 'command' | 'exitCode' | 'tail' | 'check'>): string {
  if (f.check) return f.tail.split('\n')[0] ?? `${f.check} failed`;
  return `${f.command} (exit ${f.exitCode ?? 'none'})`;
}

/** Per host, for Procedure.look after a run stopped: an unreachable host must not hold the report long. */
const LOOK_TIMEOUT_MS = 15_000;

/** Test-only (see pauseAtBoundary): the environment variable that names the boundary to pause at. */
export const PAUSE_ENV = 'DAY2_PAUSE_AFTER_STEP';
/** The file pauseAtBoundary writes in the state dir while it waits. */
export const PAUSE_MARKER = 'paused';

/**
 * A test-only hook for kill -9 tests: with DAY2_PAUSE_AFTER_STEP=<step-id> (or <step-id>@<host>, the host
 * of a serial step) in the environment, the engine stops exactly at that boundary — the step (or that
 * host's part of it) has ended and the journal says so, the next one has not started — writes
 * <stateDir>/paused (`{"point","pid"}`) and waits until that file is removed (or the process is killed).
 * `<step-id>[@<host>]:before-verify` stops after a step's commands and captures, before its verification.
 * Without the variable (production) it returns at once and changes nothing.
 */
export async function pauseAtBoundary(stateDir: string, point: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const want = env[PAUSE_ENV];
  if (!want || want !== point) return;
  const marker = join(stateDir, PAUSE_MARKER);
  // written whole, then renamed: a test that sees the file reads all of it
  writeFileSync(`${marker}.tmp`, `${JSON.stringify({ point, pid: process.pid })}\n`, { mode: 0o600 });
  renameSync(`${marker}.tmp`, marker);
  while (existsSync(marker)) await new Promise((r) => setTimeout(r, 100));
}

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

export interface RunFailureInfo {
  step: string;
  command: string;
  host: string | null;
  exitCode: number | null;
  tail: string;
  choices: FailureChoice[];
  /** The step's precondition or verification said no: `command` is the check, `exitCode` only what it exited with. */
  check?: 'precondition' | 'verification';
}

export interface RunResult {
  runId: string;
  status: 'ok' | 'failed' | 'aborted' | 'stopped-at-gate';
  /** The gate the run stopped at (stopped-at-gate). */
  gate?: ResolvedGate;
  /** The failure that ended it (failed). */
  failure?: RunFailureInfo;
  message?: string;
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

class Cancelled extends Error {}

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
        `the procedure ${journal.procedure} changed since run ${journal.runId}: step ${gone.map((s) => s.id).join(', ')} is no longer in it; finish the run by hand`,
      );
    }
    checkCaptures(journal, procedure);
  }
}

/** Captured values go into later commands as they are: checked when captured and again when read back. */
export function captureProblem(value: string): string | undefined {
  if (value.includes('\0')) return 'holds a NUL byte, which no command can carry';
  if (value.length > MAX_CAPTURE_CHARS) return `is longer than ${MAX_CAPTURE_CHARS} characters`;
  return undefined;
}
const MAX_CAPTURE_CHARS = 1024 * 1024;

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

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function iso(d: Date): string {
  return d.toISOString();
}

/** `check`: the step's precondition or verification ran and said no (its exit code is not the failure). */
type Problem = { host: string | null; command: string; exitCode: number | null; tail: string; check?: 'precondition' | 'verification' };
type StepOutcome =
  | 'continue'
  | { end: 'failed'; failure: RunFailureInfo }
  | { end: 'stopped-at-gate'; gate: ResolvedGate }
  | { end: 'aborted'; message: string };

export function startProcedureRun(options: StartRunOptions): ProcedureRun {
  const { procedure, inventory, runner, stateDir } = options;
  const now = options.now ?? (() => new Date());
  const operatorName = options.operatorName ?? osUser();
  const resume = options.resume;
  if (resume) checkResumable(resume, procedure);

  // ---- parameters: on resume, the journal's (secrets asked again) under the ones given now
  const secretNames = procedure.parameters.filter((p) => p.secret).map((p) => p.name);
  const given: Record<string, string> = {};
  if (resume) for (const [k, v] of Object.entries(resume.params)) if (v !== SECRET_MARKER && !secretNames.includes(k)) given[k] = v;
  Object.assign(given, options.params);
  const params = validateParams(procedure, given, inventory); // throws ParamError
  const redactor: Redactor = makeRedactor({ secrets: secretValues(procedure.parameters, params) });
  // As given (resume runs with them), but never a secret parameter: that one is asked again.
  const journalParams: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) journalParams[k] = secretNames.includes(k) ? SECRET_MARKER : v;
  const shownParams = Object.fromEntries(Object.entries(journalParams).map(([k, v]) => [k, v === SECRET_MARKER ? v : redactor(v)]));

  // ---- the journal
  const startedAtDate = resume ? new Date(resume.startedAt) : now();
  const runId = resume ? resume.runId : newRunId(procedure.entry.id, startedAtDate);
  const lock = takeLock(options, runId, operatorName);
  const byId = new Map((resume?.steps ?? []).map((s) => [s.id, s] as const));
  const journal: Journal = {
    version: JOURNAL_VERSION,
    runId,
    procedure: procedure.entry.id,
    title: procedure.entry.title,
    params: journalParams,
    secretParams: secretNames,
    inventory: inventory.source.kind === 'file' ? { kind: 'file', path: inventory.source.path } : { kind: 'demo' },
    startedAt: iso(startedAtDate),
    updatedAt: iso(now()),
    status: 'running',
    operator: operatorName,
    pid: process.pid,
    hostname: osHostname(),
    steps: procedure.steps.map((s): JournalStep => {
      const old = byId.get(s.id);
      if (old) {
        // What was running when the process died is 'interrupted': its command may or may not have run.
        const hosts: Record<string, HostProgress> = {};
        for (const [k, h] of Object.entries(old.hosts)) hosts[k] = { ...h, status: h.status === 'running' ? 'interrupted' : h.status };
        return {
          ...old,
          title: s.title,
          destructive: !!s.destructive,
          hosts,
          status: old.status === 'running' ? 'interrupted' : old.status,
        };
      }
      return { id: s.id, title: s.title, status: 'pending', destructive: !!s.destructive, destructiveBegun: false, hosts: {} };
    }),
    captures: resume ? [...resume.captures] : [],
    history: resume
      ? [
          ...resume.history,
          {
            pid: resume.pid,
            hostname: resume.hostname,
            from: resume.history.at(-1)?.to ?? resume.startedAt,
            to: resume.updatedAt,
            status: resume.status === 'running' ? 'interrupted' : resume.status,
          },
        ]
      : [],
  };
  const pidStart = processStart(process.pid);
  if (pidStart !== undefined) journal.pidStart = pidStart;
  if (resume?.currentStep) journal.currentStep = resume.currentStep;

  const save = (): void => {
    journal.updatedAt = iso(now());
    writeJournal(stateDir, journal);
  };
  const audit = (entry: AuditInput): void => {
    appendAudit(stateDir, { time: iso(now()), operator: operatorName, runId, ...entry } as AuditEntry);
  };
  try {
    save(); // the journal exists before anything runs
  } catch (e) {
    lock.release();
    throw e;
  }

  /** One audit line for a command that ran (its redacted text, exit code, duration, output tail; timed out or cancelled). */
  const auditCommand = (
    step: string,
    host: string | null,
    text: string,
    command: ShellCommand,
    result: CommandResult,
    started: number,
    lines?: number,
  ): void =>
    audit(
      commandEntry({
        step,
        host,
        command: text,
        result,
        durationMs: result.durationMs ?? Date.now() - started,
        outputTail: tailOf(command, result, lines),
      }),
    );

  /** A command's output tail as it may be written: all of its stdout is secret when it prints a token. */
  const tailOf = (command: ShellCommand, res: { stdout: string; stderr: string }, lines?: number): string =>
    outputTail(outputRedactor(redactor, command.script)(res.stdout), redactor(res.stderr), lines);

  // Secret captures: the journal has SECRET_MARKER for them, their values live only in this process.
  const secretCaptures = new Map<string, string>();
  const captureKey = (c: Capture): string => JSON.stringify([c.step, c.host, c.name]);
  const knownCaptures = (): Capture[] =>
    journal.captures.map((c) => {
      const value = c.value === SECRET_MARKER ? secretCaptures.get(captureKey(c)) : undefined;
      return value === undefined ? c : { ...c, value };
    });
  const runCaptures = (host?: Host): CapturedValues => capturedValues(knownCaptures(), host);
  /** What a step, the panel, the refusal or whereItStands sees of the run (no host); the facts once read. */
  const runContext = (): StepContext => ({
    params,
    inventory,
    captured: runCaptures(),
    startedAt: startedAtDate,
    planning: false,
    ...(facts ? { facts } : {}),
  });
  /** Marked secret by the step, printed by a command that prints tokens, or holding a secret value. */
  const isSecretCapture = (step: Step, name: string, value: string, commands: readonly ShellCommand[]): boolean =>
    !!step.secretCaptures?.includes(name) || commands.some((c) => printsSecret(c.script)) || redactor.knows(value);

  // ---- the snapshot the console renders
  let facts: HostFacts | undefined;
  let look: HostFacts | undefined;
  let plan: PlanStep[] = [];
  try {
    plan = planProcedure(procedure, params, inventory, startedAtDate);
  } catch (e) {
    if (!(e instanceof ParamError)) throw e;
  }
  const views: StepView[] = procedure.steps.map((s, i) => {
    const v: StepView = {
      id: s.id,
      title: s.title,
      hosts: plan[i]?.hosts ?? [],
      status: journal.steps[i]!.status,
      destructive: !!s.destructive,
    };
    if (s.section !== undefined) v.section = s.section;
    if (journal.steps[i]!.message) v.message = journal.steps[i]!.message;
    return v;
  });
  const logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
  let log: LogLine[] = [];
  let seq = 0;
  let snapStatus: RunSnapshot['status'] = 'running';
  let current: string | undefined;
  let currentCommand: RunSnapshot['command'];
  let pendingGate: ResolvedGate | undefined;
  let pendingFailure: RunFailureInfo | undefined;
  let follows: NonNullable<RunSnapshot['follow']> = [];
  let panelSnap: PanelSnapshot | undefined;
  let standing: WhereItStands | undefined;
  let snapshot: RunSnapshot | undefined;
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(e: EngineEvent) => void>();

  function getSnapshot(): RunSnapshot {
    if (!snapshot) {
      const s: RunSnapshot = {
        runId,
        procedure: procedure.entry.id,
        title: procedure.entry.title,
        params: shownParams,
        steps: views.map((v) => ({ ...v, hosts: [...v.hosts] })),
        status: snapStatus,
        log,
        logFirstSeq: log[0]?.seq ?? seq,
        plan,
      };
      if (current !== undefined) s.current = current;
      if (currentCommand) s.command = currentCommand;
      if (pendingGate) s.gate = pendingGate;
      if (pendingFailure) s.failure = pendingFailure;
      if (follows.length > 0) s.follow = follows;
      if (panelSnap) s.panel = panelSnap;
      if (standing) s.whereItStands = standing;
      snapshot = s;
    }
    return snapshot;
  }
  function notify(): void {
    snapshot = undefined;
    for (const l of [...listeners]) {
      try {
        l();
      } catch {
        // a listener's bug must not stop the run
      }
    }
  }
  function emit(e: EngineEvent): void {
    for (const l of [...eventListeners]) {
      try {
        l(e);
      } catch {
        // idem
      }
    }
  }
  function addLog(step: string, host: string | null, stream: LogLine['stream'], text: string): void {
    log = [...log, { seq: seq++, step, host, stream, text }];
    if (log.length > logLimit) log = log.slice(log.length - logLimit);
    notify();
  }
  function info(step: string, text: string): void {
    addLog(step, null, 'info', redactor(text));
  }
  function setStep(i: number, status: StepStatus, message?: string): void {
    const js = journal.steps[i]!;
    js.status = status;
    if (message !== undefined) js.message = redactor(message);
    else delete js.message;
    views[i]!.status = status;
    if (js.message !== undefined) views[i]!.message = js.message;
    else delete views[i]!.message;
  }

  // ---- answers
  const abort = new AbortController();
  let cancelled = false;
  let gateAnswer: ((ok: boolean) => void) | undefined;
  let failureAnswer: ((c: FailureChoice) => void) | undefined;
  const operator: Operator =
    options.operator === 'session'
      ? {
          gate: () => new Promise<boolean>((resolve) => (gateAnswer = resolve)),
          failure: () => new Promise<FailureChoice>((resolve) => (failureAnswer = resolve)),
        }
      : options.operator;

  async function askGate(gate: ResolvedGate): Promise<boolean> {
    pendingGate = gate;
    snapStatus = 'waiting-gate';
    emit({ type: 'gate', step: gate.step, gate });
    notify();
    const ok = cancelled ? false : await Promise.race([operator.gate(gate), cancelledPromise.then(() => false)]);
    gateAnswer = undefined;
    pendingGate = undefined;
    snapStatus = 'running';
    notify();
    return ok && !cancelled;
  }
  async function askFailure(failure: RunFailureInfo): Promise<FailureChoice> {
    pendingFailure = failure;
    snapStatus = 'waiting-failure';
    emit({ type: 'failure', ...failure });
    notify();
    const info = { step: failure.step, command: failure.command, exitCode: failure.exitCode, tail: failure.tail };
    let choice = cancelled
      ? 'abort'
      : await Promise.race([operator.failure(failure.choices, info), cancelledPromise.then(() => 'abort' as const)]);
    if (!failure.choices.includes(choice)) choice = 'abort'; // never skip a destructive step or a guard, whatever the answer
    failureAnswer = undefined;
    pendingFailure = undefined;
    snapStatus = 'running';
    notify();
    return cancelled ? 'abort' : choice;
  }
  let markCancelled: () => void = () => {};
  const cancelledPromise = new Promise<void>((resolve) => (markCancelled = resolve));

  // ---- running one command
  async function exec(step: Step, host: Host | undefined, command: ShellCommand): Promise<{ result?: CommandResult; error?: string }> {
    if (cancelled) throw new Cancelled();
    const hostName = host?.name ?? null;
    const text = redactor(command.script);
    currentCommand = { host: hostName, text };
    emit({ type: 'command', step: step.id, host: hostName, command: text });
    addLog(step.id, hostName, 'command', `$ ${text}`);
    const out = new LineRedactor(outputRedactor(redactor, command.script));
    const err = new LineRedactor(redactor);
    const onLine = (stream: 'stdout' | 'stderr', lr: LineRedactor) => (raw: string) => {
      const line = lr.line(raw);
      if (line === undefined) return;
      emit({ type: 'line', step: step.id, host: hostName, stream, text: line });
      addLog(step.id, hostName, stream, line);
    };
    const target: Target = host ? { kind: 'host', host } : { kind: 'bastion' };
    const started = Date.now();
    try {
      const result = await runner.run(target, command, {
        timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        signal: abort.signal,
        onStdout: onLine('stdout', out),
        onStderr: onLine('stderr', err),
      });
      auditCommand(step.id, hostName, text, command, result, started);
      return { result };
    } catch (e) {
      const message = redactor(errMessage(e));
      audit({
        kind: 'command',
        step: step.id,
        host: hostName,
        command: text,
        exitCode: null,
        durationMs: Date.now() - started,
        outputTail: '',
        error: message,
      });
      return { error: message };
    } finally {
      currentCommand = undefined;
      notify();
    }
  }

  /** One SFTP upload or download of a step, logged and audited like a command; the error text when it fails. */
  async function fetchFile(step: Step, host: Host, d: { remote: string; local: string; put?: boolean }): Promise<string | undefined> {
    if (cancelled) throw new Cancelled();
    const text = redactor(d.put ? uploadText(host.name, d.local, d.remote) : downloadText(host.name, d.remote, d.local));
    currentCommand = { host: host.name, text };
    emit({ type: 'command', step: step.id, host: host.name, command: text });
    addLog(step.id, host.name, 'command', `$ ${text}`);
    const started = Date.now();
    try {
      let bytes: number;
      if (d.put) {
        if (!runner.upload) throw new Error('this runner cannot copy files to a host (no SFTP upload)');
        ({ bytes } = await runner.upload(host, d.local, d.remote, { signal: abort.signal }));
      } else {
        if (!runner.download) throw new Error('this runner cannot copy files (no SFTP download)');
        ({ bytes } = await runner.download(host, d.remote, d.local, { signal: abort.signal }));
      }
      const durationMs = Date.now() - started;
      const line = `${bytes} bytes in ${(durationMs / 1000).toFixed(1)} s`;
      addLog(step.id, host.name, 'stdout', line);
      audit({ kind: 'command', step: step.id, host: host.name, command: text, exitCode: 0, durationMs, outputTail: line });
      return undefined;
    } catch (e) {
      if (cancelled) {
        audit({
          kind: 'command',
          step: step.id,
          host: host.name,
          command: text,
          exitCode: null,
          durationMs: Date.now() - started,
          outputTail: '',
          cancelled: true,
        });
        throw new Cancelled();
      }
      const message = redactor(errMessage(e));
      audit({
        kind: 'command',
        step: step.id,
        host: host.name,
        command: text,
        exitCode: null,
        durationMs: Date.now() - started,
        outputTail: '',
        error: message,
      });
      addLog(step.id, host.name, 'stderr', message);
      return message;
    } finally {
      currentCommand = undefined;
      notify();
    }
  }

  /** A command the engine repeats while it answers "not yet" (wait.ts): each try logged and audited. */
  function execRepeated(step: Step, host: Host | undefined, command: RepeatedCommand): Promise<{ result?: CommandResult; error?: string }> {
    return runRepeated(command.wait, {
      exec: () => exec(step, host, command),
      info: (text) => info(step.id, `${host ? `${host.name}: ` : ''}${text}`),
      pause: (ms) => pauseUnlessCancelled(ms),
    });
  }

  /** Runs a check on one host (step-check.ts); undefined when it passes, else the problem. */
  function runCheck(step: Step, check: StepCheck, kind: 'precondition' | 'verification', ctx: StepContext): Promise<Problem | undefined> {
    return runStepCheck(check, kind, ctx, {
      exec: (command) => exec(step, ctx.host, command),
      info: (text) => info(step.id, text),
      redact: (text) => redactor(text),
      stopIfCancelled: (result) => {
        if (cancelled || result?.cancelled) throw new Cancelled();
      },
      pause: (ms) => pauseUnlessCancelled(ms),
      tail: (command, out) => tailOf(command, out, 10),
    });
  }

  function pauseUnlessCancelled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (abort.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      abort.signal.addEventListener('abort', done, { once: true });
    });
  }

  function hostCtx(base: StepContext, host: Host | undefined): StepContext {
    const ctx: StepContext = { ...base, captured: runCaptures(host) };
    if (host) ctx.host = host;
    else delete ctx.host;
    return ctx;
  }

  // ---- a step's follow command (Step.follow): streamed beside its commands, never its status
  /** Starts the follow of `step` on `host`; the returned function ends it (and waits until it has ended). */
  function startFollow(step: Step, host: Host | undefined, ctx: StepContext): () => Promise<void> {
    if (!step.follow || options.follow === false || cancelled) return () => Promise.resolve();
    const hostName = host?.name ?? null;
    let command: ShellCommand;
    try {
      command = step.follow(ctx);
    } catch (e) {
      info(step.id, `${hostName ? `${hostName}: ` : ''}not following: ${errMessage(e)}`);
      return () => Promise.resolve();
    }
    const text = redactor(command.script);
    const entry = { step: step.id, host: hostName, command: text };
    follows = [...follows, entry];
    info(step.id, `${hostName ? `${hostName}: ` : ''}following beside the commands: ${text}`);
    const stop = new AbortController();
    const onRunAbort = (): void => stop.abort();
    abort.signal.addEventListener('abort', onRunAbort, { once: true });
    const onLine = (lr: LineRedactor) => (raw: string) => {
      const line = lr.line(raw);
      if (line === undefined) return;
      emit({ type: 'line', step: step.id, host: hostName, stream: 'journal', text: line });
      addLog(step.id, hostName, 'journal', line);
    };
    const target: Target = host ? { kind: 'host', host } : { kind: 'bastion' };
    const started = Date.now();
    const done = runner
      .run(target, command, {
        timeoutMs: step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
        signal: stop.signal,
        onStdout: onLine(new LineRedactor(outputRedactor(redactor, command.script))),
        onStderr: onLine(new LineRedactor(redactor)),
      })
      .then(
        (result) => {
          auditCommand(step.id, hostName, text, command, result, started);
          if (!stop.signal.aborted && result.exitCode !== 0)
            info(
              step.id,
              `${hostName ? `${hostName}: ` : ''}the followed output ended by itself (${result.timedOut ? 'timed out' : `exit ${result.exitCode ?? 'none'}`})`,
            );
        },
        (e: unknown) => {
          const message = redactor(errMessage(e));
          audit({
            kind: 'command',
            step: step.id,
            host: hostName,
            command: text,
            exitCode: null,
            durationMs: Date.now() - started,
            outputTail: '',
            error: message,
          });
          if (!stop.signal.aborted) info(step.id, `${hostName ? `${hostName}: ` : ''}could not follow: ${message}`);
        },
      )
      .finally(() => {
        abort.signal.removeEventListener('abort', onRunAbort);
        follows = follows.filter((f) => f !== entry);
        notify();
      });
    notify();
    return () => {
      stop.abort();
      return done;
    };
  }

  // ---- the procedure's panel (Procedure.panel): at the start, after every step that ran, after a failure
  let panelChain: Promise<void> = Promise.resolve();
  let panelQueued: { when: string } | undefined;
  /** Queues an observation (at most one waiting: a newer request takes its place); resolves when taken. */
  function observe(when: string): Promise<void> {
    if (!procedure.panel || cancelled) return panelChain;
    if (panelQueued) {
      panelQueued.when = when;
      return panelChain;
    }
    const q = { when };
    panelQueued = q;
    panelChain = panelChain.then(async () => {
      panelQueued = undefined;
      try {
        await takePanel(q.when);
      } catch (e) {
        setPanel({ summary: { text: `could not observe: ${errMessage(e)}`, tone: 'bad' }, rows: [] }, null, q.when);
      }
    });
    return panelChain;
  }
  function setPanel(view: PanelView, host: string | null, when: string): void {
    const clean = (l: PanelView['summary']) => ({
      ...l,
      text: redactor(l.text),
      ...(l.label !== undefined ? { label: redactor(l.label) } : {}),
    });
    panelSnap = {
      title: procedure.panel!.title,
      view: { summary: clean(view.summary), rows: view.rows.map(clean) },
      takenAt: iso(now()),
      host,
      when,
    };
    emit({ type: 'panel', panel: panelSnap });
    notify();
  }
  async function takePanel(when: string): Promise<void> {
    const panel = procedure.panel!;
    const base = runContext();
    const hosts = panel.where(base);
    const tried: string[] = [];
    for (const h of hosts) {
      if (cancelled) return;
      const ctx: StepContext = { ...base, host: h, captured: runCaptures(h) };
      const command = panel.command(ctx);
      const text = redactor(command.script);
      const started = Date.now();
      let result: CommandResult;
      try {
        result = await runner.run({ kind: 'host', host: h }, command, { timeoutMs: panel.timeoutMs ?? 30_000, signal: abort.signal });
      } catch (e) {
        const message = redactor(errMessage(e));
        audit({
          kind: 'command',
          step: PANEL_STEP,
          host: h.name,
          command: text,
          exitCode: null,
          durationMs: Date.now() - started,
          outputTail: '',
          error: message,
        });
        tried.push(`${h.name}: ${message}`);
        continue;
      }
      auditCommand(PANEL_STEP, h.name, text, command, result, started, 8);
      if (result.cancelled) return;
      if (result.exitCode === null) {
        tried.push(`${h.name}: ${result.timedOut ? 'timed out' : 'ended without an exit status'}`);
        continue;
      }
      let view: PanelView;
      try {
        view = panel.parse({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }, ctx);
      } catch (e) {
        view = { summary: { text: `could not read the output: ${errMessage(e)}`, tone: 'bad' }, rows: [] };
      }
      setPanel(view, h.name, when);
      return;
    }
    setPanel(
      {
        summary: {
          text: hosts.length === 0 ? 'no host to observe from' : `no host could run the observation (${tried.join('; ')})`,
          tone: 'bad',
        },
        rows: [],
      },
      null,
      when,
    );
  }

  // ---- after a run that did not finish: where the cluster stands (Procedure.whereItStands)
  function describeStanding(outcome: 'failed' | 'aborted' | 'stopped-at-gate'): WhereItStands | undefined {
    if (!procedure.whereItStands) return undefined;
    const steps: Record<string, StepProgress> = {};
    for (const js of journal.steps) {
      const hosts: Record<string, StepStatus> = {};
      for (const [k, h] of Object.entries(js.hosts)) hosts[k] = h.status;
      steps[js.id] = { status: js.status, destructiveBegun: js.destructiveBegun, hosts };
    }
    const panel = panelSnap ? { panel: panelSnap } : {};
    const ctx = { ...runContext(), runId, outcome, steps, ...panel, ...(look ? { look } : {}) };
    try {
      const w = procedure.whereItStands(ctx, journal.currentStep);
      const out: WhereItStands = { state: w.state.map(redactor), next: redactor(w.next) };
      if (w.cautions?.length) out.cautions = w.cautions.map(redactor);
      return out;
    } catch (e) {
      return {
        state: [`(could not work out where the cluster stands: ${redactor(errMessage(e))})`],
        next: `read the journal ${journalPath(stateDir, runId)} and the log above before going on; \`day2-tui resume ${runId}\` continues the run`,
      };
    }
  }

  // ---- one step
  async function runStep(i: number, resuming: boolean): Promise<StepOutcome> {
    const step = procedure.steps[i]!;
    const js = journal.steps[i]!;
    const base = runContext();
    const startedMs = Date.now();
    current = step.id;
    journal.currentStep = step.id;
    js.startedAt = iso(now());
    delete js.endedAt;
    setStep(i, 'running');
    save();
    notify();

    const end = (status: StepStatus, message?: string): void => {
      setStep(i, status, message);
      js.endedAt = iso(now());
      views[i]!.durationMs = Date.now() - startedMs;
      save();
      const ev: EngineEvent = { type: 'step-end', step: step.id, status, durationMs: Date.now() - startedMs };
      if (js.message) ev.message = js.message;
      emit(ev);
      notify();
    };
    // a destructive step, or a guard of one, is never skipped: skipping a guard would let what it guards run unchecked
    const choicesFor = (): FailureChoice[] => (step.destructive || step.guard ? ['retry', 'abort'] : ['retry', 'skip', 'abort']);
    /** Asks what to do about a problem; 'retry' means: try again. */
    const onProblem = async (p: Problem): Promise<'retry' | StepOutcome> => {
      const failure: RunFailureInfo = {
        step: step.id,
        command: redactor(p.command),
        host: p.host,
        exitCode: p.exitCode,
        tail: redactor(p.tail),
        choices: choicesFor(),
        ...(p.check ? { check: p.check } : {}),
      };
      const k = hostKey(p.host);
      const hp = js.hosts[k];
      if (hp) {
        hp.status = 'failed';
        hp.exitCode = p.exitCode;
        hp.message = failure.tail.split('\n')[0] ?? '';
      }
      setStep(i, 'failed', `${p.host ? `${p.host}: ` : ''}${failure.tail.split('\n')[0] ?? ''}`);
      save();
      void observe(`after the failure of step ${i + 1}/${procedure.steps.length}`);
      const choice = await askFailure(failure);
      audit({ kind: 'failure-choice', step: step.id, text: `${choice} after: ${failureText(failure)}` });
      if (cancelled) throw new Cancelled();
      if (choice === 'retry') {
        setStep(i, 'running');
        save();
        info(step.id, `retrying ${step.title}${p.host ? ` on ${p.host}` : ''}`);
        return 'retry';
      }
      if (choice === 'skip') {
        end('skipped', `skipped by the operator after a failure${p.host ? ` on ${p.host}` : ''}: ${failure.tail.split('\n')[0] ?? ''}`);
        return 'continue';
      }
      end('failed', `${p.host ? `${p.host}: ` : ''}${failure.tail.split('\n')[0] ?? ''}`);
      return { end: 'failed', failure };
    };

    // skipIf
    try {
      const reason = step.skipIf?.(base);
      if (reason) {
        info(step.id, `skipped: ${reason}`);
        emit({ type: 'step-start', step: step.id, hosts: [] });
        end('skipped', reason);
        return 'continue';
      }
    } catch (e) {
      const r = await onProblem({ host: null, command: '(deciding whether to skip the step)', exitCode: null, tail: errMessage(e) });
      return r === 'retry' ? runStep(i, resuming) : r;
    }

    // hosts
    let hosts: Host[];
    for (;;) {
      try {
        hosts = resolvePlacement(step.where, base);
        break;
      } catch (e) {
        const r = await onProblem({ host: null, command: '(choosing the hosts of the step)', exitCode: null, tail: errMessage(e) });
        if (r !== 'retry') return r;
      }
    }
    if (hosts.length === 0 && step.where.on !== 'bastion') {
      // a host step with no host left (e.g. none flagged by a check) runs nowhere — never on the bastion instead
      const reason = `no host to run on${step.where.on === 'hosts' ? ` (${step.where.describe})` : ''}`;
      info(step.id, `skipped: ${reason}`);
      emit({ type: 'step-start', step: step.id, hosts: [] });
      end('skipped', reason);
      return 'continue';
    }
    const targets: (Host | undefined)[] = hosts.length > 0 ? hosts : [undefined];
    views[i]!.hosts = hosts.map((h) => h.name);
    for (const t of targets) {
      const k = hostKey(t?.name ?? null);
      if (!js.hosts[k]) js.hosts[k] = { status: 'pending', commandIndex: 0 };
    }
    save();
    emit({ type: 'step-start', step: step.id, hosts: hosts.map((h) => h.name) });

    // resume: the interrupted step's verification first
    const done = new Set<string>();
    let repeat: string | undefined;
    if (resuming) {
      for (const t of targets) if (js.hosts[hostKey(t?.name ?? null)]?.status === 'ok') done.add(hostKey(t?.name ?? null));
      if (step.verify) {
        info(step.id, `resuming: checking "${step.verify.describe}" before anything runs again`);
        for (const t of targets) {
          const k = hostKey(t?.name ?? null);
          if (done.has(k)) continue;
          const p = await runCheck(step, step.verify, 'verification', hostCtx(base, t));
          const needsCapture =
            step.capture &&
            Object.keys(step.capture).some(
              (n) => !journal.captures.some((c) => c.step === step.id && c.host === (t?.name ?? null) && c.name === n),
            );
          if (!p && !needsCapture) {
            done.add(k);
            js.hosts[k] = { ...js.hosts[k]!, status: 'ok' };
          } else {
            info(
              step.id,
              `${t ? `${t.name}: ` : ''}${p ? p.tail.split('\n')[0] : 'verification passed, but the values this step captures were not recorded'}: the step runs again`,
            );
          }
        }
        save();
      } else {
        info(step.id, 'resuming: this step has no verification; it runs again');
      }
      if (targets.every((t) => done.has(hostKey(t?.name ?? null)))) {
        info(step.id, 'verified: the interrupted step had finished');
        end('ok', 'verified on resume');
        return 'continue';
      }
      // a repeat only where the step's part had begun: a host still pending at command 0 was never sent a
      // command (the journal is saved before each one), so running it now is its first run, not a repeat
      const begun = targets.filter((t) => {
        const k = hostKey(t?.name ?? null);
        const hp = js.hosts[k];
        return !done.has(k) && !!hp && (hp.status !== 'pending' || hp.commandIndex > 0);
      });
      if (step.destructive && js.destructiveBegun && begun.length > 0) {
        const where = begun
          .map((t) => {
            const hp = js.hosts[hostKey(t?.name ?? null)]!;
            return `${t?.name ?? 'bastion'} had reached command ${Math.min(hp.commandIndex + 1, hp.commandCount ?? hp.commandIndex + 1)}${hp.commandCount ? ` of ${hp.commandCount}` : ''}`;
          })
          .join('; ');
        repeat = `REPEAT OF A DESTRUCTIVE STEP: "${step.title}" was interrupted after it began (${where}) and will run again from its first command.`;
      }
    }
    const todo = targets.filter((t) => !done.has(hostKey(t?.name ?? null)));
    const todoHosts = todo.filter((t): t is Host => t !== undefined);

    // gate
    let gate: ResolvedGate | undefined;
    try {
      gate = resolveGate(step, base, todoHosts, redactor, repeat);
    } catch (e) {
      const r = await onProblem({ host: null, command: '(describing the gate)', exitCode: null, tail: errMessage(e) });
      return r === 'retry' ? runStep(i, resuming) : r;
    }
    if (gate) {
      if (repeat) info(step.id, repeat);
      audit({ kind: 'gate', step: step.id, text: `asked: ${gate.what}` });
      const ok = await askGate(gate);
      if (cancelled) throw new Cancelled();
      const by = options.gateApprovedBy ?? 'operator';
      audit({ kind: 'gate', step: step.id, text: ok ? `approved by ${by}` : 'not approved' });
      if (!ok) {
        info(step.id, `stopped at the gate: ${gate.what}`);
        setStep(
          i,
          js.destructiveBegun || Object.values(js.hosts).some((h) => h.commandIndex > 0) ? 'interrupted' : 'pending',
          'stopped at the gate',
        );
        js.endedAt = iso(now());
        save();
        return { end: 'stopped-at-gate', gate };
      }
      if (repeat) {
        (js.repeats ??= []).push({ at: iso(now()), approvedBy: by, reason: repeat });
        audit({ kind: 'repeat-destructive', step: step.id, text: `${repeat} Approved by ${by}.` });
        info(step.id, `${repeat} Approved by ${by}.`);
        save();
      }
    }

    // a fresh run of the step on the hosts still to do
    for (const t of todo) {
      const k = hostKey(t?.name ?? null);
      js.hosts[k] = { status: 'pending', commandIndex: 0 };
    }
    journal.captures = journal.captures.filter((c) => !(c.step === step.id && todo.some((t) => (t?.name ?? null) === c.host)));
    save();

    // precondition: on every host before anything changes
    if (step.precondition) {
      for (;;) {
        let p: Problem | undefined;
        if (isParallel(step.where))
          p = (await Promise.all(todo.map((t) => runCheck(step, step.precondition!, 'precondition', hostCtx(base, t))))).find(
            (x) => x !== undefined,
          );
        else for (const t of todo) if ((p = await runCheck(step, step.precondition!, 'precondition', hostCtx(base, t)))) break;
        if (!p) break;
        const r = await onProblem(p);
        if (r !== 'retry') return r;
      }
    }

    // commands, captures, verification: per host
    const outputs = new Map<string, { exitCode: number | null; stdout: string; stderr: string }[]>();
    const followStops = new Map<string, () => Promise<void>>();
    const runHost = async (t: Host | undefined): Promise<Problem | undefined> => {
      const k = hostKey(t?.name ?? null);
      followStops.set(k, startFollow(step, t, hostCtx(base, t)));
      try {
        return await runHostOnce(t);
      } finally {
        await followStops.get(k)?.();
      }
    };
    const runHostOnce = async (t: Host | undefined): Promise<Problem | undefined> => {
      const k = hostKey(t?.name ?? null);
      const hp = js.hosts[k]!;
      const ctx = hostCtx(base, t);
      let commands: ShellCommand[];
      try {
        commands = step.commands(ctx);
      } catch (e) {
        return { host: t?.name ?? null, command: '(building the commands)', exitCode: null, tail: errMessage(e) };
      }
      let downloads: { remote: string; local: string; put?: boolean }[];
      try {
        downloads = step.downloads?.(ctx) ?? [];
        // the uploads go first: after the commands, before the downloads
        downloads = [...(step.uploads?.(ctx) ?? []).map((u) => ({ ...u, put: true })), ...downloads];
      } catch (e) {
        return { host: t?.name ?? null, command: '(building the downloads)', exitCode: null, tail: errMessage(e) };
      }
      if (downloads.length > 0 && !t)
        return {
          host: null,
          command: '(downloads)',
          exitCode: null,
          tail: "a step on the bastion cannot copy files: uploads and downloads are between the bastion and the step's host",
        };
      hp.commandCount = commands.length + downloads.length;
      const outs = outputs.get(k) ?? [];
      outputs.set(k, outs);
      while (hp.commandIndex < commands.length + downloads.length) {
        if (hp.commandIndex >= commands.length) {
          // the downloads, after the commands: each counts as one more command of the host
          const d = downloads[hp.commandIndex - commands.length]!;
          hp.status = 'running';
          if (step.destructive) js.destructiveBegun = true;
          save();
          const error = await fetchFile(step, t!, d);
          if (error !== undefined)
            return {
              host: t!.name,
              command: redactor(d.put ? uploadText(t!.name, d.local, d.remote) : downloadText(t!.name, d.remote, d.local)),
              exitCode: null,
              tail: error,
            };
          hp.commandIndex++;
          hp.exitCode = 0;
          save();
          continue;
        }
        const command = commands[hp.commandIndex]!;
        hp.status = 'running';
        if (step.destructive) js.destructiveBegun = true;
        save(); // before the command: a crash now leaves "this command may have run"
        const r = isRepeated(command) ? await execRepeated(step, t, command) : await exec(step, t, command);
        if (cancelled || r.result?.cancelled) {
          hp.status = 'interrupted';
          save();
          throw new Cancelled();
        }
        const text = redactor(command.script);
        if (r.error !== undefined) return { host: t?.name ?? null, command: text, exitCode: null, tail: r.error };
        const res = r.result!;
        if (res.timedOut) {
          const tail = tailOf(command, res, 10);
          return {
            host: t?.name ?? null,
            command: text,
            exitCode: null,
            tail: `timed out after ${Math.round((step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS) / 1000)} s${tail ? `\n${tail}` : ''}`,
          };
        }
        if (res.exitCode !== 0 && !step.allowFailure) {
          const tail = tailOf(command, res, 10);
          return { host: t?.name ?? null, command: text, exitCode: res.exitCode, tail: tail || `exit code ${res.exitCode ?? 'none'}` };
        }
        outs[hp.commandIndex] = { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
        hp.commandIndex++;
        hp.exitCode = res.exitCode;
        save();
      }
      await followStops.get(k)?.(); // the commands have ended: so does the follow
      if (step.capture) {
        for (const [name, fn] of Object.entries(step.capture)) {
          let value: string;
          try {
            value = fn(outs, ctx);
            const problem = captureProblem(value);
            if (problem) throw new Error(`the value ${problem}`);
          } catch (e) {
            return {
              host: t?.name ?? null,
              command: `(capturing ${name})`,
              exitCode: null,
              tail: `could not capture ${name}: ${errMessage(e)}`,
            };
          }
          const c: Capture = { step: step.id, host: t?.name ?? null, name, value };
          if (isSecretCapture(step, name, value, commands)) {
            redactor.add(value);
            secretCaptures.set(captureKey(c), value);
            c.value = SECRET_MARKER;
          }
          journal.captures = [...journal.captures.filter((x) => !(x.step === c.step && x.host === c.host && x.name === c.name)), c];
          info(step.id, `${t ? `${t.name}: ` : ''}captured ${name} = ${redactor(value)}`);
        }
        save();
      }
      if (step.verify) {
        // test-only: between the commands and their verification (e.g. a member added, not yet verified)
        await pauseAtBoundary(stateDir, `${step.id}${t ? `@${t.name}` : ''}:before-verify`);
        const p = await runCheck(step, step.verify, 'verification', hostCtx(base, t));
        if (p) return p;
      }
      hp.status = 'ok';
      delete hp.message;
      save();
      if (t) await pauseAtBoundary(stateDir, `${step.id}@${t.name}`); // test-only, see pauseAtBoundary
      return undefined;
    };

    const handle = async (t: Host | undefined, first: Problem | undefined): Promise<'ok' | StepOutcome> => {
      let p = first;
      while (p) {
        const r = await onProblem(p);
        if (r !== 'retry') return r;
        p = await runHost(t);
      }
      return 'ok';
    };
    if (isParallel(step.where) && todo.length > 1) {
      const problems = await Promise.all(
        todo.map((t) =>
          runHost(t).catch((e: unknown) =>
            e instanceof Cancelled
              ? Promise.reject(e)
              : { host: t?.name ?? null, command: '(internal)', exitCode: null, tail: errMessage(e) },
          ),
        ),
      );
      for (let h = 0; h < todo.length; h++) {
        const r = await handle(todo[h], problems[h]);
        if (r !== 'ok') return r;
      }
    } else {
      for (const t of todo) {
        const r = await handle(t, await runHost(t));
        if (r !== 'ok') return r;
      }
    }
    end('ok');
    return 'continue';
  }

  // ---- the whole run
  let finalResult: RunResult | undefined;
  let resultWaiters: ((r: RunResult) => void)[] = [];

  function finish(status: RunResult['status'], extra: { gate?: ResolvedGate; failure?: RunFailureInfo; message?: string } = {}): RunResult {
    const jstatus: RunStatus = status;
    journal.status = jstatus;
    journal.endedAt = iso(now());
    if (extra.message) journal.message = redactor(extra.message);
    else if (status === 'stopped-at-gate' && extra.gate)
      journal.message = `stopped at the gate of "${procedure.steps.find((s) => s.id === extra.gate!.step)?.title ?? extra.gate.step}"`;
    else if (status === 'failed' && extra.failure) journal.message = failureText(extra.failure);
    else delete journal.message;
    if (status === 'ok') delete journal.currentStep;
    save();
    audit({ kind: 'run-end', text: status + (journal.message ? `: ${journal.message}` : '') });
    if (status !== 'ok') standing = describeStanding(status);
    snapStatus = status === 'ok' ? 'ok' : status === 'failed' ? 'failed' : 'aborted';
    if (status === 'ok') current = undefined;
    emit({ type: 'run-end', status });
    notify();
    const r: RunResult = { runId, status, snapshot: getSnapshot() };
    if (standing) r.whereItStands = standing;
    if (panelSnap) r.panel = panelSnap;
    if (extra.gate) r.gate = extra.gate;
    if (extra.failure) r.failure = extra.failure;
    if (journal.message) r.message = journal.message;
    finalResult = r;
    lock.release();
    const w = resultWaiters;
    resultWaiters = [];
    for (const resolve of w) resolve(r);
    return r;
  }

  /** The procedure's facts, read from the hosts as they are now (at the start, and again on resume). */
  async function readProcedureFacts(): Promise<void> {
    const probes = procedure.facts ?? [];
    if (probes.length === 0) return;
    const read = await readFacts(probes, runContext(), runner);
    facts = read.facts;
    for (const line of read.lines) info(journal.currentStep ?? '', line);
    try {
      plan = planProcedure(procedure, params, inventory, startedAtDate, facts);
      snapshot = undefined;
      notify();
    } catch (e) {
      if (!(e instanceof ParamError)) throw e;
    }
  }

  /** Procedure.look, read once the run has stopped without finishing (for whereItStands), each line logged. */
  async function lookAtHosts(): Promise<void> {
    const probes = procedure.look ?? [];
    if (probes.length === 0 || !procedure.whereItStands) return;
    const at = journal.currentStep ?? '';
    info(at, 'looking at the hosts as they are now, for where the cluster stands…');
    const read = await readFacts(probes, runContext(), runner, LOOK_TIMEOUT_MS);
    look = read.facts;
    for (const line of read.lines) info(at, `now: ${line}`);
  }

  async function loop(): Promise<void> {
    emit({ type: 'run-start', runId, procedure: procedure.entry.id });
    audit({
      kind: resume ? 'resume' : 'run-start',
      text: `${procedure.entry.id} ${Object.entries(shownParams)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`.trim(),
    });
    if (resume) info(journal.currentStep ?? '', `resuming run ${runId} (previous process ${resume.pid} on ${resume.hostname})`);
    await readProcedureFacts();
    const refusal = refusalOf(procedure, runContext());
    if (refusal) {
      info(journal.currentStep ?? '', `refused before anything ran: ${refusal}`);
      finish('aborted', { message: `refused before anything ran: ${refusal}` });
      return;
    }
    void observe(resume ? 'at the resume' : 'at the start');
    // The step that was under way when the run stopped is resumed with its verification first.
    let resumeIndex = -1;
    if (resume) {
      resumeIndex = journal.steps.findIndex((s) => s.status !== 'ok' && s.status !== 'skipped');
      const s = journal.steps[resumeIndex];
      if (
        s &&
        !['interrupted', 'failed', 'running'].includes(s.status) &&
        !s.destructiveBegun &&
        !Object.values(s.hosts).some((h) => h.commandIndex > 0 || h.status === 'ok')
      )
        resumeIndex = -1;
    }
    try {
      for (let i = 0; i < procedure.steps.length; i++) {
        const js = journal.steps[i]!;
        if (js.status === 'ok' || js.status === 'skipped') continue;
        const outcome = await runStep(i, i === resumeIndex);
        if (outcome !== 'continue')
          await panelChain; // the observation after the failure, before the end
        else if (journal.steps[i]!.status === 'ok') void observe(`after step ${i + 1}/${procedure.steps.length}`);
        if (outcome === 'continue') {
          await pauseAtBoundary(stateDir, procedure.steps[i]!.id); // test-only, see pauseAtBoundary
          continue;
        }
        await lookAtHosts().catch(() => undefined);
        if (outcome.end === 'failed') {
          finish('failed', { failure: outcome.failure });
          return;
        }
        if (outcome.end === 'stopped-at-gate') {
          finish('stopped-at-gate', { gate: outcome.gate });
          return;
        }
        finish('aborted', { message: outcome.message });
        return;
      }
      await panelChain;
      finish('ok');
    } catch (e) {
      const idx = procedure.steps.findIndex((s) => s.id === journal.currentStep);
      if (idx >= 0 && journal.steps[idx]!.status === 'running')
        setStep(idx, 'interrupted', e instanceof Cancelled ? 'cancelled by the operator' : errMessage(e));
      await lookAtHosts().catch(() => undefined);
      finish('aborted', { message: e instanceof Cancelled ? 'cancelled by the operator' : `internal error: ${errMessage(e)}` });
    }
  }

  const session: ProcedureRun = {
    runId,
    journalPath: journalPath(stateDir, runId),
    getSnapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    answerGate(approved) {
      gateAnswer?.(approved);
    },
    answerFailure(choice) {
      failureAnswer?.(choice);
    },
    cancel() {
      if (cancelled || finalResult) return;
      cancelled = true;
      abort.abort();
      markCancelled();
    },
    finished() {
      return session.result().then((r) => r.snapshot);
    },
    result() {
      if (finalResult) return Promise.resolve(finalResult);
      return new Promise<RunResult>((resolve) => resultWaiters.push(resolve));
    },
  };
  // Starts after the caller has had the chance to subscribe.
  setImmediate(() => void loop());
  return session;
}
