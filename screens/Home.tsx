// Home: hosts grouped by role with live connectivity (left), procedures by chapter (right).
import { Box, Text } from 'ink';
import { useMemo } from 'react';
import type { DemoScenario } from '../src/demo/scenarios.js';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import type { ConnectivitySnapshot } from '../src/model/connectivity.js';
import { CONNECTIVITY_LABELS, summarize } from '../src/model/connectivity.js';
import type { Action, Pane } from '../src/model/console-state.js';
import type { HealthSnapshot } from '../src/model/health.js';
import { countStatuses, hostFailing, hostVerdict, STATUS_LABELS } from '../src/model/health-view.js';
import {
  commonDomain,
  connectivityProblems,
  demoScenarioOf,
  effectiveSelection,
  firstProblemHost,
  type HostRow,
  homeWarnings,
  hostRows,
  type ProcedureRow,
  problemPhrase,
  procedureRows,
  selectableKeys,
  shortName,
} from '../src/model/home.js';
import { OC_LOGIN_READING, type OcLoginVerdict, ocLoginLine } from '../src/model/oc-login.js';
import { fit, truncate } from '../src/model/text.js';
import { BADGE_WIDTH, ConnectivityBadge } from './components/ConnectivityBadge.js';
import { ListPane, type PaneRow } from './components/ListPane.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import type { OcLoginView } from './hooks/useOcLogin.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { type Tone, Txt } from './theme.js';

/** What the Home keys act on: the App's state (its reducer) and the probes. */
export interface HomeKeyContext extends GlobalContext {
  dispatch: (action: Action) => void;
  /** Re-probes the selected host, or every host. */
  reprobe: (all: boolean) => void;
}

type C = HomeKeyContext;

/** The Home screen's keys (the App feeds them; the state they change is its reducer's). */
export const HOME_KEYS: Keymap<HomeKeyContext> = [
  // 80 columns hold exactly this footer: r says "probe" (the help says re-probe).
  {
    keys: ['tab'],
    footer: 'pane',
    description: 'switch between the hosts and procedures panes (the focused one has a double border and ▶)',
    action: (c) => c.dispatch({ type: 'tab' }),
  },
  {
    keys: ['left', 'right'],
    label: '← →',
    description: 'the hosts pane / the procedures pane',
    action: (c, p) => c.dispatch({ type: 'pane', pane: p.is('left') ? 'hosts' : 'procedures' }),
  },
  {
    keys: ['h'],
    footer: 'health',
    description: 'the Health matrix (hosts × checks; starts the checks the first time)',
    action: (c) => c.dispatch({ type: 'open-health' }),
  },
  {
    keys: ['n'],
    footer: 'nodes',
    description: 'the Nodes screen (oc get nodes: status, roles, schedulable, pods, kubelet version)',
    action: (c) => c.dispatch({ type: 'open-nodes' }),
  },
  {
    keys: ['u'],
    footer: 'runs',
    description: 'the Runs screen (past and interrupted runs; Enter on an interrupted one offers to resume it)',
    action: (c) => c.dispatch({ type: 'open-runs' }),
  },
  {
    keys: ['/'],
    footer: 'filter',
    description: 'filter the focused list as you type (Enter keeps it, Esc clears it)',
    action: (c) => c.dispatch({ type: 'open-filter' }),
  },
  {
    keys: [':'],
    footer: 'jump',
    description: 'jump to a procedure by id (Tab completes, Enter opens it)',
    action: (c) => c.dispatch({ type: 'open-jump' }),
  },
  { keys: ['r'], footer: 'probe', description: 're-probe the selected host (hosts pane)', action: (c) => c.reprobe(false) },
  { keys: ['R'], description: 're-probe every host', action: (c) => c.reprobe(true) },
  {
    keys: ['enter'],
    description: 'open the selected host or procedure (a built procedure: its parameter form → the plan → the run)',
    action: (c) => c.dispatch({ type: 'enter' }),
  },
  { keys: ['esc'], description: "clear the focused list's filter", action: (c) => c.dispatch({ type: 'back' }) },
  ...movementKeys<C>({ move: (c, delta) => c.dispatch({ type: 'move', delta }), what: 'the selection in the focused list' }),
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
];

