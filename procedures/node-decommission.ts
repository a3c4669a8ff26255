// 5.3.1 Deprecating a node host — the same for infra and application nodes, on the bastion and the [lb] hosts:
//   prerequisite: capacity for the node's pods elsewhere; an infra node only while at least 2 infra nodes
//   stay online (3 for full high availability)
//   oc get nodes; oc describe node N                     (what runs there)
//   oc adm drain N --delete-local-data                   (the node is cordoned; --force for bare pods)
//   oc get pods                                          (replacements; a router may stay Pending: host ports)
//   oc scale dc/router --replicas N; oc scale dc/docker-registry --replicas N  (infra node not replaced)
//   oc get nodes (SchedulingDisabled); oc describe node N (no pods)
//   /etc/haproxy/haproxy.cfg: drop the node from backend router80 and router443; systemctl restart haproxy
//   oc delete node N
// Beyond the guide's text: the capacity check is made (and the run refused, unless allow-low-capacity=yes)
// before anything changes, like the drain check (node-evacuate); a master is refused here
// (master-decommission); replacements are watched for at most 90 s and the Pending ones are explained
// rather than waited for; the router follows the number of infra nodes left and the registry is scaled
// only when one of its pods ran on the node, unless router-replicas / registry-replicas say otherwise;
// haproxy.cfg keeps every other byte (copy first, diff, haproxy -c, put back on failure).

import type { CommandOutput } from '../src/checks/types.js';
import { capture, captures } from '../src/engine/capture.js';
import type { Procedure, Step, StepContext } from '../src/engine/types.js';
import { hostsOfRole } from '../src/inventory/hosts.js';
import { HAPROXY_CFG } from '../src/ocp/haproxy.js';
import { type NodeRow, nodesCommand, parseNodeRows } from '../src/ocp/nodes.js';
import { dcReplicasCommand, scaleDcCommand } from '../src/ocp/oc.js';
import { sh } from '../src/transport/shell.js';
import { timeStamp } from './backup-common.js';
import { defineProcedure, hostParam, oneOf, textParam, yesNo } from './define.js';
import {
  capacityVerdict,
  cordonStep,
  decodeTarget,
  deleteNodeStep,
  drainSteps,
  encodeTarget,
  forecastOf,
  haproxySteps,
  isInfraRow,
  kindOfNode,
  listPodsStep,
  type NodeKind,
  nodeFactsStep,
  nodeHost,
  nodeName,
  oc,
  podsSteps,
  scaleTarget,
  validateReplicas,
  watchReplacementsSteps,
} from './node-common.js';

const SECTION = '5.3.1';

const kindOf = (ctx: StepContext): NodeKind => kindOfNode.of(ctx);
const allowLow = (ctx: StepContext): boolean => ctx.params['allow-low-capacity'] === 'yes';
const rowsOf = (out: CommandOutput): NodeRow[] => {
  if (out.exitCode !== 0) throw new Error(`oc get nodes failed: ${(out.stderr.trim() || out.stdout.trim()).split('\n')[0]}`);
  return parseNodeRows(out.stdout);
};

/** The capacity arithmetic's lines: the nodes left online, by kind. */
const capacity = capture(
  'capacity',
  (o, ctx) => capacityVerdict(rowsOf(o[1]!), nodeName(ctx), kindOf(ctx), ctx.inventory, allowLow(ctx)).lines,
  () => ['<the nodes left online, by kind>'],
);

