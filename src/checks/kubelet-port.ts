// 3.5.2 Kubelet port: every node listens on tcp/10250 and every master must reach it. Run on each master,
// a TCP connect (bash's /dev/tcp, 5 s bound) to every inventory node's address.
import { sh } from '../transport/shell.js';
import { hostsWithRole, listNames, notRunnable, problem, withProblem, type Problem } from './common.js';
import { etcdAddress } from './etcdctl.js';
import type { Check } from './types.js';

export const KUBELET_PORT = 10250;

export interface KubeletPortFacts {
  open: string[];
  closed: string[];
}

export const kubeletPortCheck: Check<KubeletPortFacts | Problem> = {
  id: 'kubelet-port',
  title: 'Kubelet port reachable from masters',
  section: '3.5.2',
  placement: { on: 'hosts', roles: ['master'] },
  commands(_host, ctx) {
    const targets = hostsWithRole(ctx.inventory, 'node', 'master').map(etcdAddress);
    return {
      probe: sh`for a in ${targets}; do if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$a" ${KUBELET_PORT} 2>/dev/null; then echo "open $a"; else echo "closed $a"; fi; done`,
    };
  },
  parse(outputs) {
    const out = outputs['probe'];
    const missing = notRunnable(out, 'bash');
    if (missing || !out) return missing!;
    const facts: KubeletPortFacts = { open: [], closed: [] };
    for (const m of out.stdout.matchAll(/^(open|closed) (\S+)$/gm)) facts[m[1] as 'open' | 'closed'].push(m[2]!);
    if (facts.open.length + facts.closed.length === 0) return problem('error', 'the port probe printed nothing');
    return facts;
  },
  verdict: (facts, _host, ctx) =>
    withProblem(facts, (f) => {
      const name = (addr: string) => hostsWithRole(ctx.inventory, 'node', 'master').find((h) => etcdAddress(h) === addr)?.name ?? addr;
      const details = { open: f.open.map(name), closed: f.closed.map(name), port: KUBELET_PORT };
      if (f.closed.length > 0)
        return {
          status: 'fail',
          message: `cannot reach tcp/${KUBELET_PORT} on ${listNames(f.closed.map(name))} — those nodes will go NotReady`,
          details,
          fix: { text: `Open tcp/${KUBELET_PORT} to the masters on the node (iptables OS_FIREWALL_ALLOW) and check atomic-openshift-node runs there.` },
        };
      return { status: 'ok', message: `tcp/${KUBELET_PORT} reachable on all ${f.open.length} nodes`, details };
    }),
};
