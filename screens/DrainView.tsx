// A drain, live: the headline (draining / drained / refused / cancelled…), the exact command, the notes
// the session found before it started (NotReady node, already cordoned, pods not listed), the counts,
// once done the summary with the state the node is left in, each pod's progress (evicting → evicted,
// retrying while a PodDisruptionBudget refuses, failed, left because DaemonSet) and the drain's log
// tail. Esc cancels a running drain (the session stops oc and reads the node back); after it, back to
// the Nodes list, where u uncordons. Its keys: DRAIN_KEYS. Renders the session's snapshot; never runs
// anything itself.

import { Box, Text } from 'ink';
import { useMemo, useRef } from 'react';
import { scrollOffset } from '../src/model/home.js';
import {
  drainActive,
  drainCountsText,
  drainHeadline,
  drainLayout,
  drainPodLine,
  drainPodRows,
  drainPodTable,
  logTail,
  wrapRows,
} from '../src/model/nodes-view.js';
import { truncate, wrap } from '../src/model/text.js';
import type { DrainSession } from '../src/nodes/service.js';
import { type ScreenFrameProps, useScreen } from './context.js';
import { useScreenKeys } from './hooks/useKeymap.js';
import { useLatestState } from './hooks/useKeys.js';
import type { NodesControl } from './hooks/useNodes.js';
import { useDrainSnapshot } from './hooks/useNodes.js';
import { type FooterKeys, footerOf, type GlobalContext, helpKey, type Keymap, movementKeys, quitKey } from './keymap.js';
import { type Tone, Txt } from './theme.js';

export interface DrainViewProps extends ScreenFrameProps {
  session: DrainSession;
  nodes: NodesControl;
}

interface Local {
  /** First pod row shown (j/k scroll). */
  top: number;
  /** `running`: only true while the drain runs (e.g. "Cancelling…"), gone once the summary is shown. */
  note?: { text: string; tone?: Tone; running?: boolean };
}

/** What the drain view's keys act on. */
export interface DrainKeyContext extends GlobalContext {
  local: Local;
  snap: ReturnType<DrainSession['getSnapshot']>;
  /** Pod rows shown, and how many there are. */
  podHeight: number;
  count: number;
  set: (patch: Partial<Local>) => void;
  cancel: () => void;
  nodes: Pick<NodesControl, 'clearNote' | 'setSchedulable'>;
  onBack: () => void;
}

type C = DrainKeyContext;
const draining = (c: C) => drainActive(c.snap);
const done = (c: C) => !drainActive(c.snap);

function cancelDrain(c: C) {
  const s = c.snap;
  if (s.cancelRequested) return c.set({ note: { text: 'Already cancelling: the node is being read back.', tone: 'warn', running: true } });
  // oc has ended: nothing left to cancel, the state it is left in comes next
  if (s.status === 'reading-back')
    return c.set({ note: { text: 'The drain has ended: reading the node back (Esc again once it is shown).', running: true } });
  if (s.status === 'following') {
    c.cancel();
    return c.set({ note: { text: 'Stopped following the replacement pods: the summary says what is still Pending.', running: true } });
  }
  c.cancel();
  c.set({
    note: { text: `Cancelling the drain of ${s.options.node}: oc is stopped, then the node is read back.`, tone: 'warn', running: true },
  });
}

/** The drain view's keys: while the drain runs, and once it is over. */
export const DRAIN_KEYS: Keymap<DrainKeyContext> = [
  {
    keys: ['esc'],
    when: draining,
    footer: 'cancel the drain',
    description: 'while it runs: cancel the drain (oc is stopped, the node is read back and its state shown)',
    action: cancelDrain,
  },
  { keys: ['esc'], when: done, footer: 'back to Nodes', description: 'once it is over: back to the Nodes list', action: (c) => c.onBack() },
  {
    keys: ['u'],
    footer: 'uncordon',
    footerWhen: done,
    description: 'once it is over: uncordon the node',
    action: (c) => {
      const s = c.snap;
      if (drainActive(s)) return c.set({ note: { text: 'The drain is running: Esc cancels it first.', tone: 'warn' } });
      if (s.after?.node?.schedulable) return c.set({ note: { text: `${s.options.node} is already schedulable.` } });
      c.nodes.clearNote();
      c.nodes.setSchedulable(s.options.node, true);
      c.set({ note: undefined });
    },
  },
  ...movementKeys<C>({
    move: (c, d) => c.set({ top: Math.max(0, Math.min(Math.max(0, c.count - c.podHeight), c.local.top + d)) }),
    page: (c) => c.podHeight - 1,
    what: 'the pods',
    footer: ['jk', 'scroll pods'],
  }),
  helpKey<C>({ footer: 'help' }),
  quitKey<C>({ footer: 'quit' }),
  {
    keys: ['any'],
    when: draining,
    description: '',
    action: (c) => c.set({ note: { text: 'Esc cancels the drain; the node is then read back and its state shown.', running: true } }),
  },
];

export const DRAIN_RUNNING_FOOTER: FooterKeys = footerOf(DRAIN_KEYS, { snap: { status: 'running' } } as DrainKeyContext);
const DRAIN_DONE_FOOTER: FooterKeys = footerOf(DRAIN_KEYS, { snap: { status: 'done' } } as DrainKeyContext);