/** The capacity check of 5.3.1 (refusing a master: that is master-decommission). */
export function capacityStep(): Step {
  return {
    id: 'capacity',
    title:
      'Check the capacity left: an infra node only while 2 infra nodes stay online (3 for full high availability); not ' +
      'the last compute node',
    section: SECTION,
    where: { on: 'bastion' },
    precondition: {
      describe: 'enough nodes stay online for the pods (or allow-low-capacity=yes); not a master',
      command: () => nodesCommand(),
      ok: (out, ctx) => {
        if (kindOf(ctx) === 'master')
          return (
            `${nodeName(ctx)} is a master: decommission it with master-decommission (it also takes it out of the ` +
            `API load balancer and etcd)`
          );
        const v = capacityVerdict(rowsOf(out), nodeName(ctx), kindOf(ctx), ctx.inventory, allowLow(ctx));
        return v.ok || v.refusal!;
      },
    },
    commands: () => [oc('get', 'nodes'), nodesCommand()],
    capture: captures(capacity),
  };
}

export function capacityReportStep(): Step {
  return {
    id: 'capacity-report',
    title: 'Show the capacity arithmetic',
    section: SECTION,
    where: { on: 'bastion' },
    commands: (ctx) => [sh`printf '%s\\n' ${capacity.of(ctx)}`],
  };
}

const DCS = [
  { dc: 'router', param: 'router-replicas', capture: 'router-target' },
  { dc: 'docker-registry', param: 'registry-replicas', capture: 'registry-target' },
] as const;

/** 5.3.1: scale the router and the registry down when the infra node is not replaced. */
export function scaleSteps(): Step[] {
  const targets = (ctx: StepContext) => DCS.map((d) => ({ ...d, target: decodeTarget(ctx.captured.get(d.capture)) }));
  return [
    {
      id: 'scale-read',
      title: 'Read the router and registry replicas and the infra nodes left',
      section: SECTION,
      where: { on: 'bastion' },
      allowFailure: true,
      commands: () => [dcReplicasCommand('router'), dcReplicasCommand('docker-registry'), nodesCommand()],
      capture: Object.fromEntries(
        DCS.map((d, i) => [
          d.capture,
          (o: CommandOutput[], ctx: StepContext) => {
            const out = o[i]!;
            const current = out.exitCode === 0 && /^\d+$/.test(out.stdout.trim()) ? Number(out.stdout.trim()) : undefined;
            const rows = rowsOf(o[2]!);
            const remainingInfra = rows.filter(
              (r) => r.name !== nodeName(ctx) && !r.master && isInfraRow(r, ctx.inventory) && r.ready === 'True' && r.schedulable,
            ).length;
            const param = ctx.params[d.param];
            return encodeTarget(
              scaleTarget({
                dc: d.dc,
                current,
                kind: kindOf(ctx),
                remainingInfra,
                ranThere: forecastOf(ctx).infraDcs.includes(d.dc),
                ...(param !== undefined ? { param } : {}),
              }),
            );
          },
        ]),
      ),
    },
    {
      id: 'scale',
      title: 'Scale the router and the registry to the infra nodes left (oc scale dc/router|docker-registry --replicas N)',
      section: SECTION,
      where: { on: 'bastion' },
      skipIf: (ctx) => {
        const t = targets(ctx);
        return t.every((x) => 'keep' in x.target)
          ? `nothing to scale: ${t.map((x) => ('keep' in x.target ? x.target.keep : '')).join('; ')}`
          : undefined;
      },
      // A plan shows both scale commands, their replicas still to be read, and what the gate will ask: which
      // deployment configs change, and to what, is decided by scale-read
      gate: {
        kind: 'confirm',
        what: (ctx) =>
          ctx.planning
            ? 'dc/router and dc/docker-registry in project default are scaled to the infra nodes left'
            : targets(ctx)
                .map((x) =>
                  'to' in x.target
                    ? `dc/${x.dc} in project default: ${x.target.from} → ${x.target.to} replica(s)`
                    : `dc/${x.dc}: unchanged (${x.target.keep})`,
                )
                .join('; '),
        protectedBy: () => 'nothing is lost: oc scale dc/<name> --replicas <previous> -n default puts it back',
      },
      commands: (ctx) =>
        ctx.planning
          ? DCS.map((d) => scaleDcCommand(d.dc, ctx.captured.get(d.capture)))
          : targets(ctx).flatMap((x) => ('to' in x.target ? [scaleDcCommand(x.dc, x.target.to)] : [])),
      verify: {
        describe: 'the deployment configs have the new replica counts',
        command: () => sh`${dcReplicasCommand('router')}; echo; ${dcReplicasCommand('docker-registry')}; echo`,
        ok: (out, ctx) => {
          const got = out.stdout.split('\n');
          for (const [i, x] of targets(ctx).entries()) {
            if ('to' in x.target && got[i]?.trim() !== String(x.target.to))
              return `dc/${x.dc} has ${got[i]?.trim() || 'no'} replicas, not ${x.target.to}`;
          }
          return true;
        },
      },
    },
  ];
}

