// The cluster's nodes and the pods on one node, as `oc get nodes -o json` and `oc get pods
// --all-namespaces --field-selector spec.nodeName=N -o json` describe them (OCP 3.x / kubectl 1.10 and
// newer clients print the same JSON), and what `oc adm drain` does with each of those pods (the drain
// forecast). Pure: commands are built here, run elsewhere (src/nodes/service.ts, the node and docker
// procedures); the Nodes screen and the procedures read a node's pods with the same command and parser.
import { argv, type ShellCommand } from '../transport/shell.js';

/** The node's Ready condition: True → Ready, False → NotReady, Unknown (kubelet stopped posting) → Unknown. */
export type NodeReady = 'Ready' | 'NotReady' | 'Unknown';

export interface NodeInfo {
  name: string;
  ready: NodeReady;
  /** Why not Ready (the condition's message, e.g. "Kubelet stopped posting node status."). */
  readyMessage?: string;
  /** The node has no Ready condition at all (a node that never reported). */
  noReadyCondition?: boolean;
  /** spec.unschedulable is not set: new pods may be scheduled here. */
  schedulable: boolean;
  /** From the node-role.kubernetes.io/<role> labels, sorted; empty: `<none>`. */
  roles: string[];
  kubeletVersion: string;
  internalIP?: string;
  /** Taints as `key=value:Effect` / `key:Effect`. */
  taints: string[];
}

/**
 * What `oc get nodes` shows in its STATUS column: `Ready`, `NotReady,SchedulingDisabled`, … As the
 * client prints it: a Ready condition that is not True (False or Unknown) is NotReady; only a node
 * with no Ready condition at all is Unknown.
 */
export function nodeStatusText(n: Pick<NodeInfo, 'ready' | 'schedulable' | 'noReadyCondition'>): string {
  const base = n.ready === 'Ready' ? 'Ready' : n.ready === 'Unknown' && n.noReadyCondition ? 'Unknown' : 'NotReady';
  return n.schedulable ? base : `${base},SchedulingDisabled`;
}

export interface PodOwner {
  kind: string;
  name: string;
}

/** How a pod is kept alive, as the drain decides it (and as the operator reads it). */
export type OwnerKind =
  | 'DeploymentConfig'
  | 'ReplicationController'
  | 'ReplicaSet'
  | 'Deployment'
  | 'DaemonSet'
  | 'StatefulSet'
  | 'Job'
  | 'bare'
  | 'other';

export interface NodePod {
  namespace: string;
  name: string;
  node: string;
  /** Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  ready: boolean;
  restarts: number;
  /** The controller owner reference; undefined: a bare pod (nothing recreates it). */
  owner?: PodOwner;
  /** What the operator knows it by: a DeploymentConfig behind its ReplicationController. */
  via?: PodOwner;
  ownerKind: OwnerKind;
  /** Has an emptyDir volume: its data is lost when the pod goes (drain needs --delete-local-data). */
  emptyDir: boolean;
  /** A static pod's mirror (kubernetes.io/config.mirror): drain leaves it alone. */
  mirror: boolean;
  /** Being deleted (metadata.deletionTimestamp set): shown as Terminating. */
  terminating: boolean;
}

const OWNER_ABBREV: Record<Exclude<OwnerKind, 'other'>, string> = {
  DeploymentConfig: 'DC',
  ReplicationController: 'RC',
  ReplicaSet: 'RS',
  Deployment: 'Deploy',
  DaemonSet: 'DS',
  StatefulSet: 'StatefulSet',
  Job: 'Job',
  bare: 'bare',
};

/** The owner kind as the operator reads it: DC, RC, RS, Deploy, DS, StatefulSet, Job, bare, or another controller's kind. */
export function ownerKindAbbrev(p: Pick<NodePod, 'ownerKind' | 'owner'>): string {
  return p.ownerKind === 'other' ? (p.owner?.kind ?? 'other') : OWNER_ABBREV[p.ownerKind];
}

/** A short owner text: "DC frontend", "RC cache", "DS sdn", "StatefulSet redis", "bare". */
export function ownerText(p: Pick<NodePod, 'ownerKind' | 'owner' | 'via'>): string {
  if (p.ownerKind === 'bare') return 'bare';
  const name = (p.via ?? p.owner)?.name;
  return name ? `${ownerKindAbbrev(p)} ${name}` : ownerKindAbbrev(p);
}

