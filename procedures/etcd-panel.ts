// The etcd cluster panel shown beside the steps of the etcd procedures (Procedure.panel): the members
// (name, id, health, leader, peer URLs, client URLs), the quorum arithmetic, and "no member answers"
// when none does; plus the journal follow of the etcd start-ups (Step.follow). Not a procedure itself.
// The command asks every inventory member's client URL (v2 member list, then v2 cluster-health), so it
// answers from whichever member runs; it runs on the first host that can be reached.
import type { CommandOutput } from '../src/checks/types.js';
import type { Panel, PanelLine, PanelView, StepContext } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import {
  type EtcdMember,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdHosts,
  parseV2ClusterHealth,
  parseV2MemberList,
  urlHost,
  type V2HealthMember,
} from '../src/ocp/etcd.js';
import { type ShellCommand, sh } from '../src/transport/shell.js';
import { quorumOf } from './etcd-common.js';

/** The line between the member list and the cluster-health output in the panel command's output. */
export const HEALTH_SEPARATOR = '--- etcd cluster-health';

/** `etcdctl2 member list; echo ---; etcdctl2 cluster-health`, through every member's client URL (stderr kept in order). */
export function etcdPanelCommand(inventory: Inventory): ShellCommand {
  const endpoints = etcdHosts(inventory).map(etcdClientUrl);
  return sh`${etcdctl.memberListV2(endpoints)} 2>&1; echo ${HEALTH_SEPARATOR}; ${etcdctl.clusterHealth(endpoints)} 2>&1`;
}

/** The inventory member a listed member is: same name, else a peer/client URL on its address. */
function inventoryHostOf(m: EtcdMember, hosts: readonly Host[]): Host | undefined {
  const byName = hosts.find((h) => h.name === m.name && m.name !== '');
  if (byName) return byName;
  const addrs = [...m.clientURLs, ...m.peerURLs].map(urlHost);
  return hosts.find((h) => addrs.includes(etcdAddress(h)));
}

const isLocalhost = (url: string): boolean => /^(localhost|127\.0\.0\.1|\[?::1\]?)$/.test(urlHost(url));

function healthWord(m: EtcdMember, h: V2HealthMember | undefined): { mark: string; word: string; tone: PanelLine['tone'] } {
  if (!m.started) return { mark: '·', word: 'added, not started', tone: 'warn' };
  if (!h) return { mark: '?', word: 'health unknown', tone: 'warn' };
  if (h.health === 'healthy') return { mark: '✓', word: 'healthy', tone: 'ok' };
  return { mark: '✗', word: h.health, tone: 'bad' };
}

