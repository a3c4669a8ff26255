// etcd as OpenShift 3.x installs it: full etcdctl command lines (v2 and v3 APIs) built from the inventory,
// and the parsers of what they print. The one place the etcd checks and the etcd procedures take both from.
//
// The installer's `etcdctl2` / `etcdctl3` are shell aliases, which a non-interactive SSH command does not
// expand: every flag is spelled out here.
import type { Host, Inventory } from '../inventory/types.js';
import { type ShellCommand, sh } from '../transport/shell.js';

/** The peer certificate pair the installer's aliases use. */
export interface EtcdCerts {
  cert: string;
  key: string;
  ca: string;
}

export const ETCD_PEER_CERTS: EtcdCerts = {
  cert: '/etc/etcd/peer.crt',
  key: '/etc/etcd/peer.key',
  ca: '/etc/etcd/ca.crt',
};

export const ETCD_CLIENT_PORT = 2379;
export const ETCD_PEER_PORT = 2380;

/** The address etcd listens on: `openshift_ip`, else `ansible_host`, else the host's address/name. */
export function etcdAddress(host: Host): string {
  return host.vars['openshift_ip'] || host.vars['ansible_host'] || host.address || host.name;
}

function hostForUrl(addr: string): string {
  return addr.includes(':') && !addr.startsWith('[') ? `[${addr}]` : addr;
}

export function etcdClientUrl(host: Host): string {
  return `https://${hostForUrl(etcdAddress(host))}:${ETCD_CLIENT_PORT}`;
}

export function etcdPeerUrl(host: Host): string {
  return `https://${hostForUrl(etcdAddress(host))}:${ETCD_PEER_PORT}`;
}

/** The `[etcd]` hosts of the inventory, in inventory order. */
export function etcdHosts(inventory: Inventory): Host[] {
  return inventory.hosts.filter((h) => h.roles.includes('etcd'));
}

/** Every etcd member's client URL, from the inventory. */
export function etcdEndpoints(inventory: Inventory): string[] {
  return etcdHosts(inventory).map(etcdClientUrl);
}

/** `ETCDCTL_API=2 etcdctl --cert-file … --key-file … --ca-file … --endpoints A,B,C <args>`. */
export function etcdctl2(
  endpoints: readonly string[],
  args: readonly (string | number)[],
  certs: EtcdCerts = ETCD_PEER_CERTS,
): ShellCommand {
  const tls = sh`--cert-file ${certs.cert} --key-file ${certs.key} --ca-file ${certs.ca}`;
  return sh`ETCDCTL_API=2 etcdctl ${tls} --endpoints ${endpoints.join(',')} ${args}`;
}

/** `ETCDCTL_API=3 etcdctl --cert … --key … --cacert … --endpoints A,B,C <args>`. */
export function etcdctl3(
  endpoints: readonly string[],
  args: readonly (string | number)[],
  certs: EtcdCerts = ETCD_PEER_CERTS,
): ShellCommand {
  return sh`ETCDCTL_API=3 etcdctl --cert ${certs.cert} --key ${certs.key} --cacert ${certs.ca} --endpoints ${endpoints.join(',')} ${args}`;
}

/** The commands of the guide, by name. `endpoints`: usually etcdEndpoints(inventory). */
export const etcdctl = {
  clusterHealth: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl2(endpoints, ['cluster-health'], certs),
  memberListV2: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl2(endpoints, ['member', 'list'], certs),
  endpointHealth: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl3(endpoints, ['endpoint', 'health'], certs),
  memberListV3: (endpoints: readonly string[], format: 'simple' | 'table' | 'json' = 'json', certs?: EtcdCerts) =>
    etcdctl3(endpoints, ['member', 'list', '-w', format], certs),
  endpointStatusJson: (endpoints: readonly string[], certs?: EtcdCerts) => etcdctl3(endpoints, ['endpoint', 'status', '-w', 'json'], certs),
  /** `member update <id> <peerURL>` (v2), the peerURL fix after --force-new-cluster. */
  memberUpdateV2: (endpoints: readonly string[], id: string, peerUrl: string, certs?: EtcdCerts) =>
    etcdctl2(endpoints, ['member', 'update', id, peerUrl], certs),
  memberAddV2: (endpoints: readonly string[], name: string, peerUrl: string, certs?: EtcdCerts) =>
    etcdctl2(endpoints, ['member', 'add', name, peerUrl], certs),
  memberRemoveV2: (endpoints: readonly string[], id: string, certs?: EtcdCerts) => etcdctl2(endpoints, ['member', 'remove', id], certs),
  snapshotSave: (endpoint: string, file: string, certs?: EtcdCerts) => etcdctl3([endpoint], ['snapshot', 'save', file], certs),
};

// ---- Parsers for etcdctl output (etcd 3.x etcdctl, v2 and v3 APIs). Pure functions; tested against the
// guide's samples and real etcd 3.4.23 captures (test/fixtures/checks/etcd-3.4.23).
//
// Member ids are always lower-case hex strings without leading zeros, as etcdctl prints them
// (`%x`); the v3 JSON output gives them as decimal uint64, converted losslessly through BigInt.

