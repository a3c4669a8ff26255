// The tests' one fake Runner (not a test file), in the style of lazygit's fake command runner:
//
//   const fake = new FakeRunner();
//   fake.expect('m0.example.com', /^systemctl stop etcd/).answers({ exitCode: 0 });
//   fake.expect('oc get nodes -o json').answers({ stdout: NODES });      // any host, exact script
//   fake.allow(/^etcdctl .* endpoint health/).answers({ stdout: 'healthy' }); // any number of times, any order
//   … run the code under test with `fake` as its runner …
//   fake.assertDone();
//
// A new file rather than more of src/engine/test-helpers.ts: the fake serves every layer's tests (engine,
// checks, model, nodes, screens), and the engine helpers import the engine's types, which the screen and
// transport tests have no business pulling in. src/testing/builders.ts has the host and inventory builders.
//
// Matching. `expect` queues a command: a command run on a host must match the first expectation still
// pending for that host (an expectation without a host is for any host and any order of hosts, so
// expectations on several hosts run in parallel stay ordered per host). When it does not, the `allow`
// rules are tried in the order they were given (each any number of times, none at all included). A
// command that matches neither is unexpected: run() rejects with an Error naming the command and the
// expectations left, and assertDone() throws it again (the code under test may have swallowed the
// rejection). assertDone() also fails when expected commands never ran.
//
// Answers: stdout/stderr/exitCode as a command's result, its lines passed to onStdout/onStderr; `lines`
// streamed one per event-loop turn before anything else (a drain, a journal being followed); `delayMs`
// before answering and `hang` for a command that runs until it is aborted (or until options.timeoutMs:
// timedOut) — `hang: 'ignoring-abort'` never answers at all; `until` holds the answer until a promise
// settles; `throws` rejects (e.g. a TransportError). An
// answer may be a function of (where, script, options), for answers that depend on the command.
//
// It records every command (host, script, options, result) like RecordingRunner, every probe, and how
// many commands were running at once. Probes answer `{state:'ok'}` unless answerProbes() says otherwise
// or holdProbes() makes them wait for answerProbe()/failProbe(). With `{ transfers: true }` it can
// download and upload (recorded as `sftp get …`/`sftp put …` commands, matched and answered like them);
// with `{ batches: true }` it has runBatch (a batch's commands run one after the other through run()).
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import {
  type BatchCommand,
  type CommandResult,
  type Connectivity,
  type DownloadOptions,
  type DownloadResult,
  downloadText,
  type Runner,
  type RunOptions,
  type Target,
  type UploadOptions,
  type UploadResult,
  uploadText,
} from '../transport/types.js';

export interface Answer {
  stdout?: string;
  stderr?: string;
  /** Default 0. */
  exitCode?: number | null;
  signal?: string;
  timedOut?: boolean;
  cancelled?: boolean;
  truncated?: boolean;
  /** Streamed first, one line per event-loop turn, and added to stdout/stderr (each with its newline). */
  lines?: ['out' | 'err', string][];
  /** `lines` all at once, before the runner yields (a journal's backlog), instead of one per turn. */
  linesAtOnce?: boolean;
  /** Answers only once this settles (a test holding a command until it has looked at something). */
  until?: Promise<unknown>;
  /** Waits this long before answering (aborting or options.timeoutMs end the wait). */
  delayMs?: number;
  /** Runs until aborted (cancelled) or options.timeoutMs (timedOut); 'ignoring-abort': never answers. */
  hang?: boolean | 'ignoring-abort';
  /** What an aborted hang or delay returns, over the cancelled result (e.g. `{ signal: 'SIGTERM' }`). */
  whenAborted?: Partial<CommandResult>;
  /** Rejects with this (after `lines` and `delayMs`). */
  throws?: Error;
  /** A transfer's bytes (download/upload). Default 1234. */
  bytes?: number;
}