export function remainingWorkLines(ctx: StepContext): string[] {
  const h = nodeHost(ctx);
  const lbs = hostsOfRole(ctx.inventory, 'lb').map((x) => x.name);
  return [
    `${nodeName(ctx)} is no longer a node of the cluster. Still to do by hand:`,
    `- the Ansible inventory: remove ${h.name} from [nodes] (and [new_nodes]), so that a playbook run does not add it back`,
    `- on ${h.name}: stop the node service (systemctl disable --now atomic-openshift-node) or shut the host down; a ` +
      `running node service registers the node again`,
    ...(lbs.length
      ? [`- the load balancer's previous configuration is kept as ${HAPROXY_CFG}.bak-${timeStamp(ctx.startedAt)} on ${lbs.join(', ')}`]
      : []),
    '- to replace the node: add a host to the cluster (the scale-up playbook; the guide, 5.1)',
  ];
}

export const nodeDecommission: Procedure = defineProcedure({
  id: 'node-decommission',
  title: 'Decommission a node',
  section: '5.3.1',
  guideLine: 869,
  risk: 'destructive',
  summary: 'Checks spare capacity, drains the node, rescales router and registry, updates the load balancer and deletes the node.',
  parameters: [
    hostParam('node', 'node', 'Node to decommission'),
    oneOf(
      'delete-local-data',
      'Drain pods with emptyDir volumes (their emptyDir data is lost); auto: only when the node has such a pod',
      ['auto', 'yes', 'no'],
      'auto',
    ),
    yesNo('force', 'Drain with --force: pods without a controller are deleted for good (data loss; the node name must be typed)'),
    yesNo('allow-low-capacity', 'Go ahead even when fewer than 2 infra nodes (or no compute node) would stay online'),
    {
      ...textParam(
        'router-replicas',
        'Router replicas after removal (a number, or keep); default: the infra nodes left, when fewer than the replicas',
        false,
      ),
      validate: (v) => validateReplicas(v),
    },
    {
      ...textParam(
        'registry-replicas',
        'Registry replicas after removal (a number, or keep); default: the infra nodes left, when a registry pod ran on the node',
        false,
      ),
      validate: (v) => validateReplicas(v),
    },
  ],
  steps: [
    nodeFactsStep(SECTION),
    capacityStep(),
    capacityReportStep(),
    ...podsSteps(SECTION),
    cordonStep(SECTION),
    ...drainSteps(SECTION),
    ...watchReplacementsSteps(SECTION),
    ...scaleSteps(),
    listPodsStep(SECTION),
    ...haproxySteps({
      prefix: 'haproxy-',
      section: SECTION,
      backends: ['router80', 'router443'],
      what: 'The load balancer stops sending router traffic to the node',
    }),
    deleteNodeStep(SECTION, 'it has no pods left but daemon set pods'),
    {
      id: 'remaining-work',
      title: 'What the operator still does: the inventory, the host itself',
      section: SECTION,
      where: { on: 'bastion' },
      commands: (ctx) => [sh`printf '%s\\n' ${remainingWorkLines(ctx)}`],
    },
  ],
});

export default nodeDecommission;
