// `plan`, `run`, `runs`, `resume`: the procedure engine from the command line (DESIGN.md "Command line
// contract"). Exit codes (RUN_EXIT): 0 ok; 1 a step failed (or the run was aborted); 2 a usage or
// configuration error (unknown or not-built procedure, bad parameter, nothing to resume); 3 a gate stopped
// the run without --yes; 4 refused by a precondition before any destructive step began.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { findEntry } from '../../procedures/catalogue.js';
import { findProcedure as findBuiltProcedure, PROCEDURES } from '../../procedures/index.js';
import { osUser } from '../engine/audit.js';
import { readFacts, refusalOf } from '../engine/facts.js';
import type { Journal, ListedRun } from '../engine/journal.js';
import { ensureStateDir, JournalError, listRuns, localTime, readJournal, SECRET_MARKER } from '../engine/journal.js';
import { lockRun, type RunLock, RunLockedError } from '../engine/lock.js';
import { ParamError, validateParams } from '../engine/params.js';
import { placeholderCaptures, planProcedure } from '../engine/plan.js';
import { makeRedactor, secretValues } from '../engine/redact.js';
import { checkResumable, type ProcedureRun, ResumeError, type RunResult, startProcedureRun } from '../engine/run.js';
import type {
  EngineEvent,
  FailureChoice,
  HostFacts,
  Operator,
  Params,
  PlanStep,
  Procedure,
  ResolvedGate,
  StepContext,
} from '../engine/types.js';
import type { Inventory } from '../inventory/types.js';
import { explainMissing } from '../model/discovery.js';
import type { Runner } from '../transport/types.js';

const PROGRAM = 'day2-tui';

/** The exit codes of `run` and `resume` (documented in --help and the README). */
export const RUN_EXIT = { ok: 0, failed: 1, usage: 2, gate: 3, refused: 4 } as const;

export interface ProcedureIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  /** Asks a question on the terminal (undefined: not interactive). `secret`: no echo. */
  ask?: (question: string, secret?: boolean) => Promise<string>;
}

export interface ProcedureDeps {
  /** The inventory of the command line (-i, $DAY2_INVENTORY, default, demo). */
  inventory: () => Inventory;
  /** For resume: the inventory file the run used (when -i was not given). */
  inventoryAt?: (path: string) => Inventory;
  demoInventory?: (scenario?: string) => Inventory;
  /** True when -i was given explicitly (resume then uses it, not the journal's). */
  inventoryFromFlag?: boolean;
  createRunner: (inventory: Inventory) => Promise<Runner>;
  stateDir: string;
  /** Built procedures (default: procedures/index.ts). */
  findProcedure?: (id: string) => Procedure | undefined;
  builtIds?: () => string[];
  operatorName?: string;
}

class CliFail extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
  }
}

function lookup(id: string, deps: ProcedureDeps): Procedure {
  const find = deps.findProcedure ?? findBuiltProcedure;
  const p = find(id);
  if (p) return p;
  const built = (deps.builtIds ?? (() => PROCEDURES.map((x) => x.entry.id)))();
  const entry = findEntry(id);
  const builtList = built.length > 0 ? built.join(', ') : 'none yet';
  if (entry && entry.kind === 'procedure') throw new CliFail(`procedure '${id}' is not built yet (built: ${builtList})`);
  throw new CliFail(`unknown procedure '${id}' (built: ${builtList}; see ${PROGRAM} list)`);
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}

function wrapErrors(io: ProcedureIO, fn: () => Promise<number>): Promise<number> {
  return fn().catch((e: unknown) => {
    if (e instanceof CliFail) {
      io.stderr(`${PROGRAM}: ${oneLine(e.message)}\n`);
      return e.code;
    }
    if (e instanceof ParamError || e instanceof JournalError || e instanceof ResumeError || e instanceof RunLockedError) {
      io.stderr(`${PROGRAM}: ${oneLine(e.message)}\n`);
      return 2;
    }
    throw e;
  });
}

