// 3.3 / 4.6 etcd health, on each etcd host: v2 `cluster-health` and v3 `endpoint health`, both against
// every member of the inventory's [etcd] group (full etcdctl command lines: no installer aliases).
// The verdict on a host is about that host's own member (fail when it is unhealthy or missing; warn when
// it is healthy but others are not; fail on every host when quorum is lost); the message names every
// unhealthy member.
import type { Host } from '../inventory/types.js';
import {
  etcdAddress,
  etcdClientUrl,
  etcdctl,
  etcdEndpoints,
  parseV2ClusterHealth,
  parseV3EndpointHealth,
  urlHost,
  type V2ClusterHealth,
  type V3EndpointHealth,
} from '../ocp/etcd.js';
import { firstLine, listNames, notRunnable, type Problem, problem, withProblem } from './common.js';
import type { Check, CommandOutput, Fix } from './types.js';

export interface EtcdHealthFacts {
  /** This host's client URL (from the inventory). */
  self: string;
  v2?: V2ClusterHealth;
  /** Why v2 gave nothing (v2 API disabled: "404"), when so. */
  v2Error?: string;
  v3: V3EndpointHealth[];
  v3Error?: string;
}

const INSTALL = 'install the etcd package (yum install etcd)';

function certProblem(out: CommandOutput): Problem | undefined {
  const m = /open (\S+): no such file or directory/.exec(out.stderr);
  return m
    ? problem('error', `etcd certificate missing: ${m[1]} (run on an etcd host, as root)`, {
        text: 'The peer certificates are in /etc/etcd on every etcd member; run the check as root (ansible_become).',
      })
    : undefined;
}

export const etcdHealthCheck: Check<EtcdHealthFacts | Problem> = {
  id: 'etcd-health',
  title: 'etcd member health',
  section: '3.3',
  placement: { on: 'hosts', roles: ['etcd'] },
  commands: (_host, ctx) => {
    const endpoints = etcdEndpoints(ctx.inventory);
    return { v2: etcdctl.clusterHealth(endpoints), v3: etcdctl.endpointHealth(endpoints) };
  },
  parse(outputs, host) {
    const v2o = outputs['v2'];
    const v3o = outputs['v3'];
    for (const o of [v3o, v2o]) {
      const p = notRunnable(o, 'etcdctl', INSTALL) ?? (o ? certProblem(o) : undefined);
      if (p) return p;
    }
    const facts: EtcdHealthFacts = { self: host ? etcdClientUrl(host) : '', v3: [] };
    if (v2o) {
      const h = parseV2ClusterHealth(`${v2o.stdout}\n${v2o.stderr}`);
      if (h.members.length > 0 || h.cluster !== 'unknown') facts.v2 = h;
      if (h.members.length === 0) facts.v2Error = h.errors.join(' ') || firstLine(v2o);
    }
    if (v3o) {
      facts.v3 = parseV3EndpointHealth(`${v3o.stdout}\n${v3o.stderr}`);
      if (facts.v3.length === 0) facts.v3Error = firstLine(v3o);
    }
    if (!facts.v2 && facts.v3.length === 0)
      return problem('error', `etcdctl gave no health result: ${facts.v3Error || facts.v2Error || 'no output'}`, undefined, { ...facts });
    return facts;
  },
  verdict: (facts, host) => withProblem(facts, (f) => judgeHealth(f, host)),
};

function isSelf(url: string, self: string, host: Host | undefined): boolean {
  if (url === self) return true;
  return host !== undefined && urlHost(url) === etcdAddress(host);
}

function judgeHealth(f: EtcdHealthFacts, host: Host | undefined) {
  // unhealthy members, by the URL the tools name them with (v2 also gives the member id)
  const bad = new Map<string, string>();
  for (const m of f.v2?.members ?? [])
    if (m.health !== 'healthy') bad.set(m.urls[0] ?? m.id, `${m.id} (${m.urls.join(' ') || '?'}) ${m.health}`);
  for (const e of f.v3) if (!e.healthy && !bad.has(e.endpoint)) bad.set(e.endpoint, `${e.endpoint} unhealthy: ${e.detail}`);
  const v2Self = f.v2?.members.find((m) => m.urls.some((u) => isSelf(u, f.self, host)));
  const v3Self = f.v3.find((e) => isSelf(e.endpoint, f.self, host));
  const selfHealthy = (v2Self ? v2Self.health === 'healthy' : true) && (v3Self ? v3Self.healthy : true);
  const selfSeen = v2Self !== undefined || v3Self !== undefined;
  const unhealthy = [...bad.values()];
  const details = {
    self: f.self,
    cluster: f.v2?.cluster,
    v2Members: f.v2?.members,
    v3Endpoints: f.v3,
    unhealthy,
    ...(f.v2Error ? { v2Error: f.v2Error } : {}),
    ...(f.v3Error ? { v3Error: f.v3Error } : {}),
  };
  const others = unhealthy.length > 0 ? `; unhealthy: ${listNames(unhealthy, 5)}` : '';
  const fix: Fix = {
    procedure: 'etcd-remove-member',
    text:
      'Look at the member: systemctl status etcd / journalctl -u etcd (master-logs etcd etcd on static pods); a ' +
      'lost member is removed (etcd-remove-member) and added back (etcd-add-member); a lost quorum needs etcd-restore.',
  };
  const quorumLost = f.v2?.cluster === 'unavailable' || (f.v3.length > 0 && f.v3.every((e) => !e.healthy));
  if (quorumLost)
    return {
      status: 'fail' as const,
      message: `etcd cluster unavailable (quorum lost)${others}`,
      details,
      fix: { ...fix, procedure: 'etcd-restore', hostParam: null },
    };
  if (!selfSeen)
    return {
      status: 'fail' as const,
      message: `this host's member (${f.self}) is not in the health output: is it a member?${others}`,
      details,
      fix: {
        procedure: 'etcd-add-member',
        text: 'Add this host to the etcd cluster (etcd-add-member), or fix its address in the inventory (openshift_ip).',
      },
    };
  if (!selfHealthy) return { status: 'fail' as const, message: `member ${f.self} is unhealthy${others}`, details, fix };
  const note = f.v2Error ? ' (v2 API not answering; v3 only)' : '';
  // This member is fine; the cluster is not: warn here (the member at fault gets the fail on its own row,
  // or a connection error when its host is down).
  if (unhealthy.length > 0)
    return { status: 'warn' as const, message: `member ${f.self} healthy, cluster degraded${others}`, details, fix };
  return { status: 'ok' as const, message: `member ${f.self} healthy${note}`, details };
}
