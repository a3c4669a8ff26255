// 3.5.2 Kubelet port: every node listens on tcp/10250 and every master must reach it. Each master makes a
// TCP connect (bash's /dev/tcp, 5 s bound) to every inventory node's address; every other node connects to
// its own address (is its kubelet listening at all?). The verdicts are per node, on the node's own row
// (`across`): what it says of itself and what each master saw of it. So a node that is down, cut off or
// NotReady (its node service stopped: nothing listens) is reported once, on that node — not as a failure
// of every master that tried to reach it.
import type { Host } from '../inventory/types.js';
import { etcdAddress } from '../ocp/etcd.js';
import { sh } from '../transport/shell.js';
import { hostsWithRole, isProblem, listNames, notRunnable, type Problem, problem, withProblem } from './common.js';
import type { AcrossCell, Check, CheckContext, Verdict } from './types.js';

export const KUBELET_PORT = 10250;

export interface KubeletPortFacts {
  /** Addresses that accepted the connection. */
  open: string[];
  /** Addresses that refused it or did not answer within 5 s. */
  closed: string[];
}

const kubelets = (ctx: CheckContext): Host[] => hostsWithRole(ctx.inventory, 'node', 'master');

/** The addresses a host probes: a master every kubelet, any other node its own. */
export function probeTargets(host: Host, ctx: CheckContext): string[] {
  return host.roles.includes('master') ? kubelets(ctx).map(etcdAddress) : [etcdAddress(host)];
}

const FIX_FIREWALL = {
  text: `Open tcp/${KUBELET_PORT} to every master on the node (iptables OS_FIREWALL_ALLOW) and check the network between them.`,
};
const FIX_SERVICE = {
  text:
    `On the node: systemctl status atomic-openshift-node (the kubelet listens on ${KUBELET_PORT}); journalctl ` +
    `-u atomic-openshift-node for why it is not.`,
};

export const kubeletPortCheck: Check<KubeletPortFacts | Problem> = {
  id: 'kubelet-port',
  title: 'Kubelet port reachable from masters',
  section: '3.5.2',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  commands(host, ctx) {
    const targets = host ? probeTargets(host, ctx) : [];
    return {
      probe: sh`for a in ${targets};
        do if timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$a" ${KUBELET_PORT} 2>/dev/null; then echo "open $a";
        else echo "closed $a"; fi; done`,
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
  // on its own (without the masters' view): does the host reach its own kubelet port?
  verdict: (facts, host) =>
    withProblem(facts, (f) => {
      const self = host ? etcdAddress(host) : '';
      if (f.closed.includes(self)) return notListening(host!);
      return { status: 'ok', message: `tcp/${KUBELET_PORT} open on ${self}`, details: { open: f.open, closed: f.closed } };
    }),
  across: (cells) => judgeKubelets(cells),
};

function notListening(host: Host): Verdict {
  return {
    status: 'fail',
    message:
      `nothing answers on tcp/${KUBELET_PORT} of ${host.name} itself: its kubelet is not listening ` +
      `(atomic-openshift-node down?) — the node goes NotReady`,
    fix: FIX_SERVICE,
  };
}

/** Each node's verdict from its own probe and every master's. */
export function judgeKubelets(cells: readonly AcrossCell<KubeletPortFacts | Problem>[]): Verdict[] {
  const facts = (c: AcrossCell<KubeletPortFacts | Problem>): KubeletPortFacts | undefined =>
    c.facts && !isProblem(c.facts) ? c.facts : undefined;
  const masters = cells.filter((c) => c.host.roles.includes('master'));
  const notAsked = masters.filter((m) => !facts(m)).map((m) => m.host.name);
  return cells.map((c) => {
    const addr = etcdAddress(c.host);
    const seen = masters.flatMap((m) => {
      const f = facts(m);
      if (!f) return [];
      if (f.open.includes(addr)) return [{ master: m.host.name, open: true }];
      if (f.closed.includes(addr)) return [{ master: m.host.name, open: false }];
      return [];
    });
    const closedFrom = seen.filter((s) => !s.open).map((s) => s.master);
    const openFrom = seen.filter((s) => s.open).map((s) => s.master);
    const own = facts(c);
    const details = {
      address: addr,
      port: KUBELET_PORT,
      openFrom,
      closedFrom,
      ...(notAsked.length > 0 ? { mastersNotAsked: notAsked } : {}),
    };
    const fromMasters =
      seen.length === 0
        ? 'no master could probe it'
        : closedFrom.length === 0
          ? `reachable from ${listNames(openFrom)}`
          : `${listNames(closedFrom)} cannot reach it`;
    // the host could not be asked (unreachable over SSH, timed out): its own error, with what the masters saw
    if (!own) {
      if (c.verdict.status !== 'error' || seen.length === 0) return c.verdict;
      const either =
        closedFrom.length === seen.length
          ? `; the masters cannot reach its tcp/${KUBELET_PORT} either`
          : `; its tcp/${KUBELET_PORT}: ${fromMasters}`;
      return { ...c.verdict, message: `${c.verdict.message}${either}`, details: { ...(c.verdict.details ?? {}), ...details } };
    }
    if (own.closed.includes(addr)) return { ...notListening(c.host), details };
    if (closedFrom.length > 0)
      return {
        status: 'fail',
        message:
          `tcp/${KUBELET_PORT} is open on ${c.host.name} but ${listNames(closedFrom)} cannot reach it (a ` +
          `firewall between them?)${openFrom.length > 0 ? `; ${listNames(openFrom)} can` : ''}`,
        details,
        fix: FIX_FIREWALL,
      };
    if (seen.length === 0) {
      const why = masters.length === 0 ? 'no master is in this run (--limit)' : `the masters could not be asked (${listNames(notAsked)})`;
      return {
        status: 'warn',
        message: `tcp/${KUBELET_PORT} open on ${c.host.name} itself, but not probed from any master: ${why}`,
        details,
      };
    }
    const from =
      notAsked.length === 0
        ? seen.length === 1
          ? 'the master'
          : `all ${seen.length} masters`
        : `${listNames(openFrom)} (not probed from ${listNames(notAsked)}: not reachable)`;
    return { status: 'ok', message: `tcp/${KUBELET_PORT} reachable from ${from}`, details };
  });
}
