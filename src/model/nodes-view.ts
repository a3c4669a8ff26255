// Pure view logic of the Nodes screens: the node list (rows, columns fitted to the terminal, filter,
// selection), one node's pods, the drain options modal (its fields, what the options do to the node's
// pods, the typed-name gate of --force) and the live drain view (per-pod marks, counts, headline, how
// the rows are shared). No React, no I/O: the screens render this, the hook (screens/hooks/useNodes.ts)
// talks to the NodesService.

import {
  DRAIN_TIMEOUT_SECONDS,
  type DrainOptions,
  type DrainProgress,
  drainFlags,
  type PodDrainState,
  type PodProgress,
  progressCounts,
  validateDrainOptions,
} from '../nodes/drain.js';
import type { DrainSnapshot, NodeRow } from '../nodes/service.js';
import type { NodeInfo, NodePod } from '../ocp/nodes.js';
import { type DrainBlocker, drainBlockers, ownerKindAbbrev, podKey, podsLostForGood } from '../ocp/nodes.js';
import type { OcVersion } from '../ocp/oc.js';
import { effectiveSelection, matchesFilter, moveSelection, shortName } from './home.js';
import { fit, truncate, wrap } from './text.js';

export type ViewTone = 'ok' | 'bad' | 'warn' | 'busy' | undefined;

// ---- columns ------------------------------------------------------------------------------------------

export interface Column {
  /** Natural width: the widest of the header and the values. */
  natural: number;
  /** It is not cut below this. */
  min: number;
}

/**
 * Widths for columns sharing `width` (separators of `sep` spaces between them): every column at its
 * natural width when that fits; else the columns give way in `shrinkOrder` (indexes), each down to its
 * minimum. The result may still be wider than `width` when the minimums do not fit (then cut the line).
 */
export function fitColumns(cols: readonly Column[], width: number, shrinkOrder: readonly number[], sep = 1): number[] {
  const widths = cols.map((c) => Math.max(c.min, c.natural));
  const total = () => widths.reduce((a, b) => a + b, 0) + sep * Math.max(0, cols.length - 1);
  for (const i of shrinkOrder) {
    const over = total() - width;
    if (over <= 0) break;
    widths[i] = Math.max(cols[i]!.min, widths[i]! - over);
  }
  return widths;
}

/** Each cell padded (or cut) to its column; right-aligned where asked. */
export function tableCells(cells: readonly string[], widths: readonly number[], rightAlign: ReadonlySet<number> = new Set()): string[] {
  return cells.map((c, i) => {
    const w = widths[i]!;
    if (!rightAlign.has(i)) return fit(c, w);
    const t = truncate(c, w);
    return ' '.repeat(Math.max(0, w - [...t].length)) + t;
  });
}

function joinCells(cells: readonly string[], widths: readonly number[], sep = 1, rightAlign: ReadonlySet<number> = new Set()): string {
  return tableCells(cells, widths, rightAlign).join(' '.repeat(sep)).replace(/\s+$/, '');
}

// ---- the node list -------------------------------------------------------------------------------------

/** What the operator chose on the Nodes screen; kept while the console runs (by node name). */
export interface NodesView {
  selected?: string;
  filter: string;
  /** The `/` prompt is open (typed keys go to the filter). */
  filtering: boolean;
}

export function initialNodesView(): NodesView {
  return { filter: '', filtering: false };
}

export interface NodeMark {
  mark: string;
  word: string;
  tone: ViewTone;
}

/**
 * The STATUS column as `oc get nodes` prints it: `Ready`, `NotReady` (also for an Unknown Ready
 * condition, as oc does), with `,SchedulingDisabled` when cordoned; and a mark so colour is not needed.
 */
export function nodeStatus(n: Pick<NodeInfo, 'ready' | 'schedulable'>): NodeMark {
  const ready = n.ready === 'Ready';
  const word = `${ready ? 'Ready' : 'NotReady'}${n.schedulable ? '' : ',SchedulingDisabled'}`;
  return { mark: ready ? '✓' : '✗', word, tone: ready ? (n.schedulable ? 'ok' : 'warn') : 'bad' };
}

