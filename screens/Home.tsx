// Home: hosts grouped by role with live connectivity (left), procedures by chapter (right).
import { Box, Text } from 'ink';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import type { ConnectivitySnapshot } from '../src/model/connectivity.js';
import { CONNECTIVITY_LABELS, summarize } from '../src/model/connectivity.js';
import type { Pane } from '../src/model/console-state.js';
import type { HealthSnapshot } from '../src/model/health.js';
import { countStatuses, hostVerdict, STATUS_LABELS } from '../src/model/health-view.js';
import { commonDomain, effectiveSelection, shortName, homeWarnings, hostRows, procedureRows, selectableKeys, type HostRow, type ProcedureRow } from '../src/model/home.js';
import { fit } from '../src/model/text.js';
import { BADGE_WIDTH, ConnectivityBadge } from './components/ConnectivityBadge.js';
import { ListPane, type PaneRow } from './components/ListPane.js';
import { Txt } from './theme.js';

export interface HomeProps {
  inventory: Inventory;
  catalogue: readonly CatalogueEntry[];
  connectivity: ConnectivitySnapshot;
  /** The health run's state once one exists: a verdict per host. */
  health?: HealthSnapshot;
  focus: Pane;
  selected: Record<Pane, string | undefined>;
  filter: Record<Pane, string>;
  width: number;
  height: number;
}

/** Side by side from this width on; below it the panes are stacked. */
const SIDE_BY_SIDE_MIN = 70;

/** Width of the hosts pane when side by side: what its longest line needs, leaving procedures at least 30. */
export function hostPaneWidth(rows: readonly HostRow[], domain: string, columns: number, extra = 0, badgeWidth = BADGE_WIDTH): number {
  let longest = 16;
  for (const r of rows) {
    if (r.kind === 'host') longest = Math.max(longest, shortName(r.host.name, domain).length + (r.otherRoles.length ? r.otherRoles.join(',').length + 2 : 0));
  }
  const needed = 2 + longest + 1 + badgeWidth + 2 + extra;
  return Math.max(Math.min(needed, columns - 30), Math.min(40, columns - 30));
}

function marker(selected: boolean): string {
  return selected ? '› ' : '  ';
}

/** Columns of the per-host health verdict on Home ("✗ 2 fail", "✓ 12 ok"), the space before it included. */
export const VERDICT_WIDTH = 9;

function VerdictCell({ health, host, inverse }: { health: HealthSnapshot | undefined; host: string; inverse: boolean }) {
  const v = health ? hostVerdict(health, host) : undefined;
  if (!v) return <Text inverse={inverse}>{' '.repeat(VERDICT_WIDTH)}</Text>;
  const label = STATUS_LABELS[v.worst];
  const word = v.worst === 'pending' ? 'wait' : v.worst === 'running' ? 'run' : v.worst === 'skipped' ? 'skip' : v.worst === 'error' ? 'err' : label.word;
  return (
    <Txt tone={label.tone} bold={v.worst === 'fail' || v.worst === 'error' || v.worst === 'warn'} inverse={inverse}>
      {fit(` ${label.symbol} ${v.counts[v.worst]} ${word}`, VERDICT_WIDTH)}
    </Txt>
  );
}

/**
 * Columns of the connectivity badge: all BADGE_WIDTH without health verdicts; with them, only what the
 * current states need (so that the verdict fits at 80 columns), never less than "… checking".
 */