export type V2MemberHealth = 'healthy' | 'unhealthy' | 'unreachable';

export interface V2HealthMember {
  id: string;
  health: V2MemberHealth;
  /** The client URLs the health was read from (or that were unreachable). */
  urls: string[];
  /** "failed to check the health of member … on URL: <error>" */
  error?: string;
}

export interface V2ClusterHealth {
  members: V2HealthMember[];
  /** Last line: "cluster is healthy|degraded|unavailable"; 'unknown' when members could not be listed. */
  cluster: 'healthy' | 'degraded' | 'unavailable' | 'unknown';
  /** Error text etcdctl printed (listing failures, 404 when the v2 API is disabled, …). */
  errors: string[];
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** A zap JSON log line etcdctl 3.4 writes to stderr ({"level":"warn",…}). */
function isLogLine(l: string): boolean {
  return l.startsWith('{"level"');
}

/** `etcdctl cluster-health` (ETCDCTL_API=2). Pass stdout and stderr together. */
export function parseV2ClusterHealth(text: string): V2ClusterHealth {
  const byId = new Map<string, V2HealthMember>();
  const get = (id: string): V2HealthMember => {
    let m = byId.get(id);
    if (!m) {
      m = { id, health: 'healthy', urls: [] };
      byId.set(id, m);
    }
    return m;
  };
  let cluster: V2ClusterHealth['cluster'] = 'unknown';
  const errors: string[] = [];
  for (const l of lines(text)) {
    let r: RegExpExecArray | null;
    if ((r = /^member ([0-9a-f]+) is (healthy|unhealthy): got (?:un)?healthy result from (\S+)$/.exec(l))) {
      const m = get(r[1]!);
      m.health = r[2] as V2MemberHealth;
      if (!m.urls.includes(r[3]!)) m.urls.push(r[3]!);
    } else if ((r = /^failed to check the health of member ([0-9a-f]+) on (\S+?): (.*)$/.exec(l))) {
      const m = get(r[1]!);
      m.health = 'unreachable';
      m.error = r[3]!;
      if (!m.urls.includes(r[2]!)) m.urls.push(r[2]!);
    } else if ((r = /^member ([0-9a-f]+) is unreachable: \[(.*)\] are all unreachable$/.exec(l))) {
      const m = get(r[1]!);
      m.health = 'unreachable';
      for (const u of r[2]!.split(/\s+/).filter(Boolean)) if (!m.urls.includes(u)) m.urls.push(u);
    } else if ((r = /^cluster is (healthy|degraded|unavailable)$/.exec(l))) {
      cluster = r[1] as V2ClusterHealth['cluster'];
    } else if (/^error #\d+:/.test(l) || /^; error #\d+:/.test(l)) {
      // the detail lines repeat the "Error:" line's content
    } else if (!isLogLine(l)) {
      errors.push(l);
    }
  }
  return { members: [...byId.values()], cluster, errors };
}

export interface EtcdMember {
  /** Hex id as etcdctl prints it. */
  id: string;
  /** Empty for a member that was added but never started. */
  name: string;
  started: boolean;
  peerURLs: string[];
  clientURLs: string[];
  /** v2 `member list` only. */
  isLeader?: boolean;
  /** v3 only. */
  isLearner?: boolean;
}

function splitUrls(s: string | undefined): string[] {
  return (s ?? '')
    .split(/[,\s]+/)
    .map((u) => u.trim())
    .filter(Boolean);
}

/** `etcdctl member list` (ETCDCTL_API=2): `id: name=… peerURLs=… clientURLs=… isLeader=…`, `id[unstarted]: peerURLs=…`. */
export function parseV2MemberList(text: string): EtcdMember[] {
  const out: EtcdMember[] = [];
  for (const l of lines(text)) {
    const r = /^([0-9a-f]+)(\[unstarted\])?:\s+(.*)$/.exec(l);
    if (!r) continue;
    const kv: Record<string, string> = {};
    for (const m of r[3]!.matchAll(/(\w+)=(\S*)/g)) kv[m[1]!] = m[2]!;
    out.push({
      id: r[1]!,
      name: kv['name'] ?? '',
      started: !r[2],
      peerURLs: splitUrls(kv['peerURLs']),
      clientURLs: splitUrls(kv['clientURLs']),
      isLeader: kv['isLeader'] === 'true',
    });
  }
  return out;
}

/** Decimal uint64 (as text) → hex, losslessly. */
export function decimalIdToHex(dec: string): string {
  return BigInt(dec).toString(16);
}

/** JSON.parse after quoting every bare integer of 16+ digits, so uint64 ids survive. */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(text.replace(/([:[,]\s*)(\d{16,})(?=\s*[,}\]])/g, '$1"$2"'));
}

function idToHex(v: unknown): string {
  if (typeof v === 'string' && /^\d+$/.test(v)) return decimalIdToHex(v);
  if (typeof v === 'number') return BigInt(v).toString(16); // small ids only (lossless below 2^53)
  throw new Error(`unexpected member id ${JSON.stringify(v)}`);
}

