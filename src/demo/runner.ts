// The DemoRunner: a Runner for the built-in DEMO cluster. It never touches the network. Probes resolve
// after a small, varied delay (one app node is down, to show what a problem looks like); commands are
// answered from the table in commands.ts and streamed line by line with small delays, honouring
// AbortSignal and timeouts like a real runner. Everything but the probe delays is deterministic.

import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type ParseEntry, parse } from 'shell-quote';
import type { Host, Inventory } from '../inventory/types.js';
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
import { buildDemoCluster, type DemoCluster, type DemoHost, tcpConnect } from './cluster.js';
import { DEMO_COMMANDS, type DemoAnswer, type DemoCommand, type DemoContext, hasBinary } from './commands.js';
import { demoInventory } from './inventory.js';

/** How many output lines of a command are paced by lineDelayMs (the rest follow at once). */
const PACED_LINES = 40;

export interface DemoRunnerOptions {
  /** The cluster to simulate (default: demoInventory()). */
  inventory?: Inventory;
  /** Hosts simulated as down (default: the last app node, app-node-2). */
  downHosts?: readonly string[];
  /** Hosts whose docker still uses devicemapper (default: app-node-1), so the docker-storage check has something to say. */
  devicemapperHosts?: readonly string[];
  /** Pause before each of a command's first PACED_LINES output lines (default 12 ms). */
  lineDelayMs?: number;
  /** Pause before a command's first line (default 60 ms). */
  startDelayMs?: number;
  /** Range of probe delays (default 150–1200 ms; a down host takes 1.5–2.5 s, like a connect timeout). */
  probeDelayMs?: { min: number; max: number };
  /** Source of randomness for probe delays (default Math.random). */
  random?: () => number;
}

/** One thing a simulated command does: print a line, or take time. */
export type DemoStep =
  | { kind: 'line'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'wait'; ms: number }
  /** A change to the simulated cluster, made when the run reaches it (a cancelled run never makes it). */
  | { kind: 'effect'; run: () => void };

export interface DemoExecution {
  steps: DemoStep[];
  exitCode: number;
}

const DEFAULT_DOWN = ['app-node-2.demo.example.com'];
const DEFAULT_DEVICEMAPPER = ['app-node-1.demo.example.com'];

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

interface Segment {
  /** Operator that joins it to the previous segment. */
  join: ';' | '&&' | '||';
  entries: ParseEntry[];
}

function segments(script: string): Segment[] {
  const out: Segment[] = [];
  let cur: Segment = { join: ';', entries: [] };
  for (const e of tokens(script)) {
    if (typeof e === 'object' && 'comment' in e) continue;
    if (typeof e === 'object' && 'op' in e && (e.op === ';' || e.op === '&&' || e.op === '||' || e.op === '&')) {
      if (cur.entries.length) out.push(cur);
      cur = { join: e.op === '&' ? ';' : e.op, entries: [] };
      continue;
    }
    cur.entries.push(e);
  }
  if (cur.entries.length) out.push(cur);
  return out;
}

/** The normalised text of a whole script (what DemoContext.script holds). */
export function normaliseScript(script: string): string {
  return tokens(script).map(entryText).filter(Boolean).join(' ');
}

interface Redirects {
  dropOut: boolean;
  dropErr: boolean;
  errToOut: boolean;
  /** A bash `/dev/tcp/HOST/PORT` redirection: a TCP connect before the command runs. */
  tcp?: { host: string; port: number };
}

/** Removes redirections from a pipeline element's entries. */
function stripRedirects(entries: ParseEntry[]): { words: ParseEntry[]; redirects: Redirects } {
  const words: ParseEntry[] = [];
  const r: Redirects = { dropOut: false, dropErr: false, errToOut: false };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (typeof e === 'object' && 'op' in e && (e.op === '>' || e.op === '>>' || e.op === '>&' || e.op === '<' || e.op === '<>')) {
      const prev = words[words.length - 1];
      const fd = words.length && prev === '2' ? '2' : '1';
      if (fd === '2' || (e.op === '<>' && typeof prev === 'string' && /^\d+$/.test(prev))) words.pop();
      const target = entries[++i];
      const dev = typeof target === 'string' ? /^\/dev\/tcp\/([^/]+)\/(\d+)$/.exec(target) : null;
      if (dev) {
        r.tcp = { host: dev[1]!, port: Number(dev[2]) };
        continue;
      }
      if (e.op === '>&') {
        if (fd === '2' && target === '1') r.errToOut = true;
      } else if (e.op !== '<') {
        if (fd === '2') r.dropErr = true;
        else r.dropOut = true;
      }
      continue;
    }
    words.push(e);
  }
  return { words, redirects: r };
}