/** Home's footer (its keys apply in every state of the screen). */
export const HOME_FOOTER: FooterKeys = footerOf(HOME_KEYS, {} as HomeKeyContext);

export interface HomeProps extends Pick<ScreenFrameProps, 'width' | 'height'> {
  inventory: Inventory;
  catalogue: readonly CatalogueEntry[];
  connectivity: ConnectivitySnapshot;
  /** The health run's state once one exists: a verdict per host. */
  health?: HealthSnapshot;
  focus: Pane;
  selected: Record<Pane, string | undefined>;
  filter: Record<Pane, string>;
  /** The oc login's verdict ('reading' until it answers); no line without it. */
  ocLogin?: OcLoginView;
}

/** Side by side from this width on; below it the panes are stacked. */
const SIDE_BY_SIDE_MIN = 70;

/** Columns the procedures pane keeps beside the hosts (its titles), when its rows need them. */
const PROCEDURES_PANE_MIN = 50;

/** What the procedures pane gives up to, so that the hosts' other roles are shown whole ("+etcd,node"). */
const PROCEDURES_PANE_ROLES = 42;

/**
 * Width of the hosts pane when side by side: what its longest line needs, but the procedures pane keeps
 * what its rows need up to 50 columns (`procedures`), while the hosts pane has at least 30 (39 with the
 * health verdicts) and its names whole: 30 at 80 columns in the DEMO.
 */
export function hostPaneWidth(
  rows: readonly HostRow[],
  domain: string,
  columns: number,
  extra = 0,
  badgeWidth = BADGE_WIDTH,
  procedures = PROCEDURES_PANE_MIN,
): number {
  let longest = 16;
  let longestName = 8;
  for (const r of rows) {
    if (r.kind !== 'host') continue;
    const name = shortName(r.host.name, domain).length;
    longestName = Math.max(longestName, name);
    longest = Math.max(longest, name + (r.otherRoles.length ? r.otherRoles.join(',').length + 2 : 0));
  }
  const needed = 2 + longest + 1 + badgeWidth + 2 + extra;
  // the names whole, then the other roles whole while the procedures keep 42 columns (their ids whole, titles
  // cut), then the procedures' 50 columns
  const names = Math.max(30 + extra, 2 + longestName + 1 + badgeWidth + 2 + extra);
  return Math.max(Math.min(needed, columns - Math.min(PROCEDURES_PANE_ROLES, procedures)), Math.min(names, columns - 30));
}

function marker(selected: boolean): string {
  return selected ? '› ' : '  ';
}

/**
 * A row's text whose first two columns are the `›` marker: dim in the pane that is not focused, so that only
 * the focused pane seems to have a cursor.
 */
function MarkedText({ text, focused, selected, dim }: { text: string; focused: boolean; selected: boolean; dim?: boolean }) {
  const chars = [...text];
  return (
    <Text wrap='truncate'>
      <Txt inverse={selected && focused} bold={selected && focused} dim={!focused || dim}>
        {chars.slice(0, 2).join('')}
      </Txt>
      <Txt inverse={selected && focused} bold={selected} dim={dim}>
        {chars.slice(2).join('')}
      </Txt>
    </Text>
  );
}

/** Columns of the per-host health verdict on Home ("✗ 2 fail", "✓ 12 ok"), the space before it included. */
export const VERDICT_WIDTH = 9;

function VerdictCell({ health, host, inverse }: { health: HealthSnapshot | undefined; host: string; inverse: boolean }) {
  const v = health ? hostVerdict(health, host) : undefined;
  if (!v) return <Text inverse={inverse}>{' '.repeat(VERDICT_WIDTH)}</Text>;
  const label = STATUS_LABELS[v.worst];
  const word =
    v.worst === 'pending'
      ? 'wait'
      : v.worst === 'running'
        ? 'run'
        : v.worst === 'skipped'
          ? 'skip'
          : v.worst === 'error'
            ? 'err'
            : label.word;
  return (
    <Txt tone={label.tone} bold={v.worst === 'fail' || v.worst === 'error' || v.worst === 'warn'} inverse={inverse}>
      {fit(` ${label.symbol} ${v.counts[v.worst]} ${word}`, VERDICT_WIDTH)}
    </Txt>
  );
}

