// The DEMO cluster's pods and what `oc adm drain` and `oc adm manage-node` do to them, so the Nodes screen
// has something plausible to show and change. State lives per DemoCluster (one console session): a
// cordon, a drain (pods evicted, replacements placed on other nodes, bare pods gone for good) and an
// uncordon stay until the console ends. The drain prints what oc 3.10 prints, over time (a budget
// refuses the first eviction of a frontend pod once; the retry comes 5 s later), and its effects
// happen as its lines are printed, so a cancelled drain leaves exactly what was printed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEMO_VERSIONS,
  type DemoCluster,
  type DemoHost,
  deleteDemoNode,
  demoUnschedulable,
  nodes,
  ocGetNodesJson,
  podSuffix,
  setDemoUnschedulable,
  stableHash,
  tabwrite,
} from './cluster.js';
import type { DemoAnswer, DemoCommand, DemoContext } from './commands.js';
import { rootBeside } from './host-roots.js';
import { jsonpath } from './jsonpath.js';
import type { DemoStep } from './runner.js';
import { flagValue } from './words.js';

type OwnerKind = 'DeploymentConfig' | 'ReplicationController' | 'ReplicaSet' | 'DaemonSet' | 'StatefulSet' | 'Job' | 'bare' | 'mirror';

export interface DemoPod {
  namespace: string;
  name: string;
  /** '' while Pending (no node fits). */
  node: string;
  phase: 'Running' | 'Pending' | 'Succeeded';
  kind: OwnerKind;
  /** The controller's name (the RC of a DC: `<dc>-1`, a ReplicaSet, a DaemonSet…). */
  owner?: string;
  /** The DeploymentConfig (or Deployment) behind it. */
  app?: string;
  emptyDir: boolean;
  /** Where it may run: 'compute', 'infra', 'any' (daemon sets), 'master' (static pods). */
  placement: 'compute' | 'infra' | 'any' | 'master';
  terminating: boolean;
  /** Holds host ports (the router): one per node. */
  hostPorts: boolean;
  image: string;
  created: string;
}

interface NodeState {
  pods: DemoPod[];
  seq: number;
  /** Replicas each controller asks for, by app (a DC's name): what `oc scale` changes. */
  replicas: Map<string, number>;
  /** The frontend budget has refused one eviction already (the other replica is up since). */
  budgetUsed: boolean;
}

const STATE = new WeakMap<DemoCluster, NodeState>();
const CREATED = '2018-08-24T11:02:19Z';
const IMG = 'registry.access.redhat.com/openshift3';

function nodeHosts(c: DemoCluster): DemoHost[] {
  return nodes(c);
}