export type Reply = Answer | ((where: string, script: string, options: RunOptions) => Answer);
/** An exact script, a pattern, or a predicate. */
export type Matcher = string | RegExp | ((script: string, where: string) => boolean);

export interface FakeCommand {
  target: Target;
  /** `host name` or `bastion`. */
  where: string;
  script: string;
  options: RunOptions;
  /** Date.now() when it was asked to run. */
  at: number;
  result?: CommandResult;
  /** A transfer's bytes, when it succeeded. */
  bytes?: number;
  error?: unknown;
}

interface Rule {
  where?: string;
  matcher: Matcher;
  reply: Reply;
}

/** What expect() and allow() return: `.answers(…)` says what the command answers (default: exit 0). */
export class Expectation {
  constructor(
    private readonly fake: FakeRunner,
    private readonly rule: Rule,
  ) {}

  answers(reply: Reply): FakeRunner {
    this.rule.reply = reply;
    return this.fake;
  }
}

interface PendingProbe {
  host: Host;
  resolve: (c: Connectivity) => void;
  reject: (e: unknown) => void;
}

export interface FakeRunnerOptions {
  /** Gives the fake download() and upload(). */
  transfers?: boolean;
  /** Gives the fake runBatch(). */
  batches?: boolean;
}

const describe = (r: Rule) =>
  `${r.where ? `${r.where}: ` : ''}${typeof r.matcher === 'function' ? `<${r.matcher.name || 'predicate'}>` : String(r.matcher)}`;

export class FakeRunner implements Runner {
  readonly commands: FakeCommand[] = [];
  /** Host names, in the order probed. */
  readonly probes: string[] = [];
  readonly batches: { where: string; scripts: string[] }[] = [];
  /** The errors of unexpected commands (assertDone throws the first). */
  readonly unexpected: Error[] = [];
  inFlight = 0;
  maxInFlight = 0;
  closed = false;
  readonly download?: (host: Host, remotePath: string, localPath: string, options?: DownloadOptions) => Promise<DownloadResult>;
  readonly upload?: (host: Host, localPath: string, remotePath: string, options?: UploadOptions) => Promise<UploadResult>;
  readonly runBatch?: (target: Target, commands: readonly BatchCommand[]) => Promise<CommandResult>[];

  private readonly queue: Rule[] = [];
  private readonly allowed: Rule[] = [];
  private probeAnswer: ((host: Host) => Connectivity) | 'hold' = () => ({ state: 'ok' });
  private readonly pendingProbes: PendingProbe[] = [];

  constructor(options: FakeRunnerOptions = {}) {
    if (options.transfers) {
      this.download = async (host, remotePath, localPath, o) => this.transfer(host, downloadText(host.name, remotePath, localPath), o);
      this.upload = async (host, localPath, remotePath, o) => this.transfer(host, uploadText(host.name, localPath, remotePath), o);
    }
    if (options.batches) {
      this.runBatch = (target, commands) => {
        this.batches.push({ where: whereOf(target), scripts: commands.map((c) => c.command.script) });
        let prev: Promise<unknown> = Promise.resolve();
        return commands.map((c) => {
          const p = prev.then(() => this.run(target, c.command, c.options));
          prev = p.catch(() => undefined);
          return p;
        });
      };
    }
  }

  /** A fake answering every command with reply (the tests that answer by the command's text). */
  static answering(reply: Reply = {}, options: FakeRunnerOptions = {}): FakeRunner {
    return new FakeRunner(options).allow(() => true).answers(reply);
  }

  /** The next command (on `where`, when given) must match. */
  expect(matcher: Matcher): Expectation;
  expect(where: string, matcher: Matcher): Expectation;
  expect(a: Matcher, b?: Matcher): Expectation {
    const rule = b === undefined ? { matcher: a, reply: {} } : { where: a as string, matcher: b, reply: {} };
    this.queue.push(rule);
    return new Expectation(this, rule);
  }

