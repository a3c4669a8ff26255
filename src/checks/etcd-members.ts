// 3.3 / 4.6 etcd membership, on each etcd host: v2 `member list` (isLeader), v3 `member list -w json`
// (lossless ids, started/unstarted) and v3 `endpoint status -w json` (the leader as each member sees it).
// Odd member count, a leader, every inventory etcd host a member, https peerURLs (an
// `http://localhost:2380` peerURL is what --force-new-cluster leaves behind → etcd-peerurl-fix).
// And every member is asked for its own view, through its endpoint alone: `member list` per endpoint,
// and `endpoint status` (which asks each endpoint separately) for the leader each one follows. Members
// that disagree on the membership or on the leader (two clusters after a botched restore, a member cut
// off from the others) fail, naming who says what; a member that does not answer is not a disagreement.
import type { Host } from '../inventory/types.js';
import {
  type EtcdMember,
  etcdAddress,
  etcdctl,
  etcdEndpoints,
  etcdHosts,
  parseV2MemberList,
  parseV3EndpointStatusJson,
  parseV3MemberList,
  parseV3MemberListView,
  urlHost,
} from '../ocp/etcd.js';
import type { ShellCommand } from '../transport/shell.js';
import { firstLine, hostMatches, listNames, notRunnable, type Problem, problem, withProblem } from './common.js';
import type { Check, CheckContext, Fix, Verdict } from './types.js';

export interface EtcdMembersFacts {
  members: EtcdMember[];
  /** Hex id of the leader, when one is known (v2 isLeader, else v3 endpoint status). */
  leaderId?: string;
  /** Where the member list came from. */
  source: 'v3' | 'v2';
  errors: string[];
  /** Each member's own answer, by the endpoint asked. */
  views: MemberView[];
}

export interface MemberView {
  endpoint: string;
  /** Hex id of the member that answered (header member_id). */
  memberId?: string;
  /** Its member list (hex ids, sorted); undefined when it did not answer. */
  memberIds?: string[];
  /** The leader it follows (endpoint status); null: it answered and has no leader; undefined: not known. */
  leaderId?: string | null;
  error?: string;
}

const viewKey = (endpoint: string) => `view ${endpoint}`;

/** The same member endpoint, whatever the scheme etcdctl echoes back. */
function sameEndpoint(a: string, b: string): boolean {
  const hp = (u: string) => u.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '');
  return hp(a) === hp(b);
}

const INSTALL = 'install the etcd package (yum install etcd)';