/**
 * Columns of the connectivity badge: what the current states need (so that the names, and the health
 * verdicts, fit the narrow hosts pane at 80 columns), never less than "… checking", at most BADGE_WIDTH.
 */
export function badgeWidth(connectivity: ConnectivitySnapshot, _health?: HealthSnapshot): number {
  let w = 10;
  for (const c of connectivity.values()) {
    const l = CONNECTIVITY_LABELS[c.state];
    w = Math.max(w, [...`${l.symbol} ${l.word}`].length);
  }
  return Math.min(BADGE_WIDTH, w);
}

function hostPaneRows(rows: HostRow[], connectivity: ConnectivitySnapshot, domain: string, health?: HealthSnapshot): PaneRow[] {
  const badge = badgeWidth(connectivity, health);
  return rows.map((row): PaneRow => {
    if (row.kind === 'header') {
      return {
        key: row.key,
        selectable: false,
        render: ({ width }) => (
          <Txt bold wrap='truncate'>
            {fit(`${row.label.toUpperCase()} (${row.count})`, width)}
          </Txt>
        ),
      };
    }
    return {
      key: row.key,
      selectable: true,
      render: ({ selected, focused, width }) => {
        const inv = selected && focused;
        const extra = row.otherRoles.length ? ` +${row.otherRoles.join(',')}` : '';
        const verdict = health ? VERDICT_WIDTH : 0;
        const nameWidth = Math.max(4, width - badge - 1 - verdict);
        // the badges in a column; a row whose own badge is shorter lends its roles the columns it leaves free
        const state = connectivity.get(row.host.name)?.state;
        const own = state ? [...`${CONNECTIVITY_LABELS[state].symbol} ${CONNECTIVITY_LABELS[state].word}`].length : badge;
        const rowWidth = Math.max(nameWidth, width - Math.min(badge, own) - 1 - verdict);
        // a narrow pane cuts the other roles, or leaves them out, before it cuts a name
        const name = marker(selected) + shortName(row.host.name, domain);
        const full = name + extra;
        const labelWidth = full.length <= nameWidth ? nameWidth : Math.min(full.length, rowWidth);
        const label = full.length <= labelWidth || name.length + 6 <= labelWidth ? full : name;
        return (
          <>
            <MarkedText text={`${fit(label, labelWidth)} `} focused={focused} selected={selected} />
            <Box width={badge - (labelWidth - nameWidth)} flexShrink={0}>
              <ConnectivityBadge connectivity={connectivity.get(row.host.name)} inverse={inv} />
            </Box>
            {health ? (
              <Box width={VERDICT_WIDTH} flexShrink={0}>
                <VerdictCell health={health} host={row.host.name} inverse={inv} />
              </Box>
            ) : null}
          </>
        );
      },
    };
  });
}

/** After the id of a procedure or check of the guide that is not built yet; the pane's legend says so. */
export const NOT_BUILT_MARK = '○';

/** Before the title of a health check: it only reads, it never changes the cluster (the procedures do). */
export const CHECK_MARK = 'check:';

/** "§5.4.2.1 etcd-restore", "§2.1 fix-ntp ○". */
function procedureHead(e: CatalogueEntry): string {
  const sec = sectionMark(e.section);
  return `${sec ? `${sec} ` : ''}${e.id}${e.built ? '' : ` ${NOT_BUILT_MARK}`}`;
}

/** "check: Time synchronisation" for a health check, the title alone for a procedure or a page of the guide. */
function entryTitle(e: CatalogueEntry): string {
  return `${e.kind === 'check' ? `${CHECK_MARK} ` : ''}${e.title}`;
}

/** "§5.4.2.1" — the first section of the guide the entry follows, "+" when it follows more ("3.3, 4.6" → "§3.3+"). */
export function sectionMark(section: string): string {
  const [first = '', ...more] = section.split(/\s*,\s*/).filter(Boolean);
  return first ? `§${first}${more.length ? '+' : ''}` : '';
}

