// Pure view logic of the Health screen: which rows (hosts by role, plus the cluster-wide row) and
// columns (checks) show, what each cell looks like without colour, the horizontal window of columns,
// and the one-line verdict per host for Home. No React here.
import { checkById } from '../checks/index.js';
import type { Inventory } from '../inventory/types.js';
import { type CellStatus, type CheckResult, cellKey, type HealthSnapshot } from './health.js';
import { commonDomain, hostRows, matchesFilter, shortName } from './home.js';

/** Row key of the cluster-wide (bastion, `oc`) checks; never a host name (hosts have no parentheses). */
export const CLUSTER_ROW = '(cluster)';

/** What the operator chose on the Health screen; kept by identity (row key, check id). */
export interface HealthView {
  /** Selected row: a host name or CLUSTER_ROW. */
  row?: string;
  /** Selected column: a check id. */
  check?: string;
  /** Words matched against host names/roles and check ids/titles. */
  filter: string;
  /** Hide rows and columns with no warn/fail/error cell. */
  problemsOnly: boolean;
}

export function initialHealthView(): HealthView {
  return { filter: '', problemsOnly: false };
}

export const hostOfRow = (row: string): string | null => (row === CLUSTER_ROW ? null : row);
export const rowOfHost = (host: string | null): string => host ?? CLUSTER_ROW;

// ---- one cell ----------------------------------------------------------------------------------------

export type StatusTone = 'ok' | 'warn' | 'bad' | 'busy' | undefined;

export interface StatusLabel {
  /** One column, readable without colour. */
  symbol: string;
  word: string;
  tone: StatusTone;
}

export const STATUS_LABELS: Record<CellStatus, StatusLabel> = {
  ok: { symbol: '✓', word: 'ok', tone: 'ok' },
  warn: { symbol: '!', word: 'warn', tone: 'warn' },
  fail: { symbol: '✗', word: 'fail', tone: 'bad' },
  error: { symbol: 'E', word: 'error', tone: 'bad' },
  skipped: { symbol: '-', word: 'skipped', tone: undefined },
  running: { symbol: '…', word: 'running', tone: 'busy' },
  pending: { symbol: '·', word: 'pending', tone: undefined },
};

/** Display order of the counts, worst first for the verdicts. */
export const STATUS_ORDER: readonly CellStatus[] = ['fail', 'error', 'warn', 'running', 'pending', 'skipped', 'ok'];

export const isProblem = (s: CellStatus): boolean => s === 'fail' || s === 'error' || s === 'warn';

/** The symbol of a cell; ' ' where the check does not apply to the host. */
export function cellSymbol(result: CheckResult | undefined): string {
  return result ? STATUS_LABELS[result.status].symbol : ' ';
}

// ---- columns -----------------------------------------------------------------------------------------

/** Column headers of at most 6 characters; the full id and title show in the line under the matrix. */
export const SHORT_HEADERS: Readonly<Record<string, string>> = {
  ntp: 'ntp',
  entropy: 'entrpy',
  'default-storageclass': 'sclass',
  'nodes-ready': 'nodes',
  'etcd-health': 'etcd',
  'etcd-members': 'member',
  router: 'router',
  registry: 'regist',
  skydns: 'skydns',
  'api-health': 'api',
  'kubelet-port': 'kubelt',
  'router-dns': 'rtdns',
  'registry-route': 'rgrte',
  disk: 'disk',
  'docker-storage': 'docker',
  'controllers-leader': 'ctrl',
  mtu: 'mtu',
};

export function shortHeader(check: string): string {
  return SHORT_HEADERS[check] ?? check.slice(0, 6);
}

export interface CheckMeta {
  title: string;
  section: string;
}

export function checkMeta(check: string): CheckMeta {
  const c = checkById(check);
  return c ? { title: c.title, section: c.section } : { title: check, section: '?' };
}

export interface MatrixColumn {
  check: string;
  header: string;
  /** Columns it takes, the gap after it included. */
  width: number;
}

export function columnWidth(header: string): number {
  return Math.max(3, [...header].length) + 1;
}

// ---- rows --------------------------------------------------------------------------------------------

export type MatrixRow =
  | { kind: 'header'; key: string; label: string; count: number }
  | { kind: 'row'; key: string; host: string | null; label: string };

export interface Matrix {
  rows: MatrixRow[];
  columns: MatrixColumn[];
  /** Keys of the selectable rows, in order. */
  rowKeys: string[];
  /** Check ids of the columns, in order. */
  checkIds: string[];
  /** The domain cut from host names (".example.com"), '' when none. */
  domain: string;
}

/**
 * Rows and columns shown for this snapshot and view: hosts grouped by role (as on Home) under a
 * "cluster" row for the bastion checks; the filter keeps matching hosts and/or checks (a filter that
 * matches neither hides everything); rows and columns without any applicable cell left are dropped;
 * problems-only drops those without a warn/fail/error cell.
 */
