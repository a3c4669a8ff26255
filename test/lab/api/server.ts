// A small Kubernetes-compatible HTTPS API server that plays the lab's OpenShift 3.10 cluster for the
// real kubectl (1.20) behind test/lab/api/oc. Discovery, Table output, selectors, PATCH (merge,
// strategic merge as merge, JSON patch), DELETE, the scale subresource, pod eviction with a
// disruption budget, and scenarios switchable at runtime.
//
//   node --import tsx test/lab/api/server.ts --dir DIR --listen 127.0.0.1:PORT [--scenario NAME] [--fresh]
//
// DIR gets: pki/ (a CA and a server certificate made with openssl), token, kubeconfig, state.json,
// server.pid, url. Lab control (bearer token as for the API): POST /lab/scenario/NAME, POST /lab/reset,
// GET /lab/state.

/* eslint-disable @typescript-eslint/no-explicit-any */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import {
  age,
  buildScenario,
  bumpRV,
  DEFAULT_HOSTS,
  evict,
  find,
  iso,
  KUBELET_VERSION,
  type LabHost,
  list,
  newMeta,
  nodeReady,
  type Obj,
  podReady,
  reconcile,
  remove,
  renewLeaderLease,
  SCENARIOS,
  type State,
  syncApiEndpoints,
} from './cluster.js';
import { type DnsData, serveDns } from './dns.js';
import { type ApiRun, apiReady, masterApi } from './master-api.js';

// ---- arguments -----------------------------------------------------------------------------------

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}
const DIR = path.resolve(arg('dir') ?? die('--dir DIR is required'));
const LISTEN = arg('listen') ?? '127.0.0.1:8443';
const [HOST, PORT_S] = [LISTEN.slice(0, LISTEN.lastIndexOf(':')), LISTEN.slice(LISTEN.lastIndexOf(':') + 1)];
const PORT = Number(PORT_S);
const REQUESTED_SCENARIO = arg('scenario');
const FRESH = process.argv.includes('--fresh');
const QUIET = process.argv.includes('--quiet');
const URL_ = `https://${HOST}:${PORT}`;

function die(msg: string): never {
  process.stderr.write(`lab api: ${msg}\n`);
  process.exit(2);
}

// ---- files: certificates, token, kubeconfig, state ------------------------------------------------

mkdirSync(path.join(DIR, 'pki'), { recursive: true });
const pki = (f: string) => path.join(DIR, 'pki', f);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}
function ensureCerts(): void {
  if (!existsSync(pki('ca.crt')) || !existsSync(pki('ca.key'))) {
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      pki('ca.key'),
      '-out',
      pki('ca.crt'),
      '-days',
      '3650',
      '-subj',
      '/CN=openshift-signer@lab',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    );
  }
  const sanHost = existsSync(pki('server.host')) ? readFileSync(pki('server.host'), 'utf8').trim() : '';
  if (sanHost !== HOST || !existsSync(pki('server.crt'))) {
    const isIP = /^[0-9.]+$/.test(HOST);
    const san = [
      ...new Set([
        isIP ? `IP:${HOST}` : `DNS:${HOST}`,
        'IP:127.0.0.1',
        'DNS:localhost',
        'DNS:kubernetes.default.svc',
        'DNS:api.lab.example.com',
      ]),
    ].join(',');
    writeFileSync(
      pki('server.ext'),
      `subjectAltName=${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n`,
    );
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', pki('server.key'), '-out', pki('server.csr'), '-subj', `/CN=${HOST}`);
    openssl(
      'x509',
      '-req',
      '-in',
      pki('server.csr'),
      '-CA',
      pki('ca.crt'),
      '-CAkey',
      pki('ca.key'),
      '-CAcreateserial',
      '-out',
      pki('server.crt'),
      '-days',
      '825',
      '-extfile',
      pki('server.ext'),
    );
    writeFileSync(pki('server.host'), `${HOST}\n`);
  }
}
ensureCerts();

