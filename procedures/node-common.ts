// Pieces shared by the node procedures: 7.1.1 node-evacuate, 5.3.1 node-decommission and 5.2.1
// master-decommission (whose node part is 5.3.1). Not a procedure itself.
//
// Cluster-side commands run with `oc` on the bastion. Nodes are read with `-o jsonpath` (one
// tab-separated line each) rather than `-o json`: a node's JSON lists every image it holds, too long for
// the log pane. The pods on a node are read as JSON, like the Nodes screen reads them (one reader and one
// drain forecast, src/ocp/nodes.ts); the oc version and the drain and cordon commands are src/ocp/oc.ts.
// The load balancer edit (5.2.1.3 / 5.3.1: haproxy's `backend mgmt8443`, `router80`, `router443`) keeps
// every other byte of haproxy.cfg: the lines to drop are found by number (src/ocp/haproxy.ts), the file
// is copied aside, written back from the copy without those lines, checked with `diff` and `haproxy -c`,
// and put back from the copy if the check fails.

import { hostAliases, hostMatches } from '../src/checks/common.js';
import type { CommandOutput } from '../src/checks/types.js';
import { capture, captures } from '../src/engine/capture.js';
import type { Placement, Step, StepContext } from '../src/engine/types.js';
import type { CommandAnswer, RepeatedCommand } from '../src/engine/wait.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { type PendingPod, parsePending, pendingPodsCommand, pendingReport } from '../src/nodes/replacements.js';
import { diffIsDeletion, HAPROXY_CFG, haproxyListingCommand, parseListing, serverLinesFor, withoutLines } from '../src/ocp/haproxy.js';
import {
  type DrainForecast,
  drainForecast,
  leftOnNode,
  type NodePod,
  type NodeRow,
  nodesCommand,
  type PodBrief,
  parseNodeRows,
  parsePodsJson,
  podKey,
  podsOnNodeCommand,
} from '../src/ocp/nodes.js';
import {
  cordonCommand,
  DRAIN_TIMEOUT_SECONDS,
  deleteNodeCommand,
  drainCommand,
  listPodsCommand,
  OC_VERSION_CAPTURE,
  oc,
  ocVersionCapture,
  ocVersionOf,
  unschedulableCommand,
} from '../src/ocp/oc.js';
import { argv, type ShellCommand, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';

export const OC = 'oc';
// one default for the Nodes screen's form and the procedures; the Pending pods' meaning is shared with it too
// the lab tests (test/procedures) still take the haproxy edit from here; it lives in src/ocp/haproxy.ts
export { DRAIN_TIMEOUT_SECONDS, oc, type PendingPod, parsePending, pendingReport, withoutLines };

const firstErr = (o: CommandOutput | undefined): string =>
  (o?.stderr.trim() || o?.stdout.trim() || 'no output').split('\n')[0]!.slice(0, 200);

/** The pods of `oc get pods … -o json` (podsOnNodeCommand), or why there are none to read. */
function podsOf(o: CommandOutput | undefined): NodePod[] | string {
  if (o?.exitCode !== 0) return `oc get pods failed: ${firstErr(o)}`;
  try {
    return parsePodsJson(o.stdout);
  } catch (e) {
    return (e as Error).message;
  }
}

/** Names for a message: "a, b and c" (at most `max`). */
export function names(list: readonly string[], max = 8): string {
  if (list.length === 0) return '(none)';
  const shown = list.slice(0, max);
  const more = list.length - shown.length;
  if (more > 0) return `${shown.join(', ')} and ${more} more`;
  return shown.length === 1 ? shown[0]! : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

// ---- the node parameter ----------------------------------------------------------------------------

/** The inventory host named by the `node` parameter. */
export function nodeHost(ctx: { params: Readonly<Record<string, string>>; inventory: Inventory }): Host {
  const name = ctx.params['node'] ?? '';
  const h = ctx.inventory.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`${JSON.stringify(name)} is not a host of the inventory`);
  return h;
}

/** The node's name in the cluster (captured by the facts step). */
export const nodeName = (ctx: StepContext): string => ctx.captured.get('node-name');

// ---- nodes ---------------------------------------------------------------------------------------------

/** The cluster node that is this inventory host: by name (full or short), else by address. */
export function findNodeRow(rows: readonly NodeRow[], host: Host): NodeRow | undefined {
  const byName = rows.filter((r) => hostMatches(host, r.name));
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    const exact = byName.filter((r) => r.name.toLowerCase() === host.name.toLowerCase());
    if (exact.length === 1) return exact[0];
    throw new Error(
      `${host.name}: several nodes could be it (${byName.map((r) => r.name).join(', ')}); set openshift_hostname in the inventory`,
    );
  }
  const aliases = hostAliases(host);
  const byIp = rows.filter((r) => r.ip && aliases.includes(r.ip));
  return byIp.length === 1 ? byIp[0] : undefined;
}