/** `ns/name`. */
export function podKey(p: Pick<NodePod, 'namespace' | 'name'>): string {
  return `${p.namespace}/${p.name}`;
}

// ---- commands ---------------------------------------------------------------------------------------

export function getNodesCommand(oc = 'oc'): ShellCommand {
  return argv(oc, 'get', 'nodes', '-o', 'json');
}

export function getNodeCommand(node: string, oc = 'oc'): ShellCommand {
  return argv(oc, 'get', 'node', node, '-o', 'json');
}

export function podsOnNodeCommand(node: string, oc = 'oc'): ShellCommand {
  return argv(oc, 'get', 'pods', '--all-namespaces', '--field-selector', `spec.nodeName=${node}`, '-o', 'json');
}

/**
 * Every pod's node and phase, one per line (`NODE PHASE`), small even on a big cluster: for the pod
 * count per node. kubectl 1.10 and newer print `<none>` for an unset field.
 */
export function podNodesCommand(oc = 'oc'): ShellCommand {
  return argv(oc, 'get', 'pods', '--all-namespaces', '--no-headers', '-o', 'custom-columns=NODE:.spec.nodeName,PHASE:.status.phase');
}

// ---- parsers ----------------------------------------------------------------------------------------

// biome-ignore lint/suspicious/noExplicitAny: kubectl's JSON, read field by field with checks where it matters
type Json = Record<string, any>;

function parseJson(text: string, what: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`the output of ${what} is not JSON (${text.trim().slice(0, 60) || 'empty'})`);
  }
  if (typeof doc !== 'object' || doc === null) throw new Error(`the output of ${what} is not a JSON object`);
  return doc as Json;
}

function itemsOf(doc: Json, kind: string, what: string): Json[] {
  if (Array.isArray(doc.items)) return doc.items as Json[];
  if (doc.kind === kind) return [doc];
  throw new Error(`the output of ${what} has no items`);
}

/** One node object → NodeInfo. */
export function nodeFromJson(n: Json): NodeInfo {
  const name = String(n?.metadata?.name ?? '');
  if (!name) throw new Error('a node without a name');
  const cond = ((n.status?.conditions ?? []) as Json[]).find((c) => c?.type === 'Ready');
  const ready: NodeReady = cond?.status === 'True' ? 'Ready' : cond?.status === 'False' ? 'NotReady' : 'Unknown';
  const labels = (n.metadata?.labels ?? {}) as Record<string, string>;
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .filter(Boolean)
    .sort();
  const info: NodeInfo = {
    name,
    ready,
    schedulable: !n.spec?.unschedulable,
    roles,
    kubeletVersion: String(n.status?.nodeInfo?.kubeletVersion ?? ''),
    taints: ((n.spec?.taints ?? []) as Json[]).map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`),
  };
  if (ready !== 'Ready' && cond?.message) info.readyMessage = String(cond.message);
  else if (!cond) {
    info.readyMessage = 'the node reports no Ready condition';
    info.noReadyCondition = true;
  }
  const ip = ((n.status?.addresses ?? []) as Json[]).find((a) => a?.type === 'InternalIP')?.address;
  if (ip) info.internalIP = String(ip);
  return info;
}

/** `oc get nodes -o json` (a List) or `oc get node N -o json` (one Node) → nodes, sorted by name. */
export function parseNodesJson(text: string): NodeInfo[] {
  const doc = parseJson(text, 'oc get nodes -o json');
  return itemsOf(doc, 'Node', 'oc get nodes -o json')
    .map(nodeFromJson)
    .sort((a, b) => a.name.localeCompare(b.name));
}

const DC_ANNOTATION = 'openshift.io/deployment-config.name';

function ownerKindOf(owner: PodOwner | undefined, via: PodOwner | undefined): OwnerKind {
  if (!owner) return 'bare';
  if (via?.kind === 'DeploymentConfig') return 'DeploymentConfig';
  if (via?.kind === 'Deployment') return 'Deployment';
  switch (owner.kind) {
    case 'ReplicationController':
    case 'ReplicaSet':
    case 'DaemonSet':
    case 'StatefulSet':
    case 'Job':
      return owner.kind;
    default:
      return 'other';
  }
}

/** One pod object → NodePod. */
export function podFromJson(p: Json): NodePod {
  const meta = p?.metadata ?? {};
  const name = String(meta.name ?? '');
  if (!name) throw new Error('a pod without a name');
  const ref = ((meta.ownerReferences ?? []) as Json[]).find((r) => r?.controller === true);
  const owner: PodOwner | undefined = ref ? { kind: String(ref.kind), name: String(ref.name) } : undefined;
  let via: PodOwner | undefined;
  const dc = meta.annotations?.[DC_ANNOTATION] ?? meta.labels?.['deploymentconfig'];
  if (owner?.kind === 'ReplicationController' && dc) via = { kind: 'DeploymentConfig', name: String(dc) };
  const hash = meta.labels?.['pod-template-hash'];
  if (owner?.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`))
    via = { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) };
  const statuses = (p.status?.containerStatuses ?? []) as Json[];
  const ready = ((p.status?.conditions ?? []) as Json[]).some((c) => c?.type === 'Ready' && c.status === 'True');
  const pod: NodePod = {
    namespace: String(meta.namespace ?? ''),
    name,
    node: String(p.spec?.nodeName ?? ''),
    phase: String(p.status?.phase ?? 'Unknown'),
    ready,
    restarts: statuses.reduce((n, s) => n + (Number(s?.restartCount) || 0), 0),
    ownerKind: ownerKindOf(owner, via),
    emptyDir: ((p.spec?.volumes ?? []) as Json[]).some((v) => v && typeof v === 'object' && 'emptyDir' in v),
    mirror: !!meta.annotations?.['kubernetes.io/config.mirror'],
    terminating: !!meta.deletionTimestamp,
  };
  if (owner) pod.owner = owner;
  if (via) pod.via = via;
  return pod;
}