const tokenFile = path.join(DIR, 'token');
if (!existsSync(tokenFile)) writeFileSync(tokenFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
const TOKEN = readFileSync(tokenFile, 'utf8').trim();
// A second, limited login (user "viewer"): it may read everything but nodes, as a project admin on a real
// cluster; DIR/kubeconfig-viewer (and DIR/bin/oc-viewer, from start.sh) log in with it.
const viewerTokenFile = path.join(DIR, 'token-viewer');
if (!existsSync(viewerTokenFile)) writeFileSync(viewerTokenFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
const VIEWER_TOKEN = readFileSync(viewerTokenFile, 'utf8').trim();
const VIEWER = 'viewer';
/** What the viewer may not do: anything on nodes. */
const viewerMay = (resource: string) => resource !== 'nodes';

function writeKubeconfig(file: string, user: string, token: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (!current.includes(`server: ${URL_}\n`) || !current.includes(token)) {
    writeFileSync(
      file,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- cluster:',
        `    certificate-authority: ${pki('ca.crt')}`,
        `    server: ${URL_}`,
        '  name: lab-api',
        'contexts:',
        '- context:',
        '    cluster: lab-api',
        '    namespace: default',
        `    user: ${user}/lab-api`,
        `  name: default/lab-api/${user}`,
        `current-context: default/lab-api/${user}`,
        'preferences: {}',
        'users:',
        `- name: ${user}/lab-api`,
        '  user:',
        `    token: ${token}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
  }
}
const kubeconfigFile = path.join(DIR, 'kubeconfig');
writeKubeconfig(kubeconfigFile, 'system:admin', TOKEN);
writeKubeconfig(path.join(DIR, 'kubeconfig-viewer'), VIEWER, VIEWER_TOKEN);

function labHosts(): LabHost[] {
  return labJsonHosts() ?? DEFAULT_HOSTS;
}

/** The hosts of a real lab (DIR/lab.json or DIR/../lab.json), undefined when there is none. */
function labJsonHosts(): LabHost[] | undefined {
  const f = path.join(DIR, 'lab.json');
  const alt = path.join(DIR, '..', 'lab.json');
  for (const p of [f, alt]) {
    if (!existsSync(p)) continue;
    try {
      const j = JSON.parse(readFileSync(p, 'utf8'));
      if (Array.isArray(j.hosts) && j.hosts.length)
        return j.hosts.map((h: Obj) => ({ name: h.name, address: h.address, roles: h.roles ?? [] }));
    } catch {
      /* fall back to the defaults */
    }
  }
  return undefined;
}

const stateFile = path.join(DIR, 'state.json');
let st: State;
{
  let loaded: State | undefined;
  if (!FRESH && existsSync(stateFile)) {
    try {
      const s = JSON.parse(readFileSync(stateFile, 'utf8')) as State;
      if (!REQUESTED_SCENARIO || s.scenario === REQUESTED_SCENARIO) loaded = s;
    } catch {
      /* rebuilt below */
    }
  }
  st = loaded ?? buildScenario(REQUESTED_SCENARIO ?? 'healthy', labHosts());
}
function save(): void {
  writeFileSync(`${stateFile}.tmp`, JSON.stringify(st));
  renameSync(`${stateFile}.tmp`, stateFile);
}
save();

// ---- resources and discovery ---------------------------------------------------------------------

interface Res {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
}
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update'];
const RESOURCES: Res[] = [
  { group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'] },
  { group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'] },
  { group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] },
  {
    group: '',
    version: 'v1',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    categories: ['all'],
  },
  { group: '', version: 'v1', plural: 'endpoints', singular: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  { group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  {
    group: '',
    version: 'v1',
    plural: 'replicationcontrollers',
    singular: 'replicationcontroller',
    kind: 'ReplicationController',
    namespaced: true,
    shortNames: ['rc'],
    categories: ['all'],
  },
  { group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'] },
  {
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
  },
  {
    group: 'apps.openshift.io',
    version: 'v1',
    plural: 'deploymentconfigs',
    singular: 'deploymentconfig',
    kind: 'DeploymentConfig',
    namespaced: true,
    shortNames: ['dc'],
    categories: ['all'],
  },
  {
    group: 'storage.k8s.io',
    version: 'v1',
    plural: 'storageclasses',
    singular: 'storageclass',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
  },
  {
    group: 'policy',
    version: 'v1beta1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
  },
];
const SUBRESOURCES: Record<string, Obj[]> = {
  v1: [
    { name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1beta1', kind: 'Eviction', verbs: ['create'] },
    { name: 'pods/status', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'nodes/status', singularName: '', namespaced: false, kind: 'Node', verbs: ['get', 'patch', 'update'] },
    {
      name: 'replicationcontrollers/scale',
      singularName: '',
      namespaced: true,
      group: 'autoscaling',
      version: 'v1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    },
  ],
  'apps.openshift.io/v1': [
    {
      name: 'deploymentconfigs/scale',
      singularName: '',
      namespaced: true,
      group: 'extensions',
      version: 'v1beta1',
      kind: 'Scale',
      verbs: ['get', 'patch', 'update'],
    },
  ],
};
const gv = (r: { group: string; version: string }) => (r.group ? `${r.group}/${r.version}` : r.version);
const GROUPS = [...new Set(RESOURCES.filter((r) => r.group).map((r) => gv(r)))];

function resourceList(groupVersion: string): Obj {
  return {
    kind: 'APIResourceList',
    ...(groupVersion.includes('/') ? { apiVersion: 'v1' } : {}),
    groupVersion,
    resources: [
      ...RESOURCES.filter((r) => gv(r) === groupVersion).map((r) => ({
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs ?? [...VERBS, 'deletecollection'],
        ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        ...(r.categories ? { categories: r.categories } : {}),
      })),
      ...(SUBRESOURCES[groupVersion] ?? []),
    ],
  };
}

// ---- tables --------------------------------------------------------------------------------------

interface Col {
  name: string;
  type?: string;
  format?: string;
  priority?: number;
  description?: string;
  cell: (o: Obj) => unknown;
}
const nameCol: Col = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };
const ageCol: Col = { name: 'Age', cell: (o) => age(o.metadata.creationTimestamp) };
const none = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : v);
const selectorString = (sel: Obj | undefined) =>
  sel && Object.keys(sel).length
    ? Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .sort()
        .join(',')
    : '<none>';

function nodeStatus(n: Obj): string {
  const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const s = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (n.spec?.unschedulable) s.push('SchedulingDisabled');
  return s.join(',');
}
function nodeRoles(n: Obj): string {
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length));
  if (n.metadata.labels?.['kubernetes.io/role']) roles.push(n.metadata.labels['kubernetes.io/role']);
  return roles.length ? roles.sort().join(',') : '<none>';
}
function podStatus(p: Obj): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const waiting = (p.status?.containerStatuses ?? []).map((c: Obj) => c.state?.waiting?.reason).find(Boolean);
  return waiting ?? p.status?.reason ?? p.status?.phase ?? 'Unknown';
}
function endpointsString(ep: Obj): string {
  const all: string[] = [];
  for (const s of ep.subsets ?? []) for (const a of s.addresses ?? []) for (const p of s.ports ?? []) all.push(`${a.ip}:${p.port}`);
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

const TABLES: Record<string, Col[]> = {
  nodes: [
    nameCol,
    { name: 'Status', cell: nodeStatus },
    { name: 'Roles', cell: nodeRoles },
    ageCol,
    { name: 'Version', cell: (n) => n.status?.nodeInfo?.kubeletVersion ?? '' },
    { name: 'External-IP', priority: 1, cell: (n) => none((n.status?.addresses ?? []).find((a: Obj) => a.type === 'ExternalIP')?.address) },
    { name: 'OS-Image', priority: 1, cell: (n) => n.status?.nodeInfo?.osImage ?? '<unknown>' },
    { name: 'Kernel-Version', priority: 1, cell: (n) => n.status?.nodeInfo?.kernelVersion ?? '<unknown>' },
    { name: 'Container-Runtime', priority: 1, cell: (n) => n.status?.nodeInfo?.containerRuntimeVersion ?? '<unknown>' },
  ],
  pods: [
    nameCol,
    { name: 'Ready', cell: (p) => `${(p.status?.containerStatuses ?? []).filter((c: Obj) => c.ready).length}/${p.spec.containers.length}` },
    { name: 'Status', cell: podStatus },
    {
      name: 'Restarts',
      type: 'integer',
      cell: (p) => (p.status?.containerStatuses ?? []).reduce((a: number, c: Obj) => a + (c.restartCount ?? 0), 0),
    },
    ageCol,
    { name: 'IP', priority: 1, cell: (p) => none(p.status?.podIP) },
    { name: 'Node', priority: 1, cell: (p) => none(p.spec?.nodeName) },
  ],
  services: [
    nameCol,
    { name: 'Type', cell: (s) => s.spec.type },
    { name: 'Cluster-IP', cell: (s) => s.spec.clusterIP },
    { name: 'External-IP', cell: (s) => none((s.spec.externalIPs ?? []).join(',')) },
    { name: 'Port(s)', cell: (s) => (s.spec.ports ?? []).map((p: Obj) => `${p.port}/${p.protocol}`).join(',') || '<none>' },
    ageCol,
    { name: 'Selector', priority: 1, cell: (s) => selectorString(s.spec.selector) },
  ],
  endpoints: [nameCol, { name: 'Endpoints', cell: endpointsString }, ageCol],
  configmaps: [
    nameCol,
    { name: 'Data', type: 'integer', cell: (c) => Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length },
    ageCol,
  ],
  namespaces: [nameCol, { name: 'Status', cell: (n) => n.status?.phase ?? 'Active' }, ageCol],
  replicationcontrollers: [
    nameCol,
    { name: 'Desired', type: 'integer', cell: (r) => r.spec.replicas ?? 1 },
    { name: 'Current', type: 'integer', cell: (r) => r.status?.replicas ?? 0 },
    { name: 'Ready', type: 'integer', cell: (r) => r.status?.readyReplicas ?? 0 },
    ageCol,
    { name: 'Containers', priority: 1, cell: (r) => r.spec.template.spec.containers.map((c: Obj) => c.name).join(',') },
    { name: 'Images', priority: 1, cell: (r) => r.spec.template.spec.containers.map((c: Obj) => c.image).join(',') },
    { name: 'Selector', priority: 1, cell: (r) => selectorString(r.spec.selector) },
  ],
  daemonsets: [
    nameCol,
    { name: 'Desired', type: 'integer', cell: (d) => d.status?.desiredNumberScheduled ?? 0 },
    { name: 'Current', type: 'integer', cell: (d) => d.status?.currentNumberScheduled ?? 0 },
    { name: 'Ready', type: 'integer', cell: (d) => d.status?.numberReady ?? 0 },
    { name: 'Up-to-date', type: 'integer', cell: (d) => d.status?.updatedNumberScheduled ?? 0 },
    { name: 'Available', type: 'integer', cell: (d) => d.status?.numberAvailable ?? 0 },
    { name: 'Node Selector', cell: (d) => selectorString(d.spec.template.spec.nodeSelector) },
    ageCol,
  ],
  deploymentconfigs: [
    nameCol,
    { name: 'Revision', type: 'integer', cell: (d) => d.status?.latestVersion ?? 0 },
    { name: 'Desired', type: 'integer', cell: (d) => d.spec.replicas ?? 0 },
    { name: 'Current', type: 'integer', cell: (d) => d.status?.replicas ?? 0 },
    {
      name: 'Triggered By',
      cell: (d) =>
        (d.spec.triggers ?? [])
          .map((t: Obj) =>
            t.type === 'ConfigChange' ? 'config' : t.type === 'ImageChange' ? `image(${t.imageChangeParams?.from?.name ?? ''})` : t.type,
          )
          .join(',') || 'manual',
    },
  ],
  storageclasses: [
    {
      ...nameCol,
      cell: (s) =>
        s.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true' ||
        s.metadata.annotations?.['storageclass.beta.kubernetes.io/is-default-class'] === 'true'
          ? `${s.metadata.name} (default)`
          : s.metadata.name,
    },
    { name: 'Provisioner', cell: (s) => s.provisioner },
    ageCol,
  ],
  poddisruptionbudgets: [
    nameCol,
    { name: 'Min Available', cell: (b) => (b.spec.minAvailable ?? 'N/A').toString() },
    { name: 'Max Unavailable', cell: (b) => (b.spec.maxUnavailable ?? 'N/A').toString() },
    { name: 'Allowed Disruptions', type: 'integer', cell: (b) => b.status?.disruptionsAllowed ?? 0 },
    ageCol,
  ],
};

function partial(o: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}
function table(plural: string, items: Obj[], includeObject: string): Obj {
  const cols = TABLES[plural] ?? [nameCol, ageCol];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: String(st.resourceVersion) },
    columnDefinitions: cols.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: c.description ?? c.name,
      priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o)),
      ...(includeObject === 'None' ? {} : { object: includeObject === 'Object' ? o : partial(o) }),
    })),
  };
}

// ---- selectors -----------------------------------------------------------------------------------

function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}
function labelMatcher(sel: string | null): (labels: Record<string, string>) => boolean {
  if (!sel) return () => true;
  const preds = splitTerms(sel).map((t): ((l: Record<string, string>) => boolean) => {
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^(\S+)\s+(in|notin)\s+\((.*)\)$/))) {
      const [, k, op, vs] = m as unknown as [string, string, string, string];
      const set = vs.split(',').map((v) => v.trim());
      return op === 'in' ? (l) => k in l && set.includes(l[k]!) : (l) => !(k in l) || !set.includes(l[k]!);
    }
    if ((m = t.match(/^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/))) {
      const [, k, op, v] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v;
    }
    if (t.startsWith('!')) return (l) => !(t.slice(1) in l);
    return (l) => t in l;
  });
  return (labels) => preds.every((p) => p(labels ?? {}));
}
function fieldValue(o: Obj, p: string): string {
  let v: any = o;
  for (const k of p.split('.')) v = v?.[k];
  return v === undefined || v === null ? '' : String(v);
}
function fieldMatcher(sel: string | null): (o: Obj) => boolean {
  if (!sel) return () => true;
  const preds = splitTerms(sel).map((t) => {
    const m = t.match(/^([^!=]+)(==|=|!=)(.*)$/);
    if (!m) throw new HttpError(400, 'BadRequest', `invalid field selector: ${t}`);
    const [, k, op, v] = m as unknown as [string, string, string, string];
    return op === '!=' ? (o: Obj) => fieldValue(o, k) !== v : (o: Obj) => fieldValue(o, k) === v;
  });
  return (o) => preds.every((p) => p(o));
}

// ---- patches -------------------------------------------------------------------------------------

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Obj = target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // strategic-merge directives: the lab treats the patch as a merge patch
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
function jsonPatch(doc: any, ops: Obj[]): any {
  const out = JSON.parse(JSON.stringify(doc));
  for (const op of ops) {
    const parts = String(op.path)
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    let parent: any = out;
    for (const p of parts) {
      if (parent[p] === undefined && op.op === 'add') parent[p] = {};
      parent = parent[p];
      if (parent === undefined) throw new HttpError(422, 'Invalid', `json patch: path ${op.path} does not exist`);
    }
    if (last === undefined) throw new HttpError(422, 'Invalid', 'json patch: empty path');
    const key = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    if (op.op === 'add') Array.isArray(parent) ? parent.splice(key as number, 0, op.value) : (parent[key] = op.value);
    else if (op.op === 'replace') {
      if (!(key in parent)) throw new HttpError(422, 'Invalid', `json patch: replace of missing ${op.path}`);
      parent[key] = op.value;
    } else if (op.op === 'remove') {
      if (!(key in parent)) throw new HttpError(422, 'Invalid', `json patch: remove of missing ${op.path}`);
      Array.isArray(parent) ? parent.splice(key as number, 1) : delete parent[key];
    } else if (op.op === 'test') {
      if (JSON.stringify(parent[key]) !== JSON.stringify(op.value))
        throw new HttpError(422, 'Invalid', `json patch: test failed at ${op.path}`);
    } else throw new HttpError(422, 'Invalid', `json patch: op ${op.op} not supported by the lab`);
  }
  return out;
}
function applyPatch(doc: Obj, body: string, contentType: string): Obj {
  let patch: any;
  try {
    patch = JSON.parse(body);
  } catch {
    throw new HttpError(400, 'BadRequest', 'the patch is not valid JSON (the lab takes JSON patches only)');
  }
  if (contentType.startsWith('application/json-patch+json')) return jsonPatch(doc, patch);
  if (
    contentType.startsWith('application/merge-patch+json') ||
    contentType.startsWith('application/strategic-merge-patch+json') ||
    contentType.startsWith('application/apply-patch')
  )
    return mergePatch(doc, patch);
  throw new HttpError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ` +
      `application/json-patch+json, application/merge-patch+json, ` +
      `application/strategic-merge-patch+json`,
  );
}

// ---- HTTP plumbing -------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(
    public code: number,
    public reason: string,
    message: string,
    public details?: Obj,
  ) {
    super(message);
  }
}
function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 300 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}
function send(res: ServerResponse, code: number, body: Obj): void {
  const s = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(s), 'Cache-Control': 'no-cache, private' });
  res.end(s);
}
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
const qualified = (r: Res) => (r.group ? `${r.plural}.${r.group}` : r.plural);
function notFound(r: Res, name: string): HttpError {
  return new HttpError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    ...(r.group ? { group: r.group } : {}),
    kind: r.plural,
  });
}
function withKind(r: Res, o: Obj): Obj {
  return { apiVersion: gv(r), kind: r.kind, ...o };
}
function changed(): void {
  reconcile(st);
  save();
  syncKubelets();
  syncServices();
}

