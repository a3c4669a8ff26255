// A failed command: which step, the command (wrapped), its exit code or the check that said no, the end of its output, and the choices
// (skip is never offered for a destructive step).
import { Box, Text } from 'ink';
import type { RunSnapshot } from '../../src/engine/session.js';
import type { FailureChoice } from '../../src/engine/types.js';
import { FAILURE_KEYS, tailOf } from '../../src/model/run-view.js';
import { truncate, wrap } from '../../src/model/text.js';
import { Txt, useToneColor } from '../theme.js';

export interface FailureModalProps {
  failure: NonNullable<RunSnapshot['failure']>;
  stepLabel: string;
  destructive: boolean;
  choices: FailureChoice[];
  width: number;
  height: number;
}

type FailureHead = Pick<NonNullable<RunSnapshot['failure']>, 'command' | 'host' | 'exitCode' | 'check' | 'describe' | 'tail'>;

/** Wrapped to `width`, at most `max` rows; the last one ends with … when more was cut. */
function wrapAtMost(text: string, width: number, max: number): string[] {
  const rows = wrap(text, width, '  ');
  if (rows.length <= max) return rows;
  const kept = rows.slice(0, max);
  kept[max - 1] = truncate(`${kept[max - 1]!.trimEnd()}…`, width);
  return kept;
}

/**
 * The modal's head: what failed, and the command, wrapped (at most 3 rows) rather than cut. A precondition or
 * verification that said no is named by what it wanted (its exit code, often 0, is not the failure); a command
 * by its exit code.
 */
export function failureHeadRows(failure: FailureHead, inner: number): { what: string[]; command: string[] } {
  const on = failure.host ? ` on ${failure.host}` : ' on the bastion';
  if (failure.check) {
    const kind = failure.check === 'precondition' ? 'Precondition' : 'Verification';
    const wanted = failure.describe ?? (failure.tail.split('\n')[0] ?? '').replace(/^(precondition|verification) failed: /, '');
    return {
      what: wrapAtMost(`${kind} not met${on}: ${wanted}`, inner, 2),
      command: wrapAtMost(`Checked with: ${failure.command}`, inner, 3),
    };
  }
  return {
    what: [`Exit code: ${failure.exitCode ?? 'none (no exit status: killed, timed out or connection lost)'}`],
    command: wrapAtMost(`Command${on}: ${failure.command}`, inner, 3),
  };
}

/** Rows the modal needs (border included), the output tail at most 8 lines. */
export function failureModalHeight(failure: FailureHead, destructive: boolean, width: number): number {
  const head = failureHeadRows(failure, Math.max(10, width - 4));
  return (
    2 +
    1 +
    head.what.length +
    head.command.length +
    1 +
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

const what = (rows: string[]) =>
  rows.map((l, i) => (
    <Txt key={`w${i}`} bold wrap='truncate'>
      {l}
    </Txt>
  ));

export function FailureModal({ failure, stepLabel, destructive, choices, width, height }: FailureModalProps) {
  const border = useToneColor('bad');
  const inner = Math.max(10, width - 4);
  const head = failureHeadRows(failure, inner);
  const fixed = 2 + 1 + head.what.length + head.command.length + 1 + (destructive ? 1 : 0) + 1;
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
      {failure.check ? what(head.what) : null}
      {head.command.map((l, i) => (
        <Txt key={`c${i}`} wrap='truncate'>
          {l}
        </Txt>
      ))}
      {failure.check ? null : what(head.what)}
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
