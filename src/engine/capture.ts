// A captured value with a type: parsed from a step's outputs once, kept in the journal as JSON, read back
// by later steps as the value it was — and, while a plan is drawn (nothing has run), as the stand-in the
// capture names. The one place that asks ctx.planning for it, so that steps do not.
import type { CommandOutput } from '../checks/types.js';
import type { StepContext } from './types.js';

export type CaptureFn = (outputs: CommandOutput[], ctx: StepContext) => string;

export interface Capture<T> {
  readonly name: string;
  /** The value, from the outputs of the step that captures it. */
  readonly parse: (outputs: CommandOutput[], ctx: StepContext) => T;
  /** What a plan reads in its place; without it a plan shows what uses it as resolved at run time. */
  readonly planned?: (ctx: StepContext) => T;
  /** The value captured (or planned); throws when no step captured it. */
  of(ctx: StepContext): T;
  /** The value captured (or planned), or undefined when no step captured it (its step was skipped, or a plan has no stand-in). */
  maybe(ctx: StepContext): T | undefined;
}

export function capture<T>(name: string, parse: Capture<T>['parse'], planned?: Capture<T>['planned']): Capture<T> {
  const read = (ctx: StepContext): T => {
    const text = ctx.captured.get(name);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`captured value '${name}' is not what this version writes (${JSON.stringify(text.slice(0, 40))})`);
    }
  };
  const inPlan = (ctx: StepContext): T => {
    if (!planned) throw new Error(`${name}: captured when the run gets there`);
    return planned(ctx);
  };
  const c: Capture<T> = {
    name,
    parse,
    of: (ctx) => (ctx.planning ? inPlan(ctx) : read(ctx)),
    maybe: (ctx) => (ctx.planning ? planned?.(ctx) : ctx.captured.has(name) ? read(ctx) : undefined),
  };
  return planned ? { ...c, planned } : c;
}

/** A step's `capture` record from typed captures (each value written as JSON). */
export function captures(...cs: Capture<unknown>[]): Record<string, CaptureFn> {
  return Object.fromEntries(cs.map((c) => [c.name, (o: CommandOutput[], ctx: StepContext) => JSON.stringify(c.parse(o, ctx))]));
}
