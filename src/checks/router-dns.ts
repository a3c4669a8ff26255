// 3.5.2 Router DNS: the wildcard `*.apps.<domain>` must resolve to the load balancer in front of the
// infra nodes. Run on the bastion: `dig +short <probe name>.<openshift_master_default_subdomain>` — any
// name under the wildcard will do. The address must be the [lb] host's, or, when the inventory has no
// [lb], an infra node's (routers run there; no infra nodes: any node's). An inventory host given by name
// only is resolved on the bastion too (`dig +short <its name>`). Any other address fails, naming it and
// what was expected: a wildcard that points elsewhere sends every route to the wrong place.

import { clusterVar } from '../inventory/hosts.js';
import type { Host, Inventory } from '../inventory/types.js';
import { etcdAddress } from '../ocp/etcd.js';
import { type ShellCommand, sh } from '../transport/shell.js';
import { hostsWithRole, listNames, notRunnable, type Problem, problem, withProblem } from './common.js';
import { parseDigShort } from './parse/host.js';
import type { Check, Verdict } from './types.js';

export const PROBE_LABEL = 'day2-tui-wildcard-check';

export interface RouterDnsFacts {
  name: string;
  addresses: string[];
  cnames: string[];
  errors: string[];
  /** Address → the inventory host it belongs to, for the hosts the wildcard may point at. */
  expected: Record<string, string>;
  /** What the expected hosts are ("the [lb] host", "an infra node", "a node"). */
  expectedRole: string;
  expectedHosts: string[];
}

export function appsSubdomain(ctx: { inventory: Inventory }): string | undefined {
  return clusterVar(ctx.inventory, 'openshift_master_default_subdomain');
}

const isIp = (s: string): boolean => /^[0-9.]+$/.test(s) || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(s);

/** The hosts the wildcard may point at, and how to call them. */
export function wildcardTargets(inventory: Inventory): { hosts: Host[]; role: string } {
  const lb = hostsWithRole(inventory, 'lb');
  if (lb.length > 0) return { hosts: lb, role: lb.length === 1 ? 'the [lb] host' : 'an [lb] host' };
  const infra = hostsWithRole(inventory, 'infra');
  if (infra.length > 0) return { hosts: infra, role: 'an infra node (no [lb] in the inventory)' };
  return { hosts: hostsWithRole(inventory, 'node', 'master'), role: 'a node (no [lb] or infra nodes in the inventory)' };
}

/** A host's addresses from the inventory, and its names that need resolving. */
function addressesOf(h: Host): { ips: string[]; names: string[] } {
  const all = [
    h.vars['openshift_ip'],
    h.vars['openshift_public_ip'],
    h.vars['ansible_host'],
    h.address,
    etcdAddress(h),
    h.vars['openshift_public_hostname'],
  ].filter((x): x is string => typeof x === 'string' && x !== '');
  const ips = [...new Set(all.filter(isIp))];
  // a host given by name only: what the bastion resolves it to
  const names = ips.length > 0 ? [] : [...new Set(all.filter((x) => !isIp(x)))];
  return { ips, names };
}

const resolveKey = (name: string) => `resolve ${name}`;

export const routerDnsCheck: Check<RouterDnsFacts | Problem> = {
  id: 'router-dns',
  title: 'Wildcard DNS for routes',
  section: '3.5.2',
  placement: { on: 'bastion' },
  commands(_h, ctx): Record<string, ShellCommand> {
    const sub = appsSubdomain(ctx);
    if (!sub) return {};
    const cmds: Record<string, ShellCommand> = { dig: sh`dig +short ${`${PROBE_LABEL}.${sub}`}` };
    for (const h of wildcardTargets(ctx.inventory).hosts) for (const n of addressesOf(h).names) cmds[resolveKey(n)] = sh`dig +short ${n}`;
    return cmds;
  },
  parse(outputs, _h, ctx) {
    const sub = appsSubdomain(ctx);
    if (!sub) return problem('skipped', 'openshift_master_default_subdomain is not set in the inventory');
    const out = outputs['dig'];
    const missing = notRunnable(out, 'dig', 'yum install bind-utils');
    if (missing || !out) return missing!;
    const targets = wildcardTargets(ctx.inventory);
    const expected: Record<string, string> = {};
    for (const h of targets.hosts) {
      const a = addressesOf(h);
      for (const ip of a.ips) expected[ip] = h.name;
      for (const n of a.names) for (const ip of parseDigShort(outputs[resolveKey(n)]?.stdout ?? '').addresses) expected[ip] = h.name;
    }
    return {
      name: `${PROBE_LABEL}.${sub}`,
      ...parseDigShort(out.stdout),
      expected,
      expectedRole: targets.role,
      expectedHosts: targets.hosts.map((h) => h.name),
    };
  },
  verdict: (facts) => withProblem(facts, judgeWildcard),
};

function judgeWildcard(f: RouterDnsFacts): Verdict {
  const wildcard = `*.${f.name.slice(PROBE_LABEL.length + 1)}`;
  const matches = [...new Set(f.addresses.filter((a) => f.expected[a] !== undefined).map((a) => f.expected[a]!))];
  const details = { ...f, matchesHosts: matches };
  const fix = {
    text:
      `Point the wildcard DNS record ${wildcard} at the load balancer in front of the routers (ports 80/443): ` +
      `${f.expectedRole.replace(/ \(.*\)$/, '')}.`,
  };
  if (f.addresses.length === 0)
    return {
      status: 'fail',
      message: `${wildcard} does not resolve${f.errors[0] ? ` (${f.errors[0]})` : ''}: routes cannot be reached`,
      details,
      fix,
    };
  const known = Object.entries(f.expected).map(([ip, h]) => `${h} ${ip}`);
  if (known.length === 0)
    return {
      status: 'warn',
      message:
        `${wildcard} → ${f.addresses.join(', ')}, but the address of ${f.expectedRole} ` +
        `(${listNames(f.expectedHosts, 4) || 'none'}) is not known here (its name does not resolve): cannot tell whether that is right`,
      details,
    };
  const wrong = f.addresses.filter((a) => f.expected[a] === undefined);
  if (wrong.length > 0)
    return {
      status: 'fail',
      message: `${wildcard} → ${wrong.join(', ')}, which is not ${f.expectedRole}: expected ${listNames(known, 4)}`,
      details,
      fix,
    };
  return { status: 'ok', message: `${wildcard} → ${f.addresses.join(', ')} (${listNames(matches)})`, details };
}
