// One step of a run, in the order the Operator sees it: skipIf → hosts → (on resume) its verification
// first → gate → precondition on every host → commands, captures and verification per host. A problem
// asks the Operator (operator-channel.ts) what to do: retry, skip or abort. The journal is saved before
// every command, so a crash leaves "this command may have run" and never less.
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import { downloadText, uploadText } from '../transport/types.js';
import type { AuditInput } from './audit.js';
import { captureProblem, type RunCaptures } from './captures.js';
import { type HostProgress, hostKey, type Journal, type JournalStep } from './journal.js';
import { failureText, type OperatorChannel, type RunFailureInfo } from './operator-channel.js';
import type { PanelObserver } from './panel.js';
import { pauseAtBoundary } from './pause.js';
import { isParallel, resolveGate, resolvePlacement } from './plan.js';
import type { Redactor } from './redact.js';
import type { RunLog } from './run-log.js';
import type { StepView } from './session.js';
import { Cancelled, DEFAULT_STEP_TIMEOUT_MS, errMessage, type FileCopy, type Problem, type StepExecutor } from './step-executor.js';
import type { EngineEvent, FailureChoice, Procedure, ResolvedGate, Step, StepContext, StepStatus } from './types.js';

export type StepOutcome =
  | 'continue'
  | { end: 'failed'; failure: RunFailureInfo }
  | { end: 'stopped-at-gate'; gate: ResolvedGate }
  | { end: 'aborted'; message: string };

/** What a step needs of its run: the journal, the parts, and how to tell the console. */
export interface RunParts {
  procedure: Procedure;
  stateDir: string;
  journal: Journal;
  views: StepView[];
  redactor: Redactor;
  executor: StepExecutor;
  channel: OperatorChannel;
  panel: PanelObserver;
  log: RunLog;
  captures: RunCaptures;
  signal: AbortSignal;
  gateApprovedBy: 'operator' | '--yes';
  now(): Date;
  save(): void;
  audit(entry: AuditInput): void;
  emit(e: EngineEvent): void;
  changed(): void;
  runContext(): StepContext;
  setStep(i: number, status: StepStatus, message?: string): void;
  /** The step under way now (the snapshot's `current`). */
  setCurrent(step: string): void;
}

type Target = Host | undefined;
type Output = { exitCode: number | null; stdout: string; stderr: string };

const keyOf = (t: Target): string => hostKey(t?.name ?? null);
const iso = (d: Date): string => d.toISOString();
const firstLine = (text: string): string => text.split('\n')[0] ?? '';

/** Runs step `i` of the procedure (again from its start: a retry of what decides the step comes back here). */
export function runStep(parts: RunParts, i: number, resuming: boolean): Promise<StepOutcome> {
  return new StepRun(parts, i, resuming).run();
}

class StepRun {
  private readonly step: Step;
  private readonly js: JournalStep;
  private readonly base: StepContext;
  private readonly startedMs: number;
  /** The commands' outputs per host, for the captures. */
  private readonly outputs = new Map<string, Output[]>();
  /** Ends the follow of each host (Step.follow). */
  private readonly followStops = new Map<string, () => Promise<void>>();

  constructor(
    private readonly p: RunParts,
    private readonly i: number,
    private readonly resuming: boolean,
  ) {
    this.step = p.procedure.steps[i]!;
    this.js = p.journal.steps[i]!;
    this.base = p.runContext();
    this.startedMs = Date.now();
  }

  async run(): Promise<StepOutcome> {
    this.begin();
    const skipped = await this.skipIf();
    if (skipped) return skipped;
    const targets = await this.placement();
    if (!Array.isArray(targets)) return targets;
    const resumed = await this.resumeCheck(targets);
    if (resumed === 'continue' || 'end' in resumed) return resumed;
    const todo = targets.filter((t) => !resumed.done.has(keyOf(t)));
    const gated = await this.gate(todo, resumed.repeat);
    if (gated) return gated;
    this.freshStart(todo);
    const refused = await this.precondition(todo);
    if (refused) return refused;
    const failed = await this.runHosts(todo);
    if (failed) return failed;
    this.end('ok');
    return 'continue';
  }

  private info(text: string): void {
    this.p.log.info(this.step.id, text);
  }

  private begin(): void {
    const { p, js } = this;
    p.setCurrent(this.step.id);
    p.journal.currentStep = this.step.id;
    js.startedAt = iso(p.now());
    delete js.endedAt;
    p.setStep(this.i, 'running');
    p.save();
    p.changed();
  }