/**
 * `etcdctl member list` (ETCDCTL_API=3) in any of its formats: the default
 * `id, started, name, peerURL, clientURL[, isLearner]` lines, `-w table`, or `-w json`.
 */
export function parseV3MemberList(text: string): EtcdMember[] {
  const body = lines(text).filter((l) => !isLogLine(l));
  const first = body[0] ?? '';
  if (first.startsWith('{')) {
    const doc = parseJsonLossless(body.join('\n')) as { members?: Record<string, unknown>[] };
    return (doc.members ?? []).map((m) => {
      const name = typeof m['name'] === 'string' ? m['name'] : '';
      const clientURLs = Array.isArray(m['clientURLs']) ? (m['clientURLs'] as string[]) : [];
      return {
        id: idToHex(m['ID']),
        name,
        // etcdctl prints "unstarted" for a member without a name (it has not joined yet)
        started: name !== '',
        peerURLs: Array.isArray(m['peerURLs']) ? (m['peerURLs'] as string[]) : [],
        clientURLs,
        isLearner: m['isLearner'] === true,
      };
    });
  }
  const out: EtcdMember[] = [];
  for (const l of body) {
    let cells: string[];
    if (l.startsWith('+')) continue;
    if (l.startsWith('|')) {
      cells = l
        .slice(1, l.endsWith('|') ? -1 : undefined)
        .split('|')
        .map((c) => c.trim());
      if (cells[0] === 'ID') continue;
    } else {
      cells = l.split(',').map((c) => c.trim());
    }
    if (cells.length < 5 || !/^[0-9a-f]+$/.test(cells[0]!)) continue;
    out.push({
      id: cells[0]!,
      started: cells[1] === 'started',
      name: cells[2]!,
      peerURLs: splitUrls(cells[3]),
      clientURLs: splitUrls(cells[4]),
      ...(cells[5] !== undefined ? { isLearner: cells[5] === 'true' } : {}),
    });
  }
  return out;
}

/**
 * `etcdctl member list -w json` through ONE endpoint: the membership as that member sees it, and which
 * member answered (the header's member_id, hex).
 */
export function parseV3MemberListView(text: string): { memberId?: string; members: EtcdMember[] } {
  const body = lines(text)
    .filter((l) => !isLogLine(l))
    .join('\n');
  if (!body.startsWith('{')) return { members: [] };
  const doc = parseJsonLossless(body) as { header?: { member_id?: unknown } };
  const id = doc.header?.member_id;
  const members = parseV3MemberList(body);
  return id !== undefined && id !== 0 && id !== '0' ? { memberId: idToHex(id), members } : { members };
}

export interface V3EndpointHealth {
  endpoint: string;
  healthy: boolean;
  /** "took = 5.011358ms" for a healthy one; the error for an unhealthy one. */
  detail: string;
}

/**
 * `etcdctl endpoint health` (ETCDCTL_API=3). etcdctl 3.4 prints every result line on stderr (healthy
 * ones too) and exits 1 when one is unhealthy ("Error: unhealthy cluster"): pass stdout + stderr.
 */
export function parseV3EndpointHealth(text: string): V3EndpointHealth[] {
  const out: V3EndpointHealth[] = [];
  for (const l of lines(text)) {
    let r: RegExpExecArray | null;
    if ((r = /^(\S+) is healthy: successfully committed proposal: took = (\S+)$/.exec(l))) {
      out.push({ endpoint: r[1]!, healthy: true, detail: `took = ${r[2]!}` });
    } else if ((r = /^(\S+) is unhealthy: (.*)$/.exec(l))) {
      out.push({ endpoint: r[1]!, healthy: false, detail: r[2]! });
    }
  }
  return out;
}

export interface V3EndpointStatus {
  endpoint: string;
  memberId: string;
  /** Hex id of the leader this endpoint knows; undefined when it has none. */
  leaderId?: string;
  version?: string;
  dbSize?: number;
}

/** `etcdctl endpoint status -w json` (ETCDCTL_API=3); endpoints that failed are simply absent. */
export function parseV3EndpointStatusJson(text: string): V3EndpointStatus[] {
  const body = lines(text).filter((l) => !isLogLine(l) && (l.startsWith('[') || l.startsWith('{')));
  if (body.length === 0) return [];
  const doc = parseJsonLossless(body.join('\n'));
  const arr = (Array.isArray(doc) ? doc : [doc]) as Record<string, unknown>[];
  return arr.map((e) => {
    const st = (e['Status'] ?? {}) as Record<string, unknown>;
    const header = (st['header'] ?? {}) as Record<string, unknown>;
    const leader = st['leader'];
    const out: V3EndpointStatus = {
      endpoint: String(e['Endpoint'] ?? ''),
      memberId: idToHex(header['member_id']),
    };
    if (leader !== undefined && leader !== 0 && leader !== '0') out.leaderId = idToHex(leader);
    if (typeof st['version'] === 'string') out.version = st['version'];
    if (typeof st['dbSize'] === 'number') out.dbSize = st['dbSize'];
    return out;
  });
}

/** Host part of a URL (`https://10.0.0.1:2379` → `10.0.0.1`; brackets of IPv6 removed). */
export function urlHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return url;
  }
}
