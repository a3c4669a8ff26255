// Pure logic behind the Home screen's two lists: grouping, filtering, and what is selectable.
// No React here.
import { DEFAULT_SCENARIO, type DemoScenario, findScenario } from '../demo/scenarios.js';
import { type Host, type Inventory, ROLE_ORDER, type Role } from '../inventory/types.js';
import type { CatalogueEntry } from './catalogue.js';
import type { ConnectivitySnapshot } from './connectivity.js';
import { CONNECTIVITY_LABELS } from './connectivity.js';
import { truncate } from './text.js';

export type HostRow =
  | { kind: 'header'; key: string; label: string; count: number }
  | { kind: 'host'; key: string; host: Host /** Roles after the one it is listed under. */; otherRoles: Role[] };

export type ProcedureRow =
  | { kind: 'header'; key: string; label: string; count: number }
  | { kind: 'entry'; key: string; entry: CatalogueEntry };

/** The role a host is listed under: its first role in ROLE_ORDER; undefined when it has none. */
export function primaryRole(host: Host): Role | undefined {
  return ROLE_ORDER.find((r) => host.roles.includes(r));
}

/** Case-insensitive: every word of the filter must occur somewhere in the text. */
export function matchesFilter(text: string, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = text.toLowerCase();
  return words.every((w) => hay.includes(w));
}

function hostSearchText(host: Host, connectivity?: ConnectivitySnapshot): string {
  const state = connectivity?.get(host.name)?.state;
  const word = state ? CONNECTIVITY_LABELS[state].word : '';
  return [host.name, host.address, ...host.roles, word].join(' ');
}

/** Hosts grouped by role (ROLE_ORDER), each under its first role; the filter keeps matching hosts only. */
export function hostRows(inventory: Inventory, filter = '', connectivity?: ConnectivitySnapshot): HostRow[] {
  const groups = new Map<Role | 'none', Host[]>();
  for (const host of inventory.hosts) {
    if (!matchesFilter(hostSearchText(host, connectivity), filter)) continue;
    const role = primaryRole(host) ?? 'none';
    let list = groups.get(role);
    if (!list) groups.set(role, (list = []));
    list.push(host);
  }
  const rows: HostRow[] = [];
  for (const role of [...ROLE_ORDER, 'none' as const]) {
    const hosts = groups.get(role);
    if (!hosts?.length) continue;
    rows.push({ kind: 'header', key: `role:${role}`, label: role === 'none' ? '(no role)' : role, count: hosts.length });
    for (const host of hosts) {
      const first = role === 'none' ? undefined : role;
      const otherRoles = ROLE_ORDER.filter((r) => r !== first && host.roles.includes(r));
      rows.push({ kind: 'host', key: host.name, host, otherRoles });
    }
  }
  return rows;
}

export function chapterLabel(entry: Pick<CatalogueEntry, 'chapter' | 'chapterTitle'>): string {
  return `${entry.chapter} ${entry.chapterTitle}`;
}

/** Every catalogue entry, grouped by chapter in chapter order (catalogue order inside a chapter). */
export function procedureRows(catalogue: readonly CatalogueEntry[], filter = ''): ProcedureRow[] {
  const chapters = new Map<number, CatalogueEntry[]>();
  for (const entry of catalogue) {
    const text = [entry.id, entry.title, entry.section, entry.kind, entry.built ? '' : 'not built'].join(' ');
    if (!matchesFilter(text, filter)) continue;
    let list = chapters.get(entry.chapter);
    if (!list) chapters.set(entry.chapter, (list = []));
    list.push(entry);
  }
  const rows: ProcedureRow[] = [];
  for (const chapter of [...chapters.keys()].sort((a, b) => a - b)) {
    const entries = chapters.get(chapter)!;
    rows.push({ kind: 'header', key: `chapter:${chapter}`, label: chapterLabel(entries[0]!), count: entries.length });
    for (const entry of entries) rows.push({ kind: 'entry', key: entry.id, entry });
  }
  return rows;
}

/** Keys of the rows that can be selected (hosts, entries), in order. */
export function selectableKeys(rows: readonly (HostRow | ProcedureRow)[]): string[] {
  return rows.filter((r) => r.kind !== 'header').map((r) => r.key);
}

/**
 * The selection after moving by delta among the selectable keys. A selection that is no longer in
 * the list (filtered out) starts again from the first one.
 */
export function moveSelection(keys: readonly string[], current: string | undefined, delta: number): string | undefined {
  if (keys.length === 0) return undefined;
  const i = current === undefined ? -1 : keys.indexOf(current);
  if (i < 0) return keys[0];
  const j = Math.max(0, Math.min(keys.length - 1, i + delta));
  return keys[j];
}

/** The selection to show: the current one when visible, else the first selectable key. */
export function effectiveSelection(keys: readonly string[], current: string | undefined): string | undefined {
  return current !== undefined && keys.includes(current) ? current : keys[0];
}

/**
 * First visible row of a list of `total` rows shown `height` at a time, so that `selected` is
 * visible, moving as little as possible from `prevOffset`. When `selected` is a list's first
 * entry and its header is just above, the header is kept in view too.
 */
export function scrollOffset(prevOffset: number, selected: number, height: number, total: number): number {
  if (height <= 0 || total <= height) return 0;
  const max = total - height;
  let off = Math.max(0, Math.min(prevOffset, max));
  if (selected < 0) return off;
  if (selected < off) off = selected;
  if (selected >= off + height) off = selected - height + 1;
  return Math.max(0, Math.min(off, max));
}

/**
 * The scroll offset adjusted so that the heading of the selected row's group (`heading`, its index; -1: none) is
 * in view when it and the selection fit in `height` rows together; otherwise unchanged.
 */