export type NodeKind = 'master' | 'infra' | 'compute';

/** What the node is: a master, an infra node (cluster labels or the inventory), or a compute node. */
export function nodeKind(row: Pick<NodeRow, 'master' | 'infra'>, host?: Host): NodeKind {
  if (row.master || host?.roles.includes('master')) return 'master';
  if (row.infra || host?.roles.includes('infra')) return 'infra';
  return 'compute';
}

/** Infra by its labels, or by the inventory host it matches. */
export function isInfraRow(row: NodeRow, inventory: Inventory): boolean {
  if (row.infra) return true;
  const h = inventory.hosts.find((x) => hostMatches(x, row.name));
  return !!h && h.roles.includes('infra') && !h.roles.includes('master');
}

const online = (r: NodeRow): boolean => r.ready === 'True' && r.schedulable;

export interface CapacityVerdict {
  ok: boolean;
  /** Lines for the log (the arithmetic, warnings). */
  lines: string[];
  /** When not ok: the refusal sentence. */
  refusal?: string;
}

/**
 * 5.3.1 prerequisite: enough capacity left for the node's pods. An infra node only while at least 2
 * other infra nodes stay online (Ready and schedulable), 3 for full high availability; a compute node
 * only while another compute node is online. `allowLow` turns a refusal into a warning.
 */
export function capacityVerdict(
  rows: readonly NodeRow[],
  node: string,
  kind: NodeKind,
  inventory: Inventory,
  allowLow: boolean,
): CapacityVerdict {
  const others = rows.filter((r) => r.name !== node);
  if (kind === 'master')
    return { ok: true, lines: ['a master: its pods (if any) go to the other nodes; the master count is checked by master-decommission'] };
  if (kind === 'infra') {
    const infra = others.filter((r) => isInfraRow(r, inventory) && !r.master);
    const up = infra.filter(online);
    const lines = [`infra nodes online after ${node} is removed: ${up.length} (${names(up.map((r) => r.name))})`];
    if (up.length >= 3) return { ok: true, lines };
    if (up.length === 2)
      return { ok: true, lines: [...lines, 'warning: 2 infra nodes remain; full high availability needs 3 (the guide, 5.3.1)'] };
    const refusal =
      `${node} is an infra node and only ${up.length} other infra node(s) are Ready and ` +
      `schedulable${up.length ? ` (${names(up.map((r) => r.name))})` : ''}: ` +
      `the guide recommends removing an infra node only while at least 2 stay online (3 for full high ` +
      `availability); the router and the registry would have ${up.length === 0 ? 'nowhere' : 'a single node'} to run. ` +
      'Add an infra node first, or run again with allow-low-capacity=yes.';
    if (!allowLow) return { ok: false, lines, refusal };
    return { ok: true, lines: [...lines, `warning (allow-low-capacity=yes): ${refusal.split(': the guide')[0]}`] };
  }
  const compute = others.filter((r) => !r.master && !isInfraRow(r, inventory));
  const up = compute.filter(online);
  const lines = [`compute nodes online after ${node} is removed: ${up.length} (${names(up.map((r) => r.name))})`];
  if (up.length >= 1) return { ok: true, lines };
  const refusal =
    `${node} is the last compute node that is Ready and schedulable: its pods would have nowhere to ` +
    `go. Add a node first, or run again with allow-low-capacity=yes.`;
  if (!allowLow) return { ok: false, lines, refusal };
  return { ok: true, lines: [...lines, `warning (allow-low-capacity=yes): ${refusal.split(': its pods')[0]}: its pods will stay Pending`] };
}

// ---- the drain's parameters and verdict (the pods and the forecast: src/ocp/nodes.ts) ----------------------

/** The `delete-local-data` parameter: auto (only when a pod has an emptyDir volume), yes, no. */
export type LocalData = 'auto' | 'yes' | 'no';
export function localDataParam(ctx: { params: Readonly<Record<string, string>> }): LocalData {
  const v = ctx.params['delete-local-data'];
  return v === 'yes' || v === 'no' ? v : 'auto';
}
export const forceParam = (ctx: { params: Readonly<Record<string, string>> }): boolean => ctx.params['force'] === 'yes';