// ---- the kubernetes service's endpoints: the masters whose API runs (a real lab) ------------------------------
// Read before each request from each master's own state (master-api.ts: the API unit the systemctl shim keeps,
// else the static pod's container kubelet.pl records), so `systemctl disable --now atomic-openshift-master-api`
// or the api pod's manifest moved away takes the master's address out of `oc describe svc kubernetes -n
// default`, and starting it again puts it back.
const labRootDir = [DIR, path.join(DIR, '..')].find((d) => existsSync(path.join(d, 'lab.json')) && existsSync(path.join(d, 'hosts')));
let apiMasters: LabHost[] | undefined;
/** Master `h`'s API as its host tells it; without a lab's host directories it runs. */
const apiOf = (h: LabHost): ApiRun => (labRootDir ? masterApi(path.join(labRootDir, 'hosts', h.name)) : { runs: true });
function syncApiUnits(): void {
  if (!labRootDir) return;
  const masters = (apiMasters ??= (labJsonHosts() ?? []).filter((h) => h.roles.includes('master')));
  if (masters.length === 0) return;
  const running = masters.filter((h) => apiOf(h).runs);
  if (
    syncApiEndpoints(
      st,
      running.map((h) => h.address),
    )
  )
    save();
}

// ---- the handlers --------------------------------------------------------------------------------

