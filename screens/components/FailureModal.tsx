// A failed command: which step, the command, its exit code, the end of its output, and the choices
// (skip is never offered for a destructive step).
import { Box, Text } from 'ink';
import type { RunSnapshot } from '../../src/engine/session.js';
import type { FailureChoice } from '../../src/engine/types.js';
import { FAILURE_KEYS, tailOf } from '../../src/model/run-view.js';
import { truncate } from '../../src/model/text.js';
import { Txt, useToneColor } from '../theme.js';

export interface FailureModalProps {
  failure: NonNullable<RunSnapshot['failure']>;
  stepLabel: string;
  destructive: boolean;
  choices: FailureChoice[];
  width: number;
  height: number;
}

/** Rows the modal needs (border included), the output tail at most 8 lines. */
export function failureModalHeight(failure: { tail: string }, destructive: boolean, width: number): number {
  return (
    2 +
    4 +
    (destructive ? 1 : 0) +
    1 +
    Math.max(
      1,
      Math.min(
        8,
        tailOf(failure.tail, 8).reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / Math.max(8, width - 6))), 0),
      ),
    )
  );
}

export function FailureModal({ failure, stepLabel, destructive, choices, width, height }: FailureModalProps) {
  const border = useToneColor('bad');
  const inner = Math.max(10, width - 4);
  const fixed = 2 + 4 + (destructive ? 1 : 0) + 1;
  // The end of the output matters most (the error): wrap, never cut, and keep the last rows that fit.
  const tail = tailOf(failure.tail, 8)
    .flatMap((l) => {
      const chars = [...l];
      const out: string[] = [];
      do out.push(chars.splice(0, inner - 2).join(''));
      while (chars.length);
      return out;
    })
    .slice(-Math.max(1, height - fixed));
  return (
    <Box flexDirection='column' width={width} height={height} borderStyle='double' borderColor={border} paddingX={1} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt bold inverse tone='bad'>
          {' ✗ STEP FAILED '}
        </Txt>
        <Txt bold>{` ${stepLabel}`}</Txt>
      </Text>
      <Txt wrap='truncate'>
        {`${failure.check ? `The ${failure.check}` : 'Command'}` +
          `${failure.host ? ` on ${failure.host}` : ' on the bastion'}: ${failure.command}`}
      </Txt>
      <Txt bold wrap='truncate'>
        {failure.check
          ? `Its ${failure.check} did not hold (see below)`
          : `Exit code: ${failure.exitCode ?? 'none (no exit status: killed, timed out or connection lost)'}`}
      </Txt>
      <Txt dim wrap='truncate'>
        Output, last lines:
      </Txt>
      {tail.length === 0 || (tail.length === 1 && tail[0] === '') ? (
        <Txt dim> (no output)</Txt>
      ) : (
        tail.map((l, i) => (
          <Txt key={i} wrap='truncate'>
            {`  ${truncate(l, inner - 2)}`}
          </Txt>
        ))
      )}
      {destructive ? (
        <Txt tone='warn' bold wrap='truncate'>
          Skip is not offered: this step is DESTRUCTIVE.
        </Txt>
      ) : null}
      <Text wrap='truncate'>
        {choices.map((c, i) => (
          <Text key={c}>
            {i > 0 ? '   ' : ''}
            <Txt bold inverse>{` ${FAILURE_KEYS[c].key} `}</Txt>
            {` ${FAILURE_KEYS[c].label}`}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