function splitPipeline(entries: ParseEntry[]): ParseEntry[][] {
  const parts: ParseEntry[][] = [[]];
  for (const e of entries) {
    if (typeof e === 'object' && 'op' in e && (e.op === '|' || e.op === '|&')) parts.push([]);
    else parts[parts.length - 1]!.push(e);
  }
  return parts.filter((p) => p.length > 0);
}

/** Drops a leading `sudo [-n]`, `exec`, `env` and `timeout N` (the words after are what runs). */
function commandWords(words: string[]): string[] {
  const w = [...words];
  for (;;) {
    if (w[0] === 'sudo') {
      w.shift();
      while (w[0]?.startsWith('-')) w.shift();
    } else if (w[0] === 'exec' || w[0] === 'env' || (w[0] === 'command' && w[1] !== '-v')) {
      w.shift();
    } else if (w[0] === 'timeout' && /^\d+[smh]?$/.test(w[1] ?? '')) {
      w.splice(0, 2);
    } else break;
  }
  return w;
}

/** The program a command runs (after environment assignments). */
function programOf(words: string[]): string {
  return words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) ?? '';
}

const PIPE_FILTERS: Record<string, (args: string[], lines: string[]) => string[] | undefined> = {
  grep: (args, lines) => {
    let invert = false;
    let icase = false;
    let count = false;
    let quiet = false;
    const rest: string[] = [];
    for (const a of args) {
      if (/^-[a-zA-Z]+$/.test(a)) {
        invert ||= a.includes('v');
        icase ||= a.includes('i');
        count ||= a.includes('c');
        quiet ||= a.includes('q');
      } else rest.push(a);
    }
    const pattern = rest[0] ?? '';
    let re: RegExp;
    try {
      re = new RegExp(pattern, icase ? 'i' : '');
    } catch {
      re = new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), icase ? 'i' : '');
    }
    const kept = lines.filter((l) => re.test(l) !== invert);
    if (quiet) return kept.length ? [] : undefined;
    if (count) return [String(kept.length)];
    return kept.length ? kept : undefined;
  },
  head: (args, lines) => lines.slice(0, Number(args.find((a) => /^-?\d+$/.test(a))?.replace('-', '') ?? 10)),
  tail: (args, lines) => lines.slice(-Number(args.find((a) => /^-?\d+$/.test(a))?.replace('-', '') ?? 10)),
  sort: (_args, lines) => [...lines].sort(),
  wc: (_args, lines) => [String(lines.length)],
  cat: (_args, lines) => lines,
};