const keysOf = (ps: readonly PodBrief[], max = 8): string =>
  names(
    ps.map((p) => p.key),
    max,
  );
const keysOfKnown = (ps: readonly PodBrief[] | undefined, standIn: string): string => (ps ? keysOf(ps) : standIn);

/** Before anything changes: will the drain go through with these parameters? true, or the refusal. */
export function drainVerdict(node: string, f: DrainForecast, force: boolean, localData: LocalData): true | string {
  if (f.bare.length > 0 && !force) {
    return (
      `${node} has ${f.bare.length} pod(s) without a controller (${keysOf(f.bare)}): oc adm drain refuses to delete ` +
      `them without --force, ` +
      'and nothing would recreate them on another node, so whatever they hold would be lost. Recreate them under a ' +
      'controller (a deployment config) or copy their data out ' +
      'and delete them yourself, then run again; or run again with force=yes to delete them with the drain.'
    );
  }
  if (f.emptyDir.length > 0 && localData === 'no') {
    return (
      `${node} has ${f.emptyDir.length} pod(s) with emptyDir volumes (${keysOf(f.emptyDir)}): oc adm drain refuses ` +
      `them without --delete-local-data. ` +
      'Run again with delete-local-data=auto (their emptyDir data is lost; their controllers recreate them ' +
      'elsewhere), or move them yourself first.'
    );
  }
  return true;
}

/** Whether the drain gets --delete-local-data (--delete-emptydir-data on newer clients). */
export function wantsLocalData(localData: LocalData, emptyDirPods: number): boolean {
  return localData === 'yes' || (localData === 'auto' && emptyDirPods > 0);
}

/** What the drain will do, for the log. */
export function forecastLines(node: string, f: DrainForecast, force: boolean, localData: LocalData): string[] {
  const list = (ps: readonly PodBrief[]) =>
    names(
      ps.map((p) => `${p.key} (${p.owner})`),
      20,
    );
  const lines = [`pods on ${node}: ${f.evicted.length + f.daemonset.length + f.mirror.length}`];
  const kept = f.evicted.filter((p) => p.owner !== 'bare');
  if (kept.length) lines.push(`evicted, their controllers recreate them on other nodes: ${list(kept)}`);
  if (f.daemonset.length) lines.push(`stay (daemon set pods, --ignore-daemonsets): ${list(f.daemonset)}`);
  if (f.mirror.length) lines.push(`stay (static pods): ${list(f.mirror)}`);
  if (f.emptyDir.length) {
    lines.push(
      wantsLocalData(localData, f.emptyDir.length)
        ? `lose their emptyDir data (--delete-local-data, delete-local-data=${localData}): ${list(f.emptyDir)}`
        : `have emptyDir volumes (the drain refuses them with delete-local-data=no): ${list(f.emptyDir)}`,
    );
  }
  if (f.bare.length)
    lines.push(
      force
        ? `DELETED FOR GOOD, nothing recreates them (force=yes): ${list(f.bare)}`
        : `no controller (the drain refuses them without force=yes): ${list(f.bare)}`,
    );
  if (!f.evicted.length) lines.push('nothing to evict');
  return lines;
}

// ---- replacements (5.3.1: watch the new pods; a router may stay Pending) ---------------------------------

// ---- router and registry replicas (5.3.1: scale down when the infra node is not replaced) ----------------

export type ScaleTarget = { keep: string } | { to: number; from: number };

/**
 * The replicas a deployment config should have after the node goes: the parameter (`keep` or a number)
 * when given; by default the router follows the number of infra nodes left (one router per infra node:
 * host ports), the registry only when one of its pods ran on the node; never 0 by default.
 */
