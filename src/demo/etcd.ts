// The DEMO cluster's etcd with state: its members (id, name, peer and client URLs), its cluster id, its
// key count and revision, and which hosts run it. A member runs where the host's own files say so, read
// from its directory (host-roots.ts) each time a command asks: on a 3.10 master, iff the static pod's
// manifest /etc/origin/node/pods/etcd.yaml is there (moved to pods-stopped/ it stops; moved back it starts
// after the kubelet's short delay), or where `systemctl start etcd` started the unit (the RPM form); and
// only with a data dir (/var/lib/etcd/member) and an etcd.conf. What it is when it starts comes from
// etcd.conf (ETCD_NAME, ETCD_INITIAL_CLUSTER_STATE, ETCD_FORCE_NEW_CLUSTER; the systemd drop-in's
// --force-new-cluster) and from its data dir (a `snapshot restore` made a new one-member cluster there).
// etcdctl's answers (v2 and v3, the real formats) read this state; member add/remove/update, backup,
// snapshot save and restore change it, as effects made when the command runs.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asciiTable, DEMO_VERSIONS, type DemoCluster, type DemoHost, stableHash, tookMs } from './cluster.js';
import type { DemoAnswer, DemoCommand, DemoContext } from './commands.js';
import { installedPackage } from './packages.js';
import type { DemoStep } from './runner.js';
import { flagValue } from './words.js';

