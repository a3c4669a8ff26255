// A built procedure owns its catalogue entry: its id, title, guide section, risk, summary and parameters
// are written once, in its own file, through defineProcedure; the catalogue (catalogue.ts) lists only
// what is not built yet and takes the built ones from the registry (index.ts). The parameter builders
// are shared by both.

import { type AnyCheck, flaggedBy, flaggedHosts, fromCheck } from '../src/engine/from-check.js';
import type { ParameterSpec, Procedure, StepContext, WaitPolicy } from '../src/engine/types.js';
import { type HostRole, hostsOfRole } from '../src/inventory/hosts.js';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry, EntryKind, ParameterInfo, Risk } from '../src/model/catalogue.js';
import type { ShellCommand } from '../src/transport/shell.js';

export const CHAPTER_TITLES: Readonly<Record<number, string>> = {
  2: 'Run-once tasks',
  3: 'Environment health checks',
  4: 'Environment-wide backups',
  5: 'Host-level tasks',
  6: 'Project-level tasks',
  7: 'Docker tasks',
  8: 'Managing certificates',
};

/** What is written of an entry; the chapter follows from the section. */
export interface EntryDraft {
  id: string;
  kind: EntryKind;
  title: string;
  /** Guide section number(s), e.g. "5.4.2.1" or "4.6, 5.4.1". */
  section: string;
  /** Line of the section in the guide's text (shared/seed). */
  guideLine: number;
  risk: Risk;
  summary: string;
  parameters?: ParameterInfo[];
}

export function catalogueEntry(draft: EntryDraft, built: boolean): CatalogueEntry {
  const chapter = Number(draft.section.split('.')[0]);
  const chapterTitle = CHAPTER_TITLES[chapter];
  if (chapterTitle === undefined) throw new Error(`catalogue: ${draft.id}: no chapter ${chapter}`);
  const { id, kind, title, section, guideLine, risk, summary } = draft;
  return { id, kind, title, chapter, chapterTitle, section, guideLine, risk, built, summary, parameters: draft.parameters ?? [] };
}

/** A procedure as its file writes it: the entry's fields, its parameters (with validators), its steps. */
export type ProcedureDefinition = Omit<EntryDraft, 'kind' | 'parameters'> &
  Omit<Procedure, 'entry' | 'parameters'> & { parameters: ParameterSpec[] };

export function defineProcedure(def: ProcedureDefinition): Procedure {
  const { id, title, section, guideLine, risk, summary, ...rest } = def;
  const parameters = def.parameters.map(withHostCheck);
  const info = parameters.map(({ validate: _v, discover: _d, ...p }) => p);
  return {
    ...rest,
    entry: catalogueEntry({ id, kind: 'procedure', title, section, guideLine, risk, summary, parameters: info }, true),
    parameters,
  };
}

/** Validator for a host parameter: a host of the inventory with that role. */
export function validateHostOfRole(role: HostRole) {
  return (value: string, inventory: Inventory): string | undefined => {
    const h = inventory.hosts.find((x) => x.name === value);
    if (!h)
      return (
        `${JSON.stringify(value)} is not a host of the inventory; choose one of ` +
        `${role === 'any' ? 'its hosts' : `the [${role}] hosts`}`
      );
    const hosts = hostsOfRole(inventory, role);
    if (!hosts.includes(h))
      return `${value} is not in the inventory's ${role} hosts; choose one of: ${hosts.map((x) => x.name).join(', ') || '(none)'}`;
    return undefined;
  };
}

/** A host parameter names a host of its role unless the procedure says otherwise. */
function withHostCheck(p: ParameterSpec): ParameterSpec {
  if (p.validate || !p.choices || !('fromRole' in p.choices)) return p;
  return { ...p, validate: validateHostOfRole(p.choices.fromRole) };
}

// ---- parameter builders -------------------------------------------------------------------------

type RoleName = Exclude<HostRole, 'glusterfs'>;

export function hostParam(name: string, role: RoleName, description: string, required = true): ParameterInfo {
  return { name, description, required, choices: { fromRole: role } };
}
export function textParam(name: string, description: string, required = true, dflt?: string): ParameterInfo {
  const p: ParameterInfo = { name, description, required };
  if (dflt !== undefined) p.default = dflt;
  return p;
}
export function oneOf(name: string, description: string, values: string[], dflt: string): ParameterInfo {
  return { name, description, required: false, choices: { values }, default: dflt };
}
export function yesNo(name: string, description: string, dflt: 'yes' | 'no' = 'no'): ParameterInfo {
  return oneOf(name, description, ['yes', 'no'], dflt);
}
export function secret(name: string, description: string): ParameterInfo {
  return { name, description, required: true, secret: true };
}

export const project = (description = 'Project (namespace) to work in'): ParameterInfo => textParam('project', description);
export const HOST_BACKUP_DIR = '/backup/<hostname>/<YYYYMMDD>';

// ---- the run-once fix of a health check ---------------------------------------------------------

/** A fix as its file writes it: the entry's fields, its own parameters, its commands and how long the check may take to agree. */
export type CheckFixDefinition = Omit<EntryDraft, 'kind' | 'parameters' | 'risk'> & {
  risk?: Risk;
  parameters?: ParameterSpec[];
  /** The commands that fix one host. */
  fix: (ctx: StepContext) => ShellCommand[];
  /** The check is asked again while it says "not yet" (a clock takes a while to synchronise). */
  settles?: WaitPolicy;
};

/**
 * The fix of a health check (guide ch. 2–3): on the host named, else on every host the check flags, the
 * fix's commands, one host at a time; verified by the check itself. Nothing flagged: the step is skipped.
 */
export function defineCheckFix(check: AnyCheck, def: CheckFixDefinition): Procedure {
  const { fix, settles, parameters = [], risk = 'low', ...entry } = def;
  const flagged = flaggedBy(check);
  const named = (ctx: StepContext) => ctx.inventory.hosts.filter((h) => h.name === ctx.params['host']);
  const hosts = (ctx: StepContext) => (ctx.params['host'] ? named(ctx) : flaggedHosts(ctx, flagged));
  const hostHelp = `One host of the inventory to fix; default: every host the ${check.id} check flags`;
  return defineProcedure({
    ...entry,
    risk,
    parameters: [hostParam('host', 'any', hostHelp, false), ...parameters],
    facts: [flagged],
    steps: [
      {
        id: def.id,
        title: def.title,
        section: def.section,
        skipIf: (ctx) => (hosts(ctx).length > 0 ? undefined : `the ${check.id} check flags no host it could ask`),
        where: { on: 'hosts', describe: `the host named, else every host the ${check.id} check flags`, mode: 'serial', hosts },
        commands: fix,
        verify: fromCheck(check, settles),
      },
    ],
  });
}