export function schedulableMark(n: Pick<NodeInfo, 'schedulable'>): NodeMark {
  return n.schedulable ? { mark: '✓', word: 'yes', tone: 'ok' } : { mark: '✗', word: 'no', tone: 'warn' };
}

export interface NodeListRow {
  /** The node's full name. */
  key: string;
  node: NodeRow;
  cells: { name: string; status: string; roles: string; sched: string; pods: string; kubelet: string };
  statusTone: ViewTone;
}

export const NODE_HEADERS = { name: 'NAME', status: 'STATUS', roles: 'ROLES', sched: 'SCHED', pods: 'PODS', kubelet: 'KUBELET' } as const;
const NODE_KEYS = ['name', 'status', 'roles', 'sched', 'pods', 'kubelet'] as const;

function nodeSearchText(n: NodeRow): string {
  const s = nodeStatus(n);
  return [
    n.name,
    s.word,
    n.ready,
    ...n.roles,
    n.schedulable ? 'schedulable' : 'cordoned unschedulable',
    n.kubeletVersion,
    n.internalIP ?? '',
  ].join(' ');
}

/** The rows of the node list (sorted by name), those matching the filter only; names without `domain`. */
export function nodeRows(nodes: readonly NodeRow[], filter: string, domain: string): NodeListRow[] {
  return [...nodes]
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((n) => matchesFilter(nodeSearchText(n), filter))
    .map((n) => {
      const st = nodeStatus(n);
      const sc = schedulableMark(n);
      return {
        key: n.name,
        node: n,
        cells: {
          name: shortName(n.name, domain),
          status: `${st.mark} ${st.word}`,
          roles: n.roles.length ? n.roles.join(',') : '<none>',
          sched: `${sc.mark} ${sc.word}`,
          pods: n.pods === undefined ? '?' : String(n.pods),
          kubelet: n.kubeletVersion || '?',
        },
        statusTone: st.tone,
      };
    });
}

export interface TableLayout {
  widths: number[];
  sep: number;
  header: string;
}

/** Column widths of the node list for `width` columns (the 2-column selection marker not included). */
export function nodeTable(rows: readonly NodeListRow[], width: number): TableLayout {
  const cols: Column[] = NODE_KEYS.map((k) => {
    const natural = Math.max(NODE_HEADERS[k].length, ...rows.map((r) => [...r.cells[k]].length));
    const min =
      k === 'name' ? Math.min(natural, 10) : k === 'status' ? Math.min(natural, 10) : k === 'kubelet' ? Math.min(natural, 7) : natural;
    return { natural, min };
  });
  // Two spaces between columns when they fit, else one; the kubelet version gives way first, then the
  // name (the full name is under the list), then the status word.
  const two = cols.reduce((a, c) => a + c.natural, 0) + 2 * (cols.length - 1) <= width;
  const sep = two ? 2 : 1;
  const widths = fitColumns(cols, width, [5, 0, 1, 2], sep);
  return {
    widths,
    sep,
    header: joinCells(
      NODE_KEYS.map((k) => NODE_HEADERS[k]),
      widths,
      sep,
      new Set([4]),
    ),
  };
}

/** One row's text in the table's columns (pods right-aligned). */
export function nodeLine(row: NodeListRow, table: TableLayout): string {
  return joinCells(
    NODE_KEYS.map((k) => row.cells[k]),
    table.widths,
    table.sep,
    new Set([4]),
  );
}

/** The row's cells padded to the table's columns, in NODE_KEYS order (for rendering them in their own tones). */
export function nodeCells(row: NodeListRow, table: TableLayout): string[] {
  return tableCells(
    NODE_KEYS.map((k) => row.cells[k]),
    table.widths,
    new Set([4]),
  );
}