/** `oc get pods … -o json` → pods, sorted by namespace then name. */
export function parsePodsJson(text: string): NodePod[] {
  const doc = parseJson(text, 'oc get pods -o json');
  return itemsOf(doc, 'Pod', 'oc get pods -o json')
    .map(podFromJson)
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/**
 * `NODE PHASE` lines (podNodesCommand) → node name → pods that hold a place there (not Succeeded or
 * Failed, which `oc describe node` does not count either). Pods with no node (`<none>`) are left out.
 */
export function parsePodCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [node, phase] = line.trim().split(/\s+/);
    if (!node || node === '<none>' || node === 'NODE') continue;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** The pod's phase as `oc get pods` would show it (Terminating while being deleted). */
export function podStatusText(p: Pick<NodePod, 'phase' | 'terminating'>): string {
  return p.terminating ? 'Terminating' : p.phase;
}

// ---- the nodes, one short line each (the node procedures) -------------------------------------------

export interface NodeRow {
  name: string;
  /** The Ready condition's status: True, False, Unknown ('' when the node reports none). */
  ready: string;
  schedulable: boolean;
  master: boolean;
  /** Labelled as an infra node: node-role.kubernetes.io/infra=true (3.10), or region=infra / role=infra (older installs). */
  infra: boolean;
  ip: string;
}

const NODES_JSONPATH =
  '{range .items[*]}{.metadata.name}{"\\t"}{.status.conditions[?(@.type=="Ready")].status}{"\\t"}{.spec.unschedulable}{"\\t"}' +
  '{.metadata.labels.node-role\\.kubernetes\\.io/master}{"\\t"}{.metadata.labels.node-role\\.kubernetes\\.io/infra}{"\\t"}' +
  '{.metadata.labels.region}{"\\t"}{.metadata.labels.role}{"\\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}';

/**
 * One line per node: name, Ready, unschedulable, master/infra labels, internal IP. The node procedures
 * read the nodes so (a node's JSON lists every image it holds: too long for the log pane).
 */
export function nodesCommand(): ShellCommand {
  return argv('oc', 'get', 'nodes', '-o', `jsonpath=${NODES_JSONPATH}`);
}

export function parseNodeRows(out: string): NodeRow[] {
  const rows: NodeRow[] = [];
  for (const line of out.split('\n')) {
    const f = line.replace(/\r$/, '').split('\t');
    if (f.length < 8 || !f[0]) continue;
    const [name, ready, unsched, master, infra, region, role, ip] = f as [string, string, string, string, string, string, string, string];
    rows.push({
      name,
      ready,
      schedulable: unsched !== 'true',
      master: master === 'true',
      infra: infra === 'true' || region === 'infra' || role === 'infra',
      ip: ip.split(/\s+/)[0] ?? '',
    });
  }
  return rows;
}

// ---- the drain forecast: what `oc adm drain` does with each pod ----------------------------------------

const finished = (p: Pick<NodePod, 'phase'>): boolean => p.phase === 'Succeeded' || p.phase === 'Failed';

/** What the drain does with a pod: a static pod's mirror and a DaemonSet pod stay, every other pod is evicted (or deleted). */
export function drainFate(p: Pick<NodePod, 'mirror' | 'ownerKind'>): 'mirror' | 'daemonset' | 'evicted' {
  return p.mirror ? 'mirror' : p.ownerKind === 'DaemonSet' ? 'daemonset' : 'evicted';
}

/** A pod the drain deletes for good (with --force only): no controller recreates it; finished pods do not count. */
const lostForGood = (p: NodePod): boolean => drainFate(p) === 'evicted' && p.ownerKind === 'bare' && !finished(p);
/** A pod whose emptyDir data the drain deletes (with --delete-local-data only); finished pods do not count. */
const losesEmptyDir = (p: NodePod): boolean => drainFate(p) === 'evicted' && p.emptyDir && !finished(p);

/** Bare pods the drain deletes with --force: nothing recreates them. */
export function podsLostForGood(pods: readonly NodePod[]): NodePod[] {
  return pods.filter(lostForGood);
}

/** Pods still on the node that a finished drain should have taken away (anything but daemon set and static pods). */
export function leftOnNode(pods: readonly NodePod[]): NodePod[] {
  return pods.filter((p) => drainFate(p) === 'evicted');
}

/** What a drain has yet to move off the node: leftOnNode but pods already being deleted or finished. */
export function stillToMove(pods: readonly NodePod[]): NodePod[] {
  return leftOnNode(pods).filter((p) => !p.terminating && !finished(p));
}

export interface DrainBlocker {
  pod: NodePod;
  /** Why the drain refuses this pod with these options. */
  reason: string;
  /** The option that would let it through. */
  flag: '--ignore-daemonsets' | '--delete-local-data' | '--force';
}

/** Pods that make `oc adm drain` refuse to start with these options (it then evicts nothing). */
export function drainBlockers(
  pods: readonly NodePod[],
  o: { ignoreDaemonsets: boolean; deleteLocalData: boolean; force: boolean },
): DrainBlocker[] {
  const out: DrainBlocker[] = [];
  for (const p of pods) {
    const fate = drainFate(p);
    if (fate === 'mirror' || finished(p)) continue;
    if (fate === 'daemonset') {
      if (!o.ignoreDaemonsets) out.push({ pod: p, reason: 'DaemonSet pod', flag: '--ignore-daemonsets' });
      continue;
    }
    if (lostForGood(p) && !o.force) out.push({ pod: p, reason: 'no controller recreates it', flag: '--force' });
    if (losesEmptyDir(p) && !o.deleteLocalData) out.push({ pod: p, reason: 'emptyDir data would be lost', flag: '--delete-local-data' });
  }
  return out;
}

/** A pod as the forecast names it: `ns/name` and how it is kept alive ("DC frontend", "bare"). */
export interface PodBrief {
  key: string;
  owner: string;
}

/** What a drain with --ignore-daemonsets does with each pod of the node (serialisable: a procedure captures it). */
export interface DrainForecast {
  /** Evicted (or deleted): every pod but daemon set and static ones. */
  evicted: PodBrief[];
  /** Stay: DaemonSet pods (--ignore-daemonsets). */
  daemonset: PodBrief[];
  /** Static pods' mirrors: the drain leaves them. */
  mirror: PodBrief[];
  /** Lose their emptyDir data (--delete-local-data). */
  emptyDir: PodBrief[];
  /** No controller: deleted for good (--force). */
  bare: PodBrief[];
  /** The default project's router / docker-registry deployment configs that had a pod there. */
  infraDcs: string[];
}

const brief = (p: NodePod): PodBrief => ({ key: podKey(p), owner: ownerText(p) });

export function drainForecast(pods: readonly NodePod[]): DrainForecast {
  const moving = leftOnNode(pods);
  const infraDcs = moving
    .filter((p) => p.namespace === 'default' && (p.via?.name === 'router' || p.via?.name === 'docker-registry'))
    .map((p) => p.via!.name)
    .filter((v, i, a) => a.indexOf(v) === i);
  return {
    evicted: moving.map(brief),
    daemonset: pods.filter((p) => drainFate(p) === 'daemonset').map(brief),
    mirror: pods.filter((p) => drainFate(p) === 'mirror').map(brief),
    emptyDir: pods.filter(losesEmptyDir).map(brief),
    bare: podsLostForGood(pods).map(brief),
    infraDcs,
  };
}