export function scaleTarget(opts: {
  dc: string;
  param?: string;
  current?: number;
  kind: NodeKind;
  remainingInfra: number;
  ranThere: boolean;
}): ScaleTarget {
  const { dc, param, current, kind, remainingInfra, ranThere } = opts;
  if (current === undefined) return { keep: `dc/${dc} not found in project default` };
  if (param !== undefined && param !== '') {
    if (param === 'keep') return { keep: `${dc}-replicas=keep` };
    const n = Number(param);
    return n === current ? { keep: `dc/${dc} already has ${n} replica(s)` } : { to: n, from: current };
  }
  if (kind !== 'infra') return { keep: `the node is not an infra node: dc/${dc} stays at ${current}` };
  if (dc !== 'router' && !ranThere) return { keep: `no ${dc} pod ran on the node: it stays at ${current}` };
  if (remainingInfra < 1)
    return { keep: `no infra node is left to run it: dc/${dc} stays at ${current} (its pods wait Pending for an infra node)` };
  if (current <= remainingInfra)
    return { keep: `dc/${dc} has ${current} replica(s) for ${remainingInfra} infra node(s): nothing to scale` };
  return { to: remainingInfra, from: current };
}

export function encodeTarget(t: ScaleTarget): string {
  return 'to' in t ? `${t.from}->${t.to}` : `keep: ${t.keep}`;
}
export function decodeTarget(s: string): ScaleTarget {
  const m = /^(\d+)->(\d+)$/.exec(s);
  return m ? { from: Number(m[1]), to: Number(m[2]) } : { keep: s.replace(/^keep: /, '') };
}

export function validateReplicas(v: string): string | undefined {
  return /^(keep|\d{1,3})$/.test(v) ? undefined : `${JSON.stringify(v)} is not a replica count: give a number (e.g. 2) or keep`;
}

// ---- haproxy on the [lb] hosts ---------------------------------------------------------------------------

const lbHosts = (ctx: StepContext): Host[] => hostsOfRole(ctx.inventory, 'lb');
const haproxyBak = (ctx: StepContext): string => `${HAPROXY_CFG}.bak-${timeStamp(ctx.startedAt)}`;
/** The numbers of the server lines to delete, as captured (a plan shows `<haproxy-delete>`). */
const deleteLines = (ctx: StepContext): string[] => ctx.captured.get('haproxy-delete').split(',').filter(Boolean);
const linesOf = (ctx: StepContext): number[] => deleteLines(ctx).map(Number);

/** The names and addresses the node may appear under in haproxy.cfg. */
function lbAliases(ctx: StepContext): { names: string[]; addresses: string[] } {
  const h = nodeHost(ctx);
  const aliases = hostAliases(h);
  const ip = nodeIp.maybe(ctx) ?? '';
  const cluster = ctx.captured.has('node-name') ? ctx.captured.get('node-name') : '';
  return {
    names: [...aliases.filter((a) => !/^[0-9.:]+$/.test(a)), ...(cluster ? [cluster] : [])],
    addresses: [...aliases.filter((a) => /^[0-9.:]+$/.test(a)), ...(ip ? [ip] : [])],
  };
}

/**
 * The three load balancer steps: read haproxy.cfg and find the node's `server` lines in `backends`;
 * remove them (copy aside, write back without them, diff, `haproxy -c`, put back on failure); restart
 * haproxy. Every [lb] host, one at a time; a host without haproxy.cfg is left alone (said in the log).
 */
