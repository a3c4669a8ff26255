// 5.4.3 Replacing an etcd host: grow the cluster, then remove the host, so that quorum holds while the
// replacement runs; back up etcd's data and configuration first. The guide gives no commands of its own:
// the growing is 5.4.4.2 (etcd-add-member's steps, for `new`), the removal 5.4.5 (etcd-remove-member's
// steps, for `old`), run here in that order through reuseStep.
// Beyond the guide's text: the backup is a v3 snapshot taken on a surviving member plus every member's
// /etc/etcd, in a directory of this run (/backup/etcd-replace-<timestamp>), so that no earlier backup is
// overwritten; the removal starts only when the new member is started and every remaining member is
// healthy (etcd-remove-member's quorum check, through the endpoints of the cluster as it is then); the
// clients (etcdClientInfo.urls of master-config.yaml, FLANNEL_ETCD_ENDPOINTS) change once, the new URL in
// and the old one out, and the masters restart once, after the removal. Replacing a member that has
// already failed is refused by the addition's own check: with it down, 4 members would need 3 votes while
// only 2 answer until the new one runs — remove it first (etcd-remove-member), then add (etcd-add-member).

import { reuseStep, reuseSteps, type StepReuse } from '../src/engine/reuse.js';
import type { Params, Placement, Procedure, StandingContext, Step, StepContext, WhereItStands } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { controlPlaneProbe } from '../src/ocp/control-plane.js';
import { etcdAddress, etcdClientUrl, etcdctl, etcdHosts, etcdPeerUrl, parseV2ClusterHealth, parseV2MemberList } from '../src/ocp/etcd.js';
import { argv, sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, textParam } from './define.js';
import {
  addMemberSteps,
  archivePath,
  caHost,
  clientSteps,
  membersBeforeAdd,
  prefixDir,
  refuseJoining,
  urlsOf,
  validateIp,
  validateNewHost,
} from './etcd-add-member.js';
import { etcdBackup } from './etcd-backup.js';
import { quorumOf, text } from './etcd-common.js';
import { etcdPanel } from './etcd-panel.js';
import { etcdRemoveMember } from './etcd-remove-member.js';

type Ctx = { params: Params; inventory: Inventory };

// ---- who and where (pure, tested) ------------------------------------------------------------------

/** The member being replaced (`old`). */
export function oldMember(ctx: Ctx): Host {
  const name = ctx.params['old'];
  const h = etcdHosts(ctx.inventory).find((x) => x.name === name);
  if (!h) throw new Error(`old=${JSON.stringify(name ?? '')} is not an etcd member of the inventory`);
  return h;
}

/** The host taking its place (`new`). */
export function replacement(ctx: Ctx): Host {
  const name = ctx.params['new'];
  const h = ctx.inventory.hosts.find((x) => x.name === name);
  if (!h) throw new Error(`new=${JSON.stringify(name ?? '')} is not a host of the inventory`);
  return h;
}

/** The members that stay all along: the inventory's [etcd] hosts but `old` (and `new`, should it be listed). */
export function stayingMembers(ctx: Ctx): Host[] {
  const o = oldMember(ctx);
  const n = ctx.params['new'];
  return etcdHosts(ctx.inventory).filter((h) => h.name !== o.name && h.name !== n);
}

/** Where etcdctl runs for the backup and the removal: the first member that stays. */
export function survivor(ctx: Ctx): Host {
  const s = stayingMembers(ctx)[0];
  if (!s)
    throw new Error(
      `${oldMember(ctx).name} is the only etcd member besides the new host: a one-member cluster is restored or rebuilt, not replaced`,
    );
  return s;
}

/** The inventory as it is once the new host is a member: `new` counted as an [etcd] host. */
export function inventoryWithNewMember(ctx: Ctx): Inventory {
  const n = replacement(ctx).name;
  return {
    ...ctx.inventory,
    hosts: ctx.inventory.hosts.map((h) => (h.name === n && !h.roles.includes('etcd') ? { ...h, roles: [...h.roles, 'etcd'] } : h)),
  };
}

/** The members after the replacement (inventory order), their client URLs: what the final check asks. */
export function membersAfter(ctx: Ctx): Host[] {
  const o = oldMember(ctx).name;
  return etcdHosts(inventoryWithNewMember(ctx)).filter((h) => h.name !== o);
}