export function keepHeading(offset: number, selected: number, height: number, heading: number): number {
  if (heading < 0 || heading >= offset || selected < heading) return offset;
  return selected - heading < height ? heading : offset;
}

/** Index of the heading (last row that cannot be selected) above `selected`; -1 when none. */
export function headingIndex(rows: readonly { selectable: boolean }[], selected: number): number {
  for (let i = selected - 1; i >= 0; i--) if (!rows[i]!.selectable) return i;
  return -1;
}

/** A procedure id from what was typed at the `:` prompt: exact id, else a unique prefix, else a unique substring. */
export function resolveJump(catalogue: readonly CatalogueEntry[], typed: string): { entry?: CatalogueEntry; candidates: CatalogueEntry[] } {
  const t = typed.trim().toLowerCase();
  if (!t) return { candidates: [] };
  const exact = catalogue.find((e) => e.id.toLowerCase() === t);
  if (exact) return { entry: exact, candidates: [exact] };
  const prefix = catalogue.filter((e) => e.id.toLowerCase().startsWith(t));
  if (prefix.length === 1) return { entry: prefix[0], candidates: prefix };
  if (prefix.length > 1) return { candidates: prefix };
  const sub = catalogue.filter((e) => e.id.toLowerCase().includes(t));
  if (sub.length === 1) return { entry: sub[0], candidates: sub };
  return { candidates: sub };
}

/** Inventory warnings that matter to an operator, plus the ones this console derives itself. */
export function homeWarnings(inventory: Inventory): string[] {
  const out = inventory.warnings.map((w) => w.message);
  const etcd = inventory.hosts.filter((h) => h.roles.includes('etcd')).length;
  if (etcd > 0 && etcd % 2 === 0 && !out.some((m) => /etcd/i.test(m) && /even/i.test(m))) {
    out.push(`etcd has ${etcd} members, an even number: quorum tolerates no more failures than with ${etcd - 1}.`);
  }
  return out;
}

/**
 * The domain every host name ends with (".demo.example.com"), so lists can show the short names;
 * '' when there are fewer than two hosts or no common domain. An IP address never counts.
 */
export function commonDomain(hosts: readonly Pick<Host, 'name'>[]): string {
  if (hosts.length < 2) return '';
  if (hosts.some((h) => /^[0-9.]+$/.test(h.name) || !h.name.includes('.'))) return '';
  const split = hosts.map((h) => h.name.split('.').slice(1));
  let suffix = split[0]!;
  for (const parts of split) {
    let n = 0;
    while (n < suffix.length && n < parts.length && suffix[suffix.length - 1 - n] === parts[parts.length - 1 - n]) n++;
    suffix = suffix.slice(suffix.length - n);
  }
  return suffix.length ? `.${suffix.join('.')}` : '';
}

/** The name without the common domain. */
export function shortName(name: string, domain: string): string {
  return domain && name.endsWith(domain) && name.length > domain.length ? name.slice(0, -domain.length) : name;
}

/** A host whose connectivity is a problem (neither ok nor checking), by its short name. */
export interface HostProblem {
  name: string;
  /** "unreachable", "auth failed", "host key changed"… */
  word: string;
}

/**
 * The hosts with a connectivity problem, in `order` (the Home list's order; hosts missing from it
 * come after, in snapshot order), named without the common domain.
 */
export function connectivityProblems(snapshot: ConnectivitySnapshot, order: readonly string[], domain = ''): HostProblem[] {
  const names = [...new Set([...order.filter((n) => snapshot.has(n)), ...snapshot.keys()])];
  const out: HostProblem[] = [];
  for (const name of names) {
    const state = snapshot.get(name)?.state;
    if (!state || state === 'ok' || state === 'checking') continue;
    out.push({ name: shortName(name, domain), word: CONNECTIVITY_LABELS[state].word });
  }
  return out;
}

/**
 * The problem count naming the first host: "1 problem: app-node-2 unreachable", "3 problems:
 * app-node-2 unreachable +2 more", "0 problems". `word: false` leaves the state out; `nameWidth`
 * cuts the name (with …) to that many columns.
 */
export function problemPhrase(problems: readonly HostProblem[], opts: { word?: boolean; nameWidth?: number } = {}): string {
  const n = problems.length;
  const count = `${n} problem${n === 1 ? '' : 's'}`;
  const first = problems[0];
  if (!first) return count;
  const name = opts.nameWidth === undefined ? first.name : truncate(first.name, Math.max(1, opts.nameWidth));
  return `${count}: ${name}${opts.word === false ? '' : ` ${first.word}`}${n > 1 ? ` +${n - 1} more` : ''}`;
}

/** The DEMO scenario the inventory opens (its id and what to rehearse), or undefined for a file inventory. */
export function demoScenarioOf(inventory: Pick<Inventory, 'source'>): Pick<DemoScenario, 'id' | 'rehearse'> | undefined {
  if (inventory.source.kind !== 'demo') return undefined;
  const id = inventory.source.scenario || DEFAULT_SCENARIO;
  return findScenario(id) ?? { id, rehearse: [] };
}

/** A host's health, as far as Home's cursor cares: whether its worst check failed (or could not run). */
export type HostHealthProblem = (host: string) => boolean;

/**
 * Where the hosts pane's cursor starts: the first host (in the list's order) that cannot be reached or
 * whose checks fail; undefined when none has a problem (the cursor is then on the first host).
 */
export function firstProblemHost(
  rows: readonly HostRow[],
  connectivity: ConnectivitySnapshot,
  failing: HostHealthProblem = () => false,
): string | undefined {
  for (const r of rows) {
    if (r.kind !== 'host') continue;
    const state = connectivity.get(r.host.name)?.state;
    if ((state && state !== 'ok' && state !== 'checking') || failing(r.host.name)) return r.key;
  }
  return undefined;
}
