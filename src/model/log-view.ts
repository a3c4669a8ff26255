// The run view's log pane as pure logic: wrapping the run's (bounded) log into display rows, following
// the tail or staying where the operator scrolled, and searching. No React here.
import type { LogLine } from '../engine/session.js';

export interface LogRow {
  seq: number;
  /** Which wrapped part of its line (0: the first). */
  part: number;
  text: string;
  stream: LogLine['stream'];
}

/** Where the view stands: following the tail, or anchored at a row (kept when new lines arrive). */
export interface LogView {
  follow: boolean;
  /** First visible row when not following. */
  top?: { seq: number; part: number };
  search?: LogSearch;
}

export interface LogSearch {
  query: string;
  /** The operator is still typing the query (the `/` prompt is open). */
  editing: boolean;
  /** The line of the current match. */
  current?: number;
}

export function initialLogView(): LogView {
  return { follow: true };
}

/** "master-0│ " style prefix for a line's host; '' on the bastion or when every line is on one host. */
export function hostPrefix(host: string | null, domain: string, width: number): string {
  if (host === null) return `${'bastion'.padEnd(width)}│ `;
  const short = domain && host.endsWith(domain) ? host.slice(0, -domain.length) : host;
  const s = short.length > width ? `${short.slice(0, width - 1)}…` : short.padEnd(width);
  return `${s}│ `;
}

/** The text of one log line as shown (without host prefix). */
export function lineText(line: LogLine): string {
  switch (line.stream) {
    case 'command':
      return `$ ${line.text}`;
    case 'info':
      return `— ${line.text}`;
    case 'journal':
      return `┆ ${compactJournalLine(line.text)}`;
    case 'stderr':
      return line.text;
    default:
      return line.text;
  }
}

export interface RowOptions {
  /** Several hosts in this run: each line starts with its host. */
  multiHost: boolean;
  /** Common domain stripped from host names in the prefix. */
  domain?: string;
  /** Width of the host column (prefix). */
  hostWidth?: number;
  /** Each line starts with the local time it arrived, HH:MM:SS (`t` in the run view). */
  timestamps?: boolean;
}

