// A health run: every (check, host) cell of the matrix, run in parallel over a Runner, filled in as
// results arrive (src/model/health.ts is the interface; the Health screen and `day2-tui check` read it).
//
// Scheduling, so that a slow or dead host never delays the others:
// - Cells are queued check by check; the pump takes the first queued cell that may start, up to
//   `concurrency` cells in flight.
// - A host is first tried with ONE cell. When a command comes back from it (whatever its exit code) the
//   host is known usable and up to PER_HOST cells run there at once. A TransportError (host key,
//   auth, unreachable, connection lost), or a runner that does not answer at all within the timeout,
//   marks the host unusable for this run: its remaining cells become 'error' at once, not tried again.
// - With a runner that has runBatch (the SSH runner), a host's startable cells go to it together: their
//   commands run one after the other in ONE session (up to MAX_BATCH_CELLS cells per session), because
//   a session's start (sshd, login shell, ~/.bashrc) costs more than these commands; each cell is
//   settled as soon as its own commands are back. `concurrency` then counts sessions (≈ hosts).
// - A check's `pre` stage runs once on the bastion; that check's host cells wait for it (without
//   holding a slot) and become 'error' with its reason when it fails.
// - Each command has a timeout (default 30 s): the cell becomes 'error' "no answer within N s".
// - Each host has ONE deadline (default: the timeout and its grace, 40 s) for all its checks: it runs while
//   the host has cells running and starts again whenever the host answers a command. When it passes, every
//   check of the host still to come is 'error' naming it, and its commands are told to stop without being
//   waited for: a host that stops answering costs one deadline, not one timeout per queued check.

import { redact as redactText } from '../engine/redact.js';
import { derivedStore, type RunStore } from '../engine/run-store.js';
import type { Host, Inventory } from '../inventory/types.js';
import { type CheckResult, cellKey, type HealthRun, type HealthSnapshot } from '../model/health.js';
import { quoteWord, type ShellCommand } from '../transport/shell.js';
import { type CommandResult, type Runner, type Target, TransportError } from '../transport/types.js';
import { evaluateFacts } from './common.js';
import { ALL_CHECKS } from './index.js';
import type { Check, CheckContext, CommandOutput, Fix, Verdict } from './types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 30_000;
export const DEFAULT_CHECK_CONCURRENCY = 16;
/** Cells (or, with a batching runner, sessions) running at once on one host (sshd allows 10 sessions by default). */
const PER_HOST = 4;
/**
 * Most cells put in one session of a batching runner. Their commands run one after the other there, so
 * a slow one delays the cells after it (on that host only): a host with more cells gets more sessions,
 * in parallel once it answered.
 */
const MAX_BATCH_CELLS = 6;
/** A verdict that asks to measure again (Verdict.again): how many more tries, and how long after. */
const MAX_AGAIN = 2;
const AGAIN_DELAY_MS = 1000;
/**
 * How long past its timeout a command may take to come back before the run stops waiting for it (a
 * runner that does not answer at all). Long enough for the SSH runner to kill a hung remote command
 * (SIGTERM, then SIGKILL after 2 s) and report `timedOut`; half the timeout when that is shorter.
 */
const backstopGraceMs = (timeoutMs: number) => Math.min(10_000, Math.max(100, timeoutMs / 2));

export interface HealthRunOptions {
  inventory: Inventory;
  runner: Runner;
  /** The checks to choose from, in guide order (default ALL_CHECKS). */
  checks?: readonly Check<unknown, unknown>[];
  /** Check ids to run (default: all of `checks`). Unknown ids → HealthRunError. */
  only?: readonly string[];
  /**
   * Inventory hosts to run on (`--limit`): full names, short names (`master-0`) when unambiguous,
   * or a group name. Unknown or ambiguous → HealthRunError. With a limit, cluster-wide (bastion)
   * checks are left out: the run is about those hosts.
   */
  limit?: readonly string[];
  /** The `oc` binary (default `oc`). */
  oc?: string;
  /**
   * When set, `oc` cannot be used (not installed): bastion commands that call it are not run, and their
   * cells are 'error' with this message (e.g. "oc not found: install the OpenShift client or pass --oc PATH").
   */
  ocUnavailable?: string;
  /** Cells in flight at once (default 16). The Runner has its own global limit too. */
  concurrency?: number;
  /** Per-command timeout (default 30 s). */
  timeoutMs?: number;
  /** How long a host may leave every command sent to it unanswered before all its checks are given up
   * (default: the timeout and its grace, 40 s). */
  hostDeadlineMs?: number;
  /** The bastion's clock (default Date.now): the checks' "now" and when each answer came back. */
  now?: () => number;
}

/** A bad selection (unknown check id or host, ambiguous short name, nothing to check). Nothing has run. */
export class HealthRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthRunError';
  }
}

type AnyCheck = Check<unknown, unknown>;
type Raw = NonNullable<CheckResult['raw']>;