  /** Commands that may run any number of times, in any order. */
  allow(matcher: Matcher): Expectation;
  allow(where: string, matcher: Matcher): Expectation;
  allow(a: Matcher, b?: Matcher): Expectation {
    const rule = b === undefined ? { matcher: a, reply: {} } : { where: a as string, matcher: b, reply: {} };
    this.allowed.push(rule);
    return new Expectation(this, rule);
  }

  /** Expected commands that have not run yet. */
  get pending(): string[] {
    return this.queue.map(describe);
  }

  /** Fails when a command was unexpected or an expected one never ran. */
  assertDone(): void {
    if (this.unexpected.length > 0) throw this.unexpected[0];
    if (this.queue.length > 0)
      throw new Error(
        `FakeRunner: expected commands never ran:\n  ${this.pending.join('\n  ')}\nran:\n  ${this.scripts.join('\n  ') || '(nothing)'}`,
      );
  }

  /** `where: script` for every recorded command, in order. */
  get scripts(): string[] {
    return this.commands.map((c) => `${c.where}: ${c.script}`);
  }

  /** The commands run on one host (or 'bastion'). */
  on(where: string): FakeCommand[] {
    return this.commands.filter((c) => c.where === where);
  }

  clear(): void {
    this.commands.length = 0;
    this.probes.length = 0;
    this.batches.length = 0;
  }

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    const where = whereOf(target);
    const rec: FakeCommand = { target, where, script: command.script, options, at: Date.now() };
    this.commands.push(rec);
    try {
      const answer = this.answerFor(where, command.script, options);
      rec.result = await this.play(answer, options);
      return rec.result;
    } catch (err) {
      rec.error = err;
      throw err;
    }
  }

  // ---- probes ----

  /** Every probe answered at once by fn. */
  answerProbes(fn: (host: Host) => Connectivity): this {
    this.probeAnswer = fn;
    return this;
  }

  /** Every probe waits until answerProbe() or failProbe(). */
  holdProbes(): this {
    this.probeAnswer = 'hold';
    return this;
  }

  probe(host: Host): Promise<Connectivity> {
    this.probes.push(host.name);
    const a = this.probeAnswer;
    if (a !== 'hold') return Promise.resolve(a(host));
    return new Promise((resolve, reject) => this.pendingProbes.push({ host, resolve, reject }));
  }

  /** Answers the oldest waiting probe of this host. */
  answerProbe(name: string, c: Connectivity): void {
    this.takeProbe(name).resolve(c);
  }

  failProbe(name: string, err: unknown): void {
    this.takeProbe(name).reject(err);
  }

  /** Hosts whose probes wait. */
  waitingProbes(): string[] {
    return this.pendingProbes.map((p) => p.host.name);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ---- internals ----

  private takeProbe(name: string): PendingProbe {
    const i = this.pendingProbes.findIndex((p) => p.host.name === name);
    if (i < 0) throw new Error(`no probe of ${name} is waiting`);
    return this.pendingProbes.splice(i, 1)[0]!;
  }

  /** The answer of the expectation or allow rule the command matches; throws when there is none. */
  private answerFor(where: string, script: string, options: RunOptions): Answer {
    const matches = (r: Rule) => (r.where === undefined || r.where === where) && matchScript(r.matcher, script, where);
    const next = this.queue.findIndex((r) => r.where === undefined || r.where === where);
    let rule: Rule | undefined;
    if (next >= 0 && matches(this.queue[next]!)) rule = this.queue.splice(next, 1)[0];
    else rule = this.allowed.find(matches);
    if (!rule) {
      const err = new Error(
        `FakeRunner: unexpected command on ${where}: ${script}\n` +
          `  next expected: ${next >= 0 ? describe(this.queue[next]!) : '(none)'}\n` +
          `  expected, left: ${this.pending.join('; ') || '(none)'}\n` +
          `  allowed: ${this.allowed.map(describe).join('; ') || '(none)'}`,
      );
      this.unexpected.push(err);
      throw err;
    }
    return typeof rule.reply === 'function' ? rule.reply(where, script, options) : rule.reply;
  }

  private async play(a: Answer, options: RunOptions): Promise<CommandResult> {
    const started = Date.now();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      let streamedOut = '';
      let streamedErr = '';
      for (const [stream, text] of a.lines ?? []) {
        if (!a.linesAtOnce) await new Promise((r) => setImmediate(r));
        if (stream === 'out') {
          streamedOut += `${text}\n`;
          options.onStdout?.(text);
        } else {
          streamedErr += `${text}\n`;
          options.onStderr?.(text);
        }
      }
      if (a.until) await a.until.catch(() => undefined);
      if (a.hang === 'ignoring-abort') return await new Promise<never>(() => {});
      if (a.hang || a.delayMs) {
        const ended = await waitFor(a.hang ? undefined : a.delayMs, options);
        if (ended !== 'done') {
          return {
            exitCode: null,
            stdout: streamedOut,
            stderr: streamedErr,
            truncated: false,
            timedOut: ended === 'timeout',
            cancelled: ended === 'abort',
            durationMs: Date.now() - started,
            ...a.whenAborted,
          };
        }
      }
      if (a.throws) throw a.throws;
      const stdout = streamedOut + (a.stdout ?? '');
      const stderr = streamedErr + (a.stderr ?? '');
      for (const l of lines(a.stdout ?? '')) options.onStdout?.(l);
      for (const l of lines(a.stderr ?? '')) options.onStderr?.(l);
      const result: CommandResult = {
        exitCode: a.exitCode === undefined ? 0 : a.exitCode,
        stdout,
        stderr,
        truncated: a.truncated ?? false,
        timedOut: a.timedOut ?? false,
        cancelled: a.cancelled ?? false,
        durationMs: Date.now() - started,
      };
      if (a.signal !== undefined) result.signal = a.signal;
      return result;
    } finally {
      this.inFlight--;
    }
  }

  private async transfer(host: Host, text: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const rec: FakeCommand = {
      target: { kind: 'host', host },
      where: host.name,
      script: text,
      options: options.signal ? { signal: options.signal } : {},
      at: Date.now(),
    };
    this.commands.push(rec);
    try {
      const a = this.answerFor(host.name, text, rec.options);
      if (a.delayMs || a.hang) {
        const ended = await waitFor(a.hang ? undefined : a.delayMs, rec.options);
        if (ended === 'abort') throw Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
      }
      if (a.throws) throw a.throws;
      rec.bytes = a.bytes ?? 1234;
      return { bytes: rec.bytes };
    } catch (err) {
      rec.error = err;
      throw err;
    }
  }
}

