// The procedure's panel beside the steps (e.g. the etcd cluster): one summary line — title, the quorum
// arithmetic, when it was taken — then one line per member. Marks and words carry every state (✓ ✗ ★),
// colour only adds to them. Host names are shortened by the run's common domain.
import { Box, Text } from 'ink';
import type { PanelLine, PanelSnapshot } from '../../src/engine/types.js';
import { shortName } from '../../src/model/home.js';
import { fit, truncate } from '../../src/model/text.js';
import { Txt } from '../theme.js';

export interface ClusterPanelProps {
  panel: PanelSnapshot;
  /** Common domain of the run's hosts, left out of the labels. */
  domain: string;
  width: number;
  height: number;
}

/** "12:03:04" of an ISO time (local time). */
export function clockOf(isoTime: string): string {
  const d = new Date(isoTime);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Rows the panel would like: its summary line and one per row. */
export function clusterPanelRows(panel: PanelSnapshot | undefined): number {
  return panel ? 1 + panel.view.rows.length : 0;
}

export function ClusterPanel({ panel, domain, width, height }: ClusterPanelProps) {
  const h = Math.max(1, height);
  const rows = panel.view.rows;
  const room = h - 1;
  const shown = rows.length > room ? rows.slice(0, Math.max(0, room - 1)) : rows;
  // "+N more" only when there is a row for it (a one-row panel is its summary alone)
  const hidden = room > 0 ? rows.length - shown.length : 0;
  const labelWidth = Math.min(18, Math.max(0, ...shown.map((r) => [...shortName(r.label ?? '', domain)].length)));
  const title = `◆ ${panel.title.toUpperCase()} `;
  const time = ` ${clockOf(panel.takenAt)}`;
  const summaryRoom = Math.max(4, width - [...title].length - [...time].length);
  const row = (r: PanelLine) => {
    const label = r.label !== undefined ? `${fit(shortName(r.label, domain), labelWidth)}  ` : '';
    return truncate(`  ${label}${r.text}`, width);
  };
  return (
    <Box flexDirection='column' width={width} height={h} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt bold>{title}</Txt>
        <Txt bold tone={panel.view.summary.tone}>
          {truncate(panel.view.summary.text, summaryRoom)}
        </Txt>
        <Txt dim>{time}</Txt>
      </Text>
      {shown.map((r, i) => (
        <Txt key={i} tone={r.tone} wrap='truncate'>
          {row(r)}
        </Txt>
      ))}
      {hidden > 0 ? <Txt dim wrap='truncate'>{`  +${hidden} more`}</Txt> : null}
    </Box>
  );
}