interface Cell {
  key: string;
  check: AnyCheck;
  host: Host | undefined;
  result: CheckResult;
  /** Bumped by rerun/dispose: a result of an older generation is dropped. */
  gen: number;
  abort?: AbortController;
  /**
   * A check with `across`: this cell's own outcome (its verdict, its facts when it parsed, its result's
   * extras), kept for the comparison with the other cells of the check.
   */
  own?: { verdict: Verdict; facts?: { value: unknown }; extra: Partial<CheckResult> };
  /** Has its own outcome and waits for the other cells of its check (shown running, not running on its host). */
  held?: boolean;
  /** Tries taken again because the verdict could not decide (Verdict.again). */
  again?: number;
  /** The timer that puts it back in the queue for such a try. */
  againTimer?: NodeJS.Timeout;
}

type PreOutcome = { ok: true; value: unknown; raw: Raw } | { ok: false; message: string; fix?: Fix; raw: Raw };

interface PreState {
  gen: number;
  outcome?: PreOutcome;
  abort: AbortController;
}

interface HostState {
  /** A command came back from it this run. */
  usable: boolean;
  /** Why it cannot be used this run. */
  dead?: { message: string; fix?: Fix; details: Record<string, unknown> };
  inFlight: number;
  /** Its deadline, while it has cells running (see restartDeadline). */
  deadline?: NodeJS.Timeout;
}

/** A cell's verdict from its commands, with its facts when they were parsed (for `across`). */
type Concluded = { verdict: Verdict; facts?: { value: unknown } };

/** What one command came to. */
type Outcome =
  /** sentAt / receivedAt: the bastion's clock when the command was handed to the runner / its answer came back. */
  | { kind: 'result'; result: CommandResult; sentAt: number; receivedAt: number }
  | { kind: 'transport'; error: TransportError }
  | { kind: 'failed'; error: unknown }
  /** The runner did not come back at all (timeout + grace). */
  | { kind: 'silent' }
  | { kind: 'cancelled' };

// ---- selection --------------------------------------------------------------------------------------

/** The inventory hosts `--limit` names, in inventory order. Throws HealthRunError for unknown/ambiguous. */
export function resolveLimit(inventory: Inventory, names: readonly string[]): Host[] {
  const chosen = new Set<Host>();
  for (const raw of names) {
    const name = raw.trim();
    const lower = name.toLowerCase();
    const exact = inventory.hosts.find((h) => h.name.toLowerCase() === lower);
    if (exact) {
      chosen.add(exact);
      continue;
    }
    const short = inventory.hosts.filter((h) => h.name.toLowerCase().split('.')[0] === lower || h.address.toLowerCase() === lower);
    if (short.length === 1) {
      chosen.add(short[0]!);
      continue;
    }
    if (short.length > 1) {
      throw new HealthRunError(`--limit ${name} is ambiguous: it could be ${short.map((h) => h.name).join(', ')}`);
    }
    const group = inventory.groups[name];
    if (group && group.length > 0) {
      for (const h of inventory.hosts) if (group.includes(h.name)) chosen.add(h);
      continue;
    }
    const sample = inventory.hosts
      .slice(0, 4)
      .map((h) => h.name)
      .join(', ');
    throw new HealthRunError(
      `unknown host '${name}' in --limit (the inventory has ${inventory.hosts.length} hosts${sample ? `, e.g. ${sample}` : ''})`,
    );
  }
  return inventory.hosts.filter((h) => chosen.has(h));
}

function selectChecks(all: readonly AnyCheck[], only: readonly string[] | undefined): AnyCheck[] {
  if (!only) return [...all];
  for (const id of only) {
    if (!all.some((c) => c.id === id)) throw new HealthRunError(`unknown check '${id}' (checks: ${all.map((c) => c.id).join(', ')})`);
  }
  return all.filter((c) => only.includes(c.id));
}

// ---- small helpers ----------------------------------------------------------------------------------

/**
 * Removes what looks like a secret (tokens, passwords, private keys) from text kept for display: the
 * engine's redaction (src/engine/redact.ts), with the marker the health results have always shown.
 */
export function redact(text: string): string {
  return redactText(text, [], '<redacted>');
}