/** "9 nodes · ✗ 1 NotReady · 3 cordoned · 51 pods" */
export function nodesSummary(nodes: readonly NodeRow[]): string {
  const notReady = nodes.filter((n) => n.ready !== 'Ready').length;
  // a master is unschedulable by design (openshift_schedulable=false): not an operator's cordon
  const cordoned = nodes.filter((n) => !n.schedulable && !n.roles.includes('master')).length;
  const counted = nodes.every((n) => n.pods !== undefined);
  const pods = nodes.reduce((a, n) => a + (n.pods ?? 0), 0);
  const parts = [`${nodes.length} node${nodes.length === 1 ? '' : 's'}`];
  parts.push(notReady ? `✗ ${notReady} NotReady` : '✓ all Ready');
  parts.push(`${cordoned} cordoned`);
  if (counted) parts.push(`${pods} pods`);
  return parts.join(' · ');
}

/** Lines about the selected node under the list: its full name, address, why not Ready, taints. */
export function nodeDetail(n: NodeRow): string[] {
  const st = nodeStatus(n);
  const first =
    `${n.name}${n.internalIP ? `  ${n.internalIP}` : ''}  ${st.mark} ${st.word}` +
    `${n.ready === 'Unknown' ? ' (Ready condition Unknown)' : ''}`;
  const second: string[] = [];
  if (n.ready !== 'Ready') second.push(`not Ready: ${n.readyMessage ?? 'no reason given'}`);
  second.push(n.schedulable ? 'schedulable: new pods may be placed on it' : 'cordoned: no new pods are placed on it (u uncordons)');
  if (n.taints.length) second.push(`taints ${n.taints.join(', ')}`);
  return [first, second.join(' · ')];
}

/** The node list's selection moved by delta (j/k, PgUp/PgDn, ±Infinity for g/G). */
export function moveNode(rows: readonly NodeListRow[], current: string | undefined, delta: number): string | undefined {
  const keys = rows.map((r) => r.key);
  // Moving starts from the row shown selected (the first one before any move).
  return moveSelection(keys, effectiveSelection(keys, current), delta);
}

/** The node to act on: the selected one when it is listed, else the first row. */
export function selectedNode(rows: readonly NodeListRow[], current: string | undefined): NodeListRow | undefined {
  return rows.find((r) => r.key === current) ?? rows[0];
}

/** Why cordon / uncordon is not sent for this node, or undefined when it should be. */
export function schedulableRefusal(n: Pick<NodeInfo, 'name' | 'schedulable'>, schedulable: boolean): string | undefined {
  if (schedulable && n.schedulable) return `${n.name} is already schedulable (c cordons it).`;
  if (!schedulable && !n.schedulable) return `${n.name} is already cordoned (u uncordons it; d drains it).`;
  return undefined;
}

// ---- one node's pods -------------------------------------------------------------------------------------

/** The owner kind as the operator reads it: DC, RC, RS, DS, StatefulSet, Job, bare, static (a mirror pod). */
export function ownerKindLabel(p: Pick<NodePod, 'ownerKind' | 'owner' | 'mirror'>): string {
  if (p.mirror) return 'static';
  return ownerKindAbbrev(p);
}

/** "DC frontend", "StatefulSet redis", "bare", "static". */
export function ownerLabel(p: Pick<NodePod, 'ownerKind' | 'owner' | 'via' | 'mirror'>): string {
  const kind = ownerKindLabel(p);
  if (p.mirror || p.ownerKind === 'bare') return kind;
  const name = (p.via ?? p.owner)?.name;
  return name ? `${kind} ${name}` : kind;
}

export interface PodListRow {
  key: string;
  pod: NodePod;
  cells: { namespace: string; name: string; status: string; owner: string; data: string };
  tone: ViewTone;
}

export const POD_HEADERS = { namespace: 'NAMESPACE', name: 'NAME', status: 'STATUS', owner: 'OWNER', data: 'LOCAL DATA' } as const;
const POD_KEYS = ['namespace', 'name', 'status', 'owner', 'data'] as const;

function podStatusWord(p: NodePod): string {
  if (p.terminating) return 'Terminating';
  return p.phase === 'Running' && !p.ready ? 'Running (not ready)' : p.phase;
}

export function podRows(pods: readonly NodePod[]): PodListRow[] {
  return [...pods]
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
    .map((p) => {
      const status = podStatusWord(p);
      return {
        key: podKey(p),
        pod: p,
        cells: { namespace: p.namespace, name: p.name, status, owner: ownerLabel(p), data: p.emptyDir ? 'emptyDir' : '-' },
        tone: p.terminating || p.phase === 'Pending' || p.phase === 'Unknown' ? 'warn' : p.phase === 'Failed' ? 'bad' : undefined,
      };
    });
}