/** Columns the procedures pane needs to show every row whole ("› §5.4.2.1 etcd-restore  Title", its border). */
export function procedurePaneNeed(catalogue: readonly CatalogueEntry[]): number {
  return 2 + 2 + Math.max(0, ...catalogue.map((e) => [...`${procedureHead(e)}  ${entryTitle(e)}`].length));
}

function procedurePaneRows(rows: ProcedureRow[]): PaneRow[] {
  // the "§5.4.2.1 etcd-restore" column of a wide pane: as wide as its longest, at most 36
  const heads = rows.flatMap((r) => (r.kind === 'entry' ? [procedureHead(r.entry)] : []));
  const column = Math.min(36, Math.max(0, ...heads.map((h) => [...h].length)));
  return rows.map((row): PaneRow => {
    if (row.kind === 'header') {
      return {
        key: row.key,
        selectable: false,
        // A heading, not an item: ruled, flush left, never under the cursor (not selectable).
        render: ({ width }) => (
          <Text wrap='truncate'>
            <Txt dim>{'── '}</Txt>
            <Txt bold>{truncate(row.label, Math.max(1, width - 4))}</Txt>
            <Txt dim>{` ${'─'.repeat(Math.max(0, width - 4 - [...row.label].length))}`}</Txt>
          </Text>
        ),
      };
    }
    const e = row.entry;
    return {
      key: row.key,
      selectable: true,
      render: ({ selected, focused, width }) => {
        const head = procedureHead(e);
        // the title says what an id is (an operator at 3 a.m. does not know "validate-app"): in a column
        // when the pane is wide, right after the id when it is narrow
        const title = entryTitle(e);
        const text =
          width >= 2 + column + 1 + 30 ? `${marker(selected)}${fit(head, column)}  ${title}` : `${marker(selected)}${head}  ${title}`;
        return <MarkedText text={fit(text, width)} focused={focused} selected={selected} dim={!e.built && !selected} />;
      },
    };
  });
}

interface Seg {
  text: string;
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
}

const segWidth = (segs: readonly Seg[]) => segs.reduce((n, s) => n + [...s.text].length, 0);

/** " │ health ✗ 3 fail ! 1 warn … 4 running" / " │ health ✓ all 120 ok"; compact: " │ health ✗ 3 ! 1 … 4". */
function healthSegs(health: HealthSnapshot, compact: boolean): Seg[] {
  const c = countStatuses(health.results.values());
  const parts = (['fail', 'error', 'warn', 'running', 'pending'] as const).filter((s) => c[s] > 0);
  const head: Seg[] = [{ text: ' │ ' }, { text: 'health', bold: true }];
  if (parts.length === 0) return [...head, { text: ` ✓ all ${c.ok + c.skipped} ok`, tone: 'ok' }];
  return [
    ...head,
    ...parts.map(
      (s): Seg => ({
        text: ` ${STATUS_LABELS[s].symbol} ${c[s]}${compact ? '' : ` ${STATUS_LABELS[s].word}`}`,
        tone: STATUS_LABELS[s].tone,
        bold: s === 'fail' || s === 'error',
      }),
    ),
  ];
}

/**
 * "hosts 10 · ✓ ok 9 · ✗ 1 problem: app-node-2 unreachable", then what is being checked and either
 * the health counts or a hint. The first problem host is always named; when the line would not fit
 * `width`, the hint is shortened, then dropped; with health counts, the state word goes before
 * the health words; at last the name is cut.
 */
