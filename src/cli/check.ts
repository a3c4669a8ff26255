// `day2-tui check [--json] [--only IDS] [--limit HOSTS]`: run the health checks once and print them.
// --json: one object {summary, results} (DESIGN.md); else a table grouped by check, fixes under the
// problems, and a summary line; progress on a terminal while the cells finish. Exit 0 ok, 1 warn, 2 fail/error.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ALL_CHECKS } from '../checks/index.js';
import { HealthRunError, type HealthRunOptions, startHealthRun } from '../checks/run.js';
import type { Inventory } from '../inventory/types.js';
import { type CellStatus, type CheckResult, type HealthSnapshot, summarize } from '../model/health.js';
import type { Runner } from '../transport/types.js';
import { VERSION } from './args.js';

export interface CheckIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal: show progress. */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export interface CheckRequest {
  inventory: Inventory;
  runner: Runner;
  json: boolean;
  only?: string[];
  limit?: string[];
  /** `--oc` (default `oc`). */
  oc: string;
  concurrency: number;
  color: boolean;
  /** Per-command timeout (default 30 s). */
  timeoutMs?: number;
}

export const OC_NOT_FOUND = 'install the OpenShift client or pass --oc PATH';

/** An executable file at `path` (with a slash), or found on $PATH. undefined when there is none. */
export function findExecutable(program: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const candidates = program.includes('/')
    ? [resolve(program)]
    : (env.PATH ?? '')
        .split(delimiter)
        .filter((d) => d !== '' && isAbsolute(d))
        .map((d) => join(d, program));
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Runs the checks, prints them, returns the exit code. A bad selection is thrown as HealthRunError (nothing ran). */
/** The health run for a request, shared by `day2-tui check` and the console's Health screen. */
export function healthRunOptions(
  req: Pick<CheckRequest, 'inventory' | 'runner' | 'oc' | 'concurrency' | 'only' | 'limit' | 'timeoutMs'>,
  env: CheckIO['env'],
): HealthRunOptions {
  const runOptions: HealthRunOptions = {
    inventory: req.inventory,
    runner: req.runner,
    checks: ALL_CHECKS,
    oc: req.oc,
    concurrency: req.concurrency,
  };
  if (req.only) runOptions.only = req.only;
  if (req.limit) runOptions.limit = req.limit;
  if (req.timeoutMs !== undefined) runOptions.timeoutMs = req.timeoutMs;
  // The demo answers `oc` itself; a real inventory needs the client on this machine.
  if (req.inventory.source.kind !== 'demo' && !findExecutable(req.oc, env)) {
    runOptions.ocUnavailable = `${req.oc} not found: ${OC_NOT_FOUND}`;
  }
  return runOptions;
}

export async function runCheck(req: CheckRequest, io: CheckIO): Promise<number> {
  const runOptions = healthRunOptions(req, io.env);

  const started = Date.now();
  const run = startHealthRun(runOptions);
  const progress = io.isTTY && !req.json ? progressLine(io, run.getSnapshot, req.color) : undefined;
  const unsubscribe = progress ? run.subscribe(progress.update) : () => {};
  let snapshot: HealthSnapshot;
  try {
    snapshot = await run.finished();
  } finally {
    unsubscribe();
    progress?.clear();
    run.dispose();
  }
  const summary = summarize(snapshot);
  if (req.json) io.stdout(`${JSON.stringify(toJson(snapshot, req.inventory))}\n`);
  else io.stdout(renderTable(snapshot, req.inventory, { color: req.color && io.isTTY, elapsedMs: Date.now() - started }));
  return summary.exitCode;
}

export { HealthRunError, startHealthRun };

// ---- --json -------------------------------------------------------------------------------------------

export interface CheckJson {
  summary: { ok: number; warn: number; fail: number; error: number; skipped: number };
  results: {
    check: string;
    host: string | null;
    status: CellStatus;
    message: string;
    details: Record<string, unknown>;
    fix?: { text: string; procedure?: string };
    title?: string;
    section?: string;
    durationMs?: number;
  }[];
  /** Where the inventory came from: its path, or "DEMO" for the simulated cluster. */
  inventory: string;
  /** When the checks finished (ISO 8601, UTC). */
  timestamp: string;
  /** The day2-tui version that ran them (`--version`). */
  version: string;
}

/** The `check --json` object: results in guide order, then inventory host order (the snapshot's order). */
export function toJson(snapshot: HealthSnapshot, inventory: Inventory, at: Date = new Date()): CheckJson {
  const { ok, warn, fail, error } = summarize(snapshot);
  const results: CheckJson['results'] = [];
  let skipped = 0;
  for (const r of ordered(snapshot)) {
    if (r.status === 'skipped') skipped++;
    const check = ALL_CHECKS.find((c) => c.id === r.check);
    const item: CheckJson['results'][number] = {
      check: r.check,
      host: r.host,
      status: r.status,
      message: r.message,
      details: r.details ?? {},
    };
    if (r.fix) item.fix = { ...r.fix };
    if (check) {
      item.title = check.title;
      item.section = check.section;
    }
    if (r.durationMs !== undefined) item.durationMs = r.durationMs;
    results.push(item);
  }
  return {
    summary: { ok, warn, fail, error, skipped },
    results,
    inventory: inventory.source.kind === 'demo' ? 'DEMO' : inventory.source.path,
    timestamp: at.toISOString(),
    version: VERSION,
  };
}

/** Cells in guide order, then inventory host order (cluster-wide first). */
function ordered(snapshot: HealthSnapshot): CheckResult[] {
  const checkIndex = new Map(snapshot.checks.map((c, i) => [c, i]));
  const hostIndex = new Map(snapshot.hosts.map((h, i) => [h, i]));
  return [...snapshot.results.values()].sort(
    (a, b) =>
      (checkIndex.get(a.check) ?? 1e9) - (checkIndex.get(b.check) ?? 1e9) ||
      (a.host === null ? -1 : (hostIndex.get(a.host) ?? 1e9)) - (b.host === null ? -1 : (hostIndex.get(b.host) ?? 1e9)),
  );
}

// ---- the table ----------------------------------------------------------------------------------------

const LOOK: Record<CellStatus, { symbol: string; word: string; sgr: string }> = {
  ok: { symbol: '✓', word: 'ok', sgr: '32' },
  warn: { symbol: '!', word: 'WARN', sgr: '33' },
  fail: { symbol: '✗', word: 'FAIL', sgr: '31;1' },
  error: { symbol: 'E', word: 'ERROR', sgr: '35' },
  skipped: { symbol: '-', word: 'skipped', sgr: '2' },
  running: { symbol: '…', word: 'running', sgr: '2' },
  pending: { symbol: '·', word: 'pending', sgr: '2' },
};

const paint = (color: boolean, sgr: string, text: string) => (color ? `\x1b[${sgr}m${text}\x1b[0m` : text);

export function renderTable(snapshot: HealthSnapshot, inventory: Inventory, opts: { color: boolean; elapsedMs?: number }): string {
  const { color } = opts;
  const lines: string[] = [];
  const source = inventory.source.kind === 'demo' ? 'DEMO cluster (simulated; nothing here is real)' : `inventory ${inventory.source.path}`;
  lines.push(`${source}: ${count(snapshot.checks.length, 'check')} on ${count(snapshot.hosts.length, 'host')}`);
  const hostWidth = Math.max(9, ...snapshot.hosts.map((h) => h.length));
  const wordWidth = Math.max(...Object.values(LOOK).map((l) => l.word.length));
  const results = ordered(snapshot);
  for (const id of snapshot.checks) {
    const check = ALL_CHECKS.find((c) => c.id === id);
    lines.push('');
    lines.push(paint(color, '1', `${check ? `${check.section} ` : ''}${id}${check ? ` — ${check.title}` : ''}`));
    for (const r of results.filter((x) => x.check === id)) {
      const look = LOOK[r.status];
      const status = paint(color, look.sgr, `${look.symbol} ${look.word}`) + ' '.repeat(wordWidth - look.word.length);
      lines.push(`  ${status}  ${(r.host ?? '(cluster)').padEnd(hostWidth)}  ${r.message}`);
      if (r.fix && r.status !== 'ok' && r.status !== 'skipped') {
        const indent = ' '.repeat(2 + 2 + wordWidth + 2 + hostWidth + 2);
        lines.push(`${indent}fix: ${r.fix.text}${r.fix.procedure ? ` (procedure ${r.fix.procedure})` : ''}`);
      }
    }
  }
  const s = summarize(snapshot);
  const skipped = results.filter((r) => r.status === 'skipped').length;
  const parts = [
    paint(color, LOOK.ok.sgr, `${LOOK.ok.symbol} ${s.ok} ok`),
    paint(color, LOOK.warn.sgr, `${LOOK.warn.symbol} ${s.warn} warn`),
    paint(color, LOOK.fail.sgr, `${LOOK.fail.symbol} ${s.fail} fail`),
    paint(color, LOOK.error.sgr, `${LOOK.error.symbol} ${s.error} error`),
  ];
  if (skipped > 0) parts.push(`${LOOK.skipped.symbol} ${skipped} skipped`);
  const took = opts.elapsedMs !== undefined ? ` in ${(opts.elapsedMs / 1000).toFixed(1)} s` : '';
  lines.push('');
  lines.push(`Summary: ${parts.join(', ')} (${results.length} results${took})`);
  return `${lines.join('\n')}\n`;
}

// ---- progress on a terminal ---------------------------------------------------------------------------

function progressLine(io: CheckIO, getSnapshot: () => HealthSnapshot, color: boolean): { update: () => void; clear: () => void } {
  let last = 0;
  let shown = false;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    timer = undefined;
    last = Date.now();
    const s = getSnapshot();
    let done = 0;
    const bad: string[] = [];
    for (const r of s.results.values()) {
      if (r.status === 'pending' || r.status === 'running') continue;
      done++;
      if (r.status === 'fail' || r.status === 'error') bad.push(r.status);
    }
    const fails = bad.filter((b) => b === 'fail').length;
    const errors = bad.length - fails;
    const note = fails + errors > 0 ? paint(color, LOOK.fail.sgr, ` (${fails} fail, ${errors} error)`) : '';
    io.stdout(`\r\x1b[Kchecking… ${done}/${s.results.size} done${note}`);
    shown = true;
  };
  return {
    update: () => {
      if (timer) return;
      const wait = Math.max(0, 100 - (Date.now() - last));
      timer = setTimeout(draw, wait);
    },
    clear: () => {
      if (timer) clearTimeout(timer);
      if (shown) io.stdout('\r\x1b[K');
    },
  };
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
