// The Nodes screen's core: reads nodes and pods with `oc` and runs cordon, uncordon and drain through the
// console's Runner (the same one production and tests use; `oc` on the bastion, like the cluster checks).
// A drain is a DrainSession: it streams the drain's output into per-pod progress, can be cancelled
// (AbortSignal: the oc process is ended), and when the drain has ended — drained, refused, failed, timed
// out or cancelled — reads the node back and says what state it is left in.

import { type ValueStore, valueStore } from '../engine/run-store.js';
import {
  drainBlockers,
  getNodeCommand,
  getNodesCommand,
  type NodeInfo,
  type NodePod,
  nodeStatusText,
  parseNodesJson,
  parsePodCounts,
  parsePodsJson,
  podKey,
  podNodesCommand,
  podsOnNodeCommand,
} from '../ocp/nodes.js';
import {
  cordonCommand,
  type DrainOptions,
  drainCommand,
  OC_3X,
  type OcVersion,
  parseOcVersion,
  uncordonCommand,
  validateDrainOptions,
} from '../ocp/oc.js';
import type { ShellCommand } from '../transport/shell.js';
import { argv } from '../transport/shell.js';
import { sleep } from '../transport/sleep.js';
import { type CommandResult, type Runner, type RunOptions, type Target, TransportError } from '../transport/types.js';
import { applyDrainLine, type DrainProgress, finishDrain, initialProgress, progressCounts } from './drain.js';
import { type PendingPod, parsePending, pendingPodsCommand, pendingReport, stillStarting } from './replacements.js';

export interface NodesServiceOptions {
  runner: Runner;
  /** The oc binary (--oc). Default `oc`. */
  oc?: string;
  /** Where oc runs. Default: the bastion (this machine), as for the cluster-wide checks. */
  target?: Target;
  /** Timeout of each read command (get nodes, get pods). Default 30 s. */
  timeoutMs?: number;
  /** When set, oc cannot be used (e.g. not installed): every call fails with this sentence. */
  ocUnavailable?: string;
  /** Told of every command that changes a node (cordon, uncordon, drain) once it has ended: the audit log. */
  audit?: (action: NodeAction) => void;
  /** After a drain, how long the replacement pods are followed (default 90 s) and how often (default 3 s). */
  followSeconds?: number;
  followEveryMs?: number;
}

/** A command of the Nodes screen that changed (or tried to change) the cluster, as the audit log keeps it. */
export interface NodeAction {
  action: 'cordon' | 'uncordon' | 'drain';
  node: string;
  target: Target;
  command: ShellCommand;
  /** Undefined when the runner could not run it (then `error`). */
  result?: CommandResult;
  error?: string;
  durationMs: number;
}

/** A sentence for the operator: what could not be done and, where known, what to do. */
export class NodesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodesError';
  }
}

export interface NodeRow extends NodeInfo {
  /** Pods holding a place on the node; undefined when they could not be counted. */
  pods?: number;
}