export function SummaryLine({
  connectivity,
  health,
  order = [],
  domain = '',
  width = 80,
}: {
  connectivity: ConnectivitySnapshot;
  health?: HealthSnapshot;
  order?: readonly string[];
  domain?: string;
  width?: number;
}) {
  const s = summarize(connectivity);
  const problems = connectivityProblems(connectivity, order, domain);
  const base: Seg[] = [{ text: `hosts ${s.total}`, bold: true }, { text: ' · ' }, { text: `✓ ok ${s.ok}`, tone: 'ok' }, { text: ' · ' }];
  const checking: Seg[] = s.checking ? [{ text: ' · ' }, { text: `… checking ${s.checking}`, tone: 'busy' }] : [];
  const problemSeg = (opts: Parameters<typeof problemPhrase>[1]): Seg =>
    problems.length ? { text: `✗ ${problemPhrase(problems, opts)}`, tone: 'bad', bold: true } : { text: problemPhrase(problems) };
  const line = (p: Seg, tail: Seg[]): Seg[] => [...base, p, ...checking, ...tail];
  const word = problemSeg({});
  const noWord = problemSeg({ word: false });
  let candidates: Seg[][];
  let last: Seg[];
  if (health) {
    const [full, compact] = [healthSegs(health, false), healthSegs(health, true)];
    candidates = [line(word, full), line(noWord, full), line(word, compact), line(noWord, compact)];
    last = compact;
  } else {
    const hint: Seg[] = problems.length ? [{ text: '  (Enter on a host: why, what to do)', dim: true }] : [];
    const short: Seg[] = problems.length ? [{ text: '  (Enter on a host: why)', dim: true }] : [];
    candidates = [line(word, hint), line(word, short), line(word, []), line(noWord, [])];
    last = [];
  }
  let chosen = candidates.find((c) => segWidth(c) <= width);
  if (!chosen) {
    // Cut the name so that the rest still fits (the Text truncates whatever is left over).
    const rest = segWidth(line(problemSeg({ word: false, nameWidth: 0 }), last)) - 1;
    chosen = line(problemSeg({ word: false, nameWidth: Math.max(4, width - rest) }), last);
  }
  return (
    <Text wrap='truncate'>
      {chosen.map((seg, i) => (
        <Txt key={i} tone={seg.tone} bold={seg.bold} dim={seg.dim}>
          {seg.text}
        </Txt>
      ))}
    </Text>
  );
}

export function WarningLines({ warnings, max }: { warnings: string[]; max: number }) {
  if (warnings.length === 0 || max <= 0) return null;
  const shown = warnings.slice(0, max);
  const rest = warnings.length - shown.length;
  return (
    <>
      {shown.map((w, i) => (
        <Txt key={i} tone='warn' bold wrap='truncate'>
          {`⚠ WARNING: ${w}${i === shown.length - 1 && rest > 0 ? ` (+${rest} more)` : ''}`}
        </Txt>
      ))}
    </>
  );
}

/** How many lines Home puts above its panes (the start-here line from 16 rows on, the oc line when there is one). */
export function homeHeaderLines(inventory: Inventory, height = 24, ocLine = false): number {
  return 1 + (ocLine ? 1 : 0) + (height >= START_HERE_MIN_ROWS ? 1 : 0) + Math.min(2, homeWarnings(inventory).length);
}

const OC_TONES = { ok: 'ok', warn: 'warn', bad: 'bad' } as const satisfies Record<OcLoginVerdict['tone'], Tone>;

/** "oc: system:admin on https://…:8443", or what the login cannot do and what to do, in one line of `width`. */
export function OcLoginLine({ view, width }: { view: OcLoginView; width: number }) {
  if (!view) return null;
  if (view === 'reading')
    return (
      <Txt tone='busy' wrap='truncate'>
        {truncate(OC_LOGIN_READING, width)}
      </Txt>
    );
  const mark = view.tone === 'ok' ? '✓ ' : view.tone === 'warn' ? '⚠ ' : '✗ ';
  return (
    <Txt tone={OC_TONES[view.tone]} bold={view.tone !== 'ok'} wrap='truncate'>
      {mark + ocLoginLine(view, width - 2)}
    </Txt>
  );
}

/** Home shows the start-here line from this height on. */
const START_HERE_MIN_ROWS = 16;

/**
 * One line for a first-time operator: what to press. The longest form that fits `width`; on the DEMO
 * cluster it first says so, with the scenario and what to rehearse in it (`DEMO etcd-quorum-lost —
 * rehearse: etcd-restore · …`), the keys shortened or left out to fit.
 */