function initialPods(c: DemoCluster): DemoPod[] {
  const pods: DemoPod[] = [];
  const pod = (p: Partial<DemoPod> & Pick<DemoPod, 'namespace' | 'name' | 'node' | 'kind' | 'placement' | 'image'>): void => {
    pods.push({ phase: 'Running', emptyDir: false, terminating: false, hostPorts: false, created: CREATED, ...p });
  };
  for (const h of nodeHosts(c)) {
    pod({
      namespace: 'openshift-sdn',
      name: `sdn-${podSuffix(`sdn:${h.name}`)}`,
      node: h.name,
      kind: 'DaemonSet',
      owner: 'sdn',
      placement: 'any',
      image: `${IMG}/ose-node:${DEMO_VERSIONS.oc}`,
    });
    pod({
      namespace: 'openshift-sdn',
      name: `ovs-${podSuffix(`ovs:${h.name}`)}`,
      node: h.name,
      kind: 'DaemonSet',
      owner: 'ovs',
      placement: 'any',
      image: `${IMG}/ose-node:${DEMO_VERSIONS.oc}`,
    });
    pod({
      namespace: 'openshift-node',
      name: `sync-${podSuffix(`sync:${h.name}`)}`,
      node: h.name,
      kind: 'DaemonSet',
      owner: 'sync',
      placement: 'any',
      image: `${IMG}/ose-node:${DEMO_VERSIONS.oc}`,
    });
    if (h.kind === 'master') {
      for (const part of ['api', 'controllers', 'etcd'])
        pod({
          namespace: 'kube-system',
          name: `master-${part}-${h.name}`,
          node: h.name,
          kind: 'mirror',
          placement: 'master',
          image: `${IMG}/ose-control-plane:${DEMO_VERSIONS.oc}`,
        });
    }
  }
  const infra = c.hosts.filter((h) => h.kind === 'infra');
  infra.forEach((h) => {
    pod({
      namespace: 'default',
      name: `docker-registry-1-${podSuffix(`registry:${h.name}`)}`,
      node: h.name,
      kind: 'DeploymentConfig',
      owner: 'docker-registry-1',
      app: 'docker-registry',
      emptyDir: true,
      placement: 'infra',
      image: `${IMG}/ose-docker-registry:${DEMO_VERSIONS.oc}`,
    });
    pod({
      namespace: 'default',
      name: `router-1-${podSuffix(`router:${h.name}`)}`,
      node: h.name,
      kind: 'DeploymentConfig',
      owner: 'router-1',
      app: 'router',
      placement: 'infra',
      hostPorts: true,
      image: `${IMG}/ose-haproxy-router:${DEMO_VERSIONS.oc}`,
    });
  });
  const rc = infra[1] ?? infra[0];
  if (rc)
    pod({
      namespace: 'default',
      name: `registry-console-1-${podSuffix(`console:${rc.name}`)}`,
      node: rc.name,
      kind: 'DeploymentConfig',
      owner: 'registry-console-1',
      app: 'registry-console',
      placement: 'infra',
      image: `${IMG}/registry-console:v3.10`,
    });
  const app = c.hosts.filter((h) => h.kind === 'compute');
  app.forEach((h, i) => {
    const s = (what: string) => podSuffix(`${what}:${h.name}`);
    switch (i % 3) {
      case 0:
        pod({
          namespace: 'myproject',
          name: `frontend-1-${s('frontend')}`,
          node: h.name,
          kind: 'DeploymentConfig',
          owner: 'frontend-1',
          app: 'frontend',
          placement: 'compute',
          image: 'docker-registry.default.svc:5000/myproject/frontend:latest',
        });
        pod({
          namespace: 'myproject',
          name: `cache-${s('cache')}`,
          node: h.name,
          kind: 'ReplicationController',
          owner: 'cache',
          emptyDir: true,
          placement: 'compute',
          image: 'docker.io/library/memcached:1.5',
        });
        pod({
          namespace: 'myproject',
          name: 'debug-shell',
          node: h.name,
          kind: 'bare',
          placement: 'compute',
          image: 'registry.access.redhat.com/rhel7/rhel-tools:latest',
        });
        pod({
          namespace: 'myproject',
          name: `nightly-report-1538611200-${s('job')}`,
          node: h.name,
          kind: 'Job',
          owner: 'nightly-report-1538611200',
          phase: 'Succeeded',
          placement: 'compute',
          image: 'registry.access.redhat.com/rhel7/rhel:latest',
        });
        break;
      case 1:
        pod({
          namespace: 'myproject',
          name: `frontend-1-${s('frontend')}`,
          node: h.name,
          kind: 'DeploymentConfig',
          owner: 'frontend-1',
          app: 'frontend',
          placement: 'compute',
          image: 'docker-registry.default.svc:5000/myproject/frontend:latest',
        });
        pod({
          namespace: 'myproject',
          name: `postgresql-1-${s('pg')}`,
          node: h.name,
          kind: 'DeploymentConfig',
          owner: 'postgresql-1',
          app: 'postgresql',
          placement: 'compute',
          image: 'registry.access.redhat.com/rhscl/postgresql-96-rhel7:latest',
        });
        pod({
          namespace: 'myproject',
          name: 'redis-0',
          node: h.name,
          kind: 'StatefulSet',
          owner: 'redis',
          placement: 'compute',
          image: 'registry.access.redhat.com/rhscl/redis-32-rhel7:latest',
        });
        break;
      default:
        pod({
          namespace: 'myproject',
          name: `jenkins-1-${s('jenkins')}`,
          node: h.name,
          kind: 'DeploymentConfig',
          owner: 'jenkins-1',
          app: 'jenkins',
          placement: 'compute',
          image: 'registry.access.redhat.com/openshift3/jenkins-2-rhel7:v3.10',
        });
        pod({
          namespace: 'myproject',
          name: `worker-6d8f9c7b5-${s('worker')}`,
          node: h.name,
          kind: 'ReplicaSet',
          owner: 'worker-6d8f9c7b5',
          app: 'worker',
          placement: 'compute',
          image: 'docker-registry.default.svc:5000/myproject/worker:latest',
        });
    }
  });
  return pods;
}

export function demoNodeState(c: DemoCluster): NodeState {
  let st = STATE.get(c);
  if (!st) {
    const pods = initialPods(c);
    const replicas = new Map<string, number>();
    for (const p of pods) if (p.kind === 'DeploymentConfig' && p.app) replicas.set(p.app, (replicas.get(p.app) ?? 0) + 1);
    st = { pods, seq: 0, budgetUsed: false, replicas };
    STATE.set(c, st);
  }
  return st;
}