export const backupDir = (ctx: StepContext): string => `/backup/etcd-replace-${timeStamp(ctx.startedAt)}`;

/** The plan in numbers: members and quorum before, while both are members, and after. */
export function replacementArithmetic(before: number): string[] {
  const b = quorumOf(before);
  const both = quorumOf(before + 1);
  return [
    `members now: ${b.members}; quorum ${b.quorum}; failures tolerated ${b.tolerated}`,
    `from member add until etcd runs on the new host: ${before} of ${both.members} vote, quorum ${both.quorum}, failures ` +
      `tolerated ${Math.max(0, before - both.quorum)}`,
    `with both members: ${both.members}; quorum ${both.quorum}; failures tolerated ${both.tolerated}`,
    `after the removal: ${b.members} again; quorum ${b.quorum}; failures tolerated ${b.tolerated}`,
  ];
}

/** The final check: `member list`, `--- health`, cluster-health through the members after the replacement. */
export function replacedVerdict(out: string, ctx: Ctx, before: number): true | string {
  const [listPart, healthPart = ''] = out.split(/^--- health$/m);
  const members = parseV2MemberList(listPart ?? '');
  if (members.length === 0) return 'the member list could not be read';
  const o = oldMember(ctx);
  const n = replacement(ctx);
  if (members.some((m) => m.peerURLs.includes(etcdPeerUrl(o)) || m.name === o.name)) return `${o.name} is still in the member list`;
  const nm = members.find((m) => m.name === n.name);
  if (!nm) return `${n.name} is not a started member (member list: ${members.map((m) => m.name || `(unstarted) ${m.id}`).join(', ')})`;
  if (members.length !== before) return `${members.length} members, not ${before} as before the replacement`;
  const health = parseV2ClusterHealth(healthPart);
  return health.cluster === 'healthy' || `etcd reports the cluster ${health.cluster}`;
}

export function remainingWork(ctx: StepContext): string[] {
  const o = oldMember(ctx);
  const n = replacement(ctx);
  const lines = [
    `${n.name} has replaced ${o.name} as an etcd member. Still to do by hand:`,
    `- the Ansible inventory: move ${n.name} from [new_etcd] to [etcd], and remove ${o.name} from [etcd] (so that ` +
      `playbooks and this console know the members as they are)`,
    `- ${o.name}: etcd is stopped and disabled, its data left in /var/lib/etcd (nothing was deleted); retire the host or ` +
      `reuse it once you no longer need that copy`,
    `- ${caHost(addParams(ctx)).name} keeps ${n.name}'s certificates in ${prefixDir(addParams(ctx))} and ${archivePath(addParams(ctx))}`,
    `- the backup taken before the change: ${backupDir(ctx)} (the v3 snapshot on ${survivor(ctx).name}, /etc/etcd on every member)`,
  ];
  if (o.roles.includes('master'))
    lines.push(
      `- ${o.name} is still a master (API and controllers, now using the other etcd members); decommission it with ` +
        `master-decommission if the host is being retired`,
    );
  return lines;
}

// ---- the two halves, as their own procedures see them ---------------------------------------------

/** etcd-add-member's parameters: the new host as `host`. */
export function addParams(ctx: Ctx): Ctx {
  const p: Record<string, string> = { host: ctx.params['new'] ?? '' };
  if (ctx.params['ip']) p['ip'] = ctx.params['ip'];
  if (ctx.params['ca-host']) p['ca-host'] = ctx.params['ca-host'];
  return { params: p, inventory: ctx.inventory };
}

/** etcd-remove-member's parameters and inventory: `old` as `member`, the new host already an [etcd] host. */
export function removeParams(ctx: Ctx): Ctx {
  // the count does not change (one in, one out): the even-count rule of a plain removal does not apply
  return {
    params: { member: ctx.params['old'] ?? '', from: survivor(ctx).name, 'allow-even': 'yes' },
    inventory: inventoryWithNewMember(ctx),
  };
}

const asAdd: StepReuse = { idPrefix: 'add-', context: addParams, hostParams: { host: 'new' } };
// the removal's captures (members-before, initial-cluster, …) would meet the addition's: prefixed
const asRemove: StepReuse = { idPrefix: 'remove-', capturePrefix: 'old-', context: removeParams, hostParams: { member: 'old' } };

