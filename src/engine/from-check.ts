// A health check (src/checks) asked about one host from inside a procedure: a step verified by the check
// itself (`verify: fromCheck(ntpCheck)`), or the hosts a step runs on chosen as those the check flags
// (`flaggedBy(ntpCheck)`). The check's commands run in order through `run` (in a run: the engine's own,
// so they are logged and audited like every command), then its own parser and verdict. A verdict that
// cannot decide (Verdict.again: the ntp check's clock bracket too wide) is measured again, as the health
// run does.
import type { Check, CheckContext, CommandOutput, Verdict } from '../checks/types.js';
import type { Host, Inventory } from '../inventory/types.js';
import type { ShellCommand } from '../transport/shell.js';
import type { CheckVerification, FactProbe, StepContext, WaitPolicy } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: any check, whatever its facts
export type AnyCheck = Check<any, any>;

const AGAIN_TRIES = 2;
const AGAIN_DELAY_MS = 1000;

/** How one command is run: its output, or a thrown sentence (the host could not be reached). */
export type RunCommand = (command: ShellCommand) => Promise<CommandOutput>;

function assertHostCheck(check: AnyCheck): void {
  if (check.placement.on !== 'hosts')
    throw new Error(`check ${check.id} runs on the bastion: only a host check can verify a step or choose its hosts`);
  if (check.pre) throw new Error(`check ${check.id} needs a bastion stage first: not usable from a procedure`);
}

function checkContext(inventory: Inventory): CheckContext {
  return { inventory, oc: 'oc', now: () => Date.now() };
}

async function verdictOnce(check: AnyCheck, host: Host, ctx: CheckContext, run: RunCommand): Promise<Verdict> {
  const outputs: Record<string, CommandOutput> = {};
  for (const [name, command] of Object.entries(check.commands(host, ctx))) {
    const sentAt = Date.now();
    const out = await run(command);
    outputs[name] = { ...out, sentAt, receivedAt: Date.now() };
  }
  try {
    return check.verdict(check.parse(outputs, host, ctx), host, ctx);
  } catch (e) {
    return { status: 'error', message: `${check.id}: could not understand the output: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The check's verdict on `host`; a verdict that cannot decide is measured again, twice at most. */
export async function checkVerdict(check: AnyCheck, host: Host, inventory: Inventory, run: RunCommand, pause = delay): Promise<Verdict> {
  assertHostCheck(check);
  const ctx = checkContext(inventory);
  let v = await verdictOnce(check, host, ctx, run);
  for (let i = 0; v.again && i < AGAIN_TRIES; i++) {
    await pause(AGAIN_DELAY_MS);
    v = await verdictOnce(check, host, ctx, run);
  }
  return v;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A step's verification by a health check: it passes when the check says ok on the step's host. */
export function fromCheck(check: AnyCheck, until?: WaitPolicy): CheckVerification {
  assertHostCheck(check);
  const v: CheckVerification = { describe: `the ${check.id} check says ok (${check.title})`, fromCheck: check };
  if (until) v.until = until;
  return v;
}

/**
 * A fact read before the plan and the run: the check's verdict on each of `where`'s hosts (default: the
 * hosts of the check's roles). flaggedHosts(ctx, probe) then gives those it did not find ok.
 */
export function flaggedBy(check: AnyCheck, where?: (ctx: StepContext) => Host[]): FactProbe {
  assertHostCheck(check);
  const roles = check.placement.on === 'hosts' ? check.placement.roles : [];
  return {
    name: `check:${check.id}`,
    describe: `the ${check.id} check (${check.title})`,
    where: where ?? ((ctx) => ctx.inventory.hosts.filter((h) => h.roles.some((r) => roles.includes(r)))),
    ask: (host, ctx, run) => checkVerdict(check, host, ctx.inventory, run),
    summary: (v) => `${(v as Verdict).status}: ${(v as Verdict).message}`,
  };
}

/**
 * The hosts where the probe's check did not say ok. A host it could not ask (unreachable) is not among
 * them: the facts' log line says why, and a run there would only fail on the connection.
 */
export function flaggedHosts(ctx: StepContext, probe: FactProbe): Host[] {
  // not read yet (a plan drawn before the facts came in): the run reads them first, so say so rather than guess
  if (!ctx.facts || ctx.facts.read?.(probe.name) === false) throw new Error(`${probe.describe} is read from the hosts when the run starts`);
  return probe.where(ctx).filter((h) => {
    try {
      return (ctx.facts?.get(probe.name, h) as Verdict | undefined)?.status !== 'ok';
    } catch {
      return false;
    }
  });
}
