// The journal of a step's follow (e.g. `journalctl -f -u etcd.service` while etcd starts), apart from the
// commands' output: a rule saying whose journal it is and whether it still streams, then its newest
// lines, one row each (cut at the width: the whole line stays in the log and the audit log).
import { Box, Text } from 'ink';
import { shortName } from '../../src/model/home.js';
import { compactJournalLine } from '../../src/model/log-view.js';
import type { JournalView } from '../../src/model/run-view.js';
import { truncate } from '../../src/model/text.js';
import { Txt } from '../theme.js';

export interface JournalPaneProps {
  view: JournalView;
  domain: string;
  width: number;
  height: number;
}

export function JournalPane({ view, domain, width, height }: JournalPaneProps) {
  // the rule names the host; lines say theirs only when they come from several
  const multiHost = new Set(view.lines.map((l) => l.host)).size > 1;
  const h = Math.max(1, height);
  const state = view.live ? '● streaming' : '■ ended';
  const source =
    `${view.hosts.map((h) => (h === null ? 'bastion' : shortName(h, domain))).join(', ')}` + `${view.command ? `: ${view.command}` : ''}`;
  const left = `┄ JOURNAL ${source} `;
  const room = Math.max(4, width - [...state].length - 2);
  const head = truncate(left, room);
  const fill = Math.max(1, width - [...head].length - [...state].length - 1);
  const lines = view.lines.slice(-(h - 1));
  return (
    <Box flexDirection='column' width={width} height={h} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt dim>{`${head + '┄'.repeat(fill)} `}</Txt>
        <Txt bold tone={view.live ? 'busy' : undefined}>
          {state}
        </Txt>
      </Text>
      {lines.length === 0 ? (
        <Txt dim>{'┆ (no journal line yet)'}</Txt>
      ) : (
        lines.map((l) => (
          <Txt key={l.seq} wrap='truncate'>
            {truncate(
              `┆ ${multiHost && l.host ? `${shortName(l.host, domain)}│ ` : ''}` +
                `${compactJournalLine(l.text).replace(/\t/g, '  ').replace(/\r/g, '')}`,
              width,
            )}
          </Txt>
        ))
      )}
    </Box>
  );
}
