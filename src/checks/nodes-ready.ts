// 3.3 Host health: `oc get nodes`; every inventory node present and Ready. Masters are expected to be
// `Ready,SchedulingDisabled` (3.9 and earlier); a schedulable master is noted, not faulted.
// NotReady = the master cannot talk to the node's kubelet (tcp/10250) or the node service is down.

import type { Host } from '../inventory/types.js';
import { sh } from '../transport/shell.js';
import { firstLine, hostMatches, hostsWithRole, listNames, ocProblem, type Problem, problem, withProblem } from './common.js';
import { type OcNode, parseOcNodes } from './parse/oc-table.js';
import type { Check, Verdict } from './types.js';

export interface NodesFacts {
  nodes: OcNode[];
}

interface Matched {
  host: Host;
  node?: OcNode;
}

export const nodesReadyCheck: Check<NodesFacts | Problem> = {
  id: 'nodes-ready',
  title: 'Nodes registered and Ready',
  section: '3.3',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => ({ nodes: sh`${ctx.oc} get nodes` }),
  parse(outputs, _h, ctx) {
    const out = outputs['nodes'];
    const p = ocProblem(out, ctx, 'cluster-reader');
    if (p || !out) return p!;
    if (out.exitCode !== 0) return problem('error', `oc get nodes failed: ${firstLine(out)}`);
    return { nodes: parseOcNodes(out.stdout) };
  },
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f): Verdict => {
      const expected = hostsWithRole(ctx.inventory, 'node', 'master');
      const matched: Matched[] = expected.map((host) => {
        const node = f.nodes.find((n) => hostMatches(host, n.name));
        return node ? { host, node } : { host };
      });
      const missing = matched.filter((m) => !m.node).map((m) => m.host.name);
      const notReady = f.nodes.filter((n) => !n.ready).map((n) => `${n.name} (${n.conditions.join(',') || 'no status'})`);
      const known = new Set(matched.flatMap((m) => (m.node ? [m.node.name] : [])));
      const extra = f.nodes.filter((n) => !known.has(n.name)).map((n) => n.name);
      const cordoned = matched.filter((m) => m.node?.schedulingDisabled && !m.host.roles.includes('master')).map((m) => m.node!.name);
      const schedulableMasters = matched
        .filter((m) => m.node && !m.node.schedulingDisabled && m.host.roles.includes('master'))
        .map((m) => m.node!.name);
      const details = { nodes: f.nodes, missing, notReady, notInInventory: extra, cordoned, schedulableMasters };
      if (notReady.length > 0)
        return {
          status: 'fail',
          message: `NotReady: ${listNames(notReady)} — the masters cannot reach its kubelet (tcp/10250) or its node service is down`,
          details,
          fix: {
            text:
              'On the node: systemctl status atomic-openshift-node; from a master: curl -k ' +
              'https://<node>:10250/healthz (port 10250 must be open to every master).',
          },
        };
      if (missing.length > 0)
        return {
          status: 'fail',
          message: `not registered in the cluster: ${listNames(missing)}`,
          details,
          fix: {
            text:
              'Start the node service on it (systemctl start atomic-openshift-node) and approve its CSRs (oc ' +
              'get csr), or remove it from the inventory.',
          },
        };
      if (cordoned.length > 0)
        return {
          status: 'warn',
          message: `scheduling disabled on ${listNames(cordoned)} (left cordoned after maintenance?)`,
          details,
          fix: { text: 'oc adm manage-node <node> --schedulable=true' },
        };
      if (extra.length > 0) return { status: 'warn', message: `nodes not in the inventory: ${listNames(extra)}`, details };
      const note = schedulableMasters.length > 0 ? ` (masters schedulable: ${listNames(schedulableMasters)})` : '';
      return { status: 'ok', message: `all ${f.nodes.length} nodes Ready${note}`, details };
    }),
};