  private end(status: StepStatus, message?: string): void {
    const { p, js } = this;
    p.setStep(this.i, status, message);
    js.endedAt = iso(p.now());
    p.views[this.i]!.durationMs = Date.now() - this.startedMs;
    p.save();
    const ev: EngineEvent = { type: 'step-end', step: this.step.id, status, durationMs: Date.now() - this.startedMs };
    if (js.message) ev.message = js.message;
    p.emit(ev);
    p.changed();
  }

  private skip(reason: string): StepOutcome {
    this.info(`skipped: ${reason}`);
    this.p.emit({ type: 'step-start', step: this.step.id, hosts: [] });
    this.end('skipped', reason);
    return 'continue';
  }

  /** A problem of what decides the step (not of a host's commands): its retry runs the whole step again. */
  private async decisionFailed(command: string, e: unknown): Promise<StepOutcome> {
    const r = await this.onProblem({ host: null, command, exitCode: null, tail: errMessage(e) });
    return r === 'retry' ? runStep(this.p, this.i, this.resuming) : r;
  }

  // a destructive step, or a guard of one, is never skipped: skipping a guard would let what it guards run unchecked
  private choices(): FailureChoice[] {
    return this.step.destructive || this.step.guard ? ['retry', 'abort'] : ['retry', 'skip', 'abort'];
  }

  /** Asks the Operator what to do about a problem; 'retry' means: try again. */
  private async onProblem(problem: Problem): Promise<'retry' | StepOutcome> {
    const { p, step } = this;
    const failure: RunFailureInfo = {
      step: step.id,
      command: p.redactor(problem.command),
      host: problem.host,
      exitCode: problem.exitCode,
      tail: p.redactor(problem.tail),
      choices: this.choices(),
      ...(problem.check ? { check: problem.check } : {}),
      ...(problem.check && problem.describe ? { describe: p.redactor(problem.describe) } : {}),
    };
    const on = problem.host ? `${problem.host}: ` : '';
    const hp = this.js.hosts[hostKey(problem.host)];
    if (hp) {
      hp.status = 'failed';
      hp.exitCode = problem.exitCode;
      hp.message = firstLine(failure.tail);
    }
    p.setStep(this.i, 'failed', `${on}${firstLine(failure.tail)}`);
    p.save();
    void p.panel.observe(`after the failure of step ${this.i + 1}/${p.procedure.steps.length}`);
    const choice = await p.channel.askFailure(failure);
    p.audit({ kind: 'failure-choice', step: step.id, text: `${choice} after: ${failureText(failure)}` });
    if (p.signal.aborted) throw new Cancelled();
    if (choice === 'retry') {
      p.setStep(this.i, 'running');
      p.save();
      this.info(`retrying ${step.title}${problem.host ? ` on ${problem.host}` : ''}`);
      return 'retry';
    }
    if (choice === 'skip') {
      const where = problem.host ? ` on ${problem.host}` : '';
      this.end('skipped', `skipped by the operator after a failure${where}: ${firstLine(failure.tail)}`);
      return 'continue';
    }
    this.end('failed', `${on}${firstLine(failure.tail)}`);
    return { end: 'failed', failure };
  }

  private async skipIf(): Promise<StepOutcome | undefined> {
    try {
      const reason = this.step.skipIf?.(this.base);
      return reason ? this.skip(reason) : undefined;
    } catch (e) {
      return this.decisionFailed('(deciding whether to skip the step)', e);
    }
  }

  /** The step's hosts (undefined: the bastion), or how the step ended without any. */
  private async placement(): Promise<Target[] | StepOutcome> {
    const { p, step, js } = this;
    let hosts: Host[];
    for (;;) {
      try {
        hosts = resolvePlacement(step.where, this.base);
        break;
      } catch (e) {
        const r = await this.onProblem({ host: null, command: '(choosing the hosts of the step)', exitCode: null, tail: errMessage(e) });
        if (r !== 'retry') return r;
      }
    }
    if (hosts.length === 0 && step.where.on !== 'bastion') {
      // a host step with no host left (e.g. none flagged by a check) runs nowhere — never on the bastion instead
      return this.skip(`no host to run on${step.where.on === 'hosts' ? ` (${step.where.describe})` : ''}`);
    }
    const targets: Target[] = hosts.length > 0 ? hosts : [undefined];
    p.views[this.i]!.hosts = hosts.map((h) => h.name);
    for (const t of targets) js.hosts[keyOf(t)] ??= { status: 'pending', commandIndex: 0 };
    p.save();
    p.emit({ type: 'step-start', step: step.id, hosts: hosts.map((h) => h.name) });
    return targets;
  }

