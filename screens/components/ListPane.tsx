// A bordered, titled list that scrolls to keep the selection visible and never grows past its height.

import { Box, Text } from 'ink';
import { type ReactNode, useRef } from 'react';
import { headingIndex, keepHeading, scrollOffset } from '../../src/model/home.js';
import { Txt, useToneColor } from '../theme.js';

export interface PaneRow {
  key: string;
  /** Headers are not selectable. */
  selectable: boolean;
  render: (state: { selected: boolean; focused: boolean; width: number }) => ReactNode;
}

export interface ListPaneProps {
  title: string;
  /** Extra words after the title (e.g. a legend), shown when there is room; of several, the first that fits. */
  legend?: string | readonly string[];
  /** The legend at the right end of the title line, apart from the title. */
  legendRight?: boolean;
  focused: boolean;
  width: number;
  /** Total height, border included. */
  height: number;
  rows: readonly PaneRow[];
  selectedKey?: string;
  /** Shown when there are no rows. */
  empty: string;
  filter?: string;
}

export function ListPane({ title, legend, legendRight, focused, width, height, rows, selectedKey, empty, filter }: ListPaneProps) {
  const borderColor = useToneColor(focused ? 'accent' : undefined);
  const inner = Math.max(1, width - 2);
  // One line is kept for "rows a-b of n" when the list does not fit.
  const fits = rows.length <= Math.max(1, height - 3);
  const listHeight = Math.max(1, height - 3 - (fits ? 0 : 1));
  const selectedIndex = selectedKey === undefined ? -1 : rows.findIndex((r) => r.key === selectedKey);
  const prev = useRef(0);
  // Keep the heading of the selection's group in view: scrolled to it when both fit, else pinned on the first line.
  const heading = selectedIndex >= 0 ? headingIndex(rows, selectedIndex) : -1;
  const offset = keepHeading(scrollOffset(prev.current, selectedIndex, listHeight, rows.length), selectedIndex, listHeight, heading);
  prev.current = offset;
  const pinned = heading >= 0 && heading < offset && listHeight > 1;
  const from = pinned && selectedIndex !== offset ? offset + 1 : offset;
  const visible = pinned ? [rows[heading]!, ...rows.slice(from, from + listHeight - 1)] : rows.slice(offset, offset + listHeight);
  const below = Math.max(0, rows.length - offset - listHeight);
  const more = fits
    ? ''
    : `${offset > 0 ? `↑${offset} ` : ''}rows ${offset + 1}-${offset + visible.length} of ${rows.length}${below ? ` ↓${below}` : ''}`;
  const head = `${focused ? '▶ ' : '  '}${title}${filter ? ` /${filter}` : ''}`;
  const fitting = (typeof legend === 'string' ? [legend] : (legend ?? [])).find((l) => [...head].length + [...l].length + 2 <= inner);
  const tail = fitting && !legendRight ? `  ${fitting}` : '';
  const right = fitting && legendRight ? fitting : '';

  return (
    <Box
      flexDirection='column'
      width={width}
      height={height}
      borderStyle={focused ? 'double' : 'single'}
      borderColor={borderColor}
      overflow='hidden'
    >
      <Box width={inner} height={1}>
        <Box flexGrow={1} flexShrink={1}>
          <Txt bold={focused} underline={!focused} wrap='truncate'>
            {head}
          </Txt>
          <Txt dim wrap='truncate'>
            {tail}
          </Txt>
        </Box>
        {right ? (
          <Box flexShrink={0}>
            <Txt dim>{right}</Txt>
          </Box>
        ) : null}
      </Box>
      {rows.length === 0 ? (
        <Txt dim wrap='truncate'>
          {empty}
        </Txt>
      ) : (
        visible.map((row) => (
          <Box key={row.key} width={inner} height={1} overflow='hidden'>
            {row.render({ selected: row.key === selectedKey, focused, width: inner })}
          </Box>
        ))
      )}
      {more ? (
        <Text dimColor wrap='truncate'>
          {more}
        </Text>
      ) : null}
    </Box>
  );
}
