// 3.9 Controllers role: `oc get -n kube-system cm openshift-master-controllers -o json`; the annotation
// control-plane.alpha.kubernetes.io/leader is JSON whose holderIdentity is
// `master-<hostname>-<ip>-<8 chars>` (the guide's filter: ^master-(.*)-[0-9.]*-[0-9a-z]{8}$).
// Needs cluster-admin: a Forbidden is an 'error' saying so.
import { sh } from '../transport/shell.js';
import { firstLine, hostMatches, hostsWithRole, isNotFound, ocProblem, problem, withProblem, type Problem } from './common.js';
import type { Check } from './types.js';

export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
export const HOLDER_RE = /^master-(.*)-[0-9.]*-[0-9a-z]{8}$/;

export interface LeaderFacts {
  holderIdentity?: string;
  /** The master's hostname, from holderIdentity. */
  hostname?: string;
  /** The IP part of holderIdentity. */
  ip?: string;
  acquireTime?: string;
  renewTime?: string;
  leaderTransitions?: number;
}

/** holderIdentity → hostname and IP, or undefined when it has another shape. */
export function parseHolderIdentity(id: string): { hostname: string; ip?: string } | undefined {
  const m = HOLDER_RE.exec(id);
  if (!m) return undefined;
  const ip = /-([0-9.]+)-[0-9a-z]{8}$/.exec(id);
  return ip ? { hostname: m[1]!, ip: ip[1]! } : { hostname: m[1]! };
}

export const controllersLeaderCheck: Check<LeaderFacts | Problem> = {
  id: 'controllers-leader',
  title: 'Active controllers master',
  section: '3.9',
  placement: { on: 'bastion' },
  commands: (_h, ctx) => ({ configmap: sh`${ctx.oc} get -n kube-system cm openshift-master-controllers -o json` }),
  parse(outputs, _h, ctx) {
    const out = outputs['configmap'];
    const p = ocProblem(out, ctx, 'cluster-admin');
    if (p || !out) return p!;
    if (isNotFound(out)) return problem('error', 'configmap kube-system/openshift-master-controllers not found (controllers never elected a leader, or not an OCP 3.x cluster)');
    if (out.exitCode !== 0) return problem('error', `oc get cm openshift-master-controllers failed: ${firstLine(out)}`);
    const cm = JSON.parse(out.stdout) as { metadata?: { annotations?: Record<string, string> } };
    const raw = cm.metadata?.annotations?.[LEADER_ANNOTATION];
    if (raw === undefined) return {};
    const lease = JSON.parse(raw) as Record<string, unknown>;
    const facts: LeaderFacts = {};
    if (typeof lease['holderIdentity'] === 'string') {
      facts.holderIdentity = lease['holderIdentity'];
      const h = parseHolderIdentity(facts.holderIdentity);
      if (h) {
        facts.hostname = h.hostname;
        if (h.ip) facts.ip = h.ip;
      }
    }
    if (typeof lease['acquireTime'] === 'string') facts.acquireTime = lease['acquireTime'];
    if (typeof lease['renewTime'] === 'string') facts.renewTime = lease['renewTime'];
    if (typeof lease['leaderTransitions'] === 'number') facts.leaderTransitions = lease['leaderTransitions'];
    return facts;
  },
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f) => {
      const details = { ...f };
      if (!f.holderIdentity)
        return { status: 'error', message: `annotation ${LEADER_ANNOTATION} missing on kube-system/openshift-master-controllers: no controllers leader recorded`, details, fix: { text: 'Check atomic-openshift-master-controllers on every master (master-logs controllers controllers).' } };
      if (!f.hostname)
        return { status: 'warn', message: `controllers leader holderIdentity "${f.holderIdentity}" does not have the master-<host>-<ip>-<id> form`, details };
      const master = hostsWithRole(ctx.inventory, 'master').find((h) => hostMatches(h, f.hostname!) || (f.ip !== undefined && hostMatches(h, f.ip)));
      if (!master)
        return { status: 'warn', message: `controllers run on ${f.hostname}${f.ip ? ` (${f.ip})` : ''}, which is not a master of the inventory`, details };
      return { status: 'ok', message: `controllers run on ${master.name}${master.name !== f.hostname ? ` (${f.hostname})` : ''}`, details: { ...details, master: master.name } };
    }),
};
