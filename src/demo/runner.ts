// The DemoRunner: a Runner for the built-in DEMO cluster. It never touches the network. Probes resolve
// after a small, varied delay (a host the scenario powered off takes longer, scenarios.ts); commands are
// answered from the table in commands.ts and streamed line by line with small delays, honouring
// AbortSignal and timeouts like a real runner. Everything but the probe delays is deterministic.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type ParseEntry, parse } from 'shell-quote';
import type { Host, Inventory } from '../inventory/types.js';
import { runLocal } from '../transport/local.js';
import { quoteWord, type ShellCommand } from '../transport/shell.js';
import { sleep } from '../transport/sleep.js';
import { DEFAULT_MAX_BUFFER_BYTES, TailBuffer } from '../transport/stream.js';
import {
  type CommandResult,
  type Connectivity,
  type DownloadOptions,
  type DownloadResult,
  type Runner,
  type RunOptions,
  type Target,
  TransportError,
  type UploadOptions,
  type UploadResult,
} from '../transport/types.js';
import { buildDemoCluster, type DemoCluster, type DemoHost } from './cluster.js';
import { DEMO_COMMANDS, type DemoAnswer, type DemoCommand, type DemoContext, hasBinary } from './commands.js';
import { DEMO_NET, demoTcp, reachableFrom, seedHostFiles } from './host-files.js';
import { pathsOutOf, pathsUnder } from './host-roots.js';
import { demoInventory } from './inventory.js';
import { setDemoNodeMtu } from './node-config-maps.js';
import { applyScenarioFiles } from './scenario-files.js';
import { type DemoScenario, demoScenario, scenarioDevicemapper, scenarioDown, scenarioFileHosts, scenarioNodeMtu } from './scenarios.js';
import { type DemoShell, startDemoShell } from './shell.js';
import type { ToolReply, ToolRequest } from './tool-server.js';

/** How many output lines of a command are paced by lineDelayMs (the rest follow at once). */
const PACED_LINES = 40;

export interface DemoRunnerOptions {
  /** The cluster to simulate (default: demoInventory()). */
  inventory?: Inventory;
  /** The scenario (scenarios.ts; default: the inventory source's, else healthy). */
  scenario?: string;
  /** Hosts simulated as down (default: the scenario's). */
  downHosts?: readonly string[];
  /** Hosts whose docker still uses devicemapper (default: the scenario's). */
  devicemapperHosts?: readonly string[];
  /** Pause before each of a command's first PACED_LINES output lines (default 12 ms). */
  lineDelayMs?: number;
  /** Pause before a command's first line (default 60 ms). */
  startDelayMs?: number;
  /** Range of probe delays (default 150–1200 ms; a down host takes 1.5–2.5 s, like a connect timeout). */
  probeDelayMs?: { min: number; max: number };
  /** Source of randomness for probe delays (default Math.random). */
  random?: () => number;
  /** Told of each command the demo cannot follow (also kept in `unanswered`). */
  onUnanswered?: (what: string) => void;
}

/** One thing a simulated command does: print a line, or take time. */
export type DemoStep =
  | { kind: 'line'; stream: 'stdout' | 'stderr'; text: string /** The output's end, no newline after it. */; partial?: boolean }
  | { kind: 'wait'; ms: number }
  /** A change to the simulated cluster, made when the run reaches it (a cancelled run never makes it). */
  | { kind: 'effect'; run: () => void };

export interface DemoExecution {
  steps: DemoStep[];
  exitCode: number;
}

// ---------------------------------------------------------------------------------------------------
// Interpreting a script: `;` `&&` `||` sequences of simple commands or pipelines

function tokens(script: string): ParseEntry[] {
  try {
    return parse(script, (key: string) => `$${key}`);
  } catch {
    return script.split(/\s+/).filter(Boolean);
  }
}

function entryText(e: ParseEntry): string {
  if (typeof e === 'string') return e;
  if ('op' in e) return e.op === 'glob' ? (e as { pattern: string }).pattern : e.op;
  return '';
}

/** The normalised text of a whole script (what DemoContext.script holds). */
export function normaliseScript(script: string): string {
  return tokens(script).map(entryText).filter(Boolean).join(' ');
}

/** The program a command runs (after environment assignments). */
function programOf(words: string[]): string {
  return words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
}

function splitLines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

