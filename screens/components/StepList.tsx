// The run's steps, one line each: number, mark + word (never colour alone), title, DESTRUCTIVE, duration.
import { Box, Text } from 'ink';
import type { StepView } from '../../src/engine/session.js';
import { formatDuration, STEP_MARKS, stepWindowStart } from '../../src/model/run-view.js';
import { fit } from '../../src/model/text.js';
import { Txt } from '../theme.js';
import { Spinner } from './Spinner.js';

export interface StepListProps {
  steps: readonly StepView[];
  current?: string;
  /** The run waits for the operator at the current step (gate or failure). */
  waiting?: boolean;
  /** The run has ended: a step still marked running did not finish. */
  ended?: boolean;
  width: number;
  height: number;
}

export function StepList({ steps, current, waiting, ended, width, height }: StepListProps) {
  const h = Math.max(1, height);
  // the "steps a-b of n" line only where there is a row for it besides one step (one row: the step alone)
  const more = steps.length > h && h >= 2;
  const rows = more ? h - 1 : h;
  const start = stepWindowStart(steps, current, rows);
  const shown = steps.slice(start, start + rows);
  const numWidth = String(steps.length).length;
  return (
    // never shrunk below its rows (flexShrink 0): squeezed, a footer would be drawn over a step
    // ("steps 5-5 of 27r you Move every…")
    <Box flexDirection='column' width={width} height={Math.min(h, steps.length + (more ? 1 : 0))} flexShrink={0} overflow='hidden'>
      {shown.map((s, k) => {
        const i = start + k;
        const here = s.id === current;
        const m =
          s.status === 'running' && ended
            ? { mark: '■', word: 'stopped', tone: 'warn' as const }
            : s.status === 'running' && waiting && here
              ? { mark: '?', word: 'waiting for you', tone: 'warn' as const }
              : STEP_MARKS[s.status];
        const spin = s.status === 'running' && !ended && !(waiting && here);
        const dur = formatDuration(s.durationMs);
        const word = s.status === 'pending' ? '' : ` ${m.word}`;
        const tail = `${s.destructive ? ' ⚠DESTRUCTIVE' : ''}${dur ? ` ${dur}` : ''}`;
        const head = `${here ? '▶' : ' '}${String(i + 1).padStart(numWidth)}. `;
        const titleRoom = Math.max(4, width - head.length - 2 - word.length - tail.length);
        return (
          <Box key={s.id} width={width} height={1} flexShrink={0}>
            <Text wrap='truncate'>
              <Txt bold={here}>{head}</Txt>
              {spin ? (
                <Spinner tone='busy' />
              ) : (
                <Txt tone={m.tone} bold={s.status === 'failed'}>
                  {m.mark}
                </Txt>
              )}
              <Txt tone={m.tone} bold={s.status === 'failed' || s.status === 'interrupted'}>
                {word}
              </Txt>{' '}
              <Txt bold={here} dim={s.status === 'skipped'}>
                {fit(s.title, titleRoom)}
              </Txt>
              <Txt tone={s.destructive ? 'bad' : undefined} bold={s.destructive}>
                {s.destructive ? ' ⚠DESTRUCTIVE' : ''}
              </Txt>
              <Txt dim>{dur ? ` ${dur}` : ''}</Txt>
            </Text>
          </Box>
        );
      })}
      {more ? (
        <Box width={width} height={1} flexShrink={0}>
          <Txt dim wrap='truncate'>
            {`  steps ${start + 1}-${start + shown.length} of ${steps.length}`}
          </Txt>
        </Box>
      ) : null}
    </Box>
  );
}