export function buildMatrix(inventory: Inventory, snapshot: HealthSnapshot, view: Pick<HealthView, 'filter' | 'problemsOnly'>): Matrix {
  const inRun = new Set(snapshot.hosts);
  const hosts = inventory.hosts.filter((h) => inRun.has(h.name));
  const domain = commonDomain(hosts);
  const hasCluster = snapshot.checks.some((c) => snapshot.results.has(cellKey(c, null)));

  const filter = view.filter.trim();
  const hostMatch = (name: string, roles: readonly string[]) => matchesFilter([name, ...roles].join(' '), filter);
  const checkMatch = (id: string) => matchesFilter(`${id} ${shortHeader(id)}`, filter);
  const allRows: { host: string | null; roles: readonly string[] }[] = [
    ...(hasCluster ? [{ host: null, roles: ['cluster', 'bastion'] }] : []),
    ...hosts.map((h) => ({ host: h.name, roles: h.roles })),
  ];
  const matchedRows = allRows.filter((r) => hostMatch(r.host ?? '', r.roles)).map((r) => r.host);
  const matchedChecks = snapshot.checks.filter(checkMatch);

  const cell = (c: string, h: string | null) => snapshot.results.get(cellKey(c, h));
  const keep = (r: CheckResult | undefined) => r !== undefined && (!view.problemsOnly || isProblem(r.status));
  /** Rows and columns left once empty ones are dropped. */
  const settle = (rowHosts: (string | null)[], checks: string[]) => {
    const rs = rowHosts.filter((h) => checks.some((c) => keep(cell(c, h))));
    return { rowHosts: rs, checks: checks.filter((c) => rs.some((h) => keep(cell(c, h)))) };
  };
  const everyRow = allRows.map((r) => r.host);
  let picked = settle(everyRow, snapshot.checks);
  if (filter) {
    // A filter narrows the side(s) it matches; when it matches both (e.g. "etcd": hosts with the etcd
    // role and the etcd-* checks) and together they leave nothing, each side alone is tried.
    const tries: [(string | null)[], string[]][] = [];
    if (matchedRows.length && matchedChecks.length) tries.push([matchedRows, matchedChecks]);
    if (matchedRows.length) tries.push([matchedRows, snapshot.checks]);
    if (matchedChecks.length) tries.push([everyRow, matchedChecks]);
    picked = { rowHosts: [], checks: [] };
    for (const [r, c] of tries) {
      picked = settle(r, c);
      if (picked.rowHosts.length) break;
    }
  }
  const { rowHosts, checks } = picked;

  const rows: MatrixRow[] = [];
  if (rowHosts.includes(null)) rows.push({ kind: 'row', key: CLUSTER_ROW, host: null, label: 'cluster' });
  const keptHosts = new Set(rowHosts.filter((h): h is string => h !== null));
  for (const r of hostRows({ ...inventory, hosts: hosts.filter((h) => keptHosts.has(h.name)) })) {
    if (r.kind === 'header') rows.push({ kind: 'header', key: r.key, label: r.label, count: r.count });
    else rows.push({ kind: 'row', key: r.host.name, host: r.host.name, label: shortName(r.host.name, domain) });
  }
  const columns = checks.map((check) => {
    const header = shortHeader(check);
    return { check, header, width: columnWidth(header) };
  });
  return {
    rows,
    columns,
    rowKeys: rows.filter((r) => r.kind === 'row').map((r) => r.key),
    checkIds: columns.map((c) => c.check),
    domain,
  };
}

/**
 * The selected cell to show: the chosen row and check while they are visible; else the first row,
 * and the first check that applies to that row (so the first screen never opens on a blank cell).
 */
export function effectiveCell(
  matrix: Pick<Matrix, 'rowKeys' | 'checkIds'>,
  has: (row: string, check: string) => boolean,
  view: Pick<HealthView, 'row' | 'check'>,
): { row?: string; check?: string } {
  const row = view.row !== undefined && matrix.rowKeys.includes(view.row) ? view.row : matrix.rowKeys[0];
  if (view.check !== undefined && matrix.checkIds.includes(view.check)) return { row, check: view.check };
  const check = (row !== undefined ? matrix.checkIds.find((c) => has(row, c)) : undefined) ?? matrix.checkIds[0];
  return { row, check };
}

/** Whether a (row, check) has a cell in the snapshot. */
export function hasCell(snapshot: HealthSnapshot, row: string, check: string): boolean {
  return snapshot.results.has(cellKey(check, hostOfRow(row)));
}

// ---- horizontal window -------------------------------------------------------------------------------

export interface ColumnWindow {
  /** First visible column index. */
  start: number;
  /** One past the last visible column index. */
  end: number;
  /** Columns hidden on the left / on the right. */
  left: number;
  right: number;
}

/**
 * Which columns fit in `width` (the host column excluded), keeping `selected` in view and moving as
 * little as possible from `prevStart`. When not all fit, `markerWidth` columns are kept free on the
 * right for " 17 more ›".
 */
