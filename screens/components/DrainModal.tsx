// The drain options: ignore daemonsets / delete local data / force (checkboxes), grace period and timeout
// (seconds, optional), the command they make, what they do to this node's pods (which pods make the
// drain refuse, which bare pods --force deletes for good), and with --force the node name to type.
import { Box, Text } from 'ink';
import {
  CHECKBOX_LABELS,
  checkboxHint,
  type DrainCheckbox,
  type DrainForm,
  drainImpact,
  drainPreview,
  nodeStatus,
  podNames,
  wrapRows,
} from '../../src/model/nodes-view.js';
import { expectLines } from '../../src/model/run-view.js';
import { fit } from '../../src/model/text.js';
import type { NodeRow } from '../../src/nodes/service.js';
import type { NodePod } from '../../src/ocp/nodes.js';
import { type Tone, Txt, useToneColor } from '../theme.js';
import { TextField } from './TextField.js';

export interface DrainModalProps {
  form: DrainForm;
  /** The node as last listed (for NotReady / already cordoned). */
  node?: NodeRow;
  /** The node's pods, read when the modal opened; undefined while reading. */
  pods?: readonly NodePod[];
  podsError?: string;
  oc: string;
  width: number;
  height: number;
}

interface InfoLine {
  text: string;
  tone?: Tone;
  bold?: boolean;
}

const EXPECT_LABEL = 'To go on, type the node name exactly:';

/** Blocks of text lines, each cut down (longest first, to one row) until they fit `room`. */
function squeeze(blocks: InfoLine[][], room: number): InfoLine[][] {
  const out = blocks.map((b) => [...b]);
  const total = () => out.reduce((a, b) => a + b.length, 0);
  while (total() > room) {
    const longest = out.reduce((best, b, i) => (b.length > (out[best]?.length ?? 0) ? i : best), 0);
    const b = out[longest]!;
    if (b.length <= 1) {
      // every block is one row: drop the last one that is left
      const last = out
        .map((x, i) => [x, i] as const)
        .filter(([x]) => x.length > 0)
        .pop();
      if (!last) break;
      out[last[1]] = [];
      continue;
    }
    b.pop();
    const end = b[b.length - 1]!;
    b[b.length - 1] = { ...end, text: end.text.endsWith('…') ? end.text : `${end.text.slice(0, -1)}…` };
  }
  return out;
}

function block(text: string, inner: number, max: number, style: Omit<InfoLine, 'text'> = {}): InfoLine[] {
  return wrapRows(text, inner, max).map((t) => ({ text: t, ...style }));
}

