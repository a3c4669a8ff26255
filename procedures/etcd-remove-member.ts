// 5.4.5 Removing an etcd host (and 5.2.1.4, the etcd part of a master decommission):
//   etcdctl2 cluster-health                                   (find the failed member's id)
//   etcdctl -C https://<surviving host IP address>:2379 --ca-file=/etc/etcd/ca.crt \
//     --cert-file=/etc/etcd/peer.crt --key-file=/etc/etcd/peer.key member remove <failed member ID>
//   master-restart api; master-restart controllers            (every master)
//   vi /etc/etcd/etcd.conf: drop the host from ETCD_INITIAL_CLUSTER (every remaining member; no etcd
//   restart needed, L1350)
//   inventory [etcd]; FLANNEL_ETCD_ENDPOINTS in /etc/sysconfig/flanneld + restart flanneld
// Beyond the guide's text: the member's id is found in the member list by its peer URL (else its name),
// never taken from a host name; the quorum arithmetic is shown and the removal refused when it would
// leave an even count below 3 (unless allow-even=yes) or when a remaining member is not healthy; etcd is
// stopped for good on the removed host the way it runs there (systemctl disable --now, or a static pod's
// manifest moved to pods-stopped/) so that it does not try to rejoin; nothing of its data is moved;
// etcd.conf is kept as etcd.conf.bak-<timestamp> before the edit. The masters' clients follow before the
// one restart (etcdClientInfo.urls of master-config.yaml and FLANNEL_ETCD_ENDPOINTS, etcd-add-member's
// edits), so that no API restarts with the removed member among its etcd URLs. L1333's `master-restart api
// restart-master controller` is read as the two restarts, done the way each master runs them, and the next
// master restarts only once this one's /healthz says ok.

import type { CommandOutput } from '../src/checks/types.js';
import { capture, captures } from '../src/engine/capture.js';
import type { Placement, Procedure, StepContext } from '../src/engine/types.js';
import { retryOn, until } from '../src/engine/wait.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import {
  controlPlaneProbe,
  disableCommand,
  disabledVerdict,
  etcdGonePredicate,
  etcdGoneVerdict,
  runtimeOf,
  stateCommand,
} from '../src/ocp/control-plane.js';
import {
  type EtcdMember,
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdctl3,
  etcdHosts,
  etcdPeerUrl,
  parseV2ClusterHealth,
  parseV2MemberList,
} from '../src/ocp/etcd.js';
import { type ShellCommand, sedReplacement, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, validateHostOfRole, yesNo } from './define.js';
import { clientSteps, urlsOf } from './etcd-add-member.js';
import { confValue, ETCD_CONF, quorumOf, restartMasterCommands, restartMastersStep, text } from './etcd-common.js';
import { etcdPanel } from './etcd-panel.js';

// ---- pure parts (tested) ---------------------------------------------------------------------------

/** The member to remove (the `member` parameter). */
export function removedHost(ctx: { params: Readonly<Record<string, string>>; inventory: Inventory }): Host {
  const name = ctx.params['member'];
  const h = etcdHosts(ctx.inventory).find((x) => x.name === name);
  if (!h) throw new Error(`${JSON.stringify(name ?? '')} is not an etcd member of the inventory`);
  return h;
}

/** The etcd hosts of the inventory other than the removed one, in inventory order. */
export function survivingHosts(ctx: { params: Readonly<Record<string, string>>; inventory: Inventory }): Host[] {
  const m = removedHost(ctx);
  return etcdHosts(ctx.inventory).filter((h) => h.name !== m.name);
}

/** Where etcdctl runs: `from`, else the first other etcd host. */
export function fromHost(ctx: { params: Readonly<Record<string, string>>; inventory: Inventory }): Host {
  const m = removedHost(ctx);
  const name = ctx.params['from'];
  if (name) {
    if (name === m.name) throw new Error(`from=${name} is the member being removed: choose a surviving member`);
    const h = etcdHosts(ctx.inventory).find((x) => x.name === name);
    if (!h) throw new Error(`from=${JSON.stringify(name)} is not an etcd member of the inventory`);
    return h;
  }
  const first = survivingHosts(ctx)[0];
  if (!first) throw new Error(`${m.name} is the only etcd member of the inventory: there is no member left to remove it from`);
  return first;
}

