// What a run starts from: its parameters (on resume, the journal's under the ones given now) and its journal
// (a new one, or the resumed run's with what was running marked 'interrupted').
import { hostname as osHostname } from 'node:os';
import type { Inventory } from '../inventory/types.js';
import { type HostProgress, JOURNAL_VERSION, type Journal, type JournalStep, processStart, SECRET_MARKER } from './journal.js';
import { validateParams } from './params.js';
import { makeRedactor, type Redactor, secretValues } from './redact.js';
import type { Params, Procedure } from './types.js';

export interface RunParams {
  /** Validated, secrets included: what the steps see. */
  params: Params;
  secretNames: string[];
  redactor: Redactor;
  /** As given (resume runs with them), but never a secret parameter: that one is asked again. */
  journalParams: Record<string, string>;
  /** As the console and the audit log show them. */
  shownParams: Record<string, string>;
}

/** The run's parameters; throws ParamError. On resume, the secret ones are the ones given now. */
export function runParams(procedure: Procedure, given: Params, inventory: Inventory, resume?: Journal): RunParams {
  const secretNames = procedure.parameters.filter((p) => p.secret).map((p) => p.name);
  const all: Record<string, string> = {};
  if (resume) for (const [k, v] of Object.entries(resume.params)) if (v !== SECRET_MARKER && !secretNames.includes(k)) all[k] = v;
  Object.assign(all, given);
  const params = validateParams(procedure, all, inventory); // throws ParamError
  const redactor = makeRedactor({ secrets: secretValues(procedure.parameters, params) });
  const journalParams: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) journalParams[k] = secretNames.includes(k) ? SECRET_MARKER : v;
  const shownParams = Object.fromEntries(Object.entries(journalParams).map(([k, v]) => [k, v === SECRET_MARKER ? v : redactor(v)]));
  return { params, secretNames, redactor, journalParams, shownParams };
}

export interface NewJournal {
  procedure: Procedure;
  inventory: Inventory;
  runId: string;
  params: RunParams;
  startedAt: Date;
  now: Date;
  operator: string;
  resume?: Journal | undefined;
}

/** The journal of a run that starts now: a new one, or the resumed run's going on. */
export function openRunJournal(o: NewJournal): Journal {
  const { procedure, inventory, resume } = o;
  const journal: Journal = {
    version: JOURNAL_VERSION,
    runId: o.runId,
    procedure: procedure.entry.id,
    title: procedure.entry.title,
    params: o.params.journalParams,
    secretParams: o.params.secretNames,
    inventory:
      inventory.source.kind === 'file'
        ? { kind: 'file', path: inventory.source.path }
        : { kind: 'demo', ...(inventory.source.scenario ? { scenario: inventory.source.scenario } : {}) },
    startedAt: o.startedAt.toISOString(),
    updatedAt: o.now.toISOString(),
    status: 'running',
    operator: o.operator,
    pid: process.pid,
    hostname: osHostname(),
    steps: journalSteps(procedure, resume),
    captures: resume ? [...resume.captures] : [],
    history: resume ? [...resume.history, lastProcess(resume)] : [],
  };
  const pidStart = processStart(process.pid);
  if (pidStart !== undefined) journal.pidStart = pidStart;
  if (resume?.currentStep) journal.currentStep = resume.currentStep;
  return journal;
}

/** The procedure's steps, each with what the resumed journal says of it. */
function journalSteps(procedure: Procedure, resume?: Journal): JournalStep[] {
  const byId = new Map((resume?.steps ?? []).map((s) => [s.id, s] as const));
  return procedure.steps.map((s): JournalStep => {
    const old = byId.get(s.id);
    if (!old) return { id: s.id, title: s.title, status: 'pending', destructive: !!s.destructive, destructiveBegun: false, hosts: {} };
    // What was running when the process died is 'interrupted': its command may or may not have run.
    const hosts: Record<string, HostProgress> = {};
    for (const [k, h] of Object.entries(old.hosts)) hosts[k] = { ...h, status: h.status === 'running' ? 'interrupted' : h.status };
    return { ...old, title: s.title, destructive: !!s.destructive, hosts, status: old.status === 'running' ? 'interrupted' : old.status };
  });
}

/** The process that ran the journal before this one, for its history. */
function lastProcess(resume: Journal): Journal['history'][number] {
  return {
    pid: resume.pid,
    hostname: resume.hostname,
    from: resume.history.at(-1)?.to ?? resume.startedAt,
    to: resume.updatedAt,
    status: resume.status === 'running' ? 'interrupted' : resume.status,
  };
}