/** The pods on a node (or all of them), as the API would list them. */
export function demoPods(c: DemoCluster, node?: string): DemoPod[] {
  return demoNodeState(c).pods.filter((p) => node === undefined || p.node === node);
}

// ---- oc output ----------------------------------------------------------------------------------------

function podObject(p: DemoPod, c?: DemoCluster): Record<string, unknown> {
  const uid =
    `${stableHash(`uid:${p.namespace}/${p.name}`).toString(16).padStart(8, '0')}` +
    `-a7a1-11e8-9b3e-fa163e${(stableHash(p.name) % 0xffffff).toString(16).padStart(6, '0')}`;
  const kindOf: Record<OwnerKind, string | undefined> = {
    DeploymentConfig: 'ReplicationController',
    ReplicationController: 'ReplicationController',
    ReplicaSet: 'ReplicaSet',
    DaemonSet: 'DaemonSet',
    StatefulSet: 'StatefulSet',
    Job: 'Job',
    bare: undefined,
    mirror: undefined,
  };
  const ownerKind = kindOf[p.kind];
  const labels: Record<string, string> = { app: p.app ?? p.owner ?? p.name };
  const annotations: Record<string, string> = { 'openshift.io/scc': p.kind === 'DaemonSet' ? 'privileged' : 'restricted' };
  if (p.kind === 'DeploymentConfig' && p.app) {
    labels.deploymentconfig = p.app;
    labels.deployment = p.owner ?? `${p.app}-1`;
    annotations['openshift.io/deployment-config.name'] = p.app;
    annotations['openshift.io/deployment.name'] = p.owner ?? `${p.app}-1`;
  }
  if (p.kind === 'ReplicaSet' && p.owner) labels['pod-template-hash'] = p.owner.split('-').pop()!;
  if (p.kind === 'mirror') annotations['kubernetes.io/config.mirror'] = stableHash(p.name).toString(16);
  const ready = p.phase === 'Running' && !p.terminating;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid,
      creationTimestamp: p.created,
      labels,
      annotations,
      ...(ownerKind && p.owner
        ? {
            ownerReferences: [
              {
                apiVersion:
                  p.kind === 'DaemonSet' || p.kind === 'StatefulSet' || p.kind === 'ReplicaSet'
                    ? 'apps/v1'
                    : p.kind === 'Job'
                      ? 'batch/v1'
                      : 'v1',
                kind: ownerKind,
                name: p.owner,
                uid: `${stableHash(`owner:${p.owner}`).toString(16).padStart(8, '0')}-a7a1-11e8-9b3e-fa163e000001`,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
      ...(p.terminating ? { deletionTimestamp: '2018-10-04T09:12:43Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: {
      ...(p.node ? { nodeName: p.node } : {}),
      containers: [{ name: p.name.replace(/-[^-]+$/, '') || p.name, image: p.image }],
      ...(p.emptyDir ? { volumes: [{ name: 'data', emptyDir: {} }] } : {}),
    },
    status: {
      phase: p.phase,
      conditions: [
        p.node
          ? { type: 'PodScheduled', status: 'True' }
          : { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: unschedulableMessage(p, c) },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
      containerStatuses: [{ name: 'main', ready, restartCount: stableHash(p.name) % 7 === 0 ? 1 : 0 }],
    },
  };
}

/** `oc get pods --all-namespaces [--field-selector spec.nodeName=N] -o json`. */
export function ocGetPodsJson(c: DemoCluster, node?: string): string {
  const items = demoPods(c, node).map((p) => podObject(p, c));
  return JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '', selfLink: '' } }, null, 4);
}

/** `oc get pods --all-namespaces --no-headers -o custom-columns=NODE:.spec.nodeName,PHASE:.status.phase`. */
export function ocPodNodeColumns(c: DemoCluster): string {
  const rows = demoPods(c).map((p) => [p.node || '<none>', p.phase]);
  const w = Math.max(4, ...rows.map((r) => r[0]!.length)) + 3;
  return rows.map((r) => r[0]!.padEnd(w) + r[1]).join('\n');
}

// ---- changes --------------------------------------------------------------------------------------------

function replacementNode(c: DemoCluster, st: NodeState, p: DemoPod): string {
  const fits = nodeHosts(c).filter((h) => {
    if (h.down || demoUnschedulable(c, h)) return false;
    if (p.placement === 'compute' && h.kind !== 'compute') return false;
    if (p.placement === 'infra' && h.kind !== 'infra') return false;
    if (p.hostPorts && st.pods.some((o) => o.node === h.name && o.hostPorts && o !== p)) return false;
    return true;
  });
  const load = (h: DemoHost) => st.pods.filter((o) => o.node === h.name).length;
  fits.sort((a, b) => load(a) - load(b) || a.name.localeCompare(b.name));
  return fits[0]?.name ?? '';
}

/** The pod is gone from its node; its controller makes a new one elsewhere (Pending when nowhere fits). */
function evictPod(c: DemoCluster, st: NodeState, p: DemoPod): void {
  const i = st.pods.indexOf(p);
  if (i >= 0) st.pods.splice(i, 1);
  if (p.kind === 'bare' || p.kind === 'Job' || p.kind === 'mirror' || p.kind === 'DaemonSet') return;
  st.seq++;
  const name = p.kind === 'StatefulSet' ? p.name : `${p.name.replace(/-[^-]+$/, '')}-${podSuffix(`${p.name}:${st.seq}`)}`;
  const node = replacementNode(c, st, p);
  st.pods.push({
    ...p,
    name,
    node,
    phase: node ? 'Running' : 'Pending',
    terminating: false,
    created: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
}

/** `oc adm manage-node N --schedulable=…` — the node's new row, or undefined when no such node. */
export function demoManageNode(c: DemoCluster, name: string, schedulable: boolean): DemoHost | undefined {
  const h = nodeHosts(c).find((x) => x.name === name);
  if (h) setDemoUnschedulable(c, h.name, !schedulable);
  return h;
}

interface DrainFlags {
  ignoreDaemonsets: boolean;
  deleteLocalData: boolean;
  force: boolean;
  timeoutS: number;
}

export function drainFlagsOf(words: readonly string[]): DrainFlags {
  const has = (f: string) => words.some((w) => w === f || w === `${f}=true`);
  const t = words.find((w) => w.startsWith('--timeout='))?.slice('--timeout='.length) ?? '0';
  const m = /^(\d+)(s|m|h)?$/.exec(t);
  const timeoutS = m ? Number(m[1]) * (m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : 1) : 0;
  return {
    ignoreDaemonsets: has('--ignore-daemonsets'),
    deleteLocalData: has('--delete-local-data') || has('--delete-emptydir-data'),
    force: has('--force'),
    timeoutS,
  };
}

const UNMANAGED = 'pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet';

/**
 * `oc adm drain NODE [flags]` on the demo cluster: the lines oc 3.10 prints, spread over time, with the
 * changes made as they are printed.
 */
export function demoDrain(c: DemoCluster, name: string, words: readonly string[]): DemoAnswer {
  const h = nodeHosts(c).find((x) => x.name === name);
  if (!h) return { err: `Error from server (NotFound): nodes "${name}" not found`, code: 1 };
  const st = demoNodeState(c);
  const f = drainFlagsOf(words);
  const steps: DemoStep[] = [];
  const line = (stream: 'stdout' | 'stderr', text: string) => steps.push({ kind: 'line', stream, text });
  const wait = (ms: number) => steps.push({ kind: 'wait', ms });
  const effect = (run: () => void) => steps.push({ kind: 'effect', run });

  const already = demoUnschedulable(c, h);
  effect(() => setDemoUnschedulable(c, h.name, true));
  line('stdout', `node "${h.name}" ${already ? 'already cordoned' : 'cordoned'}`);

  const pods = demoPods(c, h.name).filter((p) => p.kind !== 'mirror' && !p.terminating);
  const ds = pods.filter((p) => p.kind === 'DaemonSet');
  const bare = pods.filter((p) => p.kind === 'bare' && p.phase !== 'Succeeded');
  const local = pods.filter((p) => p.emptyDir && p.kind !== 'DaemonSet' && p.phase !== 'Succeeded');
  const fatal: string[] = [];
  if (ds.length && !f.ignoreDaemonsets)
    fatal.push(`DaemonSet-managed pods (use --ignore-daemonsets to ignore): ${ds.map((p) => p.name).join(', ')}`);
  if (bare.length && !f.force) fatal.push(`${UNMANAGED} (use --force to override): ${bare.map((p) => p.name).join(', ')}`);
  if (local.length && !f.deleteLocalData)
    fatal.push(`pods with local storage (use --delete-local-data to override): ${local.map((p) => p.name).join(', ')}`);
  if (fatal.length) {
    wait(300);
    for (const t of [
      `error: unable to drain node "${h.name}", aborting command...`,
      '',
      'There are pending nodes to be drained:',
      ` ${h.name}`,
      `error: ${fatal.join('; ')}`,
    ])
      line('stderr', t);
    return answerOf(steps, 1);
  }
  const warn: string[] = [];
  if (ds.length) warn.push(`Ignoring DaemonSet-managed pods: ${ds.map((p) => p.name).join(', ')}`);
  if (bare.length) warn.push(`Deleting ${UNMANAGED}: ${bare.map((p) => p.name).join(', ')}`);
  if (local.length) warn.push(`Deleting pods with local storage: ${local.map((p) => p.name).join(', ')}`);
  wait(400);
  if (warn.length) line('stderr', `WARNING: ${warn.join('; ')}`);

  const evictable = pods.filter((p) => p.kind !== 'DaemonSet');
  if (h.down) {
    // The kubelet is not there to stop them: evicted pods stay Terminating and the drain waits for
    // them until its --timeout (here: for as long as it was given; Esc cancels).
    wait(300);
    effect(() => {
      for (const p of evictable) p.terminating = true;
    });
    wait(f.timeoutS > 0 ? f.timeoutS * 1000 : 10 * 60_000);
    line('stderr', `error: Drain did not complete within ${f.timeoutS || 600}s`);
    return answerOf(steps, 1);
  }
  // Evictions run in parallel: a timeline of (time, step), then turned into steps with waits.
  const events: { at: number; stream: 'stdout' | 'stderr'; text: string; run?: () => void }[] = [];
  evictable.forEach((p, i) => {
    let at = 500 + 450 * i;
    if (p.app === 'frontend' && !st.budgetUsed) {
      events.push({
        at: 250,
        stream: 'stderr',
        text:
          `error when evicting pod "${p.name}" (will retry after 5s): Cannot evict pod as it would ` +
          `violate the pod's disruption budget.`,
        run: () => (st.budgetUsed = true),
      });
      at = 5250 + 450;
    }
    events.push({ at, stream: 'stdout', text: `pod "${p.name}" evicted`, run: () => evictPod(c, st, p) });
  });
  events.sort((a, b) => a.at - b.at);
  let now = 0;
  for (const e of events) {
    wait(e.at - now);
    now = e.at;
    if (e.run) effect(e.run);
    line(e.stream, e.text);
  }
  wait(300);
  line('stdout', `node "${h.name}" drained`);
  return answerOf(steps, 0);
}

/** The answer with its steps, and its text too (for pipelines and tests that read the whole output). */
function answerOf(steps: DemoStep[], code: number): DemoAnswer {
  const text = (stream: 'stdout' | 'stderr') => steps.flatMap((s) => (s.kind === 'line' && s.stream === stream ? [s.text] : [])).join('\n');
  return { out: text('stdout'), err: text('stderr'), code, steps };
}

// ---- the node procedures' oc forms (jsonpath, scale, delete, list-pods) ---------------------------------

/** The scheduler's message for a pod it has no node for (PodScheduled=False, reason Unschedulable). */
function unschedulableMessage(p: DemoPod, c: DemoCluster | undefined): string {
  const all = c ? nodes(c) : [];
  const parts: string[] = [];
  const cordoned = all.filter((h) => c && demoUnschedulable(c, h)).length;
  const down = all.filter((h) => h.down && !(c && demoUnschedulable(c, h))).length;
  const fit = all.filter((h) => !h.down && !(c && demoUnschedulable(c, h)));
  const selector = fit.filter(
    (h) => (p.placement === 'infra' && h.kind !== 'infra') || (p.placement === 'compute' && h.kind !== 'compute'),
  );
  const ports = fit.length - selector.length;
  if (down) parts.push(`${down} node(s) were not ready`);
  if (cordoned) parts.push(`${cordoned} node(s) were unschedulable`);
  if (p.hostPorts && ports) parts.push(`${ports} node(s) didn't have free ports for the requested pod ports`);
  if (selector.length) parts.push(`${selector.length} node(s) didn't match node selector`);
  return `0/${all.length} nodes are available: ${parts.join(', ')}.`;
}

/** The pods of a DC now (its replicas), in the order `oc scale` takes them away: Pending first, then the newest. */
function podsOfApp(st: NodeState, app: string): DemoPod[] {
  const mine = st.pods.filter((p) => p.kind === 'DeploymentConfig' && p.app === app && !p.terminating);
  return [...mine.filter((p) => !p.node), ...mine.filter((p) => p.node).reverse()];
}

/** `oc scale dc/NAME --replicas N`: the DC asks for N pods; extra ones go (Pending first), missing ones are placed. */
export function demoScale(c: DemoCluster, app: string, replicas: number): boolean {
  const st = demoNodeState(c);
  if (!st.replicas.has(app)) return false;
  st.replicas.set(app, replicas);
  const now = podsOfApp(st, app);
  for (const p of now.slice(0, Math.max(0, now.length - replicas))) st.pods.splice(st.pods.indexOf(p), 1);
  const template = now[0];
  for (let i = now.length; template && i < replicas; i++) {
    st.seq++;
    const node = replacementNode(c, st, template);
    st.pods.push({
      ...template,
      name: `${template.owner ?? app}-${podSuffix(`${app}:${st.seq}`)}`,
      node,
      phase: node ? 'Running' : 'Pending',
      terminating: false,
      created: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  return true;
}

/** `oc delete node N`: the node leaves the cluster; its pods go, those with a controller are made again elsewhere. */
export function demoDeleteNode(c: DemoCluster, name: string): boolean {
  const h = nodeHosts(c).find((x) => x.name === name);
  if (!h) return false;
  const st = demoNodeState(c);
  deleteDemoNode(c, h.name);
  for (const p of st.pods.filter((x) => x.node === h.name)) evictPod(c, st, p);
  return true;
}

/** A deployment config of the default project, as `oc get dc/NAME -o json` has it. */
function dcObject(c: DemoCluster, app: string): Record<string, unknown> {
  const st = demoNodeState(c);
  const want = st.replicas.get(app) ?? 0;
  const pods = podsOfApp(st, app);
  const ready = pods.filter((p) => p.node && p.phase === 'Running').length;
  return {
    apiVersion: 'apps.openshift.io/v1',
    kind: 'DeploymentConfig',
    metadata: { name: app, namespace: pods[0]?.namespace ?? 'default', generation: 2 },
    spec: { replicas: want, selector: { deploymentconfig: app }, strategy: { type: 'Rolling' } },
    status: { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, latestVersion: 1, observedGeneration: 2 },
  };
}

/**
 * Does the master serve the API? Up, and its static pod's manifest in place (a host whose directory was
 * never used still has it). `root` is the asking host's directory (DemoContext.root).
 */
export function apiServing(h: DemoHost, root: string | undefined): boolean {
  if (h.down) return false;
  if (!root) return true;
  const dir = rootBeside(root, h.name);
  return !existsSync(dir) || existsSync(join(dir, '/etc/origin/node/pods/apiserver.yaml'));
}

/** The kubernetes service's endpoints: the masters that serve the API. */
function endpointsObject(c: DemoCluster, root?: string): Record<string, unknown> {
  const masters = nodes(c).filter((h) => h.kind === 'master' && apiServing(h, root));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default' },
    subsets: [
      {
        addresses: masters.map((h) => ({ ip: h.ip })),
        ports: [
          { name: 'https', port: 8443, protocol: 'TCP' },
          { name: 'dns', port: 8053, protocol: 'UDP' },
          { name: 'dns-tcp', port: 8053, protocol: 'TCP' },
        ],
      },
    ],
  };
}

const notFound = (kind: string, name: string): DemoAnswer => ({
  err: `Error from server (NotFound): ${kind} "${name}" not found`,
  code: 1,
});

/** What `oc get KIND [NAME]` reads, as JSON (a List without a name), or the error. */
function getObject(c: DemoCluster, ctx: DemoContext): { data: unknown } | DemoAnswer {
  const args = ctx.words.slice(ctx.words.indexOf('get') + 1);
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    if (['-o', '--output', '-n', '--namespace', '--field-selector', '-l', '--selector'].includes(w)) i++;
    else if (!w.startsWith('-')) positional.push(w);
  }
  const [kindWord = '', nameWord] = positional;
  const [kind, name] = kindWord.includes('/') ? kindWord.split('/', 2) : [kindWord, nameWord];
  const list = (items: unknown[]) => ({ data: { apiVersion: 'v1', kind: 'List', items, metadata: { resourceVersion: '', selfLink: '' } } });
  const ns = flagValue(ctx.words, '-n', '--namespace') ?? 'default';
  switch (kind) {
    case 'node':
    case 'nodes':
    case 'no': {
      const items = (JSON.parse(ocGetNodesJson(c)) as { items: { metadata: { name: string } }[] }).items;
      if (!name) return list(items);
      const one = items.find((i) => i.metadata.name === name);
      return one ? { data: one } : notFound('nodes', name);
    }
    case 'pod':
    case 'pods':
    case 'po': {
      const onNode = /^spec\.nodeName=(.*)$/.exec(flagValue(ctx.words, '--field-selector') ?? '')?.[1];
      const all = ctx.words.includes('--all-namespaces');
      const items = demoPods(c, onNode)
        .filter((p) => all || p.namespace === ns)
        .map((p) => podObject(p, c));
      if (!name) return list(items);
      const one = items.find((i) => (i as { metadata: { name: string } }).metadata.name === name);
      return one ? { data: one } : notFound('pods', name);
    }
    case 'dc':
    case 'deploymentconfig':
    case 'deploymentconfigs': {
      const st = demoNodeState(c);
      const apps = [...st.replicas.keys()].filter((a) => podsOfApp(st, a)[0]?.namespace === ns || st.replicas.get(a) === 0);
      if (!name) return list(apps.map((a) => dcObject(c, a)));
      return st.replicas.has(name) ? { data: dcObject(c, name) } : notFound('deploymentconfigs.apps.openshift.io', name);
    }
    case 'endpoints':
    case 'ep':
      if (name && name !== 'kubernetes') return notFound('endpoints', name);
      return name ? { data: endpointsObject(c, ctx.root) } : list([endpointsObject(c, ctx.root)]);
    default:
      return { err: `error: the demo cluster does not list ${kindWord}`, code: 1 };
  }
}

const AGE = '41d';

/** `oc adm manage-node N --list-pods` as oc 3.10 prints it. */
function listPodsText(c: DemoCluster, node: string): string {
  const rows = demoPods(c, node).map((p) => [
    p.namespace,
    p.name,
    p.phase === 'Running' && !p.terminating ? '1/1' : '0/1',
    p.terminating ? 'Terminating' : p.phase === 'Succeeded' ? 'Completed' : p.phase,
    '0',
    AGE,
  ]);
  return `\nListing matched pods on node: ${node}\n\n${tabwrite([['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], ...rows])}`;
}

/**
 * `haproxy -c -f FILE` on the load balancer (the node procedures check their edit of haproxy.cfg with it):
 * the file must exist, and every default_backend / use_backend must name a backend it defines.
 */
export function haproxyCheck(root: string | undefined, words: readonly string[]): DemoAnswer {
  const files = words.flatMap((w, i) => (words[i - 1] === '-f' ? [w] : []));
  if (!words.includes('-c')) return { err: 'haproxy: the demo load balancer only checks its configuration (haproxy -c -f FILE)', code: 1 };
  for (const f of files) {
    const path = root ? join(root, f) : f;
    if (!existsSync(path))
      return { err: `[ALERT] 340/091243 (1) : Could not open configuration file ${f} : No such file or directory`, code: 1 };
    const text = readFileSync(path, 'utf8');
    const backends = new Set([...text.matchAll(/^\s*(?:backend|listen)\s+(\S+)/gm)].map((m) => m[1]!));
    let proxy = '';
    for (const line of text.split('\n')) {
      const section = /^\s*(frontend|backend|listen|defaults|global)\b\s*(\S*)/.exec(line);
      if (section) proxy = section[2] ?? '';
      const use = /^\s*(?:default_backend|use_backend)\s+(\S+)/.exec(line);
      if (use && !backends.has(use[1]!))
        return {
          err: `[ALERT] 340/091243 (1) : Proxy '${proxy}': unable to find required default_backend: '${use[1]}'.\n[ALERT] 340/091243 (1) : Fatal errors found in configuration.`,
          code: 1,
        };
    }
  }
  return { out: 'Configuration file is valid' };
}

/** `oc --config=/etc/origin/node/node.kubeconfig …` on a node: its own credentials (enough to read its own Node). */
export const withNodeKubeconfig = (c: DemoContext) => c.words.includes('--config=/etc/origin/node/node.kubeconfig');
const onlyOc = (c: DemoContext) => c.host === undefined || c.host.kind === 'master' || withNodeKubeconfig(c);

/** The node procedures' oc commands, answered before the table's general `oc get` rules (commands.ts spreads them in). */
export const NODE_COMMANDS: readonly DemoCommand[] = [
  { id: 'haproxy-check', match: /^haproxy\b/, needs: 'haproxy', answer: (c) => haproxyCheck(c.root, c.words) },
  {
    id: 'oc-get-jsonpath',
    match: /^oc\b.* get \S+.* (?:-o|--output)[ =]jsonpath=/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const got = getObject(ctx.cluster, ctx);
      if (!('data' in got)) return got;
      const template = (flagValue(ctx.words, '-o', '--output') ?? '').replace(/^jsonpath=/, '');
      try {
        return { out: jsonpath(template, got.data), noNewline: true };
      } catch (e) {
        return { err: `error: error parsing jsonpath ${template}, ${(e as Error).message}`, code: 1 };
      }
    },
  },
  {
    id: 'oc-get-name',
    match: /^oc\b.* get (?:nodes?|no|pods?|po|dc|deploymentconfigs?)\b.* (?:-o|--output)[ =]name$/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const got = getObject(ctx.cluster, ctx);
      if (!('data' in got)) return got;
      const d = got.data as { items?: { kind: string; metadata: { name: string } }[]; kind: string; metadata: { name: string } };
      const kindName = (k: string) => (k === 'DeploymentConfig' ? 'deploymentconfig.apps.openshift.io' : k.toLowerCase());
      return { out: (d.items ?? [d]).map((i) => `${kindName(i.kind)}/${i.metadata.name}`).join('\n') };
    },
  },
  {
    id: 'oc-get-dc-json',
    match: /^oc\b.* get (?:dc|deploymentconfigs?)(?:\/| )\S+.* (?:-o|--output)[ =]json$/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const got = getObject(ctx.cluster, ctx);
      return 'data' in got ? { out: JSON.stringify(got.data, null, 4) } : got;
    },
  },
  {
    id: 'oc-get-dc-table',
    match: /^oc\b.* get (?:dc|deploymentconfigs?)(?:\/| )([a-z0-9][a-z0-9-]*)(?: (?:-n|--namespace)[ =]\S+)?$/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const st = demoNodeState(ctx.cluster);
      const app = ctx.match[1]!;
      if (!st.replicas.has(app)) return notFound('deploymentconfigs.apps.openshift.io', app);
      const n = String(st.replicas.get(app));
      const cur = String(podsOfApp(st, app).length);
      return {
        out: tabwrite([
          ['NAME', 'REVISION', 'DESIRED', 'CURRENT', 'TRIGGERED BY'],
          [app, '1', n, cur, 'config'],
        ]),
      };
    },
  },
  {
    id: 'oc-scale-dc',
    match: /^oc\b.* scale (?:dc|deploymentconfigs?)(?:\/| )([a-z0-9][a-z0-9-]*)\b/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const app = ctx.match[1]!;
      const n = flagValue(ctx.words, '--replicas');
      if (n === undefined || !/^\d+$/.test(n))
        return { err: 'error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0', code: 1 };
      if (!demoNodeState(ctx.cluster).replicas.has(app)) return notFound('deploymentconfigs.apps.openshift.io', app);
      return {
        out: `deploymentconfig.apps.openshift.io "${app}" scaled`,
        steps: [
          { kind: 'effect', run: () => demoScale(ctx.cluster, app, Number(n)) },
          { kind: 'line', stream: 'stdout', text: `deploymentconfig.apps.openshift.io "${app}" scaled` },
        ],
      };
    },
  },
  {
    id: 'oc-delete-node',
    match: /^oc\b.* delete (?:nodes?|no)(?:\/| )(\S+)$/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const name = ctx.match[1]!;
      if (!nodeHosts(ctx.cluster).some((h) => h.name === name)) return notFound('nodes', name);
      return {
        out: `node "${name}" deleted`,
        steps: [
          { kind: 'effect', run: () => demoDeleteNode(ctx.cluster, name) },
          { kind: 'line', stream: 'stdout', text: `node "${name}" deleted` },
        ],
      };
    },
  },
  {
    id: 'oc-list-pods',
    match: /^oc adm manage-node (\S+) --list-pods$/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const name = ctx.match[1]!;
      if (!nodeHosts(ctx.cluster).some((h) => h.name === name)) return notFound('nodes', name);
      return { out: listPodsText(ctx.cluster, name) };
    },
  },
  {
    id: 'oc-describe-svc-kubernetes',
    match: /^oc\b.* describe (?:svc|services?)(?:\/| )kubernetes\b/,
    needs: 'oc',
    when: onlyOc,
    answer: (ctx) => {
      const ips = nodes(ctx.cluster).filter((h) => h.kind === 'master' && apiServing(h, ctx.root));
      const eps = (port: number) => ips.map((h) => `${h.ip}:${port}`).join(',');
      return {
        out: [
          'Name:              kubernetes',
          'Namespace:         default',
          'Labels:            component=apiserver',
          '                   provider=kubernetes',
          'Annotations:       <none>',
          'Selector:          <none>',
          'Type:              ClusterIP',
          'IP:                172.30.0.1',
          'Port:              https  443/TCP',
          'TargetPort:        8443/TCP',
          `Endpoints:         ${eps(8443)}`,
          'Port:              dns  53/UDP',
          'TargetPort:        8053/UDP',
          `Endpoints:         ${eps(8053)}`,
          'Port:              dns-tcp  53/TCP',
          'TargetPort:        8053/TCP',
          `Endpoints:         ${eps(8053)}`,
          'Session Affinity:  ClientIP',
          'Events:            <none>',
        ].join('\n'),
      };
    },
  },
];