export const etcdMembersCheck: Check<EtcdMembersFacts | Problem> = {
  id: 'etcd-members',
  title: 'etcd membership',
  section: '4.6',
  placement: { on: 'hosts', roles: ['etcd'] },
  commands: (_host, ctx) => {
    const endpoints = etcdEndpoints(ctx.inventory);
    const cmds: Record<string, ShellCommand> = {
      v2list: etcdctl.memberListV2(endpoints),
      v3list: etcdctl.memberListV3(endpoints, 'json'),
      v3status: etcdctl.endpointStatusJson(endpoints),
    };
    // each member's own membership: one endpoint at a time
    for (const ep of endpoints) cmds[viewKey(ep)] = etcdctl.memberListV3([ep], 'json');
    return cmds;
  },
  parse(outputs, _host, ctx) {
    const v2o = outputs['v2list'];
    const v3o = outputs['v3list'];
    const st = outputs['v3status'];
    const missing = notRunnable(v3o, 'etcdctl', INSTALL) ?? notRunnable(v2o, 'etcdctl', INSTALL);
    if (missing) return missing;
    const errors: string[] = [];
    const v2 = v2o && v2o.exitCode === 0 ? parseV2MemberList(v2o.stdout) : [];
    if (v2o && v2o.exitCode !== 0) errors.push(`v2 member list: ${firstLine(v2o)}`);
    const v3 = v3o && v3o.exitCode === 0 ? parseV3MemberList(v3o.stdout) : [];
    if (v3o && v3o.exitCode !== 0) errors.push(`v3 member list: ${firstLine(v3o)}`);
    if (v2.length === 0 && v3.length === 0)
      return problem(
        'error',
        `cannot list etcd members: ${errors.join('; ') || 'no output'}`,
        {
          procedure: 'etcd-restore',
          hostParam: null,
          text: 'No member answers: see etcd-health; with quorum lost, restore from backup (etcd-restore).',
        },
        { errors },
      );
    const members = v3.length > 0 ? v3 : v2;
    // v2 knows the leader; keep its flag on the v3 entries
    for (const m of members) {
      const twin = v2.find((x) => x.id === m.id);
      if (twin?.isLeader) m.isLeader = true;
    }
    const status = st ? parseV3EndpointStatusJson(st.stdout) : [];
    if (st && st.exitCode !== 0) errors.push(`endpoint status: ${firstLine(st)}`);
    let leaderId = members.find((m) => m.isLeader)?.id;
    if (!leaderId) leaderId = status.find((s) => s.leaderId !== undefined)?.leaderId;
    const views: MemberView[] = etcdEndpoints(ctx.inventory).map((endpoint) => {
      const v: MemberView = { endpoint };
      const o = outputs[viewKey(endpoint)];
      if (o && o.exitCode === 0) {
        const parsed = parseV3MemberListView(o.stdout);
        if (parsed.memberId) v.memberId = parsed.memberId;
        if (parsed.members.length > 0) v.memberIds = parsed.members.map((m) => m.id).sort();
      } else if (o) v.error = firstLine(o);
      const s = status.find((x) => sameEndpoint(x.endpoint, endpoint) || (v.memberId !== undefined && x.memberId === v.memberId));
      if (s) {
        v.leaderId = s.leaderId ?? null;
        v.memberId ??= s.memberId;
      }
      return v;
    });
    const facts: EtcdMembersFacts = { members, source: v3.length > 0 ? 'v3' : 'v2', errors, views };
    if (leaderId) facts.leaderId = leaderId;
    return facts;
  },
  verdict: (facts, host, ctx) => withProblem(facts, (f) => judgeMembers(f, host, ctx)),
};

function memberIsHost(m: EtcdMember, h: Host): boolean {
  const addr = etcdAddress(h);
  return [...m.peerURLs, ...m.clientURLs].some((u) => urlHost(u) === addr) || (m.name !== '' && hostMatches(h, m.name));
}

function label(m: EtcdMember): string {
  return `${m.name || '(unstarted)'} ${m.id}`;
}