export function haproxySteps(opts: { prefix: string; section: string; backends: string[]; what: string }): Step[] {
  const { prefix, section, backends } = opts;
  const where: Placement = { on: 'hosts', describe: 'every [lb] host', mode: 'serial', hosts: lbHosts };
  const noLb = (ctx: StepContext): string | undefined =>
    lbHosts(ctx).length === 0
      ? `the inventory has no [lb] host: take ${ctx.params['node']} out of your load balancer's ` +
        `${backends.join(', ')} pool by hand (for a cloud or F5 load balancer, its own documentation)`
      : undefined;
  // With a single [lb] host the read step's captures are that host's: nothing found → nothing to do.
  const nothingFound = (ctx: StepContext): string | undefined => {
    const none = noLb(ctx);
    if (none) return none;
    if (lbHosts(ctx).length !== 1) return undefined;
    if (ctx.captured.get('haproxy-sha') === 'absent')
      return `${lbHosts(ctx)[0]!.name} has no ${HAPROXY_CFG}: take ${ctx.params['node']} out of its load balancer by hand`;
    return ctx.captured.get('haproxy-delete') === ''
      ? `no server line for ${ctx.params['node']} in backend ${backends.join(', ')} of ${HAPROXY_CFG}: nothing to change`
      : undefined;
  };
  const nothingHere = (ctx: StepContext): boolean =>
    ctx.captured.get('haproxy-sha') === 'absent' || ctx.captured.get('haproxy-delete') === '';
  return [
    {
      id: `${prefix}read`,
      title: `Find the node's server lines in haproxy.cfg (backend ${backends.join(', ')})`,
      section,
      where,
      skipIf: noLb,
      commands: () => [
        sh`if test -f ${HAPROXY_CFG}; then sha256sum ${HAPROXY_CFG} | cut -c1-64; else echo absent; fi`,
        sh`if test -f ${HAPROXY_CFG}; then ${haproxyListingCommand()};
          else echo ${`${HAPROXY_CFG}: not present on this host (not an haproxy load balancer?)`}; fi`,
      ],
      capture: {
        'haproxy-sha': (o) => {
          const s = (o[0]?.stdout ?? '').trim();
          if (s === 'absent' || /^[0-9a-f]{64}$/.test(s)) return s;
          throw new Error(`sha256sum of ${HAPROXY_CFG} printed ${JSON.stringify(s.slice(0, 80))}`);
        },
        'haproxy-delete': (o, ctx) => {
          const a = lbAliases(ctx);
          return serverLinesFor(parseListing(o[1]?.stdout ?? ''), backends, a.names, a.addresses)
            .map((l) => l.line)
            .join(',');
        },
        'haproxy-removed': (o, ctx) => {
          const a = lbAliases(ctx);
          return serverLinesFor(parseListing(o[1]?.stdout ?? ''), backends, a.names, a.addresses)
            .map((l) => `${l.backend}: ${l.text.trim()}`)
            .join(' | ');
        },
      },
    },
    {
      id: `${prefix}edit`,
      title: `Remove those server lines (a copy of haproxy.cfg is kept; every other byte stays; haproxy -c checks the result)`,
      section,
      where,
      skipIf: nothingFound,
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `${opts.what}: on ${lbHosts(ctx)
            .map((h) => h.name)
            .join(', ')}, the server lines of ${ctx.params['node']} in backend ${backends.join(', ')} are removed from ${HAPROXY_CFG}` +
          ` (${ctx.captured.get('haproxy-removed')})` +
          '; haproxy is restarted in the next step.',
        protectedBy: (ctx) =>
          `the file is copied to ${haproxyBak(ctx)} first (cp -p); to undo: cp -p ${haproxyBak(ctx)} ${HAPROXY_CFG} ` +
          `&& systemctl restart haproxy`,
      },
      commands: (ctx) => {
        if (nothingHere(ctx)) {
          const here = ctx.host?.name ?? 'this host';
          return [sh`echo ${`nothing to remove on ${here}: no server line for ${ctx.params['node']} in backend ${backends.join(', ')}`}`];
        }
        const sha = ctx.captured.get('haproxy-sha');
        const bak = haproxyBak(ctx);
        const expr = deleteLines(ctx)
          .map((n) => `${n}d`)
          .join(';');
        const sum = (f: string) => sh`"$(sha256sum < ${f} | cut -c1-64)"`;
        return [
          sh`if test ${sum(HAPROXY_CFG)} = ${sha}; then if test -e ${bak};
            then test ${sum(bak)} = ${sha} || {
            echo ${`${bak} exists and is not a copy of ${HAPROXY_CFG}: move it away first`}; exit 1; };
            else cp -p ${HAPROXY_CFG} ${bak}; fi; elif test -e ${bak} && test ${sum(bak)} = ${sha};
            then echo ${`${HAPROXY_CFG} was partly written by an earlier attempt: writing it again from ${bak}`};
            else
            echo ${`${HAPROXY_CFG} changed since it was read: run the previous step again (retry it) to read it afresh`}; exit 1; fi`,
          sh`sed -e ${expr} ${bak} > ${HAPROXY_CFG}`,
          sh`diff ${bak} ${HAPROXY_CFG}; test $? -le 1`,
          sh`if haproxy -c -f ${HAPROXY_CFG}; then echo ${`${HAPROXY_CFG}: haproxy -c passed`};
            else cat ${bak} > ${HAPROXY_CFG};
            echo ${`haproxy -c refused the edited file: ${HAPROXY_CFG} was put back from ${bak}; nothing changed`}; exit 1; fi`,
        ];
      },
      verify: {
        describe: 'diff against the copy shows exactly the removed server lines',
        command: (ctx) => (nothingHere(ctx) ? argv('true') : sh`diff ${haproxyBak(ctx)} ${HAPROXY_CFG}; test $? -le 1`),
        ok: (out, ctx) => {
          if (nothingHere(ctx)) return true;
          if (out.exitCode !== 0) return `diff failed: ${firstErr(out)}`;
          return diffIsDeletion(out.stdout, linesOf(ctx));
        },
      },
    },
    {
      id: `${prefix}restart`,
      title: 'Restart haproxy (systemctl restart haproxy)',
      section,
      where,
      skipIf: nothingFound,
      commands: (ctx) =>
        nothingHere(ctx)
          ? [sh`echo ${`haproxy is not restarted on ${ctx.host?.name ?? 'this host'}: its configuration did not change`}`]
          : [argv('systemctl', 'restart', 'haproxy'), argv('systemctl', 'is-active', 'haproxy')],
      verify: {
        describe: 'haproxy is active',
        command: (ctx) => (nothingHere(ctx) ? argv('true') : argv('systemctl', 'is-active', 'haproxy')),
        ok: (out, ctx) =>
          nothingHere(ctx) ||
          out.stdout.trim() === 'active' ||
          `haproxy is ${out.stdout.trim() || 'not active'}: see journalctl -u haproxy; the previous file is ${haproxyBak(ctx)}`,
      },
    },
  ];
}