export function DrainView(props: DrainViewProps) {
  const { session, nodes } = props;
  const { onBack, onGlobal, onFooter, bindKeys, width, height, active } = useScreen(props);
  const snap = useDrainSnapshot(session);
  const node = snap.options.node;
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ top: 0 }));
  const running = drainActive(snap);
  const podRows = useMemo(() => drainPodRows(snap.progress), [snap.progress]);
  const logRowCount = useMemo(() => snap.log.reduce((n, l) => n + wrap(l, width - 1, '  ').length, 0), [snap.log, width]);
  const commandRows = snap.command
    ? wrapRows(`$ ${snap.command}`, width, 2)
    : [running ? '… building the command (oc version)' : '(no command was run)'];
  const noteRows = snap.notes.flatMap((n) => wrap(`! ${n}`, width, '  '));
  const summaryRows = snap.summary ? wrap(`■ ${snap.summary}`, width, '  ') : [];
  const busy = nodes.data.busy.get(node);
  const note = local.note && !(local.note.running && !running) ? local.note : undefined;
  const bottom: { text: string; tone?: Tone } | undefined = note
    ? note
    : busy
      ? { text: `… uncordoning ${node}`, tone: 'busy' }
      : !running && nodes.data.note
        ? {
            text: `${nodes.data.note.tone === 'ok' ? '✓' : '✗'} ${nodes.data.note.text}`,
            tone: nodes.data.note.tone === 'ok' ? 'ok' : 'bad',
          }
        : undefined;
  const layout = drainLayout({
    height: height - (bottom ? 1 : 0),
    commandRows: commandRows.length,
    noteRows: noteRows.length,
    summaryRows: summaryRows.length,
    podCount: podRows.length,
  });
  const podHeight = Math.max(0, layout.pods - 1);
  const latest = useRef({ podHeight, count: podRows.length });
  latest.current = { podHeight, count: podRows.length };

  const context = (): DrainKeyContext => ({
    local: getLocal(),
    snap: session.getSnapshot(),
    ...latest.current,
    set: (patch) => setLocal({ ...getLocal(), note: undefined, ...patch }),
    cancel: () => session.cancel(),
    nodes,
    onBack,
    onGlobal,
  });
  useScreenKeys(DRAIN_KEYS, context, { active, bindKeys, onFooter }, running ? DRAIN_RUNNING_FOOTER : DRAIN_DONE_FOOTER);

  const headline = drainHeadline(snap);
  const counts = drainCountsText(snap.progress);
  const widths = drainPodTable(podRows, Math.max(20, width - 2));
  const top = scrollOffset(local.top, -1, podHeight, podRows.length);
  const shownPods = podRows.slice(top, top + podHeight);
  const below = Math.max(0, podRows.length - top - podHeight);
  const podsState = `STATE${top > 0 ? `  ↑${top}` : ''}${below ? `  ↓${below} more (j/k)` : ''}`;
  const logRows = Math.max(0, layout.log - 1);
  const tail = logTail(snap.log, width - 1, logRows);
  const title = `DRAIN ${node} `;
  const summaryTone: Tone | undefined = snap.progress.phase === 'drained' ? 'ok' : snap.progress.phase === 'cancelled' ? 'warn' : 'bad';
  const cut = tail.length < logRowCount;
  const logRule = `─ LOG ${snap.log.length} line${snap.log.length === 1 ? '' : 's'}${cut ? ', the tail' : ''} `;

  return (
    <Box flexDirection='column' width={width} height={height} overflow='hidden'>
      <Box width={width} height={1}>
        <Text wrap='truncate'>
          <Txt bold>{title}</Txt>
          <Txt bold tone={headline.tone} inverse={!running}>
            {truncate(headline.text, Math.max(10, width - title.length))}
          </Txt>
        </Text>
      </Box>
      {commandRows.slice(0, layout.command).map((c, i) => (
        <Txt key={`c${i}`} bold={!!snap.command} dim={!snap.command} wrap='truncate'>
          {c}
        </Txt>
      ))}
      {noteRows.slice(0, layout.notes).map((n, i) => (
        <Txt key={`n${i}`} tone='warn' wrap='truncate'>
          {i === layout.notes - 1 && noteRows.length > layout.notes ? truncate(`${n.trimEnd()}…`, width) : n}
        </Txt>
      ))}
      <Txt wrap='truncate'>{counts}</Txt>
      {summaryRows.slice(0, layout.summary).map((s, i) => (
        <Txt key={`s${i}`} bold tone={summaryTone} wrap='truncate'>
          {s}
        </Txt>
      ))}
      {layout.pods > 0 ? (
        <>
          <Txt dim wrap='truncate'>
            {`  ${drainPodLine({ key: '', name: 'POD', owner: 'OWNER', state: podsState, tone: undefined }, widths)}`}
          </Txt>
          {podRows.length === 0 ? (
            <Txt dim>{running ? '  (the pods appear as the drain names them)' : '  (no pod was listed)'}</Txt>
          ) : (
            shownPods.map((p) => (
              <Box key={p.key} width={width} height={1}>
                <Text wrap='truncate'>
                  <Txt>{'  '}</Txt>
                  <Txt tone={p.tone} bold={p.tone === 'bad' || p.tone === 'warn'}>
                    {drainPodLine(p, widths)}
                  </Txt>
                </Text>
              </Box>
            ))
          )}
        </>
      ) : null}
      {layout.log > 0 ? (
        <>
          <Txt dim wrap='truncate'>
            {logRule + '─'.repeat(Math.max(1, width - [...logRule].length))}
          </Txt>
          {tail.length === 0 ? (
            <Txt dim>{running ? ' (no output yet)' : ' (no output)'}</Txt>
          ) : (
            tail.map((t, i) => (
              <Txt key={`l${i}`} wrap='truncate'>
                {` ${t}`}
              </Txt>
            ))
          )}
        </>
      ) : null}
      {bottom ? (
        <Txt tone={bottom.tone} bold wrap='truncate'>
          {bottom.text}
        </Txt>
      ) : null}
    </Box>
  );
}