/** The first error line etcdctl printed (why no member answered), shortened. */
function firstError(text: string): string | undefined {
  const l = text
    .split('\n')
    .map((x) => x.trim())
    .find((x) => /error|refused|timeout|timed out|unavailable|no such|not found/i.test(x) && !x.startsWith('{"level"'));
  if (!l) return undefined;
  let short = l.replace(/^(Error|Failed to get leader):\s*(client:\s*)?/i, '').replace(/; error #\d+:.*$/, '');
  if (/connection refused/.test(l) && !/connection refused/.test(short)) short += ': connection refused';
  return short.length > 120 ? `${short.slice(0, 119)}…` : short;
}

/**
 * The panel from the command's output (pure). `hosts`: the inventory's etcd members, in inventory order;
 * a listed member is shown under its inventory name when it is one, an inventory member missing from the
 * list is shown as "not in the member list".
 */
export function parseEtcdPanel(output: string, hosts: readonly Host[]): PanelView {
  const at = output.indexOf(HEALTH_SEPARATOR);
  const listPart = at < 0 ? output : output.slice(0, at);
  const healthPart = at < 0 ? '' : output.slice(at + HEALTH_SEPARATOR.length);
  const members = parseV2MemberList(listPart);
  const health = parseV2ClusterHealth(healthPart);
  if (members.length === 0) {
    const why = firstError(listPart) ?? firstError(healthPart);
    // The list needs a leader; cluster-health still reports the members that answer without one.
    if (health.members.some((m) => m.health !== 'unreachable')) return healthOnly(health.members, hosts, why);
    return {
      summary: { text: `no member answers${why ? ` (${why})` : ''}`, tone: 'bad' },
      rows: hosts.map((h) => ({ label: h.name, text: `✗ no answer  client ${etcdClientUrl(h)}`, tone: 'bad' as const })),
    };
  }
  const placed = members.map((m) => ({ m, h: inventoryHostOf(m, hosts) }));
  const order = (x: { h?: Host }) => (x.h ? hosts.indexOf(x.h) : hosts.length);
  placed.sort((a, b) => order(a) - order(b));
  const rows: PanelLine[] = [];
  let healthy = 0;
  for (const { m, h } of placed) {
    const hm = health.members.find((x) => x.id === m.id);
    const w = healthWord(m, hm);
    if (w.word === 'healthy') healthy++;
    const localPeer = m.peerURLs.some(isLocalhost);
    const parts = [`${w.mark} ${w.word}`];
    if (m.isLeader) parts.push('★ leader');
    parts.push(`peer ${m.peerURLs.join(',') || '(none)'}${localPeer ? ' (localhost!)' : ''}`);
    parts.push(`id ${m.id}`);
    parts.push(`client ${m.clientURLs.join(',') || '(none yet)'}`);
    rows.push({ label: m.name || h?.name || '(unnamed)', text: parts.join('  '), tone: w.tone === 'ok' && localPeer ? 'warn' : w.tone });
  }
  for (const h of hosts) {
    if (!placed.some((x) => x.h === h)) rows.push({ label: h.name, text: '– not in the member list', tone: 'warn' });
  }
  const q = quorumOf(members.length);
  const leader = members.some((m) => m.isLeader);
  const healthKnown = health.members.length > 0;
  const bits = [
    `${q.members} member${q.members === 1 ? '' : 's'}`,
    healthKnown ? `${healthy} healthy` : 'health unknown',
    `quorum ${q.quorum}`,
    `tolerates ${q.tolerated} failure${q.tolerated === 1 ? '' : 's'}`,
  ];
  if (!leader) bits.push('no leader');
  let tone: PanelLine['tone'] = healthy === members.length && leader ? 'ok' : healthy >= q.quorum ? 'warn' : 'bad';
  if (healthKnown && healthy < q.quorum) bits.push('QUORUM LOST');
  if (!healthKnown) tone = 'warn';
  return { summary: { text: bits.join(' · '), tone }, rows };
}

/** No member list (no leader): the members as cluster-health reports them. */
function healthOnly(members: V2HealthMember[], hosts: readonly Host[], why: string | undefined): PanelView {
  const q = quorumOf(members.length);
  const healthy = members.filter((m) => m.health === 'healthy').length;
  const rows: PanelLine[] = members.map((m) => {
    const addrs = m.urls.map(urlHost);
    const h = hosts.find((x) => addrs.includes(etcdAddress(x)));
    return {
      label: h?.name ?? '(unknown)',
      text: `${m.health === 'healthy' ? '✓' : '✗'} ${m.health}  id ${m.id}  client ${m.urls.join(',')}`,
      tone: m.health === 'healthy' ? 'ok' : 'bad',
    };
  });
  const bits = [`${q.members} member${q.members === 1 ? '' : 's'}`, `${healthy} healthy`, `quorum ${q.quorum}`];
  if (healthy < q.quorum) bits.push('QUORUM LOST');
  bits.push(`no member list${why ? ` (${why})` : ''}`);
  return { summary: { text: bits.join(' · '), tone: 'bad' }, rows };
}

/**
 * The etcd panel of a procedure: the command runs on `first` (e.g. the member being restored), else on
 * the other etcd members in inventory order.
 */
export function etcdPanel(first?: (ctx: StepContext) => Host | undefined): Panel {
  return {
    title: 'etcd cluster',
    where: (ctx) => {
      const all = etcdHosts(ctx.inventory);
      let f: Host | undefined;
      try {
        f = first?.(ctx);
      } catch {
        f = undefined; // a parameter not set yet: the inventory order
      }
      return f ? [f, ...all.filter((h) => h.name !== f.name)] : all;
    },
    command: (ctx) => etcdPanelCommand(ctx.inventory),
    parse: (out: CommandOutput, ctx) => parseEtcdPanel(`${out.stdout}\n${out.stderr}`, etcdHosts(ctx.inventory)),
    timeoutMs: 30_000,
  };
}
