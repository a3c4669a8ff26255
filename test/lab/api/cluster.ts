// The lab cluster's state: the objects an OpenShift 3.10 cluster would hold for the lab's hosts, the
// scenarios that bend it (a NotReady node, a degraded router, …) and the few controllers that keep it
// believable after a change (replication controllers and daemon sets recreate pods, a scheduler places
// them, deployment configs, disruption budgets and endpoints follow their pods). No I/O here.

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Obj = Record<string, any>;

export interface LabHost {
  name: string;
  address: string;
  roles: string[];
}

export interface State {
  scenario: string;
  /** plural resource name → objects (the plurals served here are unique across groups). */
  objects: Record<string, Obj[]>;
  seq: number;
  resourceVersion: number;
}

/**
 * The lab's service network. A real 3.10 cluster uses 172.30.0.0/16 and kube-proxy's iptables rules
 * make its ClusterIPs reachable; the lab has no kube-proxy and must not send anything off this
 * machine, so its ClusterIPs are loopback addresses that the lab API server itself listens on
 * (docker-registry:5000). lab.sh writes the same network into master-config and the inventory.
 */
export const SERVICE_NETWORK = '127.30.0.0/16';

export const SCENARIOS = ['healthy', 'node-notready', 'router-degraded', 'no-default-sc', 'leader-master-1'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const KUBELET_VERSION = 'v1.10.0+b81c8f8';
/** Pods carrying this annotation are left Pending by the scheduler (the router-degraded scenario). */
export const HOLD_PENDING = 'lab.day2-tui/hold-pending';

export const DEFAULT_HOSTS: LabHost[] = [
  { name: 'master-0.lab.example.com', address: '127.0.10.1', roles: ['master', 'etcd', 'node'] },
  { name: 'master-1.lab.example.com', address: '127.0.10.2', roles: ['master', 'etcd', 'node'] },
  { name: 'master-2.lab.example.com', address: '127.0.10.3', roles: ['master', 'etcd', 'node'] },
  { name: 'infra-0.lab.example.com', address: '127.0.11.1', roles: ['infra', 'node'] },
  { name: 'node-0.lab.example.com', address: '127.0.12.1', roles: ['node'] },
  { name: 'node-1.lab.example.com', address: '127.0.12.2', roles: ['node'] },
  { name: 'lb-0.lab.example.com', address: '127.0.13.1', roles: ['lb'] },
];

// ---- small helpers -------------------------------------------------------------------------------

const DAY = 86_400_000;
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** kube's ShortHumanDuration, as the AGE column shows it. */
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** Deterministic name suffixes and uids (the same scenario always gets the same names). */
function hashStr(seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619) >>> 0;
  return h >>> 0;
}
function rand(st: State, n: number, alphabet = 'bcdfghjklmnpqrstvwxz2456789'): string {
  let out = '';
  let h = hashStr(`${st.scenario}:${st.seq++}`);
  for (let i = 0; i < n; i++) {
    out += alphabet[h % alphabet.length];
    h = Math.floor(h / alphabet.length) || hashStr(out + i);
  }
  return out;
}
function uid(st: State): string {
  const hex = Array.from({ length: 4 }, () =>
    hashStr(`${st.scenario}:uid:${st.seq++}`)
      .toString(16)
      .padStart(8, '0'),
  ).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export function bumpRV(st: State, o: Obj): void {
  st.resourceVersion++;
  o.metadata.resourceVersion = String(st.resourceVersion);
}

export function list(st: State, plural: string): Obj[] {
  return (st.objects[plural] ??= []);
}
export function find(st: State, plural: string, ns: string | undefined, name: string): Obj | undefined {
  return list(st, plural).find((o) => o.metadata.name === name && (ns === undefined || o.metadata.namespace === ns));
}
export function remove(st: State, plural: string, o: Obj): void {
  const l = list(st, plural);
  const i = l.indexOf(o);
  if (i >= 0) l.splice(i, 1);
}

export function newMeta(st: State, name: string, ns: string | undefined, created: number, extra: Obj = {}): Obj {
  const m: Obj = { name, ...(ns !== undefined ? { namespace: ns } : {}), uid: uid(st), creationTimestamp: iso(created), ...extra };
  return m;
}

export function add(st: State, plural: string, o: Obj): Obj {
  list(st, plural).push(o);
  bumpRV(st, o);
  return o;
}

function labelsMatch(sel: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || Object.keys(sel).length === 0) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

function controllerOf(o: Obj): Obj | undefined {
  return (o.metadata.ownerReferences ?? []).find((r: Obj) => r.controller);
}

export function nodeReady(n: Obj): boolean {
  return (n.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}
export function podReady(p: Obj): boolean {
  return p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True');
}
function terminating(p: Obj): boolean {
  return !!p.metadata.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}
function internalIP(n: Obj): string {
  return (n.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? '';
}

// ---- object builders -----------------------------------------------------------------------------

function makeNode(st: State, h: LabHost, created: number): Obj {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': h.name,
  };
  const isMaster = h.roles.includes('master');
  const isInfra = h.roles.includes('infra');
  if (isMaster) labels['node-role.kubernetes.io/master'] = 'true';
  if (isInfra) labels['node-role.kubernetes.io/infra'] = 'true';
  if (!isMaster && !isInfra) labels['node-role.kubernetes.io/compute'] = 'true';
  const t = iso(created);
  const cond = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    lastHeartbeatTime: iso(Date.now()),
    lastTransitionTime: t,
    reason,
    message,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: newMeta(st, h.name, undefined, created, {
      labels,
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.openshift.io/md5sum': 'c7a1b3' },
    }),
    spec: { externalID: h.name, ...(isMaster ? { unschedulable: true } : {}) },
    status: {
      addresses: [
        { type: 'InternalIP', address: h.address },
        { type: 'Hostname', address: h.name },
      ],
      capacity: { cpu: '4', memory: '16266500Ki', pods: '250' },
      allocatable: { cpu: '4', memory: '16164100Ki', pods: '250' },
      conditions: [
        cond('OutOfDisk', 'False', 'KubeletHasSufficientDisk', 'kubelet has sufficient disk space available'),
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uid(st),
        containerRuntimeVersion: 'docker://1.13.1',
        kernelVersion: '3.10.0-862.14.4.el7.x86_64',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: uid(st).replace(/-/g, ''),
        operatingSystem: 'linux',
        osImage: 'Red Hat Enterprise Linux Server 7.5 (Maipo)',
        systemUUID: uid(st).toUpperCase(),
      },
    },
  };
}

function ownerRef(o: Obj): Obj {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** A pod from a template (an RC's, a DS's or a bare one), placed on `node` or left Pending. */
function makePod(st: State, ns: string, name: string, tpl: Obj, owner: Obj | undefined, created: number): Obj {
  const spec: Obj = JSON.parse(JSON.stringify(tpl.spec));
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= 'default';
  spec.terminationGracePeriodSeconds ??= 30;
  const meta = newMeta(st, name, ns, created, {
    labels: { ...(tpl.metadata?.labels ?? {}) },
    annotations: { 'openshift.io/scc': spec.hostNetwork ? 'hostnetwork' : 'restricted', ...(tpl.metadata?.annotations ?? {}) },
    ...(owner ? { ownerReferences: [ownerRef(owner)], generateName: `${owner.metadata.name}-` } : {}),
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta,
    spec,
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

function runOn(st: State, p: Obj, node: Obj, started: number, ready = true): void {
  p.spec.nodeName = node.metadata.name;
  const nodeIdx = list(st, 'nodes').indexOf(node);
  const ip = p.spec.hostNetwork ? internalIP(node) : `10.${128 + Math.floor(nodeIdx / 256)}.${nodeIdx % 256}.${2 + (st.seq++ % 250)}`;
  const t = iso(started);
  p.status = {
    phase: 'Running',
    hostIP: internalIP(node),
    podIP: ip,
    startTime: t,
    qosClass: 'Burstable',
    conditions: [
      { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      {
        type: 'Ready',
        status: ready ? 'True' : 'False',
        lastProbeTime: null,
        lastTransitionTime: t,
        ...(ready
          ? {}
          : {
              reason: 'ContainersNotReady',
              message: `containers with unready status: [${p.spec.containers.map((c: Obj) => c.name).join(' ')}]`,
            }),
      },
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    ],
    containerStatuses: p.spec.containers.map((c: Obj) => ({
      name: c.name,
      image: c.image,
      imageID: `docker-pullable://${c.image.replace(/:[^:/]*$/, '')}@sha256:${hashStr(c.image).toString(16).padStart(8, '0').repeat(8)}`,
      containerID: `docker://${hashStr(p.metadata.uid).toString(16).padStart(8, '0').repeat(8)}`,
      ready,
      restartCount: 0,
      state: { running: { startedAt: t } },
      lastState: {},
    })),
  };
}

export function setPodReady(p: Obj, ready: boolean): void {
  for (const c of p.status?.conditions ?? [])
    if (c.type === 'Ready') {
      c.status = ready ? 'True' : 'False';
      c.lastTransitionTime = iso(Date.now());
      delete c.reason;
      delete c.message;
    }
  for (const c of p.status?.containerStatuses ?? []) c.ready = ready;
}

function hostPorts(p: Obj): number[] {
  return (p.spec.containers ?? []).flatMap((c: Obj) =>
    (c.ports ?? [])
      .map((x: Obj) => x.hostPort ?? (p.spec.hostNetwork ? x.containerPort : undefined))
      .filter((x: unknown) => typeof x === 'number'),
  );
}

/** Where would the scheduler put this pod? Undefined (with the reason) when nowhere. */
function pickNode(st: State, p: Obj, ignoreUnschedulable = false): { node?: Obj; reason: string } {
  const nodes = list(st, 'nodes');
  const pods = list(st, 'pods').filter((x) => x !== p && x.spec.nodeName && !terminating(x));
  const want = hostPorts(p);
  const reasons: Record<string, number> = {};
  const fits: Obj[] = [];
  for (const n of nodes) {
    let why = '';
    if (!nodeReady(n)) why = 'node(s) were not ready';
    else if (n.spec.unschedulable && !ignoreUnschedulable) why = 'node(s) were unschedulable';
    else if (p.spec.nodeSelector && !Object.entries(p.spec.nodeSelector).every(([k, v]) => n.metadata.labels?.[k] === v))
      why = "node(s) didn't match node selector";
    else if (want.length && pods.some((o) => o.spec.nodeName === n.metadata.name && hostPorts(o).some((x) => want.includes(x))))
      why = "node(s) didn't have free ports for the requested pod ports";
    if (why) reasons[why] = (reasons[why] ?? 0) + 1;
    else fits.push(n);
  }
  if (!fits.length) {
    const r = Object.entries(reasons)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    return { reason: `0/${nodes.length} nodes are available: ${r}.` };
  }
  const load = (n: Obj) => pods.filter((o) => o.spec.nodeName === n.metadata.name).length;
  fits.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name));
  return { node: fits[0], reason: '' };
}

function markUnschedulable(p: Obj, reason: string): void {
  p.status = {
    phase: 'Pending',
    qosClass: 'Burstable',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: iso(Date.now()),
        reason: 'Unschedulable',
        message: reason,
      },
    ],
  };
}

// ---- the scenario --------------------------------------------------------------------------------

function nodeHosts(hosts: LabHost[]): LabHost[] {
  return hosts.filter((h) => h.roles.some((r) => r === 'node' || r === 'master' || r === 'infra') && !h.roles.includes('lb'));
}

/**
 * A live controllers leader renews its lease every couple of seconds: whenever the API is asked, the
 * lease's renewTime is now (day2-tui's controllers-leader check fails a lease older than its duration).
 */
export function renewLeaderLease(st: State, now = Date.now()): void {
  const cm = list(st, 'configmaps').find(
    (c) => c.metadata?.name === 'openshift-master-controllers' && c.metadata?.namespace === 'kube-system',
  );
  const key = 'control-plane.alpha.kubernetes.io/leader';
  const raw = cm?.metadata?.annotations?.[key];
  if (typeof raw !== 'string') return;
  const lease = JSON.parse(raw) as { holderIdentity?: string; renewTime?: string };
  if (!lease.holderIdentity) return;
  lease.renewTime = iso(now);
  cm!.metadata.annotations[key] = JSON.stringify(lease);
}

function leaderAnnotation(master: LabHost | undefined, now: number): string {
  const holder = master ? `master-${master.name}-${master.address}-${'dnwrtcl4'}` : '';
  return JSON.stringify({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTime: iso(now - 2 * DAY),
    renewTime: iso(now),
    leaderTransitions: 3,
  });
}

function dcTemplate(_name: string, labels: Obj, nodeSelector: Obj | undefined, containers: Obj[], extra: Obj = {}): Obj {
  return { metadata: { labels }, spec: { ...(nodeSelector ? { nodeSelector } : {}), containers, ...extra } };
}

function makeDC(
  st: State,
  ns: string,
  name: string,
  replicas: number,
  tpl: Obj,
  created: number,
  triggers: Obj[] = [{ type: 'ConfigChange' }],
): { dc: Obj; rc: Obj } {
  const selector = { ...tpl.metadata.labels };
  const dc: Obj = add(st, 'deploymentconfigs', {
    apiVersion: 'apps.openshift.io/v1',
    kind: 'DeploymentConfig',
    metadata: newMeta(st, name, ns, created, { generation: 1, labels: { app: name } }),
    spec: { replicas, selector, strategy: { type: 'Rolling' }, template: tpl, triggers, test: false },
    status: {
      latestVersion: 1,
      observedGeneration: 1,
      replicas: 0,
      availableReplicas: 0,
      updatedReplicas: 0,
      unavailableReplicas: 0,
      readyReplicas: 0,
    },
  });
  const rcTpl = JSON.parse(JSON.stringify(tpl));
  rcTpl.metadata.labels = { ...rcTpl.metadata.labels, deployment: `${name}-1`, deploymentconfig: name };
  rcTpl.metadata.annotations = {
    'openshift.io/deployment-config.latest-version': '1',
    'openshift.io/deployment-config.name': name,
    'openshift.io/deployment.name': `${name}-1`,
  };
  const rc: Obj = add(st, 'replicationcontrollers', {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: newMeta(st, `${name}-1`, ns, created, {
      labels: { app: name, 'openshift.io/deployment-config.name': name },
      annotations: {
        'openshift.io/deployment-config.latest-version': '1',
        'openshift.io/deployment-config.name': name,
        'openshift.io/deployment.phase': 'Complete',
      },
      ownerReferences: [ownerRef(dc)],
    }),
    spec: { replicas, selector: { ...selector, deployment: `${name}-1`, deploymentconfig: name }, template: rcTpl },
    status: { replicas: 0 },
  });
  return { dc, rc };
}

function makeService(
  st: State,
  ns: string,
  name: string,
  ip: string,
  ports: Obj[],
  selector: Obj | undefined,
  created: number,
  labels: Obj = {},
): Obj {
  return add(st, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: newMeta(st, name, ns, created, { labels }),
    spec: { type: 'ClusterIP', clusterIP: ip, ports, ...(selector ? { selector } : {}), sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  });
}

/** Build the cluster for `scenario` over the lab's hosts. */
export function buildScenario(scenario: string, hosts: LabHost[], now = Date.now()): State {
  if (!(SCENARIOS as readonly string[]).includes(scenario))
    throw new Error(`unknown scenario ${scenario} (known: ${SCENARIOS.join(', ')})`);
  const st: State = { scenario, objects: {}, seq: 0, resourceVersion: 1000 };
  const born = now - 3 * DAY;
  const podBorn = now - 2 * DAY;
  const nh = nodeHosts(hosts);
  const masters = nh.filter((h) => h.roles.includes('master'));
  const infra = nh.filter((h) => h.roles.includes('infra'));
  const compute = nh.filter((h) => !h.roles.includes('master') && !h.roles.includes('infra'));

  for (const ns of [
    'default',
    'kube-public',
    'kube-system',
    'management-infra',
    'openshift',
    'openshift-infra',
    'openshift-node',
    'openshift-sdn',
    'myproject',
  ]) {
    add(st, 'namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: newMeta(st, ns, undefined, born, {
        annotations: { 'openshift.io/sa.scc.mcs': 's0:c1,c0', 'openshift.io/display-name': '' },
      }),
      spec: { finalizers: ['kubernetes', 'openshift.io/origin'] },
      status: { phase: 'Active' },
    });
  }
  for (const h of nh) add(st, 'nodes', makeNode(st, h, born));

  // Storage classes (the guide's sample: ssd, standard (default)).
  for (const [name, def] of [
    ['ssd', false],
    ['standard', scenario !== 'no-default-sc'],
  ] as const) {
    add(st, 'storageclasses', {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: newMeta(st, name, undefined, born, def ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
      provisioner: 'kubernetes.io/gce-pd',
      parameters: { type: name === 'ssd' ? 'pd-ssd' : 'pd-standard' },
      reclaimPolicy: 'Delete',
      volumeBindingMode: 'Immediate',
    });
  }

  // Controllers leader and the node config maps.
  const leader = scenario === 'leader-master-1' ? (masters[1] ?? masters[0]) : masters[0];
  add(st, 'configmaps', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: newMeta(st, 'openshift-master-controllers', 'kube-system', born, {
      annotations: { 'control-plane.alpha.kubernetes.io/leader': leaderAnnotation(leader, now) },
    }),
  });
  for (const g of ['master', 'infra', 'compute']) {
    add(st, 'configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: newMeta(st, `node-config-${g}`, 'openshift-node', born),
      data: {
        'node-config.yaml':
          `kind: NodeConfig\napiVersion: v1\nnetworkConfig:\n  mtu: 1450\n` +
          `  networkPluginName: redhat/openshift-ovs-subnet\nnodeName: ""\n`,
      },
    });
  }

  // The SDN daemon set: a pod on every node.
  const sdnTpl = {
    metadata: { labels: { app: 'sdn', component: 'network' } },
    spec: { hostNetwork: true, containers: [{ name: 'sdn', image: 'registry.access.redhat.com/openshift3/ose-node:v3.10.45' }] },
  };
  add(st, 'daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: newMeta(st, 'sdn', 'openshift-sdn', born, { generation: 1, labels: { app: 'sdn' } }),
    spec: { selector: { matchLabels: sdnTpl.metadata.labels }, template: sdnTpl, updateStrategy: { type: 'RollingUpdate' } },
    status: {},
  });

  // default: router and docker-registry, one replica per infra node.
  const routerTpl = dcTemplate(
    'router',
    { router: 'router' },
    { 'node-role.kubernetes.io/infra': 'true' },
    [
      {
        name: 'router',
        image: 'registry.access.redhat.com/openshift3/ose-haproxy-router:v3.10.45',
        ports: [80, 443, 1936].map((p) => ({ containerPort: p, hostPort: p, protocol: 'TCP' })),
      },
    ],
    { hostNetwork: true, serviceAccountName: 'router' },
  );
  const regTpl = dcTemplate(
    'docker-registry',
    { 'docker-registry': 'default' },
    { 'node-role.kubernetes.io/infra': 'true' },
    [
      {
        name: 'registry',
        image: 'registry.access.redhat.com/openshift3/ose-docker-registry:v3.10.45',
        ports: [{ containerPort: 5000, protocol: 'TCP' }],
        env: [
          { name: 'REGISTRY_HTTP_ADDR', value: ':5000' },
          { name: 'REGISTRY_HTTP_NET', value: 'tcp' },
          { name: 'OPENSHIFT_DEFAULT_REGISTRY', value: 'docker-registry.default.svc:5000' },
        ],
        volumeMounts: [{ name: 'registry-storage', mountPath: '/registry' }],
      },
    ],
    { serviceAccountName: 'registry', volumes: [{ name: 'registry-storage', emptyDir: {} }] },
  );
  const routerReplicas = scenario === 'router-degraded' ? 3 : infra.length;
  const router = makeDC(st, 'default', 'router', routerReplicas, routerTpl, born);
  const registry = makeDC(st, 'default', 'docker-registry', infra.length, regTpl, born);
  makeService(
    st,
    'default',
    'kubernetes',
    '127.30.0.1',
    [
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 8053 },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 8053 },
    ],
    undefined,
    born,
    { component: 'apiserver', provider: 'kubernetes' },
  );
  add(st, 'endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: newMeta(st, 'kubernetes', 'default', born),
    subsets: [
      {
        addresses: masters.map((m) => ({ ip: m.address })),
        ports: [
          { name: 'https', port: 8443, protocol: 'TCP' },
          { name: 'dns', port: 8053, protocol: 'UDP' },
          { name: 'dns-tcp', port: 8053, protocol: 'TCP' },
        ],
      },
    ],
  });
  makeService(
    st,
    'default',
    'docker-registry',
    '127.30.150.7',
    [{ name: '5000-tcp', port: 5000, protocol: 'TCP', targetPort: 5000 }],
    { 'docker-registry': 'default' },
    born,
    { 'docker-registry': 'default' },
  );
  makeService(
    st,
    'default',
    'router',
    '127.30.71.114',
    [80, 443, 1936].map((p) => ({ name: `${p}-tcp`, port: p, protocol: 'TCP', targetPort: p })),
    { router: 'router' },
    born,
    { router: 'router' },
  );

  // myproject: a DC-owned app (two replicas, a disruption budget), an RC with an emptyDir, a bare pod.
  const computeSel = { 'node-role.kubernetes.io/compute': 'true' }; // osm_default_node_selector of 3.10
  const feTpl = dcTemplate('frontend', { app: 'frontend' }, computeSel, [
    {
      name: 'frontend',
      image: 'docker-registry.default.svc:5000/myproject/frontend@sha256:0a9f2487a0d95d51511e49d20dc9ff6f350436f935968b0c83fcb98a7a8c381a',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    },
  ]);
  const fe = makeDC(st, 'myproject', 'frontend', 2, feTpl, born, [
    { type: 'ConfigChange' },
    {
      type: 'ImageChange',
      imageChangeParams: { automatic: true, containerNames: ['frontend'], from: { kind: 'ImageStreamTag', name: 'frontend:latest' } },
    },
  ]);
  const cacheTpl = {
    metadata: { labels: { app: 'cache' } },
    spec: {
      nodeSelector: computeSel,
      containers: [
        { name: 'memcached', image: 'docker.io/library/memcached:1.5', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }],
    },
  };
  const cache = add(st, 'replicationcontrollers', {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: newMeta(st, 'cache', 'myproject', born, { labels: { app: 'cache' } }),
    spec: { replicas: 1, selector: { app: 'cache' }, template: cacheTpl },
    status: { replicas: 0 },
  });
  add(st, 'poddisruptionbudgets', {
    apiVersion: 'policy/v1beta1',
    kind: 'PodDisruptionBudget',
    metadata: newMeta(st, 'frontend-pdb', 'myproject', born, { generation: 1 }),
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'frontend' } } },
    status: {},
  });
  add(st, 'services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: newMeta(st, 'frontend', 'myproject', born, { labels: { app: 'frontend' } }),
    spec: {
      type: 'ClusterIP',
      clusterIP: '127.30.88.21',
      ports: [{ name: '8080-tcp', port: 8080, protocol: 'TCP', targetPort: 8080 }],
      selector: { app: 'frontend' },
      sessionAffinity: 'None',
    },
    status: { loadBalancer: {} },
  });

  // Place the initial pods where a settled cluster would have them.
  const nodeObj = (h: LabHost | undefined) => (h ? find(st, 'nodes', undefined, h.name) : undefined);
  const seedRC = (rc: Obj, places: (LabHost | undefined)[], readiness: boolean[] = []) => {
    places.forEach((h, i) => {
      const p = add(st, 'pods', makePod(st, rc.metadata.namespace, `${rc.metadata.name}-${rand(st, 5)}`, rc.spec.template, rc, podBorn));
      const n = nodeObj(h);
      if (n) runOn(st, p, n, podBorn, readiness[i] ?? true);
    });
  };
  const rr = (arr: LabHost[], i: number) => (arr.length ? arr[i % arr.length] : undefined);
  if (scenario === 'router-degraded') {
    seedRC(router.rc, [rr(infra, 0), rr(infra, 1)]);
    const p = add(st, 'pods', makePod(st, 'default', `router-1-${rand(st, 5)}`, router.rc.spec.template, router.rc, now - 3_600_000));
    p.metadata.annotations[HOLD_PENDING] = 'true';
    markUnschedulable(
      p,
      `0/${nh.length} nodes are available: ${infra.length} node(s) didn't have free ports for ` +
        `the requested pod ports, ${nh.length - infra.length} node(s) didn't match node selector.`,
    );
  } else seedRC(router.rc, infra);
  seedRC(registry.rc, infra);
  seedRC(fe.rc, [rr(compute, 0), rr(compute, 1)], [true, false]);
  seedRC(cache, [rr(compute, 0)]);
  const bareTpl = {
    metadata: { labels: { run: 'bare-httpd' } },
    spec: {
      nodeSelector: computeSel,
      restartPolicy: 'Always',
      containers: [
        {
          name: 'bare-httpd',
          image: 'registry.access.redhat.com/rhscl/httpd-24-rhel7:latest',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        },
      ],
    },
  };
  const bare = add(st, 'pods', makePod(st, 'myproject', 'bare-httpd', bareTpl, undefined, podBorn));
  const bn = nodeObj(rr(compute, 0));
  if (bn) runOn(st, bare, bn, podBorn);

  // The SDN daemon set's pods, settled like the rest.
  const sdn = find(st, 'daemonsets', 'openshift-sdn', 'sdn')!;
  for (const n of list(st, 'nodes'))
    runOn(st, add(st, 'pods', makePod(st, 'openshift-sdn', `sdn-${rand(st, 5)}`, sdn.spec.template, sdn, podBorn)), n, podBorn);

  if (scenario === 'node-notready') {
    const h = compute[1] ?? compute[0] ?? nh[nh.length - 1];
    const n = nodeObj(h);
    if (n) {
      for (const c of n.status.conditions) {
        c.status = 'Unknown';
        c.reason = 'NodeStatusUnknown';
        c.message = 'Kubelet stopped posting node status.';
        c.lastHeartbeatTime = iso(now - 3_600_000);
        c.lastTransitionTime = iso(now - 3_000_000);
      }
      n.spec.taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(now - 3_000_000) }];
    }
  }
  reconcile(st);
  return st;
}

