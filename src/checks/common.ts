// Helpers shared by the checks: recognising a command that could not run, oc errors, host matching,
// and `evaluate` (parse → verdict, with a parser that throws turned into an 'error' verdict).
import type { Host, Inventory, Role } from '../inventory/types.js';
import type { Check, CheckContext, CommandOutput, Fix, Verdict } from './types.js';

/**
 * A verdict decided while parsing (the command could not run, the check does not apply to this host).
 * Checks' facts are `X | Problem`; their verdict returns `facts.problem` first.
 */
export interface Problem {
  problem: Verdict;
}

export function isProblem(f: unknown): f is Problem {
  return typeof f === 'object' && f !== null && 'problem' in f;
}

export function problem(status: Verdict['status'], message: string, fix?: Fix, details?: Record<string, unknown>): Problem {
  const v: Verdict = { status, message };
  if (fix) v.fix = fix;
  if (details) v.details = details;
  return { problem: v };
}

export const ALL_HOST_ROLES: Role[] = ['master', 'etcd', 'node', 'infra', 'lb'];

/** First non-empty line of stderr (or stdout), for messages. */
export function firstLine(out: CommandOutput): string {
  const l = (out.stderr.trim() || out.stdout.trim()).split(/\r?\n/).find((x) => x.trim() !== '');
  return (l ?? '').trim().slice(0, 200);
}

/**
 * The command could not run at all: exit 127 / "command not found" (→ the tool is missing), or no exit
 * code (timed out, killed). Returns the error verdict, else undefined.
 */
export function notRunnable(out: CommandOutput | undefined, tool: string, install?: string): Problem | undefined {
  if (!out) return problem('error', `${tool}: no output (the command did not run)`);
  const esc = tool.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const saysMissing = new RegExp(`${esc}: (command )?not found|${esc}: No such file or directory`).test(out.stderr);
  if (out.exitCode === 127 || (out.exitCode !== 0 && saysMissing)) {
    return problem(
      'error',
      `${tool} is not installed or not in PATH${install ? ` (${install})` : ''}`,
      install ? { text: install } : undefined,
      {
        exitCode: out.exitCode,
        stderr: firstLine(out),
      },
    );
  }
  if (out.exitCode === null) return problem('error', `${tool} did not finish (timed out or killed)`, undefined, { stderr: firstLine(out) });
  return undefined;
}

/**
 * Errors of an `oc` command that say nothing about the cluster's health: oc missing, not logged in,
 * API unreachable, Forbidden (the login lacks the rights). undefined when none of these.
 */
export function ocProblem(out: CommandOutput | undefined, ctx: CheckContext, needs = 'cluster-admin'): Problem | undefined {
  const missing = notRunnable(out, ctx.oc, 'install the OpenShift client or pass --oc PATH');
  if (missing || !out) return missing;
  if (out.exitCode === 0) return undefined;
  const err = out.stderr;
  if (/forbidden/i.test(err)) {
    return problem(
      'error',
      `oc: Forbidden — this check needs ${needs} rights (log in as a cluster-admin: oc login -u system:admin or a user with the role)`,
      {
        text: `Log in with a user that has ${needs} (oc adm policy add-cluster-role-to-user cluster-admin <user>).`,
      },
      { stderr: firstLine(out) },
    );
  }
  if (/(You must be logged in|Unauthorized|token has expired|error: You must)/i.test(err)) {
    return problem(
      'error',
      'oc: not logged in (run oc login on the bastion)',
      { text: 'Run `oc login https://<master>:8443` on the bastion.' },
      { stderr: firstLine(out) },
    );
  }
  if (/(Unable to connect to the server|connection refused|no such host|i\/o timeout|The connection to the server)/i.test(err)) {
    return problem(
      'error',
      `oc: the API server cannot be reached (${firstLine(out)})`,
      { text: 'Check the API service (api-health) and the oc login URL.' },
      { stderr: firstLine(out) },
    );
  }
  return undefined;
}

/** `oc` said the object does not exist. */
export function isNotFound(out: CommandOutput): boolean {
  return out.exitCode !== 0 && /(NotFound|not found)/.test(out.stderr);
}

/** Every name a host may go by in cluster output: inventory name, address, openshift_* names and IP. */
export function hostAliases(host: Host): string[] {
  const names = [
    host.name,
    host.address,
    host.vars['openshift_hostname'],
    host.vars['openshift_public_hostname'],
    host.vars['openshift_ip'],
    host.vars['openshift_public_ip'],
    host.vars['ansible_host'],
    host.vars['openshift_kubelet_name_override'],
  ].filter((x): x is string => typeof x === 'string' && x !== '');
  const out = new Set<string>();
  for (const n of names) {
    out.add(n.toLowerCase());
    if (!/^[0-9.:]+$/.test(n)) out.add(n.toLowerCase().split('.')[0]!);
  }
  return [...out];
}

/** Does the cluster-side name (node name, member name, holderIdentity host) denote this host? */
export function hostMatches(host: Host, name: string): boolean {
  const n = name.toLowerCase();
  const aliases = hostAliases(host);
  if (aliases.includes(n)) return true;
  // a fully qualified cluster name against a short inventory name (and vice versa)
  return !/^[0-9.:]+$/.test(n) && aliases.includes(n.split('.')[0]!);
}

export function hostsWithRole(inventory: Inventory, ...roles: Role[]): Host[] {
  return inventory.hosts.filter((h) => h.roles.some((r) => roles.includes(r)));
}

/** Joins names for a message: "a, b and c". */
export function listNames(names: readonly string[], max = 6): string {
  const shown = names.slice(0, max);
  const more = names.length - shown.length;
  const base = shown.length <= 1 ? shown.join('') : `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : base;
}

/** `n thing(s)`. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/**
 * Parse then judge; a parser that throws becomes an 'error' verdict saying the output was not
 * understood, so one odd host never breaks a whole check run.
 */
export function evaluate<F, P>(
  check: Check<F, P>,
  outputs: Record<string, CommandOutput>,
  host: Host | undefined,
  ctx: CheckContext,
  pre?: P,
): Verdict {
  return evaluateFacts(check, outputs, host, ctx, pre).verdict;
}

/** evaluate, keeping the facts too (absent when the parser threw): what `across` compares. */
export function evaluateFacts<F, P>(
  check: Check<F, P>,
  outputs: Record<string, CommandOutput>,
  host: Host | undefined,
  ctx: CheckContext,
  pre?: P,
): { verdict: Verdict; facts?: { value: F } } {
  let facts: F;
  try {
    facts = check.parse(outputs, host, ctx, pre);
  } catch (e) {
    return {
      verdict: {
        status: 'error',
        message: `could not understand the output of ${Object.keys(outputs).join(', ')}: ${e instanceof Error ? e.message : String(e)}`,
        details: {
          outputs: Object.fromEntries(
            Object.entries(outputs).map(([k, o]) => [
              k,
              { exitCode: o.exitCode, stdout: o.stdout.slice(0, 2000), stderr: o.stderr.slice(0, 2000) },
            ]),
          ),
        },
      },
    };
  }
  return { verdict: check.verdict(facts, host, ctx), facts: { value: facts } };
}

/** Run a verdict function that may receive a Problem. */
export function withProblem<F>(facts: F | Problem, judge: (f: F) => Verdict): Verdict {
  return isProblem(facts) ? facts.problem : judge(facts);
}