/** The member of a v2 member list that is `h`: by peer URL, else by name. Never by guessing. */
export function findMember(members: EtcdMember[], h: Host): EtcdMember | undefined {
  const byUrl = members.filter((m) => m.peerURLs.includes(etcdPeerUrl(h)));
  if (byUrl.length === 1) return byUrl[0];
  if (byUrl.length > 1) throw new Error(`${byUrl.length} members advertise ${etcdPeerUrl(h)}: ${byUrl.map((m) => m.id).join(', ')}`);
  const byName = members.filter((m) => m.name === h.name);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw new Error(`${byName.length} members are named ${h.name}: ${byName.map((m) => m.id).join(', ')}`);
  return undefined;
}

/** The quorum arithmetic of removing one member of `before`. */
export function removalArithmetic(before: number): string[] {
  const b = quorumOf(before);
  const a = quorumOf(before - 1);
  return [
    `members before: ${b.members}; quorum: ${b.quorum}; failures tolerated: ${b.tolerated}`,
    `members after:  ${a.members}; quorum: ${a.quorum}; failures tolerated: ${a.tolerated}`,
  ];
}

/**
 * May the member be removed? `before`: members in the member list; `unhealthyOthers`: the other members
 * (ids/names) cluster-health does not report healthy. Returns true, a warning (`warn: …`, allowed) or
 * a refusal sentence.
 */
export function removalVerdict(before: number, unhealthyOthers: string[], allowEven: boolean): true | { warn: string } | string {
  const after = before - 1;
  if (after < 1) return `the member is the only one of the cluster: removing it would leave no cluster (restore or rebuild instead)`;
  if (unhealthyOthers.length) {
    return (
      `the remaining members are not all healthy (${unhealthyOthers.join(', ')}): after the removal the cluster ` +
      `would have ${after} member(s) and need ${quorumOf(after).quorum}; bring them back first (etcd-health check)`
    );
  }
  if (after % 2 === 0 && after < 3 && !allowEven) {
    return (
      `removing it leaves ${after} members: an even count below 3 tolerates no failure (quorum ` +
      `${quorumOf(after).quorum} of ${after}); add a member first (etcd-add-member), or run again with allow-even=yes`
    );
  }
  if (before === 2)
    return {
      warn:
        `warning: removing a member of a 2-member cluster leaves 1 member that tolerates no failure; the removal ` +
        `itself needs both members' agreement (quorum 2)`,
    };
  if (after % 2 === 0) return { warn: `warning: ${after} members is an even count: it tolerates no more failures than ${after - 1}` };
  return true;
}

/** The quorum verdict from `member list` + `cluster-health` output, split by a `--- health` line. */
export function quorumCheck(out: string, removed: Host, allowEven: boolean): true | string {
  const [listPart, healthPart = ''] = out.split(/^--- health$/m);
  const members = parseV2MemberList(listPart ?? '');
  if (members.length === 0) return 'the member list is empty or could not be read';
  const m = findMember(members, removed);
  if (!m) return `${removed.name} (${etcdPeerUrl(removed)}) is not in the member list: already removed?`;
  const health = parseV2ClusterHealth(healthPart);
  const unhealthy = members
    .filter((x) => x.id !== m.id)
    .filter((x) => health.members.find((h) => h.id === x.id)?.health !== 'healthy')
    .map((x) => `${x.name || '(unstarted)'} ${x.id} ${health.members.find((h) => h.id === x.id)?.health ?? 'not reported'}`);
  const v = removalVerdict(members.length, unhealthy, allowEven);
  return v === true || typeof v === 'object' ? true : v;
}

/** ETCD_INITIAL_CLUSTER without the removed host's entries (by name or peer URL). */
export function dropFromInitialCluster(value: string, h: Host): string {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
    .filter((e) => {
      const i = e.indexOf('=');
      const name = i < 0 ? e : e.slice(0, i);
      const url = i < 0 ? '' : e.slice(i + 1);
      return name !== h.name && url !== etcdPeerUrl(h);
    })
    .join(',');
}