  /** On resume, the interrupted step's verification first: the hosts where it holds are done. */
  private async resumeCheck(targets: Target[]): Promise<{ done: Set<string>; repeat?: string } | StepOutcome> {
    const done = new Set<string>();
    if (!this.resuming) return { done };
    for (const t of targets) if (this.js.hosts[keyOf(t)]?.status === 'ok') done.add(keyOf(t));
    if (this.step.verify) await this.verifyOnResume(targets, done);
    else this.info('resuming: this step has no verification; it runs again');
    if (targets.every((t) => done.has(keyOf(t)))) {
      this.info('verified: the interrupted step had finished');
      this.end('ok', 'verified on resume');
      return 'continue';
    }
    const repeat = this.repeatWarning(targets, done);
    return repeat ? { done, repeat } : { done };
  }

  private async verifyOnResume(targets: Target[], done: Set<string>): Promise<void> {
    const { p, step, js } = this;
    this.info(`resuming: checking "${step.verify!.describe}" before anything runs again`);
    for (const t of targets) {
      const k = keyOf(t);
      if (done.has(k)) continue;
      const problem = await p.executor.runCheck(step, step.verify!, 'verification', this.hostCtx(t));
      const needsCapture = step.capture && Object.keys(step.capture).some((n) => !p.captures.has(step.id, t?.name ?? null, n));
      if (!problem && !needsCapture) {
        done.add(k);
        js.hosts[k] = { ...js.hosts[k]!, status: 'ok' };
      } else {
        const why = problem ? firstLine(problem.tail) : 'verification passed, but the values this step captures were not recorded';
        this.info(`${t ? `${t.name}: ` : ''}${why}: the step runs again`);
      }
    }
    p.save();
  }

  /**
   * A repeat only where the step's part had begun: a host still pending at command 0 was never sent a
   * command (the journal is saved before each one), so running it now is its first run, not a repeat.
   */
  private repeatWarning(targets: Target[], done: Set<string>): string | undefined {
    const { js, step } = this;
    const begun = targets.filter((t) => {
      const hp = js.hosts[keyOf(t)];
      return !done.has(keyOf(t)) && !!hp && (hp.status !== 'pending' || hp.commandIndex > 0);
    });
    if (!step.destructive || !js.destructiveBegun || begun.length === 0) return undefined;
    const where = begun
      .map((t) => {
        const hp = js.hosts[keyOf(t)]!;
        return (
          `${t?.name ?? 'bastion'} had reached command ` +
          `${Math.min(hp.commandIndex + 1, hp.commandCount ?? hp.commandIndex + 1)}${hp.commandCount ? ` of ${hp.commandCount}` : ''}`
        );
      })
      .join('; ');
    return (
      `REPEAT OF A DESTRUCTIVE STEP: "${step.title}" was interrupted after it began (${where}) and will run again ` +
      `from its first command.`
    );
  }

  /** The step's gate, when it has one: the run goes on only once the Operator approved. */
  private async gate(todo: Target[], repeat: string | undefined): Promise<StepOutcome | undefined> {
    const { p, step, js } = this;
    let gate: ResolvedGate | undefined;
    try {
      const todoHosts = todo.filter((t): t is Host => t !== undefined);
      gate = resolveGate(step, this.base, todoHosts, p.redactor, repeat);
    } catch (e) {
      return this.decisionFailed('(describing the gate)', e);
    }
    if (!gate) return undefined;
    if (repeat) this.info(repeat);
    p.audit({ kind: 'gate', step: step.id, text: `asked: ${gate.what}` });
    const ok = await p.channel.askGate(gate);
    if (p.signal.aborted) throw new Cancelled();
    const by = p.gateApprovedBy;
    // a type-host gate is approved only when the name was typed exactly: the record says which name
    const typed = ok && gate.kind === 'type-host' && by === 'operator' && gate.expect ? ` (typed ${gate.expect})` : '';
    p.audit({ kind: 'gate', step: step.id, text: ok ? `approved by ${by}${typed}` : 'not approved' });
    if (!ok) {
      this.info(`stopped at the gate: ${gate.what}`);
      const begun = js.destructiveBegun || Object.values(js.hosts).some((h) => h.commandIndex > 0);
      p.setStep(this.i, begun ? 'interrupted' : 'pending', 'stopped at the gate');
      js.endedAt = iso(p.now());
      p.save();
      return { end: 'stopped-at-gate', gate };
    }
    if (repeat) {
      (js.repeats ??= []).push({ at: iso(p.now()), approvedBy: by, reason: repeat });
      p.audit({ kind: 'repeat-destructive', step: step.id, text: `${repeat} Approved by ${by}.` });
      this.info(`${repeat} Approved by ${by}.`);
      p.save();
    }
    return undefined;
  }

