// `oc adm drain` as it runs: a pure parser of what drain prints into per-pod progress (its command and
// options are src/ocp/oc.ts).
//
// What a drain prints (oc 3.10 = kubectl 1.10 wording; kubectl 1.20 wording in brackets where it differs):
//   stdout  node "N" cordoned | node "N" already cordoned                     [node/N cordoned]
//   stderr  WARNING: Ignoring DaemonSet-managed pods: a; Deleting pods with local storage: b
//                                                   [ignoring DaemonSet-managed Pods: ns/a; deleting …]
//   stdout  evicting pod ns/x                                (kubectl ≥ 1.15 only; oc 3.10 prints nothing)
//   stderr  error when evicting pod "x" (will retry after 5s): Cannot evict pod as it would violate the
//           pod's disruption budget.                         [error when evicting pods/"x" -n "ns" (…)]
//   stdout  pod "x" evicted | pod "x" deleted                [pod/x evicted]
//   stdout  node "N" drained                                 [node/N drained]
// and on failure (stderr):
//   error: unable to drain node "N", aborting command...
//   There are pending nodes to be drained:
//    N
//   error: pods not managed by ReplicationController, … (use --force to override): x; pods with local
//          storage (use --delete-local-data to override): y
//                        [cannot delete Pods not managed by … (use --force to override): ns/x — one a line]
//   There are pending pods in node "N" when an error occurred: <error>
//   pod/x                                                    (one line per pod still there)
//   error: Drain did not complete within 30s                 [… global timeout reached: 30s]
// Because oc 3.10 does not say when it starts evicting a pod, the pods are known beforehand (the node's
// pod list) and every pod the drain will evict is "evicting" from the cordon on, until a line says
// what became of it.

import { type NodePod, type OwnerKind, ownerText, podKey } from '../ocp/nodes.js';
import {
  cordonCommand,
  DRAIN_TIMEOUT_SECONDS,
  type DrainOptions,
  drainCommand,
  drainFlags,
  uncordonCommand,
  validateDrainOptions,
} from '../ocp/oc.js';

// The drain's options and its commands (with cordon and uncordon) are src/ocp/oc.ts; the Nodes view model,
// the screens and the demo still name them from here.
export { cordonCommand, DRAIN_TIMEOUT_SECONDS, type DrainOptions, drainCommand, drainFlags, uncordonCommand, validateDrainOptions };

// ---- before the drain: what it will do with each pod --------------------------------------------------

// ---- the drain's output, line by line ------------------------------------------------------------------

/** One thing a drain line says. */
export type DrainEvent =
  | { kind: 'cordoned'; node: string; already: boolean }
  | { kind: 'warning'; text: string; ignored: string[]; deleting: string[] }
  | { kind: 'evicting'; pod: string; namespace?: string }
  | { kind: 'retry'; pod: string; namespace?: string; message: string; pdb: boolean }
  | { kind: 'evicted'; pod: string; namespace?: string; deleted: boolean }
  | { kind: 'pod-error'; pod: string; namespace?: string; message: string }
  | { kind: 'drained'; node: string }
  | { kind: 'aborted'; node: string }
  | { kind: 'refused'; pods: { pod: string; namespace?: string; reason: string; flag: string }[] }
  | { kind: 'pending-pods'; message: string }
  | { kind: 'pending-pod'; pod: string }
  | { kind: 'timeout'; text: string }
  | { kind: 'error'; text: string }
  | { kind: 'noise' };

/** `ns/name` or `name` → parts. */
function splitName(s: string): { pod: string; namespace?: string } {
  const t = s.trim().replace(/^"|"$/g, '');
  const i = t.indexOf('/');
  return i > 0 ? { namespace: t.slice(0, i), pod: t.slice(i + 1) } : { pod: t };
}