function uses(script: string, program: string): boolean {
  const word = quoteWord(program).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s;&|(])${word}(?=\\s|$|[;&|)])`).test(script);
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

function fixOf(text: string | undefined): { fix?: Fix } {
  return text ? { fix: { text } } : {};
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- the run ----------------------------------------------------------------------------------------
/** Every (check, host) cell of the matrix, in guide order then inventory order; the hosts with a row. */
function matrixOf(checks: readonly AnyCheck[], inventory: Inventory, limited: Host[] | undefined, only: readonly string[] | undefined) {
  const cells = new Map<string, Cell>();
  const rowHosts = new Set<string>();
  for (const check of checks) {
    if (check.placement.on === 'bastion') {
      if (limited) continue;
      const key = cellKey(check.id, null);
      cells.set(key, { key, check, host: undefined, gen: 0, result: { check: check.id, host: null, status: 'pending', message: '' } });
      continue;
    }
    const roles = check.placement.roles;
    for (const host of limited ?? inventory.hosts) {
      if (!host.roles.some((r) => roles.includes(r))) continue;
      const key = cellKey(check.id, host.name);
      rowHosts.add(host.name);
      cells.set(key, { key, check, host, gen: 0, result: { check: check.id, host: host.name, status: 'pending', message: '' } });
    }
  }
  if (cells.size === 0) {
    const what = only ? `check${only.length > 1 ? 's' : ''} ${only.join(', ')}` : 'no check';
    throw new HealthRunError(
      limited
        ? `nothing to check: ${what} ${only ? 'do not apply to' : 'applies to'} ${limited.map((h) => h.name).join(', ')}`
        : `nothing to check: ${what} applies to this inventory`,
    );
  }
  return { cells, rowHosts };
}

/** A cell's commands, or its verdict when it cannot run. */
type Prepared =
  | { kind: 'verdict'; verdict: Verdict; raw: Raw }
  | { kind: 'commands'; target: Target; commands: Record<string, ShellCommand>; preValue: unknown; raw: Raw };

export function startHealthRun(options: HealthRunOptions): HealthRun {
  const run = new HealthRunner(options);
  queueMicrotask(() => run.pump());
  return run.session();
}

/** One health run: its cells, the hosts' state, the queue and the pump that starts what may start. */
class HealthRunner {
  private readonly runner: Runner;
  private readonly oc: string;
  private readonly now: () => number;
  private readonly ctx: CheckContext;
  private readonly timeoutMs: number;
  private readonly hostDeadlineMs: number;
  private readonly concurrency: number;
  /**
   * A runner that can run several commands in one session: a host's cells go there together (one
   * session per host instead of one per command; see Runner.runBatch). `concurrency` then counts sessions.
   */
  private readonly batching: boolean;
  private readonly cells: Map<string, Cell>;
  private readonly checkIds: string[];
  private readonly hostNames: string[];
  private queue: Cell[];
  private inFlight = 0;
  private disposed = false;
  private readonly hosts = new Map<string, HostState>();
  private readonly pres = new Map<string, PreState>();
  private waiters: ((s: HealthSnapshot) => void)[] = [];
  private readonly store: RunStore<HealthSnapshot>;

  constructor(private readonly options: HealthRunOptions) {
    const { inventory, runner } = options;
    const checks = selectChecks(options.checks ?? ALL_CHECKS, options.only);
    const limited = options.limit ? resolveLimit(inventory, options.limit) : undefined;
    this.runner = runner;
    this.oc = options.oc ?? 'oc';
    this.now = options.now ?? Date.now;
    this.ctx = { inventory, oc: this.oc, now: this.now };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    this.hostDeadlineMs = options.hostDeadlineMs ?? this.timeoutMs + backstopGraceMs(this.timeoutMs);
    this.concurrency = Math.max(1, options.concurrency ?? DEFAULT_CHECK_CONCURRENCY);
    this.batching = typeof runner.runBatch === 'function';
    const { cells, rowHosts } = matrixOf(checks, inventory, limited, options.only);
    this.cells = cells;
    this.checkIds = checks.filter((c) => [...this.cells.values()].some((cell) => cell.check === c)).map((c) => c.id);
    this.hostNames = inventory.hosts.filter((h) => rowHosts.has(h.name)).map((h) => h.name);
    this.queue = [...this.cells.values()];
    this.store = derivedStore((): HealthSnapshot => {
      const results = new Map<string, CheckResult>();
      for (const [k, c] of this.cells) results.set(k, c.result);
      return { checks: this.checkIds, hosts: this.hostNames, results, done: this.isDone() };
    });
  }

  /** The run as the Health screen and `day2-tui check` hold it. */
  session(): HealthRun {
    return {
      getSnapshot: () => this.getSnapshot(),
      subscribe: (listener) => this.store.subscribe(listener),
      finished: () => {
        if (this.isDone()) return Promise.resolve(this.getSnapshot());
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      rerun: (which) => this.rerun(which),
      dispose: () => this.dispose(),
    };
  }

  private hostState(h: Host): HostState {
    let s = this.hosts.get(h.name);
    if (!s) this.hosts.set(h.name, (s = { usable: false, inFlight: 0 }));
    return s;
  }

  private isDone(): boolean {
    return [...this.cells.values()].every((c) => c.result.status !== 'pending' && c.result.status !== 'running');
  }

  private getSnapshot(): HealthSnapshot {
    return this.store.snapshot();
  }

  private changed(): void {
    this.store.changed();
    if (this.waiters.length > 0 && this.isDone()) {
      const w = this.waiters;
      this.waiters = [];
      const s = this.getSnapshot();
      for (const resolve of w) resolve(s);
    }
  }

  /**
   * The cell's verdict. A cell of a check with `across` keeps it as its own outcome and is held until every
   * cell of the check has one; then all of them get the comparison's verdicts (see compareIfComplete).
   */
  private settle(cell: Cell, verdict: Verdict, extra: Partial<CheckResult> = {}, facts?: { value: unknown }): void {
    if (!cell.check.across || !cell.host || this.disposed) {
      this.apply(cell, verdict, extra);
      return;
    }
    const timing: Partial<CheckResult> = {};
    if (cell.result.startedAt !== undefined) {
      timing.startedAt = cell.result.startedAt;
      timing.durationMs = this.now() - cell.result.startedAt;
    }
    cell.own = { verdict, ...(facts ? { facts } : {}), extra: { ...timing, ...extra } };
    cell.held = true;
    cell.abort = undefined;
    cell.result = {
      check: cell.check.id,
      host: cell.host.name,
      status: 'running',
      message: 'waiting for the other hosts of this check',
      ...(timing.startedAt !== undefined ? { startedAt: timing.startedAt } : {}),
    };
    this.compareIfComplete(cell.check);
  }

  /** Every cell of an `across` check has its own outcome: the comparison's verdicts settle them all. */
  private compareIfComplete(check: AnyCheck): void {
    const group = [...this.cells.values()].filter((c) => c.check === check);
    if (group.some((c) => !c.own || c.result.status === 'pending' || (c.result.status === 'running' && !c.held))) return;
    const inputs = group.map((c) => ({ host: c.host!, verdict: c.own!.verdict, ...(c.own!.facts ? { facts: c.own!.facts.value } : {}) }));
    let verdicts: Verdict[];
    try {
      verdicts = check.across!(inputs, this.ctx);
    } catch (e) {
      verdicts = inputs.map((i) =>
        i.verdict.status === 'error'
          ? i.verdict
          : { status: 'error', message: `${check.id}: comparing the hosts failed: ${errorMessage(e)}` },
      );
    }
    group.forEach((c, i) => {
      c.held = false;
      this.apply(c, verdicts[i] ?? c.own!.verdict, c.own!.extra);
    });
  }

  private apply(cell: Cell, verdict: Verdict, extra: Partial<CheckResult> = {}): void {
    const r: CheckResult = { check: cell.check.id, host: cell.host?.name ?? null, status: verdict.status, message: verdict.message };
    if (verdict.details) r.details = verdict.details;
    if (verdict.fix) r.fix = verdict.fix;
    if (cell.result.startedAt !== undefined) {
      r.startedAt = cell.result.startedAt;
      r.durationMs = this.now() - cell.result.startedAt;
    }
    Object.assign(r, extra);
    cell.result = r;
    cell.abort = undefined;
  }

  /** Runs one command: the runner's answer, or why there is none. Never rejects. */
  private async runCommand(target: Target, command: ShellCommand, signal: AbortSignal): Promise<Outcome> {
    if (signal.aborted) return { kind: 'cancelled' };
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        resolve({ kind: 'silent' });
        ac.abort();
      }, this.timeoutMs + backstopGraceMs(this.timeoutMs));
      ac.signal.addEventListener('abort', () => resolve({ kind: 'cancelled' }), { once: true });
    });
    const sentAt = this.now();
    const answer = this.outcomeOf(this.runner.run(target, command, { timeoutMs: this.timeoutMs, signal: ac.signal }), target, sentAt);
    try {
      const o = await Promise.race([answer, stop]);
      // the runner's own answer wins over the backstop when it is already there
      return o.kind === 'silent' && signal.aborted ? { kind: 'cancelled' } : o;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** The runner's answer as an Outcome; an answer from a host starts its deadline again. */
  private outcomeOf(answer: Promise<CommandResult>, target: Target, sentAt: number): Promise<Outcome> {
    return answer.then(
      (result): Outcome => {
        const receivedAt = this.now();
        if (target.kind === 'host' && !result.timedOut && !result.cancelled) this.restartDeadline(target.host);
        return result.cancelled && !result.timedOut ? { kind: 'cancelled' } : { kind: 'result', result, sentAt, receivedAt };
      },
      (error: unknown): Outcome => (error instanceof TransportError ? { kind: 'transport', error } : { kind: 'failed', error }),
    );
  }

  /** Runs a set of named commands in parallel; raw outputs by name. */
  private async runCommands(target: Target, commands: Record<string, ShellCommand>, signal: AbortSignal, prefix = '') {
    const names = Object.keys(commands);
    const outcomes = await Promise.all(names.map((n) => this.runCommand(target, commands[n]!, signal)));
    return this.collect(names, commands, outcomes, prefix);
  }

  /**
   * When a command was handed over — or, later and as sound, when the runner sent it to the host (its own
   * Date.now; used only when the run's clock is Date.now too): waiting for a connection, a free session or
   * a busy event loop then does not widen the ntp check's clock bracket.
   */
  private sentAtOf(o: Extract<Outcome, { kind: 'result' }>): number {
    const runnerSent = this.options.now === undefined ? o.result.sentAt : undefined;
    return runnerSent !== undefined && runnerSent > o.sentAt && runnerSent <= o.receivedAt ? runnerSent : o.sentAt;
  }

  /** Outputs and raw records by command name. */
  private collect(names: string[], commands: Record<string, ShellCommand>, outcomes: Outcome[], prefix = '') {
    const outputs: Record<string, CommandOutput> = {};
    const raw: Raw = {};
    names.forEach((n, i) => {
      const o = outcomes[i]!;
      if (o.kind === 'result') {
        outputs[n] = {
          exitCode: o.result.exitCode,
          stdout: o.result.stdout,
          stderr: o.result.stderr,
          sentAt: this.sentAtOf(o),
          receivedAt: o.receivedAt,
        };
        raw[prefix + n] = {
          command: redact(commands[n]!.script),
          exitCode: o.result.exitCode,
          stdout: redact(o.result.stdout),
          stderr: redact(o.result.stderr),
        };
      } else {
        const why =
          o.kind === 'transport'
            ? o.error.message
            : o.kind === 'failed'
              ? errorMessage(o.error)
              : o.kind === 'silent'
                ? `no answer within ${seconds(this.timeoutMs)} s`
                : 'cancelled';
        raw[prefix + n] = { command: redact(commands[n]!.script), exitCode: null, stdout: '', stderr: why };
      }
    });
    return { names, outcomes, outputs, raw };
  }

  /** The first command outcome that decides the cell without a verdict, as an error verdict. */
  private commandFailure(names: string[], outcomes: Outcome[]): (Verdict & { transport?: TransportError; silent?: boolean }) | undefined {
    const t = outcomes.find((o): o is Extract<Outcome, { kind: 'transport' }> => o.kind === 'transport');
    if (t)
      return {
        status: 'error',
        message: t.error.message,
        ...fixOf(t.error.hint),
        details: { transport: t.error.state },
        transport: t.error,
      };
    if (outcomes.some((o) => o.kind === 'silent')) {
      const n = names[outcomes.findIndex((o) => o.kind === 'silent')]!;
      return { status: 'error', message: `no answer within ${seconds(this.timeoutMs)} s (${n})`, details: { timedOut: n }, silent: true };
    }
    const timed = outcomes.findIndex((o) => o.kind === 'result' && o.result.timedOut);
    if (timed >= 0)
      return {
        status: 'error',
        message: `no answer within ${seconds(this.timeoutMs)} s (${names[timed]})`,
        details: { timedOut: names[timed] },
      };
    const f = outcomes.findIndex((o) => o.kind === 'failed');
    if (f >= 0)
      return { status: 'error', message: `${names[f]} could not run: ${errorMessage((outcomes[f] as { error: unknown }).error)}` };
    return undefined;
  }

  private ocBlocked(commands: Record<string, ShellCommand>): boolean {
    return this.options.ocUnavailable !== undefined && Object.values(commands).some((c) => uses(c.script, this.oc));
  }

  // ---- the pre stage

  private startPre(check: AnyCheck): void {
    const state: PreState = { gen: (this.pres.get(check.id)?.gen ?? 0) + 1, abort: new AbortController() };
    this.pres.set(check.id, state);
    void (async (): Promise<PreOutcome> => {
      const pre = check.pre!;
      let commands: Record<string, ShellCommand>;
      try {
        commands = pre.commands(this.ctx);
      } catch (e) {
        return { ok: false, message: `bastion stage: ${errorMessage(e)}`, raw: {} };
      }
      if (this.ocBlocked(commands))
        return {
          ok: false,
          message: this.options.ocUnavailable!,
          fix: { text: 'Install the OpenShift client (oc) on this machine and log in, or pass --oc PATH.' },
          raw: {},
        };
      const r = await this.runCommands({ kind: 'bastion' }, commands, state.abort.signal, 'bastion: ');
      const failure = this.commandFailure(r.names, r.outcomes);
      if (r.outcomes.some((o) => o.kind === 'cancelled')) return { ok: false, message: 'cancelled', raw: r.raw };
      if (failure)
        return { ok: false, message: `bastion stage failed: ${failure.message}`, ...(failure.fix ? { fix: failure.fix } : {}), raw: r.raw };
      try {
        return { ok: true, value: pre.parse(r.outputs, this.ctx), raw: r.raw };
      } catch (e) {
        return { ok: false, message: `bastion stage: could not understand the output: ${errorMessage(e)}`, raw: r.raw };
      }
    })().then((outcome) => {
      if (this.disposed || this.pres.get(check.id) !== state) return;
      state.outcome = outcome;
      this.pump();
    });
  }

  // ---- one cell

  /** The cell is running from now on. */
  private begin(cell: Cell): AbortController {
    const ac = new AbortController();
    cell.abort = ac;
    cell.held = false;
    cell.result = { check: cell.check.id, host: cell.host?.name ?? null, status: 'running', message: '', startedAt: this.now() };
    if (cell.host && !this.hostState(cell.host).deadline) this.restartDeadline(cell.host);
    return ac;
  }

  /** The cell's commands, or its verdict when it cannot run (pre stage failed, no oc, a bug). */
  private prepare(cell: Cell, pre: PreOutcome | undefined): Prepared {
    const raw: Raw = pre ? { ...pre.raw } : {};
    try {
      if (pre && !pre.ok)
        return { kind: 'verdict', verdict: { status: 'error', message: pre.message, ...(pre.fix ? { fix: pre.fix } : {}) }, raw };
      const preValue = pre?.ok ? pre.value : undefined;
      const commands = cell.check.commands(cell.host, this.ctx, preValue);
      if (!cell.host && this.ocBlocked(commands)) {
        return {
          kind: 'verdict',
          verdict: {
            status: 'error',
            message: this.options.ocUnavailable!,
            fix: { text: 'Install the OpenShift client (oc) on this machine and log in, or pass --oc PATH.' },
          },
          raw,
        };
      }
      const target: Target = cell.host ? { kind: 'host', host: cell.host } : { kind: 'bastion' };
      return { kind: 'commands', target, commands, preValue, raw };
    } catch (e) {
      return { kind: 'verdict', verdict: { status: 'error', message: `${cell.check.id}: ${errorMessage(e)}` }, raw };
    }
  }

  /** The verdict from the commands' outcomes (marks the host usable or dead on the way). */
  private conclude(
    cell: Cell,
    p: Extract<Prepared, { kind: 'commands' }>,
    r: Awaited<ReturnType<typeof HealthRunner.prototype.collect>>,
  ): Concluded {
    const hs = cell.host ? this.hostState(cell.host) : undefined;
    try {
      // a timed-out command is no answer: the host is not used more for it
      if (hs && r.outcomes.some((o) => o.kind === 'result' && !o.result.timedOut)) hs.usable = true;
      const failure = this.commandFailure(r.names, r.outcomes);
      if (failure) {
        const { transport, silent, ...v } = failure;
        let verdict: Verdict = v;
        if (hs && cell.host && (transport || (silent && !hs.usable))) {
          const message = transport ? transport.message : `no answer from ${cell.host.name} within ${seconds(this.timeoutMs)} s`;
          this.markDead(cell.host, { message, ...(v.fix ? { fix: v.fix } : {}), details: { ...(v.details ?? {}), unusable: true } });
          if (silent) verdict = { status: 'error', message, details: v.details ?? {} };
        }
        return { verdict };
      }
      if (r.outcomes.some((o) => o.kind === 'cancelled')) return { verdict: { status: 'error', message: 'cancelled' } };
      return evaluateFacts(cell.check, r.outputs, cell.host, this.ctx, p.preValue);
    } catch (e) {
      return { verdict: { status: 'error', message: `${cell.check.id}: ${errorMessage(e)}` } };
    }
  }

  private finishCell(cell: Cell, verdict: Verdict | Concluded, raw: Raw): void {
    const c: Concluded = 'verdict' in verdict ? verdict : { verdict };
    if (c.verdict.again && (cell.again ?? 0) < MAX_AGAIN && !this.disposed) {
      // could not decide: measure again a little later (the cell waits as pending, off its host's clock)
      cell.again = (cell.again ?? 0) + 1;
      cell.abort = undefined;
      cell.result = { check: cell.check.id, host: cell.host?.name ?? null, status: 'pending', message: '' };
      const gen = cell.gen;
      cell.againTimer = setTimeout(() => {
        cell.againTimer = undefined;
        if (this.disposed || cell.gen !== gen) return;
        this.queue.push(cell);
        this.pump();
      }, AGAIN_DELAY_MS);
      if (cell.host && this.runningOn(cell.host).length === 0) this.restartDeadline(cell.host);
      this.changed();
      return;
    }
    const { again: _again, ...final } = c.verdict;
    void _again;
    this.settle(cell, final, Object.keys(raw).length > 0 ? { raw } : {}, c.facts);
    if (cell.host && this.runningOn(cell.host).length === 0) this.restartDeadline(cell.host); // nothing left to wait for
    this.changed();
  }

  private async runCell(cell: Cell, gen: number, pre: PreOutcome | undefined): Promise<void> {
    const ac = this.begin(cell);
    this.changed();
    const current = () => !this.disposed && cell.gen === gen;
    const p = this.prepare(cell, pre);
    if (p.kind === 'verdict') {
      if (current()) this.finishCell(cell, p.verdict, p.raw);
      return;
    }
    let verdict: Verdict | Concluded;
    let raw = p.raw;
    try {
      if (cell.host && cell.check.warmConnection) await this.warmUp(cell.host, ac.signal);
      if (!current()) return;
      const r = await this.runCommands(p.target, p.commands, ac.signal);
      raw = { ...raw, ...r.raw };
      if (!current()) return;
      verdict = this.conclude(cell, p, r);
    } catch (e) {
      verdict = { status: 'error', message: `${cell.check.id}: ${errorMessage(e)}` };
    }
    if (!current()) return;
    this.finishCell(cell, verdict, raw);
  }

  /**
   * Several cells of one host in one session (Runner.runBatch): every command of every cell, in order;
   * each cell is settled as soon as its own commands came back. The backstop of a command (the runner
   * does not answer at all) counts from the end of the one before it.
   */
  private async runHostBatch(host: Host, entries: { cell: Cell; pre: PreOutcome | undefined }[]): Promise<void> {
    const target: Target = { kind: 'host', host };
    let jobs: { cell: Cell; gen: number; ac: AbortController; p: Extract<Prepared, { kind: 'commands' }>; names: string[] }[] = [];
    for (const { cell, pre } of entries) {
      const ac = this.begin(cell);
      const p = this.prepare(cell, pre);
      if (p.kind === 'verdict') this.finishCell(cell, p.verdict, p.raw);
      else jobs.push({ cell, gen: cell.gen, ac, p, names: Object.keys(p.commands) });
    }
    this.changed();
    if (jobs.some((j) => j.cell.check.warmConnection)) {
      await this.warmUp(host, jobs[0]!.ac.signal);
      // given up or cancelled meanwhile: settled already, not sent
      jobs = jobs.filter((j) => !this.disposed && j.cell.gen === j.gen && !j.ac.signal.aborted);
    }
    if (jobs.length === 0) return;
    const batch = jobs.flatMap((j) =>
      j.names.map((n) => ({ command: j.p.commands[n]!, options: { timeoutMs: this.timeoutMs, signal: j.ac.signal } })),
    );
    let answers: Promise<CommandResult>[];
    // every command of the session was handed over now (a later one only starts after the ones before it)
    const sentAt = this.now();
    try {
      answers = this.runner.runBatch!(target, batch);
    } catch (e) {
      answers = batch.map(() => Promise.reject(e));
    }
    // each answer's backstop starts when the one before it is settled
    let prev: Promise<unknown> = Promise.resolve();
    let i = 0;
    const perJob = jobs.map((j) =>
      j.names.map(() => {
        const answer = answers[i++]!;
        const startAfter = prev;
        const outcome = this.backstopped(this.outcomeOf(answer, target, sentAt), startAfter, j.ac.signal);
        prev = outcome;
        return outcome;
      }),
    );
    await Promise.all(
      jobs.map(async (j, k) => {
        const current = () => !this.disposed && j.cell.gen === j.gen;
        const outcomes = await Promise.all(perJob[k]!);
        if (!current()) return;
        const r = this.collect(j.names, j.p.commands, outcomes);
        const wasUsable = this.hostState(host).usable;
        this.finishCell(j.cell, this.conclude(j.cell, j.p, r), { ...j.p.raw, ...r.raw });
        // the host just answered: its other sessions may start now
        if (!wasUsable && this.hostState(host).usable) this.pump();
      }),
    );
  }

  /**
   * Opens the host's connection before a warmConnection check's commands are handed over, unless a command
   * already came back from it: bounded by the timeout and the signal; whatever the probe says, the commands
   * go next (a host that cannot be used fails them as usual).
   */
  private async warmUp(host: Host, signal: AbortSignal): Promise<void> {
    if (this.hostState(host).usable || signal.aborted) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        this.runner.probe(host).catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.timeoutMs);
          onAbort = () => resolve();
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** An answer of runBatch, or 'silent' when it is not there timeout + grace after `startAfter`. */
  private async backstopped(mapped: Promise<Outcome>, startAfter: Promise<unknown>, signal: AbortSignal): Promise<Outcome> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    let over = false;
    const stop = new Promise<Outcome>((resolve) => {
      void startAfter.then(() => {
        if (over) return;
        timer = setTimeout(() => resolve({ kind: 'silent' }), this.timeoutMs + backstopGraceMs(this.timeoutMs));
      });
      onAbort = () => resolve({ kind: 'cancelled' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([mapped, stop]);
    } finally {
      over = true;
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /** The host's cells that are running now. */
  private runningOn(host: Host): Cell[] {
    return [...this.cells.values()].filter((c) => c.host === host && c.result.status === 'running' && !c.held);
  }

  /** (Re)starts the host's one deadline while it has cells running; stops it when it has none. */
  private restartDeadline(host: Host): void {
    const hs = this.hostState(host);
    clearTimeout(hs.deadline);
    hs.deadline = !this.disposed && this.runningOn(host).length > 0 ? setTimeout(() => this.giveUp(host), this.hostDeadlineMs) : undefined;
  }

  /** The deadline passed: every check of the host still to come is an error; its commands are told to stop, never waited for. */
  private giveUp(host: Host): void {
    this.hostState(host).deadline = undefined;
    const message = `no answer from ${host.name} within its ${seconds(this.hostDeadlineMs)} s deadline`;
    const details = { deadlineMs: this.hostDeadlineMs, unusable: true };
    const fix = { text: `Log in to ${host.name} and see what hangs there (load, a stale NFS mount, a full disk, sshd).` };
    this.markDead(host, { message, fix, details });
    for (const cell of this.runningOn(host)) {
      cell.gen++; // its late answer is dropped
      cell.abort?.abort();
      this.settle(cell, { status: 'error', message, fix, details });
    }
    this.changed();
    this.pump(); // its queued cells get the same error
  }

  /** The host cannot be used this run: its queued cells fail now with the same reason. */
  private markDead(host: Host, dead: NonNullable<HostState['dead']>): void {
    const hs = this.hostState(host);
    if (hs.dead) return;
    hs.dead = dead;
  }

  // ---- the pump

  pump(): void {
    if (this.disposed) return;
    let touched = false;
    const rest: Cell[] = [];
    const start: { cell: Cell; pre: PreOutcome | undefined; hs: HostState | undefined }[] = [];
    /** Batch mode: the cells of one host that start together, in one session. */
    const batches = new Map<string, { host: Host; hs: HostState; entries: { cell: Cell; pre: PreOutcome | undefined }[] }>();
    for (const cell of this.queue) {
      const hs = cell.host ? this.hostState(cell.host) : undefined;
      if (hs?.dead) {
        this.settle(cell, {
          status: 'error',
          message: hs.dead.message,
          ...(hs.dead.fix ? { fix: hs.dead.fix } : {}),
          details: { ...hs.dead.details, notTried: true },
        });
        touched = true;
        continue;
      }
      let pre: PreOutcome | undefined;
      if (cell.check.pre && cell.host) {
        const ps = this.pres.get(cell.check.id);
        if (!ps) this.startPre(cell.check);
        if (!ps?.outcome) {
          rest.push(cell);
          continue;
        }
        pre = ps.outcome;
      }
      if (this.batching && cell.host && hs) {
        const b = batches.get(cell.host.name);
        if (b) {
          if (b.entries.length < MAX_BATCH_CELLS) {
            b.entries.push({ cell, pre });
            continue;
          }
        } else if (this.inFlight < this.concurrency && (hs.usable ? hs.inFlight < PER_HOST : hs.inFlight === 0)) {
          this.inFlight++;
          hs.inFlight++;
          batches.set(cell.host.name, { host: cell.host, hs, entries: [{ cell, pre }] });
          continue;
        }
        rest.push(cell);
        continue;
      }
      const mayStart = this.inFlight < this.concurrency && (!hs || (hs.usable ? hs.inFlight < PER_HOST : hs.inFlight === 0));
      if (!mayStart) {
        rest.push(cell);
        continue;
      }
      this.inFlight++;
      if (hs) hs.inFlight++;
      start.push({ cell, pre, hs });
    }
    this.queue = rest;
    if (touched) this.changed();
    for (const { cell, pre, hs } of start) {
      void this.runCell(cell, cell.gen, pre).finally(() => {
        this.inFlight--;
        if (hs) hs.inFlight--;
        this.pump();
      });
    }
    for (const { host, hs, entries } of batches.values()) {
      void this.runHostBatch(host, entries)
        .catch(() => {
          // runHostBatch settles its cells itself; a bug there must not stop the pump
        })
        .finally(() => {
          this.inFlight--;
          hs.inFlight--;
          this.pump();
        });
    }
  }

  // ---- the HealthRun

  private rerun(which?: { check: string; host: string | null }[]): void {
    if (this.disposed) return;
    const chosen = which
      ? which.map((w) => this.cells.get(cellKey(w.check, w.host))).filter((c): c is Cell => c !== undefined)
      : [...this.cells.values()];
    if (chosen.length === 0) return;
    const again = new Set(chosen);
    for (const cell of chosen) {
      cell.gen++;
      cell.abort?.abort();
      cell.abort = undefined;
      delete cell.own;
      cell.held = false;
      cell.again = 0;
      clearTimeout(cell.againTimer);
      cell.againTimer = undefined;
      cell.result = { check: cell.check.id, host: cell.host?.name ?? null, status: 'pending', message: '' };
      // a rerun tries the host again and asks the bastion again
      if (cell.host) {
        const hs = this.hostState(cell.host);
        delete hs.dead;
        hs.usable = false;
      }
      const ps = this.pres.get(cell.check.id);
      if (ps) {
        ps.abort.abort();
        this.pres.delete(cell.check.id);
      }
    }
    // queued cells stay where they are; the others join in guide order
    const queued = new Set(this.queue);
    this.queue = [...this.cells.values()].filter((c) => queued.has(c) || again.has(c));
    for (const h of new Set(chosen.map((c) => c.host))) if (h) this.restartDeadline(h);
    this.changed();
    this.pump();
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const hs of this.hosts.values()) clearTimeout(hs.deadline);
    for (const ps of this.pres.values()) ps.abort.abort();
    for (const cell of this.cells.values()) clearTimeout(cell.againTimer);
    for (const cell of this.cells.values()) {
      if (cell.result.status === 'pending' || cell.result.status === 'running') {
        cell.gen++;
        cell.abort?.abort();
        this.settle(cell, { status: 'error', message: 'cancelled' });
      }
    }
    this.queue = [];
    this.changed();
    this.store.close();
  }
}
