// Runs a parameter's discovery (ParameterSpec.discover: one read-only command on the host chosen in
// another parameter, and a pure parser) through the console's Runner. The Procedure screen asks for it
// through a function passed down to it and never runs anything itself; `run` uses it to say what it found
// when the parameter is missing. Core only, no React.

import type { DiscoveredChoice, ParameterSpec, Params, Procedure } from '../engine/types.js';
import type { Inventory } from '../inventory/types.js';
import type { CommandResult, Runner } from '../transport/types.js';

export interface DiscoveryResult {
  /** The host that was asked. */
  host: string;
  /** What was looked for (the discovery's `describe`). */
  describe: string;
  choices: DiscoveredChoice[];
}

/** Finds the choices of one parameter for these values (the host parameter must be chosen); rejects with a sentence. */
export type DiscoverFn = (procedure: Procedure, param: string, params: Params) => Promise<DiscoveryResult>;

export const DISCOVERY_TIMEOUT_MS = 20_000;

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
}

/** The parameter's spec, when it has a discovery. */
export function discoverySpec(
  procedure: Procedure,
  param: string,
): (ParameterSpec & { discover: NonNullable<ParameterSpec['discover']> }) | undefined {
  const spec = procedure.parameters.find((p) => p.name === param);
  return spec?.discover ? (spec as ParameterSpec & { discover: NonNullable<ParameterSpec['discover']> }) : undefined;
}

export async function discoverChoices(opts: {
  runner: Runner;
  inventory: Inventory;
  procedure: Procedure;
  param: string;
  params: Params;
  timeoutMs?: number;
  signal?: AbortSignal;
}): Promise<DiscoveryResult> {
  const spec = discoverySpec(opts.procedure, opts.param);
  if (!spec) throw new Error(`parameter '${opts.param}' of ${opts.procedure.entry.id} has nothing to look for on the hosts`);
  const d = spec.discover;
  const hostName = opts.params[d.where.param];
  if (!hostName) throw new Error(`choose ${d.where.param} first: the ${d.describe} are looked for on that host`);
  const host = opts.inventory.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`${hostName} is not a host of the inventory`);
  let res: CommandResult;
  try {
    res = await opts.runner.run({ kind: 'host', host }, d.command(host, opts.params), {
      timeoutMs: opts.timeoutMs ?? DISCOVERY_TIMEOUT_MS,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    throw new Error(`could not look for ${d.describe} on ${host.name}: ${oneLine(e)}`);
  }
  if (res.timedOut)
    throw new Error(
      `looking for ${d.describe} on ${host.name} took longer than ${Math.round((opts.timeoutMs ?? DISCOVERY_TIMEOUT_MS) / 1000)} s`,
    );
  if (res.cancelled) throw new Error(`looking for ${d.describe} on ${host.name} was cancelled`);
  let choices: DiscoveredChoice[];
  try {
    choices = d.parse({ exitCode: res.exitCode, stdout: res.stdout, stderr: res.stderr }, host);
  } catch (e) {
    throw new Error(`${host.name}: ${oneLine(e)}`);
  }
  return { host: host.name, describe: d.describe, choices };
}

/** The function the console hands to the Procedure screen. */
export function makeDiscover(runner: Runner, inventory: Inventory): DiscoverFn {
  return (procedure, param, params) => discoverChoices({ runner, inventory, procedure, param, params });
}

/** One sentence for `run` without the parameter: what was found (at most `max`, newest first). */
export function describeFound(param: string, r: DiscoveryResult, max = 5): string {
  if (r.choices.length === 0) return `no ${r.describe} found on ${r.host}: give --param ${param}=…`;
  const shown = r.choices.slice(0, max).map((c) => c.label.replace(/\s{2,}/g, ', '));
  const more = r.choices.length > max ? `; ${r.choices.length - max} older not shown` : '';
  return `found on ${r.host} (newest first): ${shown.join('; ')}${more}; give --param ${param}=<one of them>`;
}

/** Required parameters left empty that have a discovery whose host parameter names a host of the inventory (with the right role). */
export function missingDiscoverable(procedure: Procedure, params: Params, inventory: Inventory): string[] {
  return procedure.parameters
    .filter((p) => p.discover && p.required && !params[p.name] && p.default === undefined)
    .filter((p) => {
      const hostParam = procedure.parameters.find((x) => x.name === p.discover!.where.param);
      const h = inventory.hosts.find((x) => x.name === params[p.discover!.where.param]);
      if (!h) return false;
      const role = hostParam?.choices && 'fromRole' in hostParam.choices ? hostParam.choices.fromRole : undefined;
      return !role || role === 'any' || h.roles.includes(role);
    })
    .map((p) => p.name);
}

/**
 * For `run` without a parameter that can be looked for on its host: the parameter problems, the
 * "required" one of each such parameter followed by what was found there. Opens a runner only then
 * (and closes it); a failed look-up says why instead.
 */
export async function explainMissing(
  problems: readonly string[],
  procedure: Procedure,
  params: Params,
  inventory: Inventory,
  openRunner: () => Promise<Runner>,
): Promise<string[]> {
  const missing = missingDiscoverable(procedure, params, inventory);
  if (missing.length === 0) return [...problems];
  const runner = await openRunner();
  try {
    const found = new Map<string, string>();
    for (const param of missing) {
      found.set(
        param,
        await discoverChoices({ runner, inventory, procedure, param, params }).then(
          (r) => describeFound(param, r),
          (e: unknown) => oneLine(e),
        ),
      );
    }
    return problems.map((pr) => {
      const param = missing.find((p) => pr.startsWith(`parameter '${p}' is required`));
      return param ? `${pr}; ${found.get(param)}` : pr;
    });
  } finally {
    await runner.close();
  }
}
