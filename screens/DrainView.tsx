// A drain, live: the headline (draining / drained / refused / cancelled…), the exact command, the notes
// the session found before it started (NotReady node, already cordoned, pods not listed), the counts,
// once done the summary with the state the node is left in, each pod's progress (evicting → evicted,
// retrying while a PodDisruptionBudget refuses, failed, left because DaemonSet) and the drain's log
// tail. Esc cancels a running drain (the session stops oc and reads the node back); after it, back to
// the Nodes list, where u uncordons. Renders the session's snapshot; never runs anything itself.
import { useEffect, useMemo, useRef } from 'react';
import { Box, Text, type Key } from 'ink';
import type { DrainSession } from '../src/nodes/service.js';
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
import { scrollOffset } from '../src/model/home.js';
import { truncate, wrap } from '../src/model/text.js';
import type { NodesControl } from './hooks/useNodes.js';
import { useDrainSnapshot } from './hooks/useNodes.js';
import { useKeys, useLatestState, type BindKeys } from './hooks/useKeys.js';
import { nodesFooter, type FooterKeys } from './keys.js';
import { Txt, type Tone } from './theme.js';

export interface DrainViewProps {
  session: DrainSession;
  nodes: NodesControl;
  onBack: () => void;
  onGlobal: (what: 'quit' | 'help') => void;
  onFooter?: (keys: FooterKeys) => void;
  bindKeys?: BindKeys;
  width: number;
  height: number;
  active: boolean;
}

interface Local {
  /** First pod row shown (j/k scroll). */
  top: number;
  /** `running`: only true while the drain runs (e.g. "Cancelling…"), gone once the summary is shown. */
  note?: { text: string; tone?: Tone; running?: boolean };
}

