// Home: hosts grouped by role with live connectivity (left), procedures by chapter (right).
import { Box, Text } from 'ink';
import type { Inventory } from '../src/inventory/types.js';
import type { CatalogueEntry } from '../src/model/catalogue.js';
import type { ConnectivitySnapshot } from '../src/model/connectivity.js';
import { summarize } from '../src/model/connectivity.js';
import type { Pane } from '../src/model/console-state.js';
import { commonDomain, effectiveSelection, shortName, homeWarnings, hostRows, procedureRows, selectableKeys, type HostRow, type ProcedureRow } from '../src/model/home.js';
import { fit } from '../src/model/text.js';
import { BADGE_WIDTH, ConnectivityBadge } from './components/ConnectivityBadge.js';
import { ListPane, type PaneRow } from './components/ListPane.js';
import { Txt } from './theme.js';

export interface HomeProps {
  inventory: Inventory;
  catalogue: readonly CatalogueEntry[];
  connectivity: ConnectivitySnapshot;
  focus: Pane;
  selected: Record<Pane, string | undefined>;
  filter: Record<Pane, string>;
  width: number;
  height: number;
}

/** Side by side from this width on; below it the panes are stacked. */
const SIDE_BY_SIDE_MIN = 70;

/** Width of the hosts pane when side by side: what its longest line needs, leaving procedures at least 30. */
export function hostPaneWidth(rows: readonly HostRow[], domain: string, columns: number): number {
  let longest = 16;
  for (const r of rows) {
    if (r.kind === 'host') longest = Math.max(longest, shortName(r.host.name, domain).length + (r.otherRoles.length ? r.otherRoles.join(',').length + 2 : 0));
  }
  const needed = 2 + longest + 1 + BADGE_WIDTH + 2;
  return Math.max(Math.min(needed, columns - 30), Math.min(40, columns - 30));
}

function marker(selected: boolean): string {
  return selected ? '› ' : '  ';
}

function hostPaneRows(rows: HostRow[], connectivity: ConnectivitySnapshot, domain: string): PaneRow[] {
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
        const nameWidth = Math.max(4, width - BADGE_WIDTH - 1);
        return (
          <>
            <Txt inverse={inv} bold={selected} wrap="truncate">
              {fit(marker(selected) + shortName(row.host.name, domain) + extra, nameWidth) + ' '}
            </Txt>
            <Box width={BADGE_WIDTH} flexShrink={0}>
              <ConnectivityBadge connectivity={connectivity.get(row.host.name)} inverse={inv} />
            </Box>
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

export function SummaryLine({ connectivity }: { connectivity: ConnectivitySnapshot }) {
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
      {s.problems ? <Txt dim>{'  (Enter on a host: why, what to do)'}</Txt> : null}
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

export function Home({ inventory, catalogue, connectivity, focus, selected, filter, width, height }: HomeProps) {
  const warnings = homeWarnings(inventory);
  const hRows = hostRows(inventory, filter.hosts, connectivity);
  const domain = commonDomain(inventory.hosts);
  const pRows = procedureRows(catalogue, filter.procedures);
  const hostSel = effectiveSelection(selectableKeys(hRows), selected.hosts);
  const procSel = effectiveSelection(selectableKeys(pRows), selected.procedures);
  const paneHeight = Math.max(4, height - homeHeaderLines(inventory));
  const side = width >= SIDE_BY_SIDE_MIN;
  const hostWidth = side ? hostPaneWidth(hostRows(inventory), domain, width) : width;
  const procWidth = side ? width - hostWidth : width;
  const topHeight = side ? paneHeight : Math.ceil(paneHeight / 2);
  const bottomHeight = side ? paneHeight : paneHeight - topHeight;

  const hosts = (
    <ListPane
      title={domain ? `HOSTS *${domain}` : 'HOSTS by role'}
      focused={focus === 'hosts'}
      width={hostWidth}
      height={topHeight}
      rows={hostPaneRows(hRows, connectivity, domain)}
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
      <SummaryLine connectivity={connectivity} />
      <WarningLines warnings={warnings} max={2} />
      <Box flexDirection={side ? 'row' : 'column'}>
        {hosts}
        {procs}
      </Box>
    </Box>
  );
}