const VERSION = {
  major: '1',
  minor: '10+',
  gitVersion: KUBELET_VERSION,
  gitCommit: 'b81c8f8',
  gitTreeState: 'clean',
  buildDate: '2018-09-21T13:07:33Z',
  goVersion: 'go1.9.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};
const OPENSHIFT_VERSION = {
  major: '3',
  minor: '10+',
  gitVersion: 'v3.10.45',
  gitCommit: 'c6e2a8b8d2',
  gitTreeState: 'clean',
  buildDate: '2018-09-21T13:07:33Z',
  goVersion: 'go1.9.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  syncApiUnits();
  syncMasterApis();
  renewLeaderLease(st);
  const u = new URL(req.url ?? '/', URL_);
  const p = u.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const auth = req.headers.authorization ?? '';
  const user = auth === `Bearer ${TOKEN}` ? 'system:admin' : auth === `Bearer ${VIEWER_TOKEN}` ? VIEWER : undefined;
  if (!user) {
    if (p === '/healthz' || p === '/version') {
      /* open, as on a real master */
    } else throw new HttpError(401, 'Unauthorized', 'Unauthorized');
  }
  if (user === VIEWER && p.startsWith('/lab/')) throw new HttpError(403, 'Forbidden', 'the lab control is for system:admin');

  if (p === '/healthz' || p === '/readyz' || p === '/livez') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (p === '/version') return send(res, 200, VERSION);
  if (p === '/version/openshift') return send(res, 200, OPENSHIFT_VERSION);
  if (p === '/api')
    return send(res, 200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `${HOST}:${PORT}` }],
    });
  if (p === '/apis') {
    return send(res, 200, {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: GROUPS.map((g) => {
        const [name, version] = g.split('/') as [string, string];
        return { name, versions: [{ groupVersion: g, version }], preferredVersion: { groupVersion: g, version } };
      }),
    });
  }
  if (p === '/apis/user.openshift.io/v1/users/~') {
    const admin = user === 'system:admin';
    return send(res, 200, {
      kind: 'User',
      apiVersion: 'user.openshift.io/v1',
      metadata: { name: user, selfLink: `/apis/user.openshift.io/v1/users/${encodeURIComponent(user ?? '')}`, creationTimestamp: null },
      identities: null,
      groups: admin ? ['system:authenticated', 'system:cluster-admins', 'system:masters'] : ['system:authenticated'],
    });
  }
  // `oc auth can-i VERB RESOURCE [-n NS]` (kubectl's SelfSubjectAccessReview): the admin may do anything
  if (p === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews' && method === 'POST') {
    const review = JSON.parse(await readBody(req)) as Obj;
    const resource = String(review.spec?.resourceAttributes?.resource ?? '');
    const allowed = user === 'system:admin' || viewerMay(resource);
    return send(res, 201, { ...review, status: { allowed, ...(allowed ? {} : { reason: '' }) } });
  }

  // lab control
  if (p.startsWith('/lab/')) {
    const m = p.match(/^\/lab\/scenario\/([a-z0-9-]+)$/);
    if (m && method === 'POST') {
      if (!(SCENARIOS as readonly string[]).includes(m[1]!))
        throw new HttpError(404, 'NotFound', `unknown scenario ${m[1]} (known: ${SCENARIOS.join(', ')})`);
      st = buildScenario(m[1]!, labHosts());
      save();
      syncKubelets();
      return send(res, 200, { scenario: st.scenario });
    }
    if (p === '/lab/reset' && method === 'POST') {
      st = buildScenario(st.scenario, labHosts());
      save();
      syncKubelets();
      return send(res, 200, { scenario: st.scenario });
    }
    if (p === '/lab/state' && method === 'GET')
      return send(res, 200, { scenario: st.scenario, scenarios: SCENARIOS, resourceVersion: st.resourceVersion });
    throw new HttpError(404, 'NotFound', `the lab has no ${method} ${p}`);
  }

  if (p === '/api/v1') return send(res, 200, resourceList('v1'));
  const gm = p.match(/^\/apis\/([^/]+)\/([^/]+)$/);
  if (gm && GROUPS.includes(`${gm[1]}/${gm[2]}`)) return send(res, 200, resourceList(`${gm[1]}/${gm[2]}`));
  const gOnly = p.match(/^\/apis\/([^/]+)$/);
  if (gOnly && GROUPS.some((g) => g.startsWith(`${gOnly[1]}/`))) {
    const g = GROUPS.find((x) => x.startsWith(`${gOnly[1]}/`))!;
    const version = g.split('/')[1]!;
    return send(res, 200, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: gOnly[1],
      versions: [{ groupVersion: g, version }],
      preferredVersion: { groupVersion: g, version },
    });
  }

  // resource paths
  let groupVersion: string;
  let segs: string[];
  if (p.startsWith('/api/v1/')) {
    groupVersion = 'v1';
    segs = p.slice('/api/v1/'.length).split('/');
  } else if (p.startsWith('/apis/')) {
    const s = p.slice('/apis/'.length).split('/');
    groupVersion = `${s[0]}/${s[1]}`;
    segs = s.slice(2);
  } else throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
  segs = segs.map(decodeURIComponent);
  const inGV = RESOURCES.filter((r) => gv(r) === groupVersion);
  if (!inGV.length) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
  let ns: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3 && inGV.some((r) => r.namespaced && r.plural === segs[2])) {
    ns = segs[1];
    segs = segs.slice(2);
  }
  const r = inGV.find((x) => x.plural === segs[0]);
  if (!r) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
  if (user === VIEWER && !viewerMay(r.plural)) {
    const verb = method === 'GET' ? (segs[1] ? 'get' : 'list') : method.toLowerCase();
    throw new HttpError(
      403,
      'Forbidden',
      `${r.plural} is forbidden: User "${VIEWER}" cannot ${verb} ${r.plural} at the cluster scope: no RBAC policy matched`,
    );
  }
  const [, name, sub] = segs;
  if (segs.length > 3) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
  if (ns !== undefined && !find(st, 'namespaces', undefined, ns) && method !== 'GET')
    throw new HttpError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  const accept = String(req.headers.accept ?? '');
  const asTable = /as=Table/.test(accept);
  const q = u.searchParams;

  if (!name) {
    if (method === 'GET') {
      if (q.get('watch') === 'true' || q.get('watch') === '1')
        throw new HttpError(405, 'MethodNotAllowed', 'watch is not supported by the lab API server');
      const lm = labelMatcher(q.get('labelSelector'));
      const fm = fieldMatcher(q.get('fieldSelector'));
      const items = list(st, r.plural)
        .filter((o) => !r.namespaced || ns === undefined || o.metadata.namespace === ns)
        .filter((o) => lm(o.metadata.labels ?? {}) && fm(o))
        .sort(
          (a, b) =>
            (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name),
        );
      if (asTable) return send(res, 200, table(r.plural, items, q.get('includeObject') ?? 'Metadata'));
      return send(res, 200, {
        kind: `${r.kind}List`,
        apiVersion: gv(r),
        metadata: { resourceVersion: String(st.resourceVersion) },
        items: items.map((o) => withKind(r, o)),
      });
    }
    if (method === 'POST') {
      const o = JSON.parse(await readBody(req)) as Obj;
      o.metadata ??= {};
      if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + Math.random().toString(36).slice(2, 7);
      if (!o.metadata.name)
        throw new HttpError(422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`);
      if (r.namespaced && ns === undefined) throw new HttpError(400, 'BadRequest', 'a namespace is required');
      if (find(st, r.plural, r.namespaced ? ns : undefined, o.metadata.name))
        throw new HttpError(409, 'AlreadyExists', `${qualified(r)} "${o.metadata.name}" already exists`, {
          name: o.metadata.name,
          kind: r.plural,
          ...(r.group ? { group: r.group } : {}),
        });
      const created: Obj = {
        ...withKind(r, o),
        metadata: {
          ...o.metadata,
          ...newMeta(st, o.metadata.name, r.namespaced ? ns : undefined, Date.now(), {}),
          labels: o.metadata.labels,
          annotations: o.metadata.annotations,
        },
      };
      if (r.plural === 'namespaces') created.status = { phase: 'Active' };
      if (r.plural === 'pods') created.status = { phase: 'Pending' };
      list(st, r.plural).push(created);
      bumpRV(st, created);
      changed();
      return send(res, 201, created);
    }
    throw new HttpError(405, 'MethodNotAllowed', `the lab does not support ${method} on a collection`);
  }

  const obj = find(st, r.plural, r.namespaced ? ns : undefined, name);
  if (r.namespaced && ns === undefined) throw notFound(r, name);

  if (sub === 'eviction' && r.plural === 'pods' && method === 'POST') {
    if (!obj) throw notFound(r, name);
    const { blockedBy } = evict(st, obj);
    changed();
    if (blockedBy) {
      throw new HttpError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
        causes: [
          {
            reason: 'DisruptionBudget',
            message:
              `The disruption budget ${blockedBy.metadata.name} needs ` +
              `${blockedBy.status?.desiredHealthy ?? 1} healthy pods and has ` +
              `${blockedBy.status?.currentHealthy ?? 0} currently`,
          },
        ],
      });
    }
    return send(res, 201, status(201, '', '', undefined));
  }
  if (sub === 'scale' && (r.plural === 'deploymentconfigs' || r.plural === 'replicationcontrollers')) {
    if (!obj) throw notFound(r, name);
    const isDC = r.plural === 'deploymentconfigs';
    const scale = (): Obj => ({
      kind: 'Scale',
      apiVersion: isDC ? 'extensions/v1beta1' : 'autoscaling/v1',
      metadata: {
        name,
        namespace: ns,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
        creationTimestamp: obj.metadata.creationTimestamp,
      },
      spec: { replicas: obj.spec.replicas },
      status: isDC
        ? { replicas: obj.status?.replicas ?? 0, selector: obj.spec.selector, targetSelector: selectorString(obj.spec.selector) }
        : { replicas: obj.status?.replicas ?? 0, selector: selectorString(obj.spec.selector) },
    });
    if (method === 'GET') return send(res, 200, scale());
    if (method === 'PATCH' || method === 'PUT') {
      const body = await readBody(req);
      const next = method === 'PUT' ? (JSON.parse(body) as Obj) : applyPatch(scale(), body, String(req.headers['content-type'] ?? ''));
      const n = Number(next.spec?.replicas);
      if (!Number.isInteger(n) || n < 0)
        throw new HttpError(
          422,
          'Invalid',
          `Scale.extensions "${name}" is invalid: spec.replicas: Invalid value: ${next.spec?.replicas}: must be greater than or equal to 0`,
        );
      obj.spec.replicas = n;
      bumpRV(st, obj);
      changed();
      return send(res, 200, scale());
    }
  }
  if (sub === 'status' && method === 'GET') {
    if (!obj) throw notFound(r, name);
    return send(res, 200, withKind(r, obj));
  }
  if (sub) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');

  if (method === 'GET') {
    if (!obj) throw notFound(r, name);
    if (asTable) return send(res, 200, table(r.plural, [obj], q.get('includeObject') ?? 'Metadata'));
    return send(res, 200, withKind(r, obj));
  }
  if (method === 'PATCH' || method === 'PUT') {
    if (!obj) throw notFound(r, name);
    const body = await readBody(req);
    const next = method === 'PUT' ? (JSON.parse(body) as Obj) : applyPatch(obj, body, String(req.headers['content-type'] ?? ''));
    for (const k of ['name', 'namespace', 'uid', 'creationTimestamp']) next.metadata[k] = obj.metadata[k];
    const l = list(st, r.plural);
    const replaced = { ...next, apiVersion: gv(r), kind: r.kind };
    if (method === 'PUT' && next.metadata.resourceVersion && next.metadata.resourceVersion !== obj.metadata.resourceVersion) {
      throw new HttpError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${qualified(r)} "${name}": the object has been modified; ` +
          `please apply your changes to the latest version and try again`,
      );
    }
    l[l.indexOf(obj)] = replaced;
    bumpRV(st, replaced);
    changed();
    return send(res, 200, replaced);
  }
  if (method === 'DELETE') {
    if (!obj) throw notFound(r, name);
    remove(st, r.plural, obj);
    changed();
    return send(res, 200, {
      ...status(200, '', ''),
      details: { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: obj.metadata.uid },
    });
  }
  throw new HttpError(405, 'MethodNotAllowed', `the lab does not support ${method} here`);
}

