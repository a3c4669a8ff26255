// `plan`: every command resolved before anything runs. Placements become host names, the steps'
// functions are called with ctx.planning = true, and a value captured at run time reads as `<name>`.
// Nothing here touches a Runner.

import { hostsOfRole } from '../inventory/hosts.js';
import type { Host, Inventory } from '../inventory/types.js';
import { downloadText, uploadText } from '../transport/types.js';
import { SECRET_MARKER } from './journal.js';
import { validateParams } from './params.js';
import { makeRedactor, type Redact, secretValues } from './redact.js';
import type { CapturedValues, HostFacts, Params, Placement, PlanStep, Procedure, ResolvedGate, Step, StepContext } from './types.js';
import { describeWait, isRepeated } from './wait.js';

/** One captured value: where (host name, null = bastion) and by which step. */
export interface Capture {
  step: string;
  host: string | null;
  name: string;
  value: string;
}

/** Captured values as a step sees them: this host's value first, else the newest one captured anywhere. */
export function capturedValues(captures: readonly Capture[], host: Host | undefined): CapturedValues {
  const find = (name: string): Capture | undefined => {
    const here = captures.filter((c) => c.name === name && c.host === (host?.name ?? null));
    if (here.length > 0) return here[here.length - 1];
    const any = captures.filter((c) => c.name === name);
    return any[any.length - 1];
  };
  return {
    has: (name) => find(name) !== undefined,
    get: (name) => {
      const c = find(name);
      if (!c) throw new Error(`no value was captured for '${name}' (a step that captures it must run first)`);
      if (c.value === SECRET_MARKER) {
        const why = 'the journal does not keep it, so it is not known after a restart';
        throw new Error(`'${name}' is a secret captured by step ${c.step}; ${why}`);
      }
      return c.value;
    },
  };
}

// In a plan a captured value is a token made of characters the shell quoting leaves alone (so that it
// is not shown as `\<name\>`); the plan's text then shows it as `<name>`.
const PLACEHOLDER = /@@([A-Za-z0-9_.-]+)@@/g;

/** In a plan: every name reads as a placeholder, shown as `<name>` (see showPlaceholders). */
export function placeholderCaptures(): CapturedValues {
  return { has: () => true, get: (name) => `@@${name}@@` };
}

/** Captured values before the run: a question about one cannot be answered yet. */
const NOT_CAPTURED_YET: CapturedValues = {
  has: (name) => {
    throw new Error(`'${name}' is captured during the run`);
  },
  get: (name) => {
    throw new Error(`'${name}' is captured during the run`);
  },
};

/** Turns the placeholder tokens of a plan's text into `<name>`. */
export function showPlaceholders(text: string): string {
  return text.replace(PLACEHOLDER, '<$1>');
}

export function describePlacement(where: Placement, params: Params): string {
  switch (where.on) {
    case 'bastion':
      return 'bastion';
    case 'param':
      return `the host of parameter '${where.param}'${params[where.param] ? ` (${params[where.param]})` : ''}`;
    case 'role':
      return `every ${where.role} host, ${where.mode === 'serial' ? 'one at a time' : 'all at once'}`;
    case 'hosts':
      return `${where.describe}, ${where.mode === 'serial' ? 'one at a time' : 'all at once'}`;
  }
}

/** The hosts a step runs on; [] for the bastion. Throws a sentence when it cannot say. */
export function resolvePlacement(where: Placement, ctx: StepContext): Host[] {
  switch (where.on) {
    case 'bastion':
      return [];
    case 'param': {
      const name = ctx.params[where.param];
      if (!name) throw new Error(`parameter '${where.param}' is not set: it names the host this step runs on`);
      const host = ctx.inventory.hosts.find((h) => h.name === name);
      if (!host) throw new Error(`parameter '${where.param}': '${name}' is not a host of the inventory`);
      return [host];
    }
    case 'role': {
      const hosts = hostsOfRole(ctx.inventory, where.role);
      if (hosts.length === 0) throw new Error(`the inventory has no ${where.role} host`);
      return hosts;
    }
    case 'hosts':
      return where.hosts(ctx);
  }
}

export function isParallel(where: Placement): boolean {
  return (where.on === 'role' || where.on === 'hosts') && where.mode === 'parallel';
}

/**
 * A step's gate as the operator sees it. For 'type-host' the name to type is the gate's `expect`, else
 * the host the step runs on (the names, comma-separated, when several); on the bastion, the `node` or
 * `host` parameter.
 */