export function startHere(width: number, demo: false | Pick<DemoScenario, 'id' | 'rehearse'>): string {
  const long = 'Start here: h = health checks of every host · Tab then Enter = a procedure · ? = keys';
  const mid = 'Start here: h health checks of every host · Tab, Enter a procedure · ? keys';
  const short = 'Start: h health checks · Tab+Enter a procedure · ? keys';
  const tiny = 'h health · Tab+Enter a procedure · ? keys';
  const scenario = demo ? `DEMO ${demo.id} — rehearse: ${demo.rehearse.join(', ')}` : '';
  const candidates = demo
    ? [
        ...[long, mid, short, tiny, 'h health · ? keys'].map((keys) => `${scenario} · ${keys}`),
        scenario,
        `DEMO ${demo.id} · ${tiny}`,
        `DEMO ${demo.id}`,
      ]
    : [long, mid, short, tiny];
  return candidates.find((c) => [...c].length <= width) ?? truncate(candidates[candidates.length - 1]!, width);
}

export function Home(props: HomeProps) {
  const { inventory, catalogue, connectivity, health, focus, selected, filter } = props;
  const { width, height } = useScreen(props);
  const warnings = homeWarnings(inventory);
  const hRows = hostRows(inventory, filter.hosts, connectivity);
  const domain = commonDomain(inventory.hosts);
  // Every host's row, unfiltered (once per inventory): the pane's width, and the order for naming the first host with a problem.
  const allRows = useMemo(() => hostRows(inventory), [inventory]);
  const allHostNames = useMemo(() => allRows.flatMap((r) => (r.kind === 'host' ? [r.host.name] : [])), [allRows]);
  const pRows = procedureRows(catalogue, filter.procedures);
  const hostSel = effectiveSelection(selectableKeys(hRows), selected.hosts ?? firstProblemHost(hRows, connectivity, hostFailing(health)));
  const procSel = effectiveSelection(selectableKeys(pRows), selected.procedures);
  const paneHeight = Math.max(4, height - homeHeaderLines(inventory, height, props.ocLogin !== undefined));
  const side = width >= SIDE_BY_SIDE_MIN;
  const procNeed = useMemo(() => procedurePaneNeed(catalogue), [catalogue]);
  const hostWidth = side
    ? hostPaneWidth(allRows, domain, width, health ? VERDICT_WIDTH : 0, badgeWidth(connectivity, health), procNeed)
    : width;
  const procWidth = side ? width - hostWidth : width;
  const topHeight = side ? paneHeight : Math.ceil(paneHeight / 2);
  const bottomHeight = side ? paneHeight : paneHeight - topHeight;

  const hosts = (
    <ListPane
      title={domain ? `HOSTS *${domain}` : 'HOSTS by role'}
      legend={health ? 'ssh · checks' : undefined}
      focused={focus === 'hosts'}
      width={hostWidth}
      height={topHeight}
      rows={hostPaneRows(hRows, connectivity, domain, health)}
      selectedKey={hostSel}
      filter={filter.hosts}
      empty={filter.hosts ? 'no host matches the filter (Esc clears it)' : 'the inventory has no hosts'}
    />
  );
  const procs = (
    <ListPane
      title='PROCEDURES & CHECKS'
      legend={[`${NOT_BUILT_MARK} = not built yet`, `${NOT_BUILT_MARK} = not built`]}
      legendRight
      focused={focus === 'procedures'}
      width={procWidth}
      height={bottomHeight}
      rows={procedurePaneRows(pRows)}
      selectedKey={procSel}
      filter={filter.procedures}
      empty={filter.procedures ? 'nothing matches (Esc clears)' : 'the catalogue is empty'}
    />
  );
  return (
    <Box flexDirection='column' width={width} height={height}>
      <SummaryLine connectivity={connectivity} health={health} order={allHostNames} domain={domain} width={width} />
      <OcLoginLine view={props.ocLogin} width={width} />
      {height >= START_HERE_MIN_ROWS ? (
        <Txt dim wrap='truncate'>
          {startHere(width, demoScenarioOf(inventory) ?? false)}
        </Txt>
      ) : null}
      <WarningLines warnings={warnings} max={2} />
      <Box flexDirection={side ? 'row' : 'column'}>
        {hosts}
        {procs}
      </Box>
    </Box>
  );
}
