// Facts read from the hosts before a plan or a run (Procedure.facts): one read-only command per host, in
// parallel, each parsed by the probe. A host that cannot be asked keeps the sentence that says why, so
// a step that needs the fact fails with it, naming the host, instead of guessing.

import type { CommandOutput } from '../checks/types.js';
import type { Host } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import type { Runner } from '../transport/types.js';
import type { FactProbe, HostFacts, Procedure, StepContext } from './types.js';

type Found = { value: unknown } | { error: string };

/** name → host name → what was found. */
export type FactTable = Map<string, Map<string, Found>>;

const PROBE_TIMEOUT_MS = 30_000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class NoAnswer extends Error {}

async function ask(probe: FactProbe, host: Host, ctx: StepContext, runner: Runner, timeoutMs: number): Promise<Found> {
  const run = async (command: ShellCommand): Promise<CommandOutput> => {
    const r = await runner.run({ kind: 'host', host }, command, { timeoutMs });
    if (r.timedOut) throw new NoAnswer(`no answer within ${timeoutMs / 1000} s`);
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  };
  try {
    if ('ask' in probe) return { value: await probe.ask(host, ctx, run) };
    return { value: probe.parse(await run(probe.command(host, ctx)), host) };
  } catch (e) {
    return { error: `${host.name}: ${probe.describe}: ${message(e)}` };
  }
}

/** Every probe on every host it names, all at once. */
export async function gatherFacts(
  probes: readonly FactProbe[],
  ctx: StepContext,
  runner: Runner,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<FactTable> {
  const table: FactTable = new Map();
  await Promise.all(
    probes.map(async (probe) => {
      const found = new Map<string, Found>();
      table.set(probe.name, found);
      let hosts: Host[];
      try {
        hosts = probe.where(ctx);
      } catch {
        return; // e.g. a parameter not set yet: every get() then says the fact was not read
      }
      for (const h of hosts) found.set(h.name, { error: `${h.name}: ${probe.describe}: not read yet` }); // inventory order
      await Promise.all(hosts.map(async (h) => found.set(h.name, await ask(probe, h, ctx, runner, timeoutMs))));
    }),
  );
  return table;
}

/** The table as steps see it (ctx.facts). */
export function hostFacts(table: FactTable): HostFacts {
  return {
    read: (name) => table.has(name),
    get(name, host) {
      const f = table.get(name)?.get(host.name);
      if (!f) throw new Error(`${host.name}: the ${name} fact was not read from this host before the run`);
      if ('error' in f) throw new Error(f.error);
      return f.value;
    },
  };
}

/** One log line per host and probe: its summary, or why there is none. */
export function describeFacts(probes: readonly FactProbe[], table: FactTable): string[] {
  const lines: string[] = [];
  for (const probe of probes) {
    for (const [host, f] of table.get(probe.name) ?? []) {
      if ('error' in f) lines.push(`${probe.name}: ${f.error}`);
      else lines.push(`${probe.name}: ${host}: ${probe.summary ? probe.summary(f.value) : JSON.stringify(f.value)}`);
    }
  }
  return lines;
}

/** Every probe read on its hosts: the facts as steps see them and one log line per host and probe. */
export async function readFacts(
  probes: readonly FactProbe[],
  ctx: StepContext,
  runner: Runner,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<{ facts: HostFacts; lines: string[] }> {
  const table = await gatherFacts(probes, ctx, runner, timeoutMs);
  return { facts: hostFacts(table), lines: describeFacts(probes, table) };
}

/** Procedure.refuse on the facts in ctx; a thrown sentence (a host that could not be read) refuses too. */
export function refusalOf(procedure: Procedure, ctx: StepContext): string | undefined {
  if (!procedure.refuse) return undefined;
  try {
    return procedure.refuse(ctx);
  } catch (e) {
    return message(e);
  }
}
