// Test helpers (not a test file): a small inventory, fixtures, command outputs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Host, Inventory, Role } from '../inventory/types.js';
import { testHost } from '../testing/builders.js';
import { evaluate, evaluateFacts } from './common.js';
import type { AcrossCell, Check, CheckContext, CommandOutput, Verdict } from './types.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/checks/', import.meta.url));

export function fixture(path: string): string {
  return readFileSync(FIXTURES + path, 'utf8');
}

/** A capture of test/fixtures/checks/etcd-3.4.23/<name>.{stdout,stderr,exit}. */
export function capture(name: string): CommandOutput {
  const base = `etcd-3.4.23/${name}`;
  return { stdout: fixture(`${base}.stdout`), stderr: fixture(`${base}.stderr`), exitCode: Number(fixture(`${base}.exit`).trim()) };
}

export function out(stdout: string, exitCode: number | null = 0, stderr = ''): CommandOutput {
  return { stdout, stderr, exitCode };
}

/** testHost with these vars (the check tests' hosts differ by their vars only). */
export function host(name: string, roles: Role[], vars: Record<string, string> = {}): Host {
  return testHost(name, roles, { vars });
}

/** masters e1..e3 (also etcd, node) at 127.0.8.1–3 as in the etcd captures; 3 infra; 3 compute nodes. */
export function labInventory(extra: Partial<Inventory> = {}): Inventory {
  const hosts: Host[] = [
    host('master-0.example.com', ['master', 'etcd', 'node'], { openshift_ip: '127.0.8.1', openshift_hostname: 'e1' }),
    host('master-1.example.com', ['master', 'etcd', 'node'], { openshift_ip: '127.0.8.2', openshift_hostname: 'e2' }),
    host('master-2.example.com', ['master', 'etcd', 'node'], { openshift_ip: '127.0.8.3', openshift_hostname: 'e3' }),
    host('infra-0.example.com', ['node', 'infra'], { openshift_ip: '10.0.1.1' }),
    host('infra-1.example.com', ['node', 'infra'], { openshift_ip: '10.0.1.2' }),
    host('infra-2.example.com', ['node', 'infra'], { openshift_ip: '10.0.1.3' }),
    host('node-0.example.com', ['node'], { openshift_ip: '10.0.2.1' }),
    host('node-1.example.com', ['node'], { openshift_ip: '10.0.2.2' }),
    host('node-2.example.com', ['node'], { openshift_ip: '10.0.2.3' }),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [], ...extra };
}

/** The guide's cluster of 3.3 (ocp-master-*, ocp-infra-node-*, ocp-node-*). */
export function guideInventory(): Inventory {
  const n = (name: string, roles: Role[]) => host(name, roles);
  const hosts = [
    ...['94zd', 'gjkm', 'wc8w'].map((s) => n(`ocp-master-${s}`, ['master', 'etcd', 'node'])),
    ...['1clj', '86qr', 'g8qw'].map((s) => n(`ocp-infra-node-${s}`, ['node', 'infra'])),
    ...['c5dg', 'ghxn', 'w135'].map((s) => n(`ocp-node-${s}`, ['node'])),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}

/** The tests' "now" on the bastion: 2018-10-04T09:12:40Z. */
export const TEST_NOW = Date.parse('2018-10-04T09:12:40Z');

export function ctxOf(inventory: Inventory, now = TEST_NOW): CheckContext {
  return { inventory, oc: 'oc', now: () => now };
}

export function judge<F, P>(
  check: Check<F, P>,
  outputs: Record<string, CommandOutput>,
  h: Host | undefined,
  ctx: CheckContext,
  pre?: P,
): Verdict {
  return evaluate(check, outputs, h, ctx, pre);
}

/**
 * A check with `across` as the health run settles it: each host's own evaluation, then the comparison.
 * Returns the verdicts by host name. A host given a Verdict instead of outputs is one whose commands could
 * not run (unreachable): it has no facts, only that verdict.
 */
export function judgeAcross<F, P>(
  check: Check<F, P>,
  cells: [Host, Record<string, CommandOutput> | Verdict][],
  ctx: CheckContext,
  pre?: P,
): Map<string, Verdict> {
  const inputs: AcrossCell<F>[] = cells.map(([h, o]) => {
    if ('status' in o && typeof o.status === 'string') return { host: h, verdict: o as Verdict };
    const e = evaluateFacts(check, o as Record<string, CommandOutput>, h, ctx, pre);
    return e.facts ? { host: h, verdict: e.verdict, facts: e.facts.value } : { host: h, verdict: e.verdict };
  });
  const verdicts = check.across ? check.across(inputs, ctx) : inputs.map((i) => i.verdict);
  return new Map(inputs.map((i, k) => [i.host.name, verdicts[k]!]));
}