/** A line's arrival as HH:MM:SS local time; blanks when it has none. */
export function clockOf(at: number | undefined): string {
  if (at === undefined) return '        ';
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Every log line wrapped to `width` columns. */
export function logRows(log: readonly LogLine[], width: number, opts: RowOptions): LogRow[] {
  const rows: LogRow[] = [];
  const hw = opts.hostWidth ?? 10;
  for (const line of log) {
    const prefix = (opts.timestamps ? `${clockOf(line.at)} ` : '') + (opts.multiHost ? hostPrefix(line.host, opts.domain ?? '', hw) : '');
    // Tabs and carriage returns would break the layout.
    const body = lineText(line).replace(/\t/g, '  ').replace(/\r/g, '');
    const indent = (opts.timestamps ? ' '.repeat(9) : '') + (opts.multiHost ? `${' '.repeat(hw)}│ ` : '  ');
    const parts = hardWrap(prefix, body, Math.max(10, width), indent);
    for (const [part, text] of parts.entries()) rows.push({ seq: line.seq, part, text, stream: line.stream });
  }
  return rows;
}

/** Cuts a log line at the width (logs are not prose: no word wrapping, nothing moves). */
function hardWrap(prefix: string, body: string, width: number, indent: string): string[] {
  const chars = [...body];
  const out: string[] = [];
  let room = Math.max(1, width - [...prefix].length);
  out.push(prefix + chars.splice(0, room).join(''));
  room = Math.max(1, width - [...indent].length);
  while (chars.length) out.push(indent + chars.splice(0, room).join(''));
  return out;
}

function rowIndex(rows: readonly LogRow[], at: { seq: number; part: number }): number {
  const i = rows.findIndex((r) => r.seq > at.seq || (r.seq === at.seq && r.part >= at.part));
  return i < 0 ? rows.length : i;
}

export interface LogWindow {
  start: number;
  rows: LogRow[];
  /** Rows below the window (new lines while paused). */
  below: number;
  above: number;
}

/** The rows to show in `height` lines. */
export function logWindow(rows: readonly LogRow[], view: LogView, height: number): LogWindow {
  const h = Math.max(1, height);
  const max = Math.max(0, rows.length - h);
  const start = view.follow || !view.top ? max : Math.min(max, rowIndex(rows, view.top));
  const shown = rows.slice(start, start + h);
  return { start, rows: shown, above: start, below: Math.max(0, rows.length - start - shown.length) };
}

function anchorAt(rows: readonly LogRow[], i: number): { seq: number; part: number } | undefined {
  const r = rows[Math.max(0, Math.min(rows.length - 1, i))];
  return r ? { seq: r.seq, part: r.part } : undefined;
}

/**
 * Scrolls by `delta` rows (-Infinity: top). Scrolling up stops following; scrolling down never starts
 * following again by itself (G / End does), so lines do not run away under the operator's eyes.
 */
export function scrollLog(view: LogView, rows: readonly LogRow[], height: number, delta: number): LogView {
  const { start } = logWindow(rows, view, height);
  const max = Math.max(0, rows.length - Math.max(1, height));
  if (view.follow && delta > 0) return view;
  if (max === 0 && delta < 0 && delta !== -Infinity) return { ...view, follow: false, top: anchorAt(rows, 0) };
  const next = delta === -Infinity ? 0 : Math.max(0, Math.min(max, start + delta));
  return { ...view, follow: false, top: anchorAt(rows, next) };
}

/** G / End: back to following the tail. */
export function followTail(view: LogView): LogView {
  return { ...view, follow: true, top: undefined };
}

/** Lines (seq) whose text contains the query, case-insensitive, oldest first. */
export function searchMatches(log: readonly LogLine[], query: string): number[] {
  const q = query.toLowerCase();
  if (!q) return [];
  return log.filter((l) => lineText(l).toLowerCase().includes(q) || (l.host ?? '').toLowerCase().includes(q)).map((l) => l.seq);
}

/** Where `query` occurs in a row's text: [start, end) column ranges. */
export function matchRanges(text: string, query: string): [number, number][] {
  const q = query.toLowerCase();
  if (!q) return [];
  const hay = text.toLowerCase();
  const out: [number, number][] = [];
  for (let i = hay.indexOf(q); i >= 0; i = hay.indexOf(q, i + q.length)) out.push([i, i + q.length]);
  return out;
}

/** Shows the match line `seq` a third of the way down the pane (paused). */
function showLine(view: LogView, rows: readonly LogRow[], height: number, seq: number): LogView {
  const i = rowIndex(rows, { seq, part: 0 });
  const max = Math.max(0, rows.length - Math.max(1, height));
  const start = Math.max(0, Math.min(max, i - Math.floor(height / 3)));
  return { ...view, follow: false, top: anchorAt(rows, start) };
}

/**
 * Enter at the `/` prompt (dir 0): the newest match; n (dir 1): the next newer one; N (dir -1): the
 * next older one. Wraps around. No match: the view stays, `current` is cleared.
 */
export function gotoMatch(view: LogView, log: readonly LogLine[], rows: readonly LogRow[], height: number, dir: 0 | 1 | -1): LogView {
  const search = view.search;
  if (!search) return view;
  const matches = searchMatches(log, search.query);
  if (matches.length === 0) return { ...view, search: { ...search, editing: false, current: undefined } };
  let target: number;
  const cur = search.current;
  if (dir === 0 || cur === undefined) target = matches[matches.length - 1]!;
  else if (dir > 0) target = matches.find((s) => s > cur) ?? matches[0]!;
  else target = [...matches].reverse().find((s) => s < cur) ?? matches[matches.length - 1]!;
  return showLine({ ...view, search: { ...search, editing: false, current: target } }, rows, height, target);
}

/** "match 3/12", "no match", or '' without a search. */
export function searchStatus(view: LogView, log: readonly LogLine[]): string {
  const s = view.search;
  if (!s?.query) return '';
  const matches = searchMatches(log, s.query);
  if (matches.length === 0) return `no line contains "${s.query}"`;
  const i = s.current === undefined ? -1 : matches.indexOf(s.current);
  return i < 0 ? `${matches.length} matching line${matches.length === 1 ? '' : 's'}` : `match ${i + 1}/${matches.length}`;
}

/**
 * A journal line without the date and host journalctl puts in front (`Nov 25 04:21:50 master-0 etcd[9]:
 * …` → `04:21:50 etcd[9]: …`): the pane is narrow and says whose journal it is. Other lines as they are.
 */
export function compactJournalLine(text: string): string {
  const m = /^[A-Z][a-z]{2} [ \d]\d (\d\d:\d\d:\d\d) \S+ (\S+?\[\d+\]: .*|\S+: .*)$/.exec(text);
  return m ? `${m[1]} ${m[2]}` : text;
}

/**
 * The command "under the cursor": the search's current match when it is a command line, else the newest
 * command at or above the last row shown (the one whose output is on the screen). Undefined: none shown yet.
 */
export function commandAtCursor(log: readonly LogLine[], rows: readonly LogRow[], view: LogView, height: number): string | undefined {
  const current = view.search?.current;
  const match = current === undefined ? undefined : log.find((l) => l.seq === current && l.stream === 'command');
  if (match) return match.text;
  const win = logWindow(rows, view, height);
  const last = win.rows.at(-1)?.seq;
  if (last === undefined) return undefined;
  return log.filter((l) => l.stream === 'command' && l.seq <= last).at(-1)?.text;
}