export function columnWindow(
  widths: readonly number[],
  width: number,
  prevStart: number,
  selected: number,
  markerWidth = 10,
): ColumnWindow {
  const n = widths.length;
  const total = widths.reduce((a, b) => a + b, 0);
  if (total <= width) return { start: 0, end: n, left: 0, right: 0 };
  const room = Math.max(1, width - markerWidth);
  const fitFrom = (s: number) => {
    let e = s;
    let used = 0;
    while (e < n && used + widths[e]! <= room) used += widths[e++]!;
    return Math.max(e, s + 1); // at least one column, even if it is cut
  };
  let start = Math.max(0, Math.min(prevStart, n - 1));
  if (selected >= 0 && selected < start) start = selected;
  if (selected >= 0) while (start < selected && fitFrom(start) <= selected) start++;
  // Do not leave room unused at the end when scrolled right.
  while (start > 0 && fitFrom(start - 1) >= n) start--;
  const end = fitFrom(start);
  return { start, end, left: start, right: n - end };
}

// ---- counts and verdicts -----------------------------------------------------------------------------

export type StatusCounts = Record<CellStatus, number>;

export function countStatuses(results: Iterable<CheckResult>): StatusCounts {
  const c: StatusCounts = { ok: 0, warn: 0, fail: 0, error: 0, skipped: 0, running: 0, pending: 0 };
  for (const r of results) c[r.status]++;
  return c;
}

export interface HostVerdict {
  /** The worst status among the host's cells (fail > error > warn > running > pending > skipped > ok). */
  worst: CellStatus;
  counts: StatusCounts;
  /** Checks with the worst status, in guide order. */
  worstChecks: string[];
  /** "✗ 2 fail: etcd-health, disk" / "✓ 12 ok" / "… 3 running" (may be long: fit it). */
  text: string;
  /** Worst symbol and its count: "✗2", "✓12". */
  short: string;
}

/** The verdict of one row (a host name, or null for the cluster-wide checks); undefined when it has no cell. */
export function hostVerdict(snapshot: HealthSnapshot, host: string | null): HostVerdict | undefined {
  const mine = snapshot.checks.map((c) => snapshot.results.get(cellKey(c, host))).filter((r): r is CheckResult => r !== undefined);
  if (mine.length === 0) return undefined;
  const counts = countStatuses(mine);
  let worst = STATUS_ORDER.find((s) => counts[s] > 0)!;
  // All done and fine: skipped cells do not make a host look worse than ok.
  if (worst === 'skipped' && counts.ok > 0) worst = 'ok';
  const worstChecks = mine.filter((r) => r.status === worst).map((r) => r.check);
  const n = counts[worst];
  const label = STATUS_LABELS[worst];
  const text = isProblem(worst) ? `${label.symbol} ${n} ${label.word}: ${worstChecks.join(', ')}` : `${label.symbol} ${n} ${label.word}`;
  return { worst, counts, worstChecks, text, short: `${label.symbol}${n}` };
}

/** The status line: "✓ 40 ok  ! 1 warn  ✗ 2 fail  E 0 error  - 1 skipped" plus pending/running when any. */
export function statusSummary(counts: StatusCounts): { status: CellStatus; text: string }[] {
  const order: CellStatus[] = ['ok', 'warn', 'fail', 'error', 'skipped', 'pending', 'running'];
  return order
    .filter((s) => counts[s] > 0 || ['ok', 'warn', 'fail', 'error'].includes(s))
    .map((s) => ({ status: s, text: `${STATUS_LABELS[s].symbol} ${counts[s]} ${STATUS_LABELS[s].word}` }));
}

// ---- the detail of one cell --------------------------------------------------------------------------

/** Pretty JSON of the parsed facts, at most `maxLines` lines (the rest counted). */
export function prettyDetails(details: Record<string, unknown> | undefined, maxLines = 40): string[] {
  if (!details || Object.keys(details).length === 0) return [];
  let text: string;
  try {
    text = JSON.stringify(details, null, 2);
  } catch {
    text = String(details);
  }
  const lines = text.split('\n');
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines), `… ${lines.length - maxLines} more lines`];
}

/** The last `maxLines` lines of an output (the cut counted), without a final empty line. */
export function tailLines(text: string, maxLines = 200): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  if (text === '') return [];
  if (lines.length <= maxLines) return lines;
  return [`… ${lines.length - maxLines} earlier lines not shown`, ...lines.slice(-maxLines)];
}

/** Whether a host's worst check failed or could not run (Home's cursor starts on the first such host). */
export function hostFailing(snapshot: HealthSnapshot | undefined): (host: string) => boolean {
  return (host) => {
    const worst = snapshot ? hostVerdict(snapshot, host)?.worst : undefined;
    return worst === 'fail' || worst === 'error';
  };
}