// ---- the steps ---------------------------------------------------------------------------------------------

const bastion: Placement = { on: 'bastion' };

/** The node's IP, from its row of `oc get nodes` (node-facts); a plan has only the inventory's addresses (''). */
export const nodeIp = capture<string>(
  'node-ip',
  (o, ctx) => nodeRowOf(o[1], ctx).ip,
  () => '',
);

/** The node's kind, from its row of `oc get nodes` (node-facts); a plan reads compute, the most common. */
export const kindOfNode = capture<NodeKind>(
  'node-kind',
  (o, ctx) => nodeKind(nodeRowOf(o[1], ctx), nodeHost(ctx)),
  () => 'compute',
);

/** `oc version` and the node's row: its name in the cluster, its IP and kind. */
export function nodeFactsStep(section: string): Step {
  return {
    id: 'node-facts',
    title: 'Find the node in the cluster (oc get nodes) and the oc client version (oc version)',
    section,
    where: bastion,
    allowFailure: true,
    commands: () => [oc('version'), nodesCommand()],
    capture: {
      [OC_VERSION_CAPTURE]: (o) => ocVersionCapture(o[0]?.stdout ?? ''),
      'node-name': (o, ctx) => nodeRowOf(o[1], ctx).name,
      ...captures(nodeIp, kindOfNode),
    },
  };
}

function nodeRowOf(out: CommandOutput | undefined, ctx: StepContext): NodeRow {
  if (out?.exitCode !== 0) throw new Error(`oc get nodes failed: ${firstErr(out)} (is oc on the PATH and logged in as a cluster-admin?)`);
  const rows = parseNodeRows(out.stdout);
  const h = nodeHost(ctx);
  const r = findNodeRow(rows, h);
  if (!r) throw new Error(`${h.name} is not a node of the cluster (oc get nodes lists ${names(rows.map((x) => x.name))})`);
  return r;
}

/** What the drain does with each pod of the node, read by the pods step (a plan has no stand-in for it). */
export const forecast = capture('forecast', (o): DrainForecast => {
  const pods = podsOf(o[0]);
  if (typeof pods === 'string') throw new Error(pods);
  return drainForecast(pods);
});

/** The captured forecast; empty when there is none yet (a plan). */
export function forecastOf(ctx: StepContext): DrainForecast {
  return forecast.maybe(ctx) ?? { evicted: [], daemonset: [], mirror: [], emptyDir: [], bare: [], infraDcs: [] };
}

/**
 * The node's pods and what a drain will do with each (captured), then the check that the drain can go
 * through with these parameters: refused before anything changes, with the way on.
 */
export function podsSteps(section: string): Step[] {
  return [
    {
      id: 'pods',
      title: 'List the pods on the node and what the drain will do with each',
      section,
      where: bastion,
      commands: (ctx) => [podsOnNodeCommand(nodeName(ctx), OC)],
      capture: captures(forecast),
    },
    {
      id: 'drain-check',
      title: 'Check that the drain can go through: pods without a controller need force=yes, pods with emptyDir volumes delete-local-data',
      section,
      where: bastion,
      precondition: {
        describe: 'no pod the drain would refuse with these parameters',
        command: (ctx) => podsOnNodeCommand(nodeName(ctx), OC),
        ok: (out, ctx) => {
          const pods = podsOf(out);
          if (typeof pods === 'string') return pods;
          return drainVerdict(nodeName(ctx), drainForecast(pods), forceParam(ctx), localDataParam(ctx));
        },
      },
      commands: (ctx) => [sh`printf '%s\\n' ${forecastLines(nodeName(ctx), forecast.of(ctx), forceParam(ctx), localDataParam(ctx))}`],
    },
  ];
}