const removeStep = (id: string): Step => {
  const s = etcdRemoveMember.steps.find((x) => x.id === id);
  if (!s) throw new Error(`etcd-remove-member has no step ${id}`);
  return reuseStep(s, asRemove);
};
const backupStep = (id: string): Step => {
  const s = etcdBackup.steps.find((x) => x.id === id);
  if (!s) throw new Error(`etcd-backup has no step ${id}`);
  return reuseStep(s, {
    idPrefix: 'backup-',
    context: (ctx) => ({ params: { host: survivor(ctx).name, 'backup-dir': backupDir(ctx as StepContext) } }),
  });
};

const onSurvivor: Placement = {
  on: 'hosts',
  describe: 'the first etcd member that stays',
  mode: 'serial',
  hosts: (ctx) => [survivor(ctx)],
};
const afterEndpoints = (ctx: Ctx): string[] => membersAfter(ctx).map(etcdClientUrl);
/** The members before the replacement: as the addition counted them (etcd-add-member's capture), else the inventory's. */
const membersNow = (ctx: StepContext): number => membersBeforeAdd.maybe({ ...ctx, ...addParams(ctx) }) ?? stayingMembers(ctx).length + 1;

// ---- after a run that did not finish ----------------------------------------------------------------

export function replaceWhereItStands(ctx: StandingContext): WhereItStands {
  const o = ctx.params['old'] ?? 'the old member';
  const n = ctx.params['new'] ?? 'the new host';
  const st = (id: string) => ctx.steps[id];
  const done = (id: string) => st(id)?.status === 'ok' || st(id)?.status === 'skipped';
  const begun = (id: string) =>
    done(id) || st(id)?.destructiveBegun === true || st(id)?.status === 'failed' || st(id)?.status === 'interrupted';
  const panel = ctx.panel ? [`the etcd cluster ${ctx.panel.when}: ${ctx.panel.view.summary.text}`] : [];
  const backup = `the backup of this run is in ${backupDir(ctx)} on ${(() => {
    try {
      return survivor(ctx).name;
    } catch {
      return 'the first member that stays';
    }
  })()}`;
  if (!begun('add-member-add')) {
    return {
      state: [`nothing has changed in the etcd cluster: ${o} is still a member, ${n} has not been added`, ...panel],
      next: 'Fix what the failed step says and run again: the run resumes where it stopped.',
      cautions: [backup],
    };
  }
  if (!begun('remove-member-remove')) {
    const started = done('add-start');
    return {
      state: [
        `${n} has been added to the etcd cluster${started ? ' and runs' : ', but etcd may not run on it yet'}; ${o} is ` +
          `still a member: the cluster has one member more than before`,
        ...panel,
      ],
      next: started
        ? `Run again to finish: ${o} is removed once every remaining member is healthy. To keep both, stop here and fix ` +
          `the inventory ([etcd]) by hand.`
        : `Run again to finish starting etcd on ${n}. To go back instead: remove ${n} (etcd-remove-member member=${n}).`,
      cautions: [
        ...(started
          ? []
          : [`until etcd runs on ${n}, its vote is missing: the cluster tolerates one failure less — do not stop another member`]),
        backup,
      ],
    };
  }
  return {
    state: [
      `${o} has been removed from the etcd ` +
        `cluster${done('remove-member-remove') ? '' : ' (or its removal was under way)'}; ${n} is a member`,
      ...panel,
    ],
    next:
      'Run again to finish: the survivors’ ETCD_INITIAL_CLUSTER, the masters’ etcdClientInfo.urls and flanneld, then ' +
      'the master restarts.',
    cautions: [`do not start etcd on ${o} again: it is no longer a member`, backup],
  };
}

// ---- the procedure ---------------------------------------------------------------------------------

const panel = etcdPanel(survivor);