// ---- plan -------------------------------------------------------------------------------------------

function sourceLabel(inventory: Inventory): string {
  return inventory.source.kind === 'demo' ? 'DEMO cluster (simulated)' : inventory.source.path;
}

function paramsLine(procedure: Procedure, params: Params): string {
  const secrets = procedure.parameters.filter((p) => p.secret).map((p) => p.name);
  const items = Object.entries(params).map(([k, v]) => `${k}=${secrets.includes(k) ? '«redacted»' : v}`);
  return items.length > 0 ? items.join(' ') : '(none)';
}

export function formatPlan(procedure: Procedure, params: Params, inventory: Inventory, steps: PlanStep[], facts: string[] = []): string {
  const redactor = makeRedactor({ secrets: secretValues(procedure.parameters, params) });
  const lines: string[] = [];
  lines.push(`Plan: ${procedure.entry.id} — ${procedure.entry.title} (guide ${procedure.entry.section})`);
  lines.push(`Inventory: ${sourceLabel(inventory)}`);
  lines.push(`Parameters: ${redactor(paramsLine(procedure, params))}`);
  lines.push('Nothing has run: this is what `run` would do. <name> is a value captured at run time.');
  if (facts.length > 0) lines.push('Read from the hosts (read-only; read again when the run starts):', ...facts.map((f) => `  ${f}`));
  steps.forEach((s, i) => {
    lines.push('');
    lines.push(`${i + 1}. ${s.title}${s.section ? `  [${s.section}]` : ''}${s.destructive ? '  DESTRUCTIVE' : ''}`);
    lines.push(`   where: ${s.where}${s.hosts.length > 0 ? `: ${s.hosts.join(', ')}` : ''}`);
    if (s.skipped) lines.push(`   skipped: ${s.skipped}`);
    if (s.gate) {
      lines.push(`   gate (${s.gate.kind === 'type-host' ? 'type the host name' : 'confirm'}): ${s.gate.what}`);
      if (s.gate.protectedBy) lines.push(`   protected by: ${s.gate.protectedBy}`);
    }
    if (s.precondition) lines.push(`   precondition: ${s.precondition}`);
    const several = new Set(s.commands.map((c) => c.host)).size > 1;
    for (const c of s.commands) {
      const prefix =
        several || (c.host !== null && s.hosts.length > 1) ? `[${c.host ?? 'bastion'}] ` : c.host ? `[${c.host}] ` : '[bastion] ';
      const [first, ...rest] = c.command.split('\n');
      lines.push(`   ${prefix}$ ${first}`);
      for (const r of rest) lines.push(`   ${' '.repeat(prefix.length)}  ${r}`);
    }
    if (s.verify) lines.push(`   verify: ${s.verify}`);
  });
  return `${redactor(lines.join('\n'))}\n`;
}

/** `plan --json`: the plan as one object; secrets redacted, run-time captures as `<name>`. */
export function planJson(
  procedure: Procedure,
  params: Params,
  inventory: Inventory,
  steps: PlanStep[],
  facts: string[] = [],
  refusal?: string,
) {
  const redactor = makeRedactor({ secrets: secretValues(procedure.parameters, params) });
  const secrets = procedure.parameters.filter((p) => p.secret).map((p) => p.name);
  const shown = Object.entries(params).map(([k, v]) => [k, secrets.includes(k) ? '«redacted»' : redactor(v)]);
  return {
    procedure: procedure.entry.id,
    title: procedure.entry.title,
    section: procedure.entry.section,
    inventory: sourceLabel(inventory),
    params: Object.fromEntries(shown),
    facts: facts.map(redactor),
    refused: refusal === undefined ? null : redactor(refusal),
    steps: steps.map((s) => planStepJson(s, redactor)),
  };
}