  /** A fresh run of the step on the hosts still to do. */
  private freshStart(todo: Target[]): void {
    for (const t of todo) this.js.hosts[keyOf(t)] = { status: 'pending', commandIndex: 0 };
    this.p.captures.forget(
      this.step.id,
      todo.map((t) => t?.name ?? null),
    );
    this.p.save();
  }

  /** The precondition, on every host before anything changes; the outcome when the Operator does not retry. */
  private async precondition(todo: Target[]): Promise<StepOutcome | undefined> {
    const { step, p } = this;
    if (!step.precondition) return undefined;
    const check = (t: Target) => p.executor.runCheck(step, step.precondition!, 'precondition', this.hostCtx(t));
    for (;;) {
      let problem: Problem | undefined;
      if (isParallel(step.where)) problem = (await Promise.all(todo.map(check))).find((x) => x !== undefined);
      else for (const t of todo) if ((problem = await check(t))) break;
      if (!problem) return undefined;
      const r = await this.onProblem(problem);
      if (r !== 'retry') return r;
    }
  }

  /** Every host's part (in parallel when the placement says), each problem put to the Operator in host order. */
  private async runHosts(todo: Target[]): Promise<StepOutcome | undefined> {
    if (isParallel(this.step.where) && todo.length > 1) {
      const problems = await Promise.all(
        todo.map((t) =>
          this.runHost(t).catch((e: unknown) =>
            e instanceof Cancelled
              ? Promise.reject(e)
              : { host: t?.name ?? null, command: '(internal)', exitCode: null, tail: errMessage(e) },
          ),
        ),
      );
      for (let h = 0; h < todo.length; h++) {
        const r = await this.settleHost(todo[h], problems[h]);
        if (r !== 'ok') return r;
      }
      return undefined;
    }
    for (const t of todo) {
      const r = await this.settleHost(t, await this.runHost(t));
      if (r !== 'ok') return r;
    }
    return undefined;
  }

  /** A host's problem put to the Operator until it is gone (retried) or decides the step. */
  private async settleHost(t: Target, first: Problem | undefined): Promise<'ok' | StepOutcome> {
    let problem = first;
    while (problem) {
      const r = await this.onProblem(problem);
      if (r !== 'retry') return r;
      problem = await this.runHost(t);
    }
    return 'ok';
  }

  /** One host's part, with the step's follow streamed beside its commands. */
  private async runHost(t: Target): Promise<Problem | undefined> {
    const k = keyOf(t);
    this.followStops.set(k, this.p.executor.startFollow(this.step, t, this.hostCtx(t)));
    try {
      return await this.runHostOnce(t);
    } finally {
      await this.followStops.get(k)?.();
    }
  }

  private async runHostOnce(t: Target): Promise<Problem | undefined> {
    const { step, p } = this;
    const k = keyOf(t);
    const hp = this.js.hosts[k]!;
    const ctx = this.hostCtx(t);
    const work = this.workOf(t, ctx);
    if ('tail' in work) return work;
    const outs = this.outputs.get(k) ?? [];
    this.outputs.set(k, outs);
    const problem = await this.runCommands(t, hp, work.commands, work.copies, outs);
    if (problem) return problem;
    await this.followStops.get(k)?.(); // the commands have ended: so does the follow
    const notCaptured = this.capture(t, ctx, outs, work.commands);
    if (notCaptured) return notCaptured;
    if (step.verify) {
      // test-only: between the commands and their verification (e.g. a member added, not yet verified)
      await pauseAtBoundary(p.stateDir, `${step.id}${t ? `@${t.name}` : ''}:before-verify`);
      const failed = await p.executor.runCheck(step, step.verify, 'verification', this.hostCtx(t));
      if (failed) return failed;
    }
    hp.status = 'ok';
    delete hp.message;
    p.save();
    if (t) await pauseAtBoundary(p.stateDir, `${step.id}@${t.name}`); // test-only, see pauseAtBoundary
    return undefined;
  }

