// After a run that did not finish: where the cluster stands now and the next safe action (the
// procedure's whereItStands), above the log. "Next:" is never left out; words, not colour, say what is what.
import { Box } from 'ink';
import type { WhereItStands } from '../../src/engine/types.js';
import { standingLines } from '../../src/model/run-view.js';
import { Txt } from '../theme.js';

export interface StandingBoxProps {
  standing: WhereItStands;
  width: number;
  height: number;
}

/** The text with the run's host names shortened by their common domain (narrow terminals). */
export function shortenHosts(standing: WhereItStands, hosts: readonly string[], domain: string): WhereItStands {
  if (!domain) return standing;
  const names = hosts.filter((h) => h.endsWith(domain) && h.length > domain.length).sort((a, b) => b.length - a.length);
  const short = (t: string) => names.reduce((acc, h) => acc.split(h).join(h.slice(0, -domain.length)), t);
  const out: WhereItStands = { state: standing.state.map(short), next: short(standing.next) };
  if (standing.cautions) out.cautions = standing.cautions.map(short);
  return out;
}

/** Rows the box would like at this width. */
export function standingRows(standing: WhereItStands | undefined, width: number): number {
  return standing ? standingLines(standing, width).length : 0;
}

export function StandingBox({ standing, width, height }: StandingBoxProps) {
  const lines = standingLines(standing, width, Math.max(1, height));
  return (
    <Box flexDirection='column' width={width} height={Math.max(1, height)} overflow='hidden'>
      {lines.map((l, i) =>
        l.kind === 'title' ? (
          <Txt key={i} bold inverse tone='warn' wrap='truncate'>
            {` ${l.text} `}
          </Txt>
        ) : (
          <Txt key={i} bold={l.kind === 'next'} tone={l.kind === 'caution' ? 'warn' : undefined} wrap='truncate'>
            {l.text}
          </Txt>
        ),
      )}
    </Box>
  );
}