export interface NodeList {
  nodes: NodeRow[];
  /** Why the pod counts are missing, when they are. */
  podCountProblem?: string;
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;

function firstLine(text: string): string {
  return (text.split(/\r?\n/).find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/** Why an oc command failed, as one sentence (undefined: it did not fail). */
export function ocFailure(r: CommandResult, what: string, oc = 'oc'): string | undefined {
  if (r.exitCode === 0) return undefined;
  if (r.cancelled) return `${what}: cancelled`;
  if (r.timedOut) return `${what}: no answer within ${Math.round(r.durationMs / 1000)} s (is the API server up?)`;
  const err = r.stderr.trim() || r.stdout.trim();
  const esc = oc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (r.exitCode === 127 || new RegExp(`${esc}: (command )?not found|${esc}: No such file`).test(err)) {
    return `${oc} not found: install the OpenShift client on this machine or pass --oc PATH`;
  }
  if (/forbidden/i.test(err)) return `${what}: Forbidden — log in as a cluster-admin (oc login -u system:admin or a user with the role)`;
  if (/(You must be logged in|Unauthorized|token has expired)/i.test(err)) return `${what}: not logged in — run oc login on the bastion`;
  if (/(Unable to connect to the server|connection refused|no such host|i\/o timeout|The connection to the server)/i.test(err)) {
    return `${what}: the API server cannot be reached (${firstLine(err)})`;
  }
  if (/\(NotFound\)|not found/.test(err)) return `${what}: ${firstLine(err).replace(/^Error from server \(NotFound\): /, '')}`;
  return `${what} failed (exit ${r.exitCode ?? 'none'}): ${firstLine(err) || 'no output'}`;
}

export class NodesService {
  readonly runner: Runner;
  readonly oc: string;
  readonly target: Target;
  private readonly timeoutMs: number;
  private readonly ocUnavailable: string | undefined;
  private readonly audit: ((a: NodeAction) => void) | undefined;
  readonly followSeconds: number;
  readonly followEveryMs: number;
  private versionPromise: Promise<OcVersion> | undefined;

  constructor(options: NodesServiceOptions) {
    this.runner = options.runner;
    this.oc = options.oc ?? 'oc';
    this.target = options.target ?? { kind: 'bastion' };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.ocUnavailable = options.ocUnavailable;
    this.audit = options.audit;
    this.followSeconds = options.followSeconds ?? 90;
    this.followEveryMs = options.followEveryMs ?? 3000;
  }

  /** The cluster's Pending pods (the replacements of evicted pods among them). */
  async pendingPods(signal?: AbortSignal): Promise<PendingPod[]> {
    return parsePending(await this.ok(pendingPodsCommand(this.oc), 'listing the Pending pods', signal ? { signal } : {}));
  }

  /** run() for a command that changes a node: the audit hears of it however it ends. */
  async runChange(
    action: NodeAction['action'],
    node: string,
    command: ShellCommand,
    what: string,
    extra: Omit<RunOptions, 'stdin'> = {},
  ): Promise<CommandResult> {
    const started = Date.now();
    const record = (r: { result?: CommandResult; error?: string }) =>
      this.audit?.({ action, node, target: this.target, command, durationMs: Date.now() - started, ...r });
    try {
      const result = await this.run(command, what, extra);
      record({ result });
      return result;
    } catch (err) {
      if (!this.ocUnavailable) record({ error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  }

  /** Runs one oc command; a host that cannot be used or a runner error becomes a NodesError. */
  async run(command: ShellCommand, what: string, extra: Omit<RunOptions, 'stdin'> = {}): Promise<CommandResult> {
    if (this.ocUnavailable) throw new NodesError(this.ocUnavailable);
    try {
      return await this.runner.run(this.target, command, { timeoutMs: this.timeoutMs, ...extra });
    } catch (err) {
      if (err instanceof TransportError) throw new NodesError(`${what}: ${err.message}${err.hint ? ` — ${err.hint}` : ''}`);
      throw new NodesError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async ok(command: ShellCommand, what: string, extra: { signal?: AbortSignal; maxBufferBytes?: number } = {}): Promise<string> {
    const r = await this.run(command, what, extra);
    const bad = ocFailure(r, what, this.oc);
    if (bad) throw new NodesError(bad);
    return r.stdout;
  }

  private parse<T>(what: string, f: () => T): T {
    try {
      return f();
    } catch (err) {
      throw new NodesError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The client's version (read once; when it cannot be read, the OCP 3.x client is assumed). */
  version(): Promise<OcVersion> {
    this.versionPromise ??= this.run(argv(this.oc, 'version'), 'oc version')
      .then((r) => (r.exitCode === 0 || r.stdout.trim() ? parseOcVersion(r.stdout) : OC_3X))
      .catch(() => OC_3X);
    return this.versionPromise;
  }

  /** Every node with its pod count (the counts may be missing: podCountProblem says why). */
  async listNodes(): Promise<NodeList> {
    const [nodesOut, counts] = await Promise.all([
      this.ok(getNodesCommand(this.oc), 'oc get nodes', { maxBufferBytes: MAX_JSON_BYTES }),
      this.run(podNodesCommand(this.oc), 'oc get pods', { maxBufferBytes: MAX_JSON_BYTES }).then(
        (r) => ({ r, problem: ocFailure(r, 'counting pods', this.oc) }),
        (err: unknown) => ({ r: undefined, problem: err instanceof Error ? err.message : String(err) }),
      ),
    ]);
    const nodes = this.parse('oc get nodes -o json', () => parseNodesJson(nodesOut));
    if (counts.problem || !counts.r) return { nodes, podCountProblem: counts.problem ?? 'pods could not be counted' };
    const byNode = parsePodCounts(counts.r.stdout);
    return { nodes: nodes.map((n) => ({ ...n, pods: byNode.get(n.name) ?? 0 })) };
  }

  async getNode(node: string): Promise<NodeInfo> {
    const out = await this.ok(getNodeCommand(node, this.oc), `oc get node ${node}`);
    const nodes = this.parse(`oc get node ${node} -o json`, () => parseNodesJson(out));
    const n = nodes.find((x) => x.name === node);
    if (!n) throw new NodesError(`oc get node ${node}: no such node in the answer`);
    return n;
  }

  async podsOn(node: string, signal?: AbortSignal): Promise<NodePod[]> {
    const out = await this.ok(podsOnNodeCommand(node, this.oc), `listing the pods on ${node}`, {
      maxBufferBytes: MAX_JSON_BYTES,
      ...(signal ? { signal } : {}),
    });
    return this.parse(`oc get pods on ${node}`, () => parsePodsJson(out));
  }

  /** Cordon (false) or uncordon (true); resolves with a sentence saying the node's state now. */
  async setSchedulable(node: string, schedulable: boolean): Promise<string> {
    const cmd = schedulable ? uncordonCommand(node, this.oc) : cordonCommand(node, this.oc);
    const what = `oc adm manage-node ${node} --schedulable=${schedulable}`;
    const r = await this.runChange(schedulable ? 'uncordon' : 'cordon', node, cmd, what);
    const bad = ocFailure(r, what, this.oc);
    if (bad) throw new NodesError(bad);
    const out = r.stdout;
    // manage-node prints the node's row: NAME STATUS ROLES AGE VERSION
    const row = out.split('\n').find((l) => l.split(/\s+/)[0] === node);
    const status = row?.split(/\s+/)[1];
    return `${node} is ${schedulable ? 'schedulable again' : 'cordoned: no new pods are placed on it'}${status ? ` (${status})` : ''}.`;
  }

  /** Starts a drain; `before` saves re-reading what the screen already has. */
  startDrain(options: DrainOptions, before: { node?: NodeInfo; pods?: readonly NodePod[] } = {}): DrainSession {
    return new DrainSession(this, options, before);
  }
}

// ---- the drain session ------------------------------------------------------------------------------------

export type DrainStatus = 'preparing' | 'running' | 'reading-back' | 'following' | 'done';

/** After the evictions (guide 5.3.1): the Pending pods once their replacements were followed. */
export interface ReplacementsFollowed {
  /** Pending when the follow ended: those the scheduler has no node for, and any still starting. */
  pending: PendingPod[];
  /** The follow ended before every replacement had started: the time ran out, Esc, or an error (`error`). */
  complete: boolean;
  seconds: number;
  error?: string;
}

export interface NodeReadback {
  node?: NodeInfo;
  /** The pods still on the node after the drain. */
  podsLeft: NodePod[];
  /** Why the node could not be read back. */
  error?: string;
}

export interface DrainSnapshot {
  options: DrainOptions;
  status: DrainStatus;
  /** The exact command (once built). */
  command?: string;
  progress: DrainProgress;
  /** The drain's output, as it came (the last MAX_LOG lines). */
  log: string[];
  /** Things to know before reading the progress (NotReady node, pods not listed, …). */
  notes: string[];
  /** Set once the operator cancelled. */
  cancelRequested: boolean;
  exitCode?: number | null;
  after?: NodeReadback;
  /** Once the evicted pods' replacements were followed (only after a drain that evicted some). */
  replacements?: ReplacementsFollowed;
  /** One or two sentences once done: the outcome and the state the node is left in. */
  summary?: string;
}

const MAX_LOG = 500;
/** How long past the drain's own --timeout the command may take before the runner ends it. */
const TIMEOUT_GRACE_S = 30;

type Listener = () => void;

export class DrainSession {
  private readonly store: ValueStore<DrainSnapshot>;
  private readonly abort = new AbortController();
  /** Esc while the replacements are followed ends the follow (the drain itself has ended). */
  private readonly stopFollowing = new AbortController();
  private readonly done: Promise<DrainSnapshot>;

  constructor(
    private readonly service: NodesService,
    readonly options: DrainOptions,
    before: { node?: NodeInfo; pods?: readonly NodePod[] },
  ) {
    this.store = valueStore<DrainSnapshot>({
      options,
      status: 'preparing',
      progress: initialProgress(options, before.pods ?? []),
      log: [],
      notes: [],
      cancelRequested: false,
    });
    this.done = this.go(before).catch((err: unknown) => {
      this.set({ status: 'done', summary: `Drain not run: ${err instanceof Error ? err.message : String(err)}` });
      return this.snap;
    });
  }

  getSnapshot = (): DrainSnapshot => this.store.snapshot();

  subscribe = (l: Listener): (() => void) => this.store.subscribe(l);

  /** The drain as it is now (the same object until the next change). */
  private get snap(): DrainSnapshot {
    return this.store.snapshot();
  }

  /**
   * Ends the drain (the oc process is stopped); the node is then read back. Once the drain command has
   * ended (reading back, done) there is nothing to stop: a late Esc must not mark the drain cancelled.
   */
  cancel(): void {
    if (this.snap.status === 'following') {
      this.stopFollowing.abort();
      return;
    }
    if (this.snap.status === 'done' || this.snap.status === 'reading-back' || this.snap.cancelRequested) return;
    this.set({ cancelRequested: true });
    this.abort.abort();
  }

  finished(): Promise<DrainSnapshot> {
    return this.done;
  }

  private set(patch: Partial<DrainSnapshot>): void {
    this.store.update((s) => ({ ...s, ...patch }));
  }

  private async go(before: { node?: NodeInfo; pods?: readonly NodePod[] }): Promise<DrainSnapshot> {
    const o = this.options;
    const bad = validateDrainOptions(o);
    if (bad) {
      this.set({ status: 'done', summary: `Drain not run: ${bad}` });
      return this.snap;
    }
    const service = this.service;
    const notes: string[] = [];
    // What the drain will meet: the node and its pods (unless the screen already has them).
    const [version, node, pods] = await Promise.all([
      service.version(),
      before.node
        ? Promise.resolve(before.node)
        : service.getNode(o.node).catch((e: unknown) => {
            notes.push(`Could not read ${o.node} first: ${msg(e)}`);
            return undefined;
          }),
      before.pods
        ? Promise.resolve([...before.pods])
        : service.podsOn(o.node, this.abort.signal).catch((e: unknown) => {
            notes.push(`Pods not listed first (${msg(e)}): they appear as the drain names them.`);
            return undefined;
          }),
    ]);
    if (this.abort.signal.aborted) return this.endCancelledBeforeStart();
    if (node && node.ready !== 'Ready') {
      const t = o.timeoutSeconds
        ? `it gives up after its --timeout of ${o.timeoutSeconds} s`
        : 'without a --timeout it can wait for ever (Esc cancels)';
      notes.push(
        `${o.node} is ` +
          `${nodeStatusText({ ...node, schedulable: true })}${node.readyMessage ? ` (${node.readyMessage})` : ''}: its ` +
          `kubelet cannot stop the pods, so an evicted pod may stay Terminating until the node is back; the drain waits ` +
          `for them, and ${t}.`,
      );
    }
    if (node && !node.schedulable) notes.push(`${o.node} is already cordoned (SchedulingDisabled).`);
    const progress = pods && !before.pods ? initialProgress(o, pods) : this.snap.progress;
    const command = drainCommand(o, version, service.oc);
    this.set({ status: 'running', command: command.script, notes, progress });

    const onLine = (line: string) => {
      const log = this.snap.log.length >= MAX_LOG ? [...this.snap.log.slice(1 - MAX_LOG), line] : [...this.snap.log, line];
      this.set({ log, progress: applyDrainLine(this.snap.progress, line) });
    };
    let result: CommandResult | undefined;
    let runError: string | undefined;
    try {
      result = await service.runChange('drain', o.node, command, `oc adm drain ${o.node}`, {
        signal: this.abort.signal,
        onStdout: onLine,
        onStderr: onLine,
        // The drain bounds itself with --timeout; the runner only stops a drain that ignores it.
        timeoutMs: o.timeoutSeconds ? (o.timeoutSeconds + TIMEOUT_GRACE_S) * 1000 : undefined,
      });
    } catch (err) {
      runError = msg(err);
    }
    const cancelled = !!result?.cancelled || (this.abort.signal.aborted && !result);
    const progress2 = finishDrain(this.snap.progress, { exitCode: result?.exitCode ?? null, cancelled, timedOut: !!result?.timedOut });
    this.set({ status: 'reading-back', progress: progress2, exitCode: result?.exitCode ?? null });

    // Read the node back: is it cordoned, which pods are still there?
    const after: NodeReadback = { podsLeft: [] };
    try {
      const [n, left] = await Promise.all([service.getNode(o.node), service.podsOn(o.node)]);
      after.node = n;
      after.podsLeft = left;
    } catch (err) {
      after.error = msg(err);
    }
    const reconciled = after.error ? this.snap.progress : reconcileWithReadback(this.snap.progress, after.podsLeft);
    const summary = drainSummary(o, reconciled, after, runError);
    if (cancelled || progressCounts(reconciled).evicted === 0) {
      this.set({ status: 'done', after, progress: reconciled, summary });
      return this.snap;
    }
    this.set({ status: 'following', after, progress: reconciled });
    const replacements = await this.followReplacements();
    this.set({ status: 'done', replacements, summary: `${summary} ${replacementsSentence(replacements)}` });
    return this.snap;
  }

  /** Until no pod is Pending but those the scheduler has no node for, at most followSeconds (Esc ends it). */
  private async followReplacements(): Promise<ReplacementsFollowed> {
    const { service } = this;
    const signal = this.stopFollowing.signal;
    const started = Date.now();
    const seconds = () => Math.round((Date.now() - started) / 1000);
    let pending: PendingPod[] = [];
    for (;;) {
      try {
        pending = await service.pendingPods(signal);
      } catch (err) {
        return { pending, complete: false, seconds: seconds(), error: signal.aborted ? 'stopped (Esc)' : msg(err) };
      }
      if (stillStarting(pending).length === 0) return { pending, complete: true, seconds: seconds() };
      if (Date.now() - started >= service.followSeconds * 1000) return { pending, complete: false, seconds: seconds() };
      if (!(await sleep(service.followEveryMs, signal))) return { pending, complete: false, seconds: seconds(), error: 'stopped (Esc)' };
    }
  }

  private endCancelledBeforeStart(): DrainSnapshot {
    this.set({
      status: 'done',
      progress: finishDrain(this.snap.progress, { exitCode: null, cancelled: true }),
      summary: `Drain cancelled before it started: ${this.options.node} was not touched.`,
    });
    return this.snap;
  }
}

/** What became of the evicted pods' replacements, as one sentence for the drain's summary. */
export function replacementsSentence(r: ReplacementsFollowed): string {
  const starting = stillStarting(r.pending);
  const unschedulable = r.pending.filter((p) => !starting.includes(p));
  if (r.pending.length === 0) return 'Every replacement pod has a node: none is Pending.';
  const why = pendingReport(r.pending).slice(1).slice(0, 3).join('; ');
  const more = r.pending.length > 3 ? ` and ${r.pending.length - 3} more (oc get pods --all-namespaces | grep Pending)` : '';
  const head = r.complete
    ? `${plural(unschedulable.length, 'replacement pod')} cannot be placed`
    : `Followed the replacement pods for ${r.seconds} s${r.error ? ` (${r.error})` : ''}: ${plural(r.pending.length, 'pod')} still Pending`;
  return `${head} — ${why}${more}.`;
}

/**
 * After the drain: a pod the progress still has in flight or left that is no longer on the node was
 * evicted after all (its line may not have come before a cancel); one still there is left.
 */
export function reconcileWithReadback(pr: DrainProgress, podsLeft: readonly NodePod[]): DrainProgress {
  const still = new Map(podsLeft.map((p) => [podKey(p), p]));
  const byName = new Set(podsLeft.map((p) => p.name));
  const pods = pr.pods.map((p) => {
    const there = p.namespace ? still.has(`${p.namespace}/${p.name}`) : byName.has(p.name);
    const live = p.namespace ? still.get(`${p.namespace}/${p.name}`) : undefined;
    if ((p.state === 'left' || p.state === 'evicting' || p.state === 'retrying') && !there)
      return { ...p, state: 'evicted' as const, reason: p.reason ?? 'gone from the node' };
    if (p.state === 'evicted' && live && !live.terminating) return p; // a replacement of the same name is unlikely; trust the drain
    if ((p.state === 'evicted' || p.state === 'left') && live?.terminating)
      return { ...p, state: 'left' as const, reason: 'Terminating: the node has not confirmed it stopped' };
    return p;
  });
  return { ...pr, pods };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function listPods(pods: readonly { namespace: string; name: string }[], max = 3): string {
  const names = pods.slice(0, max).map((p) => (p.namespace ? `${p.namespace}/${p.name}` : p.name));
  return pods.length > max ? `${names.join(', ')} and ${pods.length - max} more` : names.join(', ');
}

/** The state the node is left in, as a sentence ("node-0 is cordoned (SchedulingDisabled) with 1 pod left: …"). */
export function nodeStateSentence(node: string, after: NodeReadback): string {
  if (after.error || !after.node) return `Could not read ${node} back (${after.error ?? 'no answer'}): check it with oc get node ${node}.`;
  const n = after.node;
  const sched = n.schedulable ? 'schedulable' : 'cordoned (SchedulingDisabled)';
  const ds = after.podsLeft.filter((p) => p.ownerKind === 'DaemonSet' || p.mirror);
  const others = after.podsLeft.filter((p) => !(p.ownerKind === 'DaemonSet' || p.mirror));
  const parts: string[] = [];
  if (others.length) parts.push(`${plural(others.length, 'pod')} still on it: ${listPods(others)}`);
  if (ds.length) parts.push(`${plural(ds.length, 'DaemonSet or static pod')} (they stay)`);
  const ready = n.ready === 'Ready' ? '' : `, ${nodeStatusText({ ...n, schedulable: true })}`;
  return `${node} is ${sched}${ready}${parts.length ? ` — ${parts.join('; ')}` : ', no pods left'}.`;
}

/** The outcome of a drain and the state the node is left in. */
export function drainSummary(o: DrainOptions, pr: DrainProgress, after: NodeReadback, runError?: string): string {
  const c = progressCounts(pr);
  const evicted = `${plural(c.evicted, 'pod')} evicted`;
  const state = nodeStateSentence(o.node, after);
  const cordoned = after.node ? !after.node.schedulable : true;
  const next = cordoned ? ' u makes it schedulable again.' : '';
  switch (pr.phase) {
    case 'drained':
      return `Drained: ${evicted}. ${state}${next}`;
    case 'refused': {
      const blocked = pr.pods.filter((p) => p.state === 'blocked');
      const options = [...new Set(blocked.map((p) => /\((--[a-z-]+)\)$/.exec(p.reason ?? '')?.[1]).filter(Boolean))];
      return (
        `Drain refused, nothing evicted: ${listPods(blocked)} ${blocked.length === 1 ? 'needs' : 'need'} an ` +
        `option ` +
        `(${options.join(', ') || 'see the log'}). ${state}${next}`
      );
    }
    case 'cancelled':
      return `Drain cancelled: ${evicted} before it stopped. ${state}${next}`;
    case 'timed-out':
      return `Drain gave up after its timeout${o.timeoutSeconds ? ` of ${o.timeoutSeconds} s` : ''}: ${evicted}. ${state}${next}`;
    default: {
      const why = runError ?? pr.errors.find((e) => !/^unable to drain node/.test(e)) ?? pr.errors[0] ?? 'see the log';
      return `Drain failed: ${why}. ${evicted}. ${state}${next}`;
    }
  }
}

function msg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export { drainBlockers, nodeStatusText };