function planStepJson(s: PlanStep, redactor: (text: string) => string) {
  const gate = s.gate && {
    kind: s.gate.kind,
    text: redactor(s.gate.what),
    protectedBy: s.gate.protectedBy ? redactor(s.gate.protectedBy) : null,
  };
  return {
    id: s.id,
    title: s.title,
    section: s.section ?? null,
    where: s.where,
    hosts: s.hosts,
    destructive: s.destructive,
    gate: gate ?? null,
    precondition: s.precondition ?? null,
    verify: s.verify ?? null,
    skipped: s.skipped ?? null,
    commands: s.commands.map((c) => ({ host: c.host, command: redactor(c.command) })),
  };
}

export function planCli(
  request: { procedure: string; params: Params; json?: boolean },
  deps: ProcedureDeps,
  io: ProcedureIO,
): Promise<number> {
  return wrapErrors(io, async () => {
    const procedure = lookup(request.procedure, deps);
    const inventory = deps.inventory();
    validateParams(procedure, request.params, inventory, { allowMissingSecrets: true }); // ParamError before any host is asked
    const read = await readPlanFacts(procedure, request.params, inventory, deps);
    const steps = planProcedure(procedure, request.params, inventory, new Date(), read?.facts);
    const ctx: StepContext = {
      params: request.params,
      inventory,
      captured: placeholderCaptures(),
      startedAt: new Date(),
      planning: true,
      ...(read ? { facts: read.facts } : {}),
    };
    const refusal = refusalOf(procedure, ctx);
    if (request.json) {
      io.stdout(`${JSON.stringify(planJson(procedure, request.params, inventory, steps, read?.lines, refusal), null, 2)}\n`);
      return 0;
    }
    const lines = [...(read?.lines ?? []), ...(refusal ? [`THE RUN WOULD BE REFUSED: ${refusal}`] : [])];
    io.stdout(formatPlan(procedure, request.params, inventory, steps, lines));
    return 0;
  });
}

/** The procedure's facts (e.g. static pod or unit, per master), read from the hosts: read-only commands. */
async function readPlanFacts(
  procedure: Procedure,
  params: Params,
  inventory: Inventory,
  deps: ProcedureDeps,
): Promise<{ facts: HostFacts; lines: string[] } | undefined> {
  const probes = procedure.facts ?? [];
  if (probes.length === 0) return undefined;
  const runner = await deps.createRunner(inventory);
  try {
    const ctx: StepContext = { params, inventory, captured: placeholderCaptures(), startedAt: new Date(), planning: true };
    return await readFacts(probes, ctx, runner);
  } finally {
    await runner.close();
  }
}

// ---- run / resume -----------------------------------------------------------------------------------