export function podTable(rows: readonly PodListRow[], width: number): TableLayout {
  const cols: Column[] = POD_KEYS.map((k) => {
    const natural = Math.max(POD_HEADERS[k].length, ...rows.map((r) => [...r.cells[k]].length));
    const min =
      k === 'name'
        ? Math.min(natural, 16)
        : k === 'owner'
          ? Math.min(natural, 16)
          : k === 'namespace'
            ? Math.min(natural, 9)
            : k === 'status'
              ? Math.min(natural, 9)
              : natural;
    return { natural, min };
  });
  const two = cols.reduce((a, c) => a + c.natural, 0) + 2 * (cols.length - 1) <= width;
  const sep = two ? 2 : 1;
  // The full name and owner of the selected pod are under the list: the owner, then the name give way.
  const widths = fitColumns(cols, width, [3, 1, 0, 2], sep);
  return {
    widths,
    sep,
    header: joinCells(
      POD_KEYS.map((k) => POD_HEADERS[k]),
      widths,
      sep,
    ),
  };
}

export function podLine(row: PodListRow, table: TableLayout): string {
  return joinCells(
    POD_KEYS.map((k) => row.cells[k]),
    table.widths,
    table.sep,
  );
}

/** The row's cells padded to the table's columns, in POD_KEYS order. */
export function podCells(row: PodListRow, table: TableLayout): string[] {
  return tableCells(
    POD_KEYS.map((k) => row.cells[k]),
    table.widths,
  );
}

/** "7 pods · 3 DaemonSet · 1 bare · 1 emptyDir · 1 finished" */
export function podsSummary(pods: readonly NodePod[]): string {
  const n = (f: (p: NodePod) => boolean) => pods.filter(f).length;
  const parts = [`${pods.length} pod${pods.length === 1 ? '' : 's'}`];
  const ds = n((p) => p.ownerKind === 'DaemonSet');
  const statics = n((p) => p.mirror);
  const bare = podsLostForGood(pods).length;
  const empty = n((p) => p.emptyDir);
  const done = n((p) => p.phase === 'Succeeded' || p.phase === 'Failed');
  if (ds) parts.push(`${ds} DaemonSet`);
  if (statics) parts.push(`${statics} static`);
  if (bare) parts.push(`${bare} bare`);
  if (empty) parts.push(`${empty} emptyDir`);
  if (done) parts.push(`${done} finished`);
  return parts.join(' · ');
}

/** Under the pod list: the selected pod in full. */
export function podDetail(p: NodePod): string {
  const owner =
    p.ownerKind === 'bare' && !p.mirror
      ? 'bare: no controller recreates it'
      : p.mirror
        ? "static pod (mirror of the kubelet's manifest)"
        : `owner ${p.owner?.kind ?? '?'} ${p.owner?.name ?? ''}${p.via ? ` (${p.via.kind} ${p.via.name})` : ''}`;
  const data = p.emptyDir ? ' · emptyDir: its local data is lost when it goes' : '';
  return (
    `${p.namespace}/${p.name} · ${owner} · ${p.ready ? 'ready' : 'not ready'} · ${p.restarts} ` +
    `restart${p.restarts === 1 ? '' : 's'}${data}`
  );
}

// ---- the drain options modal ---------------------------------------------------------------------------

export type DrainField = 'ignoreDaemonsets' | 'deleteLocalData' | 'force' | 'grace' | 'timeout' | 'confirm';
export type DrainCheckbox = 'ignoreDaemonsets' | 'deleteLocalData' | 'force';

export interface DrainForm {
  node: string;
  ignoreDaemonsets: boolean;
  deleteLocalData: boolean;
  force: boolean;
  /** Seconds as typed; '' : each pod's own grace period. */
  grace: string;
  /** Seconds as typed; '' : no --timeout (wait for ever, Esc cancels). */
  timeout: string;
  /** The node name typed for --force. */
  typed: string;
  field: DrainField;
  /** Why Enter did not start the drain (shown until the next change). */
  error?: string;
}