/** What one simple command does on a demo host: its output, its time and its changes, then its exit code. */
export interface DemoExecutionOf {
  steps: DemoStep[];
  exitCode: number;
  /** No rule of the table answers these words (the demo cannot follow the procedure here). */
  unanswered: boolean;
}

/**
 * Answers one program run (its words, quotes removed; environment assignments first) from the table.
 * `script` is the whole script it belongs to, normalised (a rule may look for an earlier `export`).
 */
export function answerCommand(
  cluster: DemoCluster,
  host: DemoHost | undefined,
  words: string[],
  script = '',
  root?: string,
): DemoExecutionOf {
  const prog = programOf(words);
  const text = words.join(' ');
  const done = (a: DemoAnswer, unanswered = false): DemoExecutionOf => ({
    steps: a.steps ?? [
      ...splitLines(a.out).map((t, i, all) => ({
        kind: 'line' as const,
        stream: 'stdout' as const,
        text: t,
        ...(a.noNewline && i === all.length - 1 && !a.out?.endsWith('\n') ? { partial: true } : {}),
      })),
      ...splitLines(a.err).map((t) => ({ kind: 'line' as const, stream: 'stderr' as const, text: t })),
      ...(a.waitMs ? [{ kind: 'wait' as const, ms: a.waitMs }] : []),
    ],
    exitCode: a.code ?? 0,
    unanswered,
  });
  if (prog === '') return done({});
  // The program must exist on this host before any rule applies.
  if (!hasBinary(cluster, host, prog)) return done({ err: `sh: ${prog}: command not found`, code: 127 });
  for (const rule of DEMO_COMMANDS as readonly DemoCommand[]) {
    const m = rule.match.exec(text);
    if (!m) continue;
    const ctx: DemoContext = { cluster, host, words, text, script, match: m, ...(root ? { root } : {}) };
    if (rule.when && !rule.when(ctx)) continue;
    if (rule.needs && !hasBinary(cluster, host, rule.needs)) return done({ err: `sh: ${rule.needs}: command not found`, code: 127 });
    return done(rule.answer(ctx));
  }
  return done({ err: `${prog}: the DEMO cluster does not simulate \`${text}\``, code: 127 }, true);
}

/** One command line (quoted as in a shell) answered from the table: for tests and the Nodes model. */
export function simulateCommand(cluster: DemoCluster, host: DemoHost | undefined, line: string): DemoExecutionOf {
  return answerCommand(cluster, host, tokens(line).map(entryText).filter(Boolean), normaliseScript(line));
}

// ---------------------------------------------------------------------------------------------------
// The runner

export class DemoRunner implements Runner {
  readonly cluster: DemoCluster;
  /** What is wrong with the simulated cluster (scenarios.ts). */
  readonly scenario: DemoScenario;
  private readonly byName = new Map<string, DemoHost>();
  private readonly lineDelayMs: number;
  private readonly startDelayMs: number;
  private readonly probeDelay: { min: number; max: number };
  private readonly random: () => number;
  private shellReady: Promise<DemoShell> | undefined;
  private runCount = 0;
  /** The scripts running now, by the token their cluster tools send back. */
  private readonly runs = new Map<string, { host: DemoHost | undefined; root: string; script: string }>();
  /** What the demo could not answer (a program it does not have, words no rule knows): tests expect none. */
  readonly unanswered: string[] = [];
  private readonly onUnanswered: ((what: string) => void) | undefined;

  constructor(options: DemoRunnerOptions = {}) {
    const inventory = options.inventory ?? demoInventory(options.scenario);
    this.scenario = demoScenario(options.scenario ?? (inventory.source.kind === 'demo' ? inventory.source.scenario : undefined));
    this.cluster = buildDemoCluster(inventory, {
      down: options.downHosts ?? scenarioDown(this.scenario),
      devicemapper: options.devicemapperHosts ?? scenarioDevicemapper(this.scenario),
    });
    const mtu = scenarioNodeMtu(this.scenario);
    if (mtu !== undefined) setDemoNodeMtu(this.cluster, mtu);
    for (const h of this.cluster.hosts) this.byName.set(h.name, h);
    this.lineDelayMs = options.lineDelayMs ?? 12;
    this.startDelayMs = options.startDelayMs ?? 60;
    this.probeDelay = options.probeDelayMs ?? { min: 150, max: 1200 };
    this.random = options.random ?? Math.random;
    this.onUnanswered = options.onUnanswered;
  }