interface Rendered {
  stoppedGate?: ResolvedGate;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** Streams a run's events as text: step headers, `$ command`, output lines (`[host] ` when several). */
function render(run: ProcedureRun, procedure: Procedure, io: ProcedureIO): void {
  let hostsOfStep: string[] = [];
  let stepNo = 0;
  const titleOf = (id: string) => procedure.steps.find((s) => s.id === id)?.title ?? id;
  const prefix = (host: string | null) => (hostsOfStep.length > 1 ? `[${host ?? 'bastion'}] ` : '');
  run.onEvent((e: EngineEvent) => {
    switch (e.type) {
      case 'run-start':
        io.stdout(`Run ${e.runId}: ${procedure.entry.id} — ${procedure.entry.title}\n`);
        break;
      case 'step-start': {
        stepNo = procedure.steps.findIndex((s) => s.id === e.step) + 1;
        hostsOfStep = e.hosts;
        const step = procedure.steps[stepNo - 1];
        io.stdout(
          `\n== Step ${stepNo}/${procedure.steps.length}: ${titleOf(e.step)}` +
            `${step?.section ? ` [${step.section}]` : ''}${step?.destructive ? ' (DESTRUCTIVE)' : ''} ` +
            `— ${e.hosts.length > 0 ? e.hosts.join(', ') : 'bastion'}\n`,
        );
        break;
      }
      case 'command':
        io.stdout(`${prefix(e.host)}$ ${e.command}\n`);
        break;
      case 'line':
        // a step's follow (e.g. the service journal) is marked apart from the command's own output
        io.stdout(e.stream === 'journal' ? `[journal ${e.host ?? 'bastion'}] ${e.text}\n` : `${prefix(e.host)}${e.text}\n`);
        break;
      case 'panel':
        io.stdout(`   [${e.panel.title}] ${e.panel.view.summary.text}\n`);
        break;
      case 'step-end':
        io.stdout(
          `-- ${e.status === 'ok' ? 'ok' : e.status}: ${titleOf(e.step)}` +
            `${e.message ? ` (${e.message})` : ''} in ${seconds(e.durationMs)}\n`,
        );
        break;
      case 'gate':
        io.stdout(`GATE ${titleOf(e.step)}: ${e.gate.what}${e.gate.protectedBy ? `\n     protected by: ${e.gate.protectedBy}` : ''}\n`);
        break;
      case 'failure':
        io.stdout(`FAILED ${e.host ? `on ${e.host}: ` : ''}${e.command} (exit ${e.exitCode ?? 'none'})\n`);
        break;
      case 'run-end':
        break;
    }
  });
  // info lines (resume notes, captures, checks passed) come from the snapshot log
  let lastSeq = -1;
  run.subscribe(() => {
    const s = run.getSnapshot();
    for (const l of s.log) {
      if (l.seq <= lastSeq) continue;
      lastSeq = l.seq;
      if (l.stream === 'info') io.stdout(`   ${l.text}\n`);
    }
  });
}

function cliOperator(yes: boolean, io: ProcedureIO, rendered: Rendered): Operator {
  return {
    async gate(gate) {
      if (yes) {
        io.stdout(`   answered by --yes${gate.kind === 'type-host' ? ` (for ${gate.expect})` : ''}\n`);
        return true;
      }
      if (io.ask) {
        if (gate.kind === 'type-host') {
          const a = await io.ask(`Type ${gate.expect} to go on (anything else stops): `);
          if (a.trim() === gate.expect) return true;
        } else {
          const a = await io.ask('Go on? [y/N] ');
          if (/^y(es)?$/i.test(a.trim())) return true;
        }
      }
      rendered.stoppedGate = gate;
      return false;
    },
    async failure(choices, info) {
      if (io.ask) {
        for (;;) {
          const a = (await io.ask(`${choices.join(' / ')}? `)).trim().toLowerCase();
          const c = choices.find((x) => x === a || x[0] === a);
          if (c) return c;
        }
      }
      void info;
      return 'abort' satisfies FailureChoice;
    },
  };
}

function summary(result: RunResult, procedure: Procedure, journalPath: string): string {
  const lines = ['', `Summary of run ${result.runId} (${procedure.entry.id}):`];
  result.snapshot.steps.forEach((s, i) => {
    lines.push(`  ${s.status.padEnd(11)} ${i + 1}. ${s.title}${s.message ? ` — ${s.message}` : ''}`);
  });
  lines.push(`Result: ${result.status}. Journal: ${journalPath}`);
  return `${lines.join('\n')}\n${result.status === 'ok' ? '' : formatWhereItStands(result)}`;
}

function clock(isoTime: string): string {
  const d = new Date(isoTime);
  if (Number.isNaN(d.getTime())) return isoTime;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** After a run that did not finish: where the cluster stands, the latest panel, the next safe action. */
export function formatWhereItStands(result: Pick<RunResult, 'whereItStands' | 'panel'>): string {
  const w = result.whereItStands;
  const p = result.panel;
  if (!w && !p) return '';
  const lines = [''];
  if (w) {
    lines.push('Where the cluster stands now:');
    for (const s of w.state) lines.push(`  - ${s}`);
  }
  if (p) {
    lines.push(`${p.title} (${clock(p.takenAt)}, ${p.when}${p.host ? `, from ${p.host}` : ''}): ${p.view.summary.text}`);
    for (const r of p.view.rows) lines.push(`  ${r.label !== undefined ? `${r.label}  ` : ''}${r.text}`);
  }
  if (w) {
    lines.push(`Next: ${w.next}`);
    for (const c of w.cautions ?? []) lines.push(`  ! ${c}`);
  }
  return `${lines.join('\n')}\n`;
}

async function drive(run: ProcedureRun, procedure: Procedure, rendered: Rendered, io: ProcedureIO, resumed: boolean): Promise<number> {
  const result = await run.result();
  io.stdout(summary(result, procedure, run.journalPath));
  if (wasRefused(result)) {
    io.stderr(`${PROGRAM}: run ${result.runId} refused before anything changed: ${oneLine(refusalText(result))}\n`);
    return RUN_EXIT.refused;
  }
  switch (result.status) {
    case 'ok':
      return RUN_EXIT.ok;
    case 'stopped-at-gate': {
      const gate = result.gate ?? rendered.stoppedGate;
      const title = procedure.steps.find((s) => s.id === gate?.step)?.title ?? gate?.step ?? '?';
      if (rendered.stoppedGate) {
        io.stderr(`${PROGRAM}: stopped at gate "${title}": ${oneLine(gate?.what ?? '')} — rerun with --yes to answer it\n`);
        io.stderr(`${PROGRAM}: the run is saved: \`${PROGRAM} resume ${result.runId} --yes\` continues it${resumed ? '' : ''}\n`);
        return RUN_EXIT.gate;
      }
      io.stderr(`${PROGRAM}: stopped at gate "${title}": not approved; \`${PROGRAM} resume ${result.runId}\` continues it\n`);
      return RUN_EXIT.failed;
    }
    case 'failed': {
      const f = result.failure;
      const title = procedure.steps.find((s) => s.id === f?.step)?.title ?? f?.step ?? '?';
      const what = f?.check
        ? `its ${f.check} did not hold (checked with \`${f.command}\`)`
        : `\`${f?.command ?? '?'}\` exit code ${f?.exitCode ?? 'none'}`;
      io.stderr(`${PROGRAM}: step "${title}" failed${f?.host ? ` on ${f.host}` : ''}: ${what}\n`);
      if (f?.tail) for (const l of f.tail.split('\n')) io.stderr(`    ${l}\n`);
      io.stderr(`${PROGRAM}: run ${result.runId} stopped; when the cause is fixed, \`${PROGRAM} resume ${result.runId}\` continues it\n`);
      return RUN_EXIT.failed;
    }
    case 'aborted':
      io.stderr(`${PROGRAM}: run ${result.runId} aborted${result.message ? `: ${result.message}` : ''}\n`);
      return RUN_EXIT.failed;
  }
}

/**
 * Refused before anything changed: the procedure refused to start, or a step's precondition said no
 * (and was not retried) while no destructive step had begun (pending or skipped; the refused step itself ran nothing).
 */
function wasRefused(result: RunResult): boolean {
  if (result.refused !== undefined) return true;
  const f = result.failure;
  if (result.status !== 'failed' || f?.check !== 'precondition') return false;
  return result.snapshot.steps.every((s) => !s.destructive || s.id === f.step || s.status === 'pending' || s.status === 'skipped');
}

function refusalText(result: RunResult): string {
  if (result.refused !== undefined) return result.refused;
  const f = result.failure!;
  return `the precondition of step ${f.step} did not hold${f.host ? ` on ${f.host}` : ''}: ${f.describe ?? f.command}${f.tail ? ` (${f.tail})` : ''}`;
}

/** Cancels the run on SIGINT/SIGTERM (the journal says where it stood); a second SIGINT is left to Node. */
function onSignals(run: ProcedureRun): () => void {
  const handler = () => run.cancel();
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.removeListener('SIGINT', handler);
    process.removeListener('SIGTERM', handler);
  };
}

export function runCli(
  request: { procedure: string; params: Params; yes: boolean },
  deps: ProcedureDeps,
  io: ProcedureIO,
): Promise<number> {
  return wrapErrors(io, async () => {
    const procedure = lookup(request.procedure, deps);
    const inventory = deps.inventory();
    // Validate before connecting anywhere (startProcedureRun validates too). A missing parameter that
    // can be looked for on its host (e.g. etcd-restore's backup): the error says what is there.
    try {
      planProcedure(procedure, request.params, inventory);
    } catch (e) {
      if (e instanceof ParamError)
        throw new ParamError(await explainMissing(e.problems, procedure, request.params, inventory, () => deps.createRunner(inventory)));
      throw e;
    }
    const runner = await deps.createRunner(inventory);
    const rendered: Rendered = {};
    try {
      const run = startProcedureRun({
        procedure,
        params: request.params,
        inventory,
        runner,
        operator: cliOperator(request.yes, io, rendered),
        stateDir: deps.stateDir,
        gateApprovedBy: request.yes ? '--yes' : 'operator',
        ...(deps.operatorName ? { operatorName: deps.operatorName } : {}),
      });
      render(run, procedure, io);
      const off = onSignals(run);
      try {
        return await drive(run, procedure, rendered, io, false);
      } finally {
        off();
      }
    } finally {
      await runner.close();
    }
  });
}

function envName(param: string): string {
  return `DAY2_PARAM_${param.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The secret parameters of a run, asked again: $DAY2_PARAM_<NAME>, else the terminal (no echo). */
async function askSecrets(journal: Journal, procedure: Procedure, io: ProcedureIO): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of journal.secretParams) {
    if (journal.params[name] === undefined && !procedure.parameters.some((p) => p.name === name && p.required)) continue;
    const fromEnv = io.env[envName(name)];
    if (fromEnv) {
      out[name] = fromEnv;
      continue;
    }
    if (!io.ask)
      throw new CliFail(`run ${journal.runId} needs the secret parameter '${name}' again: set ${envName(name)} or resume from a terminal`);
    out[name] = await io.ask(`${name} (secret, not shown): `, true);
  }
  return out;
}

export function resumeCli(request: { runId: string; yes: boolean }, deps: ProcedureDeps, io: ProcedureIO): Promise<number> {
  return wrapErrors(io, async () => {
    ensureStateDir(deps.stateDir);
    const procedure = lookup(readJournal(deps.stateDir, request.runId).procedure, deps);
    // Locked before anything is asked, so a second resume of the run is refused at once; read again under the lock.
    const lock = lockRun(deps.stateDir, request.runId, { operator: deps.operatorName ?? osUser(), command: 'resume' });
    try {
      const journal = readJournal(deps.stateDir, request.runId);
      checkResumable(journal, procedure);
      const inventory = resumeInventory(journal, deps, io);
      const secrets = await askSecrets(journal, procedure, io);
      return await resumeWith(journal, { procedure, inventory, secrets, lock }, request.yes, deps, io);
    } finally {
      lock.release();
    }
  });
}

/** The inventory a resume uses: -i when given, else the one the run used; a demo run resumes only on the demo. */
function resumeInventory(journal: Journal, deps: ProcedureDeps, io: ProcedureIO): Inventory {
  let inventory: Inventory;
  if (deps.inventoryFromFlag || !deps.inventoryAt) inventory = deps.inventory();
  else if (journal.inventory.kind === 'file') inventory = deps.inventoryAt(journal.inventory.path);
  else inventory = deps.demoInventory ? deps.demoInventory(journal.inventory.scenario) : deps.inventory();
  if (journal.inventory.kind === 'file' && inventory.source.kind === 'file' && inventory.source.path !== journal.inventory.path) {
    io.stderr(`${PROGRAM}: note: run ${journal.runId} used ${journal.inventory.path}; resuming with ${inventory.source.path}\n`);
  }
  if ((journal.inventory.kind === 'demo') !== (inventory.source.kind === 'demo')) {
    const ran = journal.inventory.kind === 'demo' ? 'the DEMO cluster' : journal.inventory.path;
    throw new CliFail(`run ${journal.runId} ran against ${ran}, not ${sourceLabel(inventory)}; resume it with the same inventory`);
  }
  return inventory;
}

interface ResumeInputs {
  procedure: Procedure;
  inventory: Inventory;
  secrets: Record<string, string>;
  lock: RunLock;
}

async function resumeWith(journal: Journal, r: ResumeInputs, yes: boolean, deps: ProcedureDeps, io: ProcedureIO): Promise<number> {
  const runner = await deps.createRunner(r.inventory);
  const rendered: Rendered = {};
  try {
    const run = startProcedureRun({
      procedure: r.procedure,
      params: r.secrets,
      inventory: r.inventory,
      runner,
      operator: cliOperator(yes, io, rendered),
      stateDir: deps.stateDir,
      resume: journal,
      lock: r.lock,
      gateApprovedBy: yes ? '--yes' : 'operator',
      ...(deps.operatorName ? { operatorName: deps.operatorName } : {}),
    });
    const params = Object.entries(run.getSnapshot().params).map(([k, v]) => `${k}=${v === SECRET_MARKER ? '«redacted»' : v}`);
    const at = journal.currentStep ? ` at step ${journal.currentStep}` : '';
    const was = journal.status === 'running' ? 'interrupted' : journal.status;
    io.stdout(`Resuming run ${journal.runId} (${was}${at}); parameters: ${params.join(' ') || '(none)'}\n`);
    render(run, r.procedure, io);
    const off = onSignals(run);
    try {
      return await drive(run, r.procedure, rendered, io, true);
    } finally {
      off();
    }
  } finally {
    await runner.close();
  }
}

// ---- runs -------------------------------------------------------------------------------------------

export function formatRuns(runs: ListedRun[]): string {
  if (runs.length === 0) return 'No runs yet.\n';
  const step = (r: ListedRun) => r.currentStepTitle ?? r.currentStep ?? (r.status === 'ok' ? '—' : '');
  const rows = runs.map((r) => [r.runId, r.procedure, localTime(r.startedAt), r.status, step(r)]);
  const head = ['RUN ID', 'PROCEDURE', 'STARTED', 'STATUS', 'STEP'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  const interrupted = runs.filter((r) => r.status === 'interrupted');
  if (interrupted.length > 0)
    out.push('', `Interrupted: \`${PROGRAM} resume ${interrupted[0]!.runId}\` continues it (its step's verification is checked first).`);
  return `${out.join('\n')}\n`;
}