/** `oc adm manage-node N --schedulable=false`. */
export function cordonStep(section: string): Step {
  return {
    id: 'cordon',
    title: 'Mark the node unschedulable (oc adm manage-node <node> --schedulable=false)',
    section,
    where: bastion,
    commands: (ctx) => [cordonCommand(nodeName(ctx), OC)],
    verify: {
      describe: 'the node is unschedulable (spec.unschedulable = true)',
      command: (ctx) => unschedulableCommand(nodeName(ctx)),
      ok: (out) => out.stdout.trim() === 'true' || `spec.unschedulable is ${JSON.stringify(out.stdout.trim())}`,
    },
  };
}

function drainOf(ctx: StepContext): ShellCommand {
  // before the pods are read (a plan): as the parameter says
  const emptyDirPods = forecast.maybe(ctx)?.emptyDir.length ?? (localDataParam(ctx) === 'no' ? 0 : 1);
  return drainCommand(
    {
      node: nodeName(ctx),
      ignoreDaemonsets: true,
      deleteLocalData: wantsLocalData(localDataParam(ctx), emptyDirPods),
      force: forceParam(ctx),
      timeoutSeconds: DRAIN_TIMEOUT_SECONDS,
    },
    ocVersionOf(ctx),
    OC,
  );
}

const drainedCheck = {
  describe: 'no pod is left on the node but daemon set and static pods',
  command: (ctx: StepContext) => podsOnNodeCommand(nodeName(ctx), OC),
  ok: (out: CommandOutput): true | string => {
    const pods = podsOf(out);
    if (typeof pods === 'string') return pods;
    const left = leftOnNode(pods);
    return left.length === 0 || `still on the node: ${names(left.map(podKey))}`;
  },
};

/**
 * The drain: `oc adm drain N --ignore-daemonsets [--delete-local-data] [--force] --timeout=300s`. Two
 * steps, one of which is skipped: without force a confirmation; with force=yes pods nothing recreates are
 * deleted for good, so the node's name must be typed.
 */
export function drainSteps(section: string): Step[] {
  const base = {
    section,
    where: bastion,
    commands: (ctx: StepContext) => [drainOf(ctx)],
    verify: drainedCheck,
    timeoutMs: (DRAIN_TIMEOUT_SECONDS + 60) * 1000,
  };
  return [
    {
      ...base,
      id: 'drain',
      title:
        'Evict the pods (oc adm drain <node> --ignore-daemonsets; --delete-local-data when a pod has an emptyDir ' +
        'volume and delete-local-data allows it)',
      skipIf: (ctx) => (forceParam(ctx) ? 'force=yes: the drain runs with --force (next step)' : undefined),
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          `The pods of ${nodeName(ctx)} are evicted (${keysOfKnown(forecast.maybe(ctx)?.evicted, '<pods>')}); ` +
          `their controllers recreate them on other nodes.${emptyDirNote(ctx)}`,
        protectedBy: () =>
          'nothing is deleted for good: every evicted pod has a controller that recreates it on another node (emptyDir contents excepted)',
      },
    },
    {
      ...base,
      id: 'drain-force',
      title:
        'Evict the pods with --force (oc adm drain <node> --ignore-daemonsets --force …): pods without a controller are deleted for good',
      skipIf: (ctx) => (forceParam(ctx) ? undefined : 'force=no: the drain runs without --force (previous step)'),
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) => {
          const bare = forecast.maybe(ctx)?.bare.map((p) => p.key) ?? ['<pods without a controller>'];
          const one = bare.length === 1;
          const deleted = bare.length
            ? `${names(bare)} ha${one ? 's' : 've'} no controller and ${one ? 'is' : 'are'} DELETED FOR GOOD ` +
              `(nothing recreates ${one ? 'it' : 'them'} elsewhere)`
            : 'no pod without a controller is on it now';
          return (
            `The pods of ${nodeName(ctx)} are evicted with --force: ` +
            `${deleted}; the others are recreated on other nodes.` +
            emptyDirNote(ctx)
          );
        },
        protectedBy: () => 'none for pods without a controller: copy out what they hold first (oc rsync) if it matters',
      },
    },
  ];
}