  /** The host's commands and file copies (the uploads first, after the commands; then the downloads). */
  private workOf(t: Target, ctx: StepContext): { commands: ShellCommand[]; copies: FileCopy[] } | Problem {
    const { step } = this;
    const host = t?.name ?? null;
    let commands: ShellCommand[];
    try {
      commands = step.commands(ctx);
    } catch (e) {
      return { host, command: '(building the commands)', exitCode: null, tail: errMessage(e) };
    }
    let copies: FileCopy[];
    try {
      copies = step.downloads?.(ctx) ?? [];
      copies = [...(step.uploads?.(ctx) ?? []).map((u) => ({ ...u, put: true })), ...copies];
    } catch (e) {
      return { host, command: '(building the downloads)', exitCode: null, tail: errMessage(e) };
    }
    if (copies.length > 0 && !t)
      return {
        host: null,
        command: '(downloads)',
        exitCode: null,
        tail: "a step on the bastion cannot copy files: uploads and downloads are between the bastion and the step's host",
      };
    return { commands, copies };
  }

  /** From the host's next command on: each copy counts as one more command of the host, after the commands. */
  private async runCommands(t: Target, hp: HostProgress, commands: ShellCommand[], copies: FileCopy[], outs: Output[]) {
    hp.commandCount = commands.length + copies.length;
    while (hp.commandIndex < commands.length + copies.length) {
      const problem =
        hp.commandIndex >= commands.length
          ? await this.runCopy(t!, hp, copies[hp.commandIndex - commands.length]!)
          : await this.runCommand(t, hp, commands[hp.commandIndex]!, outs);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Marks the host's next command as begun, in the journal, before it is sent. */
  private starting(hp: HostProgress): void {
    hp.status = 'running';
    if (this.step.destructive) this.js.destructiveBegun = true;
    this.p.save(); // before the command: a crash now leaves "this command may have run"
  }

  private async runCopy(t: Host, hp: HostProgress, d: FileCopy): Promise<Problem | undefined> {
    this.starting(hp);
    const error = await this.p.executor.copyFile(this.step, t, d);
    if (error !== undefined) {
      const text = d.put ? uploadText(t.name, d.local, d.remote) : downloadText(t.name, d.remote, d.local);
      return { host: t.name, command: this.p.redactor(text), exitCode: null, tail: error };
    }
    hp.commandIndex++;
    hp.exitCode = 0;
    this.p.save();
    return undefined;
  }

  private async runCommand(t: Target, hp: HostProgress, command: ShellCommand, outs: Output[]): Promise<Problem | undefined> {
    const { p, step } = this;
    this.starting(hp);
    const r = await p.executor.execStepCommand(step, t, command);
    if (p.signal.aborted || r.result?.cancelled) {
      hp.status = 'interrupted';
      p.save();
      throw new Cancelled();
    }
    const host = t?.name ?? null;
    const text = p.redactor(command.script);
    if (r.error !== undefined) return { host, command: text, exitCode: null, tail: r.error };
    const res = r.result!;
    if (res.timedOut) {
      const tail = p.executor.tailOf(command, res, 10);
      const seconds = Math.round((step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS) / 1000);
      return { host, command: text, exitCode: null, tail: `timed out after ${seconds} s${tail ? `\n${tail}` : ''}` };
    }
    if (res.exitCode !== 0 && !step.allowFailure) {
      const tail = p.executor.tailOf(command, res, 10);
      return { host, command: text, exitCode: res.exitCode, tail: tail || `exit code ${res.exitCode ?? 'none'}` };
    }
    outs[hp.commandIndex] = { exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr };
    hp.commandIndex++;
    hp.exitCode = res.exitCode;
    p.save();
    return undefined;
  }

  /** The values the step captures from the host's outputs (Step.capture), recorded for the later steps. */
  private capture(t: Target, ctx: StepContext, outs: Output[], commands: ShellCommand[]): Problem | undefined {
    const { step, p } = this;
    if (!step.capture) return undefined;
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
      p.captures.record(step, t?.name ?? null, name, value, commands);
      this.info(`${t ? `${t.name}: ` : ''}captured ${name} = ${p.redactor(value)}`);
    }
    p.save();
    return undefined;
  }

  /** What the step sees on one host: the run's context with that host and its captured values. */
  private hostCtx(host: Target): StepContext {
    const ctx: StepContext = { ...this.base, captured: this.p.captures.valuesFor(host) };
    if (host) ctx.host = host;
    else delete ctx.host;
    return ctx;
  }
}