export function DrainView({ session, nodes, onBack, onGlobal, onFooter, bindKeys, width, height, active }: DrainViewProps) {
  const snap = useDrainSnapshot(session);
  const node = snap.options.node;
  const [local, getLocal, setLocal] = useLatestState<Local>(() => ({ top: 0 }));
  const running = drainActive(snap);
  useEffect(() => {
    onFooter?.(nodesFooter(running ? 'drain-running' : 'drain-done'));
  }, [running]);

  const podRows = useMemo(() => drainPodRows(snap.progress), [snap.progress]);
  const logRowCount = useMemo(() => snap.log.reduce((n, l) => n + wrap(l, width - 1, '  ').length, 0), [snap.log, width]);
  const commandRows = snap.command ? wrapRows(`$ ${snap.command}`, width, 2) : [running ? '… building the command (oc version)' : '(no command was run)'];
  const noteRows = snap.notes.flatMap((n) => wrap(`! ${n}`, width, '  '));
  const summaryRows = snap.summary ? wrap(`■ ${snap.summary}`, width, '  ') : [];
  const busy = nodes.data.busy.get(node);
  const note = local.note && !(local.note.running && !running) ? local.note : undefined;
  const bottom: { text: string; tone?: Tone } | undefined = note
    ? note
    : busy
      ? { text: `… uncordoning ${node}`, tone: 'busy' }
      : !running && nodes.data.note
        ? { text: `${nodes.data.note.tone === 'ok' ? '✓' : '✗'} ${nodes.data.note.text}`, tone: nodes.data.note.tone === 'ok' ? 'ok' : 'bad' }
        : undefined;
  const layout = drainLayout({ height: height - (bottom ? 1 : 0), commandRows: commandRows.length, noteRows: noteRows.length, summaryRows: summaryRows.length, podCount: podRows.length });
  const podHeight = Math.max(0, layout.pods - 1);
  const latest = useRef({ podHeight, count: podRows.length });
  latest.current = { podHeight, count: podRows.length };

  useKeys(
    (input: string, key: Key) => {
      const l = getLocal();
      const s = session.getSnapshot();
      const set = (patch: Partial<Local>) => setLocal({ ...getLocal(), note: undefined, ...patch });
      const { podHeight, count } = latest.current;
      const scroll = (d: number) => set({ top: Math.max(0, Math.min(Math.max(0, count - podHeight), l.top + d)) });
      if (input === 'q') return onGlobal('quit');
      if (input === '?') return onGlobal('help');
      if (key.escape) {
        if (!drainActive(s)) return onBack();
        if (s.cancelRequested) return set({ note: { text: 'Already cancelling: the node is being read back.', tone: 'warn', running: true } });
        // oc has ended: nothing left to cancel, the state it is left in comes next
        if (s.status === 'reading-back') return set({ note: { text: 'The drain has ended: reading the node back (Esc again once it is shown).', running: true } });
        if (s.status === 'following') {
          session.cancel();
          return set({ note: { text: 'Stopped following the replacement pods: the summary says what is still Pending.', running: true } });
        }
        session.cancel();
        return set({ note: { text: `Cancelling the drain of ${s.options.node}: oc is stopped, then the node is read back.`, tone: 'warn', running: true } });
      }
      const n = /^([jk])\1*$/.test(input) ? input.length : 1;
      if (input[0] === 'j' || key.downArrow) return scroll(n);
      if (input[0] === 'k' || key.upArrow) return scroll(-n);
      if (key.pageDown) return scroll(Math.max(1, podHeight - 1));
      if (key.pageUp) return scroll(-Math.max(1, podHeight - 1));
      if (input === 'u') {
        if (drainActive(s)) return set({ note: { text: 'The drain is running: Esc cancels it first.', tone: 'warn' } });
        if (s.after?.node?.schedulable) return set({ note: { text: `${s.options.node} is already schedulable.` } });
        nodes.clearNote();
        nodes.setSchedulable(s.options.node, true);
        return set({ note: undefined });
      }
      if (running) return set({ note: { text: 'Esc cancels the drain; the node is then read back and its state shown.', running: true } });
    },
    active,
    bindKeys,
  );

  const headline = drainHeadline(snap);
  const counts = drainCountsText(snap.progress);
  const widths = drainPodTable(podRows, Math.max(20, width - 2));
  const top = scrollOffset(local.top, -1, podHeight, podRows.length);
  const shownPods = podRows.slice(top, top + podHeight);
  const below = Math.max(0, podRows.length - top - podHeight);
  const logRows = Math.max(0, layout.log - 1);
  const tail = logTail(snap.log, width - 1, logRows);
  const title = `DRAIN ${node} `;
  const summaryTone: Tone | undefined = snap.progress.phase === 'drained' ? 'ok' : snap.progress.phase === 'cancelled' ? 'warn' : 'bad';
  const cut = tail.length < logRowCount;
  const logRule = `─ LOG ${snap.log.length} line${snap.log.length === 1 ? '' : 's'}${cut ? ', the tail' : ''} `;

  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box width={width} height={1}>
        <Text wrap="truncate">
          <Txt bold>{title}</Txt>
          <Txt bold tone={headline.tone} inverse={!running}>
            {truncate(headline.text, Math.max(10, width - title.length))}
          </Txt>
        </Text>
      </Box>
      {commandRows.slice(0, layout.command).map((c, i) => (
        <Txt key={`c${i}`} bold={!!snap.command} dim={!snap.command} wrap="truncate">
          {c}
        </Txt>
      ))}
      {noteRows.slice(0, layout.notes).map((n, i) => (
        <Txt key={`n${i}`} tone="warn" wrap="truncate">
          {i === layout.notes - 1 && noteRows.length > layout.notes ? truncate(`${n} …`, width) : n}
        </Txt>
      ))}
      <Txt wrap="truncate">{counts}</Txt>
      {summaryRows.slice(0, layout.summary).map((s, i) => (
        <Txt key={`s${i}`} bold tone={summaryTone} wrap="truncate">
          {s}
        </Txt>
      ))}
      {layout.pods > 0 ? (
        <>
          <Txt dim wrap="truncate">
            {`  ${drainPodLine({ key: '', name: 'POD', owner: 'OWNER', state: `STATE${top > 0 ? `  ↑${top}` : ''}${below ? `  ↓${below} more (j/k)` : ''}`, tone: undefined }, widths)}`}
          </Txt>
          {podRows.length === 0 ? (
            <Txt dim>{running ? '  (the pods appear as the drain names them)' : '  (no pod was listed)'}</Txt>
          ) : (
            shownPods.map((p) => (
              <Box key={p.key} width={width} height={1}>
                <Text wrap="truncate">
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
          <Txt dim wrap="truncate">
            {logRule + '─'.repeat(Math.max(1, width - [...logRule].length))}
          </Txt>
          {tail.length === 0 ? (
            <Txt dim>{running ? ' (no output yet)' : ' (no output)'}</Txt>
          ) : (
            tail.map((t, i) => (
              <Txt key={`l${i}`} wrap="truncate">
                {` ${t}`}
              </Txt>
            ))
          )}
        </>
      ) : null}
      {bottom ? (
        <Txt tone={bottom.tone} bold wrap="truncate">
          {bottom.text}
        </Txt>
      ) : null}
    </Box>
  );
}
