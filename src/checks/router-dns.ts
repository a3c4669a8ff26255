// 3.5.2 Router DNS: the wildcard `*.apps.<domain>` must resolve (to the load balancer in front of the
// infra nodes). Run on the bastion: `dig +short <probe name>.<openshift_master_default_subdomain>` — any
// name under the wildcard will do. Whether the address is the load balancer is reported, not judged
// (the balancer is often outside the inventory).
import { sh, type ShellCommand } from '../transport/shell.js';
import { clusterVar, hostsWithRole, listNames, notRunnable, problem, withProblem, type Problem } from './common.js';
import { etcdAddress } from './etcdctl.js';
import { parseDigShort } from './parse/host.js';
import type { Check } from './types.js';

export const PROBE_LABEL = 'day2-tui-wildcard-check';

export interface RouterDnsFacts {
  name: string;
  addresses: string[];
  cnames: string[];
  errors: string[];
}

export function appsSubdomain(ctx: { inventory: import('../inventory/types.js').Inventory }): string | undefined {
  return clusterVar(ctx.inventory, 'openshift_master_default_subdomain');
}

export const routerDnsCheck: Check<RouterDnsFacts | Problem> = {
  id: 'router-dns',
  title: 'Wildcard DNS for routes',
  section: '3.5.2',
  placement: { on: 'bastion' },
  commands(_h, ctx): Record<string, ShellCommand> {
    const sub = appsSubdomain(ctx);
    return sub ? { dig: sh`dig +short ${`${PROBE_LABEL}.${sub}`}` } : {};
  },
  parse(outputs, _h, ctx) {
    const sub = appsSubdomain(ctx);
    if (!sub) return problem('skipped', 'openshift_master_default_subdomain is not set in the inventory');
    const out = outputs['dig'];
    const missing = notRunnable(out, 'dig', 'yum install bind-utils');
    if (missing || !out) return missing!;
    return { name: `${PROBE_LABEL}.${sub}`, ...parseDigShort(out.stdout) };
  },
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f) => {
      const known = hostsWithRole(ctx.inventory, 'lb', 'infra');
      const matches = known.filter((h) => f.addresses.includes(etcdAddress(h)) || f.addresses.includes(h.address)).map((h) => h.name);
      const details = { ...f, matchesHosts: matches };
      if (f.addresses.length === 0)
        return {
          status: 'fail',
          message: `*.${f.name.slice(PROBE_LABEL.length + 1)} does not resolve${f.errors[0] ? ` (${f.errors[0]})` : ''}: routes cannot be reached`,
          details,
          fix: { text: 'Create the wildcard DNS record *.<apps domain> pointing at the load balancer of the infra nodes (ports 80/443).' },
        };
      const to = matches.length > 0 ? ` (${listNames(matches)})` : '';
      return { status: 'ok', message: `*.${f.name.slice(PROBE_LABEL.length + 1)} → ${f.addresses.join(', ')}${to}`, details };
    }),
};
