// Shared by `router` and `registry` (3.4): `oc -n default get deploymentconfigs/<dc>` DESIRED == CURRENT,
// and `oc -n default get pods -o wide`: its pods Running, and on which node.

import type { ShellCommand } from '../transport/shell.js';
import { sh } from '../transport/shell.js';
import { firstLine, hostsWithRole, isNotFound, listNames, ocProblem, type Problem, problem } from './common.js';
import { type OcDeploymentConfig, type OcPod, parseOcDeploymentConfigs, parseOcPods } from './parse/oc-table.js';
import type { CheckContext, CommandOutput, Fix, Verdict } from './types.js';

export interface DcFacts {
  dc?: OcDeploymentConfig;
  /** The dc's pods (deployer pods excluded). */
  pods: OcPod[];
  /** Deployer pods (`<dc>-N-deploy`) that are not Completed: a stuck or failed rollout. */
  deployers: OcPod[];
}

export function dcCommands(dc: string, ctx: CheckContext): Record<string, ShellCommand> {
  return {
    dc: sh`${ctx.oc} -n default get ${`deploymentconfigs/${dc}`}`,
    pods: sh`${ctx.oc} -n default get pods -o wide`,
  };
}

export function parseDc(dcName: string, outputs: Record<string, CommandOutput>, ctx: CheckContext): DcFacts | Problem {
  const dcOut = outputs['dc'];
  const p = ocProblem(dcOut, ctx, 'view rights on project default');
  if (p || !dcOut) return p!;
  const podsOut = outputs['pods'];
  // a pod listing that failed would read as "no pod is failing": an error, not an ok
  if (podsOut && podsOut.exitCode !== 0) return problem('error', `oc -n default get pods failed: ${firstLine(podsOut)}`);
  const pods: OcPod[] = [];
  const deployers: OcPod[] = [];
  if (podsOut) {
    const own = new RegExp(`^${dcName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d+-(\\w+)$`);
    for (const pod of parseOcPods(podsOut.stdout)) {
      const m = own.exec(pod.name);
      if (!m) continue;
      if (m[1] === 'deploy') {
        if (pod.status !== 'Completed') deployers.push(pod);
      } else pods.push(pod);
    }
  }
  if (isNotFound(dcOut)) return { pods, deployers };
  if (dcOut.exitCode !== 0) return problem('error', `oc get dc/${dcName} failed: ${firstLine(dcOut)}`);
  const dc = parseOcDeploymentConfigs(dcOut.stdout).find((d) => d.name === dcName);
  if (!dc) throw new Error(`no ${dcName} row in oc get dc output`);
  return { dc, pods, deployers };
}

export interface DcPolicy {
  label: string;
  /** What a missing dc means. */
  missing: { status: Verdict['status']; message: string; fix?: Fix };
  /** Warn when DESIRED differs from the number of infra nodes (the guide's expectation for the router). */
  replicasShouldMatchInfra: boolean;
  /** An ok-message suffix for one replica. */
  singleReplicaNote?: string;
  fix: Fix;
}

export function judgeDc(f: DcFacts, ctx: CheckContext, policy: DcPolicy): Verdict {
  const notRunning = f.pods.filter((p) => p.status !== 'Running' || !/^(\d+)\/\1$/.test(p.ready));
  const details: Record<string, unknown> = {
    dc: f.dc,
    pods: f.pods.map((p) => ({ name: p.name, status: p.status, ready: p.ready, node: p.node })),
    nodes: [...new Set(f.pods.map((p) => p.node).filter(Boolean))],
  };
  if (f.deployers.length > 0) details['deployers'] = f.deployers.map((p) => `${p.name} ${p.status}`);
  if (!f.dc)
    return {
      status: policy.missing.status,
      message: policy.missing.message,
      details,
      ...(policy.missing.fix ? { fix: policy.missing.fix } : {}),
    };
  const { desired, current } = f.dc;
  if (desired === 0) return { status: 'warn', message: `${policy.label} is scaled to 0 replicas`, details, fix: policy.fix };
  if (current < desired) {
    const where =
      notRunning.length > 0
        ? `; not running: ${listNames(notRunning.map((p) => `${p.name} (${p.status}${p.node ? ` on ${p.node}` : ''})`))}`
        : '';
    return { status: 'fail', message: `${policy.label}: ${current} of ${desired} replicas${where}`, details, fix: policy.fix };
  }
  if (notRunning.length > 0)
    return {
      status: 'fail',
      message:
        `${policy.label} pods not ready: ` +
        `${listNames(notRunning.map((p) => `${p.name} (${p.status} ${p.ready}${p.node ? ` on ${p.node}` : ''})`))}`,
      details,
      fix: policy.fix,
    };
  if (current > desired)
    return { status: 'warn', message: `${policy.label}: ${current} replicas, ${desired} desired (a rollout in progress?)`, details };
  const infra = hostsWithRole(ctx.inventory, 'infra').length;
  details['infraNodes'] = infra;
  const onNodes = details['nodes'] as string[];
  const placement = onNodes.length > 0 ? ` on ${listNames(onNodes)}` : '';
  if (policy.replicasShouldMatchInfra && infra > 0 && desired !== infra)
    return {
      status: 'warn',
      message: `${policy.label}: ${desired} replicas for ${infra} infra nodes (the guide expects one per infra node)`,
      details,
      fix: policy.fix,
    };
  const note = desired === 1 && policy.singleReplicaNote ? ` (${policy.singleReplicaNote})` : '';
  return { status: 'ok', message: `${policy.label}: ${current}/${desired} running${placement}${note}`, details };
}
