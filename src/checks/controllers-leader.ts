// 3.9 Controllers role: `oc get -n kube-system cm openshift-master-controllers -o json`; the annotation
// control-plane.alpha.kubernetes.io/leader is JSON whose holderIdentity is
// `master-<hostname>-<ip>-<8 chars>` (the guide's filter: ^master-(.*)-[0-9.]*-[0-9a-z]{8}$).
// Needs cluster-admin: a Forbidden is an 'error' saying so.
// The holder is only the leader while it renews the lease: a renewTime older than leaseDurationSeconds
// (compared with the bastion's clock when the answer came back, with the clock-skew check's fail margin
// allowed for the masters' clocks) means no controllers run anywhere — the cluster reconciles nothing.
import { sh } from '../transport/shell.js';
import { firstLine, hostMatches, hostsWithRole, isNotFound, ocProblem, type Problem, problem, withProblem } from './common.js';
import type { Check, Verdict } from './types.js';

export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
export const HOLDER_RE = /^master-(.*)-[0-9.]*-[0-9a-z]{8}$/;
/**
 * Seconds a renewTime may look older (or newer) than it is because the master that wrote it and the
 * bastion disagree on the time: the clock-skew check fails above this, so within it a lease is judged as is.
 */
export const LEASE_CLOCK_TOLERANCE_S = 5;

export interface LeaderFacts {
  holderIdentity?: string;
  /** The master's hostname, from holderIdentity. */
  hostname?: string;
  /** The IP part of holderIdentity. */
  ip?: string;
  acquireTime?: string;
  renewTime?: string;
  leaseDurationSeconds?: number;
  leaderTransitions?: number;
  /** When the configmap was read, on the bastion's clock (ms since the epoch). */
  checkedAt: number;
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
    if (isNotFound(out))
      return problem(
        'error',
        'configmap kube-system/openshift-master-controllers not found (controllers never elected a leader, or not an OCP 3.x cluster)',
      );
    if (out.exitCode !== 0) return problem('error', `oc get cm openshift-master-controllers failed: ${firstLine(out)}`);
    const cm = JSON.parse(out.stdout) as { metadata?: { annotations?: Record<string, string> } };
    const checkedAt = out.receivedAt ?? ctx.now();
    const raw = cm.metadata?.annotations?.[LEADER_ANNOTATION];
    if (raw === undefined) return { checkedAt };
    const lease = JSON.parse(raw) as Record<string, unknown>;
    const facts: LeaderFacts = { checkedAt };
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
    if (typeof lease['leaseDurationSeconds'] === 'number') facts.leaseDurationSeconds = lease['leaseDurationSeconds'];
    if (typeof lease['leaderTransitions'] === 'number') facts.leaderTransitions = lease['leaderTransitions'];
    return facts;
  },
  verdict: (facts, _h, ctx) =>
    withProblem(facts, (f) => {
      const details = { ...f };
      if (!f.holderIdentity)
        return {
          status: 'error',
          message: `annotation ${LEADER_ANNOTATION} missing on kube-system/openshift-master-controllers: no controllers leader recorded`,
          details,
          fix: { text: 'Check atomic-openshift-master-controllers on every master (master-logs controllers controllers).' },
        };
      const stale = leaseStaleness(f);
      if (stale) return { ...stale, details: { ...details, ...stale.details } };
      if (!f.hostname)
        return {
          status: 'warn',
          message: `controllers leader holderIdentity "${f.holderIdentity}" does not have the master-<host>-<ip>-<id> form`,
          details,
        };
      const master = hostsWithRole(ctx.inventory, 'master').find(
        (h) => hostMatches(h, f.hostname!) || (f.ip !== undefined && hostMatches(h, f.ip)),
      );
      if (!master)
        return {
          status: 'warn',
          message: `controllers run on ${f.hostname}${f.ip ? ` (${f.ip})` : ''}, which is not a master of the inventory`,
          details,
        };
      return {
        status: 'ok',
        message: `controllers run on ${master.name}${master.name !== f.hostname ? ` (${f.hostname})` : ''}`,
        details: { ...details, master: master.name },
      };
    }),
};

const RESTART_FIX = {
  text:
    'On every master: master-logs controllers controllers (journalctl -u atomic-openshift-master-controllers on ' +
    'an RPM install) to see why, then master-restart controllers.',
};

/** A lease nobody renews (fail), or one whose times cannot be judged (warn); undefined when it is fresh. */
export function leaseStaleness(f: LeaderFacts): Verdict | undefined {
  if (f.renewTime === undefined || f.leaseDurationSeconds === undefined)
    return {
      status: 'warn',
      message:
        `the controllers lease has no ${f.renewTime === undefined ? 'renewTime' : 'leaseDurationSeconds'}: ` +
        `cannot tell whether ${f.holderIdentity} still renews it`,
      details: {},
      fix: RESTART_FIX,
    };
  const renewed = Date.parse(f.renewTime);
  if (Number.isNaN(renewed))
    return {
      status: 'warn',
      message: `the controllers lease's renewTime "${f.renewTime}" is not a time: cannot tell whether it is renewed`,
      details: {},
      fix: RESTART_FIX,
    };
  const ageS = (f.checkedAt - renewed) / 1000;
  const details = { ageSeconds: Math.round(ageS), checkedAt: new Date(f.checkedAt).toISOString() };
  if (ageS > f.leaseDurationSeconds + LEASE_CLOCK_TOLERANCE_S)
    return {
      status: 'fail',
      message:
        `no controllers have renewed the lease since ${f.renewTime} (lease ${f.leaseDurationSeconds} s, ` +
        `${formatAge(ageS)} ago; last holder ${f.hostname ?? f.holderIdentity})`,
      details,
      fix: RESTART_FIX,
    };
  if (ageS < -LEASE_CLOCK_TOLERANCE_S)
    return {
      status: 'warn',
      message:
        `the controllers lease was renewed at ${f.renewTime}, ${formatAge(-ageS)} ahead of this machine's ` +
        `clock: the clocks disagree (see clock-skew)`,
      details,
      fix: { procedure: 'fix-ntp', text: 'Synchronise the clocks of the masters and this machine (chronyd).' },
    };
  return undefined;
}

function formatAge(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