/** The defaults: --ignore-daemonsets on (their controller ignores the cordon anyway), the rest off. */
export function initialDrainForm(node: string): DrainForm {
  return {
    node,
    ignoreDaemonsets: true,
    deleteLocalData: false,
    force: false,
    grace: '',
    timeout: String(DRAIN_TIMEOUT_SECONDS),
    typed: '',
    field: 'ignoreDaemonsets',
  };
}

/** The fields in order; the typed-name field only while --force is on. */
export function drainFields(form: Pick<DrainForm, 'force'>): DrainField[] {
  const f: DrainField[] = ['ignoreDaemonsets', 'deleteLocalData', 'force', 'grace', 'timeout'];
  return form.force ? [...f, 'confirm'] : f;
}

export const CHECKBOX_LABELS: Record<DrainCheckbox, { label: string; flag: string }> = {
  ignoreDaemonsets: { label: 'ignore daemonsets', flag: '--ignore-daemonsets' },
  deleteLocalData: { label: 'delete local data', flag: '--delete-local-data' },
  force: { label: 'force', flag: '--force' },
};

export type DrainFormAction =
  | { type: 'move'; delta: number }
  /** Space on a checkbox. */
  | { type: 'toggle' }
  | { type: 'text'; text: string }
  | { type: 'backspace' }
  /** Ctrl-U: empty the focused text field. */
  | { type: 'clear' };

const isCheckbox = (f: DrainField): f is DrainCheckbox => f === 'ignoreDaemonsets' || f === 'deleteLocalData' || f === 'force';

/** The form after one key (pure). */
export function reduceDrainForm(form: DrainForm, action: DrainFormAction): DrainForm {
  const f = { ...form, error: undefined };
  switch (action.type) {
    case 'move': {
      const fields = drainFields(f);
      const i = Math.max(0, fields.indexOf(f.field));
      return { ...f, field: fields[Math.max(0, Math.min(fields.length - 1, i + action.delta))]! };
    }
    case 'toggle': {
      if (!isCheckbox(f.field)) return reduceDrainForm(form, { type: 'text', text: ' ' });
      const next = { ...f, [f.field]: !f[f.field] };
      // Turning --force off forgets the typed name: turning it on again asks again.
      if (f.field === 'force' && !next.force) next.typed = '';
      return next;
    }
    case 'text': {
      if (isCheckbox(f.field)) {
        if (action.text === 'x' || action.text === ' ') return reduceDrainForm(form, { type: 'toggle' });
        return { ...f, error: 'Space toggles the option; ↑↓ or Tab moves; Enter starts the drain.' };
      }
      if (f.field === 'confirm') return { ...f, typed: f.typed + action.text };
      const key = f.field;
      const next = f[key] + action.text;
      // Grace may be -1 (the pod's own); both are whole seconds.
      const ok = key === 'grace' ? /^-?\d*$/.test(next) : /^\d*$/.test(next);
      if (!ok)
        return {
          ...f,
          error:
            `${key === 'grace' ? 'Grace period' : 'Timeout'}: whole seconds only (empty: ` +
            `${key === 'grace' ? "each pod's own" : 'no timeout'}).`,
        };
      return { ...f, [key]: next };
    }
    case 'backspace':
    case 'clear': {
      if (isCheckbox(f.field)) return f;
      const key = f.field === 'confirm' ? 'typed' : f.field;
      return { ...f, [key]: action.type === 'clear' ? '' : [...f[key]].slice(0, -1).join('') };
    }
  }
}

function seconds(text: string): number | undefined {
  const t = text.trim();
  return t === '' ? undefined : Number(t);
}

/** The options as the form stands (numbers parsed; not yet checked). */
export function formOptions(form: DrainForm): DrainOptions {
  const o: DrainOptions = {
    node: form.node,
    ignoreDaemonsets: form.ignoreDaemonsets,
    deleteLocalData: form.deleteLocalData,
    force: form.force,
  };
  const g = seconds(form.grace);
  const t = seconds(form.timeout);
  if (g !== undefined) o.gracePeriodSeconds = g;
  if (t !== undefined) o.timeoutSeconds = t;
  return o;
}

