// A RunSession the tests (and the dev script) drive by hand: steps start and end, lines arrive, a gate
// or a failure waits for the operator's answer. It records the answers; it runs nothing.
import type { LogLine, RunSession, RunSnapshot, StepView } from '../../src/engine/session.js';
import type { FailureChoice, PlanStep, ResolvedGate, StepStatus } from '../../src/engine/types.js';

export class FakeSession implements RunSession {
  readonly gateAnswers: boolean[] = [];
  readonly failureAnswers: FailureChoice[] = [];
  cancelled = 0;
  private snap: RunSnapshot;
  private listeners = new Set<() => void>();
  private seq = 0;
  private done?: (s: RunSnapshot) => void;
  private readonly donePromise: Promise<RunSnapshot>;
  /** Keep at most this many log lines (the engine's buffer is bounded too). */
  constructor(
    plan: PlanStep[],
    opts: { runId?: string; procedure?: string; title?: string; params?: Record<string, string>; maxLines?: number } = {},
  ) {
    this.maxLines = opts.maxLines ?? 2000;
    this.snap = {
      runId: opts.runId ?? '20240501-031200-ab12',
      procedure: opts.procedure ?? 'toy-restore',
      title: opts.title ?? 'Toy restore',
      params: opts.params ?? {},
      steps: plan.map(
        (p): StepView => ({ id: p.id, title: p.title, section: p.section, hosts: p.hosts, status: 'pending', destructive: p.destructive }),
      ),
      status: 'running',
      log: [],
      logFirstSeq: 0,
      plan,
    };
    this.donePromise = new Promise((r) => (this.done = r));
  }
  private readonly maxLines: number;

  getSnapshot(): RunSnapshot {
    return this.snap;
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  answerGate(approved: boolean): void {
    this.gateAnswers.push(approved);
    if (this.snap.status !== 'waiting-gate') return;
    const step = this.snap.gate?.step;
    if (approved) this.set({ status: 'running', gate: undefined });
    else {
      this.info(`gate declined: ${step} did not run`);
      this.finish('aborted');
    }
  }
  answerFailure(choice: FailureChoice): void {
    this.failureAnswers.push(choice);
    if (this.snap.status !== 'waiting-failure') return;
    const step = this.snap.failure?.step;
    if (choice === 'abort') {
      this.set({ failure: undefined });
      this.finish('aborted');
    } else if (choice === 'skip' && step) {
      this.set({ failure: undefined, status: 'running' });
      this.endStep(step, 'skipped');
    } else this.set({ failure: undefined, status: 'running' });
  }
  cancel(): void {
    this.cancelled++;
    if (this.snap.status === 'running' || this.snap.status.startsWith('waiting')) this.finish('aborted');
  }
  finished(): Promise<RunSnapshot> {
    return this.donePromise;
  }

  // ---- driving it ----
  private set(patch: Partial<RunSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of [...this.listeners]) l();
  }
  private setStep(id: string, patch: Partial<StepView>): StepView[] {
    return this.snap.steps.map((s) => (s.id === id ? { ...s, ...patch } : s));
  }
  startStep(id: string): void {
    this.set({ steps: this.setStep(id, { status: 'running' }), current: id });
  }
  endStep(id: string, status: StepStatus, durationMs = 1234, message?: string): void {
    this.set({ steps: this.setStep(id, { status, durationMs, message }), command: undefined });
  }
  private push(line: Omit<LogLine, 'seq'>): void {
    const log = [...this.snap.log, { ...line, seq: this.seq++, at: Date.now() }];
    const trimmed = log.length > this.maxLines ? log.slice(log.length - this.maxLines) : log;
    this.set({ log: trimmed, logFirstSeq: trimmed[0]?.seq ?? this.seq });
  }
  command(host: string | null, text: string): void {
    this.set({ command: { host, text } });
    this.push({ step: this.snap.current ?? '', host, stream: 'command', text });
  }
  line(host: string | null, text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.push({ step: this.snap.current ?? '', host, stream, text });
  }
  info(text: string): void {
    this.push({ step: this.snap.current ?? '', host: null, stream: 'info', text });
  }
  gate(gate: ResolvedGate): void {
    this.set({ status: 'waiting-gate', gate, current: gate.step });
  }
  fail(
    step: string,
    command: string,
    host: string | null,
    exitCode: number | null,
    tail: string,
    choices: FailureChoice[] = ['retry', 'skip', 'abort'],
    check?: { check: 'precondition' | 'verification'; describe: string },
  ): void {
    this.set({ status: 'waiting-failure', failure: { step, command, host, exitCode, tail, choices, ...check } });
  }
  finish(status: 'ok' | 'failed' | 'aborted'): void {
    this.set({ status, command: undefined, gate: undefined });
    this.done?.(this.snap);
  }
}