/** What the operator still does by hand (the guide's last steps). */
export function remainingWork(ctx: StepContext): string[] {
  const m = removedHost(ctx);
  const stamp = timeStamp(ctx.startedAt);
  return [
    `${m.name} is no longer an etcd member; the masters' etcdClientInfo.urls and FLANNEL_ETCD_ENDPOINTS no longer name ` +
      `it (previous files kept as .bak-${stamp}). Still to do by hand:`,
    `- the Ansible inventory: remove ${m.name} from [etcd] (so a playbook run does not add it back)`,
    `- keep the member count odd: add a member (etcd-add-member) if ${survivingHosts(ctx).length} is even`,
  ];
}

// ---- the procedure ---------------------------------------------------------------------------------

const onFrom: Placement = {
  on: 'hosts',
  describe: 'the surviving member etcdctl runs on (`from`)',
  mode: 'serial',
  hosts: (ctx) => [fromHost(ctx)],
};
const allEndpoints = (ctx: StepContext): string[] => etcdHosts(ctx.inventory).map(etcdClientUrl);
const survivorEndpoints = (ctx: StepContext): string[] => survivingHosts(ctx).map(etcdClientUrl);
const allowEven = (ctx: StepContext): boolean => ctx.params['allow-even'] === 'yes';
const bakOf = (ctx: StepContext): string => `${ETCD_CONF}.bak-${timeStamp(ctx.startedAt)}`;
const listAndHealth = (ctx: StepContext) =>
  sh`${etcdctl.memberListV2(allEndpoints(ctx))}; echo '--- health'; ${etcdctl.clusterHealth(allEndpoints(ctx))}`;

function memberOf(outputs: CommandOutput[], ctx: StepContext): EtcdMember {
  const list = parseV2MemberList(text(outputs[1] ?? { exitCode: null, stdout: '', stderr: '' }));
  const m = findMember(list, removedHost(ctx));
  if (!m) throw new Error(`${removedHost(ctx).name} (${etcdPeerUrl(removedHost(ctx))}) is not in the member list: nothing to remove`);
  return m;
}

/**
 * `member remove <id>` on a surviving member. When the member is the leader, leadership is moved to
 * `from` first (v3 move-leader, sent to the leader), so the cluster is never without a leader; a remove
 * refused for want of a leader (an election under way: nothing was removed) is asked again; after the
 * removal, waits until the survivors' member list answers without it.
 */
/** Why this host's ETCD_INITIAL_CLUSTER stays as it is (no line, or it does not name the removed host); undefined when it changes. */
export function initialClusterUnchanged(ctx: StepContext): string | undefined {
  const cur = ctx.captured.has('initial-cluster') ? ctx.captured.get('initial-cluster') : '';
  if (cur === '') return `${ctx.host?.name ?? 'this host'}: etcd.conf has no ETCD_INITIAL_CLUSTER line: nothing to change`;
  return dropFromInitialCluster(cur, removedHost(ctx)) === cur
    ? `${ctx.host?.name ?? 'this host'}: ETCD_INITIAL_CLUSTER does not name ${removedHost(ctx).name}: nothing to change`
    : undefined;
}

export function removeCommands(ctx: StepContext, id: string, fromId: string): ShellCommand[] {
  const list = etcdctl.memberListV2(survivorEndpoints(ctx));
  const listAll = etcdctl.memberListV2(allEndpoints(ctx));
  return [
    sh`if ${listAll} | grep -q ${`^${id}: .*isLeader=true`};
      then
      echo ${`member ${id} is the leader: moving leadership to ${fromId} first`};
      ${etcdctl3([etcdClientUrl(removedHost(ctx))], ['move-leader', fromId])} || exit 1; fi`,
    // right after a member joined or a leader moved, etcd answers "has no leader" for a moment and removes nothing
    retryOn(etcdctl.memberRemoveV2(survivorEndpoints(ctx), id), /has no leader|unhealthy cluster/, {
      withinMs: 60_000,
      what: 'member remove still refused (no leader)',
    }),
    until(sh`out=$(${list} 2>&1) && ! printf '%s\n' "$out" | grep -q ${`^${id}:`}`, {
      withinMs: 60_000,
      what: `the survivors' member list did not answer without ${id}`,
    }),
  ];
}