export function DrainModal({ form, node, pods, podsError, oc, width, height }: DrainModalProps) {
  const border = useToneColor(form.force ? 'bad' : 'warn');
  const inner = Math.max(20, width - 4);
  const impact = pods ? drainImpact(form, pods) : undefined;

  const checkbox = (field: DrainCheckbox) => {
    const on = form[field];
    const focused = form.field === field;
    const { label, flag } = CHECKBOX_LABELS[field];
    const hint = pods ? checkboxHint(field, form, impact) : podsError ? '' : 'reading the pods…';
    const hintTone: Tone | undefined = /^refuses/.test(hint) ? 'warn' : /lost|for good/.test(hint) ? 'bad' : undefined;
    return (
      <Box key={field} width={inner} height={1}>
        <Text wrap='truncate'>
          <Txt bold={focused} inverse={focused}>{`${focused ? '›' : ' '} [${on ? 'x' : ' '}] ${fit(label, 17)}`}</Txt>
          <Txt dim>{` ${fit(flag, 20)}`}</Txt>
          <Txt tone={hintTone}>{hint}</Txt>
        </Text>
      </Box>
    );
  };
  const seconds = (field: 'grace' | 'timeout', label: string, hint: string) => {
    const focused = form.field === field;
    return (
      <Box key={field} width={inner} height={1}>
        <Box width={24} flexShrink={0}>
          <Txt bold={focused} inverse={focused}>{`${focused ? '›' : ' '}     ${fit(label, 17)}`}</Txt>
        </Box>
        <Box width={10} flexShrink={0}>
          <TextField value={form[field]} focused={focused} width={10} />
        </Box>
        <Txt wrap='truncate' dim>{`s  ${hint}`}</Txt>
      </Box>
    );
  };

  // What the options mean here, most important first.
  const blocks: InfoLine[][] = [];
  blocks.push(block(`$ ${drainPreview(form, oc)}`, inner, 2, { bold: true }));
  if (node && node.ready !== 'Ready') {
    blocks.push(
      block(
        `⚠ ${node.name} is ${nodeStatus(node).word}` +
          `${node.readyMessage ? ` (${node.readyMessage})` : ''}: evicted pods may stay Terminating ` +
          `and the drain waits for them — set a timeout, or Esc cancels the drain.`,
        inner,
        3,
        { tone: 'warn' },
      ),
    );
  } else if (node && !node.schedulable) {
    blocks.push(block(`ℹ ${node.name} is already cordoned (SchedulingDisabled): the drain evicts its pods.`, inner, 2));
  }
  if (podsError)
    blocks.push(
      block(`⚠ The pods could not be listed (${podsError}): what the drain does to them is not known beforehand.`, inner, 2, {
        tone: 'warn',
      }),
    );
  if (impact?.blockers.length) {
    const why = impact.blockers.map((b) => `${b.pod.name} needs ${b.flag}`);
    blocks.push(
      block(
        `✗ As set, the drain cordons the node, then refuses and evicts nothing: ` +
          `${why.slice(0, 4).join(', ')}${why.length > 4 ? `, +${why.length - 4}` : ''}.`,
        inner,
        2,
        { tone: 'bad' },
      ),
    );
  }
  if (form.force) {
    const lost = impact?.lostForGood ?? [];
    blocks.push(
      impact
        ? lost.length
          ? block(`⚠ --force deletes these bare pods for good (nothing recreates them): ${podNames(lost, 6)}`, inner, 3, {
              tone: 'bad',
              bold: true,
            })
          : block('--force: no bare pod on this node now (a bare pod that arrives before the drain is deleted for good).', inner, 2)
        : block('--force deletes bare pods for good: reading which…', inner, 1, { tone: 'bad' }),
    );
  }

  const expect = expectLines(EXPECT_LABEL, form.node, inner);
  const inline = expect.names.length === 1 && expect.label.endsWith(' ');
  const confirmRows = form.force ? (inline ? 1 : 1 + expect.names.length) + 1 : 0;
  const hintRows = form.error
    ? wrapRows(`✗ ${form.error}`, inner, 2)
    : ['↑↓ Tab: field · Space: toggle · Enter: start the drain · Esc: cancel'];
  // border 2, title 1, 5 fields, the confirmation, the hint
  const room = Math.max(1, height - 2 - 1 - 5 - confirmRows - hintRows.length);
  const shown = squeeze(blocks, room).flat();
  // As tall as its content: the rest of the screen stays empty below it.
  const boxHeight = Math.min(height, 2 + 1 + 5 + shown.length + confirmRows + hintRows.length);
  const confirmFocused = form.field === 'confirm';

  return (
    <Box flexDirection='column' width={width} height={boxHeight} borderStyle='double' borderColor={border} paddingX={1} overflow='hidden'>
      <Text wrap='truncate'>
        <Txt bold inverse tone={form.force ? 'bad' : 'warn'}>
          {form.force ? ' ⚠ DRAIN --force ' : ' DRAIN '}
        </Txt>
        <Txt bold>{` ${form.node}`}</Txt>
      </Text>
      {checkbox('ignoreDaemonsets')}
      {checkbox('deleteLocalData')}
      {checkbox('force')}
      {seconds('grace', 'grace period', "empty: each pod's own")}
      {seconds('timeout', 'timeout', 'empty: none (Esc cancels the drain)')}
      {shown.map((l, i) => (
        <Txt key={i} tone={l.tone} bold={l.bold} wrap='truncate'>
          {l.text}
        </Txt>
      ))}
      {form.force ? (
        <>
          <Text wrap='truncate'>
            <Txt bold={confirmFocused}>{expect.label}</Txt>
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
          <TextField value={form.typed} focused={confirmFocused} width={inner} />
        </>
      ) : null}
      {hintRows.map((h, i) => (
        <Txt key={`h${i}`} tone={form.error ? 'bad' : undefined} bold={!!form.error} wrap='truncate'>
          {h}
        </Txt>
      ))}
    </Box>
  );
}