// ---- controllers ---------------------------------------------------------------------------------

function ownedPods(st: State, owner: Obj): Obj[] {
  return list(st, 'pods').filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
}

/** Bring dependent state in line: one pass of the controllers a real master would run. */
export function reconcile(st: State): void {
  const nodes = list(st, 'nodes');
  const nodeNames = new Set(nodes.map((n) => n.metadata.name));
  // Pod GC: pods bound to nodes that are gone.
  for (const p of [...list(st, 'pods')]) if (p.spec.nodeName && !nodeNames.has(p.spec.nodeName)) remove(st, 'pods', p);
  // Namespaces that are gone take their objects along.
  const nss = new Set(list(st, 'namespaces').map((n) => n.metadata.name));
  for (const [plural, objs] of Object.entries(st.objects)) {
    if (plural === 'namespaces') continue;
    st.objects[plural] = objs.filter((o) => o.metadata.namespace === undefined || nss.has(o.metadata.namespace));
  }
  // Deployment configs drive their latest RC.
  for (const dc of list(st, 'deploymentconfigs')) {
    const rc = find(st, 'replicationcontrollers', dc.metadata.namespace, `${dc.metadata.name}-${dc.status.latestVersion}`);
    if (rc && rc.spec.replicas !== dc.spec.replicas) {
      rc.spec.replicas = dc.spec.replicas;
      bumpRV(st, rc);
    }
  }
  // Replication controllers.
  for (const rc of list(st, 'replicationcontrollers')) {
    const live = ownedPods(st, rc).filter((p) => !terminating(p));
    const want = rc.spec.replicas ?? 1;
    for (let i = live.length; i < want; i++)
      add(st, 'pods', makePod(st, rc.metadata.namespace, `${rc.metadata.name}-${rand(st, 5)}`, rc.spec.template, rc, Date.now()));
    if (live.length > want) {
      const order = [...live].sort(
        (a, b) =>
          Number(a.status.phase === 'Running') - Number(b.status.phase === 'Running') ||
          b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp),
      );
      for (const p of order.slice(0, live.length - want)) remove(st, 'pods', p);
    }
  }
  // Daemon sets: one pod per node (they tolerate unschedulable nodes).
  for (const ds of list(st, 'daemonsets')) {
    const pods = ownedPods(st, ds);
    for (const n of nodes) {
      if (
        ds.spec.template.spec.nodeSelector &&
        !Object.entries(ds.spec.template.spec.nodeSelector).every(([k, v]) => n.metadata.labels?.[k] === v)
      )
        continue;
      if (pods.some((p) => p.spec.nodeName === n.metadata.name)) continue;
      const p = add(st, 'pods', makePod(st, ds.metadata.namespace, `${ds.metadata.name}-${rand(st, 5)}`, ds.spec.template, ds, Date.now()));
      runOn(st, p, n, Date.now(), nodeReady(n));
    }
  }
  // Scheduler.
  for (const p of list(st, 'pods')) {
    if (p.spec.nodeName || terminating(p) || p.metadata.annotations?.[HOLD_PENDING]) continue;
    const { node, reason } = pickNode(st, p);
    if (node) runOn(st, p, node, Date.now());
    else if (p.status?.conditions?.[0]?.message !== reason) markUnschedulable(p, reason);
  }
  // Status of the controllers.
  const setStatus = (o: Obj, status: Obj) => {
    const next = { ...o.status, ...status };
    if (JSON.stringify(next) !== JSON.stringify(o.status)) {
      o.status = next;
      bumpRV(st, o);
    }
  };
  for (const rc of list(st, 'replicationcontrollers')) {
    const live = ownedPods(st, rc).filter((p) => !terminating(p));
    const ready = live.filter(podReady).length;
    setStatus(rc, {
      replicas: live.length,
      fullyLabeledReplicas: live.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    });
  }
  for (const ds of list(st, 'daemonsets')) {
    const pods = ownedPods(st, ds);
    const ready = pods.filter(podReady).length;
    setStatus(ds, {
      currentNumberScheduled: pods.length,
      desiredNumberScheduled: pods.length,
      numberReady: ready,
      numberAvailable: ready,
      updatedNumberScheduled: pods.length,
      numberMisscheduled: 0,
      observedGeneration: 1,
    });
  }
  for (const dc of list(st, 'deploymentconfigs')) {
    const rc = find(st, 'replicationcontrollers', dc.metadata.namespace, `${dc.metadata.name}-${dc.status.latestVersion}`);
    const pods = rc ? ownedPods(st, rc).filter((p) => !terminating(p)) : [];
    const running = pods.filter((p) => p.status.phase === 'Running').length;
    const ready = pods.filter(podReady).length;
    const available = ready;
    setStatus(dc, {
      replicas: running,
      readyReplicas: ready,
      availableReplicas: available,
      updatedReplicas: running,
      unavailableReplicas: Math.max(0, dc.spec.replicas - available),
      conditions: [
        {
          type: 'Available',
          status: available >= dc.spec.replicas ? 'True' : 'False',
          message:
            available >= dc.spec.replicas
              ? 'Deployment config has minimum availability.'
              : 'Deployment config does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicationControllerAvailable',
          message: `replication controller "${dc.metadata.name}-${dc.status.latestVersion}" successfully rolled out`,
        },
      ],
    });
  }
  for (const pdb of list(st, 'poddisruptionbudgets')) {
    const pods = list(st, 'pods').filter(
      (p) =>
        p.metadata.namespace === pdb.metadata.namespace &&
        !terminating(p) &&
        labelsMatch(pdb.spec.selector?.matchLabels, p.metadata.labels),
    );
    const healthy = pods.filter(podReady).length;
    const min = typeof pdb.spec.minAvailable === 'number' ? pdb.spec.minAvailable : 1;
    setStatus(pdb, {
      currentHealthy: healthy,
      desiredHealthy: min,
      expectedPods: pods.length,
      disruptionsAllowed: Math.max(0, healthy - min),
      observedGeneration: 1,
    });
  }
  // Endpoints of services with a selector.
  for (const svc of list(st, 'services')) {
    if (!svc.spec.selector) continue;
    const pods = list(st, 'pods').filter(
      (p) =>
        p.metadata.namespace === svc.metadata.namespace &&
        !terminating(p) &&
        labelsMatch(svc.spec.selector, p.metadata.labels) &&
        p.status.podIP,
    );
    const toAddr = (p: Obj) => ({
      ip: p.status.podIP,
      nodeName: p.spec.nodeName,
      targetRef: { kind: 'Pod', namespace: p.metadata.namespace, name: p.metadata.name, uid: p.metadata.uid },
    });
    const ready = pods.filter(podReady).map(toAddr);
    const notReady = pods.filter((p) => !podReady(p)).map(toAddr);
    const ports = svc.spec.ports.map((p: Obj) => ({ name: p.name, port: p.targetPort, protocol: p.protocol }));
    const subsets =
      ready.length || notReady.length
        ? [{ ...(ready.length ? { addresses: ready } : {}), ...(notReady.length ? { notReadyAddresses: notReady } : {}), ports }]
        : [];
    let ep = find(st, 'endpoints', svc.metadata.namespace, svc.metadata.name);
    if (!ep)
      ep = add(st, 'endpoints', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: newMeta(st, svc.metadata.name, svc.metadata.namespace, Date.parse(svc.metadata.creationTimestamp), {
          labels: svc.metadata.labels,
        }),
        subsets,
      });
    else if (JSON.stringify(ep.subsets) !== JSON.stringify(subsets)) {
      ep.subsets = subsets;
      bumpRV(st, ep);
    }
  }
}