export function badgeWidth(connectivity: ConnectivitySnapshot, health: HealthSnapshot | undefined): number {
  if (!health) return BADGE_WIDTH;
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
          <Txt bold wrap="truncate">
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
        const nameWidth = Math.max(4, width - badge - 1 - (health ? VERDICT_WIDTH : 0));
        return (
          <>
            <Txt inverse={inv} bold={selected} wrap="truncate">
              {fit(marker(selected) + shortName(row.host.name, domain) + extra, nameWidth) + ' '}
            </Txt>
            <Box width={badge} flexShrink={0}>
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

function procedurePaneRows(rows: ProcedureRow[]): PaneRow[] {
  return rows.map((row): PaneRow => {
    if (row.kind === 'header') {
      return {
        key: row.key,
        selectable: false,
        render: ({ width }) => (
          <Txt bold wrap="truncate">
            {fit(row.label, width)}
          </Txt>
        ),
      };
    }
    const e = row.entry;
    return {
      key: row.key,
      selectable: true,
      render: ({ selected, focused, width }) => {
        const id = e.built ? e.id : `${e.id} ·`;
        const withTitle = width >= 50;
        const text = withTitle ? `${marker(selected)}${fit(id, 27)} ${e.title}` : `${marker(selected)}${id}`;
        return (
          <Txt inverse={selected && focused} bold={selected} dim={!e.built && !selected} wrap="truncate">
            {fit(text, width)}
          </Txt>
        );
      },
    };
  });
}

/** "health ✗ 3 fail ! 1 warn … 4 running" / "health ✓ all 120 ok" (h opens the matrix). */
function HealthSummary({ health }: { health: HealthSnapshot }) {
  const c = countStatuses(health.results.values());
  const parts = (['fail', 'error', 'warn', 'running', 'pending'] as const).filter((s) => c[s] > 0);
  return (
    <>
      {' │ '}
      <Txt bold>health</Txt>
      {parts.length === 0 ? (
        <Txt tone="ok">{` ✓ all ${c.ok + c.skipped} ok`}</Txt>
      ) : (
        parts.map((s) => (
          <Txt key={s} tone={STATUS_LABELS[s].tone} bold={s === 'fail' || s === 'error'}>
            {` ${STATUS_LABELS[s].symbol} ${c[s]} ${STATUS_LABELS[s].word}`}
          </Txt>
        ))
      )}
    </>
  );
}

export function SummaryLine({ connectivity, health }: { connectivity: ConnectivitySnapshot; health?: HealthSnapshot }) {
  const s = summarize(connectivity);
  return (
    <Text wrap="truncate">
      <Txt bold>hosts {s.total}</Txt>
      {' · '}
      <Txt tone="ok">✓ ok {s.ok}</Txt>
      {' · '}
      <Txt tone={s.problems ? 'bad' : undefined} bold={s.problems > 0}>
        ✗ problems {s.problems}
      </Txt>
      {s.checking ? (
        <>
          {' · '}
          <Txt tone="busy">… checking {s.checking}</Txt>
        </>
      ) : null}
      {health ? <HealthSummary health={health} /> : s.problems ? <Txt dim>{'  (Enter on a host: why, what to do)'}</Txt> : null}
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
        <Txt key={i} tone="warn" bold wrap="truncate">
          {`⚠ WARNING: ${w}${i === shown.length - 1 && rest > 0 ? ` (+${rest} more)` : ''}`}
        </Txt>
      ))}
    </>
  );
}

/** How many lines Home puts above its panes. */
export function homeHeaderLines(inventory: Inventory): number {
  return 1 + Math.min(2, homeWarnings(inventory).length);
}

export function Home({ inventory, catalogue, connectivity, health, focus, selected, filter, width, height }: HomeProps) {
  const warnings = homeWarnings(inventory);
  const hRows = hostRows(inventory, filter.hosts, connectivity);
  const domain = commonDomain(inventory.hosts);
  const pRows = procedureRows(catalogue, filter.procedures);
  const hostSel = effectiveSelection(selectableKeys(hRows), selected.hosts);
  const procSel = effectiveSelection(selectableKeys(pRows), selected.procedures);
  const paneHeight = Math.max(4, height - homeHeaderLines(inventory));
  const side = width >= SIDE_BY_SIDE_MIN;
  const hostWidth = side ? hostPaneWidth(hostRows(inventory), domain, width, health ? VERDICT_WIDTH : 0, badgeWidth(connectivity, health)) : width;
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
      title="PROCEDURES"
      legend="· not built"
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
    <Box flexDirection="column" width={width} height={height}>
      <SummaryLine connectivity={connectivity} health={health} />
      <WarningLines warnings={warnings} max={2} />
      <Box flexDirection={side ? 'row' : 'column'}>
        {hosts}
        {procs}
      </Box>
    </Box>
  );
}