function names(list: string): { pod: string; namespace?: string }[] {
  return list
    .split(/,\s*/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map(splitName);
}

const PDB = /disruption budget/i;
const TIMEOUT = /(global timeout reached|did not complete within)/i;
/** `pod "x"` (oc 3.10) or `pods/"x" -n "ns"` (kubectl 1.20). */
const POD_REF = '(?:pod "([^"]+)"|pods/"([^"]+)" -n "([^"]+)")';
const RETRY = new RegExp(String.raw`^error when evicting ${POD_REF} \(will retry after \d+s\): (.*)$`);
const POD_ERROR = new RegExp(`^(?:error: )?error when (?:evicting|waiting for) ${POD_REF}(?: terminating)?: (.*)$`);
const REFUSAL = /(?:cannot delete )?([^;:]*?) \(use (--[a-z-]+) to (?:override|ignore)\): ([^;]+)/gi;

function ref(m: RegExpExecArray, at: number): { pod: string; namespace?: string } {
  return m[at] !== undefined ? { pod: m[at]! } : { pod: m[at + 1]!, namespace: m[at + 2]! };
}

/** What one line of drain output says (either stream). */
export function parseDrainLine(raw: string): DrainEvent {
  const line = raw.replace(/\s+$/, '');
  const t = line.trim();
  if (t === '') return { kind: 'noise' };
  let m: RegExpExecArray | null;
  if ((m = /^node(?: "([^"]+)"|\/(\S+)) (already )?cordoned$/.exec(t))) return { kind: 'cordoned', node: m[1] ?? m[2]!, already: !!m[3] };
  if ((m = /^node(?: "([^"]+)"|\/(\S+)) (?:drained|evicted)$/.exec(t))) return { kind: 'drained', node: m[1] ?? m[2]! };
  if ((m = /^pod(?: "([^"]+)"|\/(\S+)) (evicted|deleted)$/.exec(t)))
    return { kind: 'evicted', pod: m[1] ?? m[2]!, deleted: m[3] === 'deleted' };
  if ((m = /^evicting pod (\S+)$/.exec(t))) return { kind: 'evicting', ...splitName(m[1]!) };
  if ((m = RETRY.exec(t))) return { kind: 'retry', ...ref(m, 1), message: m[4]!, pdb: PDB.test(m[4]!) };
  if (TIMEOUT.test(t) && /^(error: )?(drain did not complete|error when evicting)/i.test(t))
    return { kind: 'timeout', text: t.replace(/^error: /, '') };
  if ((m = POD_ERROR.exec(t))) return { kind: 'pod-error', ...ref(m, 1), message: m[4]! };
  if ((m = /^WARNING: (.*)$/i.exec(t))) {
    const ignored: string[] = [];
    const deleting: string[] = [];
    for (const part of m[1]!.split(/;\s*/)) {
      const pm = /^(ignoring|deleting)\b[^:]*: (.*)$/i.exec(part.trim());
      if (!pm) continue;
      const list = names(pm[2]!).map((n) => (n.namespace ? `${n.namespace}/${n.pod}` : n.pod));
      (pm[1]!.toLowerCase() === 'ignoring' ? ignored : deleting).push(...list);
    }
    return { kind: 'warning', text: m[1]!, ignored, deleting };
  }
  if ((m = /^error: unable to drain node "([^"]+)"/.exec(t))) return { kind: 'aborted', node: m[1]! };
  if (/^There are pending nodes to be drained:?$/.test(t)) return { kind: 'noise' };
  if ((m = /^There are pending pods in node "[^"]*" when an error occurred: (.*)$/.exec(t))) {
    return TIMEOUT.test(m[1]!) ? { kind: 'timeout', text: m[1]! } : { kind: 'pending-pods', message: m[1]! };
  }
  if ((m = /^pod\/(\S+)$/.exec(t))) return { kind: 'pending-pod', pod: m[1]! };
  if (/\(use --[a-z-]+ to (override|ignore)\)/.test(t)) {
    const pods: { pod: string; namespace?: string; reason: string; flag: string }[] = [];
    for (const r of t.replace(/^error: /, '').matchAll(REFUSAL)) {
      const reason = r[1]!.trim();
      for (const n of names(r[3]!)) pods.push({ ...n, reason, flag: r[2]! === '--delete-emptydir-data' ? '--delete-local-data' : r[2]! });
    }
    return { kind: 'refused', pods };
  }
  if (/^ \S+$/.test(line)) return { kind: 'noise' }; // a node name under "pending nodes"
  if (/^error: /i.test(t)) return { kind: 'error', text: t.slice(7) };
  return { kind: 'noise' };
}

// ---- per-pod progress ------------------------------------------------------------------------------------

export type PodDrainState =
  /** Not yet touched (before the cordon, or the drain refused to start). */
  | 'pending'
  /** The drain is evicting it (oc 3.10 does not print this: every pod it will evict, from the cordon on). */
  | 'evicting'
  /** The eviction was refused (a PodDisruptionBudget); the drain retries every 5 s. */
  | 'retrying'
  | 'evicted'
  /** The drain refuses it with these options (and so evicts nothing). */
  | 'blocked'
  | 'failed'
  /** The drain leaves it: a DaemonSet pod with --ignore-daemonsets, a static pod's mirror. */
  | 'skipped'
  /** Still on the node when the drain ended (failed, timed out, cancelled). */
  | 'left';

export interface PodProgress {
  namespace: string;
  name: string;
  ownerKind: OwnerKind | 'unknown';
  /** "DC frontend", "DS sdn", "bare" (see ownerText). */
  owner: string;
  emptyDir: boolean;
  state: PodDrainState;
  /** Evictions refused so far (PodDisruptionBudget). */
  retries: number;
  /** Why blocked, failed, skipped or retrying. */
  reason?: string;
}

export type DrainPhase =
  | 'starting'
  /** Cordoned; evicting pods. */
  | 'evicting'
  | 'drained'
  /** Refused to start: pods it may not delete with these options (nothing was evicted). */
  | 'refused'
  | 'timed-out'
  | 'failed'
  | 'cancelled';

export interface DrainProgress {
  node: string;
  phase: DrainPhase;
  /** What the drain said of the cordon: 'cordoned' now, or 'already' cordoned before. */
  cordon?: 'cordoned' | 'already';
  pods: PodProgress[];
  warnings: string[];
  errors: string[];
}

function podProgress(p: NodePod, o: DrainOptions): PodProgress {
  const base: PodProgress = {
    namespace: p.namespace,
    name: p.name,
    ownerKind: p.ownerKind,
    owner: ownerText(p),
    emptyDir: p.emptyDir,
    state: 'pending',
    retries: 0,
  };
  if (p.mirror) return { ...base, state: 'skipped', reason: 'static pod (mirror): drain leaves it' };
  if (p.ownerKind === 'DaemonSet' && o.ignoreDaemonsets)
    return { ...base, state: 'skipped', reason: 'DaemonSet pod: stays (--ignore-daemonsets)' };
  return base;
}

/** The progress before the drain starts: every pod pending, except those it will leave alone. */
export function initialProgress(o: DrainOptions, pods: readonly NodePod[]): DrainProgress {
  return { node: o.node, phase: 'starting', pods: pods.map((p) => podProgress(p, o)), warnings: [], errors: [] };
}

function findPod(pods: PodProgress[], name: string, namespace?: string): number {
  const candidates = pods
    .map((p, i) => [p, i] as const)
    .filter(([p]) => p.name === name && (namespace === undefined || p.namespace === namespace));
  // A name in two namespaces (oc 3.10 prints no namespace): the one still in flight first.
  const open = candidates.find(([p]) => p.state === 'evicting' || p.state === 'retrying' || p.state === 'pending');
  return (open ?? candidates[0])?.[1] ?? -1;
}

function withPod(pr: DrainProgress, name: string, namespace: string | undefined, change: (p: PodProgress) => PodProgress): DrainProgress {
  const pods = [...pr.pods];
  let i = findPod(pods, name, namespace);
  if (i < 0) {
    // A pod that was not in the list (it arrived after the listing): add it.
    pods.push({ namespace: namespace ?? '', name, ownerKind: 'unknown', owner: '?', emptyDir: false, state: 'evicting', retries: 0 });
    i = pods.length - 1;
  }
  pods[i] = change(pods[i]!);
  return { ...pr, pods };
}

const IN_FLIGHT: readonly PodDrainState[] = ['evicting', 'retrying'];

/** The progress after one line of output (pure). */
export function applyDrainLine(pr: DrainProgress, line: string): DrainProgress {
  const e = parseDrainLine(line);
  switch (e.kind) {
    case 'noise':
      return pr;
    case 'cordoned': {
      if (pr.phase !== 'starting') return { ...pr, cordon: e.already ? 'already' : 'cordoned' };
      const pods = pr.pods.map((p) => (p.state === 'pending' ? { ...p, state: 'evicting' as const } : p));
      return { ...pr, cordon: e.already ? 'already' : 'cordoned', phase: 'evicting', pods };
    }
    case 'warning': {
      // Pods it says it ignores are left; the others it names are on their way out.
      let next: DrainProgress = { ...pr, warnings: [...pr.warnings, e.text] };
      for (const n of e.ignored) {
        const { pod, namespace } = splitName(n);
        if (findPod(next.pods, pod, namespace) >= 0)
          next = withPod(next, pod, namespace, (p) => ({ ...p, state: 'skipped', reason: p.reason ?? 'ignored by the drain' }));
      }
      return next;
    }
    case 'evicting':
      return withPod(pr, e.pod, e.namespace, (p) => (p.state === 'evicted' ? p : { ...p, state: 'evicting' }));
    case 'retry':
      return withPod(pr, e.pod, e.namespace, (p) => ({
        ...p,
        state: 'retrying',
        retries: p.retries + 1,
        reason: e.pdb ? 'blocked by a PodDisruptionBudget: retrying every 5 s' : e.message,
      }));
    case 'evicted':
      return withPod(pr, e.pod, e.namespace, (p) => ({ ...p, state: 'evicted', reason: e.deleted ? 'deleted' : undefined }));
    case 'pod-error':
      return withPod({ ...pr, errors: [...pr.errors, `${e.pod}: ${e.message}`] }, e.pod, e.namespace, (p) => ({
        ...p,
        state: 'failed',
        reason: e.message,
      }));
    case 'drained': {
      // Pods it did not name are gone anyway (deleted before their eviction, or finished).
      const pods = pr.pods.map((p) =>
        IN_FLIGHT.includes(p.state) || p.state === 'pending' ? { ...p, state: 'evicted' as const, reason: p.reason ?? 'gone' } : p,
      );
      return { ...pr, phase: 'drained', pods };
    }
    case 'aborted':
      return { ...pr, phase: pr.phase === 'timed-out' ? pr.phase : 'failed', errors: [...pr.errors, `unable to drain node ${e.node}`] };
    case 'refused': {
      let next: DrainProgress = { ...pr, phase: 'refused' };
      // Nothing is evicted when the drain refuses: the pods it was about to evict stay.
      next.pods = next.pods.map((p) => (p.state === 'evicting' ? { ...p, state: 'pending' } : p));
      for (const b of e.pods) {
        next = withPod(next, b.pod, b.namespace, (p) => ({ ...p, state: 'blocked', reason: `${b.reason} (${b.flag})` }));
      }
      return { ...next, errors: [...next.errors, line.trim().replace(/^error: /, '')] };
    }
    case 'pending-pods':
      return { ...pr, phase: pr.phase === 'timed-out' ? pr.phase : 'failed', errors: [...pr.errors, e.message] };
    case 'pending-pod':
      return withPod(pr, e.pod, undefined, (p) =>
        p.state === 'failed' || p.state === 'blocked' || p.state === 'skipped' ? p : { ...p, state: 'left' },
      );
    case 'timeout':
      return { ...pr, phase: 'timed-out', errors: [...pr.errors, e.text] };
    case 'error':
      return { ...pr, phase: pr.phase === 'refused' || pr.phase === 'timed-out' ? pr.phase : 'failed', errors: [...pr.errors, e.text] };
  }
}

/** The progress once the command ended: its exit, and whether it was cancelled or timed out. */
export function finishDrain(pr: DrainProgress, end: { exitCode: number | null; cancelled?: boolean; timedOut?: boolean }): DrainProgress {
  let phase: DrainPhase = pr.phase;
  if (end.cancelled) phase = 'cancelled';
  else if (end.timedOut) phase = 'timed-out';
  else if (end.exitCode === 0) phase = pr.phase === 'evicting' || pr.phase === 'starting' ? 'drained' : pr.phase;
  else if (phase === 'starting' || phase === 'evicting' || phase === 'drained') phase = 'failed';
  const pods = pr.pods.map((p) => {
    if (phase === 'drained')
      return IN_FLIGHT.includes(p.state) || p.state === 'pending' ? { ...p, state: 'evicted' as const, reason: p.reason ?? 'gone' } : p;
    if (IN_FLIGHT.includes(p.state) || p.state === 'pending') return { ...p, state: 'left' as const };
    return p;
  });
  return { ...pr, phase, pods };
}

/** Counts of pods by state (for "3/5 evicted"). */
export function progressCounts(pr: DrainProgress): Record<PodDrainState, number> & { toEvict: number } {
  const c: Record<PodDrainState, number> = { pending: 0, evicting: 0, retrying: 0, evicted: 0, blocked: 0, failed: 0, skipped: 0, left: 0 };
  for (const p of pr.pods) c[p.state]++;
  return { ...c, toEvict: pr.pods.length - c.skipped };
}

/** `ns/name` of a progress row. */
export function progressKey(p: Pick<PodProgress, 'namespace' | 'name'>): string {
  return podKey(p);
}
