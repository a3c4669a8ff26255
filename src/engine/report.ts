// The record of a run for the incident ticket (`day2-tui report <run-id>`): who ran what, when, on which
// hosts; every step with its commands, exit codes, durations and output tails; each gate and its answer;
// the procedure's panel at the start and at the end. Built from the run's journal and its lines of the
// audit log, both already redacted when written (secrets never reach them); the report adds nothing else.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCommand, AuditEntry, AuditNote } from './audit.js';
import { auditPath } from './audit.js';
import { type Journal, readJournal, writeFileAtomic } from './journal.js';

export interface ReportCommand {
  host: string | null;
  command: string;
  exitCode: number | null;
  durationMs: number;
  outputTail: string;
  error?: string;
  timedOut?: boolean;
  cancelled?: boolean;
}

export interface ReportStep {
  n: number;
  id: string;
  title: string;
  status: string;
  destructive: boolean;
  startedAt?: string;
  endedAt?: string;
  message?: string;
  hosts: string[];
  /** Gate questions and answers, failure choices, repeated destructive steps: in order. */
  notes: { kind: string; time: string; text: string }[];
  commands: ReportCommand[];
}

export interface RunReport {
  runId: string;
  procedure: string;
  title: string;
  status: string;
  message?: string;
  operator: string;
  hostname: string;
  inventory: string;
  startedAt: string;
  endedAt?: string;
  /** Secret parameters are named only: their values are never recorded. */
  params: Record<string, string>;
  hosts: string[];
  panelBefore?: string;
  panelAfter?: string;
  steps: ReportStep[];
}

/** The audit lines of one run, in order (a line that is not JSON is someone else's: left out). */
export function readRunAudit(stateDir: string, runId: string): AuditEntry[] {
  let text = '';
  try {
    text = readFileSync(auditPath(stateDir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const entries: AuditEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEntry;
      if (e.runId === runId) entries.push(e);
    } catch {
      // not ours
    }
  }
  return entries;
}

const isCommand = (e: AuditEntry): e is AuditCommand => e.kind === 'command';

function stepCommands(audit: AuditEntry[], step: string): ReportCommand[] {
  return audit
    .filter(isCommand)
    .filter((e) => e.step === step)
    .map(({ host, command, exitCode, durationMs, outputTail, error, timedOut, cancelled }) => ({
      host,
      command,
      exitCode,
      durationMs,
      outputTail,
      ...(error ? { error } : {}),
      ...(timedOut ? { timedOut } : {}),
      ...(cancelled ? { cancelled } : {}),
    }));
}

/** The report of a run from its journal and its audit lines. Pure. */
export function buildReport(journal: Journal, audit: AuditEntry[]): RunReport {
  const notes = audit.filter((e): e is AuditNote => e.kind !== 'command');
  const panels = notes.filter((e) => e.kind === 'panel').map((e) => e.text);
  const params: Record<string, string> = { ...journal.params };
  for (const name of journal.secretParams) params[name] = '(secret: not recorded)';
  const steps = journal.steps.map((s, i) => ({
    n: i + 1,
    id: s.id,
    title: s.title,
    status: s.status,
    destructive: s.destructive,
    ...(s.startedAt ? { startedAt: s.startedAt } : {}),
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
    ...(s.message ? { message: s.message } : {}),
    hosts: Object.keys(s.hosts),
    notes: notes.filter((e) => e.step === s.id && e.kind !== 'panel').map((e) => ({ kind: e.kind, time: e.time, text: e.text })),
    commands: stepCommands(audit, s.id),
  }));
  const hosts = [...new Set(steps.flatMap((s) => s.hosts).filter((h) => !h.startsWith('(')))];
  return {
    runId: journal.runId,
    procedure: journal.procedure,
    title: journal.title,
    status: journal.status,
    ...(journal.message ? { message: journal.message } : {}),
    operator: journal.operator,
    hostname: journal.hostname,
    inventory: journal.inventory.kind === 'file' ? journal.inventory.path : 'DEMO (the built-in simulated cluster)',
    startedAt: journal.startedAt,
    ...(journal.endedAt ? { endedAt: journal.endedAt } : {}),
    params,
    hosts,
    ...(panels.length ? { panelBefore: panels[0], panelAfter: panels.at(-1) } : {}),
    steps,
  };
}

/** A fenced block that no backtick run inside `text` can close early. */
function fence(text: string, info = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${info}\n${text.replace(/\n+$/, '')}\n${f}`;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function exitText(c: ReportCommand): string {
  if (c.error) return `could not run: ${c.error}`;
  if (c.timedOut) return 'timed out';
  if (c.cancelled) return 'cancelled';
  return c.exitCode === null ? 'no exit status' : `exit ${c.exitCode}`;
}

function stepMarkdown(s: ReportStep): string[] {
  const took = s.startedAt && s.endedAt ? ` (${seconds(Date.parse(s.endedAt) - Date.parse(s.startedAt))})` : '';
  const out = [`### ${s.n}. ${s.title}`, '', `**${s.status}**${took}${s.destructive ? ' · DESTRUCTIVE' : ''} · step \`${s.id}\``];
  if (s.hosts.length) out.push(`on ${s.hosts.join(', ')}`);
  if (s.message) out.push('', `> ${s.message.replace(/\n/g, ' ')}`);
  for (const n of s.notes) out.push(`- ${n.kind} at ${n.time}: ${n.text}`);
  for (const c of s.commands) {
    out.push('', `\`${c.host ?? 'bastion'}\` · ${exitText(c)} · ${seconds(c.durationMs)}`, fence(`$ ${c.command}`, 'console'));
    if (c.outputTail.trim()) out.push(fence(c.outputTail));
  }
  return [...out, ''];
}

/** The report as Markdown, for the incident ticket. */
export function reportMarkdown(r: RunReport): string {
  const rows: [string, string][] = [
    ['Run', r.runId],
    ['Procedure', `${r.procedure} — ${r.title}`],
    ['Result', r.status + (r.message ? `: ${r.message}` : '')],
    ['Operator', `${r.operator} on ${r.hostname}`],
    ['Inventory', r.inventory],
    ['Started', r.startedAt],
    ['Ended', r.endedAt ?? '(not ended)'],
    [
      'Parameters',
      Object.entries(r.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '(none)',
    ],
    ['Hosts', r.hosts.join(', ') || '(none)'],
  ];
  const out = [`# ${r.procedure} run ${r.runId}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`), ''];
  if (r.panelBefore) out.push('## The cluster at the start', '', fence(r.panelBefore), '');
  out.push('## Steps', '');
  for (const s of r.steps) out.push(...stepMarkdown(s));
  if (r.panelAfter) out.push('## The cluster at the end', '', fence(r.panelAfter), '');
  return `${out.join('\n')}\n`;
}

/** The Markdown report of a run in the state directory (its journal and audit lines). */
export function reportOfRun(stateDir: string, runId: string): string {
  return reportMarkdown(buildReport(readJournal(stateDir, runId), readRunAudit(stateDir, runId)));
}

/** Writes the run's report to <stateDir>/reports/<run-id>.md (0600, as the journals); returns its path. */
export function writeRunReport(stateDir: string, runId: string): string {
  const text = reportOfRun(stateDir, runId);
  const dir = join(stateDir, 'reports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${runId}.md`);
  writeFileAtomic(path, text);
  return path;
}