  /** The simulated host behind an inventory host (hosts outside the demo inventory get a generic node). */
  private demoHost(host: Host): DemoHost {
    const known = this.byName.get(host.name);
    if (known) return known;
    const generic = buildDemoCluster(
      { source: { kind: 'demo' }, hosts: [host], groups: {}, groupVars: {}, warnings: [] },
      { down: [], devicemapper: [] },
    ).hosts[0]!;
    this.byName.set(host.name, generic);
    return generic;
  }

  private unreachable(h: DemoHost): Connectivity {
    return {
      state: 'unreachable',
      reason: `ssh: connect to host ${h.ip} port 22: No route to host`,
      hint:
        `Is ${h.name} powered on and on the network? Check it from its console or the hypervisor, ` +
        `and that port 22 is open from the bastion (nc -zv ${quoteWord(h.ip)} 22); then probe again.`,
    };
  }

  async probe(host: Host): Promise<Connectivity> {
    const h = this.demoHost(host);
    const { min, max } = this.probeDelay;
    let ms = min + this.random() * Math.max(0, max - min);
    if (h.down) ms = max > 0 ? ms + 1300 : 0;
    await new Promise((r) => setTimeout(r, ms));
    return h.down ? this.unreachable(h) : { state: 'ok' };
  }

  async run(target: Target, command: ShellCommand, options: RunOptions = {}): Promise<CommandResult> {
    const started = Date.now();
    const host = target.kind === 'host' ? this.demoHost(target.host) : undefined;

    const ac = new AbortController();
    let timedOut = false;
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      ac.abort();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            ac.abort();
          }, options.timeoutMs)
        : undefined;

    const max = options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    const out = new TailBuffer(max);
    const err = new TailBuffer(max);
    const finish = (exitCode: number | null): CommandResult => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const stopped = timedOut || cancelled;
      return {
        exitCode: stopped ? null : exitCode,
        ...(stopped ? { signal: 'SIGTERM' } : {}),
        stdout: out.text(),
        stderr: err.text(),
        truncated: out.truncated || err.truncated,
        timedOut,
        cancelled: cancelled && !timedOut,
        durationMs: Date.now() - started,
      };
    };

    if (host?.down) {
      // A connection attempt that fails like ssh does: after a while, as a rejected run.
      if (!(await sleep(Math.max(this.startDelayMs * 5, 0), ac.signal))) return finish(null);
      finish(null);
      const c = this.unreachable(host);
      throw new TransportError(host.name, 'unreachable', c.reason!, c.hint);
    }

    if (!(await sleep(this.startDelayMs, ac.signal))) return finish(null);
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    const left = options.timeoutMs !== undefined ? Math.max(1, options.timeoutMs - (Date.now() - started)) : undefined;
    const res = await this.inShell(host, command.script, { ...options, ...(left !== undefined ? { timeoutMs: left } : {}) });
    return { ...res, durationMs: Date.now() - started };
  }

  /** The demo's shell: its hosts' directories, its program directory and the cluster tools' socket. */
  private shell(): Promise<DemoShell> {
    this.shellReady ??= startDemoShell((req, reply, signal) => this.answerTool(req, reply, signal));
    return this.shellReady;
  }

  /** Runs a script in a real `sh` on the host's directory (see host-roots.ts), its paths mapped in and out. */
  private async inShell(host: DemoHost | undefined, script: string, options: RunOptions): Promise<CommandResult> {
    const shell = await this.shell();
    const root = await this.rootOf(host);
    reachableFrom(this.cluster, host, root);
    const out = (l: string) => pathsOutOf(root, l).split(DEMO_NET).join('/dev/tcp/');
    const token = `${process.pid}-${++this.runCount}`;
    this.runs.set(token, { host, root, script: normaliseScript(script) });
    const notFound = (l: string) => {
      const m = /^(?:sh|bash)(?:: line \d+)?: ([^:]+): command not found$/.exec(l);
      if (m) this.noteUnanswered(`${host?.name ?? 'bastion'}: ${m[1]} (not on a demo host's PATH)`);
    };
    const mapped = pathsUnder(root, demoTcp(script));
    try {
      const res = await runLocal(
        { script: `cd ${quoteWord(`${root}/root`)} || exit 1; ${mapped}` },
        {
          ...options,
          onStdout: (l) => options.onStdout?.(out(l)),
          onStderr: (l) => {
            notFound(l);
            options.onStderr?.(out(l));
          },
        },
        2000,
        shell.env(root, token),
        true,
      );
      return { ...res, stdout: out(res.stdout), stderr: out(res.stderr) };
    } finally {
      this.runs.delete(token);
    }
  }

  private noteUnanswered(what: string): void {
    this.unanswered.push(what);
    this.onUnanswered?.(what);
  }

  /** A cluster tool run by a script (through its shim): answered from the table, paced, its changes made. */
  private async answerTool(req: ToolRequest, reply: ToolReply, signal: AbortSignal): Promise<number> {
    const run = this.runs.get(req.run);
    if (!run) {
      reply.line('stderr', `${req.tool}: not run by the demo's console`);
      return 126;
    }
    const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
    const words = [...env, req.tool, ...req.args.map((a) => pathsOutOf(run.root, a))];
    const exec = answerCommand(this.cluster, run.host, words, run.script, run.root);
    if (exec.unanswered) this.noteUnanswered(`${run.host?.name ?? 'bastion'}: ${words.join(' ')}`);
    // Paced like a command printing as it works, but only its first lines: a real `oc get … -o json`
    // prints hundreds of lines at once, and pacing every one made the demo's Nodes screen take 10 s.
    let paced = 0;
    for (const step of exec.steps) {
      if (step.kind === 'wait') {
        if (!(await sleep(step.ms, signal))) return 143;
      } else if (step.kind === 'effect') step.run();
      else {
        if (paced++ < PACED_LINES && !(await sleep(this.lineDelayMs, signal))) return 143;
        reply.line(step.stream, step.text, !step.partial);
      }
    }
    return exec.exitCode;
  }

  /** SFTP get from a demo host: the file of the host's directory, copied to this machine (0600). */
  async download(host: Host, remotePath: string, localPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const h = await this.reachable(host, options.signal);
    const root = await this.rootOf(h);
    const body = await readFile(join(root, remotePath)).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`sftp get ${h.name}:${remotePath}: ${err.code === 'ENOENT' ? 'No such file' : err.message}`);
    });
    await mkdir(dirname(localPath), { recursive: true, mode: 0o700 });
    const tmp = `${localPath}.part-${process.pid}`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, localPath);
    return { bytes: body.length };
  }

  /** SFTP put to a demo host: the local file, copied into the host's directory. */
  async upload(host: Host, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    const h = await this.reachable(host, options.signal);
    const root = await this.rootOf(h);
    let body: Buffer;
    try {
      body = await readFile(localPath);
    } catch (err) {
      throw new Error(`sftp put ${localPath} → ${h.name}:${remotePath}: ${(err as Error).message}`);
    }
    await mkdir(dirname(join(root, remotePath)), { recursive: true });
    await writeFile(join(root, remotePath), body, { mode: 0o600 });
    return { bytes: body.length };
  }

  /** The demo host behind `host`, after the pause of a connection; a down host fails like ssh. */
  private async reachable(host: Host, signal: AbortSignal | undefined): Promise<DemoHost> {
    const h = this.demoHost(host);
    signal?.throwIfAborted();
    if (h.down) {
      const c = this.unreachable(h);
      throw new TransportError(h.name, 'unreachable', c.reason!, c.hint);
    }
    if (!(await sleep(this.startDelayMs, signal ?? new AbortController().signal))) signal?.throwIfAborted();
    return h;
  }

  private async rootOf(h: DemoHost | undefined): Promise<string> {
    const shell = await this.shell();
    const seed = (x: DemoHost | undefined) => (r: string) => {
      seedHostFiles(this.cluster, x, r);
      applyScenarioFiles(this.scenario, this.cluster, x, r);
    };
    // the hosts whose files the scenario changed first: a host not seeded yet reads as seeded (etcd.ts)
    for (const name of scenarioFileHosts(this.scenario)) {
      const x = this.byName.get(name);
      if (x) shell.roots.rootOf(x.name, seed(x), shell.toolDir);
    }
    return shell.roots.rootOf(h?.name, seed(h), shell.toolDir);
  }

  /** Stops the cluster tools' socket and removes the hosts' directories (nothing was ever connected to). */
  async close(): Promise<void> {
    const shell = this.shellReady;
    this.shellReady = undefined;
    if (shell) await (await shell).close();
  }
}