/** Enter: the options to start the drain with, or the form with the reason it cannot start yet. */
export function submitDrainForm(form: DrainForm): { form: DrainForm; options?: DrainOptions } {
  const options = formOptions(form);
  const bad = validateDrainOptions(options);
  if (bad) return { form: { ...form, error: bad, field: /grace/i.test(bad) ? 'grace' : /timeout/i.test(bad) ? 'timeout' : form.field } };
  if (form.force && form.typed.trim() !== form.node) {
    const error = form.typed.trim()
      ? `"${form.typed.trim()}" is not ${form.node}: type the node name exactly (Esc cancels).`
      : `--force deletes bare pods for good: type ${form.node} to go on (Esc cancels).`;
    return { form: { ...form, error, field: 'confirm' } };
  }
  return { form: { ...form, error: undefined }, options };
}

/** The command the form would run (the drain view later shows the exact one, for the client's version). */
export function drainPreview(form: DrainForm, oc = 'oc', version?: OcVersion): string {
  const o = formOptions(form);
  let flags: string[];
  try {
    flags = drainFlags(o, version);
  } catch {
    flags = [];
  }
  return [oc, 'adm', 'drain', form.node, ...flags].join(' ');
}

export interface DrainImpact {
  /** DaemonSet pods (stay with --ignore-daemonsets, else the drain refuses). */
  daemonSets: NodePod[];
  /** Pods with emptyDir whose data goes with them (with --delete-local-data). */
  emptyDir: NodePod[];
  /** Bare pods nothing recreates: deleted for good with --force. */
  lostForGood: NodePod[];
  /** Pods that make the drain refuse with these options (it cordons, then evicts nothing). */
  blockers: DrainBlocker[];
}

