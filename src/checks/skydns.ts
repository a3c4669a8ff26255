// 3.5.1 SkyDNS: on masters and nodes, `dig +short docker-registry.default.svc.cluster.local` must give
// the CLUSTER-IP of `oc get svc/docker-registry -n default` (read once on the bastion). The kubernetes
// service is resolved the same way, so the check still means something without an internal registry.
import { type ShellCommand, sh } from '../transport/shell.js';
import { firstLine, listNames, notRunnable, type Problem, withProblem } from './common.js';
import { parseDigShort } from './parse/host.js';
import { parseOcServices } from './parse/oc-table.js';
import type { Check, Verdict } from './types.js';

export const SERVICES = ['docker-registry', 'kubernetes'] as const;
export const fqdn = (svc: string) => `${svc}.default.svc.cluster.local`;

export interface SkydnsPre {
  /** service name → cluster IP, for the services of project default that exist. */
  clusterIPs: Record<string, string>;
  reason?: string;
}

export interface SkydnsFacts {
  results: { service: string; name: string; expected?: string; resolved: string[]; errors: string[] }[];
  reason?: string;
}

export const skydnsCheck: Check<SkydnsFacts | Problem, SkydnsPre> = {
  id: 'skydns',
  title: 'Cluster DNS (SkyDNS)',
  section: '3.5.1',
  placement: { on: 'hosts', roles: ['master', 'node'] },
  pre: {
    commands: (ctx) => ({ svc: sh`${ctx.oc} get svc -n default` }),
    parse(outputs) {
      const out = outputs['svc'];
      if (out?.exitCode !== 0) return { clusterIPs: {}, reason: out ? firstLine(out) : 'not run' };
      const clusterIPs: Record<string, string> = {};
      for (const s of parseOcServices(out.stdout)) if ((SERVICES as readonly string[]).includes(s.name)) clusterIPs[s.name] = s.clusterIP;
      return { clusterIPs };
    },
  },
  commands(_host, _ctx, pre) {
    const cmds: Record<string, ShellCommand> = {};
    for (const s of SERVICES)
      if (!pre || pre.reason !== undefined || pre.clusterIPs[s] !== undefined || s === 'kubernetes') cmds[s] = sh`dig +short ${fqdn(s)}`;
    return cmds;
  },
  parse(outputs, _host, _ctx, pre) {
    const facts: SkydnsFacts = { results: [] };
    if (pre?.reason) facts.reason = pre.reason;
    for (const [service, out] of Object.entries(outputs)) {
      const missing = notRunnable(out, 'dig', 'yum install bind-utils');
      if (missing) return missing;
      const d = parseDigShort(out.stdout);
      const r: SkydnsFacts['results'][number] = { service, name: fqdn(service), resolved: d.addresses, errors: d.errors };
      const expected = pre?.clusterIPs[service];
      if (expected !== undefined) r.expected = expected;
      facts.results.push(r);
    }
    return facts;
  },
  verdict: (facts) => withProblem(facts, judge),
};

function judge(f: SkydnsFacts): Verdict {
  const details = { ...f };
  const fix = {
    text:
      'Check dnsmasq on the host (systemctl status dnsmasq, /etc/dnsmasq.d/node-dnsmasq.conf) and SkyDNS on the ' +
      'masters (tcp/udp 8053 open between nodes and masters).',
  };
  const unresolved = f.results.filter((r) => r.resolved.length === 0);
  if (unresolved.length > 0)
    return {
      status: 'fail',
      message: `does not resolve: ${listNames(unresolved.map((r) => r.name + (r.errors[0] ? ` (${r.errors[0]})` : '')))}`,
      details,
      fix,
    };
  const wrong = f.results.filter((r) => r.expected !== undefined && !r.resolved.includes(r.expected));
  if (wrong.length > 0)
    return {
      status: 'fail',
      message: listNames(wrong.map((r) => `${r.name} → ${r.resolved.join(',')}, service IP is ${r.expected}`)),
      details,
      fix,
    };
  const unchecked = f.results.filter((r) => r.expected === undefined);
  const ok = f.results.map((r) => `${r.service} ${r.resolved.join(',')}`).join(', ');
  if (unchecked.length > 0 && f.reason)
    return { status: 'warn', message: `resolves ${ok}, but the service IPs could not be read (${f.reason})`, details };
  const noRegistry = !f.results.some((r) => r.service === 'docker-registry') ? ' (no docker-registry service)' : '';
  return { status: 'ok', message: `${ok}${noRegistry}`, details };
}