function whereOf(target: Target): string {
  return target.kind === 'host' ? target.host.name : 'bastion';
}

function matchScript(m: Matcher, script: string, where: string): boolean {
  if (typeof m === 'string') return m === script;
  if (m instanceof RegExp) return m.test(script);
  return m(script, where);
}

/** The lines of a text as a runner streams them (no empty last line for a trailing newline). */
function lines(text: string): string[] {
  return text.split('\n').filter((x, i, all) => x !== '' || i < all.length - 1);
}

/** Waits ms (undefined: forever) unless the signal aborts or options.timeoutMs passes first. */
function waitFor(ms: number | undefined, options: RunOptions): Promise<'done' | 'abort' | 'timeout'> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) return resolve('abort');
    const timers: NodeJS.Timeout[] = [];
    const end = (how: 'done' | 'abort' | 'timeout') => {
      for (const t of timers) clearTimeout(t);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(how);
    };
    const onAbort = () => end('abort');
    if (ms !== undefined) timers.push(setTimeout(() => end('done'), ms));
    if (options.timeoutMs !== undefined) {
      const t = setTimeout(() => end('timeout'), options.timeoutMs);
      // with a delay, that timer keeps the process up; a long time limit must not
      if (ms !== undefined) t.unref();
      timers.push(t);
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