function splitLines(text: string | undefined): string[] {
  if (text === undefined || text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

// Compound commands: `for V in WORDS; do …; done` and `if …; then …; [else …;] fi`, built from the
// segments (each keyword leads a segment), with $V expanded in the words of the body.
type Join = Segment['join'];
type ScriptNode =
  | { kind: 'simple'; join: Join; entries: ParseEntry[] }
  | { kind: 'for'; join: Join; name: string; values: ParseEntry[]; body: ScriptNode[] }
  | { kind: 'if'; join: Join; cond: ScriptNode[]; then: ScriptNode[]; else: ScriptNode[] };

class ScriptSyntaxError extends Error {}

function parseScriptNodes(input: Segment[]): ScriptNode[] {
  const segs = input.map((x) => ({ ...x, entries: [...x.entries] }));
  let i = 0;
  const first = (k: number) => (typeof segs[k]?.entries[0] === 'string' ? (segs[k]!.entries[0] as string) : undefined);
  /** Consumes keyword `kw` at the head of the current segment (what follows it stays, as a new command). */
  const strip = (kw: string) => {
    if (first(i) !== kw) throw new ScriptSyntaxError(`syntax error: expected \`${kw}'`);
    const rest = segs[i]!.entries.slice(1);
    if (rest.length > 0 && kw !== 'done' && kw !== 'fi') segs[i] = { join: ';', entries: rest };
    else i++;
  };
  const list = (stops: string[]): ScriptNode[] => {
    const out: ScriptNode[] = [];
    while (i < segs.length) {
      const s = segs[i]!;
      const w = first(i);
      if (w !== undefined && stops.includes(w)) return out;
      if (w === 'for') {
        const header = s.entries.slice(1);
        const name = header[0];
        if (typeof name !== 'string' || header[1] !== 'in') throw new ScriptSyntaxError("syntax error near `for'");
        i++;
        strip('do');
        const body = list(['done']);
        strip('done');
        out.push({ kind: 'for', join: s.join, name, values: header.slice(2), body });
      } else if (w === 'if') {
        const join = s.join;
        strip('if');
        const cond = list(['then']);
        strip('then');
        const then = list(['else', 'elif', 'fi']);
        let otherwise: ScriptNode[] = [];
        if (first(i) === 'elif') throw new ScriptSyntaxError('elif is not simulated');
        if (first(i) === 'else') {
          strip('else');
          otherwise = list(['fi']);
        }
        strip('fi');
        out.push({ kind: 'if', join, cond, then, else: otherwise });
      } else {
        out.push({ kind: 'simple', join: s.join, entries: s.entries });
        i++;
      }
    }
    if (stops.length > 0) throw new ScriptSyntaxError(`syntax error: unexpected end of file (expecting \`${stops[0]}')`);
    return out;
  };
  return list([]);
}

function expandVars(entries: ParseEntry[], env: Record<string, string>): ParseEntry[] {
  if (Object.keys(env).length === 0) return entries;
  return entries.map((e) => (typeof e === 'string' ? e.replace(/\$\{?([A-Za-z_]\w*)\}?/g, (m, n: string) => env[n] ?? m) : e));
}

/**
 * Answers one script: what the simulated target prints, step by step, and the exit code. Pure and
 * deterministic: exported so tests (and a future "what would the demo print" view) can use it.
 */
export function simulateScript(cluster: DemoCluster, host: DemoHost | undefined, script: string, depth = 0): DemoExecution {
  const whole = normaliseScript(script);
  const steps: DemoStep[] = [];
  let nodes: ScriptNode[];
  try {
    nodes = parseScriptNodes(segments(script));
  } catch (e) {
    if (!(e instanceof ScriptSyntaxError)) throw e;
    return { steps: [{ kind: 'line', stream: 'stderr', text: `sh: ${e.message}` }], exitCode: 2 };
  }

  const simple = (entries: ParseEntry[]): number => {
    const parts = splitPipeline(entries).map(stripRedirects);
    const last = parts[parts.length - 1]?.redirects ?? { dropOut: false, dropErr: false, errToOut: false };
    const words = parts.map((p) => commandWords(p.words.map(entryText).filter(Boolean)));
    let res: { out: string[]; err: string[]; code: number; waitMs: number; steps?: DemoStep[] };

    const head = words[0] ?? [];
    const tcp = parts[0]?.redirects.tcp;
    const conn = tcp ? tcpConnect(cluster, host, tcp.host, tcp.port) : undefined;
    if (tcp && conn && !conn.ok) {
      res = {
        out: [],
        err: [`bash: connect: ${conn.reason}`, `bash: /dev/tcp/${tcp.host}/${tcp.port}: ${conn.reason}`],
        code: 1,
        waitMs: 0,
      };
    } else if ((head[0] === 'sh' || head[0] === 'bash') && head[1] === '-c' && head[2] !== undefined && depth < 4 && words.length === 1) {
      // sh -c SCRIPT [$0 [$1 …]]: the positional parameters are expanded in SCRIPT
      const args = head.slice(3);
      const inner = simulateScript(
        cluster,
        host,
        head[2].replace(/\$(\d)|\$\{(\d+)\}/g, (_m, a?: string, b?: string) => args[Number(a ?? b)] ?? ''),
        depth + 1,
      );
      for (const st of inner.steps) {
        if (st.kind !== 'line') steps.push(st);
        else if (st.stream === 'stderr' && last.errToOut) steps.push({ ...st, stream: 'stdout' });
        else if (!(st.stream === 'stderr' ? last.dropErr : last.dropOut)) steps.push(st);
      }
      return inner.exitCode;
    } else {
      // The whole pipeline first (rules such as `oc … -o json | jq …`), then its first command + filters.
      const fullText = words.map((w) => w.join(' ')).join(' | ');
      const full = words.length > 1 ? answer(cluster, host, words.flat(), fullText, whole, true) : undefined;
      if (full) res = full;
      else {
        res = answer(cluster, host, head, head.join(' '), whole, false)!;
        for (const stage of words.slice(1)) {
          const prog = programOf(stage);
          const filter = PIPE_FILTERS[prog];
          if (!filter) {
            res = { out: [], err: [...res.err, `sh: ${prog}: command not found`], code: 127, waitMs: res.waitMs };
            break;
          }
          const kept = filter(stage.slice(1), res.out);
          res = { out: kept ?? [], err: res.err, code: kept === undefined ? 1 : 0, waitMs: res.waitMs };
        }
      }
    }
    if (res.steps) {
      // An answer that takes its own time (a drain): its steps as they are, redirections applied.
      for (const st of res.steps) {
        if (st.kind !== 'line') steps.push(st);
        else if (st.stream === 'stderr' && last.errToOut) steps.push({ ...st, stream: 'stdout' });
        else if (!(st.stream === 'stderr' ? last.dropErr : last.dropOut)) steps.push(st);
      }
      return res.code;
    }
    let { out, err } = res;
    if (last.errToOut) {
      out = [...out, ...err];
      err = [];
    }
    if (last.dropOut) out = [];
    if (last.dropErr) err = [];
    for (const text of out) steps.push({ kind: 'line', stream: 'stdout', text });
    for (const text of err) steps.push({ kind: 'line', stream: 'stderr', text });
    if (res.waitMs > 0) steps.push({ kind: 'wait', ms: res.waitMs });
    return res.code;
  };

  const exec = (list: ScriptNode[], env: Record<string, string>): number => {
    let code = 0;
    let started = false;
    for (const n of list) {
      if (started && ((n.join === '&&' && code !== 0) || (n.join === '||' && code === 0))) continue;
      started = true;
      if (n.kind === 'simple') code = simple(expandVars(n.entries, env));
      else if (n.kind === 'for') {
        code = 0;
        for (const v of expandVars(n.values, env)) code = exec(n.body, { ...env, [n.name]: entryText(v) });
      } else {
        const c = exec(n.cond, env);
        code = c === 0 ? exec(n.then, env) : n.else.length > 0 ? exec(n.else, env) : 0;
      }
    }
    return code;
  };

  const exitCode = exec(nodes, {});
  return { steps, exitCode };
}

function answer(
  cluster: DemoCluster,
  host: DemoHost | undefined,
  words: string[],
  text: string,
  script: string,
  pipelineOnly: boolean,
): { out: string[]; err: string[]; code: number; waitMs: number; steps?: DemoStep[] } | undefined {
  const prog = programOf(words);
  if (prog === '') return { out: [], err: [], code: 0, waitMs: 0 };
  const done = (a: DemoAnswer) => ({
    out: splitLines(a.out),
    err: splitLines(a.err),
    code: a.code ?? 0,
    waitMs: a.waitMs ?? 0,
    ...(a.steps ? { steps: a.steps } : {}),
  });
  // The program must exist on this host before any rule applies.
  if (!hasBinary(cluster, host, prog) || /^etcdctl[23]$/.test(prog)) {
    return pipelineOnly ? undefined : done({ err: `sh: ${prog}: command not found`, code: 127 });
  }
  for (const rule of DEMO_COMMANDS as readonly DemoCommand[]) {
    if (pipelineOnly && !rule.match.source.includes('\\|')) continue;
    const m = rule.match.exec(text);
    if (!m) continue;
    const ctx: DemoContext = { cluster, host, words, text, script, match: m };
    if (rule.when && !rule.when(ctx)) continue;
    if (rule.needs && !hasBinary(cluster, host, rule.needs)) return done({ err: `sh: ${rule.needs}: command not found`, code: 127 });
    return done(rule.answer(ctx));
  }
  if (pipelineOnly) return undefined;
  return done({ err: `sh: ${prog}: command not found`, code: 127 });
}

// ---------------------------------------------------------------------------------------------------
// The runner

export class DemoRunner implements Runner {
  readonly cluster: DemoCluster;
  private readonly byName = new Map<string, DemoHost>();
  private readonly lineDelayMs: number;
  private readonly startDelayMs: number;
  private readonly probeDelay: { min: number; max: number };
  private readonly random: () => number;

  constructor(options: DemoRunnerOptions = {}) {
    const inventory = options.inventory ?? demoInventory();
    this.cluster = buildDemoCluster(inventory, {
      down: options.downHosts ?? DEFAULT_DOWN,
      devicemapper: options.devicemapperHosts ?? DEFAULT_DEVICEMAPPER,
    });
    for (const h of this.cluster.hosts) this.byName.set(h.name, h);
    this.lineDelayMs = options.lineDelayMs ?? 12;
    this.startDelayMs = options.startDelayMs ?? 60;
    this.probeDelay = options.probeDelayMs ?? { min: 150, max: 1200 };
    this.random = options.random ?? Math.random;
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

    const exec = simulateScript(this.cluster, host, command.script);
    if (!(await sleep(this.startDelayMs, ac.signal))) return finish(null);
    // Paced like a command printing as it works, but only its first lines: a real `oc get … -o json`
    // prints hundreds of lines at once, and pacing every one made the demo's Nodes screen take 10 s.
    let paced = 0;
    for (const step of exec.steps) {
      if (step.kind === 'wait') {
        if (!(await sleep(step.ms, ac.signal))) return finish(null);
        continue;
      }
      if (step.kind === 'effect') {
        step.run();
        continue;
      }
      if (paced++ < PACED_LINES && !(await sleep(this.lineDelayMs, ac.signal))) return finish(null);
      if (ac.signal.aborted) return finish(null);
      const buf = Buffer.from(`${step.text}\n`);
      if (step.stream === 'stdout') {
        out.push(buf);
        options.onStdout?.(step.text);
      } else {
        err.push(buf);
        options.onStderr?.(step.text);
      }
    }
    return finish(exec.exitCode);
  }

  /** A simulated SFTP copy: writes a small placeholder file (0600) saying what it stands for. */
  async download(host: Host, remotePath: string, localPath: string, options: DownloadOptions = {}): Promise<DownloadResult> {
    const h = this.demoHost(host);
    options.signal?.throwIfAborted();
    if (h.down) {
      const c = this.unreachable(h);
      throw new TransportError(h.name, 'unreachable', c.reason!, c.hint);
    }
    if (!(await sleep(this.startDelayMs, options.signal ?? new AbortController().signal))) options.signal?.throwIfAborted();
    const body = Buffer.from(`day2-tui demo: placeholder for ${h.name}:${remotePath} (no real host was contacted)\n`);
    await mkdir(dirname(localPath), { recursive: true, mode: 0o700 });
    const tmp = `${localPath}.part-${process.pid}`;
    await writeFile(tmp, body, { mode: 0o600 });
    await rename(tmp, localPath);
    return { bytes: body.length };
  }

  /** A simulated SFTP copy to a host: reads the local file (it must exist), sends nothing anywhere. */
  async upload(host: Host, localPath: string, remotePath: string, options: UploadOptions = {}): Promise<UploadResult> {
    const h = this.demoHost(host);
    options.signal?.throwIfAborted();
    if (h.down) {
      const c = this.unreachable(h);
      throw new TransportError(h.name, 'unreachable', c.reason!, c.hint);
    }
    if (!(await sleep(this.startDelayMs, options.signal ?? new AbortController().signal))) options.signal?.throwIfAborted();
    let size: number;
    try {
      size = (await stat(localPath)).size;
    } catch (err) {
      throw new Error(`sftp put ${localPath} → ${h.name}:${remotePath}: ${(err as Error).message}`);
    }
    return { bytes: size };
  }

  async close(): Promise<void> {
    // Nothing to close: no connection was ever opened.
  }
}