/** etcd on the removed host (its runtime's state and the listeners): stopped for good, and really gone. */
function removedStoppedVerdict(out: CommandOutput, ctx: StepContext): true | string {
  const h = removedHost(ctx);
  const r = runtimeOf(ctx, h, 'etcd');
  const off = disabledVerdict(out, r);
  return off === true ? etcdGoneVerdict(out, r, etcdAddress(h)) : off;
}

function validateFrom(value: string, inventory: Inventory): string | undefined {
  return validateHostOfRole('etcd')(value, inventory);
}

/** The members before the removal (a plan: the inventory's etcd hosts). */
const membersBeforeRemoval = capture(
  'members-before',
  (o) => parseV2MemberList(text(o[1] ?? { exitCode: null, stdout: '', stderr: '' })).length,
  (ctx) => etcdHosts(ctx.inventory).length,
);

export const etcdRemoveMember: Procedure = defineProcedure({
  id: 'etcd-remove-member',
  title: 'Remove an etcd member',
  section: '5.4.5, 5.2.1.4',
  guideLine: 1327,
  risk: 'destructive',
  summary: 'Removes a failed or retired member from the etcd cluster, restarts the masters and drops it from the survivors’ configuration.',
  // the removed member's etcd and every master's API and controllers are stopped or restarted the way each host runs them
  facts: [controlPlaneProbe],
  parameters: [
    hostParam('member', 'etcd', 'Member to remove'),
    {
      ...hostParam('from', 'etcd', 'Surviving member to run etcdctl on (default: the first other etcd host)', false),
      validate: validateFrom,
    },
    yesNo('allow-even', 'Allow leaving an even member count below 3 (2 members tolerate no failure)'),
  ],
  panel: etcdPanel(fromHost),
  steps: [
    {
      id: 'health-and-list',
      guard: true,
      title: 'Check the health and list the members (etcdctl2 cluster-health; member list) through every endpoint; find the member’s id',
      section: '5.4.5',
      where: onFrom,
      allowFailure: true,
      commands: (ctx) => [etcdctl.clusterHealth(allEndpoints(ctx)), etcdctl.memberListV2(allEndpoints(ctx))],
      capture: {
        'member-id': (o, ctx) => memberOf(o, ctx).id,
        ...captures(membersBeforeRemoval),
        'from-id': (o, ctx) => {
          const f = findMember(parseV2MemberList(text(o[1] ?? { exitCode: null, stdout: '', stderr: '' })), fromHost(ctx));
          if (!f) throw new Error(`${fromHost(ctx).name} (from) is not in the member list: choose a member of the cluster with from=`);
          return f.id;
        },
      },
      verify: {
        describe: 'the member list answers and has the member (by peer URL, else name)',
        command: (ctx) => etcdctl.memberListV2(allEndpoints(ctx)),
        ok: (out, ctx) => {
          if (out.exitCode !== 0) return `member list failed: ${text(out).trim().slice(-200)}`;
          const m = findMember(parseV2MemberList(text(out)), removedHost(ctx));
          return m ? true : `${removedHost(ctx).name} (${etcdPeerUrl(removedHost(ctx))}) is not in the member list`;
        },
      },
    },
    {
      id: 'quorum',
      guard: true,
      title: 'Show the quorum arithmetic; refuse an even count below 3 (without allow-even=yes) or unhealthy remaining members',
      section: '5.4.5',
      where: onFrom,
      precondition: {
        describe: 'the remaining members are all healthy and the count left is allowed',
        command: listAndHealth,
        ok: (out, ctx) => quorumCheck(text(out), removedHost(ctx), allowEven(ctx)),
      },
      commands: (ctx) => {
        const before = membersBeforeRemoval.of(ctx);
        const v = removalVerdict(before, [], allowEven(ctx));
        const lines = [
          `removing ${removedHost(ctx).name} (member ${ctx.captured.get('member-id')}, ` +
            `${etcdPeerUrl(removedHost(ctx))}); etcdctl runs on ${fromHost(ctx).name}`,
          ...removalArithmetic(before),
          ...(typeof v === 'object' ? [v.warn] : []),
        ];
        return [sh`printf '%s\\n' ${lines}`];
      },
    },
    {
      id: 'member-remove',
      title: 'Remove the member by its id: etcdctl2 member remove <id> (on a surviving member)',
      section: '5.4.5',
      where: onFrom,
      destructive: true,
      gate: {
        kind: 'type-host',
        what: (ctx) => {
          const removed = `${ctx.captured.get('member-id')} (${removedHost(ctx).name}, ${etcdPeerUrl(removedHost(ctx))})`;
          const surviving = survivingHosts(ctx).map((h) => h.name);
          return (
            `etcd member ${removed} is removed from the cluster; ${surviving.length} member(s) remain (${surviving.join(', ')}). ` +
            `etcdctl runs on ${fromHost(ctx).name}.`
          );
        },
        protectedBy: (ctx) =>
          `nothing is deleted: ${removedHost(ctx).name}'s data stays in /var/lib/etcd; it can be added back ` +
          `(etcd-add-member) with an empty data dir`,
        // the member being removed is named, not the survivor etcdctl runs on
        expect: (ctx) => removedHost(ctx).name,
      },
      precondition: {
        describe: 'the remaining members are all healthy and the count left is allowed (checked again)',
        command: listAndHealth,
        ok: (out, ctx) => quorumCheck(text(out), removedHost(ctx), allowEven(ctx)),
      },
      commands: (ctx) => removeCommands(ctx, ctx.captured.get('member-id'), ctx.captured.get('from-id')),
      timeoutMs: 2 * 60_000,
      verify: {
        describe: 'the member id is no longer in the member list',
        command: (ctx) => etcdctl.memberListV2(survivorEndpoints(ctx)),
        ok: (out, ctx) => {
          if (out.exitCode !== 0) return `member list failed: ${text(out).trim().slice(-200)}`;
          const id = ctx.captured.get('member-id');
          return !parseV2MemberList(text(out)).some((m) => m.id === id) || `member ${id} is still in the member list`;
        },
      },
    },
    {
      id: 'stop-removed',
      title:
        'Stop etcd for good on the removed host (systemctl disable --now etcd, or its static pod’s manifest moved to ' +
        '/etc/origin/node/pods-stopped/) so it does not try to rejoin; its data is left in place',
      section: '5.4.5',
      where: { on: 'param', param: 'member' },
      commands: (ctx) => {
        const h = removedHost(ctx);
        const r = runtimeOf(ctx, h, 'etcd');
        return [
          disableCommand(r),
          until(etcdGonePredicate(r, etcdAddress(h)), { withinMs: 90_000, what: `etcd on ${h.name} did not stop` }),
        ];
      },
      timeoutMs: 3 * 60_000,
      verify: {
        describe:
          'etcd on the removed host is stopped, does not start again (unit disabled, or no manifest in pods/), and ' +
          'nothing listens on its 2379/2380',
        command: (ctx) => sh`${stateCommand(runtimeOf(ctx, removedHost(ctx), 'etcd'))}; ss -ltn 2>/dev/null`,
        ok: (out, ctx) => removedStoppedVerdict(out, ctx),
      },
    },
    {
      id: 'read-initial-cluster',
      title: 'Read ETCD_INITIAL_CLUSTER on every remaining member',
      section: '5.4.5',
      where: { on: 'hosts', describe: 'every remaining etcd member', mode: 'serial', hosts: survivingHosts },
      commands: () => [sh`grep -E '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF} || true`],
      capture: {
        'initial-cluster': (o) => confValue(o[o.length - 1]?.stdout ?? '', 'ETCD_INITIAL_CLUSTER') ?? '',
      },
    },
    {
      id: 'edit-initial-cluster',
      title:
        'Drop the removed host from ETCD_INITIAL_CLUSTER in /etc/etcd/etcd.conf (a .bak-<timestamp> copy first; no etcd restart needed)',
      section: '5.4.5',
      where: { on: 'hosts', describe: 'every remaining etcd member', mode: 'serial', hosts: survivingHosts },
      // Decided per host, from that host's own line: the survivors' lines differ (a member that joined by
      // `member add` has the list that add printed), and a step-level skip sees only one host's capture.
      commands: (ctx) => {
        // A plan shows the edit as it is on a host whose line names the member: no host's line is read yet
        if (ctx.planning) {
          const bak = bakOf(ctx);
          return [
            sh`test -e ${bak} || cp -p ${ETCD_CONF} ${bak}`,
            sh`sed -i -e
              's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER='${sedReplacement('<initial-cluster without the member>')}'|' ${ETCD_CONF}`,
            sh`grep -E '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF}`,
          ];
        }
        const why = initialClusterUnchanged(ctx);
        if (why) return [sh`echo ${why}`];
        const next = dropFromInitialCluster(ctx.captured.get('initial-cluster'), removedHost(ctx));
        const bak = bakOf(ctx);
        return [
          sh`test -e ${bak} || cp -p ${ETCD_CONF} ${bak}`,
          sh`sed -i -e 's|^ETCD_INITIAL_CLUSTER=.*|ETCD_INITIAL_CLUSTER='${sedReplacement(next)}'|' ${ETCD_CONF}`,
          sh`grep -E '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF}`,
        ];
      },
      verify: {
        describe: 'ETCD_INITIAL_CLUSTER no longer names the removed host (and a .bak copy exists where it changed)',
        command: (ctx) =>
          initialClusterUnchanged(ctx)
            ? sh`grep -E '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF} || true`
            : sh`ls ${bakOf(ctx)} >/dev/null && grep -E '^ETCD_INITIAL_CLUSTER=' ${ETCD_CONF}`,
        ok: (out, ctx) => {
          const unchanged = initialClusterUnchanged(ctx);
          if (out.exitCode !== 0) return `no ${bakOf(ctx)} or no ETCD_INITIAL_CLUSTER line`;
          const v = confValue(out.stdout, 'ETCD_INITIAL_CLUSTER') ?? '';
          if (unchanged && v === '') return true;
          return (v !== '' && dropFromInitialCluster(v, removedHost(ctx)) === v) || `ETCD_INITIAL_CLUSTER is ${JSON.stringify(v)}`;
        },
      },
    },
    // the clients first, so that the one restart below reads etcd URLs without the removed member
    ...clientSteps({ idPrefix: '', add: false, drop: (ctx) => urlsOf(removedHost(ctx)), restart: false }),
    restartMastersStep('5.4.5', {
      describe: 'every master but the removed host',
      hosts: (ctx) => hostsOfRole(ctx.inventory, 'master').filter((h) => h.name !== removedHost(ctx).name),
    }),
    {
      id: 'restart-removed-master',
      title: 'Restart the master API and controllers on the removed host, when it is a master too',
      section: '5.4.5',
      where: { on: 'param', param: 'member' },
      skipIf: (ctx) => (removedHost(ctx).roles.includes('master') ? undefined : `${removedHost(ctx).name} is not a master`),
      allowFailure: true,
      commands: (ctx) => restartMasterCommands(ctx),
      timeoutMs: 8 * 60_000,
    },
    {
      id: 'verify',
      title: 'Check: the member list no longer has it, and the cluster is healthy (etcdctl2 member list; cluster-health)',
      section: '5.4.5',
      where: onFrom,
      commands: (ctx) => [etcdctl.memberListV2(survivorEndpoints(ctx)), etcdctl.clusterHealth(survivorEndpoints(ctx))],
      verify: {
        describe: 'the removed member is gone from the list and cluster-health says healthy',
        command: (ctx) =>
          sh`${etcdctl.memberListV2(survivorEndpoints(ctx))}; echo '--- health'; ${etcdctl.clusterHealth(survivorEndpoints(ctx))}`,
        ok: (out, ctx) => {
          const [listPart, healthPart = ''] = text(out).split(/^--- health$/m);
          const ms = parseV2MemberList(listPart ?? '');
          const h = removedHost(ctx);
          if (ms.length === 0) return 'the member list could not be read';
          if (ms.some((m) => m.id === ctx.captured.get('member-id') || m.peerURLs.includes(etcdPeerUrl(h))))
            return `${h.name} is still in the member list`;
          const health = parseV2ClusterHealth(healthPart);
          return health.cluster === 'healthy' || `etcd reports the cluster ${health.cluster}`;
        },
      },
    },
    {
      id: 'remaining-work',
      title: 'What the operator still does: the inventory’s [etcd]',
      section: '5.4.5',
      where: { on: 'bastion' },
      commands: (ctx) => [sh`printf '%s\\n' ${remainingWork(ctx)}`],
    },
  ],
});

export default etcdRemoveMember;
