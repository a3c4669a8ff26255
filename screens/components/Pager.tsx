// A bordered box of text lines that scrolls with the common movement keys: j/k, arrows, PgUp/PgDn, Space,
// Ctrl-D/Ctrl-U, g/G, Home/End (used by detail and help).

import { Box, Text } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { wrap } from '../../src/model/text.js';
import { useListMovement } from '../hooks/useKeymap.js';
import { type Tone, Txt, useToneColor } from '../theme.js';

export interface Line {
  text: string;
  tone?: Tone;
  bold?: boolean;
  dim?: boolean;
  /** Put before continuation lines when the text wraps. */
  indent?: string;
}

export interface PagerProps {
  title: string;
  lines: readonly Line[];
  width: number;
  /** Total height, border included. */
  height: number;
  /** Listen to the scroll keys (false while a prompt is open). */
  active: boolean;
  /** Keep this line (an index of `lines`) in view, with the line above it: scrolled to when it changes. */
  follow?: number;
}

/**
 * The counter beside the title ("lines 1-17/388  j/k scroll"), '' when everything fits. The title stays
 * whole: the hint goes first, then the word "lines"; only when even "1-17/388" does not fit is the title cut.
 */
export function pagerCounter(title: string, top: number, shown: number, total: number, bodyHeight: number, inner: number): string {
  if (total <= bodyHeight) return '';
  const range = `${top + 1}-${top + shown}/${total}`;
  const candidates = [`lines ${range}  j/k scroll`, `lines ${range}`, range];
  const room = inner - [...title].length - 1;
  return candidates.find((c) => c.length <= room) ?? range;
}

export function Pager({ title, lines, width, height, active, follow }: PagerProps) {
  const inner = Math.max(1, width - 2);
  const bodyHeight = Math.max(1, height - 3);
  const wrapped = useMemo(
    () => lines.flatMap((l, i) => wrap(l.text, inner, l.indent ?? '').map((text, j) => ({ ...l, text, key: `${i}.${j}` }))),
    [lines, inner],
  );
  const max = Math.max(0, wrapped.length - bodyHeight);
  const [top, setTop] = useState(0);
  useEffect(() => {
    if (top > max) setTop(max);
  }, [top, max]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the followed line changes (the operator scrolls freely)
  useEffect(() => {
    if (follow === undefined) return;
    const row = wrapped.findIndex((w) => w.key === `${follow}.0`);
    if (row >= 0) setTop((t) => (row - 1 < t ? Math.max(0, row - 1) : row >= t + bodyHeight ? row - bodyHeight + 2 : t));
  }, [follow]);

  // The common movement keys (screens/keymap.ts movementKeys): a page is the box less one line.
  useListMovement({ move: (d) => setTop((t) => Math.max(0, Math.min(max, t + d))), page: bodyHeight - 1 }, active);

  const shownTop = Math.min(top, max);
  const visible = wrapped.slice(shownTop, shownTop + bodyHeight);
  const where = pagerCounter(`▶ ${title}`, shownTop, visible.length, wrapped.length, bodyHeight, inner);
  const borderColor = useToneColor('accent');
  return (
    <Box flexDirection='column' width={width} height={height} borderStyle='double' borderColor={borderColor} overflow='hidden'>
      <Box width={inner} height={1}>
        <Box flexGrow={1} flexShrink={1}>
          <Txt bold wrap='truncate'>
            {`▶ ${title}`}
          </Txt>
        </Box>
        {where ? (
          // never flush against a title cut short ("2 gatelines 1-17/81")
          <Box flexShrink={0} marginLeft={1}>
            <Text dimColor>{where}</Text>
          </Box>
        ) : null}
      </Box>
      {visible.map((l) => (
        <Txt key={l.key} tone={l.tone} bold={l.bold} dim={l.dim} wrap='truncate'>
          {l.text || ' '}
        </Txt>
      ))}
    </Box>
  );
}