function judgeMembers(f: EtcdMembersFacts, _host: Host | undefined, ctx: CheckContext): Verdict {
  const inventory = etcdHosts(ctx.inventory);
  const notMembers = inventory.filter((h) => !f.members.some((m) => memberIsHost(m, h))).map((h) => h.name);
  const strangers = f.members.filter((m) => !inventory.some((h) => memberIsHost(m, h))).map(label);
  const localhostPeer = f.members.filter((m) => m.peerURLs.some((u) => urlHost(u) === 'localhost' || urlHost(u) === '127.0.0.1'));
  const plainHttp = f.members.filter((m) => !localhostPeer.includes(m) && m.peerURLs.some((u) => u.startsWith('http://')));
  const unstarted = f.members.filter((m) => !m.started);
  const leader = f.members.find((m) => m.id === f.leaderId);
  const n = f.members.length;
  const details = {
    count: n,
    members: f.members.map((m) => ({
      id: m.id,
      name: m.name,
      started: m.started,
      peerURLs: m.peerURLs,
      clientURLs: m.clientURLs,
      isLeader: m.id === f.leaderId,
    })),
    leader: leader ? label(leader) : undefined,
    source: f.source,
    notMembers,
    notInInventory: strangers,
    ...(f.errors.length > 0 ? { errors: f.errors } : {}),
  };
  const split = disagreement(f);
  if (split) return { status: 'fail', message: split, details: { ...details, views: f.views }, fix: SPLIT_FIX };
  if (localhostPeer.length > 0)
    return {
      status: 'fail',
      message:
        `peerURL on localhost: ${listNames(localhostPeer.map((m) => `${label(m)} ${m.peerURLs.join(',')}`))} ` +
        `— left by --force-new-cluster; other members cannot join`,
      details,
      fix: { procedure: 'etcd-peerurl-fix', text: 'etcdctl member update <id> https://<its IP>:2380' },
    };
  if (!f.leaderId || !leader)
    return {
      status: 'fail',
      message: `no etcd leader among ${n} members (quorum lost?)`,
      details,
      fix: {
        procedure: 'etcd-restore',
        hostParam: null,
        text: 'Bring the stopped members back; if quorum cannot be regained, restore (etcd-restore).',
      },
    };
  if (notMembers.length > 0)
    return {
      status: 'fail',
      message: `inventory etcd hosts not in the cluster: ${listNames(notMembers)}`,
      details,
      fix: { procedure: 'etcd-add-member', text: 'Add the host as a member (etcd-add-member), or remove it from [etcd] in the inventory.' },
    };
  if (unstarted.length > 0)
    return {
      status: 'warn',
      message: `added but never started: ${listNames(unstarted.map((m) => `${m.id} ${m.peerURLs.join(',')}`))}`,
      details,
      fix: {
        procedure: 'etcd-add-member',
        text: 'Start etcd on the new member with ETCD_INITIAL_CLUSTER_STATE=existing, or remove the member (etcd-remove-member).',
      },
    };
  if (n % 2 === 0)
    return {
      status: 'warn',
      message: `${n} members: an even count tolerates no more failures than ${n - 1}; use an odd number`,
      details,
      fix: { procedure: n > 2 ? 'etcd-remove-member' : 'etcd-add-member', text: 'Add or remove one member so the count is odd (3 or 5).' },
    };
  if (strangers.length > 0)
    return {
      status: 'warn',
      message: `members not in the inventory's [etcd] group: ${listNames(strangers)}`,
      details,
      fix: { text: 'Update [etcd] in the inventory, or remove the member (etcd-remove-member).' },
    };
  if (plainHttp.length > 0)
    return {
      status: 'warn',
      message: `peerURLs not https: ${listNames(plainHttp.map((m) => `${label(m)} ${m.peerURLs.join(',')}`))}`,
      details,
      fix: { procedure: 'etcd-peerurl-fix', text: 'etcdctl member update <id> https://<its IP>:2380' },
    };
  const ha = n === 1 ? ' (single member: no HA)' : '';
  return { status: 'ok', message: `${n} members, leader ${leader.name || leader.id}${ha}`, details };
}

const SPLIT_FIX: Fix = {
  procedure: 'etcd-remove-member',
  text:
    'The members do not form one cluster. Keep the side that has quorum and the data; stop etcd on the others, ' +
    'remove them from it (etcd-remove-member) and add them back empty (etcd-add-member); if no side has quorum, ' +
    'restore (etcd-restore). Re-run the check first: an election in progress shows this for a moment.',
};

/** "who says what" when the members that answered disagree on the membership or the leader; undefined when they agree. */
export function disagreement(f: EtcdMembersFacts): string | undefined {
  const nameOf = (id: string): string => f.members.find((x) => x.id === id)?.name || id;
  const who = (v: MemberView) => (v.memberId ? nameOf(v.memberId) : v.endpoint);
  /** Views grouped by what they say; `say(k, many)` is the verb phrase. */
  const group = <T>(views: MemberView[], key: (v: MemberView) => T, say: (k: T, many: boolean) => string): string | undefined => {
    const by = new Map<string, { k: T; who: string[] }>();
    for (const v of views) {
      const k = key(v);
      const id = JSON.stringify(k);
      const g = by.get(id) ?? { k, who: [] };
      g.who.push(who(v));
      by.set(id, g);
    }
    if (by.size <= 1) return undefined;
    return [...by.values()].map((g) => `${listNames(g.who)} ${say(g.k, g.who.length > 1)}`).join('; ');
  };
  const lists = f.views.filter((v) => v.memberIds !== undefined);
  const members = group(
    lists,
    (v) => v.memberIds!,
    (ids, many) => `${many ? 'list' : 'lists'} ${ids.map(nameOf).join(', ')}`,
  );
  if (members) return `members disagree on the membership: ${members}`;
  const leaders = f.views.filter((v) => v.leaderId !== undefined);
  const leader = group(
    leaders,
    (v) => v.leaderId ?? null,
    (id, many) => (id === null ? `${many ? 'have' : 'has'} no leader` : `${many ? 'follow' : 'follows'} ${nameOf(id)}`),
  );
  if (leader) return `members disagree on the leader: ${leader}`;
  return undefined;
}