/**
 * An eviction (policy/v1beta1). Returns undefined when the pod was evicted (deleted at once: no grace
 * period in the lab), or the budget that blocked it. A blocked eviction lets the budget's unready pods
 * become ready (the lab's stand-in for "wait until the other replica is up"), so the retry passes.
 */
export function evict(st: State, pod: Obj): { blockedBy?: Obj } {
  const pdbs = list(st, 'poddisruptionbudgets').filter(
    (b) => b.metadata.namespace === pod.metadata.namespace && labelsMatch(b.spec.selector?.matchLabels, pod.metadata.labels),
  );
  for (const b of pdbs) {
    if ((b.status?.disruptionsAllowed ?? 0) < 1) {
      for (const p of list(st, 'pods')) {
        if (
          p.metadata.namespace === b.metadata.namespace &&
          labelsMatch(b.spec.selector?.matchLabels, p.metadata.labels) &&
          p.status.phase === 'Running' &&
          !podReady(p)
        ) {
          setPodReady(p, true);
          bumpRV(st, p);
        }
      }
      return { blockedBy: JSON.parse(JSON.stringify(b)) };
    }
  }
  remove(st, 'pods', pod);
  reconcile(st);
  return {};
}

// ---- the kubernetes service follows the running master APIs ------------------------------------------------
// A master's API server keeps its own address in the `kubernetes` endpoints while it runs (the endpoint
// reconciler) and it drops out when it stops: `oc describe svc kubernetes -n default` is how 5.2.1.3
// checks a decommissioned master is gone. The server passes the addresses of the masters whose API runs
// (a real lab: master-api.ts, the API unit or else the static pod) and this keeps the endpoints in line.

const API_ENDPOINT_PORTS = [
  { name: 'https', port: 8443, protocol: 'TCP' },
  { name: 'dns', port: 8053, protocol: 'UDP' },
  { name: 'dns-tcp', port: 8053, protocol: 'TCP' },
];

/** Sets the kubernetes endpoints to these master addresses; true when they changed. */
export function syncApiEndpoints(st: State, addresses: readonly string[]): boolean {
  const ep = find(st, 'endpoints', 'default', 'kubernetes');
  if (!ep) return false;
  const ports = ep.subsets?.[0]?.ports ?? API_ENDPOINT_PORTS;
  const subsets = addresses.length ? [{ addresses: addresses.map((ip) => ({ ip })), ports }] : [];
  if (JSON.stringify(subsets) === JSON.stringify(ep.subsets ?? [])) return false;
  ep.subsets = subsets;
  bumpRV(st, ep);
  return true;
}