export function runsCli(request: { json: boolean }, deps: Pick<ProcedureDeps, 'stateDir'>, io: ProcedureIO): Promise<number> {
  return wrapErrors(io, async () => {
    ensureStateDir(deps.stateDir);
    const { runs, problems } = listRuns(deps.stateDir);
    for (const p of problems) io.stderr(`${PROGRAM}: skipped: ${oneLine(p)}\n`);
    if (request.json) {
      io.stdout(
        `${JSON.stringify(
          {
            runs: runs.map((r) => ({
              id: r.runId,
              procedure: r.procedure,
              title: r.title,
              startedAt: r.startedAt,
              updatedAt: r.updatedAt,
              status: r.status,
              currentStep: r.currentStep ?? null,
              currentStepTitle: r.currentStepTitle ?? null,
              message: r.message ?? null,
              operator: r.operator,
              journal: r.path,
            })),
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.stdout(formatRuns(runs));
    }
    return 0;
  });
}

// ---- the terminal -----------------------------------------------------------------------------------

/** Asks on the terminal; `secret` answers are not echoed. */
export function terminalAsk(): (question: string, secret?: boolean) => Promise<string> {
  return async (question, secret) => {
    let muted = false;
    const output = new Writable({
      write(chunk, _enc, cb) {
        if (!muted) process.stdout.write(chunk as Buffer);
        cb();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    try {
      process.stdout.write(question);
      muted = !!secret;
      const answer = await rl.question('');
      if (secret) process.stdout.write('\n');
      return answer;
    } finally {
      rl.close();
    }
  };
}