function emptyDirNote(ctx: StepContext): string {
  const known = forecast.maybe(ctx);
  if (!known) return localDataParam(ctx) === 'no' ? '' : ' Pods with emptyDir volumes lose that data (--delete-local-data).';
  const e = known.emptyDir.map((p) => p.key);
  return e.length && wantsLocalData(localDataParam(ctx), e.length)
    ? ` ${names(e)} lose${e.length === 1 ? 's' : ''} ${e.length === 1 ? 'its' : 'their'} emptyDir data (--delete-local-data).`
    : '';
}

/** The guide's check: `oc adm manage-node N --list-pods` shows none left (daemon set pods excepted). */
export function listPodsStep(section: string): Step {
  return {
    id: 'list-pods',
    title: 'List the pods left on the node (oc adm manage-node <node> --list-pods): none but daemon set pods',
    section,
    where: bastion,
    commands: (ctx) => [listPodsCommand(nodeName(ctx))],
    verify: drainedCheck,
  };
}

/** The pods still starting: exit 3 while a Pending pod is not one the scheduler has no node for. */
const STILL_STARTING = 3;

/**
 * The Pending pods, one line each, asked again (every 3 s, at most `seconds`) while some of them are still
 * starting. Never fails on pods that stay Pending: the report says why.
 */
export function watchPendingCommand(seconds: number): RepeatedCommand {
  const get = pendingPodsCommand(OC);
  const starting = sh`printf '%s\\n' "$out" | awk -F '\\t' 'NF >= 2 && $2 != "Unschedulable"' | grep -q .`;
  const watch = sh`out=$(${get}) || exit 1; printf '%s\\n' "$out"; if ${starting}; then exit ${STILL_STARTING}; fi`;
  const notYet = (a: CommandAnswer) => a.exitCode === STILL_STARTING;
  return {
    ...watch,
    wait: { everyMs: 3_000, withinMs: seconds * 1000, what: 'some pods had not started', notYet, whenTimeIsUp: 'report' },
  };
}

/** The pods still Pending when the watch ended (a plan: the Pending pods and why, read at run time). */
const pending = capture('pending', (o): PendingPod[] => parsePending(o[0]?.stdout ?? ''));

/** 5.3.1: watch the replacement pods start (bounded; a router that stays Pending is reported, not waited for). */
export function watchReplacementsSteps(section: string, seconds = 90): Step[] {
  return [
    {
      id: 'watch-replacements',
      title: `Watch the replacement pods start (up to ${seconds} s; pods with no node to go to are reported, not waited for)`,
      section,
      where: bastion,
      commands: () => [watchPendingCommand(seconds)],
      timeoutMs: (seconds + 60) * 1000,
      capture: captures(pending),
    },
    {
      id: 'replacements-report',
      title: 'Say which pods are still Pending and why (a router may stay Pending: host ports)',
      section,
      where: bastion,
      commands: (ctx) => [sh`printf '%s\\n' ${pendingReport(pending.of(ctx))}`],
    },
  ];
}

/** `oc delete node N`, once nothing but daemon set pods is left on it; the node's name must be typed. */
export function deleteNodeStep(section: string, what: string): Step {
  return {
    id: 'delete-node',
    title: 'Delete the node from the cluster (oc delete node <node>)',
    section,
    where: bastion,
    destructive: true,
    gate: {
      kind: 'type-host',
      what: (ctx) => `The node ${nodeName(ctx)} is deleted from the cluster (${what}).`,
      protectedBy: (ctx) =>
        `its host is untouched: ${nodeHost(ctx).name}'s node service registers it again if it is started (or the ` +
        `scale-up playbook adds it back)`,
    },
    precondition: drainedCheck,
    commands: (ctx) => [deleteNodeCommand(nodeName(ctx))],
    verify: {
      describe: 'oc get nodes no longer lists the node',
      command: () => oc('get', 'nodes', '-o', 'name'),
      ok: (out, ctx) => {
        if (out.exitCode !== 0) return `oc get nodes failed: ${firstErr(out)}`;
        return (
          !out.stdout.split('\n').some((l) => l.trim() === `node/${nodeName(ctx)}` || l.trim() === `nodes/${nodeName(ctx)}`) ||
          `${nodeName(ctx)} is still listed`
        );
      },
    },
  };
}