export const etcdReplace: Procedure = defineProcedure({
  id: 'etcd-replace',
  title: 'Replace an etcd member',
  section: '5.4.3',
  guideLine: 1166,
  risk: 'destructive',
  summary: 'Adds the new member first and removes the old one afterwards, so quorum holds throughout.',
  // each host's etcd, API and controllers are stopped, started and restarted the way it runs them
  facts: [controlPlaneProbe],
  refuse: (ctx) => refuseJoining({ ...ctx, ...addParams(ctx) }),
  parameters: [
    hostParam('old', 'etcd', 'Member to replace (it must still be healthy; a failed member is removed first, then a new one added)'),
    { ...hostParam('new', 'new_etcd', 'Host that takes its place'), validate: validateNewHost },
    { ...textParam('ip', 'IP address of the new host; default: from the inventory', false), validate: (v) => validateIp(v) },
    hostParam('ca-host', 'etcd', 'Member holding /etc/etcd/ca; default: the first etcd host', false),
  ],
  // the cluster as it will be: the new host's endpoint is asked too once it is a member
  panel: {
    ...panel,
    where: (ctx) => panel.where({ ...ctx, inventory: inventoryWithNewMember(ctx) }),
    command: (ctx) => panel.command({ ...ctx, inventory: inventoryWithNewMember(ctx) }),
  },
  whereItStands: (ctx) => replaceWhereItStands(ctx),
  steps: [
    {
      id: 'plan',
      title: 'The replacement in numbers: the new member is added first, the old one removed after, quorum kept all along',
      section: '5.4.3',
      where: { on: 'bastion' },
      precondition: {
        describe: 'old and new are two different hosts; old is an etcd member and a member stays besides it',
        command: () => argv('true'),
        ok: (_o, ctx) => {
          if (ctx.params['old'] === ctx.params['new'])
            return `old and new are both ${ctx.params['old']}: name the member to replace (old) and another host to take its place (new)`;
          try {
            survivor(ctx);
            return true;
          } catch (e) {
            return (e as Error).message;
          }
        },
      },
      commands: (ctx) => {
        const lines = [
          `${replacement(ctx).name} (${etcdAddress(replacement(ctx))}) replaces ${oldMember(ctx).name} ` +
            `(${etcdAddress(oldMember(ctx))}); etcdctl runs on ${survivor(ctx).name}`,
          ...replacementArithmetic(stayingMembers(ctx).length + 1),
        ];
        return [sh`printf '%s\\n' ${lines}`];
      },
    },
    {
      id: 'backup-config',
      title: 'Back up the etcd configuration (/etc/etcd) of every member into this run’s backup directory',
      section: '5.4.3',
      where: { on: 'role', role: 'etcd', mode: 'serial' },
      commands: (ctx) => [sh`mkdir -p ${`${backupDir(ctx)}/`}`, sh`cp -R /etc/etcd/ ${`${backupDir(ctx)}/`}`],
      verify: {
        describe: 'etcd.conf is in the configuration backup',
        command: (ctx) => sh`test -s ${`${backupDir(ctx)}/etcd/etcd.conf`}`,
        ok: (out) => out.exitCode === 0 || 'etcd/etcd.conf is missing from the configuration backup',
      },
    },
    backupStep('snapshot-save'),
    ...reuseSteps(addMemberSteps({ clients: false }), asAdd),
    ...['health-and-list', 'quorum', 'member-remove', 'stop-removed', 'read-initial-cluster', 'edit-initial-cluster'].map(removeStep),
    // the clients once: the new member's URL in, the old one's out; the masters restart in the next step
    ...reuseSteps(clientSteps({ idPrefix: 'clients-', add: true, drop: (ctx) => urlsOf(oldMember(ctx)), restart: false }), {
      idPrefix: '',
      context: (ctx) => ({ params: { ...addParams(ctx).params, old: ctx.params['old'] ?? '' } }),
    }),
    removeStep('restart-masters'),
    removeStep('restart-removed-master'),
    {
      id: 'verify',
      title: 'Check: the new member is in the member list, the old one is not, as many members as before, the cluster healthy',
      section: '5.4.3',
      where: onSurvivor,
      commands: (ctx) => [etcdctl.memberListV2(afterEndpoints(ctx)), etcdctl.clusterHealth(afterEndpoints(ctx))],
      verify: {
        describe: 'new in, old out, the count unchanged, cluster-health says healthy',
        command: (ctx) =>
          sh`${etcdctl.memberListV2(afterEndpoints(ctx))}; echo '--- health'; ${etcdctl.clusterHealth(afterEndpoints(ctx))}`,
        ok: (out, ctx) => replacedVerdict(text(out), ctx, membersNow(ctx)),
      },
    },
    {
      id: 'remaining-work',
      title: 'What the operator still does: the inventory’s [etcd] and [new_etcd], the old host',
      section: '5.4.3',
      where: { on: 'bastion' },
      commands: (ctx) => [sh`printf '%s\\n' ${remainingWork(ctx)}`],
    },
  ],
});

export default etcdReplace;
