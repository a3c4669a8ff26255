// A gate: what will change, on which hosts, the backup that protects it, and how to answer.
// Confirm gates: y / n. Type-host gates: the exact name to type (the gate's, which may be another host
// than the one the step runs on), on a line of its own when it does not fit beside its label.
import { Box, Text } from 'ink';
import type { ResolvedGate } from '../../src/engine/types.js';
import { expectLines } from '../../src/model/run-view.js';
import { wrap } from '../../src/model/text.js';
import { Txt, useToneColor } from '../theme.js';
import { TextField } from './TextField.js';

export interface GateModalProps {
  gate: ResolvedGate;
  /** "step 3/4 Move the old data directory aside" */
  stepLabel: string;
  destructive: boolean;
  typed: string;
  /** Shown after a wrong name was entered. */
  wrong?: string;
  width: number;
  height: number;
}

function gateLines(gate: ResolvedGate, inner: number): { text: string; bold?: boolean; tone?: 'bad' | 'warn' }[] {
  const lines: { text: string; bold?: boolean; tone?: 'bad' | 'warn' }[] = [];
  const add = (text: string, o: { bold?: boolean; tone?: 'bad' | 'warn' } = {}, indent = '  ') => {
    for (const l of wrap(text, inner, indent)) lines.push({ text: l, ...o });
  };
  add(`What will change: ${gate.what}`, {}, '                  ');
  add(`On: ${gate.hosts.length ? gate.hosts.join(', ') : 'the bastion'}`, {}, '    ');
  add(
    `Protected by: ${gate.protectedBy ?? '(no backup named for this step)'}`,
    { tone: gate.protectedBy ? undefined : 'warn' },
    '              ',
  );
  return lines;
}

const EXPECT_LABEL = 'To go on, type the host name exactly:';

/** The rows of the answer part: the name to type (1+ rows), the field, the hint — or the y/n line. */
function answerRows(gate: ResolvedGate, inner: number): number {
  if (gate.kind !== 'type-host') return 1;
  const e = expectLines(EXPECT_LABEL, gate.expect ?? '(no name given)', inner);
  return (e.names.length === 1 && e.label.endsWith(' ') ? 1 : 1 + e.names.length) + 2;
}

/** Rows the modal needs at this width (border included), so the log keeps the rest. */
export function gateModalHeight(gate: ResolvedGate, width: number): number {
  const inner = Math.max(10, width - 4);
  return 2 + 1 + gateLines(gate, inner).length + answerRows(gate, inner);
}

export function GateModal({ gate, stepLabel, destructive, typed, wrong, width, height }: GateModalProps) {
  const border = useToneColor(destructive ? 'bad' : 'warn');
  const inner = Math.max(10, width - 4);
  const lines = gateLines(gate, inner);
  const typeHost = gate.kind === 'type-host';
  const bodyRoom = Math.max(1, height - 2 - 1 - answerRows(gate, inner));
  const shown = lines.slice(0, bodyRoom);
  const expect = expectLines(EXPECT_LABEL, gate.expect ?? '(no name given)', inner);
  const inline = expect.names.length === 1 && expect.label.endsWith(' ');
  return (
    <Box flexDirection='column' width={width} height={height} borderStyle='double' borderColor={border} paddingX={1} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt bold inverse tone={destructive ? 'bad' : 'warn'}>
          {destructive ? ' ⚠ DESTRUCTIVE GATE ' : ' GATE '}
        </Txt>
        <Txt bold>{` ${stepLabel}`}</Txt>
      </Text>
      {shown.map((l, i) => (
        <Txt key={i} bold={l.bold} tone={l.tone} wrap='truncate'>
          {l.text}
        </Txt>
      ))}
      {typeHost ? (
        <>
          <Text wrap='truncate'>
            {expect.label}
            {inline ? (
              <Txt bold underline>
                {expect.names[0]}
              </Txt>
            ) : null}
          </Text>
          {inline
            ? null
            : expect.names.map((n, i) => (
                <Txt key={i} bold underline wrap='truncate'>
                  {n}
                </Txt>
              ))}
          <TextField value={typed} focused width={inner} />
          <Txt tone={wrong ? 'bad' : undefined} bold={!!wrong} wrap='truncate'>
            {wrong ? `✗ ${wrong}` : 'Enter confirms · Esc declines: the run stops at this gate'}
          </Txt>
        </>
      ) : (
        <Txt bold wrap='truncate'>
          {'Go on?  y yes, run it  ·  n or Esc: no — the run stops at this gate'}
        </Txt>
      )}
    </Box>
  );
}