export interface EtcdMemberState {
  /** Hex id, as etcdctl v2 prints it. */
  id: string;
  /** Empty while the member was added and has not started (etcdctl: unstarted). */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

export interface DemoEtcd {
  clusterId: bigint;
  members: EtcdMemberState[];
  revision: number;
  keys: number;
  /** The leader chosen by `move-leader` (else the last started member). */
  leaderId?: string;
  /** Since when each host's etcd has been wanted running (the kubelet starts it after START_MS). */
  since: Map<string, number>;
  /** The member a running host serves (undefined: it could not start, see `failure`). */
  self: Map<string, string>;
  failure: Map<string, string>;
  /** Hosts whose etcd.service was started with systemctl (the RPM form). */
  unitActive: Set<string>;
  /** Ids handed out so far (a new member's id never repeats). */
  generation: number;
  /** Hosts whose etcd was stopped, started or restarted in this demo (a start then takes its time). */
  touched: Set<string>;
}

/** How long a static pod takes to start after its manifest is back (the kubelet's next sync), in ms. */
export const STATIC_POD_START_MS = 2_500;
/** How long etcd.service takes to start, in ms. */
export const UNIT_START_MS = 500;

export type EtcdFormat = 'simple' | 'table' | 'json' | 'fields';

const STATE = new WeakMap<DemoCluster, DemoEtcd>();

function hexId(text: string): string {
  const a = stableHash(text, 0x811c9dc5).toString(16).padStart(8, '0');
  const b = stableHash(text, 0x9e3779b9).toString(16).padStart(8, '0');
  const id = a + b;
  return id.startsWith('0') ? `8${id.slice(1)}` : id;
}

const peerOf = (h: DemoHost) => `https://${h.ip}:2380`;
const clientOf = (h: DemoHost) => `https://${h.ip}:2379`;

/** The cluster's etcd state (made on first use from the inventory: every [etcd] host a started member). */
export function demoEtcd(c: DemoCluster): DemoEtcd {
  let s = STATE.get(c);
  if (!s) {
    s = {
      clusterId: c.clusterId,
      members: c.etcd.map((h) => ({ id: h.etcdId!, name: h.name, peerURLs: [peerOf(h)], clientURLs: [clientOf(h)] })),
      revision: 161_042,
      keys: 1_869,
      since: new Map(),
      self: new Map(),
      failure: new Map(),
      unitActive: new Set(c.etcd.filter((h) => h.kind !== 'master').map((h) => h.name)),
      generation: 0,
      touched: new Set(),
    };
    if (c.leader) s.leaderId = c.leader.etcdId;
    STATE.set(c, s);
  }
  return s;
}

/** Where the hosts' directories are, from a command's own (undefined in table-only tests: every host as seeded). */
function hostsDir(ctx: { root?: string }): string | undefined {
  return ctx.root ? dirname(ctx.root) : undefined;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function confValue(conf: string, key: string): string | undefined {
  for (const l of conf.split('\n')) {
    const m = new RegExp(`^\\s*${key}=(.*)$`).exec(l);
    if (m) return m[1]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

interface SnapshotDoc {
  demoEtcdSnapshot: number;
  cluster: string;
  revision: number;
  keys: number;
  hash: number;
  /** Set by `snapshot restore`: the one member the restored data dir is. */
  restoredAs?: { id: string; name: string; peerURL: string };
}

function parseDb(text: string | undefined): SnapshotDoc | undefined {
  if (!text) return undefined;
  try {
    const doc = JSON.parse(text.split('\n')[0]!) as SnapshotDoc;
    return typeof doc.demoEtcdSnapshot === 'number' ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** What a snapshot of the cluster holds now (the bytes `snapshot save` writes). */
export function snapshotText(s: DemoEtcd, extra: Partial<SnapshotDoc> = {}): string {
  const doc: SnapshotDoc = {
    demoEtcdSnapshot: 1,
    cluster: s.clusterId.toString(16),
    revision: s.revision,
    keys: s.keys,
    hash: stableHash(`${s.clusterId}:${s.revision}:${s.keys}`),
    ...extra,
  };
  return `${JSON.stringify(doc)}\n# a DEMO etcd snapshot: ${doc.keys} keys at revision ${doc.revision}\n`;
}

/**
 * Is `h`'s etcd running now, and as which member? Read from its directory each time; a start (the manifest
 * back, the unit started) is noticed here and made after its delay, as the kubelet or systemd would.
 */
export function etcdRunning(c: DemoCluster, dir: string | undefined, h: DemoHost, now = Date.now()): EtcdMemberState | undefined {
  const s = demoEtcd(c);
  if (h.down) return undefined;
  const root = dir ? join(dir, h.name) : undefined;
  const seeded = root !== undefined && existsSync(join(root, 'etc'));
  if (!seeded) return h.etcdId !== undefined ? s.members.find((m) => m.id === (s.self.get(h.name) ?? h.etcdId)) : undefined;
  const isMaster = h.kind === 'master';
  const pod = existsSync(join(root, '/etc/origin/node/pods/etcd.yaml'));
  // the data dir must be there; an empty one is filled by a member joining (member add, then start)
  const wanted =
    (pod || s.unitActive.has(h.name)) && existsSync(join(root, '/var/lib/etcd')) && existsSync(join(root, '/etc/etcd/etcd.conf'));
  if (!wanted) {
    s.touched.add(h.name);
    s.since.delete(h.name);
    s.self.delete(h.name);
    s.failure.delete(h.name);
    return undefined;
  }
  // a host left as seeded has run since before the demo started
  // the kubelet starts a static pod from when its manifest came back (a rename sets its ctime)
  const manifestAt = pod ? statSync(join(root, '/etc/origin/node/pods/etcd.yaml')).ctimeMs : now;
  if (!s.since.has(h.name)) s.since.set(h.name, s.touched.has(h.name) ? Math.min(now, manifestAt) : 0);
  const delay = pod && isMaster ? STATIC_POD_START_MS : UNIT_START_MS;
  if (now - s.since.get(h.name)! < delay) return undefined;
  const id = s.self.get(h.name);
  const current = id !== undefined ? s.members.find((m) => m.id === id) : undefined;
  if (current) return current;
  return start(s, h, root);
}

function touch(s: DemoEtcd, name: string): void {
  s.touched.add(name);
}

/** etcd starts on `h` with the files of `root`: which member it is (or why it exits). */
function start(s: DemoEtcd, h: DemoHost, root: string): EtcdMemberState | undefined {
  const conf = read(join(root, '/etc/etcd/etcd.conf')) ?? '';
  const name = confValue(conf, 'ETCD_NAME') ?? h.name;
  const client = confValue(conf, 'ETCD_ADVERTISE_CLIENT_URLS') ?? clientOf(h);
  const peer = confValue(conf, 'ETCD_INITIAL_ADVERTISE_PEER_URLS') ?? peerOf(h);
  const dropIn = dropInText(root);
  const force = confValue(conf, 'ETCD_FORCE_NEW_CLUSTER') === 'true' || (s.unitActive.has(h.name) && /--force-new-cluster/.test(dropIn));
  const hasData = existsSync(join(root, '/var/lib/etcd/member'));
  const db = parseDb(read(join(root, '/var/lib/etcd/member/snap/db')));
  const fail = (why: string) => {
    s.failure.set(h.name, why);
    s.self.delete(h.name);
    return undefined;
  };
  const become = (m: EtcdMemberState) => {
    s.self.set(h.name, m.id);
    s.failure.delete(h.name);
    return m;
  };
  const state = confValue(conf, 'ETCD_INITIAL_CLUSTER_STATE');
  const added = s.members.find((m) => m.name === '' && m.peerURLs.includes(peer));
  if (!hasData) {
    if (!added || state !== 'existing')
      return fail(
        `${peer} is not an added member (ETCD_INITIAL_CLUSTER_STATE=${state ?? 'new'}): an empty data dir only joins after member add`,
      );
    // a joining member fetches the cluster's data from the leader and writes its own data dir
    mkdirSync(join(root, '/var/lib/etcd/member/snap'), { recursive: true });
    mkdirSync(join(root, '/var/lib/etcd/member/wal'), { recursive: true });
    writeFileSync(join(root, '/var/lib/etcd/member/snap/db'), snapshotText(s), { mode: 0o600 });
    writeFileSync(join(root, '/var/lib/etcd/member/wal/0000000000000000-0000000000000000.wal'), `demo etcd WAL of ${name}\n`, {
      mode: 0o600,
    });
  }
  if (db?.restoredAs && !s.members.some((m) => m.id === db.restoredAs!.id)) {
    // the first start on a data dir `snapshot restore` made: a new one-member cluster
    s.members = [{ id: db.restoredAs.id, name: db.restoredAs.name, peerURLs: [db.restoredAs.peerURL], clientURLs: [client] }];
    s.clusterId = BigInt(`0x${hexId(`restored:${db.restoredAs.id}`)}`);
    [s.revision, s.keys] = [db.revision, db.keys];
    s.leaderId = db.restoredAs.id;
    return become(s.members[0]!);
  }
  if (force) {
    // --force-new-cluster: one member, a new id, and the peer URL etcd defaults to (LAB-FACTS)
    const mine = s.members.length === 1 && s.members[0]!.name === name ? s.members[0]! : undefined;
    const m = mine ?? { id: hexId(`force-new:${name}:${++s.generation}`), name, peerURLs: ['http://localhost:2380'], clientURLs: [client] };
    s.members = [m];
    if (db) [s.revision, s.keys] = [db.revision, db.keys];
    s.leaderId = m.id;
    return become(m);
  }
  const byName = s.members.find((m) => m.name === name);
  if (byName && hasData) return become(byName);
  if (added && state === 'existing') {
    added.name = name;
    added.clientURLs = [client];
    return become(added);
  }
  if (added)
    return fail(`member ${added.id} has already been bootstrapped (ETCD_INITIAL_CLUSTER_STATE=${state ?? 'new'}: set it to existing)`);
  return fail(`the member has been permanently removed from the cluster, or ${peer} is not a member: add it first (member add)`);
}

function dropInText(root: string): string {
  const dir = join(root, '/etc/systemd/system/etcd.service.d');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => f.endsWith('.conf'))
    .map((f) => read(join(dir, f)) ?? '')
    .join('\n');
}

/** The members started now, and whether they make a quorum. */
export function etcdView(c: DemoCluster, dir: string | undefined): { running: Map<string, DemoHost>; quorum: boolean; leader?: string } {
  const s = demoEtcd(c);
  const running = new Map<string, DemoHost>();
  for (const h of c.hosts) {
    const m = etcdRunning(c, dir, h);
    if (m) running.set(m.id, h);
  }
  const started = s.members.filter((m) => running.has(m.id));
  const quorum = started.length > s.members.length / 2;
  if (!quorum) return { running, quorum };
  const leader = s.leaderId && running.has(s.leaderId) ? s.leaderId : started[started.length - 1]!.id;
  s.leaderId = leader;
  return { running, quorum, leader };
}

// ---------------------------------------------------------------------------------------------------
// What etcdctl answers

function hostOfUrl(c: DemoCluster, url: string): DemoHost | undefined {
  const m = /^(?:https?:\/\/)?([^:/]+)(?::(\d+))?/.exec(url);
  if (!m) return undefined;
  const host = m[1]!;
  return c.hosts.find((h) => h.ip === host || h.name === host || h.short === host);
}

type Reach = { ok: true; member: EtcdMemberState; host: DemoHost } | { ok: false; error: string };

/** What a client reaches at `url`: a running member, or the dial error. */
function reach(c: DemoCluster, dir: string | undefined, url: string): Reach {
  const h = hostOfUrl(c, url);
  const addr = /^(?:https?:\/\/)?([^/]+)/.exec(url)?.[1] ?? url;
  const hostPart = addr.split(':')[0]!;
  // OCP's etcd listens on the host's own address only (ETCD_LISTEN_CLIENT_URLS), never on localhost
  if (hostPart === 'localhost' || hostPart.startsWith('127.'))
    return { ok: false, error: `dial tcp ${hostPart.replace('localhost', '127.0.0.1')}:2379: getsockopt: connection refused` };
  if (!h) {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(hostPart)) return { ok: false, error: `dial tcp ${addr}: i/o timeout` };
    return { ok: false, error: `dial tcp: lookup ${hostPart} on ${c.etcd[0]?.ip ?? '10.0.0.1'}:53: no such host` };
  }
  if (h.down) return { ok: false, error: `dial tcp ${h.ip}:2379: getsockopt: no route to host` };
  const m = etcdRunning(c, dir, h);
  if (!m) return { ok: false, error: `dial tcp ${h.ip}:2379: getsockopt: connection refused` };
  return { ok: true, member: m, host: h };
}

function endpointsOf(ctx: DemoContext): string[] {
  const v = flagValue(ctx.words, '--endpoints', '--peers', '-C');
  return (v ?? 'https://127.0.0.1:2379')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

function formatOf(words: readonly string[]): EtcdFormat {
  const f = flagValue(words, '-w', '--write-out');
  return f === 'table' || f === 'json' || f === 'fields' ? f : 'simple';
}

function isV3(ctx: DemoContext): boolean {
  return /\bETCDCTL_API=3\b/.test(ctx.text) || /\bexport ETCDCTL_API=3\b/.test(ctx.script);
}

/** What etcdctl 3.4 prints when no endpoint answered in time (its client's warning, then the error). */
const v3DeadlineExceeded = (error: string) =>
  `{"level":"warn","msg":"retrying of unary invoker failed","error":"${error}"}\nError: context deadline exceeded`;

/**
 * The first endpoint that answers (the client's way), as a member of a cluster with a leader unless `local`:
 * the v3 member list is answered from the member's own store, with or without a leader (etcd 3.4).
 */
function serving(ctx: DemoContext, local = false): { ok: true; member: EtcdMemberState } | { ok: false; answer: DemoAnswer } {
  const dir = hostsDir(ctx);
  const errors: string[] = [];
  const view = etcdView(ctx.cluster, dir);
  for (const url of endpointsOf(ctx)) {
    const r = reach(ctx.cluster, dir, url);
    if (!r.ok) {
      errors.push(`error #${errors.length}: ${r.error}`);
      continue;
    }
    if (!view.quorum && !local) {
      const msg = isV3(ctx) ? 'Error: context deadline exceeded' : `Error:  client: etcd member ${url} has no leader`;
      return { ok: false, answer: { err: msg, code: isV3(ctx) ? 1 : 4 } };
    }
    return { ok: true, member: r.member };
  }
  const err = isV3(ctx)
    ? v3DeadlineExceeded(errors[0] ?? '')
    : `Error:  client: etcd cluster is unavailable or misconfigured; ${errors.join('; ')}`;
  return { ok: false, answer: { err, code: isV3(ctx) ? 1 : 4 } };
}

const big = (hex: string) => BigInt(`0x${hex}`);

export function v2MemberList(ctx: DemoContext): DemoAnswer {
  const s = serving(ctx);
  if (!s.ok) return s.answer;
  const st = demoEtcd(ctx.cluster);
  const view = etcdView(ctx.cluster, hostsDir(ctx));
  const lines = st.members.map((m) =>
    m.name === ''
      ? `${m.id}[unstarted]: peerURLs=${m.peerURLs.join(',')}`
      : `${m.id}: name=${m.name} peerURLs=${m.peerURLs.join(',')} clientURLs=${m.clientURLs.join(',')} isLeader=${m.id === view.leader}`,
  );
  return { out: lines.join('\n') };
}

export function v2ClusterHealth(ctx: DemoContext): DemoAnswer {
  const dir = hostsDir(ctx);
  const s = serving(ctx);
  if (!s.ok) {
    const cause = s.answer.err ?? '';
    return { out: 'cluster may be unhealthy: failed to list members', err: cause, code: 4 };
  }
  const st = demoEtcd(ctx.cluster);
  const view = etcdView(ctx.cluster, dir);
  const lines: string[] = [];
  let healthy = 0;
  for (const m of st.members) {
    if (m.name === '' || m.clientURLs.length === 0) {
      lines.push(`member ${m.id} is unreachable: no available published client urls`);
      continue;
    }
    const url = m.clientURLs[0]!;
    const r = reach(ctx.cluster, dir, url);
    if (r.ok && r.member.id === m.id && view.quorum) {
      healthy++;
      lines.push(`member ${m.id} is healthy: got healthy result from ${url}`);
    } else {
      const error = r.ok ? 'context deadline exceeded' : r.error;
      lines.push(`failed to check the health of member ${m.id} on ${url}: Get ${url}/health: ${error}`);
      lines.push(`member ${m.id} is unreachable: [${url}] are all unreachable`);
    }
  }
  const all = healthy === st.members.length;
  lines.push(all ? 'cluster is healthy' : view.quorum ? 'cluster is degraded' : 'cluster is unavailable');
  return { out: lines.join('\n'), code: all || view.quorum ? 0 : 5 };
}

export function v3MemberList(ctx: DemoContext): DemoAnswer {
  const s = serving(ctx, true);
  if (!s.ok) return s.answer;
  const st = demoEtcd(ctx.cluster);
  const format = formatOf(ctx.words);
  if (format === 'json') {
    const members = st.members.map(
      (m) =>
        `{"ID":${big(m.id)},${m.name ? `"name":"${m.name}",` : ''}"peerURLs":${JSON.stringify(m.peerURLs)}` +
        `${m.clientURLs.length ? `,"clientURLs":${JSON.stringify(m.clientURLs)}` : ''}}`,
    );
    return {
      out: `{"header":{"cluster_id":${st.clusterId},"member_id":${big(s.member.id)},"raft_term":7},"members":[${members.join(',')}]}`,
    };
  }
  const rows = st.members.map((m) => [m.id, m.name ? 'started' : 'unstarted', m.name, m.peerURLs.join(','), m.clientURLs.join(',')]);
  if (format === 'table') return { out: asciiTable(['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS'], rows) };
  return { out: rows.map((r) => r.join(', ')).join('\n') };
}

export function v3EndpointHealth(ctx: DemoContext): DemoAnswer {
  const dir = hostsDir(ctx);
  const st = demoEtcd(ctx.cluster);
  const view = etcdView(ctx.cluster, dir);
  const eps = ctx.words.includes('--cluster') ? st.members.flatMap((m) => m.clientURLs.slice(0, 1)) : endpointsOf(ctx);
  const results = eps.map((ep) => {
    const r = reach(ctx.cluster, dir, ep);
    if (r.ok && view.quorum) return { ep, ok: true, error: '' };
    return { ep, ok: false, error: r.ok ? 'context deadline exceeded' : r.error };
  });
  const bad = results.some((r) => !r.ok);
  if (formatOf(ctx.words) === 'json') {
    const json = results.map((r) =>
      r.ok
        ? `{"endpoint":"${r.ep}","health":true,"took":"${tookMs(`health:${r.ep}`)}"}`
        : `{"endpoint":"${r.ep}","health":false,"took":"5.000412s","error":"${r.error}"}`,
    );
    return { out: `[${json.join(',')}]`, err: bad ? 'Error: unhealthy cluster' : '', code: bad ? 1 : 0 };
  }
  const out = results
    .filter((r) => r.ok)
    .map((r) => `${r.ep} is healthy: successfully committed proposal: took = ${tookMs(`health:${r.ep}`)}`);
  const err = results
    .filter((r) => !r.ok)
    .map(
      (r) =>
        `${r.ep} is unhealthy: ${r.error === 'context deadline exceeded' ? 'failed to commit proposal' : 'failed to connect'}: ${r.error}`,
    );
  if (bad) err.push('Error: unhealthy cluster');
  return { out: out.join('\n'), err: err.join('\n'), code: bad ? 1 : 0 };
}

export function v3EndpointStatus(ctx: DemoContext): DemoAnswer {
  const dir = hostsDir(ctx);
  const st = demoEtcd(ctx.cluster);
  const view = etcdView(ctx.cluster, dir);
  const eps = ctx.words.includes('--cluster') ? st.members.flatMap((m) => m.clientURLs.slice(0, 1)) : endpointsOf(ctx);
  const rows: string[][] = [];
  const err: string[] = [];
  for (const ep of eps) {
    const r = reach(ctx.cluster, dir, ep);
    if (!r.ok || !view.quorum) {
      err.push(`Failed to get the status of endpoint ${ep} (context deadline exceeded)`);
      continue;
    }
    const index = String(184_337 + st.revision - 161_042 + (stableHash(r.member.name) % 40));
    rows.push([ep, r.member.id, DEMO_VERSIONS.etcd, '25 MB', String(r.member.id === view.leader), '7', index]);
  }
  if (formatOf(ctx.words) === 'json') {
    const json = rows.map(
      (r) =>
        `{"Endpoint":"${r[0]}","Status":{"header":{"cluster_id":${st.clusterId},"member_id":${big(r[1]!)},"revision":${st.revision},` +
        `"raft_term":7},"version":"${r[2]}","dbSize":25219072,"leader":${view.leader ? big(view.leader) : 0},"raftIndex":${r[6]},"raftTerm":7}}`,
    );
    return { out: `[${json.join(',')}]`, err: err.join('\n'), code: err.length ? 1 : 0 };
  }
  const out =
    formatOf(ctx.words) === 'table'
      ? asciiTable(['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'RAFT TERM', 'RAFT INDEX'], rows)
      : rows.map((r) => r.join(', ')).join('\n');
  return { out: rows.length ? out : '', err: err.join('\n'), code: err.length ? 1 : 0 };
}

const effect = (run: () => void): DemoStep => ({ kind: 'effect', run });
const outLines = (text: string, stream: 'stdout' | 'stderr' = 'stdout'): DemoStep[] =>
  text.split('\n').map((t) => ({ kind: 'line' as const, stream, text: t }));

/** `member add NAME PEERURL` (v2) or `member add NAME --peer-urls=URL` (v3): etcd 3.4's strict reconfiguration check. */
export function memberAdd(ctx: DemoContext, name: string, url: string): DemoAnswer {
  const s = serving(ctx);
  if (!s.ok) return s.answer;
  const st = demoEtcd(ctx.cluster);
  if (st.members.some((m) => m.peerURLs.includes(url))) return { err: 'membership: peerURL exists', code: 1 };
  const view = etcdView(ctx.cluster, hostsDir(ctx));
  const started = st.members.filter((m) => view.running.has(m.id)).length;
  const after = st.members.length + 1;
  if (!(started === 1 && after === 2) && started < Math.floor(after / 2) + 1)
    return { err: 'etcdserver: re-configuration failed due to not enough started members', code: 1 };
  const id = hexId(`added:${name}:${url}:${++st.generation}`);
  const initial = [...st.members.map((m) => `${m.name || name}=${m.peerURLs[0]}`), `${name}=${url}`].join(',');
  const text = isV3(ctx)
    ? `Member ${id} added to cluster ${st.clusterId.toString(16)}\n\nETCD_NAME="${name}"\nETCD_INITIAL_CLUSTER="${initial}"\n` +
      `ETCD_INITIAL_ADVERTISE_PEER_URLS="${url}"\nETCD_INITIAL_CLUSTER_STATE="existing"`
    : `Added member named ${name} with ID ${id} to cluster\n\nETCD_NAME="${name}"\nETCD_INITIAL_CLUSTER="${initial}"\n` +
      'ETCD_INITIAL_CLUSTER_STATE="existing"';
  return { steps: [effect(() => st.members.push({ id, name: '', peerURLs: [url], clientURLs: [] })), ...outLines(text)] };
}

export function memberRemove(ctx: DemoContext, id: string): DemoAnswer {
  const s = serving(ctx);
  if (!s.ok) return s.answer;
  const st = demoEtcd(ctx.cluster);
  const hex = /^[0-9a-f]+$/.test(id) ? id : id;
  if (!st.members.some((m) => m.id === hex))
    return isV3(ctx)
      ? { err: `Error: etcdserver: member not found`, code: 1 }
      : { err: `Couldn't find a member in the cluster with an ID of ${id}.`, code: 1 };
  const text = isV3(ctx) ? `Member ${hex} removed from cluster ${st.clusterId.toString(16)}` : `Removed member ${hex} from cluster`;
  return {
    steps: [
      effect(() => {
        st.members = st.members.filter((m) => m.id !== hex);
        if (st.leaderId === hex) delete st.leaderId;
      }),
      ...outLines(text),
    ],
  };
}

export function memberUpdate(ctx: DemoContext, id: string, url: string): DemoAnswer {
  const s = serving(ctx);
  if (!s.ok) return s.answer;
  const st = demoEtcd(ctx.cluster);
  const m = st.members.find((x) => x.id === id);
  if (!m) return { err: `Couldn't find a member in the cluster with an ID of ${id}.`, code: 1 };
  return { steps: [effect(() => (m.peerURLs = url.split(','))), ...outLines(`Updated member with ID ${id} in cluster`)] };
}

/**
 * v3 `move-leader <hex id>` as etcdctl 3.4 does it: the endpoints are asked their status in order until one is
 * the leader (one that does not answer ends it), and that one is asked to hand over to a started member.
 */
export function moveLeader(ctx: DemoContext, target: string): DemoAnswer {
  const dir = hostsDir(ctx);
  const view = etcdView(ctx.cluster, dir);
  const eps = endpointsOf(ctx);
  for (const url of eps) {
    const r = reach(ctx.cluster, dir, url);
    if (!r.ok) return { err: v3DeadlineExceeded(r.error), code: 1 };
    if (!view.quorum) return { err: v3DeadlineExceeded('context deadline exceeded'), code: 1 };
    if (r.member.id !== view.leader) continue;
    if (!view.running.has(target)) return { err: 'Error: etcdserver: bad leader transferee', code: 1 };
    const st = demoEtcd(ctx.cluster);
    return { steps: [effect(() => (st.leaderId = target)), ...outLines(`Leadership transferred from ${r.member.id} to ${target}`)] };
  }
  return { err: `Error: no leader endpoint given at [${eps.join(' ')}]`, code: 128 };
}

/** `snapshot save FILE`: the snapshot of the cluster through the first endpoint, written on the host. */
export function snapshotSave(ctx: DemoContext, file: string): DemoAnswer {
  const s = serving(ctx);
  if (!s.ok) return s.answer;
  if (!ctx.root) return { out: `Snapshot saved at ${file}` };
  const target = join(ctx.root, file);
  if (!existsSync(dirname(target)))
    return { err: `Error: could not open ${file}.part (open ${file}.part: no such file or directory)`, code: 1 };
  const st = demoEtcd(ctx.cluster);
  const body = snapshotText(st);
  return { steps: [effect(() => writeFileSync(target, body, { mode: 0o600 })), ...outLines(`Snapshot saved at ${file}`)] };
}

export function snapshotStatus(ctx: DemoContext, file: string): DemoAnswer {
  const body = ctx.root ? read(join(ctx.root, file)) : snapshotText(demoEtcd(ctx.cluster));
  if (body === undefined) return { err: `Error: stat ${file}: no such file or directory`, code: 1 };
  const doc = parseDb(body);
  if (!doc) return { err: 'Error: snapshot file integrity check failed', code: 1 };
  const size = ctx.root ? statSync(join(ctx.root, file)).size : Buffer.byteLength(body);
  const f = formatOf(ctx.words);
  if (f === 'json') return { out: `{"hash":${doc.hash},"revision":${doc.revision},"totalKey":${doc.keys},"totalSize":${size}}` };
  const hash = doc.hash.toString(16).padStart(8, '0');
  if (f === 'table')
    return {
      out: asciiTable(['HASH', 'REVISION', 'TOTAL KEYS', 'TOTAL SIZE'], [[hash, String(doc.revision), String(doc.keys), `${size} B`]]),
    };
  return { out: `${hash}, ${doc.revision}, ${doc.keys}, ${size} B` };
}

/** `snapshot restore FILE --data-dir D --name N --initial-cluster … --initial-advertise-peer-urls URL`: a new data dir. */
export function snapshotRestore(ctx: DemoContext, file: string): DemoAnswer {
  const dataDir = flagValue(ctx.words, '--data-dir') ?? `${flagValue(ctx.words, '--name') ?? 'default'}.etcd`;
  const name = flagValue(ctx.words, '--name') ?? 'default';
  const peer = flagValue(ctx.words, '--initial-advertise-peer-urls') ?? 'http://localhost:2380';
  if (!ctx.root) return { out: '' };
  const body = read(join(ctx.root, file));
  const doc = parseDb(body);
  if (!doc)
    return {
      err: body === undefined ? `Error: open ${file}: no such file or directory` : 'Error: snapshot file integrity check failed',
      code: 1,
    };
  const target = join(ctx.root, dataDir);
  if (existsSync(target)) return { err: `Error: data-dir "${dataDir}" exists`, code: 1 };
  const st = demoEtcd(ctx.cluster);
  const id = hexId(`restored:${name}:${peer}:${++st.generation}`);
  const restored = snapshotText(st, { revision: doc.revision, keys: doc.keys, hash: doc.hash, restoredAs: { id, name, peerURL: peer } });
  return {
    steps: [
      effect(() => {
        mkdirSync(join(target, 'member/snap'), { recursive: true });
        mkdirSync(join(target, 'member/wal'), { recursive: true });
        writeFileSync(join(target, 'member/snap/db'), restored, { mode: 0o600 });
        writeFileSync(join(target, 'member/wal/0000000000000000-0000000000000000.wal'), `demo WAL of ${name}\n`, { mode: 0o600 });
      }),
      ...outLines(
        `{"level":"info","msg":"restoring snapshot","path":"${file}","wal-dir":"${dataDir}/member/wal","data-dir":"${dataDir}"}\n` +
          `{"level":"info","msg":"restored snapshot","path":"${file}","wal-dir":"${dataDir}/member/wal","data-dir":"${dataDir}"}`,
        'stderr',
      ),
    ],
  };
}

/** `ETCDCTL_API=2 etcdctl backup --data-dir D --backup-dir B`: B/member/wal/… and B/member/snap/db (etcd stopped). */
export function v2Backup(ctx: DemoContext): DemoAnswer {
  const data = flagValue(ctx.words, '--data-dir');
  const backup = flagValue(ctx.words, '--backup-dir');
  if (!data || !backup) return { err: 'data-dir and backup-dir are required', code: 1 };
  if (!ctx.root) return { out: '' };
  const from = join(ctx.root, data, 'member');
  if (!existsSync(join(from, 'snap/db'))) return { err: `Error: open ${data}/member/snap/db: no such file or directory`, code: 1 };
  if (ctx.host && etcdRunning(ctx.cluster, hostsDir(ctx), ctx.host))
    return { err: `Error: resource temporarily unavailable (${data}/member/wal is locked by the running etcd)`, code: 1 };
  const to = join(ctx.root, backup, 'member');
  if (existsSync(join(to, 'wal'))) return { err: `Error: wal: ${backup}/member/wal already exists`, code: 1 };
  return {
    steps: [
      ...outLines('ignoring v3 raft entry\nignoring v3 raft entry\nignoring EntryConfChange raft entry', 'stderr'),
      effect(() => {
        mkdirSync(join(to, 'snap'), { recursive: true });
        mkdirSync(join(to, 'wal'), { recursive: true });
        copyFileSync(join(from, 'snap/db'), join(to, 'snap/db'));
        const wals = existsSync(join(from, 'wal')) ? readdirSync(join(from, 'wal')).filter((f) => f.endsWith('.wal')) : [];
        for (const w of wals.length ? wals : ['0000000000000000-0000000000000000.wal'])
          writeFileSync(join(to, 'wal', w), read(join(from, 'wal', w)) ?? 'demo WAL\n', { mode: 0o600 });
      }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------
// The host side: ss, docker ps, pgrep, master-restart, master-logs, systemctl, mountpoint

function etcdHere(ctx: DemoContext): EtcdMemberState | undefined {
  return ctx.host ? etcdRunning(ctx.cluster, hostsDir(ctx), ctx.host) : undefined;
}

export function ssListen(ctx: DemoContext, withNetid: boolean): DemoAnswer {
  const h = ctx.host;
  const rows = [
    ['State', 'Recv-Q', 'Send-Q', 'Local Address:Port', 'Peer Address:Port'],
    ['LISTEN', '0', '128', '*:22', '*:*'],
  ];
  if (h && etcdHere(ctx)) rows.push(['LISTEN', '0', '128', `${h.ip}:2379`, '*:*'], ['LISTEN', '0', '128', `${h.ip}:2380`, '*:*']);
  if (h && (h.kind === 'master' || h.kind === 'infra' || h.kind === 'compute')) rows.push(['LISTEN', '0', '128', '*:10250', '*:*']);
  const shown = withNetid ? rows.map((r, i) => [i === 0 ? 'Netid' : 'tcp', ...r]) : rows;
  return { out: shown.map((r) => r.join('  ')).join('\n') };
}

const PID = (h: DemoHost) => 20_000 + (stableHash(`etcd-pid:${h.name}`) % 9_000);

/** `pgrep -x etcd`: its pid, with /proc/PID/cmdline and environ as the static pod's `source etcd.conf; exec etcd` leaves them. */
export function pgrepEtcd(ctx: DemoContext): DemoAnswer {
  const h = ctx.host;
  if (!h || !etcdHere(ctx)) return { code: 1 };
  const pid = PID(h);
  const root = ctx.root;
  const steps: DemoStep[] = [];
  if (root) {
    const conf = read(join(root, '/etc/etcd/etcd.conf')) ?? '';
    const env = conf.split('\n').filter((l) => /^ETCD_[A-Z_]+=/.test(l));
    const force = /--force-new-cluster/.test(dropInText(root)) && demoEtcd(ctx.cluster).unitActive.has(h.name);
    steps.push(
      effect(() => {
        mkdirSync(join(root, 'proc', String(pid)), { recursive: true });
        writeFileSync(
          join(root, 'proc', String(pid), 'cmdline'),
          ['/usr/bin/etcd', ...(force ? ['--force-new-cluster'] : []), ''].join('\0'),
        );
        writeFileSync(join(root, 'proc', String(pid), 'environ'), [...env, ''].join('\0'));
      }),
    );
  }
  return { steps: [...steps, ...outLines(String(pid))] };
}

export function masterRestartEtcd(ctx: DemoContext): DemoAnswer {
  const h = ctx.host;
  if (!h || !etcdHere(ctx)) return { out: 'Component etcd is already stopped' };
  const st = demoEtcd(ctx.cluster);
  return {
    steps: [
      { kind: 'wait', ms: 300 },
      effect(() => {
        touch(st, h.name);
        st.since.set(h.name, Date.now());
        st.self.delete(h.name);
      }),
      ...outLines('2'),
    ],
  };
}

export function masterLogsEtcd(ctx: DemoContext): DemoAnswer {
  const h = ctx.host;
  const m = etcdHere(ctx);
  const why = h ? demoEtcd(ctx.cluster).failure.get(h.name) : undefined;
  if (!m)
    return why
      ? { out: `2026-12-07 10:00:00.000000 C | etcdmain: ${why}` }
      : { err: 'Component etcd is stopped: no container to read the log of', code: 1 };
  const ts = '2026-12-07 10:00:0';
  return {
    out: [
      `${ts}1.120000 I | etcdmain: etcd Version: ${DEMO_VERSIONS.etcd}`,
      `${ts}1.130000 I | etcdserver: name = ${m.name}`,
      `${ts}1.140000 I | etcdserver: data dir = /var/lib/etcd/`,
      `${ts}2.500000 I | raft: ${m.id} became follower at term 7`,
      `${ts}3.100000 I | etcdserver: published {Name:${m.name} ClientURLs:[${m.clientURLs.join(' ')}]} to cluster`,
      `${ts}3.110000 I | embed: ready to serve client requests`,
    ].join('\n'),
  };
}

/**
 * `docker ps -q --filter label=io.kubernetes.container.name=etcd …`: the etcd container, while it runs (the API's
 * and the controllers' run on every master: the demo does not stop them).
 */
export function dockerPsControlPlane(ctx: DemoContext, component: string): DemoAnswer {
  const h = ctx.host;
  if (component !== 'etcd') return h?.kind === 'master' ? { out: hexId(`${component}-container:${h.name}`).slice(0, 12) } : {};
  if (!h || !etcdHere(ctx)) return {};
  return { out: hexId(`etcd-container:${h.name}:${demoEtcd(ctx.cluster).since.get(h.name) ?? 0}`).slice(0, 12) };
}

/** `journalctl -u etcd.service …` on an RPM-etcd host (the external-etcd scenario): etcd's lines as journald keeps them. */
export function journalEtcd(ctx: DemoContext): DemoAnswer {
  const logs = masterLogsEtcd(ctx);
  const short = ctx.host?.short ?? 'localhost';
  const lines = (logs.out ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d{4}-\d\d-(\d\d) (\d\d:\d\d:\d\d)\.\d+ [A-Z] \| /, `Dec $1 $2 ${short} etcd[2177]: `));
  return { out: lines.length ? lines.join('\n') : '-- No entries --' };
}

export function systemctlEtcd(ctx: DemoContext, verb: string): DemoAnswer {
  const h = ctx.host;
  // the unit comes with the etcd RPM (a host where yum installed it has it too)
  if (!h || !installedPackage(ctx.cluster, h, 'etcd')) return { err: `Failed to ${verb} etcd.service: Unit not found.`, code: 5 };
  const st = demoEtcd(ctx.cluster);
  if (verb === 'is-active') return st.unitActive.has(h.name) ? { out: 'active' } : { out: 'inactive', code: 3 };
  if (verb === 'is-enabled') return h.kind === 'master' ? { out: 'disabled', code: 1 } : { out: 'enabled' };
  const steps: DemoStep[] = [];
  if (verb === 'stop' || verb === 'disable')
    steps.push(
      effect(() => {
        st.unitActive.delete(h.name);
        touch(st, h.name);
      }),
    );
  if (verb === 'start' || verb === 'restart' || verb === 'enable')
    steps.push(
      effect(() => {
        st.unitActive.add(h.name);
        touch(st, h.name);
        if (verb === 'restart') {
          st.since.set(h.name, Date.now());
          st.self.delete(h.name);
        }
      }),
    );
  return { steps };
}

// ---------------------------------------------------------------------------------------------------
// The rules (in commands.ts's etcd section)

const needs = 'etcdctl';
/** A command that talks to etcd has the client certificates (without, the table's etcdctl-no-certs rule answers). */
function withCerts(c: DemoContext): boolean {
  return isV3(c)
    ? flagValue(c.words, '--cert') !== undefined && flagValue(c.words, '--cacert') !== undefined
    : flagValue(c.words, '--cert-file') !== undefined && flagValue(c.words, '--ca-file') !== undefined;
}
const etcdctlV2 = (c: DemoContext) => !isV3(c) && withCerts(c);
const v3Net = (c: DemoContext) => isV3(c) && withCerts(c);
const anyNet = withCerts;

export const ETCD_COMMANDS: readonly DemoCommand[] = [
  { id: 'etcd-ss-listen', match: /^ss -([a-z0-9]*l[a-z0-9]*)$/, answer: (c) => ssListen(c, !/[tu]/.test(c.match[1]!)) },
  {
    id: 'etcd-docker-ps',
    match: /^docker ps -q .*--filter label=io\.kubernetes\.container\.name=(etcd|api|controllers)\b/,
    needs: 'docker',
    answer: (c) => dockerPsControlPlane(c, c.match[1]!),
  },
  { id: 'etcd-pgrep', match: /^pgrep -x etcd$/, answer: pgrepEtcd },
  { id: 'etcd-master-restart', match: /^master-restart etcd$/, needs: 'master-restart', answer: masterRestartEtcd },
  { id: 'etcd-master-logs', match: /^master-logs etcd etcd\b/, needs: 'master-logs', answer: masterLogsEtcd },
  {
    id: 'etcd-journal',
    match: /^journalctl\b(?=.* -u etcd(?:\.service)?(?: |$))/,
    when: (c) => c.host?.etcdId !== undefined,
    answer: journalEtcd,
  },
  {
    id: 'etcd-systemctl',
    match: /^systemctl (start|stop|restart|enable|disable|is-active|is-enabled) (?:--now )?etcd(?:\.service)?$/,
    answer: (c) => systemctlEtcd(c, c.match[1]!),
  },
  // /var/lib/etcd is its own disk on many hosts: the procedures must move its contents, never the directory
  {
    id: 'etcd-mountpoint',
    match: /^mountpoint -q (\S+)$/,
    answer: (c) => ({ code: c.match[1]!.replace(/\/+$/, '') === '/var/lib/etcd' ? 0 : 1 }),
  },
  { id: 'etcd-v2-backup', match: /\betcdctl\b.* backup\b/, needs, when: (c) => !isV3(c), answer: v2Backup },
  { id: 'etcd-v2-member-list', match: /\betcdctl\b.* member list$/, needs, when: etcdctlV2, answer: v2MemberList },
  { id: 'etcd-v2-cluster-health', match: /\betcdctl\b.* cluster-health$/, needs, when: etcdctlV2, answer: v2ClusterHealth },
  {
    id: 'etcd-member-add',
    when: anyNet,
    match: /\betcdctl\b.* member add (\S+) (?:--peer-urls[= ])?(\S+)$/,
    needs,
    answer: (c) => memberAdd(c, c.match[1]!, c.match[2]!),
  },
  {
    id: 'etcd-member-remove',
    when: anyNet,
    match: /\betcdctl\b.* member remove ([0-9a-f]+)$/,
    needs,
    answer: (c) => memberRemove(c, c.match[1]!),
  },
  {
    id: 'etcd-member-update',
    when: anyNet,
    match: /\betcdctl\b.* member update ([0-9a-f]+) (?:--peer-urls[= ])?(\S+)$/,
    needs,
    answer: (c) => memberUpdate(c, c.match[1]!, c.match[2]!),
  },
  {
    id: 'etcd-move-leader',
    match: /\betcdctl\b.* move-leader ([0-9a-f]+)$/,
    needs,
    when: v3Net,
    answer: (c) => moveLeader(c, c.match[1]!),
  },
  { id: 'etcd-v3-endpoint-health', match: /\betcdctl\b.* endpoint health\b/, needs, when: v3Net, answer: v3EndpointHealth },
  { id: 'etcd-v3-endpoint-status', match: /\betcdctl\b.* endpoint status\b/, needs, when: v3Net, answer: v3EndpointStatus },
  { id: 'etcd-v3-member-list', match: /\betcdctl\b.* member list\b/, needs, when: v3Net, answer: v3MemberList },
  {
    id: 'etcd-v3-snapshot-save',
    match: /\betcdctl\b.* snapshot save (\S+)/,
    needs,
    when: v3Net,
    answer: (c) => snapshotSave(c, c.match[1]!),
  },
  {
    id: 'etcd-v3-snapshot-status',
    match: /\betcdctl\b.* snapshot status (\S+)/,
    needs,
    when: isV3,
    answer: (c) => snapshotStatus(c, c.match[1]!),
  },
  {
    id: 'etcd-v3-snapshot-restore',
    match: /\betcdctl\b.* snapshot restore (\S+)/,
    needs,
    when: isV3,
    answer: (c) => snapshotRestore(c, c.match[1]!),
  },
];