export function resolveGate(step: Step, ctx: StepContext, hosts: Host[], redactText: Redact, repeat?: string): ResolvedGate | undefined {
  const gate =
    step.gate ??
    (repeat
      ? {
          kind: hosts.length > 0 || ctx.params.node || ctx.params.host ? ('type-host' as const) : ('confirm' as const),
          what: () => step.title,
        }
      : undefined);
  if (!gate) return undefined;
  const gctx: StepContext = hosts.length === 1 ? { ...ctx, host: hosts[0]! } : ctx;
  let what = gate.what(gctx);
  if (repeat) what = `${repeat} ${what}`;
  const resolved: ResolvedGate = { step: step.id, kind: gate.kind, what: redactText(what), hosts: hosts.map((h) => h.name) };
  if (gate.protectedBy) resolved.protectedBy = redactText(gate.protectedBy(gctx));
  if (gate.kind === 'type-host') {
    const named = gate.expect?.(gctx);
    resolved.expect =
      named !== undefined && named !== ''
        ? redactText(named)
        : hosts.length > 0
          ? hosts.map((h) => h.name).join(',')
          : (ctx.params.node ?? ctx.params.host ?? 'bastion');
  }
  return resolved;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The resolved steps of a procedure: hosts, gates, the exact commands per host (secrets redacted,
 * run-time captures as `<name>`). Validates the parameters (ParamError); a missing secret is allowed.
 */
export function planProcedure(
  procedure: Procedure,
  params: Params,
  inventory: Inventory,
  now: Date = new Date(),
  facts?: HostFacts,
): PlanStep[] {
  const values = validateParams(procedure, params, inventory, { allowMissingSecrets: true });
  // A secret that was not given shows as its name; redaction hides a given one.
  for (const p of procedure.parameters) if (p.secret && values[p.name] === undefined) values[p.name] = `<${p.name}>`;
  const redactSecrets = makeRedactor({ secrets: secretValues(procedure.parameters, values) });
  const redactText: Redact = (text) => showPlaceholders(redactSecrets(text));
  const base: StepContext = { params: values, inventory, captured: placeholderCaptures(), startedAt: now, planning: true };
  if (facts) base.facts = facts;
  return procedure.steps.map((step) => planStep(step, base, redactText));
}

function planStep(step: Step, base: StepContext, redactText: Redact): PlanStep {
  const plan: PlanStep = {
    id: step.id,
    title: step.title,
    where: describePlacement(step.where, base.params),
    hosts: [],
    destructive: !!step.destructive,
    commands: [],
  };
  if (step.section !== undefined) plan.section = step.section;
  if (step.precondition) plan.precondition = redactText(step.precondition.describe);
  if (step.verify) plan.verify = redactText(step.verify.describe);
  try {
    // a skip that reads a captured value is decided when the step runs (get and has throw here)
    const reason = step.skipIf?.({ ...base, captured: NOT_CAPTURED_YET });
    if (reason) plan.skipped = redactText(reason);
  } catch {
    // depends on run-time values: decided when the step runs
  }
  let hosts: Host[] = [];
  try {
    hosts = resolvePlacement(step.where, base);
  } catch (e) {
    plan.where += ` (${redactText(message(e))})`;
    plan.commands.push({ host: null, command: `«resolved at run time: ${redactText(message(e))}»` });
    return plan;
  }
  plan.hosts = hosts.map((h) => h.name);
  if (hosts.length === 0 && step.where.on !== 'bastion') {
    plan.skipped ??= `no host to run on${step.where.on === 'hosts' ? ` (${step.where.describe})` : ''}`;
    return plan;
  }
  try {
    const gate = resolveGate(step, base, hosts, redactText);
    if (gate) {
      plan.gate = { kind: gate.kind, what: gate.what };
      if (gate.protectedBy !== undefined) plan.gate.protectedBy = gate.protectedBy;
      if (gate.expect !== undefined) plan.gate.expect = gate.expect;
    }
  } catch (e) {
    if (step.gate) plan.gate = { kind: step.gate.kind, what: `«resolved at run time: ${redactText(message(e))}»` };
  }
  const targets: (Host | undefined)[] = hosts.length > 0 ? hosts : [undefined];
  if (step.follow) {
    try {
      plan.follow = redactText(step.follow(hosts[0] ? { ...base, host: hosts[0] } : base).script);
    } catch (e) {
      plan.follow = `«resolved at run time: ${redactText(message(e))}»`;
    }
  }
  for (const host of targets) {
    const ctx: StepContext = host ? { ...base, host } : base;
    try {
      for (const c of step.commands(ctx))
        plan.commands.push({ host: host?.name ?? null, command: redactText(c.script) + (isRepeated(c) ? describeWait(c.wait) : '') });
      for (const u of step.uploads?.(ctx) ?? [])
        plan.commands.push({ host: host?.name ?? null, command: redactText(uploadText(host?.name ?? 'bastion', u.local, u.remote)) });
      for (const d of step.downloads?.(ctx) ?? [])
        plan.commands.push({ host: host?.name ?? null, command: redactText(downloadText(host?.name ?? 'bastion', d.remote, d.local)) });
    } catch (e) {
      plan.commands.push({ host: host?.name ?? null, command: `«resolved at run time: ${redactText(message(e))}»` });
    }
  }
  return plan;
}
