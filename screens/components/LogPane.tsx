// The live log: a rule with the follow indicator, then the rows the model chose (follow / scrolled),
// search matches in inverse video and the current match's line marked with ›, so no colour is needed.
import { Box, Text } from 'ink';
import type { LogRow, LogWindow } from '../../src/model/log-view.js';
import { matchRanges } from '../../src/model/log-view.js';
import { truncate } from '../../src/model/text.js';
import { Txt } from '../theme.js';

export interface LogPaneProps {
  window: LogWindow;
  total: number;
  following: boolean;
  /** Lines trimmed from the bounded buffer. */
  trimmed: number;
  query?: string;
  currentMatch?: number;
  width: number;
  height: number;
}

function RowText({ row, query, width }: { row: LogRow; query?: string; width: number }) {
  const text = truncate(row.text, width);
  const ranges = query ? matchRanges(text, query) : [];
  const style = { bold: row.stream === 'command', dim: row.stream === 'info' };
  if (ranges.length === 0) return <Txt {...style}>{text || ' '}</Txt>;
  const parts = [];
  let at = 0;
  ranges.forEach(([a, b], i) => {
    if (a > at)
      parts.push(
        <Txt key={`t${i}`} {...style}>
          {text.slice(at, a)}
        </Txt>,
      );
    parts.push(
      <Txt key={`m${i}`} inverse bold>
        {text.slice(a, b)}
      </Txt>,
    );
    at = b;
  });
  if (at < text.length)
    parts.push(
      <Txt key='end' {...style}>
        {text.slice(at)}
      </Txt>,
    );
  return <>{parts}</>;
}

export function LogPane({ window, total, following, trimmed, query, currentMatch, width, height }: LogPaneProps) {
  const indicator = following
    ? '● following'
    : `‖ paused${window.below ? ` — ${window.below} newer line${window.below === 1 ? '' : 's'} below` : ''} — G to follow`;
  const left = `─ LOG ${total} line${total === 1 ? '' : 's'}${trimmed ? ` (${trimmed} older dropped)` : ''} `;
  const fill = Math.max(1, width - [...left].length - [...indicator].length - 2);
  const rowsHeight = Math.max(1, height - 1);
  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt dim>{`${left + '─'.repeat(fill)} `}</Txt>
        <Txt bold inverse={!following} tone={following ? undefined : 'warn'}>
          {indicator}
        </Txt>
      </Text>
      {window.rows.length === 0 ? (
        <Txt dim>(no output yet)</Txt>
      ) : (
        window.rows.slice(0, rowsHeight).map((r) => (
          <Box key={`${r.seq}.${r.part}`} width={width} height={1}>
            <Text wrap='truncate'>
              <Txt bold>{currentMatch !== undefined && r.seq === currentMatch ? '›' : ' '}</Txt>
              <RowText row={r} query={query} width={width - 1} />
            </Text>
          </Box>
        ))
      )}
    </Box>
  );
}