const server = https.createServer(
  { key: readFileSync(pki('server.key')), cert: readFileSync(pki('server.crt')), ca: readFileSync(pki('ca.crt')) },
  (req, res) => {
    const t0 = Date.now();
    handle(req, res)
      .catch((e: unknown) => {
        if (e instanceof HttpError) send(res, e.code, status(e.code, e.reason, e.message, e.details));
        else {
          process.stderr.write(`lab api: ${(e as Error).stack ?? e}\n`);
          send(res, 500, status(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`));
        }
      })
      .finally(() => {
        if (!QUIET) process.stdout.write(`${iso(t0)} ${req.method} ${req.url} ${res.statusCode} ${Date.now() - t0}ms\n`);
      });
  },
);
server.on('error', (e) => die(`cannot listen on ${LISTEN}: ${e.message}`));
server.listen(PORT, HOST, () => {
  writeFileSync(path.join(DIR, 'server.pid'), `${process.pid}\n`);
  writeFileSync(path.join(DIR, 'url'), `${URL_}\n`);
  process.stdout.write(`lab api: listening on ${URL_} (scenario ${st.scenario}, kubeconfig ${kubeconfigFile})\n`);
});

// ---- the lab's hosts' own sockets ------------------------------------------------------------------
// With a real lab (lab.json), the same API also answers where a real cluster has it: on each master's
// own address (the guide's `curl -k https://<master>:8443/healthz`) while that master's API runs
// (master-api.ts; stopped: the address refuses connections; just started: /healthz fails for a moment),
// and on the load balancer (openshift_master_cluster_hostname, the internal cluster URL — the LB forwards
// to whichever master runs, so it stays open). And each node whose Node object is Ready has a kubelet port
// (tcp/10250, TLS, /healthz) that the masters can reach; a NotReady node's kubelet port is closed (its node
// service is down). Binding errors are logged once, not fatal (e.g. a second API server started beside a
// running lab), and retried at the next sync (an EADDRINUSE while a closed one was still being released).
const hostSockets = labJsonHosts();
const tlsOptions = { key: readFileSync(pki('server.key')), cert: readFileSync(pki('server.crt')), ca: readFileSync(pki('ca.crt')) };
const bindFailed = new Set<string>();

/** Keeps `open[key]` listening on address:port exactly while `up` (`name` for the log); `make` builds the server. */
function syncListener(
  open: Map<string, https.Server>,
  key: string,
  up: boolean,
  at: { address: string; port: number; name: string },
  make: () => https.Server,
): void {
  const srv = open.get(key);
  const where = `${at.address}:${at.port} (${at.name})`;
  if (up && !srv) {
    const s = make();
    s.on('error', (e) => {
      if (!bindFailed.has(where)) process.stderr.write(`lab api: cannot listen on ${where}: ${e.message}\n`);
      bindFailed.add(where);
      if (open.get(key) === s) open.delete(key);
    });
    s.on('listening', () => bindFailed.delete(where));
    s.listen(at.port, at.address);
    open.set(key, s);
  } else if (!up && srv) {
    open.delete(key);
    srv.close();
    srv.closeAllConnections();
  }
}

if (hostSockets) {
  for (const h of hostSockets.filter((x) => x.roles.includes('lb') && !x.roles.includes('master'))) {
    if (h.address === HOST) continue;
    const lb = https.createServer(tlsOptions, (req, res) => server.emit('request', req, res));
    lb.on('error', (e) => process.stderr.write(`lab api: cannot listen on ${h.address}:${PORT} (${h.name}): ${e.message}\n`));
    lb.listen(PORT, h.address);
  }
}

// A real API server's /healthz while its post-start hooks are still running
const NOT_READY_BODY = '[+]ping ok\n[+]etcd ok\n[-]poststarthook/bootstrap-controller failed: reason withheld\nhealthz check failed\n';
/** Master `h`'s own API address: refused while its API is down (checked again per request), not ready just after it started. */
function masterApiHandler(h: LabHost): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const api = apiOf(h);
    if (!api.runs) {
      req.socket.destroy();
      syncMasterApis();
    } else if (!apiReady(api) && (req.url ?? '').split('?')[0] === '/healthz') {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(NOT_READY_BODY);
    } else server.emit('request', req, res);
  };
}
const masterListeners = new Map<string, https.Server>();
function syncMasterApis(): void {
  for (const h of (hostSockets ?? []).filter((x) => x.roles.includes('master') && x.address !== HOST)) {
    syncListener(masterListeners, h.name, apiOf(h).runs, { address: h.address, port: PORT, name: h.name }, () =>
      https.createServer(tlsOptions, masterApiHandler(h)),
    );
  }
}

const kubelets = new Map<string, https.Server>();
function kubeletHandler(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(req.url === '/healthz' ? 200 : 401, { 'Content-Type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok' : 'Unauthorized');
}
function syncKubelets(): void {
  for (const h of hostSockets ?? []) {
    if (!h.roles.some((r) => r === 'node' || r === 'master' || r === 'infra') || h.roles.includes('lb')) continue;
    const node = list(st, 'nodes').find((n) => n.metadata.name === h.name);
    const up = node !== undefined && nodeReady(node);
    syncListener(kubelets, h.name, up, { address: h.address, port: 10250, name: `${h.name} kubelet` }, () =>
      https.createServer(tlsOptions, kubeletHandler),
    );
  }
}
syncMasterApis();
syncKubelets();
// and again every second: an API that stopped or started on its own (kubelet.pl, systemctl) is followed
// without a request, and a port whose listen failed is retried
setInterval(() => {
  syncMasterApis();
  syncKubelets();
}, 1000).unref();

// ---- DNS, the router and the registry of a real lab ---------------------------------------------------
// What a site around an OpenShift 3.10 cluster resolves and routes, served from the cluster state (so
// always current): DNS (see dns.ts) on each node's address (its dnsmasq) and on the site DNS address
// (SITE_DNS: the resolver of the bastion and of non-node hosts); the router (hostNetwork on the infra
// nodes, ports 80/443) and the load balancer in front of it (lb-0:80/443) serving the registry route
// `docker-registry-default.apps.<domain>`; and the registry service itself on its ClusterIP:5000 (TLS,
// a certificate of the cluster CA), open while the service has a ready endpoint (kube-proxy's REJECT
// otherwise). lab.sh points each host's /etc/resolv.conf at its resolver and makes the CA trusted.
export const SITE_DNS = '127.0.14.53';
const labDomain = ((): string => {
  for (const p of [path.join(DIR, 'lab.json'), path.join(DIR, '..', 'lab.json')]) {
    try {
      const d = JSON.parse(readFileSync(p, 'utf8')).domain;
      if (typeof d === 'string' && d) return d;
    } catch {
      /* next */
    }
  }
  return 'lab.example.com';
})();
const APPS = `apps.${labDomain}`;
const REGISTRY_ROUTE_HOST = `docker-registry-default.${APPS}`;
const logErr = (what: string) => (e: Error) => process.stderr.write(`lab api: ${what}: ${e.message}\n`);

/** A serving certificate of the cluster CA (pki/NAME.{crt,key}), made once. */
function issue(name: string, cn: string, sans: string[]): { key: Buffer; cert: Buffer } {
  if (!existsSync(pki(`${name}.crt`))) {
    writeFileSync(
      pki(`${name}.ext`),
      `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth\n` +
        `keyUsage=critical,digitalSignature,keyEncipherment\nbasicConstraints=CA:FALSE\n`,
    );
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', pki(`${name}.key`), '-out', pki(`${name}.csr`), '-subj', `/CN=${cn}`);
    openssl(
      'x509',
      '-req',
      '-in',
      pki(`${name}.csr`),
      '-CA',
      pki('ca.crt'),
      '-CAkey',
      pki('ca.key'),
      '-CAcreateserial',
      '-out',
      pki(`${name}.crt`),
      '-days',
      '825',
      '-extfile',
      pki(`${name}.ext`),
    );
  }
  return { key: readFileSync(pki(`${name}.key`)), cert: readFileSync(pki(`${name}.crt`)) };
}

function dnsData(withCluster: boolean): DnsData {
  const hosts = hostSockets ?? [];
  const names = new Map<string, string[]>();
  for (const h of hosts) names.set(h.name.toLowerCase(), [h.address]);
  const lbs = hosts.filter((h) => h.roles.includes('lb')).map((h) => h.address);
  const infra = hosts.filter((h) => h.roles.includes('infra')).map((h) => h.address);
  const wildcards = new Map<string, string[]>();
  if (lbs.length || infra.length) wildcards.set(APPS, lbs.length ? lbs : infra);
  if (withCluster) {
    for (const svc of list(st, 'services')) {
      const ip = svc.spec?.clusterIP;
      if (typeof ip === 'string' && /^[0-9.]+$/.test(ip))
        names.set(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`, [ip]);
    }
  }
  return { names, wildcards };
}

const readyEndpoints = (ns: string, name: string): boolean =>
  (find(st, 'endpoints', ns, name)?.subsets ?? []).some((s: Obj) => (s.addresses ?? []).length > 0);
const routerPodsReady = (nodeName?: string): boolean =>
  list(st, 'pods').some(
    (p) =>
      p.metadata.namespace === 'default' &&
      p.metadata.labels?.router === 'router' &&
      podReady(p) &&
      (!nodeName || p.spec.nodeName === nodeName),
  );

/** The router: route by Host (the registry route), else the router's 503 page. */
function routerHandler(req: IncomingMessage, res: ServerResponse): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  const registry = find(st, 'services', 'default', 'docker-registry');
  if (registry && host === REGISTRY_ROUTE_HOST && readyEndpoints('default', 'docker-registry')) {
    registryHandler(req, res);
    return;
  }
  res.writeHead(503, { 'Content-Type': 'text/html', 'Cache-Control': 'private' });
  res.end(
    '<html><body><h1>Application is not available</h1><p>The application is currently not ' +
      'serving requests at this endpoint. It may not have been started or is still ' +
      'starting.</p></body></html>\n',
  );
}
/** The registry (docker/distribution): /healthz → 200, empty body. */
function registryHandler(req: IncomingMessage, res: ServerResponse): void {
  const p = (req.url ?? '/').split('?')[0];
  if (p === '/healthz' || p === '/') {
    res.writeHead(200, { 'Content-Length': p === '/' ? '2' : '0', 'Cache-Control': 'no-cache' });
    res.end(p === '/' ? '{}' : '');
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}

const serviceSockets = new Map<string, https.Server>();
if (hostSockets) {
  for (const h of hostSockets) {
    if (h.roles.includes('node')) serveDns(h.address, () => dnsData(true), logErr(`dns ${h.address}:53 (${h.name})`));
  }
  serveDns(SITE_DNS, () => dnsData(false), logErr(`site dns ${SITE_DNS}:53`));
  const routerCert = issue('router', `*.${APPS}`, [`DNS:*.${APPS}`, `DNS:${APPS}`]);
  for (const h of hostSockets.filter((x) => x.roles.includes('lb') || x.roles.includes('infra'))) {
    // the load balancer forwards to any ready router; an infra node serves while its router pod is ready
    const up = () => routerPodsReady(h.roles.includes('lb') ? undefined : h.name);
    const guard = (handler: typeof routerHandler) => (req: IncomingMessage, res: ServerResponse) =>
      up() ? handler(req, res) : req.socket.destroy();
    const tls = https.createServer({ ...routerCert, ca: readFileSync(pki('ca.crt')) }, guard(routerHandler));
    tls.on('error', logErr(`router ${h.address}:443 (${h.name})`));
    tls.listen(443, h.address);
    const plain = http.createServer(guard(routerHandler));
    plain.on('error', logErr(`router ${h.address}:80 (${h.name})`));
    plain.listen(80, h.address);
  }
}
function syncServices(): void {
  if (!hostSockets) return;
  const svc = find(st, 'services', 'default', 'docker-registry');
  const ip = svc?.spec?.clusterIP;
  const want = typeof ip === 'string' && /^[0-9.]+$/.test(ip) && readyEndpoints('default', 'docker-registry') ? `${ip}:5000` : undefined;
  for (const [k, srv] of serviceSockets) {
    if (k === want) continue;
    serviceSockets.delete(k);
    srv.close();
    srv.closeAllConnections();
  }
  if (want && !serviceSockets.has(want)) {
    const cert = issue(`registry-${ip}`, ip, [
      `IP:${ip}`,
      'DNS:docker-registry.default.svc',
      'DNS:docker-registry.default.svc.cluster.local',
    ]);
    const srv = https.createServer({ ...cert, ca: readFileSync(pki('ca.crt')) }, registryHandler);
    srv.on('error', (e) => {
      logErr(`registry service ${want}`)(e);
      serviceSockets.delete(want);
    });
    srv.listen(5000, ip);
    serviceSockets.set(want, srv);
  }
}
syncServices();

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    save();
    server.close();
    process.exit(0);
  });
}