export function drainImpact(form: DrainForm, pods: readonly NodePod[]): DrainImpact {
  const live = pods.filter((p) => !p.mirror && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  return {
    daemonSets: live.filter((p) => p.ownerKind === 'DaemonSet'),
    emptyDir: live.filter((p) => p.emptyDir && p.ownerKind !== 'DaemonSet'),
    lostForGood: podsLostForGood(pods),
    blockers: drainBlockers(pods, formOptions(form)),
  };
}

export function podNames(pods: readonly Pick<NodePod, 'namespace' | 'name'>[], max = 3): string {
  const names = pods.slice(0, max).map((p) => podKey(p));
  return pods.length > max ? `${names.join(', ')} and ${pods.length - max} more` : names.join(', ');
}

/** What each checkbox means for this node's pods, for the text beside it (short: ~32 columns at 80). */
export function checkboxHint(field: DrainCheckbox, form: DrainForm, impact: DrainImpact | undefined): string {
  if (!impact) return '';
  const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  const names = (pods: readonly NodePod[]) =>
    pods.length > 2 ? `${pods[0]!.name} +${pods.length - 1}` : pods.map((p) => p.name).join(', ');
  switch (field) {
    case 'ignoreDaemonsets':
      if (!impact.daemonSets.length) return 'no DaemonSet pod here';
      return form.ignoreDaemonsets
        ? `${n(impact.daemonSets.length, 'DaemonSet pod')} stay`
        : `refuses: ${n(impact.daemonSets.length, 'DaemonSet pod')}`;
    case 'deleteLocalData':
      if (!impact.emptyDir.length) return 'no pod with emptyDir';
      return form.deleteLocalData ? `data lost: ${names(impact.emptyDir)}` : `refuses: emptyDir in ${names(impact.emptyDir)}`;
    case 'force':
      if (!impact.lostForGood.length) return 'no bare pod here';
      return form.force
        ? `deletes ${n(impact.lostForGood.length, 'bare pod')} for good`
        : `refuses: ${n(impact.lostForGood.length, 'bare pod')}`;
  }
}

// ---- the drain, live -------------------------------------------------------------------------------------

export const POD_DRAIN_MARKS: Record<PodDrainState, { mark: string; word: string; tone: ViewTone }> = {
  pending: { mark: '·', word: 'waiting', tone: undefined },
  evicting: { mark: '…', word: 'evicting', tone: 'busy' },
  retrying: { mark: '↻', word: 'retrying', tone: 'warn' },
  evicted: { mark: '✓', word: 'evicted', tone: 'ok' },
  blocked: { mark: '✗', word: 'blocked', tone: 'bad' },
  failed: { mark: '✗', word: 'failed', tone: 'bad' },
  skipped: { mark: '-', word: 'left', tone: undefined },
  left: { mark: '!', word: 'still on the node', tone: 'warn' },
};

/**
 * The pod's state in a few words, the important one first (the column is narrow at 80 columns):
 * "↻ retrying ×2 (PodDisruptionBudget)", "- left: DaemonSet (stays)", "✗ blocked: needs --force".
 */
export function podDrainText(p: PodProgress): string {
  const m = POD_DRAIN_MARKS[p.state];
  const head = `${m.mark} ${m.word}`;
  switch (p.state) {
    case 'retrying': {
      const times = p.retries > 1 ? ` ×${p.retries}` : '';
      return /disruption ?budget/i.test(p.reason ?? '')
        ? `${head}${times} (PodDisruptionBudget)`
        : `${head}${times}${p.reason ? `: ${p.reason}` : ''}`;
    }
    case 'skipped':
      if (p.ownerKind === 'DaemonSet') return `${head}: DaemonSet (stays)`;
      if (/static|mirror/i.test(p.reason ?? '')) return `${head}: static pod (stays)`;
      return `${head}${p.reason ? `: ${p.reason}` : ''}`;
    case 'blocked': {
      const flag = /\((--[a-z-]+)\)$/.exec(p.reason ?? '')?.[1];
      return flag ? `${head}: needs ${flag}` : `${head}${p.reason ? `: ${p.reason}` : ''}`;
    }
    case 'evicted':
      return p.reason === 'deleted' ? `${head} (deleted)` : head;
    default:
      return `${head}${p.reason ? `: ${p.reason}` : ''}`;
  }
}

/** "2/4 evicted · 1 retrying · 3 stay (DaemonSet)" — what the drain has done so far. */
export function drainCountsText(pr: DrainProgress): string {
  const c = progressCounts(pr);
  const parts = [`${c.evicted}/${c.toEvict} evicted`];
  if (c.evicting) parts.push(`${c.evicting} evicting`);
  if (c.retrying) parts.push(`${c.retrying} retrying`);
  if (c.pending) parts.push(`${c.pending} waiting`);
  if (c.blocked) parts.push(`${c.blocked} blocked`);
  if (c.failed) parts.push(`${c.failed} failed`);
  if (c.left) parts.push(`${c.left} still on the node`);
  if (c.skipped)
    parts.push(
      `${c.skipped} stay (` +
        `${pr.pods.every((p) => p.state !== 'skipped' || p.ownerKind === 'DaemonSet') ? 'DaemonSet' : 'DaemonSet, static'})`,
    );
  return parts.join(' · ');
}

/** The drain is still going (the oc process, or reading the node back). */
export function drainActive(s: Pick<DrainSnapshot, 'status'>): boolean {
  return s.status !== 'done';
}

/** The line at the top of the drain view. */
export function drainHeadline(s: DrainSnapshot): { text: string; tone: ViewTone } {
  if (s.status === 'done') {
    if (s.command === undefined) return { text: '✗ NOT RUN', tone: 'bad' };
    switch (s.progress.phase) {
      case 'drained':
        return { text: '✓ DRAINED', tone: 'ok' };
      case 'refused':
        return { text: '✗ REFUSED: nothing evicted', tone: 'bad' };
      case 'cancelled':
        return { text: '! CANCELLED', tone: 'warn' };
      case 'timed-out':
        return { text: '✗ TIMED OUT', tone: 'bad' };
      default:
        return { text: '✗ FAILED', tone: 'bad' };
    }
  }
  if (s.cancelRequested) return { text: '… CANCELLING: stopping oc, then reading the node back', tone: 'warn' };
  if (s.status === 'preparing') return { text: '… PREPARING: reading the node and its pods', tone: 'busy' };
  if (s.status === 'reading-back') return { text: '… READING THE NODE BACK', tone: 'busy' };
  if (s.status === 'following') return { text: '… FOLLOWING THE REPLACEMENT PODS (Esc stops)', tone: 'busy' };
  if (s.progress.phase === 'starting') return { text: '… STARTING: cordoning the node', tone: 'busy' };
  const c = progressCounts(s.progress);
  return { text: `… DRAINING: ${c.evicted}/${c.toEvict} evicted`, tone: 'busy' };
}

export interface DrainPodRow {
  key: string;
  name: string;
  owner: string;
  state: string;
  tone: ViewTone;
}

export function drainPodRows(pr: DrainProgress): DrainPodRow[] {
  return pr.pods.map((p, i) => ({
    key: `${p.namespace}/${p.name}#${i}`,
    name: p.namespace ? `${p.namespace}/${p.name}` : p.name,
    owner: p.owner,
    state: podDrainText(p),
    tone: POD_DRAIN_MARKS[p.state].tone,
  }));
}

/** Widths of the drain's pod table: pod, owner, then the state takes the rest. */
export function drainPodTable(rows: readonly DrainPodRow[], width: number): number[] {
  const pod = Math.max(3, ...rows.map((r) => [...r.name].length));
  const owner = Math.max(5, ...rows.map((r) => [...r.owner].length));
  // The state is what the operator watches: it keeps at least 36 columns ("✗ blocked: needs --delete-local-data").
  const podW = Math.min(pod, Math.max(16, Math.min(34, width - 36 - 14 - 2)));
  const ownerW = Math.min(owner, 14);
  return [podW, ownerW, Math.max(8, width - podW - ownerW - 2)];
}

export function drainPodLine(row: DrainPodRow, widths: readonly number[]): string {
  return joinCells([row.name, row.owner, row.state], widths, 1);
}

/** The last `rows` display rows of the drain's log, each line wrapped to `width`. */
export function logTail(log: readonly string[], width: number, rows: number): string[] {
  if (rows <= 0) return [];
  const out: string[] = [];
  for (let i = log.length - 1; i >= 0 && out.length < rows; i--) {
    const w = wrap(log[i]!, width, '  ');
    out.unshift(...w.slice(Math.max(0, w.length - (rows - out.length))));
  }
  return out;
}

/** Wrapped text cut to `max` rows (the last one ending with … when cut). */
export function wrapRows(text: string, width: number, max: number, indent = '  '): string[] {
  const rows = wrap(text, width, indent);
  if (rows.length <= max) return rows;
  const kept = rows.slice(0, Math.max(0, max));
  if (kept.length) kept[kept.length - 1] = truncate(`${kept[kept.length - 1]!.trimEnd()}…`, width);
  return kept;
}

export interface DrainLayout {
  command: number;
  notes: number;
  summary: number;
  /** The pod table, its header included. */
  pods: number;
  /** The log pane, its rule included. */
  log: number;
}

/**
 * Shares the drain view's rows: headline and counts 1 each; the command (up to 2), the notes (up to
 * 4), the summary once done (up to 5) whole when possible; then the pod table (header + one per pod),
 * keeping at least 3 rows for the log (rule + 2 lines) when there is room.
 */
export function drainLayout(o: {
  height: number;
  commandRows: number;
  noteRows: number;
  summaryRows: number;
  podCount: number;
}): DrainLayout {
  const h = Math.max(6, o.height);
  const command = Math.min(2, o.commandRows);
  let summary = Math.min(5, o.summaryRows);
  let notes = Math.min(4, o.noteRows);
  const fixed = () => 2 + command + notes + summary;
  // On short terminals the notes, then the summary, give way down to one row each.
  while (h - fixed() < 5 && notes > Math.min(1, o.noteRows)) notes--;
  while (h - fixed() < 5 && summary > Math.min(1, o.summaryRows)) summary--;
  const rest = Math.max(0, h - fixed());
  const logMin = Math.min(3, rest);
  const pods = Math.max(0, Math.min(o.podCount + 1, rest - logMin));
  return { command, notes, summary, pods, log: rest - pods };
}
