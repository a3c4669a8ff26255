// Steps of one procedure run inside another: etcd-replace runs etcd-add-member's and etcd-remove-member's
// steps, master-decommission runs etcd-remove-member's. A reused step keeps the parameter names it was
// written for and sees the context it expects (the member to remove as `member`, an inventory in which
// the new member is already an [etcd] host); its id is prefixed (the journal tells the two apart), and so
// can be its capture names (two reused procedures both capture `members-before`).

import type { Inventory } from '../inventory/types.js';
import { resolvePlacement } from './plan.js';
import type { CapturedValues, Gate, Params, Placement, Step, StepCheck, StepContext } from './types.js';

export interface StepReuse {
  /** Prefix of the reused steps' ids, e.g. 'remove-'. */
  idPrefix: string;
  /** Prefix of their capture names (what they capture and what they read), e.g. 'old-'. Default: none. */
  capturePrefix?: string;
  /** The parameters (and inventory) the reused steps see, from the composed procedure's context. */
  context: (ctx: StepContext) => { params: Params; inventory?: Inventory };
  /**
   * Host parameters of the reused steps → the composed procedure's, for `{ on: 'param' }` placements
   * (e.g. { member: 'old' }): the step runs on the host that parameter names, and the plan says so.
   */
  hostParams?: Readonly<Record<string, string>>;
  /** A reason of the composed procedure to skip the step (asked before the step's own). */
  skip?: (ctx: StepContext) => string | undefined;
}

function prefixedCaptures(captured: CapturedValues, prefix: string): CapturedValues {
  if (!prefix) return captured;
  return { get: (name) => captured.get(`${prefix}${name}`), has: (name) => captured.has(`${prefix}${name}`) };
}

/** The context a reused step sees. */
export function reusedContext(ctx: StepContext, r: StepReuse): StepContext {
  const c = r.context(ctx);
  return {
    ...ctx,
    params: c.params,
    inventory: c.inventory ?? ctx.inventory,
    captured: prefixedCaptures(ctx.captured, r.capturePrefix ?? ''),
  };
}

function placementFor(where: Placement, r: StepReuse): Placement {
  const map = (ctx: StepContext) => reusedContext(ctx, r);
  switch (where.on) {
    case 'bastion':
      return where;
    case 'param': {
      const outer = r.hostParams?.[where.param];
      if (outer) return { on: 'param', param: outer };
      return {
        on: 'hosts',
        describe: `the host of parameter '${where.param}'`,
        mode: 'serial',
        hosts: (ctx) => resolvePlacement(where, map(ctx)),
      };
    }
    case 'role':
      // the reused steps' inventory may differ (a new member counted as etcd): resolve in theirs
      return { on: 'hosts', describe: `every ${where.role} host`, mode: where.mode, hosts: (ctx) => resolvePlacement(where, map(ctx)) };
    case 'hosts':
      return { ...where, hosts: (ctx) => where.hosts(map(ctx)) };
  }
}

/** The fields of a Step that read the context; a new one must be mapped below (checked when a step is reused). */
const MAPPED = new Set(['where', 'commands', 'downloads', 'uploads', 'follow', 'precondition', 'verify', 'capture', 'gate', 'skipIf']);

/** One step of another procedure, made to run inside this one (see StepReuse). */
export function reuseStep(step: Step, r: StepReuse): Step {
  for (const [k, v] of Object.entries(step)) {
    if ((typeof v === 'function' || (typeof v === 'object' && v !== null)) && !MAPPED.has(k))
      throw new Error(`reuseStep: step ${step.id} has a field '${k}' that reuse does not map`);
  }
  const map = (ctx: StepContext) => reusedContext(ctx, r);
  const wrap =
    <A extends unknown[], R>(f: (ctx: StepContext, ...a: A) => R) =>
    (ctx: StepContext, ...a: A): R =>
      f(map(ctx), ...a);
  // a health check (fromCheck) reads only its host, which reuse keeps
  const check = (c: StepCheck): StepCheck =>
    'fromCheck' in c ? c : { ...c, command: wrap(c.command), ok: (out, ctx) => c.ok(out, map(ctx)) };
  const prefix = r.capturePrefix ?? '';
  const out: Step = { ...step, id: `${r.idPrefix}${step.id}`, where: placementFor(step.where, r), commands: wrap(step.commands) };
  if (step.downloads) out.downloads = wrap(step.downloads);
  if (step.uploads) out.uploads = wrap(step.uploads);
  if (step.follow) out.follow = wrap(step.follow);
  if (step.precondition) out.precondition = check(step.precondition);
  if (step.verify) out.verify = check(step.verify);
  if (step.capture) {
    out.capture = Object.fromEntries(
      Object.entries(step.capture).map(([k, f]) => [`${prefix}${k}`, (o: Parameters<typeof f>[0], ctx: StepContext) => f(o, map(ctx))]),
    );
  }
  if (step.gate) {
    const g: Gate = { ...step.gate, what: wrap(step.gate.what) };
    if (step.gate.protectedBy) g.protectedBy = wrap(step.gate.protectedBy);
    if (step.gate.expect) g.expect = wrap(step.gate.expect);
    out.gate = g;
  }
  const own = step.skipIf ? wrap(step.skipIf) : undefined;
  if (own || r.skip) out.skipIf = (ctx) => r.skip?.(ctx) ?? own?.(ctx);
  return out;
}

export function reuseSteps(steps: readonly Step[], r: StepReuse): Step[] {
  return steps.map((s) => reuseStep(s, r));
}
